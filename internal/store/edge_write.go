package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"startupgraph/internal/apperr"
)

// Mutations of relationships. The startup is the target (NOT_FOUND when it
// does not exist); the other end is a reference (BAD_USER_INPUT naming the
// field when it does not exist). Each is audited on the startup.

// edgeChange changes a relationship and returns its row before and after
// (as JSON), for the audit record.
type edgeChange func(tx *sqlx.Tx) (before, after json.RawMessage, err error)

func (s *Store) onStartup(ctx context.Context, action string, startup int64, refs []reference, change edgeChange) error {
	return s.write(ctx, func(tx *sqlx.Tx) error {
		if err := requireTarget(ctx, tx, "startups", startup); err != nil {
			return err
		}
		if err := requireRows(ctx, tx, refs...); err != nil {
			return err
		}
		before, after, err := change(tx)
		if err != nil {
			return err
		}
		return audit(ctx, tx, action, "Startup", startup, before, after)
	})
}

// rowJSON runs q (returning one jsonb column) and returns its value; no
// row gives nil.
func rowJSON(ctx context.Context, tx *sqlx.Tx, q string, args ...any) (json.RawMessage, error) {
	var b []byte
	err := tx.GetContext(ctx, &b, q, args...)
	if errors.Is(err, errNoRows) {
		return nil, nil
	}
	return b, err
}

// requireTarget locks the row a mutation changes, or reports NOT_FOUND.
func requireTarget(ctx context.Context, tx *sqlx.Tx, table string, id int64) error {
	var found int64
	err := tx.GetContext(ctx, &found, `SELECT id FROM `+table+` WHERE id = $1 FOR UPDATE`, id)
	if err != nil {
		return fmt.Errorf("%s %d: %w", table, id, translate(err))
	}
	return nil
}

// AssignTeam records a university's assignment of a startup.
func (s *Store) AssignTeam(ctx context.Context, university, startup int64, purpose string, since time.Time) error {
	return s.onStartup(ctx, "assignTeam", startup, []reference{ref("input.universityId", "universities", university), active("input.startupId", "startups", startup)}, func(tx *sqlx.Tx) (json.RawMessage, json.RawMessage, error) {
		const q = `INSERT INTO assignments (university_id, startup_id, purpose, status, since, provenance)
VALUES ($1, $2, $3, 'ACTIVE', $4, 'API') RETURNING to_jsonb(assignments.*)`
		after, err := rowJSON(ctx, tx, q, university, startup, purpose, since)
		return nil, after, err
	})
}

// UnassignTeam ends a university's assignment (status COMPLETED or ENDED).
func (s *Store) UnassignTeam(ctx context.Context, university, startup int64, purpose, status string, until time.Time) error {
	return s.onStartup(ctx, "unassignTeam", startup, nil, func(tx *sqlx.Tx) (json.RawMessage, json.RawMessage, error) {
		const where = ` WHERE university_id = $1 AND startup_id = $2 AND purpose = $3 AND status = 'ACTIVE' AND since <= $4`
		before, err := rowJSON(ctx, tx, `SELECT to_jsonb(assignments.*) FROM assignments`+where+` FOR UPDATE`, university, startup, purpose, until)
		if err != nil {
			return nil, nil, err
		}
		if before == nil {
			if err := untilBeforeSince(ctx, tx, `SELECT min(since) FROM assignments WHERE university_id = $1 AND startup_id = $2 AND purpose = $3 AND status = 'ACTIVE'`,
				university, startup, purpose); err != nil {
				return nil, nil, err
			}
			return nil, nil, fmt.Errorf("no active %s assignment of startup %d by university %d on or before %s: %w",
				purpose, startup, university, until.Format("2006-01-02"), apperr.ErrNotFound)
		}
		after, err := rowJSON(ctx, tx, `UPDATE assignments SET status = $5, until = $4`+where+` RETURNING to_jsonb(assignments.*)`,
			university, startup, purpose, until, status)
		return before, after, err
	})
}

// StartMentorship records that a mentor starts mentoring a startup; a
// mentor has at most one running mentorship per startup.
func (s *Store) StartMentorship(ctx context.Context, mentor, startup int64, focus string, since time.Time) error {
	return s.onStartup(ctx, "startMentorship", startup, []reference{active("input.mentorId", "mentors", mentor), active("input.startupId", "startups", startup)}, func(tx *sqlx.Tx) (json.RawMessage, json.RawMessage, error) {
		var running bool
		const check = `SELECT EXISTS (SELECT 1 FROM mentorships WHERE mentor_id = $1 AND startup_id = $2 AND until IS NULL)`
		if err := tx.GetContext(ctx, &running, check, mentor, startup); err != nil {
			return nil, nil, err
		}
		if running {
			return nil, nil, apperr.Conflict("input.mentorId", "already mentors this startup; end that mentorship first")
		}
		const q = `INSERT INTO mentorships (mentor_id, startup_id, focus, since, provenance) VALUES ($1, $2, $3, $4, 'API') RETURNING to_jsonb(mentorships.*)`
		after, err := rowJSON(ctx, tx, q, mentor, startup, focus, since)
		return nil, after, err
	})
}

// EndMentorship ends a running mentorship.
func (s *Store) EndMentorship(ctx context.Context, mentor, startup int64, until time.Time) error {
	return s.onStartup(ctx, "endMentorship", startup, nil, func(tx *sqlx.Tx) (json.RawMessage, json.RawMessage, error) {
		const where = ` WHERE mentor_id = $1 AND startup_id = $2 AND until IS NULL AND since <= $3`
		before, err := rowJSON(ctx, tx, `SELECT to_jsonb(mentorships.*) FROM mentorships`+where+` FOR UPDATE`, mentor, startup, until)
		if err != nil {
			return nil, nil, err
		}
		if before == nil {
			if err := untilBeforeSince(ctx, tx, `SELECT min(since) FROM mentorships WHERE mentor_id = $1 AND startup_id = $2 AND until IS NULL`, mentor, startup); err != nil {
				return nil, nil, err
			}
			return nil, nil, fmt.Errorf("no running mentorship of startup %d by mentor %d begun on or before %s: %w",
				startup, mentor, until.Format("2006-01-02"), apperr.ErrNotFound)
		}
		after, err := rowJSON(ctx, tx, `UPDATE mentorships SET until = $3`+where+` RETURNING to_jsonb(mentorships.*)`, mentor, startup, until)
		return before, after, err
	})
}

// SetMarketTarget creates or updates a startup's target market.
func (s *Store) SetMarketTarget(ctx context.Context, startup, market int64, status string, priority int, program *int64, since time.Time) error {
	refs := []reference{active("input.marketId", "markets", market), optActive("input.supportProgramId", "programs", program), active("input.startupId", "startups", startup)}
	return s.onStartup(ctx, "setMarketTarget", startup, refs, func(tx *sqlx.Tx) (json.RawMessage, json.RawMessage, error) {
		before, err := rowJSON(ctx, tx, `SELECT to_jsonb(market_targets.*) FROM market_targets WHERE startup_id = $1 AND market_id = $2 FOR UPDATE`, startup, market)
		if err != nil {
			return nil, nil, err
		}
		const q = `
INSERT INTO market_targets (startup_id, market_id, status, priority, program_id, since, provenance)
VALUES ($1, $2, $3, $4, $5, $6, 'API')
ON CONFLICT (startup_id, market_id) DO UPDATE SET status = EXCLUDED.status, priority = EXCLUDED.priority,
  program_id = EXCLUDED.program_id, since = EXCLUDED.since
RETURNING to_jsonb(market_targets.*)`
		after, err := rowJSON(ctx, tx, q, startup, market, status, priority, program, since)
		return before, after, err
	})
}

// NewInvestment is an investment to record.
type NewInvestment struct {
	IdempotencyKey    *string
	FundID, StartupID int64
	Amount            int64
	InvestedOn        time.Time
	Round             string
	// PreFounding marks an investment made before the startup's founding
	// date; without it such a date is refused.
	PreFounding bool
}

// checkFounding refuses an investment dated before its startup's founding
// date unless it is marked pre-founding.
func checkFounding(ctx context.Context, tx *sqlx.Tx, startup int64, on time.Time, preFounding bool) error {
	if preFounding {
		return nil
	}
	var founded *time.Time
	if err := tx.GetContext(ctx, &founded, `SELECT founded_on FROM startups WHERE id = $1`, startup); err != nil {
		return err
	}
	if p := InvestmentProblem(founded, on, preFounding); p != nil {
		return apperr.Invalid("input."+p.Field, "%s", p.Message)
	}
	return nil
}

// RecordInvestment records an investment or grant; audited on the investment.
// Replays only an earlier create by ctx's viewer's API key (idempotent).
func (s *Store) RecordInvestment(ctx context.Context, in NewInvestment) (Written, error) {
	var w Written
	err := s.write(ctx, func(tx *sqlx.Tx) error {
		if err := requireRows(ctx, tx, active("input.fundId", "funds", in.FundID), active("input.startupId", "startups", in.StartupID)); err != nil {
			return err
		}
		if err := checkFounding(ctx, tx, in.StartupID, in.InvestedOn, in.PreFounding); err != nil {
			return err
		}
		var err error
		w.ID, w.Replayed, err = idempotent(ctx, tx, in.IdempotencyKey, "recordInvestment", "Investment", in, func() (int64, error) {
			const q = `INSERT INTO investments (fund_id, startup_id, amount_krw, invested_on, round, pre_founding, provenance) VALUES ($1, $2, $3, $4, $5, $6, 'API') RETURNING id`
			var id int64
			if err := tx.GetContext(ctx, &id, q, in.FundID, in.StartupID, in.Amount, in.InvestedOn, in.Round, in.PreFounding); err != nil {
				return 0, err
			}
			after, err := snapshot(ctx, tx, "investments", id)
			if err != nil {
				return 0, err
			}
			return id, audit(ctx, tx, "recordInvestment", "Investment", id, nil, after)
		})
		return err
	})
	return w, err
}

// InvestmentChanges corrects an investment.
type InvestmentChanges struct {
	Amount      Field[int64]
	InvestedOn  Field[time.Time]
	Round       Field[string]
	PreFounding Field[bool]
	Reason      string
}

// CorrectInvestment applies changes if the investment is still at version.
func (s *Store) CorrectInvestment(ctx context.Context, id int64, version int, c InvestmentChanges) error {
	return s.write(ctx, func(tx *sqlx.Tx) error {
		if c.InvestedOn.Set || c.PreFounding.Set {
			var cur struct {
				StartupID   int64     `db:"startup_id"`
				InvestedOn  time.Time `db:"invested_on"`
				PreFounding bool      `db:"pre_founding"`
			}
			if err := tx.GetContext(ctx, &cur, `SELECT startup_id, invested_on, pre_founding FROM investments WHERE id = $1`, id); err != nil {
				return fmt.Errorf("investment %d: %w", id, err)
			}
			if c.InvestedOn.Set {
				cur.InvestedOn = c.InvestedOn.Value
			}
			if c.PreFounding.Set {
				cur.PreFounding = c.PreFounding.Value
			}
			if err := checkFounding(ctx, tx, cur.StartupID, cur.InvestedOn, cur.PreFounding); err != nil {
				return err
			}
		}
		before, err := snapshot(ctx, tx, "investments", id)
		if err != nil {
			return err
		}
		const q = `UPDATE investments SET
  amount_krw = CASE WHEN $3 THEN $4 ELSE amount_krw END,
  invested_on = CASE WHEN $5 THEN $6::date ELSE invested_on END,
  round = CASE WHEN $7 THEN $8 ELSE round END,
  pre_founding = CASE WHEN $9 THEN $10 ELSE pre_founding END,
  version = version + 1
WHERE id = $1 AND version = $2`
		res, err := tx.ExecContext(ctx, q, id, version, c.Amount.Set, c.Amount.Value, c.InvestedOn.Set, c.InvestedOn.Value, c.Round.Set, c.Round.Value,
			c.PreFounding.Set, c.PreFounding.Value)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		if err := versioned(ctx, tx, "investments", id, n); err != nil {
			return err
		}
		after, err := snapshot(ctx, tx, "investments", id)
		if err != nil {
			return err
		}
		return auditWhy(ctx, tx, "correctInvestment", "Investment", id, before, after, c.Reason)
	})
}

// NewOutcome is an outcome a startup reports.
type NewOutcome struct {
	IdempotencyKey *string
	StartupID      int64
	Kind           string
	ReportedOn     time.Time
	Quantity       int
	Amount         *int64
	MarketID       *int64
	Note           *string
}

// RecordOutcome records a startup's outcome; audited on the startup.
// Replays only an earlier create by ctx's viewer's API key (idempotent).
func (s *Store) RecordOutcome(ctx context.Context, in NewOutcome) (Written, error) {
	var w Written
	err := s.write(ctx, func(tx *sqlx.Tx) error {
		if err := requireTarget(ctx, tx, "startups", in.StartupID); err != nil {
			return err
		}
		var err error
		w, err = recordOutcome(ctx, tx, in, "input")
		return err
	})
	return w, err
}

// RecordOutcomes records several outcomes in one transaction: all of them
// or, when any fails, none. A problem names its input (inputs[2].marketId);
// a startup that does not exist is one (BAD_USER_INPUT, not NOT_FOUND).
func (s *Store) RecordOutcomes(ctx context.Context, ins []NewOutcome) ([]Written, error) {
	var ws []Written
	err := s.write(ctx, func(tx *sqlx.Tx) error {
		ws = ws[:0]
		refs := make([]reference, len(ins))
		for i, in := range ins {
			refs[i] = active(fmt.Sprintf("inputs[%d].startupId", i), "startups", in.StartupID)
		}
		if err := requireRows(ctx, tx, refs...); err != nil {
			return err
		}
		for i, in := range ins {
			w, err := recordOutcome(ctx, tx, in, fmt.Sprintf("inputs[%d]", i))
			if err != nil {
				return err
			}
			ws = append(ws, w)
		}
		return nil
	})
	return ws, err
}

// recordOutcome records one outcome in tx; prefix names its input in
// problems ("input", "inputs[2]").
func recordOutcome(ctx context.Context, tx *sqlx.Tx, in NewOutcome, prefix string) (Written, error) {
	var w Written
	if err := requireRows(ctx, tx, optActive(prefix+".marketId", "markets", in.MarketID), active(prefix+".startupId", "startups", in.StartupID)); err != nil {
		return w, err
	}
	var err error
	w.ID, w.Replayed, err = idempotent(ctx, tx, in.IdempotencyKey, "recordOutcome", "Outcome", in, func() (int64, error) {
		var row struct {
			ID    int64  `db:"id"`
			After []byte `db:"after"`
		}
		const q = `INSERT INTO outcomes (startup_id, kind, reported_on, quantity, amount_krw, market_id, note, provenance)
VALUES ($1, $2, $3, $4, $5, $6, $7, 'API') RETURNING id, to_jsonb(outcomes.*) AS after`
		if err := tx.GetContext(ctx, &row, q, in.StartupID, in.Kind, in.ReportedOn, in.Quantity, in.Amount, in.MarketID, in.Note); err != nil {
			return 0, err
		}
		return row.ID, audit(ctx, tx, "recordOutcome", "Startup", in.StartupID, nil, row.After)
	})
	var c *apperr.ConflictError
	if errors.As(err, &c) && c.Field == "input.idempotencyKey" {
		c.Field = prefix + ".idempotencyKey"
	}
	return w, err
}

// untilBeforeSince explains why no running edge ends on the date asked:
// when q (the start of the running edge, NULL for none) finds one, the
// end asked is before its start, an input problem on input.until.
func untilBeforeSince(ctx context.Context, tx *sqlx.Tx, q string, args ...any) error {
	var since *time.Time
	if err := tx.GetContext(ctx, &since, q, args...); err != nil {
		return err
	}
	if since != nil {
		return apperr.Invalid("input.until", "must not be before the start (%s)", since.Format(time.DateOnly))
	}
	return nil
}
