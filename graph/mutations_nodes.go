package graph

import (
	"context"

	"startupgraph/graph/generated"
	"startupgraph/internal/globalid"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
)

// The mutations of mentors, funds, markets, programs and cohorts.

func (r *mutationResolver) createMentor(ctx context.Context, in generated.CreateMentorInput) (*generated.MentorPayload, error) {
	a := r.args(ctx)
	nm := store.NewMentor{
		NodeBase:       a.base(in.IdempotencyKey, in.Key, in.NameKo, in.NameEn, in.AllowDuplicateName),
		TitleKo:        a.optText("input.titleKo", in.TitleKo, 200),
		TitleEn:        a.optText("input.titleEn", in.TitleEn, 200),
		UniversityID:   a.optNode("input.universityId", globalid.University, in.UniversityID, in.UniversityKey),
		OrganizationID: a.optNode("input.organizationId", globalid.Organization, in.OrganizationID, in.OrganizationKey),
		Languages:      a.languages(in.Languages),
		SectorIDs:      a.sectorsOrKeys(in.SectorIds, in.SectorKeys),
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
	a := r.args(ctx)
	id, version := a.node("input.id", globalid.Mentor, in.ID, in.Key), a.version(in.ExpectedVersion)
	ch := store.MentorChanges{
		NameChanges:    a.names(in.NameKo, in.NameEn, in.AllowDuplicateName),
		TitleKo:        a.optTextChange("input.titleKo", in.TitleKo, 200),
		TitleEn:        a.optTextChange("input.titleEn", in.TitleEn, 200),
		UniversityID:   a.optNodeChange("input.universityId", globalid.University, in.UniversityID, in.UniversityKey),
		OrganizationID: a.optNodeChange("input.organizationId", globalid.Organization, in.OrganizationID, in.OrganizationKey),
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
	if v, set := in.SectorIds.ValueOK(); set || in.SectorKeys != nil {
		if !set {
			v = nil
		}
		ch.SectorIDs = store.Field[[]int64]{Set: true, Value: a.sectorsOrKeys(v, in.SectorKeys)}
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
	a := r.args(ctx)
	nf := store.NewFund{
		NodeBase:  a.base(in.IdempotencyKey, in.Key, in.NameKo, in.NameEn, in.AllowDuplicateName),
		Kind:      string(in.Kind),
		Size:      int64(in.Size),
		ManagerID: a.optNode("input.managerId", globalid.Organization, in.ManagerID, in.ManagerKey),
		SponsorID: a.optNode("input.sponsorId", globalid.Organization, in.SponsorID, in.SponsorKey),
		ProgramID: a.optNode("input.programId", globalid.Program, in.ProgramID, in.ProgramKey),
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
	a := r.args(ctx)
	id, version := a.node("input.id", globalid.Fund, in.ID, in.Key), a.version(in.ExpectedVersion)
	ch := store.FundChanges{
		NameChanges: a.names(in.NameKo, in.NameEn, in.AllowDuplicateName),
		ManagerID:   a.optNodeChange("input.managerId", globalid.Organization, in.ManagerID, in.ManagerKey),
		SponsorID:   a.optNodeChange("input.sponsorId", globalid.Organization, in.SponsorID, in.SponsorKey),
		ProgramID:   a.optNodeChange("input.programId", globalid.Program, in.ProgramID, in.ProgramKey),
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
	a := r.args(ctx)
	nm := store.NewMarket{NodeBase: a.base(in.IdempotencyKey, in.Key, in.NameKo, in.NameEn, in.AllowDuplicateName), Kind: string(in.Kind), Code: in.Code}
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
	a := r.args(ctx)
	id, version := a.node("input.id", globalid.Market, in.ID, in.Key), a.version(in.ExpectedVersion)
	ch := a.names(in.NameKo, in.NameEn, in.AllowDuplicateName)
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
	a := r.args(ctx)
	np := store.NewProgram{NodeBase: a.base(in.IdempotencyKey, in.Key, in.NameKo, in.NameEn, in.AllowDuplicateName), Kind: string(in.Kind),
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
	a := r.args(ctx)
	id, version := a.node("input.id", globalid.Program, in.ID, in.Key), a.version(in.ExpectedVersion)
	ch := store.ProgramChanges{
		NameChanges:   a.names(in.NameKo, in.NameEn, in.AllowDuplicateName),
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
	a := r.args(ctx)
	nc := store.NewCohort{NodeBase: a.base(in.IdempotencyKey, in.Key, in.NameKo, in.NameEn, in.AllowDuplicateName),
		ProgramID: a.node("input.programId", globalid.Program, in.ProgramID, in.ProgramKey), Year: a.year("input.year", in.Year)}
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
	a := r.args(ctx)
	id, version := a.node("input.id", globalid.Cohort, in.ID, in.Key), a.version(in.ExpectedVersion)
	ch := store.CohortChanges{NameChanges: a.names(in.NameKo, in.NameEn, in.AllowDuplicateName)}
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
