package graph

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"startupgraph/graph/generated"
	"startupgraph/internal/apperr"
	"startupgraph/internal/globalid"
	"startupgraph/internal/loader"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
)

var (
	languagePattern   = regexp.MustCompile(`^[a-z]{2}$`)
	regionCodePattern = regexp.MustCompile(`^[A-Z][A-Z0-9-]{2,15}$`)
)

// base validates what every created node has.
func (a *args) base(idem *string, key, nameKo, nameEn string) store.NodeBase {
	if !keyPattern.MatchString(key) {
		a.problems.Add("input.key", "must be lowercase letters, digits and hyphens (up to 80), starting with a letter or digit")
	}
	return store.NodeBase{IdempotencyKey: a.idempotencyKey(idem), Key: key,
		NameKo: a.text("input.nameKo", nameKo, 1, 200), NameEn: a.text("input.nameEn", nameEn, 1, 200)}
}

// names validates optional new names; neither may be null.
func (a *args) names(ko, en graphql.Omittable[*string]) store.NameChanges {
	var n store.NameChanges
	for _, x := range []struct {
		field string
		in    graphql.Omittable[*string]
		out   *store.Field[string]
	}{{"input.nameKo", ko, &n.NameKo}, {"input.nameEn", en, &n.NameEn}} {
		if v, set := x.in.ValueOK(); set {
			if v == nil {
				a.problems.Add(x.field, "cannot be null")
				continue
			}
			*x.out = store.Field[string]{Set: true, Value: a.text(x.field, *v, 1, 200)}
		}
	}
	return n
}

// optID reads an optional id of typ.
func (a *args) optID(field string, typ globalid.Type, gid *string) *int64 {
	if gid == nil {
		return nil
	}
	id := a.id(field, typ, *gid)
	return &id
}

// optIDChange reads an omittable id of typ (null clears it).
func (a *args) optIDChange(field string, typ globalid.Type, o graphql.Omittable[*string]) store.Field[*int64] {
	v, set := o.ValueOK()
	if !set {
		return store.Field[*int64]{}
	}
	return store.Field[*int64]{Set: true, Value: a.optID(field, typ, v)}
}

func (a *args) optTextChange(field string, o graphql.Omittable[*string], hi int) store.Field[*string] {
	v, set := o.ValueOK()
	if !set {
		return store.Field[*string]{}
	}
	return store.Field[*string]{Set: true, Value: a.optText(field, v, hi)}
}

func (a *args) languages(langs []string) []string {
	if len(langs) > 10 {
		a.problems.Add("input.languages", "takes at most 10 languages")
	}
	for i, l := range langs {
		if !languagePattern.MatchString(l) {
			a.problems.Add(fmt.Sprintf("input.languages[%d]", i), "must be an ISO 639-1 code such as ko or en")
		}
	}
	if langs == nil {
		return []string{}
	}
	return langs
}

func (a *args) year(field string, y int) int {
	if y < 1990 || y > 2100 {
		a.problems.Add(field, "must be between 1990 and 2100")
	}
	return y
}

// reload reads a node afresh after a write, for the payload. The write is
// committed by then, so a database that went away in between must not
// turn it into a plain failure a client would repeat: the read is retried
// (up to readBackWaits, within the request's deadline), and if it still
// fails the error says the change was saved (extensions.saved = true).
func reload[M model.Identified](ctx context.Context, pick func(*loader.Loaders) *loader.ByID[M], id int64) (*M, error) {
	l := loader.For(ctx)
	for attempt := 0; ; attempt++ {
		l.Reset()
		m, err := pick(l).Load(ctx, id)
		if err == nil {
			return &m, nil
		}
		if !errors.Is(err, apperr.ErrUnavailable) {
			return nil, err
		}
		if attempt == len(readBackWaits) || !sleep(ctx, readBackWaits[attempt]) {
			return nil, &gqlerror.Error{
				Message:    "the change was saved, but reading it back failed; query it again shortly instead of repeating the change",
				Extensions: map[string]any{"code": string(apperr.CodeUnavailable), "saved": true},
			}
		}
	}
}

// readBackWaits are the pauses between attempts to read a written node
// back while the database is unreachable.
var readBackWaits = []time.Duration{100 * time.Millisecond, 300 * time.Millisecond, time.Second}

// sleep waits d, or reports false when ctx ends first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func startupOf(l *loader.Loaders) *loader.ByID[model.Startup]       { return l.Startup }
func investmentOf(l *loader.Loaders) *loader.ByID[model.Investment] { return l.Investment }
func mentorOf(l *loader.Loaders) *loader.ByID[model.Mentor]         { return l.Mentor }
func fundOf(l *loader.Loaders) *loader.ByID[model.Fund]             { return l.Fund }
func marketOf(l *loader.Loaders) *loader.ByID[model.Market]         { return l.Market }
func programOf(l *loader.Loaders) *loader.ByID[model.Program]       { return l.Program }
func cohortOf(l *loader.Loaders) *loader.ByID[model.Cohort]         { return l.Cohort }

func (r *mutationResolver) createMentor(ctx context.Context, in generated.CreateMentorInput) (*generated.MentorPayload, error) {
	var a args
	nm := store.NewMentor{
		NodeBase:       a.base(in.IdempotencyKey, in.Key, in.NameKo, in.NameEn),
		TitleKo:        a.optText("input.titleKo", in.TitleKo, 200),
		TitleEn:        a.optText("input.titleEn", in.TitleEn, 200),
		UniversityID:   a.optID("input.universityId", globalid.University, in.UniversityID),
		OrganizationID: a.optID("input.organizationId", globalid.Organization, in.OrganizationID),
		Languages:      a.languages(in.Languages),
		SectorIDs:      a.sectors(in.SectorIds),
	}
	nm.TaskForceMember = in.TaskForceMember != nil && *in.TaskForceMember
	if nm.UniversityID != nil && nm.OrganizationID != nil {
		a.problems.Add("input.organizationId", "a mentor belongs to a university or an organization, not both")
	}
	if err := a.err(); err != nil {
		return nil, err
	}
	w, err := r.Store.CreateMentor(ctx, nm)
	if err != nil {
		return nil, err
	}
	m, err := reload(ctx, mentorOf, w.ID)
	return &generated.MentorPayload{Mentor: m, Replayed: w.Replayed}, err
}

func (r *mutationResolver) updateMentor(ctx context.Context, in generated.UpdateMentorInput) (*generated.MentorPayload, error) {
	var a args
	id, version := a.id("input.id", globalid.Mentor, in.ID), a.version(in.ExpectedVersion)
	ch := store.MentorChanges{
		NameChanges:    a.names(in.NameKo, in.NameEn),
		TitleKo:        a.optTextChange("input.titleKo", in.TitleKo, 200),
		TitleEn:        a.optTextChange("input.titleEn", in.TitleEn, 200),
		UniversityID:   a.optIDChange("input.universityId", globalid.University, in.UniversityID),
		OrganizationID: a.optIDChange("input.organizationId", globalid.Organization, in.OrganizationID),
	}
	if v, set := in.TaskForceMember.ValueOK(); set {
		if v == nil {
			a.problems.Add("input.taskForceMember", "cannot be null")
		} else {
			ch.TaskForceMember = store.Field[bool]{Set: true, Value: *v}
		}
	}
	if v, set := in.Languages.ValueOK(); set {
		ch.Languages = store.Field[[]string]{Set: true, Value: a.languages(v)}
	}
	if v, set := in.SectorIds.ValueOK(); set {
		ch.SectorIDs = store.Field[[]int64]{Set: true, Value: a.sectors(v)}
	}
	if ch.UniversityID.Value != nil && ch.OrganizationID.Value != nil {
		a.problems.Add("input.organizationId", "a mentor belongs to a university or an organization, not both")
	}
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.UpdateMentor(ctx, id, version, ch); err != nil {
		return nil, err
	}
	m, err := reload(ctx, mentorOf, id)
	return &generated.MentorPayload{Mentor: m}, err
}

func (r *mutationResolver) createFund(ctx context.Context, in generated.CreateFundInput) (*generated.FundPayload, error) {
	var a args
	nf := store.NewFund{
		NodeBase:  a.base(in.IdempotencyKey, in.Key, in.NameKo, in.NameEn),
		Kind:      string(in.Kind),
		Size:      int64(in.Size),
		ManagerID: a.optID("input.managerId", globalid.Organization, in.ManagerID),
		SponsorID: a.optID("input.sponsorId", globalid.Organization, in.SponsorID),
		ProgramID: a.optID("input.programId", globalid.Program, in.ProgramID),
	}
	if in.Size < 0 {
		a.problems.Add("input.size", "must not be negative")
	}
	if in.VintageYear != nil {
		y := a.year("input.vintageYear", *in.VintageYear)
		nf.VintageYear = &y
	}
	if err := a.err(); err != nil {
		return nil, err
	}
	w, err := r.Store.CreateFund(ctx, nf)
	if err != nil {
		return nil, err
	}
	f, err := reload(ctx, fundOf, w.ID)
	return &generated.FundPayload{Fund: f, Replayed: w.Replayed}, err
}

func (r *mutationResolver) updateFund(ctx context.Context, in generated.UpdateFundInput) (*generated.FundPayload, error) {
	var a args
	id, version := a.id("input.id", globalid.Fund, in.ID), a.version(in.ExpectedVersion)
	ch := store.FundChanges{
		NameChanges: a.names(in.NameKo, in.NameEn),
		ManagerID:   a.optIDChange("input.managerId", globalid.Organization, in.ManagerID),
		SponsorID:   a.optIDChange("input.sponsorId", globalid.Organization, in.SponsorID),
		ProgramID:   a.optIDChange("input.programId", globalid.Program, in.ProgramID),
	}
	if v, set := in.Size.ValueOK(); set {
		if v == nil || *v < 0 {
			a.problems.Add("input.size", "must be 0 or more")
		} else {
			ch.Size = store.Field[int64]{Set: true, Value: int64(*v)}
		}
	}
	if v, set := in.VintageYear.ValueOK(); set {
		ch.VintageYear.Set = true
		if v != nil {
			y := a.year("input.vintageYear", *v)
			ch.VintageYear.Value = &y
		}
	}
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.UpdateFund(ctx, id, version, ch); err != nil {
		return nil, err
	}
	f, err := reload(ctx, fundOf, id)
	return &generated.FundPayload{Fund: f}, err
}

func (r *mutationResolver) createMarket(ctx context.Context, in generated.CreateMarketInput) (*generated.MarketPayload, error) {
	var a args
	nm := store.NewMarket{NodeBase: a.base(in.IdempotencyKey, in.Key, in.NameKo, in.NameEn), Kind: string(in.Kind), Code: in.Code}
	switch {
	case in.Kind == model.MarketKindCountry && !model.IsCountryCode(in.Code):
		a.problems.Add("input.code", "must be an ISO 3166-1 alpha-2 country code such as VN")
	case in.Kind == model.MarketKindRegion && !regionCodePattern.MatchString(in.Code):
		a.problems.Add("input.code", "must be 3 to 16 capitals, digits or hyphens for a region, such as SEA")
	}
	if err := a.err(); err != nil {
		return nil, err
	}
	w, err := r.Store.CreateMarket(ctx, nm)
	if err != nil {
		return nil, err
	}
	m, err := reload(ctx, marketOf, w.ID)
	return &generated.MarketPayload{Market: m, Replayed: w.Replayed}, err
}

func (r *mutationResolver) updateMarket(ctx context.Context, in generated.UpdateMarketInput) (*generated.MarketPayload, error) {
	var a args
	id, version := a.id("input.id", globalid.Market, in.ID), a.version(in.ExpectedVersion)
	ch := a.names(in.NameKo, in.NameEn)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.UpdateMarket(ctx, id, version, ch); err != nil {
		return nil, err
	}
	m, err := reload(ctx, marketOf, id)
	return &generated.MarketPayload{Market: m}, err
}

func (r *mutationResolver) createProgram(ctx context.Context, in generated.CreateProgramInput) (*generated.ProgramPayload, error) {
	var a args
	np := store.NewProgram{NodeBase: a.base(in.IdempotencyKey, in.Key, in.NameKo, in.NameEn), Kind: string(in.Kind),
		DescriptionKo: a.optText("input.descriptionKo", in.DescriptionKo, 2000), DescriptionEn: a.optText("input.descriptionEn", in.DescriptionEn, 2000)}
	if err := a.err(); err != nil {
		return nil, err
	}
	w, err := r.Store.CreateProgram(ctx, np)
	if err != nil {
		return nil, err
	}
	p, err := reload(ctx, programOf, w.ID)
	return &generated.ProgramPayload{Program: p, Replayed: w.Replayed}, err
}

func (r *mutationResolver) updateProgram(ctx context.Context, in generated.UpdateProgramInput) (*generated.ProgramPayload, error) {
	var a args
	id, version := a.id("input.id", globalid.Program, in.ID), a.version(in.ExpectedVersion)
	ch := store.ProgramChanges{
		NameChanges:   a.names(in.NameKo, in.NameEn),
		DescriptionKo: a.optTextChange("input.descriptionKo", in.DescriptionKo, 2000),
		DescriptionEn: a.optTextChange("input.descriptionEn", in.DescriptionEn, 2000),
	}
	if v, set := in.Kind.ValueOK(); set {
		if v == nil {
			a.problems.Add("input.kind", "cannot be null")
		} else {
			ch.Kind = store.Field[string]{Set: true, Value: string(*v)}
		}
	}
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.UpdateProgram(ctx, id, version, ch); err != nil {
		return nil, err
	}
	p, err := reload(ctx, programOf, id)
	return &generated.ProgramPayload{Program: p}, err
}

func (r *mutationResolver) createCohort(ctx context.Context, in generated.CreateCohortInput) (*generated.CohortPayload, error) {
	var a args
	nc := store.NewCohort{NodeBase: a.base(in.IdempotencyKey, in.Key, in.NameKo, in.NameEn),
		ProgramID: a.id("input.programId", globalid.Program, in.ProgramID), Year: a.year("input.year", in.Year)}
	if in.TeamQuota != nil {
		q := a.intArg("input.teamQuota", in.TeamQuota, 0, 1, 100_000)
		nc.TeamQuota = &q
	}
	if err := a.err(); err != nil {
		return nil, err
	}
	w, err := r.Store.CreateCohort(ctx, nc)
	if err != nil {
		return nil, err
	}
	c, err := reload(ctx, cohortOf, w.ID)
	return &generated.CohortPayload{Cohort: c, Replayed: w.Replayed}, err
}

func (r *mutationResolver) updateCohort(ctx context.Context, in generated.UpdateCohortInput) (*generated.CohortPayload, error) {
	var a args
	id, version := a.id("input.id", globalid.Cohort, in.ID), a.version(in.ExpectedVersion)
	ch := store.CohortChanges{NameChanges: a.names(in.NameKo, in.NameEn)}
	if v, set := in.Year.ValueOK(); set {
		if v == nil {
			a.problems.Add("input.year", "cannot be null")
		} else {
			ch.Year = store.Field[int]{Set: true, Value: a.year("input.year", *v)}
		}
	}
	if v, set := in.TeamQuota.ValueOK(); set {
		ch.TeamQuota.Set = true
		if v != nil {
			q := a.intArg("input.teamQuota", v, 0, 1, 100_000)
			ch.TeamQuota.Value = &q
		}
	}
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.UpdateCohort(ctx, id, version, ch); err != nil {
		return nil, err
	}
	c, err := reload(ctx, cohortOf, id)
	return &generated.CohortPayload{Cohort: c}, err
}

// archive archives a node of typ and reloads it.
func archive[M model.Identified](ctx context.Context, r *mutationResolver, typ globalid.Type, in generated.ArchiveInput, pick func(*loader.Loaders) *loader.ByID[M]) (*M, error) {
	var a args
	id, version := a.id("input.id", typ, in.ID), a.version(in.ExpectedVersion)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.Archive(ctx, string(typ), id, version); err != nil {
		return nil, err
	}
	return reload(ctx, pick, id)
}
