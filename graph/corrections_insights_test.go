package graph_test

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/testdb"
)

// TestInsightsFollowCorrections (issue 19): a random sequence of writes
// and corrections through GraphQL (outcomes recorded, corrected and
// deleted; investments recorded, corrected and deleted; stage moves and
// deleted stage changes; cohort members added, moved and removed; market
// targets corrected), then every insights figure it touches equals
// independent SQL over the rows, and the figures kept on startups equal a
// recount. (Archiving is left out here: which rows an archived node
// leaves out of insights is the includeArchived work's.)
func TestInsightsFollowCorrections(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	rng := rand.New(rand.NewSource(19))
	ids := func(typ globalid.Type, q string) []string {
		var out []string
		for _, id := range column(t, c.DSN, q) {
			out = append(out, globalid.Encode(typ, int64(atoi(id))))
		}
		return out
	}
	pick := func(xs []string) string { return xs[rng.Intn(len(xs))] }
	startups := ids(globalid.Startup, `SELECT id::text FROM startups`)
	funds := ids(globalid.Fund, `SELECT id::text FROM funds`)
	cohorts := ids(globalid.Cohort, `SELECT id::text FROM cohorts`)
	stages := []string{"IDEA", "FOUNDING", "PROTOTYPE", "R_AND_D", "MARKETING", "INVESTMENT", "FINANCING", "OVERSEAS_EXPANSION"}
	version := func(table, gid string) int {
		_, id, err := globalid.Decode("id", gid)
		if err != nil {
			t.Fatal(err)
		}
		return atoi(count(t, c.DSN, `SELECT version FROM `+table+` WHERE id = $1`, id))
	}
	some := func(typ globalid.Type, q string) (string, bool) {
		xs := ids(typ, q+` ORDER BY random() LIMIT 1`)
		if len(xs) == 0 {
			return "", false
		}
		return xs[0], true
	}
	done := map[string]int{}
	for range 120 {
		var q string
		var vars map[string]any
		s := pick(startups)
		switch op := rng.Intn(12); op {
		case 0:
			q, vars = `mutation($s: ID!, $n: Int) { recordOutcome(input: {startupId: $s, kind: JOBS_CREATED, quantity: $n}) { replayed } }`, map[string]any{"s": s, "n": rng.Intn(50)}
		case 1, 2:
			o, ok := some(globalid.Outcome, `SELECT id::text FROM outcomes WHERE kind <> 'EXPORT_CONTRACT'`)
			if !ok {
				continue
			}
			if op == 1 {
				q, vars = `mutation($o: ID!, $v: Int!, $n: Int) { correctOutcome(input: {id: $o, expectedVersion: $v, reason: "test", quantity: $n, kind: PATENT_FOREIGN}) { replayed } }`,
					map[string]any{"o": o, "v": version("outcomes", o), "n": rng.Intn(9)}
			} else {
				q, vars = `mutation($o: ID!, $v: Int!) { deleteOutcome(input: {id: $o, expectedVersion: $v, reason: "test"}) { deletedId } }`, map[string]any{"o": o, "v": version("outcomes", o)}
			}
		case 3:
			q, vars = `mutation($s: ID!, $f: ID!, $a: KRW!, $on: Date!) { recordInvestment(input: {fundId: $f, startupId: $s, amount: $a, investedOn: $on, round: SEED, preFounding: true}) { replayed } }`,
				map[string]any{"s": s, "f": pick(funds), "a": 1 + rng.Int63n(4e9), "on": fmt.Sprintf("20%02d-%02d-15", 15+rng.Intn(10), 1+rng.Intn(12))}
		case 4, 5:
			i, ok := some(globalid.Investment, `SELECT id::text FROM investments`)
			if !ok {
				continue
			}
			if op == 4 {
				q, vars = `mutation($i: ID!, $v: Int!) { deleteInvestment(input: {id: $i, expectedVersion: $v, reason: "test"}) { deletedId } }`, map[string]any{"i": i, "v": version("investments", i)}
			} else {
				q, vars = `mutation($i: ID!, $v: Int!, $a: KRW) { correctInvestment(input: {id: $i, expectedVersion: $v, amount: $a, round: BRIDGE, reason: "test"}) { replayed } }`,
					map[string]any{"i": i, "v": version("investments", i), "a": 1 + rng.Int63n(4e9)}
			}
		case 6:
			q, vars = `mutation($s: ID!, $v: Int!, $st: GrowthStage!) { moveStartupStage(input: {id: $s, expectedVersion: $v, stage: $st, reason: "test"}) { replayed } }`,
				map[string]any{"s": s, "v": version("startups", s), "st": stages[rng.Intn(len(stages))]}
		case 7:
			sc, ok := some(globalid.StageChange, `SELECT id::text FROM stage_changes`)
			if !ok {
				continue
			}
			q, vars = `mutation($c: ID!, $v: Int!) { deleteStageChange(input: {id: $c, expectedVersion: $v, reason: "test"}) { deletedId } }`, map[string]any{"c": sc, "v": version("stage_changes", sc)}
		case 8:
			q, vars = `mutation($s: ID!, $c: ID!, $v: Int!) { addToCohort(input: {startupId: $s, cohortId: $c, expectedVersion: $v, reason: "test"}) { replayed } }`,
				map[string]any{"s": s, "c": pick(cohorts), "v": version("startups", s)}
		case 9, 10:
			m := column(t, c.DSN, `SELECT startup_id || ' ' || cohort_id FROM memberships ORDER BY random() LIMIT 1`)
			if len(m) == 0 {
				continue
			}
			sid, cid, _ := strings.Cut(m[0], " ")
			s = globalid.Encode(globalid.Startup, int64(atoi(sid)))
			from := globalid.Encode(globalid.Cohort, int64(atoi(cid)))
			if op == 9 {
				q, vars = `mutation($s: ID!, $c: ID!, $v: Int!) { removeFromCohort(input: {startupId: $s, cohortId: $c, expectedVersion: $v, reason: "test"}) { replayed } }`,
					map[string]any{"s": s, "c": from, "v": version("startups", s)}
			} else {
				q, vars = `mutation($s: ID!, $a: ID!, $b: ID!, $v: Int!) { moveToCohort(input: {startupId: $s, fromCohortId: $a, toCohortId: $b, expectedVersion: $v, reason: "test"}) { replayed } }`,
					map[string]any{"s": s, "a": from, "b": pick(cohorts), "v": version("startups", s)}
			}
		default:
			m := column(t, c.DSN, `SELECT startup_id || ' ' || market_id FROM market_targets ORDER BY random() LIMIT 1`)
			sid, mid, _ := strings.Cut(m[0], " ")
			s = globalid.Encode(globalid.Startup, int64(atoi(sid)))
			q, vars = `mutation($s: ID!, $m: ID!, $v: Int!, $st: MarketTargetStatus) { correctMarketTarget(input: {startupId: $s, marketId: $m, expectedVersion: $v, reason: "test", status: $st}) { replayed } }`,
				map[string]any{"s": s, "m": globalid.Encode(globalid.Market, int64(atoi(mid))), "v": version("startups", s), "st": []string{"EXPLORING", "LOCALIZING", "ENTERED"}[rng.Intn(3)]}
		}
		r := c.Do(t, q, vars)
		switch code := r.Code(); code {
		case "":
			name, _, _ := strings.Cut(strings.TrimSpace(strings.SplitN(q, "{", 3)[1]), "(")
			done[name]++
		case "BAD_USER_INPUT", "CONFLICT": // a move to the current stage, a startup's only stage change, a member already
			done[code]++
		default:
			t.Fatalf("%s %v: %+v", q, vars, r.Errors)
		}
	}
	if len(done) < 10 {
		t.Fatalf("the sequence exercised too little: %v", done)
	}
	t.Logf("done: %v", done)

	r := c.OK(t, insightsQuery, map[string]any{"f": nil}, nil)
	var got struct{ Insights map[string]json.RawMessage }
	if err := json.Unmarshal(r.Data, &got); err != nil {
		t.Fatal(err)
	}
	oracles := map[string]string{
		"startups":        "SELECT count(*)::text FROM startups",
		"byStage":         "SELECT stage || '=' || count(*) FROM startups GROUP BY stage",
		"byProgram":       "SELECT p.key || '=' || count(DISTINCT m.startup_id) FROM memberships m JOIN cohorts c ON c.id = m.cohort_id JOIN programs p ON p.id = c.program_id GROUP BY p.key",
		"byCohort":        "SELECT c.key || '=' || count(*) FROM memberships m JOIN cohorts c ON c.id = m.cohort_id GROUP BY c.key",
		"byTargetMarket":  "SELECT k.key || '=' || count(*) FROM market_targets t JOIN markets k ON k.id = t.market_id GROUP BY k.key",
		"investedByFund":  "SELECT f.key || '=' || sum(i.amount_krw) || '/' || count(*) || '/' || count(DISTINCT i.startup_id) FROM investments i JOIN funds f ON f.id = i.fund_id GROUP BY f.key",
		"investedByRound": "SELECT i.round || '=' || count(*) || '/' || sum(i.amount_krw) FROM investments i GROUP BY i.round",
		"investedByYear":  "SELECT k || '=' || n || '/' || a FROM (SELECT to_char(i.invested_on, 'YYYY') AS k, count(*) AS n, sum(i.amount_krw) AS a FROM investments i GROUP BY 1) q",
		"outcomes": `SELECT COALESCE(sum(quantity) FILTER (WHERE kind = 'PATENT_DOMESTIC'), 0) || '/' || COALESCE(sum(quantity) FILTER (WHERE kind = 'PATENT_FOREIGN'), 0) || '/' ||
			COALESCE(sum(amount_krw) FILTER (WHERE kind = 'INVESTMENT_ATTRACTED'), 0) || '/' || count(*) FILTER (WHERE kind = 'EXPORT_CONTRACT') || '/' ||
			COALESCE(sum(amount_krw) FILTER (WHERE kind = 'EXPORT_CONTRACT'), 0) || '/' || COALESCE(sum(quantity) FILTER (WHERE kind = 'JOBS_CREATED'), 0) FROM outcomes`,
	}
	for field, q := range oracles {
		want := column(t, c.DSN, q)
		sort.Strings(want)
		gotList := slices.DeleteFunc(flatten(t, field, got.Insights[field]), func(s string) bool { return field == "byStage" && strings.HasSuffix(s, "=0") })
		if !slices.Equal(gotList, want) {
			t.Errorf("%s after the corrections: got %v, want %v", field, gotList, want)
		}
	}
	// The stage each startup is at is its last history entry's, and the
	// figures kept on startups equal a recount.
	if n := count(t, c.DSN, `SELECT count(*) FROM startups s WHERE s.stage <> (SELECT c.stage FROM stage_changes c WHERE c.startup_id = s.id ORDER BY c.changed_on DESC, c.id DESC LIMIT 1)`); n != "0" {
		t.Errorf("%s startups are at another stage than their history's last", n)
	}
	if n := count(t, c.DSN, `SELECT count(*) FROM startups n WHERE n.invested_total <> (SELECT COALESCE(sum(x.amount_krw), 0) FROM investments x WHERE x.startup_id = n.id)
		OR n.jobs_created <> (SELECT COALESCE(sum(x.quantity), 0) FROM outcomes x WHERE x.startup_id = n.id AND x.kind = 'JOBS_CREATED')
		OR n.patents <> (SELECT COALESCE(sum(x.quantity), 0) FROM outcomes x WHERE x.startup_id = n.id AND x.kind IN ('PATENT_DOMESTIC', 'PATENT_FOREIGN'))
		OR n.last_stage_change <> (SELECT COALESCE(max(x.changed_on), DATE '0001-01-01') FROM stage_changes x WHERE x.startup_id = n.id)`); n != "0" {
		t.Errorf("%s startups' kept figures differ from a recount", n)
	}
}
