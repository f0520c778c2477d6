package graph_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/synthetic"
	"startupgraph/internal/testdb"
)

// TestAggregatesMatchSQL: the aggregate of a root list (startups with a
// where, investments, mentors) and of nested connections (each
// university's teams, each fund's portfolio) equals independent SQL over
// what each role sees: a university's totals cover its own teams only.
func TestAggregatesMatchSQL(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), c.Store, 400, 17); err != nil {
		t.Fatal(err)
	}
	const query = `{
	  s: startups(where: { stage: { in: [INVESTMENT, FINANCING, MARKETING] }, mentors: { some: {} } }) { aggregate {
	    count sum { investedTotal jobsCreated exportValue } avg { investedTotal } min { foundedOn } max { foundedOn } distinctCount { stage foundedOn } } }
	  i: investments { aggregate { count sum { amount } min { investedOn } max { amount } distinctCount { fund round } } }
	  m: mentors { aggregate { count distinctCount { university organization } } }
	  u: universities { key startups(where: { status: { eq: ACTIVE } }) { aggregate { count sum { investedTotal } min { since } } } }
	  f: funds(first: 100) { nodes { key portfolio { aggregate { count sum { amount } avg { amount } } } } }
	}`
	// The oracle's figures, as one text each, over the views of viewerScope.
	oracles := map[string]string{
		"s": `SELECT count(*) || '|' || COALESCE(sum(inv), 0) || '|' || COALESCE(sum(jobs), 0) || '|' || COALESCE(sum(exp), 0) || '|' || COALESCE(round(avg(inv))::text, 'null')
		        || '|' || COALESCE(min(founded_on)::text, 'null') || '|' || COALESCE(max(founded_on)::text, 'null') || '|' || count(DISTINCT stage) || '|' || count(DISTINCT founded_on)
		      FROM (SELECT s.*, (SELECT COALESCE(sum(amount_krw), 0) FROM investments x WHERE x.startup_id = s.id) inv,
		                   (SELECT COALESCE(sum(quantity), 0) FROM outcomes x WHERE x.startup_id = s.id AND x.kind = 'JOBS_CREATED') jobs,
		                   (SELECT COALESCE(sum(amount_krw), 0) FROM outcomes x WHERE x.startup_id = s.id AND x.kind = 'EXPORT_CONTRACT') exp
		            FROM startups s WHERE s.id IN (SELECT id FROM vs) AND s.stage IN ('INVESTMENT', 'FINANCING', 'MARKETING')
		              AND EXISTS (SELECT 1 FROM vms WHERE vms.startup_id = s.id)) q`,
		"i": `SELECT count(*) || '|' || COALESCE(sum(i.amount_krw), 0) || '|' || COALESCE(min(i.invested_on)::text, 'null') || '|' || COALESCE(max(i.amount_krw)::text, 'null')
		        || '|' || count(DISTINCT i.fund_id) || '|' || count(DISTINCT i.round)
		      FROM investments i WHERE i.id IN (SELECT id FROM vi)`,
		"m": `SELECT count(*) || '|' || count(DISTINCT m.affiliated_university_id) || '|' || count(DISTINCT m.affiliated_organization_id) FROM mentors m WHERE m.id IN (SELECT id FROM vm)`,
		"u": `SELECT string_agg(k, ',' ORDER BY k) FROM (SELECT u.key || '=' || count(a.startup_id) || '|' || COALESCE(sum((SELECT COALESCE(sum(amount_krw), 0) FROM investments x WHERE x.startup_id = a.startup_id)), 0)
		        || '|' || COALESCE(min(a.since)::text, 'null') k
		      FROM universities u LEFT JOIN (SELECT e.* FROM assignments e WHERE (e.startup_id, e.university_id) IN (SELECT startup_id, university_id FROM va) AND e.status = 'ACTIVE') a ON a.university_id = u.id
		      GROUP BY u.key) q`,
		"f": `SELECT string_agg(k, ',' ORDER BY k) FROM (SELECT f.key || '=' || count(i.id) || '|' || COALESCE(sum(i.amount_krw), 0) || '|' || COALESCE(round(avg(i.amount_krw))::text, 'null') k
		      FROM funds f LEFT JOIN investments i ON i.fund_id = f.id AND i.id IN (SELECT id FROM vi) GROUP BY f.key) q`,
	}
	checked := 0
	for _, role := range everyRole(t, c) {
		if role.name == "anonymous" {
			continue // startups, investments and mentors need a key
		}
		t.Run(role.name, func(t *testing.T) {
			var data struct {
				S struct{ Aggregate aggregateAnswer }
				I struct{ Aggregate aggregateAnswer }
				M struct{ Aggregate aggregateAnswer }
				U []struct {
					Key      string
					Startups struct{ Aggregate aggregateAnswer }
				}
				F struct {
					Nodes []struct {
						Key       string
						Portfolio struct{ Aggregate aggregateAnswer }
					}
				}
			}
			c.As(role.key).OK(t, query, nil, &data)
			got := map[string]string{
				"s": data.S.Aggregate.text("count", "sum.investedTotal", "sum.jobsCreated", "sum.exportValue", "avg.investedTotal", "min.foundedOn", "max.foundedOn", "distinctCount.stage", "distinctCount.foundedOn"),
				"i": data.I.Aggregate.text("count", "sum.amount", "min.investedOn", "max.amount", "distinctCount.fund", "distinctCount.round"),
				"m": data.M.Aggregate.text("count", "distinctCount.university", "distinctCount.organization"),
			}
			var us, fs []string
			for _, u := range data.U {
				us = append(us, u.Key+"="+u.Startups.Aggregate.text("count", "sum.investedTotal", "min.since"))
			}
			for _, f := range data.F.Nodes {
				fs = append(fs, f.Key+"="+f.Portfolio.Aggregate.text("count", "sum.amount", "avg.amount"))
			}
			got["u"], got["f"] = strings.Join(sorted(us), ","), strings.Join(sorted(fs), ",")
			for name, oracle := range oracles {
				want := column(t, c.DSN, viewerScope+", r(x) AS ("+oracle+") SELECT x FROM r", role.university)
				if len(want) != 1 || got[name] != want[0] {
					t.Errorf("%s: got  %s\nwant %v", name, got[name], want)
				}
				checked++
			}
			if data.S.Aggregate["count"] == float64(0) || data.I.Aggregate["count"] == float64(0) {
				t.Errorf("nothing to aggregate: %v %v", data.S.Aggregate, data.I.Aggregate)
			}
		})
	}
	t.Logf("%d aggregates checked", checked)
}

// aggregateAnswer is an aggregate as JSON: count, and objects of values.
type aggregateAnswer map[string]any

// text renders the values at paths ("count", "sum.amount") as the
// oracles do: numbers whole (averages rounded), null as "null".
func (a aggregateAnswer) text(paths ...string) string {
	var out []string
	for _, p := range paths {
		var v any = map[string]any(a)
		for _, k := range strings.Split(p, ".") {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		switch x := v.(type) {
		case nil:
			out = append(out, "null")
		case float64:
			out = append(out, strconv.FormatFloat(math.Round(x), 'f', -1, 64))
		case json.Number:
			out = append(out, x.String())
		default:
			out = append(out, fmt.Sprint(x))
		}
	}
	return strings.Join(out, "|")
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestAggregateCostsOneStatementPerLevel: an aggregate on a nested
// connection is batched over the level's parents like totalCount, and a
// total its type cannot carry is null with VALUE_OUT_OF_RANGE on its own
// field while the rest of the aggregate stands.
func TestAggregateCostsOneStatementPerLevel(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	r := c.OK(t, `{ universities { startups { aggregate { count sum { investedTotal } } } } }`, nil, nil)
	if r.Statements > 3 { // the key check, the universities, one aggregate for all four
		t.Errorf("%d statements", r.Statements)
	}
	r = c.OK(t, `{ universities { startups { aggregate { count } } } funds(first: 100) { nodes { portfolio { aggregate { sum { amount } } } } } }`, nil, nil)
	if r.Statements > 5 {
		t.Errorf("%d statements for two levels of aggregates", r.Statements)
	}

	db, err := sql.Open("postgres", c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO outcomes (startup_id, kind, reported_on, quantity)
		SELECT id, 'JOBS_CREATED', DATE '2020-01-01', 2000000000 FROM startups WHERE key IN ('svc-biosensa', 'svc-medi-print')`); err != nil {
		t.Fatal(err)
	}
	r = c.Do(t, `{ startups { aggregate { count sum { jobsCreated investedTotal } } } }`, nil)
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "VALUE_OUT_OF_RANGE" || fmt.Sprint(r.Errors[0].Path) != "[startups aggregate sum jobsCreated]" {
		t.Fatalf("errors %+v", r.Errors)
	}
	if !strings.Contains(string(r.Data), `"jobsCreated":null`) || !strings.Contains(string(r.Data), `"count":`) || !strings.Contains(string(r.Data), `"investedTotal":`) {
		t.Errorf("data %s", r.Data)
	}
}

// TestGroupsMatchSQL: groupBy over a node's enum, a reference with a date
// part, and a relationship (one group per sector or university, a team in
// several counted in each), at the root and nested, equals SQL over what
// each role sees; the groups come ordered as asked, at most first.
func TestGroupsMatchSQL(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), c.Store, 400, 19); err != nil {
		t.Fatal(err)
	}
	const query = `{
	  byStage: startups { groupBy(by: [STAGE]) { stage count sum { investedTotal jobsCreated } } }
	  stageCounts: startups { groupBy(by: [STAGE]) { stage count } }
	  topStages: startups { groupBy(by: [STAGE], orderBy: [{ by: COUNT, direction: DESC }], first: 3) { stage count } }
	  byFundYear: investments(where: { investedOn: { gte: "2015-01-01" } }) { groupBy(by: [FUND, INVESTED_ON_YEAR], orderBy: [{ by: SUM_AMOUNT, direction: DESC }], first: 7) { fund { key } investedOnYear count sum { amount } max { amount } } }
	  bySector: startups(where: { stage: { ne: IDEA } }) { groupBy(by: [SECTORS], orderBy: [{ by: COUNT, direction: DESC }]) { sector { key } count } }
	  byUniversity: startups { groupBy(by: [UNIVERSITIES, STAGE], first: 1000) { university { key } stage count } }
	  nested: universities { key startups { groupBy(by: [STATUS]) { status count min { since } } } }
	}`
	stages := `array_position(ARRAY['IDEA','FOUNDING','PROTOTYPE','R_AND_D','MARKETING','INVESTMENT','FINANCING','OVERSEAS_EXPANSION'], stage)`
	oracles := map[string]string{
		"byStage": `SELECT string_agg(stage || '|' || n || '|' || inv || '|' || jobs, ',' ORDER BY ` + stages + `) FROM (
		    SELECT s.stage, count(*) n, COALESCE(sum((SELECT COALESCE(sum(amount_krw), 0) FROM investments x WHERE x.startup_id = s.id)), 0) inv,
		           COALESCE(sum((SELECT COALESCE(sum(quantity), 0) FROM outcomes x WHERE x.startup_id = s.id AND x.kind = 'JOBS_CREATED')), 0) jobs
		    FROM startups s WHERE s.id IN (SELECT id FROM vs) GROUP BY s.stage) q`,
		"stageCounts": `SELECT string_agg(stage || '|' || n, ',' ORDER BY ` + stages + `) FROM (
		    SELECT s.stage, count(*) n FROM startups s WHERE s.id IN (SELECT id FROM vs) GROUP BY s.stage) q`,
		"topStages": `SELECT string_agg(stage || '|' || n, ',' ORDER BY n DESC, ` + stages + `) FROM (
		    SELECT s.stage, count(*) n FROM startups s WHERE s.id IN (SELECT id FROM vs) GROUP BY s.stage
		    ORDER BY count(*) DESC, ` + stages + ` LIMIT 3) q`,
		"byFundYear": `SELECT string_agg(k, ',' ORDER BY total DESC, fund_id, y) FROM (
		    SELECT f.key || '|' || extract(year FROM i.invested_on)::int || '|' || count(*) || '|' || sum(i.amount_krw) || '|' || max(i.amount_krw) k,
		           sum(i.amount_krw) total, i.fund_id, extract(year FROM i.invested_on) y
		    FROM investments i JOIN funds f ON f.id = i.fund_id WHERE i.id IN (SELECT id FROM vi) AND i.invested_on >= DATE '2015-01-01'
		    GROUP BY f.key, i.fund_id, y ORDER BY total DESC, i.fund_id, y LIMIT 7) q`,
		"bySector": `SELECT string_agg(k || '|' || n, ',' ORDER BY n DESC, id) FROM (
		    SELECT g.key k, g.id, count(DISTINCT s.id) n FROM startups s JOIN vss ON vss.startup_id = s.id JOIN sectors g ON g.id = vss.sector_id
		    WHERE s.id IN (SELECT id FROM vs) AND s.stage <> 'IDEA' GROUP BY g.key, g.id) q`,
		"byUniversity": `SELECT string_agg(k || '|' || stage || '|' || n, ',' ORDER BY id, ` + stages + `) FROM (
		    SELECT u.key k, u.id, s.stage, count(DISTINCT s.id) n FROM startups s JOIN va ON va.startup_id = s.id JOIN universities u ON u.id = va.university_id
		    WHERE s.id IN (SELECT id FROM vs) GROUP BY u.key, u.id, s.stage) q`,
		"nested": `SELECT string_agg(k, ',' ORDER BY k) FROM (SELECT u.key || '=' || COALESCE((SELECT string_agg(status || '|' || n || '|' || since, ';' ORDER BY status) FROM (
		    SELECT e.status, count(*) n, min(e.since) since FROM assignments e WHERE e.university_id = u.id
		      AND (e.startup_id, e.university_id) IN (SELECT startup_id, university_id FROM va) GROUP BY e.status) g), '') k FROM universities u) q`,
	}
	type group struct {
		Stage, Status, Key string
		InvestedOnYear     int
		Count              int
		Fund, Sector       struct{ Key string }
		University         struct{ Key string }
		Sum, Max, Min      map[string]any
	}
	join := func(gs []group, f func(g group) string) string {
		var out []string
		for _, g := range gs {
			out = append(out, f(g))
		}
		return strings.Join(out, ",")
	}
	num := func(v any) string { return aggregateAnswer{"x": v}.text("x") }
	checked := 0
	for _, role := range everyRole(t, c) {
		if role.name == "anonymous" {
			continue
		}
		t.Run(role.name, func(t *testing.T) {
			var data struct {
				ByStage, StageCounts, TopStages, ByFundYear, BySector, ByUniversity struct{ GroupBy []group }
				Nested                                                              []struct {
					Key      string
					Startups struct{ GroupBy []group }
				}
			}
			c.As(role.key).OK(t, query, nil, &data)
			var nested []string
			for _, u := range data.Nested {
				var gs []string
				for _, g := range u.Startups.GroupBy {
					gs = append(gs, fmt.Sprintf("%s|%d|%s", g.Status, g.Count, g.Min["since"]))
				}
				nested = append(nested, u.Key+"="+strings.Join(sorted(gs), ";"))
			}
			got := map[string]string{
				"byStage": join(data.ByStage.GroupBy, func(g group) string {
					return fmt.Sprintf("%s|%d|%s|%s", g.Stage, g.Count, num(g.Sum["investedTotal"]), num(g.Sum["jobsCreated"]))
				}),
				"stageCounts": join(data.StageCounts.GroupBy, func(g group) string { return fmt.Sprintf("%s|%d", g.Stage, g.Count) }),
				"topStages":   join(data.TopStages.GroupBy, func(g group) string { return fmt.Sprintf("%s|%d", g.Stage, g.Count) }),
				"byFundYear": join(data.ByFundYear.GroupBy, func(g group) string {
					return fmt.Sprintf("%s|%d|%d|%s|%s", g.Fund.Key, g.InvestedOnYear, g.Count, num(g.Sum["amount"]), num(g.Max["amount"]))
				}),
				"bySector":     join(data.BySector.GroupBy, func(g group) string { return fmt.Sprintf("%s|%d", g.Sector.Key, g.Count) }),
				"byUniversity": join(data.ByUniversity.GroupBy, func(g group) string { return fmt.Sprintf("%s|%s|%d", g.University.Key, g.Stage, g.Count) }),
				"nested":       strings.Join(sorted(nested), ","),
			}
			for name, oracle := range oracles {
				want := column(t, c.DSN, viewerScope+", r(x) AS ("+oracle+") SELECT COALESCE(x, '') FROM r", role.university)
				if len(want) != 1 || got[name] != want[0] {
					t.Errorf("%s: got  %s\nwant %v", name, got[name], want)
				}
				checked++
			}
			if len(data.ByStage.GroupBy) == 0 || len(data.StageCounts.GroupBy) == 0 || len(data.TopStages.GroupBy) == 0 || len(data.ByUniversity.GroupBy) == 0 {
				t.Errorf("no groups: %+v", data.ByStage)
			}
		})
	}
	t.Logf("%d groupings checked", checked)
	if checked < 30 {
		t.Fatal("too few groupings checked")
	}
}

// TestGroupByRefusesBadArguments: no key, a key twice, too many keys or
// a first out of range is BAD_USER_INPUT naming the argument, with every
// problem at once.
func TestGroupByRefusesBadArguments(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	cases := []struct{ args, field string }{
		{`by: []`, "by"},
		{`by: [STAGE, STAGE]`, "by[1]"},
		{`by: [STAGE, SECTORS, UNIVERSITIES, MARKETS, PROGRAMS]`, "by"},
		{`by: [STAGE], first: 0`, "first"},
		{`by: [STAGE], first: 1001`, "first"},
	}
	for _, tc := range cases {
		r := c.Do(t, `{ startups { groupBy(`+tc.args+`) { count } } }`, nil)
		if r.Code() != "BAD_USER_INPUT" || !strings.Contains(fmt.Sprint(r.Errors), tc.field) {
			t.Errorf("%s: %+v", tc.args, r.Errors)
		}
	}
}
