// Package loader holds the per-request dataloaders: every field that
// crosses a table goes through one, so a query level costs one statement
// however many parents it has. Loaders are built per request in Middleware
// and never shared across requests (their caches hold one viewer's data).
package loader

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/vikstrous/dataloadgen"

	"startupgraph/internal/apperr"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
)

// wait is how long a loader collects keys before it runs its batch. The
// executor resolves sibling fields concurrently, so a short wait gathers
// a whole level.
const wait = 2 * time.Millisecond

// ByID loads nodes of one type by row id.
type ByID[M any] = dataloadgen.Loader[int64, M]

func newByID[M any](what string, fetch func(context.Context, []int64) (map[int64]M, error)) *ByID[M] {
	return dataloadgen.NewLoader(func(ctx context.Context, ids []int64) ([]M, []error) {
		found, err := fetch(ctx, ids)
		out, errs := make([]M, len(ids)), make([]error, len(ids))
		for i, id := range ids {
			switch m, ok := found[id]; {
			case err != nil:
				errs[i] = err
			case !ok:
				errs[i] = fmt.Errorf("%s %d: %w", what, id, apperr.ErrNotFound)
			default:
				out[i] = m
			}
		}
		return out, errs
	}, dataloadgen.WithWait(wait))
}

type pageKey struct {
	parent int64
	page   store.PageArgs
}

// Children loads one relationship's pages per parent, batching all parents
// that ask for the same page arguments into one statement, and counts
// (totalCount) the same way, only when asked.
type Children[E model.EdgeOf[N], N any] struct {
	pages  *dataloadgen.Loader[pageKey, model.Connection[E, N]]
	counts *dataloadgen.Loader[int64, int]
}

func newChildren[E model.EdgeOf[N], N any](s *store.Store, child store.Child[E, N]) *Children[E, N] {
	pages := dataloadgen.NewLoader(func(ctx context.Context, keys []pageKey) ([]model.Connection[E, N], []error) {
		parents := map[store.PageArgs][]int64{}
		for _, k := range keys {
			parents[k.page] = append(parents[k.page], k.parent)
		}
		results := make(map[pageKey]model.Connection[E, N], len(keys))
		failed := map[store.PageArgs]error{}
		for page, ids := range parents {
			conns, err := child.Pages(ctx, s, ids, page)
			if err != nil {
				failed[page] = err
				continue
			}
			for id, c := range conns {
				results[pageKey{id, page}] = c
			}
		}
		out, errs := make([]model.Connection[E, N], len(keys)), make([]error, len(keys))
		for i, k := range keys {
			out[i], errs[i] = results[k], failed[k.page]
		}
		return out, errs
	}, dataloadgen.WithWait(wait))
	counts := dataloadgen.NewLoader(func(ctx context.Context, parents []int64) ([]int, []error) {
		n, err := child.Counts(ctx, s, parents)
		out, errs := make([]int, len(parents)), make([]error, len(parents))
		for i, p := range parents {
			out[i], errs[i] = n[p], err
		}
		return out, errs
	}, dataloadgen.WithWait(wait))
	return &Children[E, N]{pages: pages, counts: counts}
}

// Load returns parent's page; its totalCount is loaded lazily, batched with
// the other parents' counts.
func (c *Children[E, N]) Load(ctx context.Context, parent int64, page store.PageArgs) (model.Connection[E, N], error) {
	conn, err := c.pages.Load(ctx, pageKey{parent, page})
	if err != nil {
		return model.Connection[E, N]{}, err
	}
	conn.Total = func(ctx context.Context) (int, error) { return c.counts.Load(ctx, parent) }
	return conn, nil
}

// Loaders are one request's dataloaders.
type Loaders struct {
	University   *ByID[model.University]
	Organization *ByID[model.Organization]
	Program      *ByID[model.Program]
	Sector       *ByID[model.Sector]
	Fund         *ByID[model.Fund]
	Facility     *ByID[model.Facility]
	Startup      *ByID[model.Startup]
	Mentor       *ByID[model.Mentor]
	Market       *ByID[model.Market]
	Cohort       *ByID[model.Cohort]
	Investment   *ByID[model.Investment]

	UniversityStartups   *Children[model.AssignedStartupEdge, model.Startup]
	StartupUniversities  *Children[model.UniversityAssignmentEdge, model.University]
	UniversityMentors    *Children[model.MentorEdge, model.Mentor]
	OrganizationChildren *Children[model.OrganizationEdge, model.Organization]
	OrganizationMentors  *Children[model.MentorEdge, model.Mentor]
	OrganizationPrograms *Children[model.OrganizationRoleEdge, model.Program]
	ProgramOrganizations *Children[model.ProgramRoleEdge, model.Organization]
	StartupSectors       *Children[model.SectorEdge, model.Sector]
	SectorStartups       *Children[model.StartupEdge, model.Startup]
	MentorSectors        *Children[model.SectorEdge, model.Sector]
	SectorMentors        *Children[model.MentorEdge, model.Mentor]
	ProgramCohorts       *Children[model.CohortEdge, model.Cohort]
	ProgramMembers       *Children[model.MemberEdge, model.Startup]
	CohortMembers        *Children[model.MemberEdge, model.Startup]
	StartupPrograms      *Children[model.ProgramMembershipEdge, model.Program]
	FundPortfolio        *Children[model.PortfolioEdge, model.Startup]
	StartupInvestors     *Children[model.InvestorEdge, model.Fund]
	FacilitySpaces       *Children[model.FacilityEdge, model.Facility]
	FacilityResidents    *Children[model.StartupEdge, model.Startup]
	StartupStageHistory  *Children[model.StageChangeEdge, model.StageChange]
	StartupOutcomes      *Children[model.OutcomeEdge, model.Outcome]
	StartupMentors       *Children[model.MentorshipEdge, model.Mentor]
	MentorStartups       *Children[model.MenteeEdge, model.Startup]
	StartupMarkets       *Children[model.MarketTargetEdge, model.Market]
	MarketStartups       *Children[model.TargetingStartupEdge, model.Startup]
}

// New builds a fresh set of loaders over s.
func New(s *store.Store) *Loaders {
	return &Loaders{
		University:   newByID("university", s.UniversitiesByID),
		Organization: newByID("organization", s.OrganizationsByID),
		Program:      newByID("program", s.ProgramsByID),
		Sector:       newByID("sector", s.SectorsByID),
		Fund:         newByID("fund", s.FundsByID),
		Facility:     newByID("facility", s.FacilitiesByID),
		Startup:      newByID("startup", s.StartupsByID),
		Mentor:       newByID("mentor", s.MentorsByID),
		Market:       newByID("market", s.MarketsByID),
		Cohort:       newByID("cohort", s.CohortsByID),
		Investment:   newByID("investment", s.InvestmentsByID),

		UniversityStartups:   newChildren(s, store.UniversityStartups),
		StartupUniversities:  newChildren(s, store.StartupUniversities),
		UniversityMentors:    newChildren(s, store.UniversityMentors),
		OrganizationChildren: newChildren(s, store.OrganizationChildren),
		OrganizationMentors:  newChildren(s, store.OrganizationMentors),
		OrganizationPrograms: newChildren(s, store.OrganizationPrograms),
		ProgramOrganizations: newChildren(s, store.ProgramOrganizations),
		StartupSectors:       newChildren(s, store.StartupSectors),
		SectorStartups:       newChildren(s, store.SectorStartups),
		MentorSectors:        newChildren(s, store.MentorSectors),
		SectorMentors:        newChildren(s, store.SectorMentors),
		ProgramCohorts:       newChildren(s, store.ProgramCohorts),
		ProgramMembers:       newChildren(s, store.ProgramMembers),
		CohortMembers:        newChildren(s, store.CohortMembers),
		StartupPrograms:      newChildren(s, store.StartupPrograms),
		FundPortfolio:        newChildren(s, store.FundPortfolio),
		StartupInvestors:     newChildren(s, store.StartupInvestors),
		FacilitySpaces:       newChildren(s, store.FacilitySpaces),
		FacilityResidents:    newChildren(s, store.FacilityResidents),
		StartupStageHistory:  newChildren(s, store.StartupStageHistory),
		StartupOutcomes:      newChildren(s, store.StartupOutcomes),
		StartupMentors:       newChildren(s, store.StartupMentors),
		MentorStartups:       newChildren(s, store.MentorStartups),
		StartupMarkets:       newChildren(s, store.StartupMarkets),
		MarketStartups:       newChildren(s, store.MarketStartups),
	}
}

type ctxKey struct{}

// Middleware gives every request its own loaders.
func Middleware(s *store.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), ctxKey{}, New(s))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// For returns the request's loaders.
func For(ctx context.Context) *Loaders {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	if !ok {
		panic("loader: request has no loaders; is loader.Middleware installed?")
	}
	return l
}
