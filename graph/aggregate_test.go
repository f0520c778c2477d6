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
