package graph

import (
	"context"
	"fmt"
	"time"

	"startupgraph/graph/generated"
	"startupgraph/internal/globalid"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
)

// The mutations of a startup's relationships: university assignments,
// mentorships, investments, market targets and outcomes.

func (r *mutationResolver) assignTeam(ctx context.Context, in generated.AssignTeamInput) (*generated.StartupPayload, error) {
	a := r.args(ctx)
	u, s := a.node("input.universityId", globalid.University, in.UniversityID, in.UniversityKey), a.node("input.startupId", globalid.Startup, in.StartupID, in.StartupKey)
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
	a := r.args(ctx)
	u, s := a.node("input.universityId", globalid.University, in.UniversityID, in.UniversityKey), a.node("input.startupId", globalid.Startup, in.StartupID, in.StartupKey)
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
	a := r.args(ctx)
	m, s := a.node("input.mentorId", globalid.Mentor, in.MentorID, in.MentorKey), a.node("input.startupId", globalid.Startup, in.StartupID, in.StartupKey)
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
	a := r.args(ctx)
	m, s := a.node("input.mentorId", globalid.Mentor, in.MentorID, in.MentorKey), a.node("input.startupId", globalid.Startup, in.StartupID, in.StartupKey)
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
	a := r.args(ctx)
	ni := store.NewInvestment{
		IdempotencyKey: a.idempotencyKey(in.IdempotencyKey),
		FundID:         a.node("input.fundId", globalid.Fund, in.FundID, in.FundKey),
		StartupID:      a.node("input.startupId", globalid.Startup, in.StartupID, in.StartupKey),
		Amount:         int64(in.Amount),
		InvestedOn:     a.pastDate("input.investedOn", &in.InvestedOn),
		Round:          string(in.Round),
		PreFounding:    in.PreFounding != nil && *in.PreFounding,
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
	a := r.args(ctx)
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
	if in.PreFounding != nil {
		c.PreFounding = store.Field[bool]{Set: true, Value: *in.PreFounding}
	}
	if in.Reason != nil {
		c.Reason = a.reason(*in.Reason)
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
	a := r.args(ctx)
	s, m := a.node("input.startupId", globalid.Startup, in.StartupID, in.StartupKey), a.node("input.marketId", globalid.Market, in.MarketID, in.MarketCode)
	priority := a.intArg("input.priority", in.Priority, 3, 1, 5)
	var program *int64
	program = a.optNode("input.supportProgramId", globalid.Program, in.SupportProgramID, in.SupportProgramKey)
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
	a := r.args(ctx)
	no := a.newOutcome("input", in)
	if err := a.err(); err != nil {
		return nil, err
	}
	w, err := r.Store.RecordOutcome(ctx, no)
	if err != nil {
		return nil, err
	}
	return startupPayload(ctx, no.StartupID, w.Replayed)
}

// maxBatch bounds recordOutcomes.
const maxBatch = 100

// recordOutcomes records several outcomes all or nothing (one
// transaction); every problem of every input is reported at once, named
// by its index (inputs[2].marketId).
func (r *mutationResolver) recordOutcomes(ctx context.Context, ins []generated.RecordOutcomeInput) (*generated.RecordOutcomesPayload, error) {
	a := r.args(ctx)
	if len(ins) == 0 || len(ins) > maxBatch {
		a.problems.Add("inputs", "takes 1 to %d outcomes", maxBatch)
	}
	nos := make([]store.NewOutcome, len(ins))
	for i, in := range ins {
		nos[i] = a.newOutcome(fmt.Sprintf("inputs[%d]", i), in)
	}
	if err := a.err(); err != nil {
		return nil, err
	}
	ws, err := r.Store.RecordOutcomes(ctx, nos)
	if err != nil {
		return nil, err
	}
	out := &generated.RecordOutcomesPayload{}
	for i, no := range nos {
		s, err := reload(ctx, startupOf, no.StartupID)
		if err != nil {
			return nil, err
		}
		out.Startups = append(out.Startups, *s)
		out.Replayed = append(out.Replayed, ws[i].Replayed)
	}
	return out, nil
}

// newOutcome validates one outcome's input; prefix names it ("input",
// "inputs[2]").
func (a *args) newOutcome(prefix string, in generated.RecordOutcomeInput) store.NewOutcome {
	no := store.NewOutcome{
		IdempotencyKey: in.IdempotencyKey,
		StartupID:      a.node(prefix+".startupId", globalid.Startup, in.StartupID, in.StartupKey),
		Kind:           string(in.Kind),
		ReportedOn:     a.pastDate(prefix+".reportedOn", in.ReportedOn),
		Quantity:       a.intArg(prefix+".quantity", in.Quantity, 1, 0, 1_000_000),
		Note:           a.optText(prefix+".note", in.Note, 500),
	}
	if k := in.IdempotencyKey; k != nil && (len(*k) < 1 || len(*k) > 200) {
		a.problems.Add(prefix+".idempotencyKey", "must be 1 to 200 characters")
	}
	if in.Amount != nil {
		if *in.Amount < 0 {
			a.problems.Add(prefix+".amount", "must not be negative")
		}
		v := int64(*in.Amount)
		no.Amount = &v
	}
	if in.MarketID != nil || in.MarketCode != nil {
		no.MarketID = a.optNode(prefix+".marketId", globalid.Market, in.MarketID, in.MarketCode)
	} else if in.Kind == model.OutcomeKindExportContract {
		a.problems.Add(prefix+".marketId", "is required for an export contract (or marketCode)")
	}
	return no
}
