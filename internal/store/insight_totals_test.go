package store_test

import (
	"context"
	"fmt"
	"math/rand"
	"reflect"
	"testing"
	"time"

	"startupgraph/internal/store"
	"startupgraph/internal/synthetic"
	"startupgraph/internal/testdb"
	"startupgraph/internal/viewer"
)

// insightTotalsRecount lists every kept total (migration 00014) that
// differs from a recount of every startup's rows: its parts (the view
// insight_parts_of) under its current stage and universities, summed per
// scope, stage, figure and key; and every startup whose kept parts,
// stage or universities differ from its rows.
const insightTotalsRecount = `WITH fresh AS (
  SELECT n.id, n.stage,
         COALESCE((SELECT array_agg(DISTINCT a.university_id ORDER BY a.university_id) FROM assignments a WHERE a.startup_id = n.id), '{}') AS universities,
         COALESCE((SELECT array_agg(ROW(p.fig, p.key, p.n, p.amount, p.qty)::insight_part ORDER BY p.fig, p.key)
                   FROM insight_parts_of p WHERE p.startup_id = n.id), '{}') AS parts
  FROM startups n
), want AS (
  SELECT d.scope, d.stage, d.fig, d.key, sum(d.n) AS n, sum(d.amount) AS amount, sum(d.qty) AS qty
  FROM fresh f, LATERAL insight_scoped(f.stage, f.universities, f.parts, 1) d GROUP BY 1, 2, 3, 4
), got AS (
  SELECT scope, stage, fig, key, n, amount, qty FROM insight_totals WHERE (n, amount, qty) <> (0, 0, 0)
)
SELECT format('total %s/%s/%s/%s: kept %s, recounted %s', scope, stage, fig, key, ROW(got.n, got.amount, got.qty), ROW(want.n, want.amount, want.qty))
FROM want FULL JOIN got USING (scope, stage, fig, key)
WHERE ROW(want.n, want.amount, want.qty) IS DISTINCT FROM ROW(got.n, got.amount, got.qty)
UNION ALL
SELECT format('startup %s: kept %s, recounted %s', COALESCE(f.id, s.startup_id), ROW(s.stage, s.universities), ROW(f.stage, f.universities))
FROM fresh f FULL JOIN insight_startups s ON s.startup_id = f.id
WHERE ROW(f.stage, f.universities, f.parts) IS DISTINCT FROM ROW(s.stage, s.universities, s.parts)`

// TestInsightTotalsEqualRecount writes every table the kept insights
// totals count at random (edges, investments, outcomes, stage changes,
// stages, assignments, startups inserted and deleted; single and
// multi-row statements), then concurrently from several connections on
// the same few startups, and checks after each phase that the totals
// equal a recount of the rows, and that every figure the totals answer
// (every startup, or two stages; an admin and each university) equals the
// general path's, which the graph's oracle tests hold to independent SQL.
func TestInsightTotalsEqualRecount(t *testing.T) {
	ctx := viewer.With(context.Background(), viewer.System)
	s := testdb.Store(t, testdb.Demo)
	if _, err := synthetic.Seed(ctx, s, 150, 9); err != nil {
		t.Fatal(err)
	}
	db := s.DB()
	var startups, funds, markets, sectors, cohorts, universities []int64
	for _, x := range []struct {
		dst *[]int64
		q   string
	}{
		{&startups, `SELECT id FROM startups ORDER BY id`},
		{&funds, `SELECT id FROM funds ORDER BY id`},
		{&markets, `SELECT id FROM markets ORDER BY id`},
		{&sectors, `SELECT id FROM sectors ORDER BY id`},
		{&cohorts, `SELECT id FROM cohorts ORDER BY id`},
		{&universities, `SELECT id FROM universities ORDER BY id`},
	} {
		if err := db.SelectContext(ctx, x.dst, x.q); err != nil {
			t.Fatal(err)
		}
		if len(*x.dst) < 2 {
			t.Fatalf("data: %d rows for %s", len(*x.dst), x.q)
		}
	}
	viewers := []viewer.Viewer{{Role: viewer.Admin}, {Role: viewer.Analyst}}
	for _, u := range universities {
		viewers = append(viewers, viewer.Viewer{Role: viewer.University, UniversityID: u})
	}
	slices := []store.Insights{{}, {Filter: store.StartupFilter{Stages: []string{"PROTOTYPE", "R_AND_D"}}}}
	from, to := time.Date(2017, 2, 10, 0, 0, 0, 0, time.UTC), time.Date(2019, 11, 3, 0, 0, 0, 0, time.UTC)
	figures := func(ctx context.Context, in store.Insights) (map[string]any, error) {
		out := map[string]any{}
		var err error
		add := func(name string, v any, e error) {
			out[name] = v
			if e != nil && err == nil {
				err = fmt.Errorf("%s: %w", name, e)
			}
		}
		n, e := s.CountStartups(ctx, in)
		add("startups", n, e)
		st, e := s.StartupsByStage(ctx, in)
		add("byStage", st, e)
		for _, by := range []string{"sector", "cohort", "university", "market", "program"} {
			g, e := s.StartupsBy(ctx, in, by)
			add("by "+by, g, e)
		}
		f, e := s.InvestedByFund(ctx, in)
		add("investedByFund", f, e)
		for _, by := range []string{"sector", "round", "year"} {
			g, e := s.InvestedBy(ctx, in, by)
			add("investedBy "+by, g, e)
		}
		o, e := s.OutcomeTotals(ctx, in)
		add("outcomes", o, e)
		d, e := s.InvestmentDrift(ctx, in)
		add("drift", d, e)
		x, e := s.ExportsByMarket(ctx, in)
		add("exportsByMarket", x, e)
		fu, e := s.Funnel(ctx, in)
		add("funnel", fu, e)
		for _, m := range []string{"INVESTMENTS", "STAGE_CHANGES", "PATENTS_DOMESTIC", "PATENTS_FOREIGN", "INVESTMENT_ATTRACTED", "EXPORTS", "JOBS"} {
			ts, e := s.TimeSeries(ctx, in, m, "MONTH", nil, nil)
			add("series "+m, ts, e)
			ts, e = s.TimeSeries(ctx, in, m, "QUARTER", &from, &to)
			add("series by quarter "+m, ts, e)
		}
		return out, err
	}
	check := func(phase string) {
		t.Helper()
		var wrong []string
		if err := db.SelectContext(ctx, &wrong, insightTotalsRecount); err != nil {
			t.Fatal(err)
		}
		if len(wrong) > 0 {
			t.Fatalf("%s: %d kept totals differ from a recount, e.g. %v", phase, len(wrong), wrong[:min(5, len(wrong))])
		}
		var kinds int
		if err := db.GetContext(ctx, &kinds, `SELECT count(DISTINCT fig) FROM insight_totals WHERE scope > 0 AND n > 0`); err != nil {
			t.Fatal(err)
		}
		if kinds < 14 {
			t.Fatalf("%s: universities' totals hold %d of 14 figures; the check proves little", phase, kinds)
		}
		for _, v := range viewers {
			vctx := viewer.With(context.Background(), v)
			for _, in := range slices {
				kept, err := figures(vctx, in)
				if err != nil {
					t.Fatalf("%s, %v, %v: kept: %v", phase, v, in.Filter.Stages, err)
				}
				general, err := figures(store.WithoutKeptTotals(vctx), in)
				if err != nil {
					t.Fatalf("%s, %v, %v: general: %v", phase, v, in.Filter.Stages, err)
				}
				for name, want := range general {
					if !reflect.DeepEqual(kept[name], want) {
						t.Errorf("%s, %s %d, stages %v, %s:\nkept    %+v\ngeneral %+v", phase, v.Role, v.UniversityID, in.Filter.Stages, name, kept[name], want)
					}
				}
			}
		}
		if t.Failed() {
			t.FailNow()
		}
	}
	check("seeded")

	pick := func(rng *rand.Rand, ids []int64) int64 { return ids[rng.Intn(len(ids))] }
	kinds := []string{"PATENT_DOMESTIC", "PATENT_FOREIGN", "INVESTMENT_ATTRACTED", "EXPORT_CONTRACT", "JOBS_CREATED"}
	stages := []string{"IDEA", "FOUNDING", "PROTOTYPE", "R_AND_D", "MARKETING", "INVESTMENT"}
	rounds := []string{"GRANT", "SEED", "SERIES_A"}
	created := 0
	write := func(rng *rand.Rand, startups []int64) (string, []any) {
		st := func() int64 { return pick(rng, startups) }
		day := fmt.Sprintf("20%02d-%02d-%02d", 15+rng.Intn(6), 1+rng.Intn(12), 1+rng.Intn(28))
		switch rng.Intn(22) {
		case 0:
			return `INSERT INTO investments (fund_id, startup_id, amount_krw, invested_on, round) VALUES ($1, $2, $3, $4, $5)`,
				[]any{pick(rng, funds), st(), rng.Int63n(5e9), day, rounds[rng.Intn(len(rounds))]}
		case 1:
			return `INSERT INTO investments (fund_id, startup_id, amount_krw, invested_on, round)
SELECT $1, s, $2, $3, 'GRANT' FROM unnest($4::bigint[]) s`, []any{pick(rng, funds), rng.Int63n(1e9), day, fmt.Sprintf("{%d,%d,%d}", st(), st(), st())}
		case 2:
			return `UPDATE investments SET amount_krw = amount_krw + $1, fund_id = $2 WHERE id IN (SELECT id FROM investments WHERE startup_id = $3 OR random() < 0.01 LIMIT 3)`,
				[]any{rng.Int63n(1e8), pick(rng, funds), st()}
		case 3:
			return `UPDATE investments SET startup_id = $1, invested_on = $2 WHERE id = (SELECT id FROM investments ORDER BY random() LIMIT 1)`, []any{st(), day}
		case 4:
			return `DELETE FROM investments WHERE id IN (SELECT id FROM investments WHERE startup_id = $1 LIMIT 2)`, []any{st()}
		case 5:
			return `INSERT INTO startup_sectors (startup_id, sector_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, []any{st(), pick(rng, sectors)}
		case 6:
			return `DELETE FROM startup_sectors WHERE id IN (SELECT id FROM startup_sectors WHERE startup_id = $1 LIMIT 1)`, []any{st()}
		case 7:
			return `INSERT INTO memberships (cohort_id, startup_id, joined_on) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, []any{pick(rng, cohorts), st(), day}
		case 8:
			return `DELETE FROM memberships WHERE id IN (SELECT id FROM memberships WHERE startup_id = $1 LIMIT 1)`, []any{st()}
		case 9:
			return `INSERT INTO market_targets (startup_id, market_id, status, since) VALUES ($1, $2, 'EXPLORING', $3) ON CONFLICT DO NOTHING`, []any{st(), pick(rng, markets), day}
		case 10:
			return `DELETE FROM market_targets WHERE id IN (SELECT id FROM market_targets WHERE startup_id = $1 LIMIT 1)`, []any{st()}
		case 11:
			k := kinds[rng.Intn(len(kinds))]
			return `INSERT INTO outcomes (startup_id, kind, reported_on, quantity, amount_krw, market_id) VALUES ($1, $2, $3, $4, $5, $6)`,
				[]any{st(), k, day, rng.Intn(40), []any{nil, rng.Int63n(1e9)}[rng.Intn(2)], pick(rng, markets)}
		case 12:
			return `UPDATE outcomes SET quantity = $1, kind = $2, amount_krw = $3 WHERE id IN (SELECT id FROM outcomes WHERE kind <> 'EXPORT_CONTRACT' AND startup_id = $4 LIMIT 2)`,
				[]any{rng.Intn(50), []string{"JOBS_CREATED", "INVESTMENT_ATTRACTED"}[rng.Intn(2)], rng.Int63n(1e9), st()}
		case 13:
			return `DELETE FROM outcomes WHERE id IN (SELECT id FROM outcomes WHERE startup_id = $1 LIMIT 2)`, []any{st()}
		case 14:
			return `INSERT INTO stage_changes (startup_id, stage, changed_on) VALUES ($1, $2, $3)`, []any{st(), stages[rng.Intn(len(stages))], day}
		case 15:
			return `UPDATE stage_changes SET changed_on = changed_on + $1::int WHERE id IN (SELECT id FROM stage_changes WHERE startup_id = $2 LIMIT 2)`, []any{rng.Intn(400) - 200, st()}
		case 16:
			return `DELETE FROM stage_changes WHERE id IN (SELECT id FROM stage_changes WHERE startup_id = $1 LIMIT 1)`, []any{st()}
		case 17, 18:
			return `UPDATE startups SET stage = $1 WHERE id = ANY($2::bigint[])`, []any{stages[rng.Intn(len(stages))], fmt.Sprintf("{%d,%d}", st(), st())}
		case 19:
			return `INSERT INTO assignments (university_id, startup_id, purpose, status, since) VALUES ($1, $2, $3, 'ACTIVE', $4) ON CONFLICT DO NOTHING`,
				[]any{pick(rng, universities), st(), []string{"JOINT_PROJECT", "INTERNSHIP"}[rng.Intn(2)], day}
		case 20:
			return `DELETE FROM assignments WHERE id IN (SELECT id FROM assignments WHERE startup_id = $1 LIMIT 1)`, []any{st()}
		default:
			return `UPDATE assignments SET university_id = $1 WHERE id IN (SELECT id FROM assignments WHERE startup_id = $2 LIMIT 1)
AND NOT EXISTS (SELECT 1 FROM assignments x WHERE x.university_id = $1 AND x.startup_id = $2)`, []any{pick(rng, universities), st()}
		}
	}
	rng := rand.New(rand.NewSource(18))
	for range 400 {
		q, args := write(rng, startups)
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	check("random writes")

	// Startups come and go: a new one with rows, and a deleted one whose
	// rows cascade.
	created++
	var fresh int64
	if err := db.GetContext(ctx, &fresh, `INSERT INTO startups (key, name_ko, name_en, stage) VALUES ($1, '새 팀', 'New team', 'PROTOTYPE') RETURNING id`,
		fmt.Sprintf("insight-totals-%d", created)); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO assignments (university_id, startup_id, purpose, status, since) VALUES (` + fmt.Sprint(universities[0]) + `, $1, 'JOINT_PROJECT', 'ACTIVE', '2020-01-01')`,
		`INSERT INTO investments (fund_id, startup_id, amount_krw, invested_on, round) VALUES (` + fmt.Sprint(funds[0]) + `, $1, 7000000, '2020-02-02', 'SEED')`,
		`INSERT INTO stage_changes (startup_id, stage, changed_on) VALUES ($1, 'FOUNDING', '2020-01-01'), ($1, 'PROTOTYPE', '2020-03-01')`,
	} {
		if _, err := db.ExecContext(ctx, q, fresh); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	victim := startups[len(startups)/2]
	if _, err := db.ExecContext(ctx, `DELETE FROM startups WHERE id = $1`, victim); err != nil {
		t.Fatal(err)
	}
	startups = append(startups[:len(startups)/2:len(startups)/2], startups[len(startups)/2+1:]...)
	check("a startup added, one deleted")

	// Several connections writing the rows, stages and assignments of the
	// same three startups at once, each statement its own READ COMMITTED
	// transaction.
	writeConcurrently(t, ctx, db, []int64{startups[1], startups[2], fresh}, 200, write)
	check("concurrent writes")
}
