package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"startupgraph/graph/generated"
	"startupgraph/internal/globalid"
	"startupgraph/internal/loader"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
)

// Corrections (issue 19): every recorded fact can be corrected or
// removed, each with the version the client read and a reason that the
// audit record keeps. Records with an id (outcomes, stage changes,
// investments) take their own version; edges addressed by their ends take
// their startup's.

// reason checks a correction's reason: required, 1-500 characters.
func (a *args) reason(v string) string { return a.text("input.reason", v, 1, 500) }

// notNull reads an omittable input that may be left out but not null.
func notNull[T any](a *args, field string, o graphql.Omittable[*T]) (T, bool) {
	var zero T
	v, set := o.ValueOK()
	if !set {
		return zero, false
	}
	if v == nil {
		a.problems.Add(field, "cannot be null")
		return zero, false
	}
	return *v, true
}

// dateChange reads an omittable date that may not be null nor in the future.
func (a *args) dateChange(field string, o graphql.Omittable[*model.Date]) store.Field[time.Time] {
	d, ok := notNull(a, field, o)
	if !ok {
		return store.Field[time.Time]{}
	}
	return store.Field[time.Time]{Set: true, Value: a.pastDate(field, &d)}
}

// optDateChange reads an omittable date that null clears.
func (a *args) optDateChange(field string, o graphql.Omittable[*model.Date]) store.Field[*time.Time] {
	v, set := o.ValueOK()
	if !set {
		return store.Field[*time.Time]{}
	}
	if v == nil {
		return store.Field[*time.Time]{Set: true}
	}
	d := a.pastDate(field, v)
	return store.Field[*time.Time]{Set: true, Value: &d}
}

func (r *mutationResolver) correctOutcome(ctx context.Context, in generated.CorrectOutcomeInput) (*generated.StartupPayload, error) {
	a := r.args(ctx)
	id, version, reason := a.id("input.id", globalid.Outcome, in.ID), a.version(in.ExpectedVersion), a.reason(in.Reason)
	var c store.OutcomeChanges
	if k, ok := notNull(&a, "input.kind", in.Kind); ok {
		c.Kind = store.Field[string]{Set: true, Value: string(k)}
	}
	c.ReportedOn = a.dateChange("input.reportedOn", in.ReportedOn)
	if q, ok := notNull(&a, "input.quantity", in.Quantity); ok {
		c.Quantity = store.Field[int]{Set: true, Value: a.intArg("input.quantity", &q, 1, 0, 1_000_000)}
	}
	if v, set := in.Amount.ValueOK(); set {
		c.Amount.Set = true
		if v != nil {
			if *v < 0 {
				a.problems.Add("input.amount", "must not be negative")
			}
			n := int64(*v)
			c.Amount.Value = &n
		}
	}
	c.MarketID = a.optNodeChange("input.marketId", globalid.Market, in.MarketID, in.MarketCode)
	c.Note = a.optTextChange("input.note", in.Note, 500)
	if err := a.err(); err != nil {
		return nil, err
	}
	startup, err := r.Store.CorrectOutcome(ctx, id, version, c, reason)
	if err != nil {
		return nil, err
	}
	return startupPayload(ctx, startup, false)
}

// deleteRecord validates a DeleteRecordInput for a record of typ, runs
// del and answers with the record's startup read afresh.
func (r *mutationResolver) deleteRecord(ctx context.Context, typ globalid.Type, in generated.DeleteRecordInput,
	del func(ctx context.Context, id int64, version int, reason string) (int64, error)) (*generated.DeletePayload, error) {
	a := r.args(ctx)
	id, version, reason := a.id("input.id", typ, in.ID), a.version(in.ExpectedVersion), a.reason(in.Reason)
	if err := a.err(); err != nil {
		return nil, err
	}
	startup, err := del(ctx, id, version, reason)
	if err != nil {
		return nil, err
	}
	s, err := reload(ctx, startupOf, startup)
	return &generated.DeletePayload{DeletedID: in.ID, Startup: s}, err
}

func (r *mutationResolver) correctStageChange(ctx context.Context, in generated.CorrectStageChangeInput) (*generated.StartupPayload, error) {
	a := r.args(ctx)
	id, version, reason := a.id("input.id", globalid.StageChange, in.ID), a.version(in.ExpectedVersion), a.reason(in.Reason)
	on := a.dateChange("input.changedOn", in.ChangedOn)
	note := a.optTextChange("input.note", in.Note, 500)
	if err := a.err(); err != nil {
		return nil, err
	}
	startup, err := r.Store.CorrectStageChange(ctx, id, version, on, note, reason)
	if err != nil {
		return nil, err
	}
	return startupPayload(ctx, startup, false)
}

func (r *mutationResolver) correctAssignment(ctx context.Context, in generated.CorrectAssignmentInput) (*generated.StartupPayload, error) {
	a := r.args(ctx)
	u, s := a.node("input.universityId", globalid.University, in.UniversityID, in.UniversityKey), a.node("input.startupId", globalid.Startup, in.StartupID, in.StartupKey)
	version, reason := a.version(in.ExpectedVersion), a.reason(in.Reason)
	var c store.AssignmentChanges
	if p, ok := notNull(&a, "input.newPurpose", in.NewPurpose); ok {
		c.Purpose = store.Field[string]{Set: true, Value: string(p)}
	}
	if st, ok := notNull(&a, "input.status", in.Status); ok {
		c.Status = store.Field[string]{Set: true, Value: string(st)}
	}
	c.Since = a.dateChange("input.since", in.Since)
	c.Until = a.optDateChange("input.until", in.Until)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.CorrectAssignment(ctx, u, s, string(in.Purpose), version, c, reason); err != nil {
		return nil, err
	}
	return startupPayload(ctx, s, false)
}

func (r *mutationResolver) correctMentorship(ctx context.Context, in generated.CorrectMentorshipInput) (*generated.StartupPayload, error) {
	a := r.args(ctx)
	m, s := a.node("input.mentorId", globalid.Mentor, in.MentorID, in.MentorKey), a.node("input.startupId", globalid.Startup, in.StartupID, in.StartupKey)
	version, reason := a.version(in.ExpectedVersion), a.reason(in.Reason)
	var c store.MentorshipChanges
	if f, ok := notNull(&a, "input.focus", in.Focus); ok {
		c.Focus = store.Field[string]{Set: true, Value: a.text("input.focus", f, 1, 200)}
	}
	c.Since = a.dateChange("input.newSince", in.NewSince)
	c.Until = a.optDateChange("input.until", in.Until)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.CorrectMentorship(ctx, m, s, in.Since.Time, version, c, reason); err != nil {
		return nil, err
	}
	return startupPayload(ctx, s, false)
}

func (r *mutationResolver) correctMarketTarget(ctx context.Context, in generated.CorrectMarketTargetInput) (*generated.StartupPayload, error) {
	a := r.args(ctx)
	s, m := a.node("input.startupId", globalid.Startup, in.StartupID, in.StartupKey), a.node("input.marketId", globalid.Market, in.MarketID, in.MarketCode)
	version, reason := a.version(in.ExpectedVersion), a.reason(in.Reason)
	var c store.MarketTargetChanges
	if st, ok := notNull(&a, "input.status", in.Status); ok {
		c.Status = store.Field[string]{Set: true, Value: string(st)}
	}
	if p, ok := notNull(&a, "input.priority", in.Priority); ok {
		c.Priority = store.Field[int]{Set: true, Value: a.intArg("input.priority", &p, 3, 1, 5)}
	}
	c.ProgramID = a.optNodeChange("input.supportProgramId", globalid.Program, in.SupportProgramID, in.SupportProgramKey)
	c.Since = a.dateChange("input.since", in.Since)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.CorrectMarketTarget(ctx, s, m, version, c, reason); err != nil {
		return nil, err
	}
	return startupPayload(ctx, s, false)
}

func (r *mutationResolver) addToCohort(ctx context.Context, in generated.AddToCohortInput) (*generated.StartupPayload, error) {
	a := r.args(ctx)
	s, c := a.node("input.startupId", globalid.Startup, in.StartupID, in.StartupKey), a.node("input.cohortId", globalid.Cohort, in.CohortID, in.CohortKey)
	joined := a.pastDate("input.joinedOn", in.JoinedOn)
	version, reason := a.version(in.ExpectedVersion), a.reason(in.Reason)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.AddToCohort(ctx, s, c, joined, version, reason); err != nil {
		return nil, err
	}
	return startupPayload(ctx, s, false)
}

func (r *mutationResolver) removeFromCohort(ctx context.Context, in generated.RemoveFromCohortInput) (*generated.StartupPayload, error) {
	a := r.args(ctx)
	s, c := a.node("input.startupId", globalid.Startup, in.StartupID, in.StartupKey), a.node("input.cohortId", globalid.Cohort, in.CohortID, in.CohortKey)
	version, reason := a.version(in.ExpectedVersion), a.reason(in.Reason)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.RemoveFromCohort(ctx, s, c, version, reason); err != nil {
		return nil, err
	}
	return startupPayload(ctx, s, false)
}

func (r *mutationResolver) moveToCohort(ctx context.Context, in generated.MoveToCohortInput) (*generated.StartupPayload, error) {
	a := r.args(ctx)
	s := a.node("input.startupId", globalid.Startup, in.StartupID, in.StartupKey)
	from, to := a.node("input.fromCohortId", globalid.Cohort, in.FromCohortID, in.FromCohortKey), a.node("input.toCohortId", globalid.Cohort, in.ToCohortID, in.ToCohortKey)
	if from != 0 && from == to {
		a.problems.Add("input.toCohortId", "must differ from fromCohortId")
	}
	var joined *time.Time
	if in.JoinedOn != nil {
		d := a.pastDate("input.joinedOn", in.JoinedOn)
		joined = &d
	}
	version, reason := a.version(in.ExpectedVersion), a.reason(in.Reason)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.MoveToCohort(ctx, s, from, to, joined, version, reason); err != nil {
		return nil, err
	}
	return startupPayload(ctx, s, false)
}

// unarchive unarchives a node of typ and reloads it.
func unarchive[M model.Identified](ctx context.Context, r *mutationResolver, typ globalid.Type, in generated.UnarchiveInput, pick func(*loader.Loaders) *loader.ByID[M]) (*M, error) {
	a := r.args(ctx)
	id, version, reason := a.node("input.id", typ, in.ID, in.Key), a.version(in.ExpectedVersion), a.reason(in.Reason)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.Unarchive(ctx, string(typ), id, version, reason); err != nil {
		return nil, err
	}
	return reload(ctx, pick, id)
}
