package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"startupgraph/internal/apperr"
	"startupgraph/internal/store"
	"startupgraph/internal/testdb"
)

// TestFigureColumnsEqualRecount writes investments, mentorships, market
// targets, outcomes and stage changes at random (single and multi-row
// inserts, updates that change amounts and move rows between startups,
// deletes, deleted startups), then concurrently from several connections
// on the same few startups, and checks after each phase that every
// startup's figure columns and every mentor's startup count equal a
// recount of their rows (migration 00010's triggers), the edges of
// archived nodes left out (00020).
func TestFigureColumnsEqualRecount(t *testing.T) {
	ctx := context.Background()
	s := testdb.Store(t, testdb.Demo)
	db := s.DB()
	var startups, funds, mentors, markets []int64
	for _, x := range []struct {
		dst *[]int64
		q   string
	}{
		{&startups, `SELECT id FROM startups ORDER BY id`},
		{&funds, `SELECT id FROM funds ORDER BY id`},
		{&mentors, `SELECT id FROM mentors ORDER BY id`},
		{&markets, `SELECT id FROM markets ORDER BY id`},
	} {
		if err := db.SelectContext(ctx, x.dst, x.q); err != nil {
			t.Fatal(err)
		}
		if len(*x.dst) < 2 {
			t.Fatalf("demo data: %d rows for %s", len(*x.dst), x.q)
		}
	}
	check := func(phase string) {
		t.Helper()
		cols := make([]string, 0, len(store.StartupFigureRecounts))
		for c := range store.StartupFigureRecounts {
			cols = append(cols, c)
		}
		sort.Strings(cols)
		var kept, counted []string
		for _, c := range cols {
			kept = append(kept, "n."+c)
			counted = append(counted, store.StartupFigureRecounts[c])
		}
		q := fmt.Sprintf(`SELECT n.id::text || ': ' || ROW(%s)::text || ' kept, ' || ROW(%s)::text || ' counted' FROM startups n WHERE ROW(%s) IS DISTINCT FROM ROW(%s)
UNION ALL SELECT 'mentor ' || m.id || ': ' || m.startup_count || ' kept' FROM mentors m
  WHERE m.startup_count <> (SELECT count(*) FROM mentorships x JOIN startups s ON s.id = x.startup_id WHERE x.mentor_id = m.id AND s.archived_at IS NULL)`,
			strings.Join(kept, ", "), strings.Join(counted, ", "), strings.Join(kept, ", "), strings.Join(counted, ", "))
		var wrong []string
		if err := db.SelectContext(ctx, &wrong, q); err != nil {
			t.Fatal(err)
		}
		if len(wrong) > 0 {
			t.Fatalf("%s: %d figures differ from a recount, e.g. %v", phase, len(wrong), wrong[:min(5, len(wrong))])
		}
		var nonzero int
		if err := db.GetContext(ctx, &nonzero, `SELECT count(*) FROM startups WHERE invested_total > 0 AND mentor_count > 0 AND market_target_count > 0 AND last_stage_change > DATE '0001-01-01'`); err != nil {
			t.Fatal(err)
		}
		if nonzero == 0 {
			t.Fatalf("%s: no startup has figures; the check proves nothing", phase)
		}
	}
	check("demo seed")

	rng := rand.New(rand.NewSource(17))
	// pick and some draw from the writer's own rng: the concurrent
	// writers below must not share one (a data race).
	pick := func(rng *rand.Rand, ids []int64) int64 { return ids[rng.Intn(len(ids))] }
	some := func(rng *rand.Rand, ids []int64, n int) string {
		var b []string
		for range n {
			b = append(b, fmt.Sprint(pick(rng, ids)))
		}
		return "{" + strings.Join(b, ",") + "}"
	}
	kinds := []string{"PATENT_DOMESTIC", "PATENT_FOREIGN", "INVESTMENT_ATTRACTED", "EXPORT_CONTRACT", "JOBS_CREATED"}
	stages := []string{"IDEA", "PROTOTYPE", "INVESTMENT", "OVERSEAS_EXPANSION"}
	write := func(rng *rand.Rand, startups []int64) (string, []any) {
		st := func() int64 { return startups[rng.Intn(len(startups))] }
		day := fmt.Sprintf("20%02d-%02d-%02d", 15+rng.Intn(11), 1+rng.Intn(12), 1+rng.Intn(28))
		switch rng.Intn(16) {
		case 0:
			return `INSERT INTO investments (fund_id, startup_id, amount_krw, invested_on, round) VALUES ($1, $2, $3, $4, 'SEED')`,
				[]any{pick(rng, funds), st(), rng.Int63n(5e9), day}
		case 1:
			return `INSERT INTO investments (fund_id, startup_id, amount_krw, invested_on, round)
SELECT $1, s, $2, $3, 'GRANT' FROM unnest($4::bigint[]) s`, []any{pick(rng, funds), rng.Int63n(1e9), day, some(rng, startups, 3)}
		case 2:
			return `UPDATE investments SET amount_krw = amount_krw + $1 WHERE id IN (SELECT id FROM investments ORDER BY random() LIMIT 3)`, []any{rng.Int63n(1e8)}
		case 3:
			return `UPDATE investments SET startup_id = $1 WHERE id = (SELECT id FROM investments ORDER BY random() LIMIT 1)`, []any{st()}
		case 4:
			return `DELETE FROM investments WHERE id IN (SELECT id FROM investments ORDER BY random() LIMIT 2)`, nil
		case 5:
			return `INSERT INTO mentorships (mentor_id, startup_id, focus, since) VALUES ($1, $2, 'figures', $3)`, []any{pick(rng, mentors), st(), day}
		case 6:
			return `UPDATE mentorships SET startup_id = $1, mentor_id = $2 WHERE id = (SELECT id FROM mentorships ORDER BY random() LIMIT 1)`, []any{st(), pick(rng, mentors)}
		case 7:
			return `DELETE FROM mentorships WHERE id IN (SELECT id FROM mentorships ORDER BY random() LIMIT 2)`, nil
		case 8:
			return `INSERT INTO market_targets (startup_id, market_id, status, since) VALUES ($1, $2, 'EXPLORING', $3) ON CONFLICT DO NOTHING`, []any{st(), pick(rng, markets), day}
		case 9:
			return `DELETE FROM market_targets WHERE id IN (SELECT id FROM market_targets ORDER BY random() LIMIT 1)`, nil
		case 10:
			k := kinds[rng.Intn(len(kinds))]
			return `INSERT INTO outcomes (startup_id, kind, reported_on, quantity, amount_krw, market_id) VALUES ($1, $2, $3, $4, $5, $6)`,
				[]any{st(), k, day, rng.Intn(40), rng.Int63n(1e9), pick(rng, markets)}
		case 11:
			return `UPDATE outcomes SET quantity = $1, kind = $2 WHERE id IN (SELECT id FROM outcomes WHERE kind <> 'EXPORT_CONTRACT' ORDER BY random() LIMIT 2)`,
				[]any{rng.Intn(50), []string{"JOBS_CREATED", "PATENT_FOREIGN"}[rng.Intn(2)]}
		case 12:
			return `DELETE FROM outcomes WHERE id IN (SELECT id FROM outcomes ORDER BY random() LIMIT 2)`, nil
		case 13:
			return `INSERT INTO stage_changes (startup_id, stage, changed_on) VALUES ($1, $2, $3)`, []any{st(), stages[rng.Intn(len(stages))], day}
		case 14:
			return `UPDATE stage_changes SET changed_on = changed_on + $1::int WHERE id IN (SELECT id FROM stage_changes ORDER BY random() LIMIT 2)`, []any{rng.Intn(2000) - 1000}
		default:
			return `DELETE FROM stage_changes WHERE id IN (SELECT id FROM stage_changes ORDER BY random() LIMIT 2)`, nil
		}
	}
	for range 400 {
		q, args := write(rng, startups)
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	check("random writes")

	// The corrections of issue 19, through the store as the API runs
	// them: outcomes corrected and deleted, investments and stage changes
	// deleted, each at the version its row holds.
	for range 60 {
		var row struct {
			ID      int64 `db:"id"`
			Version int   `db:"version"`
		}
		table := []string{"outcomes", "outcomes", "investments", "stage_changes"}[rng.Intn(4)]
		if err := db.GetContext(ctx, &row, `SELECT id, version FROM `+table+` ORDER BY random() LIMIT 1`); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case table == "outcomes" && rng.Intn(2) == 0:
			_, err = s.CorrectOutcome(ctx, row.ID, row.Version, store.OutcomeChanges{
				Quantity: store.Field[int]{Set: true, Value: rng.Intn(1000)}}, "recount test")
		case table == "outcomes":
			_, err = s.DeleteOutcome(ctx, row.ID, row.Version, "recount test")
		case table == "investments":
			_, err = s.DeleteInvestment(ctx, row.ID, row.Version, "recount test")
		default:
			_, err = s.DeleteStageChange(ctx, row.ID, row.Version, "recount test")
			var input *apperr.InputError
			if errors.As(err, &input) {
				err = nil // a startup's only stage change stays
			}
		}
		if err != nil {
			t.Fatalf("%s %d: %v", table, row.ID, err)
		}
	}
	check("corrections")

	// A deleted startup takes its rows along (ON DELETE CASCADE); the
	// mentors it had count one startup fewer.
	victim := startups[len(startups)/2]
	if _, err := db.ExecContext(ctx, `DELETE FROM startups WHERE id = $1`, victim); err != nil {
		t.Fatal(err)
	}
	startups = append(startups[:len(startups)/2:len(startups)/2], startups[len(startups)/2+1:]...)
	check("a startup deleted")

	// Archives and unarchives of funds, mentors, markets and startups
	// (issue 19): the figures leave out the edges of archived nodes
	// (migration 00020) and count them again when they are unarchived.
	archivable := map[string][]int64{"funds": funds, "mentors": mentors, "markets": markets, "startups": startups}
	tables := []string{"funds", "mentors", "markets", "startups"}
	for range 80 {
		table := tables[rng.Intn(len(tables))]
		q := `UPDATE ` + table + ` SET archived_at = CASE WHEN archived_at IS NULL THEN now() END WHERE id = ANY($1::bigint[])`
		if _, err := db.ExecContext(ctx, q, some(rng, archivable[table], 1+rng.Intn(2))); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if q, args := write(rng, startups); true {
			if _, err := db.ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	for _, table := range tables {
		var n int
		if err := db.GetContext(ctx, &n, `SELECT count(*) FROM `+table+` WHERE archived_at IS NOT NULL`); err != nil || n == 0 {
			t.Fatalf("no %s archived (%v): the check proves nothing about archive", table, err)
		}
	}
	check("archives and unarchives")

	// Several connections writing the rows of the same three startups at
	// once, each statement its own READ COMMITTED transaction.
	writeConcurrently(t, ctx, db, startups[:3], 100, write)
	check("concurrent writes")
}
