package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"startupgraph/internal/apperr"
	"startupgraph/internal/model"
)

// Corrections (issue 19): every recorded fact of a startup can be
// corrected or removed. Each takes the version the client read and a
// reason, and is audited with the row before and after and the reason.
// Records with an id of their own (outcomes, stage changes, investments)
// carry their own version; the edges addressed by their ends
// (assignments, mentorships, market targets, cohort memberships) are part
// of their startup, whose version they take and move on. The figures the
// triggers of migration 00010 keep follow every delete and update.

// OutcomeChanges corrects an outcome; a nil Value clears a nullable column.
type OutcomeChanges struct {
	Kind       Field[string]
	ReportedOn Field[time.Time]
	Quantity   Field[int]
	Amount     Field[*int64]
	MarketID   Field[*int64]
	Note       Field[*string]
}

// CorrectOutcome applies changes if the outcome is still at version, and
// returns its startup.
func (s *Store) CorrectOutcome(ctx context.Context, id int64, version int, c OutcomeChanges, reason string) (int64, error) {
	var startup int64
	err := s.write(ctx, func(tx *sqlx.Tx) error {
		var cur struct {
			StartupID int64  `db:"startup_id"`
			Kind      string `db:"kind"`
			MarketID  *int64 `db:"market_id"`
		}
		if err := tx.GetContext(ctx, &cur, `SELECT startup_id, kind, market_id FROM outcomes WHERE id = $1 FOR UPDATE`, id); err != nil {
			return fmt.Errorf("outcome %d: %w", id, err)
		}
		startup = cur.StartupID
		if c.MarketID.Set {
			if err := requireRows(ctx, tx, optActive("input.marketId", "markets", c.MarketID.Value)); err != nil {
				return err
			}
			cur.MarketID = c.MarketID.Value
		}
		if c.Kind.Set {
			cur.Kind = c.Kind.Value
		}
		if cur.Kind == string(model.OutcomeKindExportContract) && cur.MarketID == nil {
			return apperr.Invalid("input.marketId", "is required for an export contract")
		}
		return auditedChange(ctx, tx, "outcomes", id, "correctOutcome", "Startup", startup, reason, func() error {
			set, args := updates{}, sqlArgs{}
			set.add(&args, "kind", c.Kind.Set, c.Kind.Value)
			set.add(&args, "reported_on", c.ReportedOn.Set, c.ReportedOn.Value)
			set.add(&args, "quantity", c.Quantity.Set, c.Quantity.Value)
			set.add(&args, "amount_krw", c.Amount.Set, c.Amount.Value)
			set.add(&args, "market_id", c.MarketID.Set, c.MarketID.Value)
			set.add(&args, "note", c.Note.Set, c.Note.Value)
			return set.exec(ctx, tx, "outcomes", id, version, &args)
		})
	})
	return startup, err
}

// DeleteOutcome deletes the outcome if it is still at version, and
// returns its startup.
func (s *Store) DeleteOutcome(ctx context.Context, id int64, version int, reason string) (int64, error) {
	return s.deleteRecord(ctx, "deleteOutcome", "outcomes", "Startup", id, version, reason)
}

// DeleteInvestment deletes the investment if it is still at version, and
// returns its startup; audited on the investment.
func (s *Store) DeleteInvestment(ctx context.Context, id int64, version int, reason string) (int64, error) {
	return s.deleteRecord(ctx, "deleteInvestment", "investments", "Investment", id, version, reason)
}

// deleteRecord deletes row id of table (which has startup_id and version)
// at version; the audit record is on the startup, or on the row itself
// when entity is not "Startup".
func (s *Store) deleteRecord(ctx context.Context, action, table, entity string, id int64, version int, reason string) (int64, error) {
	var startup int64
	err := s.write(ctx, func(tx *sqlx.Tx) error {
		var row struct {
			StartupID int64  `db:"startup_id"`
			Before    []byte `db:"before"`
		}
		q := `DELETE FROM ` + table + ` t WHERE t.id = $1 AND t.version = $2 RETURNING t.startup_id, to_jsonb(t.*) AS before`
		if err := tx.GetContext(ctx, &row, q, id, version); err != nil {
			if errors.Is(err, errNoRows) {
				return versioned(ctx, tx, table, id, 0)
			}
			return err
		}
		startup = row.StartupID
		target := id
		if entity == "Startup" {
			target = startup
		}
		return auditWhy(ctx, tx, action, entity, target, row.Before, nil, reason)
	})
	return startup, err
}

// CorrectStageChange corrects the date or note of a stage-history entry
// at version, and returns its startup. The date keeps the history in
// order: not before the entry before it (nor the founding date), not
// after the entry after it, not in the future (checked by the caller).
func (s *Store) CorrectStageChange(ctx context.Context, id int64, version int, on Field[time.Time], note Field[*string], reason string) (int64, error) {
	var startup int64
	err := s.write(ctx, func(tx *sqlx.Tx) error {
		var err error
		if startup, err = lockStageChange(ctx, tx, id); err != nil {
			return err
		}
		if on.Set {
			var n struct {
				Founded *time.Time `db:"founded_on"`
				Prev    *time.Time `db:"prev"`
				Next    *time.Time `db:"next"`
			}
			const q = `
SELECT s.founded_on,
  (SELECT max(o.changed_on) FROM stage_changes o WHERE o.startup_id = c.startup_id AND (o.changed_on, o.id) < (c.changed_on, c.id)) AS prev,
  (SELECT min(o.changed_on) FROM stage_changes o WHERE o.startup_id = c.startup_id AND (o.changed_on, o.id) > (c.changed_on, c.id)) AS next
FROM stage_changes c JOIN startups s ON s.id = c.startup_id WHERE c.id = $1`
			if err := tx.GetContext(ctx, &n, q, id); err != nil {
				return err
			}
			problems := &apperr.InputError{}
			switch {
			case n.Founded != nil && on.Value.Before(*n.Founded):
				problems.Add("input.changedOn", "must not be before the founding date (%s)", n.Founded.Format(time.DateOnly))
			case n.Prev != nil && on.Value.Before(*n.Prev):
				problems.Add("input.changedOn", "must not be before the previous change (%s)", n.Prev.Format(time.DateOnly))
			case n.Next != nil && on.Value.After(*n.Next):
				problems.Add("input.changedOn", "must not be after the next change (%s)", n.Next.Format(time.DateOnly))
			}
			if err := problems.Err(); err != nil {
				return err
			}
		}
		return auditedChange(ctx, tx, "stage_changes", id, "correctStageChange", "Startup", startup, reason, func() error {
			set, args := updates{}, sqlArgs{}
			set.add(&args, "changed_on", on.Set, on.Value)
			set.add(&args, "note", note.Set, note.Value)
			if err := set.exec(ctx, tx, "stage_changes", id, version, &args); err != nil {
				return err
			}
			return stageFollowsHistory(ctx, tx, startup)
		})
	})
	return startup, err
}

// DeleteStageChange deletes a stage-history entry at version; the
// startup's stage becomes that of its last remaining entry. A startup's
// only entry stays.
func (s *Store) DeleteStageChange(ctx context.Context, id int64, version int, reason string) (int64, error) {
	var startup int64
	err := s.write(ctx, func(tx *sqlx.Tx) error {
		var err error
		if startup, err = lockStageChange(ctx, tx, id); err != nil {
			return err
		}
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM stage_changes WHERE startup_id = $1`, startup); err != nil {
			return err
		}
		if n == 1 {
			return apperr.Invalid("input.id", "is the startup's only stage change; move its stage instead")
		}
		var before []byte
		err = tx.GetContext(ctx, &before, `DELETE FROM stage_changes t WHERE t.id = $1 AND t.version = $2 RETURNING to_jsonb(t.*)`, id, version)
		if errors.Is(err, errNoRows) {
			return versioned(ctx, tx, "stage_changes", id, 0)
		}
		if err != nil {
			return err
		}
		if err := stageFollowsHistory(ctx, tx, startup); err != nil {
			return err
		}
		return auditWhy(ctx, tx, "deleteStageChange", "Startup", startup, before, nil, reason)
	})
	return startup, err
}

// lockStageChange locks the startup of a stage change (its history is
// checked and its stage may follow) and returns it; NOT_FOUND when there
// is no such entry.
func lockStageChange(ctx context.Context, tx *sqlx.Tx, id int64) (int64, error) {
	var startup int64
	const q = `SELECT s.id FROM stage_changes c JOIN startups s ON s.id = c.startup_id WHERE c.id = $1 FOR UPDATE OF s`
	if err := tx.GetContext(ctx, &startup, q, id); err != nil {
		return 0, fmt.Errorf("stage change %d: %w", id, err)
	}
	return startup, nil
}

// stageFollowsHistory sets the startup's stage to that of its last
// history entry (by date, then id) when it differs, moving its version on.
func stageFollowsHistory(ctx context.Context, tx *sqlx.Tx, startup int64) error {
	const q = `
UPDATE startups s SET stage = h.stage, version = s.version + 1
FROM (SELECT c.stage FROM stage_changes c WHERE c.startup_id = $1 ORDER BY c.changed_on DESC, c.id DESC LIMIT 1) h
WHERE s.id = $1 AND s.stage <> h.stage`
	_, err := tx.ExecContext(ctx, q, startup)
	return err
}

// updates is the SET list of a partial update.
type updates []string

func (u *updates) add(args *sqlArgs, col string, set bool, v any) {
	if set {
		*u = append(*u, col+" = "+args.add(v))
	}
}

// auditedChange snapshots row id of table, runs change, snapshots the row
// again and audits the two as action on entity auditID, with reason.
func auditedChange(ctx context.Context, tx *sqlx.Tx, table string, id int64, action, entity string, auditID int64, reason string,
	change func() error) error {
	before, err := snapshot(ctx, tx, table, id)
	if err != nil {
		return err
	}
	if err := change(); err != nil {
		return err
	}
	after, err := snapshot(ctx, tx, table, id)
	if err != nil {
		return err
	}
	return auditWhy(ctx, tx, action, entity, auditID, before, after, reason)
}

// exec updates row id of table at version, moving its version on.
func (u updates) exec(ctx context.Context, tx *sqlx.Tx, table string, id int64, version int, args *sqlArgs) error {
	q := `UPDATE ` + table + ` SET ` + strings.Join(append(u, "version = version + 1"), ", ") + ` WHERE id = ` + args.add(id) + ` AND version = ` + args.add(version)
	res, err := tx.ExecContext(ctx, q, args.list...)
	if err != nil {
		return err
	}
	n, _ := res.RowsAffected()
	return versioned(ctx, tx, table, id, n)
}

// onStartupAt changes an edge of startup at the startup's version: the
// startup is locked (NOT_FOUND when missing), its version checked and
// moved on, refs checked, and the change audited on it with reason.
func (s *Store) onStartupAt(ctx context.Context, action string, startup int64, version int, reason string, refs []reference, change edgeChange) error {
	return s.write(ctx, func(tx *sqlx.Tx) error {
		if err := requireTarget(ctx, tx, "startups", startup); err != nil {
			return err
		}
		if err := requireRows(ctx, tx, refs...); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE startups SET version = version + 1 WHERE id = $1 AND version = $2`, startup, version)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		if err := versioned(ctx, tx, "startups", startup, n); err != nil {
			return err
		}
		before, after, err := change(tx)
		if err != nil {
			return err
		}
		return auditWhy(ctx, tx, action, "Startup", startup, before, after, reason)
	})
}

// AssignmentChanges corrects an assignment.
type AssignmentChanges struct {
	Purpose, Status Field[string]
	Since           Field[time.Time]
	Until           Field[*time.Time]
}

// CorrectAssignment corrects the assignment of startup by university for
// purpose. An ACTIVE assignment has no end; a COMPLETED or ENDED one has
// one, not before its start.
func (s *Store) CorrectAssignment(ctx context.Context, university, startup int64, purpose string, version int, c AssignmentChanges, reason string) error {
	refs := []reference{ref("input.universityId", "universities", university)}
	return s.onStartupAt(ctx, "correctAssignment", startup, version, reason, refs, func(tx *sqlx.Tx) (json.RawMessage, json.RawMessage, error) {
		var cur struct {
			ID     int64      `db:"id"`
			Status string     `db:"status"`
			Since  time.Time  `db:"since"`
			Until  *time.Time `db:"until"`
			Before []byte     `db:"before"`
		}
		const q = `SELECT a.id, a.status, a.since, a.until, to_jsonb(a.*) AS before FROM assignments a
WHERE a.university_id = $1 AND a.startup_id = $2 AND a.purpose = $3 FOR UPDATE`
		if err := tx.GetContext(ctx, &cur, q, university, startup, purpose); err != nil {
			return nil, nil, fmt.Errorf("assignment: %w", err)
		}
		if c.Purpose.Set && c.Purpose.Value != purpose {
			var taken bool
			const t = `SELECT EXISTS (SELECT 1 FROM assignments WHERE university_id = $1 AND startup_id = $2 AND purpose = $3)`
			if err := tx.GetContext(ctx, &taken, t, university, startup, c.Purpose.Value); err != nil {
				return nil, nil, err
			}
			if taken {
				return nil, nil, apperr.Conflict("input.newPurpose", "the university already has an assignment of this team for that purpose")
			}
		}
		if c.Status.Set {
			cur.Status = c.Status.Value
		}
		if c.Since.Set {
			cur.Since = c.Since.Value
		}
		if c.Until.Set {
			cur.Until = c.Until.Value
		}
		problems := &apperr.InputError{}
		switch {
		case cur.Status == "ACTIVE" && cur.Until != nil:
			problems.Add("input.until", "an ACTIVE assignment has no end; set status too, or clear until")
		case cur.Status != "ACTIVE" && cur.Until == nil:
			problems.Add("input.until", "is required for a %s assignment", cur.Status)
		case cur.Until != nil && cur.Until.Before(cur.Since):
			problems.Add("input.until", "must not be before since (%s)", cur.Since.Format(time.DateOnly))
		}
		if err := problems.Err(); err != nil {
			return nil, nil, err
		}
		const u = `UPDATE assignments SET purpose = COALESCE($2, purpose), status = $3, since = $4, until = $5 WHERE id = $1 RETURNING to_jsonb(assignments.*)`
		var newPurpose *string
		if c.Purpose.Set {
			newPurpose = &c.Purpose.Value
		}
		after, err := rowJSON(ctx, tx, u, cur.ID, newPurpose, cur.Status, cur.Since, cur.Until)
		return cur.Before, after, err
	})
}

// MentorshipChanges corrects a mentorship.
type MentorshipChanges struct {
	Focus Field[string]
	Since Field[time.Time]
	Until Field[*time.Time]
}

// CorrectMentorship corrects the mentorship of startup by mentor that
// began on since. Its end is not before its start; a mentor has at most
// one running mentorship per startup.
func (s *Store) CorrectMentorship(ctx context.Context, mentor, startup int64, since time.Time, version int, c MentorshipChanges, reason string) error {
	refs := []reference{ref("input.mentorId", "mentors", mentor)}
	return s.onStartupAt(ctx, "correctMentorship", startup, version, reason, refs, func(tx *sqlx.Tx) (json.RawMessage, json.RawMessage, error) {
		var cur struct {
			ID     int64      `db:"id"`
			Focus  string     `db:"focus"`
			Since  time.Time  `db:"since"`
			Until  *time.Time `db:"until"`
			Before []byte     `db:"before"`
		}
		const q = `SELECT m.id, m.focus, m.since, m.until, to_jsonb(m.*) AS before FROM mentorships m
WHERE m.mentor_id = $1 AND m.startup_id = $2 AND m.since = $3 ORDER BY m.id LIMIT 1 FOR UPDATE`
		if err := tx.GetContext(ctx, &cur, q, mentor, startup, since); err != nil {
			return nil, nil, fmt.Errorf("mentorship: %w", err)
		}
		wasRunning := cur.Until == nil
		if c.Focus.Set {
			cur.Focus = c.Focus.Value
		}
		if c.Since.Set {
			cur.Since = c.Since.Value
		}
		if c.Until.Set {
			cur.Until = c.Until.Value
		}
		if cur.Until != nil && cur.Until.Before(cur.Since) {
			field := "input.until"
			if !c.Until.Set {
				field = "input.newSince"
			}
			return nil, nil, apperr.Invalid(field, "the end must not be before the start (%s)", cur.Since.Format(time.DateOnly))
		}
		if cur.Until == nil && !wasRunning {
			var running bool
			const r = `SELECT EXISTS (SELECT 1 FROM mentorships WHERE mentor_id = $1 AND startup_id = $2 AND until IS NULL AND id <> $3)`
			if err := tx.GetContext(ctx, &running, r, mentor, startup, cur.ID); err != nil {
				return nil, nil, err
			}
			if running {
				return nil, nil, apperr.Conflict("input.until", "the mentor has another running mentorship of this startup")
			}
		}
		const u = `UPDATE mentorships SET focus = $2, since = $3, until = $4 WHERE id = $1 RETURNING to_jsonb(mentorships.*)`
		after, err := rowJSON(ctx, tx, u, cur.ID, cur.Focus, cur.Since, cur.Until)
		return cur.Before, after, err
	})
}

// MarketTargetChanges corrects a market target.
type MarketTargetChanges struct {
	Status    Field[string]
	Priority  Field[int]
	ProgramID Field[*int64]
	Since     Field[time.Time]
}

// CorrectMarketTarget corrects the startup's target of market.
func (s *Store) CorrectMarketTarget(ctx context.Context, startup, market int64, version int, c MarketTargetChanges, reason string) error {
	refs := []reference{ref("input.marketId", "markets", market)}
	if c.ProgramID.Set {
		refs = append(refs, optActive("input.supportProgramId", "programs", c.ProgramID.Value))
	}
	return s.onStartupAt(ctx, "correctMarketTarget", startup, version, reason, refs, func(tx *sqlx.Tx) (json.RawMessage, json.RawMessage, error) {
		before, err := rowJSON(ctx, tx, `SELECT to_jsonb(t.*) FROM market_targets t WHERE t.startup_id = $1 AND t.market_id = $2 FOR UPDATE`, startup, market)
		if err != nil {
			return nil, nil, err
		}
		if before == nil {
			return nil, nil, fmt.Errorf("market target of startup %d in market %d: %w", startup, market, apperr.ErrNotFound)
		}
		const u = `UPDATE market_targets SET
  status = CASE WHEN $3 THEN $4 ELSE status END,
  priority = CASE WHEN $5 THEN $6::int ELSE priority END,
  program_id = CASE WHEN $7 THEN $8::bigint ELSE program_id END,
  since = CASE WHEN $9 THEN $10::date ELSE since END
WHERE startup_id = $1 AND market_id = $2 RETURNING to_jsonb(market_targets.*)`
		after, err := rowJSON(ctx, tx, u, startup, market, c.Status.Set, c.Status.Value, c.Priority.Set, c.Priority.Value,
			c.ProgramID.Set, c.ProgramID.Value, c.Since.Set, c.Since.Value)
		return before, after, err
	})
}

// AddToCohort makes the startup a member of cohort (which must not be
// archived, nor the startup).
func (s *Store) AddToCohort(ctx context.Context, startup, cohort int64, joined time.Time, version int, reason string) error {
	refs := []reference{active("input.cohortId", "cohorts", cohort), active("input.startupId", "startups", startup)}
	return s.onStartupAt(ctx, "addToCohort", startup, version, reason, refs, func(tx *sqlx.Tx) (json.RawMessage, json.RawMessage, error) {
		const q = `INSERT INTO memberships (cohort_id, startup_id, joined_on, provenance) VALUES ($1, $2, $3, 'API')
ON CONFLICT (cohort_id, startup_id) DO NOTHING RETURNING to_jsonb(memberships.*)`
		after, err := rowJSON(ctx, tx, q, cohort, startup, joined)
		if err == nil && after == nil {
			return nil, nil, apperr.Conflict("input.cohortId", "the startup is already a member of this cohort")
		}
		return nil, after, err
	})
}

// RemoveFromCohort ends the startup's membership of cohort.
func (s *Store) RemoveFromCohort(ctx context.Context, startup, cohort int64, version int, reason string) error {
	refs := []reference{ref("input.cohortId", "cohorts", cohort)}
	return s.onStartupAt(ctx, "removeFromCohort", startup, version, reason, refs, func(tx *sqlx.Tx) (json.RawMessage, json.RawMessage, error) {
		before, err := rowJSON(ctx, tx, `DELETE FROM memberships m WHERE m.cohort_id = $1 AND m.startup_id = $2 RETURNING to_jsonb(m.*)`, cohort, startup)
		if err == nil && before == nil {
			return nil, nil, fmt.Errorf("membership of startup %d in cohort %d: %w", startup, cohort, apperr.ErrNotFound)
		}
		return before, nil, err
	})
}

// MoveToCohort moves the startup's membership from one cohort to another
// (not archived), keeping its joining date unless joined is given.
func (s *Store) MoveToCohort(ctx context.Context, startup, from, to int64, joined *time.Time, version int, reason string) error {
	refs := []reference{ref("input.fromCohortId", "cohorts", from), active("input.toCohortId", "cohorts", to), active("input.startupId", "startups", startup)}
	return s.onStartupAt(ctx, "moveToCohort", startup, version, reason, refs, func(tx *sqlx.Tx) (json.RawMessage, json.RawMessage, error) {
		before, err := rowJSON(ctx, tx, `SELECT to_jsonb(m.*) FROM memberships m WHERE m.cohort_id = $1 AND m.startup_id = $2 FOR UPDATE`, from, startup)
		if err != nil {
			return nil, nil, err
		}
		if before == nil {
			return nil, nil, fmt.Errorf("membership of startup %d in cohort %d: %w", startup, from, apperr.ErrNotFound)
		}
		var member bool
		if err := tx.GetContext(ctx, &member, `SELECT EXISTS (SELECT 1 FROM memberships WHERE cohort_id = $1 AND startup_id = $2)`, to, startup); err != nil {
			return nil, nil, err
		}
		if member {
			return nil, nil, apperr.Conflict("input.toCohortId", "the startup is already a member of this cohort")
		}
		const q = `UPDATE memberships SET cohort_id = $3, joined_on = COALESCE($4::date, joined_on)
WHERE cohort_id = $1 AND startup_id = $2 RETURNING to_jsonb(memberships.*)`
		after, err := rowJSON(ctx, tx, q, from, startup, to, joined)
		return before, after, err
	})
}

// Unarchive clears archived_at of a startup, mentor, fund, market, program
// or cohort at version. entity is the GraphQL type name.
func (s *Store) Unarchive(ctx context.Context, entity string, id int64, version int, reason string) error {
	for _, t := range []nodeTable{startupsTable, mentorsTable, fundsTable, marketsTable, programsTable, cohortsTable} {
		if t.entity != entity {
			continue
		}
		return s.write(ctx, func(tx *sqlx.Tx) error {
			return auditedChange(ctx, tx, t.table, id, "unarchive"+entity, entity, id, reason, func() error {
				set, args := updates{"archived_at = NULL"}, sqlArgs{}
				return set.exec(ctx, tx, t.table, id, version, &args)
			})
		})
	}
	return fmt.Errorf("unarchive: %s cannot be archived", entity)
}
