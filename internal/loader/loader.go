// Package loader holds the per-request dataloaders: every field that
// crosses a table goes through one, so a query level costs one statement
// however many parents it has. References (many-to-one) batch by id with
// vikstrous/dataloadgen; relationships (paged child lists) batch over every
// registered node of the level, with no timer. Loaders are built per
// request in Middleware and never shared across requests.
package loader

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	"startupgraph/internal/apperr"
	"startupgraph/internal/globalid"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
)

// wait is how long a loader collects keys before it runs its batch. The
// executor resolves sibling fields concurrently, so a short wait gathers
// a whole level.
const wait = 2 * time.Millisecond

// ByID loads nodes of one type by row id.
type ByID[M any] = dataloadgen.Loader[int64, M]

func newByID[M model.Referenced](reg *registry, what string, fetch func(context.Context, []int64) (map[int64]M, error)) *ByID[M] {
	return dataloadgen.NewLoader(func(ctx context.Context, ids []int64) ([]M, []error) {
		found, err := fetch(ctx, ids)
		for _, m := range found {
			reg.add(m.NodeRef())
		}
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

// batch is one fetch that several loads wait on.
type batch[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// claim returns the batch that covers key. If there is none, it starts one
// that covers key and every sibling (from siblings) not yet covered, runs
// it in the calling goroutine, and publishes the result to all waiters.
// Batching thus needs no timer: the siblings of a level are registered
// before any of their fields resolve.
func claim[K comparable, T any](ctx context.Context, mu *sync.Mutex, batches map[K]*batch[T], key K,
	siblings func() []K, fetch func(context.Context, []K) (T, error)) (*batch[T], error) {
	mu.Lock()
	b, ok := batches[key]
	if ok {
		mu.Unlock()
		select {
		case <-b.done:
			return b, b.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	b = &batch[T]{done: make(chan struct{})}
	keys := []K{key}
	batches[key] = b
	for _, k := range siblings() {
		if _, taken := batches[k]; !taken {
			batches[k] = b
			keys = append(keys, k)
		}
	}
	mu.Unlock()
	b.val, b.err = fetch(ctx, keys)
	close(b.done)
	return b, b.err
}

// Children loads one relationship's pages per parent. The first load of a
// level fetches the pages of every registered parent of the same type in
// one statement; the others wait for it. totalCount is batched the same
// way, and only fetched when a client asks for it.
type Children[E model.EdgeOf[N], N any] struct {
	store      *store.Store
	child      store.Child[E, N]
	parentType globalid.Type
	reg        *registry

	mu     sync.Mutex
	pages  map[pageKey]*batch[map[int64]model.Connection[E, N]]
	counts map[int64]*batch[map[int64]int]
}

func newChildren[E model.EdgeOf[N], N any](s *store.Store, reg *registry, parentType globalid.Type, child store.Child[E, N]) *Children[E, N] {
	return &Children[E, N]{store: s, child: child, parentType: parentType, reg: reg,
		pages: map[pageKey]*batch[map[int64]model.Connection[E, N]]{}, counts: map[int64]*batch[map[int64]int]{}}
}

// Load returns parent's page; its totalCount is loaded lazily.
func (c *Children[E, N]) Load(ctx context.Context, parent int64, page store.PageArgs) (model.Connection[E, N], error) {
	b, err := claim(ctx, &c.mu, c.pages, pageKey{parent, page},
		func() []pageKey {
			ids := c.reg.of(c.parentType)
			keys := make([]pageKey, len(ids))
			for i, id := range ids {
				keys[i] = pageKey{id, page}
			}
			return keys
		},
		func(ctx context.Context, keys []pageKey) (map[int64]model.Connection[E, N], error) {
			ids := make([]int64, len(keys))
			for i, k := range keys {
				ids[i] = k.parent
			}
			conns, err := c.child.Pages(ctx, c.store, ids, page)
			for _, conn := range conns {
				c.reg.add(conn.NodeRefs()...) // the whole next level, before any waiter resumes
			}
			return conns, err
		})
	if err != nil {
		return model.Connection[E, N]{}, err
	}
	conn := b.val[parent]
	conn.Total = func(ctx context.Context) (int, error) { return c.count(ctx, parent) }
	return conn, nil
}

func (c *Children[E, N]) count(ctx context.Context, parent int64) (int, error) {
	b, err := claim(ctx, &c.mu, c.counts, parent,
		func() []int64 { return c.reg.of(c.parentType) },
		func(ctx context.Context, ids []int64) (map[int64]int, error) {
			return c.child.Counts(ctx, c.store, ids)
		})
	if err != nil {
		return 0, err
	}
	return b.val[parent], nil
}

// registry records the nodes of each type a request's response holds so
// far, in order, so that child loads can batch over all of a level.
type registry struct {
	mu   sync.Mutex
	ids  map[globalid.Type][]int64
	seen map[model.Ref]bool
}

func (r *registry) add(refs ...model.Ref) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ref := range refs {
		if !r.seen[ref] {
			r.seen[ref] = true
			r.ids[ref.Type] = append(r.ids[ref.Type], ref.ID)
		}
	}
}

func (r *registry) of(t globalid.Type) []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ids[t])
}

// Register records the nodes a field returned (a node, a list of nodes or
// a connection), so that their own fields batch as one level. The GraphQL
// layer calls it for every field result.
func Register(ctx context.Context, result any) {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	if !ok || result == nil {
		return
	}
	rv := reflect.ValueOf(result)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return // a null reference
		}
		rv = rv.Elem()
		result = rv.Interface()
	}
	switch v := result.(type) {
	case model.Referenced:
		l.reg.add(v.NodeRef())
	case interface{ NodeRefs() []model.Ref }:
		l.reg.add(v.NodeRefs()...)
	default:
		if rv.Kind() != reflect.Slice {
			return
		}
		for i := range rv.Len() {
			if r, ok := rv.Index(i).Interface().(model.Referenced); ok {
				l.reg.add(r.NodeRef())
			}
		}
	}
}

// Loaders are one request's dataloaders.
type Loaders struct {
	store *store.Store
	reg   *registry

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
	reg := &registry{ids: map[globalid.Type][]int64{}, seen: map[model.Ref]bool{}}
	return &Loaders{
		store:        s,
		reg:          reg,
		University:   newByID(reg, "university", s.UniversitiesByID),
		Organization: newByID(reg, "organization", s.OrganizationsByID),
		Program:      newByID(reg, "program", s.ProgramsByID),
		Sector:       newByID(reg, "sector", s.SectorsByID),
		Fund:         newByID(reg, "fund", s.FundsByID),
		Facility:     newByID(reg, "facility", s.FacilitiesByID),
		Startup:      newByID(reg, "startup", s.StartupsByID),
		Mentor:       newByID(reg, "mentor", s.MentorsByID),
		Market:       newByID(reg, "market", s.MarketsByID),
		Cohort:       newByID(reg, "cohort", s.CohortsByID),
		Investment:   newByID(reg, "investment", s.InvestmentsByID),

		UniversityStartups:   newChildren(s, reg, globalid.University, store.UniversityStartups),
		StartupUniversities:  newChildren(s, reg, globalid.Startup, store.StartupUniversities),
		UniversityMentors:    newChildren(s, reg, globalid.University, store.UniversityMentors),
		OrganizationChildren: newChildren(s, reg, globalid.Organization, store.OrganizationChildren),
		OrganizationMentors:  newChildren(s, reg, globalid.Organization, store.OrganizationMentors),
		OrganizationPrograms: newChildren(s, reg, globalid.Organization, store.OrganizationPrograms),
		ProgramOrganizations: newChildren(s, reg, globalid.Program, store.ProgramOrganizations),
		StartupSectors:       newChildren(s, reg, globalid.Startup, store.StartupSectors),
		SectorStartups:       newChildren(s, reg, globalid.Sector, store.SectorStartups),
		MentorSectors:        newChildren(s, reg, globalid.Mentor, store.MentorSectors),
		SectorMentors:        newChildren(s, reg, globalid.Sector, store.SectorMentors),
		ProgramCohorts:       newChildren(s, reg, globalid.Program, store.ProgramCohorts),
		ProgramMembers:       newChildren(s, reg, globalid.Program, store.ProgramMembers),
		CohortMembers:        newChildren(s, reg, globalid.Cohort, store.CohortMembers),
		StartupPrograms:      newChildren(s, reg, globalid.Startup, store.StartupPrograms),
		FundPortfolio:        newChildren(s, reg, globalid.Fund, store.FundPortfolio),
		StartupInvestors:     newChildren(s, reg, globalid.Startup, store.StartupInvestors),
		FacilitySpaces:       newChildren(s, reg, globalid.Facility, store.FacilitySpaces),
		FacilityResidents:    newChildren(s, reg, globalid.Facility, store.FacilityResidents),
		StartupStageHistory:  newChildren(s, reg, globalid.Startup, store.StartupStageHistory),
		StartupOutcomes:      newChildren(s, reg, globalid.Startup, store.StartupOutcomes),
		StartupMentors:       newChildren(s, reg, globalid.Startup, store.StartupMentors),
		MentorStartups:       newChildren(s, reg, globalid.Mentor, store.MentorStartups),
		StartupMarkets:       newChildren(s, reg, globalid.Startup, store.StartupMarkets),
		MarketStartups:       newChildren(s, reg, globalid.Market, store.MarketStartups),
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

// Node loads the node of any type by its type and row id.
func (l *Loaders) Node(ctx context.Context, t globalid.Type, id int64) (model.Node, error) {
	load, ok := map[globalid.Type]func(context.Context, int64) (model.Node, error){
		globalid.University:   nodeOf(l.University),
		globalid.Organization: nodeOf(l.Organization),
		globalid.Program:      nodeOf(l.Program),
		globalid.Sector:       nodeOf(l.Sector),
		globalid.Fund:         nodeOf(l.Fund),
		globalid.Facility:     nodeOf(l.Facility),
		globalid.Startup:      nodeOf(l.Startup),
		globalid.Mentor:       nodeOf(l.Mentor),
		globalid.Market:       nodeOf(l.Market),
		globalid.Cohort:       nodeOf(l.Cohort),
		globalid.Investment:   nodeOf(l.Investment),
	}[t]
	if !ok {
		return nil, fmt.Errorf("node type %s: %w", t, apperr.ErrNotFound)
	}
	return load(ctx, id)
}

func nodeOf[M interface {
	model.Node
	model.Referenced
}](l *ByID[M]) func(context.Context, int64) (model.Node, error) {
	return func(ctx context.Context, id int64) (model.Node, error) {
		m, err := l.Load(ctx, id)
		if err != nil {
			return nil, err
		}
		return m, nil
	}
}

// Reset drops everything the loaders cached, so reads after a write in
// the same request see the write. Mutations run one at a time, so nothing
// else uses the loaders meanwhile.
func (l *Loaders) Reset() { *l = *New(l.store) }
