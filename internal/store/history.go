package store

import (
	"time"

	"startupgraph/internal/apperr"
	"startupgraph/internal/model"
)

// The rules a startup's stage history holds to, shared by the mutations
// (MoveStartupStage, UpdateStartup's founding date) and imports, which
// check every row of a file before writing any: each returns its problems
// by the input they concern, "stage", "reason", "changedOn" or
// "foundedOn", for the caller to name as its own field (input.changedOn,
// a sheet's column).

// History is what the rules read of a startup: its current stage, its
// founding date, its stage history's first and last dates and its first
// investment not marked pre-founding (nil when it has none).
type History struct {
	Stage                                               string
	FoundedOn, FirstChange, LastChange, FirstInvestment *time.Time
}

// StageMoveProblems are the reasons a move of h's startup to stage on
// date on would contradict its history: the move is to another stage, a
// move back to an earlier stage gives a reason, and it is dated not
// before the founding date nor the last change. (That it is not in the
// future is the caller's check, which knows its clock.)
func StageMoveProblems(h History, stage string, on time.Time, reason string) []apperr.FieldError {
	var out []apperr.FieldError
	if h.Stage == stage {
		out = append(out, apperr.FieldError{Field: "stage", Message: "is the startup's current stage"})
	}
	if model.GrowthStage(stage).Ordinal() < model.GrowthStage(h.Stage).Ordinal() && reason == "" {
		out = append(out, apperr.FieldError{Field: "reason", Message: "is required to move back from " + h.Stage + " to an earlier stage"})
	}
	switch {
	case h.FoundedOn != nil && on.Before(*h.FoundedOn):
		out = append(out, apperr.FieldError{Field: "changedOn", Message: "must not be before the founding date (" + h.FoundedOn.Format(time.DateOnly) + ")"})
	case h.LastChange != nil && on.Before(*h.LastChange):
		out = append(out, apperr.FieldError{Field: "changedOn", Message: "must not be before the last stage change (" + h.LastChange.Format(time.DateOnly) + ")"})
	}
	return out
}

// FoundedProblem is the reason a founding date would contradict h's
// history: it is after the first stage change, or after an investment
// not marked pre-founding. Nil when it holds.
func FoundedProblem(h History, founded time.Time) *apperr.FieldError {
	switch {
	case h.FirstChange != nil && h.FirstChange.Before(founded):
		return &apperr.FieldError{Field: "foundedOn", Message: "must not be after the first stage change (" + h.FirstChange.Format(time.DateOnly) + "); correct that first"}
	case h.FirstInvestment != nil && h.FirstInvestment.Before(founded):
		return &apperr.FieldError{Field: "foundedOn", Message: "must not be after the investment of " + h.FirstInvestment.Format(time.DateOnly) + "; mark it preFounding first"}
	}
	return nil
}

// InvestmentProblem is the reason an investment dated on would contradict
// its startup's history: it is before the founding date and not marked
// pre-founding. Nil when it holds.
func InvestmentProblem(founded *time.Time, on time.Time, preFounding bool) *apperr.FieldError {
	if preFounding || founded == nil || !on.Before(*founded) {
		return nil
	}
	return &apperr.FieldError{Field: "investedOn", Message: "is before the startup's founding date (" + founded.Format(time.DateOnly) + "); set preFounding: true if it was made before"}
}
