package synthetic_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"

	_ "github.com/lib/pq"

	"startupgraph/internal/apperr"
	"startupgraph/internal/store"
	"startupgraph/internal/synthetic"
	"startupgraph/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestSeedSyntheticRejectsBadN(t *testing.T) {
	s := testdb.Store(t, testdb.Demo)
	for _, n := range []int{0, -1, 2_000_000} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			_, err := synthetic.Seed(context.Background(), s, n, 1)
			var input *apperr.InputError
			if !errors.As(err, &input) {
				t.Fatalf("n=%d: got %v, want an InputError", n, err)
			}
			if input.Problems[0].Field != "synthetic" {
				t.Errorf("n=%d: field %q, want synthetic", n, input.Problems[0].Field)
			}
		})
	}
}

// syntheticRows counts, per table, the rows of the synthetic graph; the
// link tables without provenance count through their synthetic owner.
var syntheticRows = map[string]string{
	"startups":        `SELECT count(*) FROM startups WHERE provenance = 'SYNTHETIC'`,
	"mentors":         `SELECT count(*) FROM mentors WHERE provenance = 'SYNTHETIC'`,
	"cohorts":         `SELECT count(*) FROM cohorts WHERE provenance = 'SYNTHETIC'`,
	"funds":           `SELECT count(*) FROM funds WHERE provenance = 'SYNTHETIC'`,
	"stage_changes":   `SELECT count(*) FROM stage_changes c JOIN startups s ON s.id = c.startup_id WHERE s.provenance = 'SYNTHETIC'`,
	"startup_sectors": `SELECT count(*) FROM startup_sectors x JOIN startups s ON s.id = x.startup_id WHERE s.provenance = 'SYNTHETIC'`,
	"mentor_sectors":  `SELECT count(*) FROM mentor_sectors x JOIN mentors m ON m.id = x.mentor_id WHERE m.provenance = 'SYNTHETIC'`,
	"assignments":     `SELECT count(*) FROM assignments WHERE provenance = 'SYNTHETIC'`,
	"mentorships":     `SELECT count(*) FROM mentorships WHERE provenance = 'SYNTHETIC'`,
	"investments":     `SELECT count(*) FROM investments WHERE provenance = 'SYNTHETIC'`,
	"market_targets":  `SELECT count(*) FROM market_targets WHERE provenance = 'SYNTHETIC'`,
	"memberships":     `SELECT count(*) FROM memberships WHERE provenance = 'SYNTHETIC'`,
	"outcomes":        `SELECT count(*) FROM outcomes WHERE provenance = 'SYNTHETIC'`,
}

// otherRows counts the rows the synthetic seed must leave alone.
var otherRows = map[string]string{
	"startups":       `SELECT count(*) FROM startups WHERE provenance <> 'SYNTHETIC'`,
	"mentors":        `SELECT count(*) FROM mentors WHERE provenance <> 'SYNTHETIC'`,
	"cohorts":        `SELECT count(*) FROM cohorts WHERE provenance <> 'SYNTHETIC'`,
	"funds":          `SELECT count(*) FROM funds WHERE provenance <> 'SYNTHETIC'`,
	"markets":        `SELECT count(*) FROM markets WHERE provenance <> 'SYNTHETIC'`,
	"investments":    `SELECT count(*) FROM investments WHERE provenance <> 'SYNTHETIC'`,
	"mentorships":    `SELECT count(*) FROM mentorships WHERE provenance <> 'SYNTHETIC'`,
	"market_targets": `SELECT count(*) FROM market_targets WHERE provenance <> 'SYNTHETIC'`,
	"memberships":    `SELECT count(*) FROM memberships WHERE provenance <> 'SYNTHETIC'`,
	"stage_changes":  `SELECT count(*) FROM stage_changes c JOIN startups s ON s.id = c.startup_id WHERE s.provenance <> 'SYNTHETIC'`,
}

// invariants are queries that count rows breaking a rule of the synthetic
// graph; each must return zero.
var invariants = map[string]string{
	// migration 00010's figures, which the load writes with the startups
	// and store.ReplaceSynthetic recounts after it
	"figures equal a recount": `
SELECT count(*) FROM startups n
WHERE (n.invested_total, n.mentor_count, n.market_target_count, n.jobs_created, n.patents, n.export_value, n.last_stage_change) IS DISTINCT FROM (
  (SELECT COALESCE(sum(x.amount_krw), 0) FROM investments x WHERE x.startup_id = n.id),
  (SELECT count(*) FROM mentorships x WHERE x.startup_id = n.id),
  (SELECT count(*) FROM market_targets x WHERE x.startup_id = n.id),
  (SELECT COALESCE(sum(x.quantity), 0) FROM outcomes x WHERE x.startup_id = n.id AND x.kind = 'JOBS_CREATED'),
  (SELECT COALESCE(sum(x.quantity), 0) FROM outcomes x WHERE x.startup_id = n.id AND x.kind IN ('PATENT_DOMESTIC', 'PATENT_FOREIGN')),
  (SELECT COALESCE(sum(x.amount_krw), 0) FROM outcomes x WHERE x.startup_id = n.id AND x.kind = 'EXPORT_CONTRACT'),
  COALESCE((SELECT max(x.changed_on) FROM stage_changes x WHERE x.startup_id = n.id), DATE '0001-01-01'))
  OR NOT EXISTS (SELECT 1 FROM startups WHERE provenance = 'SYNTHETIC' AND jobs_created > 0 AND mentor_count > 0)`,
	"mentors' startup counts equal a recount": `
SELECT count(*) FROM mentors m WHERE m.startup_count <> (SELECT count(*) FROM mentorships x WHERE x.mentor_id = m.id)`,
	"last stage change is the stage": `
SELECT count(*) FROM startups s
WHERE s.provenance = 'SYNTHETIC'
  AND s.stage IS DISTINCT FROM (SELECT c.stage FROM stage_changes c WHERE c.startup_id = s.id ORDER BY c.changed_on DESC, c.id DESC LIMIT 1)`,
	"stage changes strictly later": `
SELECT count(*) FROM (
  SELECT c.changed_on <= lag(c.changed_on) OVER (PARTITION BY c.startup_id ORDER BY c.changed_on, c.id) AS bad
  FROM stage_changes c JOIN startups s ON s.id = c.startup_id WHERE s.provenance = 'SYNTHETIC') x
WHERE bad`,
	"market target duplicates": `
SELECT count(*) FROM (SELECT 1 FROM market_targets GROUP BY startup_id, market_id HAVING count(*) > 1) x`,
	"synthetic fund smaller than its investments": `
SELECT count(*) FROM funds f
WHERE f.provenance = 'SYNTHETIC' AND f.size_krw < (SELECT COALESCE(sum(i.amount_krw), 0) FROM investments i WHERE i.fund_id = f.id)`,
	"existing fund over-invested by the synthetic seed": `
SELECT count(*) FROM funds f
WHERE f.provenance <> 'SYNTHETIC'
  AND EXISTS (SELECT 1 FROM investments i WHERE i.fund_id = f.id AND i.provenance = 'SYNTHETIC')
  AND f.size_krw < (SELECT sum(i.amount_krw) FROM investments i WHERE i.fund_id = f.id)`,
	"startups in more than one cohort": `
SELECT count(*) FROM (SELECT 1 FROM memberships WHERE provenance = 'SYNTHETIC' GROUP BY startup_id HAVING count(*) > 1) x`,
	"amounts out of range": `
SELECT count(*) FROM investments WHERE provenance = 'SYNTHETIC' AND amount_krw NOT BETWEEN 10000000 AND 5000000000`,
	"founded outside 2010-2024": `
SELECT count(*) FROM startups WHERE provenance = 'SYNTHETIC' AND founded_on NOT BETWEEN '2010-01-01' AND '2024-12-31'`,
}

type startupFact struct {
	key, nameEn, stage, foundedOn string
}

func TestSeedSynthetic(t *testing.T) {
	const n = 500
	ctx := context.Background()
	url := testdb.URL(t, testdb.Demo)
	s, err := store.Open(ctx, url, store.PoolConfig{MaxOpen: 4, MaxIdle: 4})
	must(t, err)
	t.Cleanup(func() { _ = s.Close() })
	db, err := sql.Open("postgres", url)
	must(t, err)
	t.Cleanup(func() { _ = db.Close() })
	if count(t, db, `SELECT count(*) FROM markets`) == 0 {
		t.Fatal("the demo data has no markets; the synthetic graph needs them")
	}
	others := counts(t, db, otherRows)

	first, err := synthetic.Seed(ctx, s, n, 42)
	must(t, err)
	if first.Startups != n {
		t.Fatalf("startups: %d, want %d", first.Startups, n)
	}
	checkCounts(t, db, first)
	checkInvariants(t, db)
	facts := startupFacts(t, db)

	t.Run("same seed again replaces it with the same graph", func(t *testing.T) {
		again, err := synthetic.Seed(ctx, s, n, 42)
		must(t, err)
		if again != first {
			t.Errorf("counts differ:\nfirst %+v\nagain %+v", first, again)
		}
		checkCounts(t, db, again)
		checkInvariants(t, db)
		if got := startupFacts(t, db); !slices.Equal(got, facts) {
			t.Errorf("startups differ between two runs with the same seed")
		}
	})
	t.Run("COPY in many statements loads the same graph", func(t *testing.T) {
		// a statement per 97 rows: every table's rows split across
		// statements, at a boundary inside it
		defer synthetic.SetCopyChunk(97)()
		chunked, err := synthetic.Seed(ctx, s, n, 42)
		must(t, err)
		if chunked != first {
			t.Errorf("counts differ:\nin one statement per table %+v\nin statements of 97 rows  %+v", first, chunked)
		}
		checkCounts(t, db, chunked)
		checkInvariants(t, db)
		if got := startupFacts(t, db); !slices.Equal(got, facts) {
			t.Errorf("startups differ between one COPY per table and COPYs of 97 rows")
		}
	})
	t.Run("another seed gives another graph", func(t *testing.T) {
		other, err := synthetic.Seed(ctx, s, n, 43)
		must(t, err)
		checkCounts(t, db, other)
		if got := startupFacts(t, db); slices.Equal(got, facts) {
			t.Errorf("seed 43 gave the same startups as seed 42")
		}
	})
	t.Run("other rows untouched", func(t *testing.T) {
		after := counts(t, db, otherRows)
		for table, want := range others {
			if after[table] != want {
				t.Errorf("%s: %d non-synthetic rows before, %d after", table, want, after[table])
			}
		}
	})
}

// checkCounts compares what Seed reported with the database, and
// checks that n=500 reaches every table.
func checkCounts(t *testing.T, db *sql.DB, c synthetic.Counts) {
	t.Helper()
	for _, tc := range c.Tables() {
		t.Run("count "+tc.Table, func(t *testing.T) {
			q, ok := syntheticRows[tc.Table]
			if !ok {
				t.Fatalf("no count query for %s", tc.Table)
			}
			if got := count(t, db, q); got != tc.Rows {
				t.Errorf("reported %d rows, database has %d", tc.Rows, got)
			}
			if tc.Rows == 0 {
				t.Errorf("no rows")
			}
		})
	}
}

func checkInvariants(t *testing.T, db *sql.DB) {
	t.Helper()
	for name, q := range invariants {
		t.Run(name, func(t *testing.T) {
			if bad := count(t, db, q); bad != 0 {
				t.Errorf("%d rows break it", bad)
			}
		})
	}
}

// startupFacts lists the synthetic startups' (key, name_en, stage,
// founded_on) in key order.
func startupFacts(t *testing.T, db *sql.DB) []startupFact {
	t.Helper()
	rows, err := db.Query(`SELECT key, name_en, stage, founded_on::text FROM startups WHERE provenance = 'SYNTHETIC' ORDER BY key`)
	must(t, err)
	defer rows.Close()
	var out []startupFact
	for rows.Next() {
		var f startupFact
		must(t, rows.Scan(&f.key, &f.nameEn, &f.stage, &f.foundedOn))
		out = append(out, f)
	}
	must(t, rows.Err())
	return out
}

func counts(t *testing.T, db *sql.DB, queries map[string]string) map[string]int64 {
	t.Helper()
	out := make(map[string]int64, len(queries))
	for table, q := range queries {
		out[table] = count(t, db, q)
	}
	return out
}

func count(t *testing.T, db *sql.DB, q string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
