package graph

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"startupgraph/graph/generated"
	"startupgraph/internal/apperr"
	"startupgraph/internal/globalid"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
)

// Mutations: resolvers validate the whole input (every problem reported
// at once, with its field path), call one store method (one transaction),
// and answer with the changed node read afresh.

var keyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,79}$`)

func (a *args) text(field string, v string, lo, hi int) string {
	v = strings.TrimSpace(v)
	if n := utf8.RuneCountInString(v); n < lo || n > hi {
		a.problems.Add(field, "must be %d to %d characters", lo, hi)
	}
	return v
}

func (a *args) optText(field string, v *string, hi int) *string {
	if v == nil {
		return nil
	}
	t := strings.TrimSpace(*v)
	if utf8.RuneCountInString(t) > hi {
		a.problems.Add(field, "must be at most %d characters", hi)
	}
	if t == "" {
		return nil
	}
	return &t
}

func (a *args) id(field string, typ globalid.Type, gid string) int64 {
	id, err := globalid.DecodeAs(field, typ, gid)
	a.include(err)
	return id
}

// include adds an input error's problems to a's.
func (a *args) include(err error) {
	var ie *apperr.InputError
	if errors.As(err, &ie) {
		a.problems.Problems = append(a.problems.Problems, ie.Problems...)
	}
}

// pastDate checks a date is not in the future; nil means today.
func (a *args) pastDate(field string, d *model.Date) time.Time {
	today := time.Now().UTC().Truncate(24 * time.Hour)
	if d == nil {
		return today
	}
	if d.After(today) {
		a.problems.Add(field, "must not be in the future")
	}
	return d.Time
}

func (a *args) idempotencyKey(k *string) *string {
	if k != nil && (len(*k) < 1 || len(*k) > 200) {
		a.problems.Add("input.idempotencyKey", "must be 1 to 200 characters")
	}
	return k
}

func (a *args) version(v int) int {
	if v < 1 {
		a.problems.Add("input.expectedVersion", "must be a version read from the node (1 or more)")
	}
	return v
}

func (a *args) sectors(gids []string) []int64 {
	if len(gids) > 10 {
		a.problems.Add("input.sectorIds", "takes at most 10 sectors")
	}
	out := make([]int64, 0, len(gids))
	for i, gid := range gids {
		out = append(out, a.id(fmt.Sprintf("input.sectorIds[%d]", i), globalid.Sector, gid))
	}
	return out
}

// startupPayload reads the startup afresh after a write: the request's
// loaders are reset, so nothing cached before the write is served.
func startupPayload(ctx context.Context, id int64, replayed bool) (*generated.StartupPayload, error) {
	s, err := reload(ctx, startupOf, id)
	if err != nil {
		return nil, err
	}
	return &generated.StartupPayload{Startup: s, Replayed: replayed}, nil
}

func investmentPayload(ctx context.Context, id int64, replayed bool) (*generated.InvestmentPayload, error) {
	inv, err := reload(ctx, investmentOf, id)
	if err != nil {
		return nil, err
	}
	return &generated.InvestmentPayload{Investment: inv, Replayed: replayed}, nil
}

func (r *mutationResolver) createStartup(ctx context.Context, in generated.CreateStartupInput) (*generated.StartupPayload, error) {
	var a args
	ns := store.NewStartup{
		IdempotencyKey: a.idempotencyKey(in.IdempotencyKey),
		Key:            in.Key,
		NameKo:         a.text("input.nameKo", in.NameKo, 1, 200),
		NameEn:         a.text("input.nameEn", in.NameEn, 1, 200),
		DescriptionKo:  a.optText("input.descriptionKo", in.DescriptionKo, 2000),
		DescriptionEn:  a.optText("input.descriptionEn", in.DescriptionEn, 2000),
		Stage:          string(model.GrowthStageIdea),
		SectorIDs:      a.sectors(in.SectorIds),
	}
	if !keyPattern.MatchString(in.Key) {
		a.problems.Add("input.key", "must be lowercase letters, digits and hyphens (up to 80), starting with a letter or digit")
	}
	if in.Stage != nil {
		ns.Stage = string(*in.Stage)
	}
	if in.FoundedOn != nil {
		d := a.pastDate("input.foundedOn", in.FoundedOn)
		ns.FoundedOn = &d
	}
	if in.FacilityID != nil {
		f := a.id("input.facilityId", globalid.Facility, *in.FacilityID)
		ns.FacilityID = &f
	}
	if err := a.err(); err != nil {
		return nil, err
	}
	w, err := r.Store.CreateStartup(ctx, ns)
	if err != nil {
		return nil, err
	}
	return startupPayload(ctx, w.ID, w.Replayed)
}

func (r *mutationResolver) updateStartup(ctx context.Context, in generated.UpdateStartupInput) (*generated.StartupPayload, error) {
	var a args
	id := a.id("input.id", globalid.Startup, in.ID)
	c := store.StartupChanges{}
	if v, set := in.NameKo.ValueOK(); set {
		if v == nil {
			a.problems.Add("input.nameKo", "cannot be null")
		} else {
			c.NameKo = store.Field[string]{Set: true, Value: a.text("input.nameKo", *v, 1, 200)}
		}
	}
	if v, set := in.NameEn.ValueOK(); set {
		if v == nil {
			a.problems.Add("input.nameEn", "cannot be null")
		} else {
			c.NameEn = store.Field[string]{Set: true, Value: a.text("input.nameEn", *v, 1, 200)}
		}
	}
	if v, set := in.DescriptionKo.ValueOK(); set {
		c.DescriptionKo = store.Field[*string]{Set: true, Value: a.optText("input.descriptionKo", v, 2000)}
	}
	if v, set := in.DescriptionEn.ValueOK(); set {
		c.DescriptionEn = store.Field[*string]{Set: true, Value: a.optText("input.descriptionEn", v, 2000)}
	}
	if v, set := in.FoundedOn.ValueOK(); set {
		c.FoundedOn.Set = true
		if v != nil {
			d := a.pastDate("input.foundedOn", v)
			c.FoundedOn.Value = &d
		}
	}
	if v, set := in.FacilityID.ValueOK(); set {
		c.FacilityID.Set = true
		if v != nil {
			f := a.id("input.facilityId", globalid.Facility, *v)
			c.FacilityID.Value = &f
		}
	}
	if v, set := in.SectorIds.ValueOK(); set {
		c.SectorIDs = store.Field[[]int64]{Set: true, Value: a.sectors(v)}
	}
	version := a.version(in.ExpectedVersion)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.UpdateStartup(ctx, id, version, c); err != nil {
		return nil, err
	}
	return startupPayload(ctx, id, false)
}

func (r *mutationResolver) archiveStartup(ctx context.Context, in generated.ArchiveStartupInput) (*generated.StartupPayload, error) {
	var a args
	id, version := a.id("input.id", globalid.Startup, in.ID), a.version(in.ExpectedVersion)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.ArchiveStartup(ctx, id, version); err != nil {
		return nil, err
	}
	return startupPayload(ctx, id, false)
}

func (r *mutationResolver) moveStartupStage(ctx context.Context, in generated.MoveStartupStageInput) (*generated.StartupPayload, error) {
	var a args
	id, version := a.id("input.id", globalid.Startup, in.ID), a.version(in.ExpectedVersion)
	on := a.pastDate("input.changedOn", in.ChangedOn)
	note := a.optText("input.note", in.Note, 500)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.MoveStartupStage(ctx, id, version, string(in.Stage), on, note); err != nil {
		return nil, err
	}
	return startupPayload(ctx, id, false)
}

func (r *mutationResolver) assignTeam(ctx context.Context, in generated.AssignTeamInput) (*generated.StartupPayload, error) {
	var a args
	u, s := a.id("input.universityId", globalid.University, in.UniversityID), a.id("input.startupId", globalid.Startup, in.StartupID)
	since := a.pastDate("input.since", in.Since)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.AssignTeam(ctx, u, s, string(in.Purpose), since); err != nil {
		return nil, err
	}
	return startupPayload(ctx, s, false)
}

func (r *mutationResolver) unassignTeam(ctx context.Context, in generated.UnassignTeamInput) (*generated.StartupPayload, error) {
	var a args
	u, s := a.id("input.universityId", globalid.University, in.UniversityID), a.id("input.startupId", globalid.Startup, in.StartupID)
	until := a.pastDate("input.until", in.Until)
	status := model.AssignmentStatusEnded
	if in.Status != nil {
		status = *in.Status
		if status == model.AssignmentStatusActive {
			a.problems.Add("input.status", "must be COMPLETED or ENDED")
		}
	}
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.UnassignTeam(ctx, u, s, string(in.Purpose), string(status), until); err != nil {
		return nil, err
	}
	return startupPayload(ctx, s, false)
}

func (r *mutationResolver) startMentorship(ctx context.Context, in generated.StartMentorshipInput) (*generated.StartupPayload, error) {
	var a args
	m, s := a.id("input.mentorId", globalid.Mentor, in.MentorID), a.id("input.startupId", globalid.Startup, in.StartupID)
	focus := a.text("input.focus", in.Focus, 1, 200)
	since := a.pastDate("input.since", in.Since)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.StartMentorship(ctx, m, s, focus, since); err != nil {
		return nil, err
	}
	return startupPayload(ctx, s, false)
}

func (r *mutationResolver) endMentorship(ctx context.Context, in generated.EndMentorshipInput) (*generated.StartupPayload, error) {
	var a args
	m, s := a.id("input.mentorId", globalid.Mentor, in.MentorID), a.id("input.startupId", globalid.Startup, in.StartupID)
	until := a.pastDate("input.until", in.Until)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.EndMentorship(ctx, m, s, until); err != nil {
		return nil, err
	}
	return startupPayload(ctx, s, false)
}

func (r *mutationResolver) recordInvestment(ctx context.Context, in generated.RecordInvestmentInput) (*generated.InvestmentPayload, error) {
	var a args
	ni := store.NewInvestment{
		IdempotencyKey: a.idempotencyKey(in.IdempotencyKey),
		FundID:         a.id("input.fundId", globalid.Fund, in.FundID),
		StartupID:      a.id("input.startupId", globalid.Startup, in.StartupID),
		Amount:         int64(in.Amount),
		InvestedOn:     a.pastDate("input.investedOn", &in.InvestedOn),
		Round:          string(in.Round),
	}
	if in.Amount < 1 {
		a.problems.Add("input.amount", "must be at least 1 KRW")
	}
	if err := a.err(); err != nil {
		return nil, err
	}
	w, err := r.Store.RecordInvestment(ctx, ni)
	if err != nil {
		return nil, err
	}
	return investmentPayload(ctx, w.ID, w.Replayed)
}

func (r *mutationResolver) correctInvestment(ctx context.Context, in generated.CorrectInvestmentInput) (*generated.InvestmentPayload, error) {
	var a args
	id, version := a.id("input.id", globalid.Investment, in.ID), a.version(in.ExpectedVersion)
	var c store.InvestmentChanges
	if v, set := in.Amount.ValueOK(); set {
		if v == nil || *v < 1 {
			a.problems.Add("input.amount", "must be at least 1 KRW")
		} else {
			c.Amount = store.Field[int64]{Set: true, Value: int64(*v)}
		}
	}
	if v, set := in.InvestedOn.ValueOK(); set {
		if v == nil {
			a.problems.Add("input.investedOn", "cannot be null")
		} else {
			c.InvestedOn = store.Field[time.Time]{Set: true, Value: a.pastDate("input.investedOn", v)}
		}
	}
	if v, set := in.Round.ValueOK(); set {
		if v == nil {
			a.problems.Add("input.round", "cannot be null")
		} else {
			c.Round = store.Field[string]{Set: true, Value: string(*v)}
		}
	}
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.CorrectInvestment(ctx, id, version, c); err != nil {
		return nil, err
	}
	return investmentPayload(ctx, id, false)
}

func (r *mutationResolver) setMarketTarget(ctx context.Context, in generated.SetMarketTargetInput) (*generated.StartupPayload, error) {
	var a args
	s, m := a.id("input.startupId", globalid.Startup, in.StartupID), a.id("input.marketId", globalid.Market, in.MarketID)
	priority := a.intArg("input.priority", in.Priority, 3, 1, 5)
	var program *int64
	if in.SupportProgramID != nil {
		p := a.id("input.supportProgramId", globalid.Program, *in.SupportProgramID)
		program = &p
	}
	since := a.pastDate("input.since", in.Since)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.SetMarketTarget(ctx, s, m, string(in.Status), priority, program, since); err != nil {
		return nil, err
	}
	return startupPayload(ctx, s, false)
}

func (r *mutationResolver) recordOutcome(ctx context.Context, in generated.RecordOutcomeInput) (*generated.StartupPayload, error) {
	var a args
	no := store.NewOutcome{
		IdempotencyKey: a.idempotencyKey(in.IdempotencyKey),
		StartupID:      a.id("input.startupId", globalid.Startup, in.StartupID),
		Kind:           string(in.Kind),
		ReportedOn:     a.pastDate("input.reportedOn", in.ReportedOn),
		Quantity:       a.intArg("input.quantity", in.Quantity, 1, 0, 1_000_000),
		Note:           a.optText("input.note", in.Note, 500),
	}
	if in.Amount != nil {
		if *in.Amount < 0 {
			a.problems.Add("input.amount", "must not be negative")
		}
		v := int64(*in.Amount)
		no.Amount = &v
	}
	if in.MarketID != nil {
		m := a.id("input.marketId", globalid.Market, *in.MarketID)
		no.MarketID = &m
	} else if in.Kind == model.OutcomeKindExportContract {
		a.problems.Add("input.marketId", "is required for an export contract")
	}
	if err := a.err(); err != nil {
		return nil, err
	}
	w, err := r.Store.RecordOutcome(ctx, no)
	if err != nil {
		return nil, err
	}
	return startupPayload(ctx, no.StartupID, w.Replayed)
}
