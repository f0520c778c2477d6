package store_test

import (
	"database/sql"
	"math/rand"
	"strings"
	"testing"

	_ "github.com/lib/pq"

	"startupgraph/internal/model"
	"startupgraph/internal/testdb"
)

// TestStageDaysKeptOnWrites: stage_changes.days_from_previous_stage (kept
// by the triggers of migration 00012, read by the insights funnel) equals
// a recount from scratch after random inserts, updates (stage, date,
// startup) and deletes, singly and several rows per statement.
func TestStageDaysKeptOnWrites(t *testing.T) {
	db, err := sql.Open("postgres", testdb.URL(t, testdb.Demo))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var ids []int64
	rows, err := db.Query(`SELECT id FROM startups ORDER BY id LIMIT 6`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if len(ids) < 2 {
		t.Fatalf("demo data has %d startups", len(ids))
	}
	stages := []string{"IDEA", "FOUNDING", "PROTOTYPE", "R_AND_D", "MARKETING", "INVESTMENT", "FINANCING", "OVERSEAS_EXPANSION"}
	r := rand.New(rand.NewSource(18))
	date := func() int { return r.Intn(3000) }
	for i := 0; i < 300; i++ {
		st := ids[r.Intn(len(ids))]
		switch r.Intn(6) {
		case 0, 1:
			exec(`INSERT INTO stage_changes (startup_id, stage, changed_on) VALUES ($1, $2, DATE '2015-01-01' + $3::int)`, st, stages[r.Intn(len(stages))], date())
		case 2:
			exec(`INSERT INTO stage_changes (startup_id, stage, changed_on)
SELECT $1, s, DATE '2015-01-01' + $2::int + o::int * 30 FROM unnest($3::text[]) WITH ORDINALITY AS u(s, o)`, st, date(), "{IDEA,FOUNDING,PROTOTYPE}")
		case 3:
			exec(`UPDATE stage_changes SET changed_on = DATE '2015-01-01' + $2::int WHERE id = (SELECT id FROM stage_changes WHERE startup_id = $1 ORDER BY random() LIMIT 1)`, st, date())
		case 4:
			exec(`UPDATE stage_changes SET stage = $2, startup_id = $3 WHERE id = (SELECT id FROM stage_changes WHERE startup_id = $1 ORDER BY random() LIMIT 1)`,
				st, stages[r.Intn(len(stages))], ids[r.Intn(len(ids))])
		case 5:
			exec(`DELETE FROM stage_changes WHERE id IN (SELECT id FROM stage_changes WHERE startup_id = $1 ORDER BY random() LIMIT 2)`, st)
		}
	}
	var kept, differing int
	err = db.QueryRow(`SELECT count(*) FILTER (WHERE days_from_previous_stage IS NOT NULL),
  count(*) FILTER (WHERE days_from_previous_stage IS DISTINCT FROM g.days)
FROM stage_changes sc JOIN (
  SELECT c.id, CASE WHEN array_position($1::text[], c.stage) - array_position($1::text[], lag(c.stage) OVER w) = 1
                    THEN c.changed_on - lag(c.changed_on) OVER w END AS days
  FROM stage_changes c WINDOW w AS (PARTITION BY c.startup_id ORDER BY c.changed_on, c.id)
) g ON g.id = sc.id`, "{"+strings.Join(stages, ",")+"}").Scan(&kept, &differing)
	if err != nil {
		t.Fatal(err)
	}
	if kept == 0 {
		t.Fatal("no stage change follows the stage just before it: the writes tested nothing")
	}
	if differing != 0 {
		t.Errorf("%d stage changes' days_from_previous_stage differ from a recount (%d kept)", differing, kept)
	}
}

// TestStageOrdinalFollowsTheSchema: the SQL function stage_ordinal (the
// funnel's order of stages, migration 00012) numbers the stages in the
// schema's order of GrowthStage, which the rest of the code follows.
func TestStageOrdinalFollowsTheSchema(t *testing.T) {
	db, err := sql.Open("postgres", testdb.URL(t, testdb.Demo))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stages := model.EnumOrder["GrowthStage"]
	if len(stages) < 8 {
		t.Fatalf("stages %v", stages)
	}
	for i, st := range stages {
		var n sql.NullInt64
		if err := db.QueryRow(`SELECT stage_ordinal($1)`, st).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			var prev int64
			if err := db.QueryRow(`SELECT stage_ordinal($1)`, stages[i-1]).Scan(&prev); err != nil {
				t.Fatal(err)
			}
			if !n.Valid || n.Int64 != prev+1 {
				t.Errorf("stage_ordinal(%s) = %v, want %d", st, n, prev+1)
			}
		}
	}
}
