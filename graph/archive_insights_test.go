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

// archiveInsightsQuery asks every insights figure, with a where ($w) that
// holds for every startup but sends the figures down the general path
// (the kept totals answer only a slice chosen by stage), and the list
// totals and an aggregate beside them.
const archiveInsightsQuery = `query($w: StartupWhere, $a: Boolean) { insights(where: $w, filter: {includeArchived: $a}) {
  startups
  byStage { key count } bySector { key count } byProgram { key count } byCohort { key count }
  byUniversity { key count } byTargetMarket { key count }
  investedByFund { fund { key } invested investments startups }
  investedBySector { key count amount } investedByRound { key count amount } investedByYear { key count amount }
  outcomes { patentsDomestic patentsForeign investmentAttracted exportContracts exportValue jobsCreated }
  exportsByMarket { key count amount }
  timeSeries(metric: INVESTMENTS, interval: MONTH) { period count amount }
  taskForceExperts
}
  s: startups(first: 1, where: $w, filter: {includeArchived: $a}) { totalCount }
  i: investments(first: 1, filter: {includeArchived: $a}) { totalCount aggregate { count sum { amount } } }
}`

// TestInsightsFollowArchive (issue 19): a random sequence of archives and
// unarchives of startups, funds, markets, cohorts and mentors through
// GraphQL, mixed with writes that attach edges to them (refused with
// CONFLICT while the node is archived), then every insights figure, over
// the kept totals and over the general path, the startups' and
// investments' totalCount and an investments aggregate equal independent
// SQL over the rows that are not archived (and, with includeArchived,
// over every row).
func TestInsightsFollowArchive(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	rng := rand.New(rand.NewSource(1919))
	type node struct {
		typ     globalid.Type
		table   string
		archive string // the mutation's type name
	}
	kinds := []node{
		{globalid.Startup, "startups", "Startup"}, {globalid.Fund, "funds", "Fund"}, {globalid.Market, "markets", "Market"},
		{globalid.Cohort, "cohorts", "Cohort"}, {globalid.Mentor, "mentors", "Mentor"},
	}
	ids := map[string][]int64{}
	for _, k := range kinds {
		for _, id := range column(t, c.DSN, `SELECT id::text FROM `+k.table) {
			ids[k.table] = append(ids[k.table], int64(atoi(id)))
		}
	}
	pick := func(table string) int64 { xs := ids[table]; return xs[rng.Intn(len(xs))] }
	enc := func(typ globalid.Type, id int64) string { return globalid.Encode(typ, id) }
	version := func(table string, id int64) int {
		return atoi(count(t, c.DSN, `SELECT version FROM `+table+` WHERE id = $1`, id))
	}
	done := map[string]int{}
	for range 150 {
		var q string
		var vars map[string]any
		switch op := rng.Intn(10); {
		case op < 5: // archive or unarchive a node
			k := kinds[rng.Intn(len(kinds))]
			if k.table != "startups" && rng.Intn(2) == 0 {
				k = kinds[0] // startups more often: they move every figure
			}
			id := pick(k.table)
			archived := count(t, c.DSN, `SELECT archived_at IS NOT NULL FROM `+k.table+` WHERE id = $1`, id) == "true"
			if archived {
				q = fmt.Sprintf(`mutation($id: ID!, $v: Int!) { unarchive%s(input: {id: $id, expectedVersion: $v, reason: "test"}) { __typename } }`, k.archive)
			} else {
				q = fmt.Sprintf(`mutation($id: ID!, $v: Int!) { archive%s(input: {id: $id, expectedVersion: $v}) { __typename } }`, k.archive)
			}
			vars = map[string]any{"id": enc(k.typ, id), "v": version(k.table, id)}
		case op == 5:
			q = `mutation($s: ID!, $f: ID!, $a: KRW!, $on: Date!) { recordInvestment(input: {fundId: $f, startupId: $s, amount: $a, investedOn: $on, round: SEED, preFounding: true}) { replayed } }`
			vars = map[string]any{"s": enc(globalid.Startup, pick("startups")), "f": enc(globalid.Fund, pick("funds")), "a": 1 + rng.Int63n(4e9),
				"on": fmt.Sprintf("20%02d-%02d-15", 15+rng.Intn(10), 1+rng.Intn(12))}
		case op == 6:
			q = `mutation($s: ID!, $m: ID!, $a: KRW) { recordOutcome(input: {startupId: $s, kind: EXPORT_CONTRACT, amount: $a, marketId: $m}) { replayed } }`
			vars = map[string]any{"s": enc(globalid.Startup, pick("startups")), "m": enc(globalid.Market, pick("markets")), "a": 1 + rng.Int63n(1e9)}
		case op == 7:
			q = `mutation($s: ID!, $m: ID!) { setMarketTarget(input: {startupId: $s, marketId: $m, status: EXPLORING}) { replayed } }`
			vars = map[string]any{"s": enc(globalid.Startup, pick("startups")), "m": enc(globalid.Market, pick("markets"))}
		case op == 8:
			s := pick("startups")
			q = `mutation($s: ID!, $c: ID!, $v: Int!) { addToCohort(input: {startupId: $s, cohortId: $c, expectedVersion: $v, reason: "test"}) { replayed } }`
			vars = map[string]any{"s": enc(globalid.Startup, s), "c": enc(globalid.Cohort, pick("cohorts")), "v": version("startups", s)}
		default:
			q = `mutation($s: ID!, $m: ID!) { startMentorship(input: {mentorId: $m, startupId: $s, focus: "test"}) { replayed } }`
			vars = map[string]any{"s": enc(globalid.Startup, pick("startups")), "m": enc(globalid.Mentor, pick("mentors"))}
		}
		r := c.Do(t, q, vars)
		name, _, _ := strings.Cut(strings.TrimSpace(strings.SplitN(q, "{", 3)[1]), "(")
		switch code := r.Code(); code {
		case "":
			done[name]++
		case "CONFLICT", "BAD_USER_INPUT": // onto an archived node; a member or target already
			done[name+" "+code]++
		default:
			t.Fatalf("%s %v: %+v", q, vars, r.Errors)
		}
	}
	t.Logf("done: %v", done)
	for _, want := range []string{"archiveStartup", "unarchiveStartup", "archiveFund", "archiveMarket", "archiveCohort", "recordInvestment CONFLICT"} {
		if done[want] == 0 {
			t.Fatalf("the sequence never ran %s: %v", want, done)
		}
	}
	for _, table := range []string{"startups", "funds", "markets", "cohorts"} {
		if count(t, c.DSN, `SELECT count(*) FROM `+table+` WHERE archived_at IS NOT NULL`) == "0" {
			t.Fatalf("the sequence left no %s archived", table)
		}
	}

	// The oracle, over live rows: startups, and the edges whose far node
	// (fund, cohort and its program, market, mentor) is not archived.
	oracles := func(all bool) map[string]string {
		live := func(alias string) string {
			if all {
				return "true"
			}
			return alias + ".archived_at IS NULL"
		}
		sl := "WITH sl AS (SELECT s.id, s.stage FROM startups s WHERE " + live("s") + "), " +
			"li AS (SELECT i.* FROM investments i JOIN sl ON sl.id = i.startup_id JOIN funds f ON f.id = i.fund_id WHERE " + live("f") + ") "
		return map[string]string{
			"startups":         sl + "SELECT count(*)::text FROM sl",
			"byStage":          sl + "SELECT stage || '=' || count(*) FROM sl GROUP BY stage",
			"bySector":         sl + "SELECT g.key || '=' || count(*) FROM sl JOIN startup_sectors x ON x.startup_id = sl.id JOIN sectors g ON g.id = x.sector_id GROUP BY g.key",
			"byProgram":        sl + "SELECT p.key || '=' || count(DISTINCT m.startup_id) FROM sl JOIN memberships m ON m.startup_id = sl.id JOIN cohorts c ON c.id = m.cohort_id JOIN programs p ON p.id = c.program_id WHERE " + live("c") + " AND " + live("p") + " GROUP BY p.key",
			"byCohort":         sl + "SELECT c.key || '=' || count(*) FROM sl JOIN memberships m ON m.startup_id = sl.id JOIN cohorts c ON c.id = m.cohort_id WHERE " + live("c") + " GROUP BY c.key",
			"byUniversity":     sl + "SELECT u.key || '=' || count(DISTINCT a.startup_id) FROM sl JOIN assignments a ON a.startup_id = sl.id JOIN universities u ON u.id = a.university_id GROUP BY u.key",
			"byTargetMarket":   sl + "SELECT k.key || '=' || count(*) FROM sl JOIN market_targets t ON t.startup_id = sl.id JOIN markets k ON k.id = t.market_id WHERE " + live("k") + " GROUP BY k.key",
			"investedByFund":   sl + "SELECT f.key || '=' || sum(i.amount_krw) || '/' || count(*) || '/' || count(DISTINCT i.startup_id) FROM li i JOIN funds f ON f.id = i.fund_id GROUP BY f.key",
			"investedBySector": sl + "SELECT g.key || '=' || count(*) || '/' || sum(i.amount_krw) FROM li i JOIN startup_sectors x ON x.startup_id = i.startup_id JOIN sectors g ON g.id = x.sector_id GROUP BY g.key",
			"investedByRound":  sl + "SELECT i.round || '=' || count(*) || '/' || sum(i.amount_krw) FROM li i GROUP BY i.round",
			"investedByYear":   sl + "SELECT k || '=' || n || '/' || a FROM (SELECT to_char(i.invested_on, 'YYYY') AS k, count(*) AS n, sum(i.amount_krw) AS a FROM li i GROUP BY 1) q",
			"exportsByMarket":  sl + "SELECT k.key || '=' || count(*) || '/' || sum(o.amount_krw) FROM sl JOIN outcomes o ON o.startup_id = sl.id JOIN markets k ON k.id = o.market_id WHERE o.kind = 'EXPORT_CONTRACT' AND " + live("k") + " GROUP BY k.key",
			"timeSeries": sl + `, q AS (SELECT to_char(i.invested_on, 'YYYY-MM') AS k, count(*) AS n, sum(i.amount_krw) AS a FROM li i GROUP BY 1)
				SELECT to_char(m, 'YYYY-MM') || '=' || COALESCE(q.n, 0) || '/' || COALESCE(q.a, 0)
				FROM generate_series((SELECT min(k) || '-01' FROM q)::date, (SELECT max(k) || '-01' FROM q)::date, '1 month') m LEFT JOIN q ON q.k = to_char(m, 'YYYY-MM')`,
			"outcomes": sl + `SELECT COALESCE(sum(quantity) FILTER (WHERE kind = 'PATENT_DOMESTIC'), 0) || '/' || COALESCE(sum(quantity) FILTER (WHERE kind = 'PATENT_FOREIGN'), 0) || '/' ||
				COALESCE(sum(amount_krw) FILTER (WHERE kind = 'INVESTMENT_ATTRACTED'), 0) || '/' || count(*) FILTER (WHERE kind = 'EXPORT_CONTRACT') || '/' ||
				COALESCE(sum(amount_krw) FILTER (WHERE kind = 'EXPORT_CONTRACT'), 0) || '/' || COALESCE(sum(quantity) FILTER (WHERE kind = 'JOBS_CREATED'), 0)
				FROM sl JOIN outcomes o ON o.startup_id = sl.id`,
			"taskForceExperts": "SELECT count(*)::text FROM mentors m WHERE m.task_force_member AND " + live("m"),
			"s.totalCount":     sl + "SELECT count(*)::text FROM sl",
			// the investments list: those of live startups from live funds
			"i.totalCount": sl + "SELECT count(*)::text FROM li",
			"i.aggregate":  sl + "SELECT count(*) || '/' || COALESCE(sum(amount_krw), 0) FROM li",
		}
	}
	for _, tc := range []struct {
		name  string
		where map[string]any
		all   bool
	}{
		{"kept totals", nil, false},
		{"general path", map[string]any{"not": map[string]any{"key": map[string]any{"eq": "no-such-startup"}}}, false},
		{"includeArchived", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vars := map[string]any{"w": tc.where}
			if tc.all {
				vars["a"] = true
			}
			r := c.OK(t, archiveInsightsQuery, vars, nil)
			var got struct {
				Insights map[string]json.RawMessage
				S        struct{ TotalCount int }
				I        struct {
					TotalCount int
					Aggregate  struct {
						Count int
						Sum   struct{ Amount json.Number }
					}
				}
			}
			if err := json.Unmarshal(r.Data, &got); err != nil {
				t.Fatal(err)
			}
			for field, q := range oracles(tc.all) {
				want := column(t, c.DSN, q)
				sort.Strings(want)
				var gotList []string
				switch field {
				case "taskForceExperts":
					gotList = []string{string(got.Insights[field])}
				case "s.totalCount":
					gotList = []string{fmt.Sprint(got.S.TotalCount)}
				case "i.totalCount":
					gotList = []string{fmt.Sprint(got.I.TotalCount)}
				case "i.aggregate":
					gotList = []string{fmt.Sprintf("%d/%s", got.I.Aggregate.Count, got.I.Aggregate.Sum.Amount)}
				default:
					gotList = slices.DeleteFunc(flatten(t, field, got.Insights[field]), func(s string) bool { return field == "byStage" && strings.HasSuffix(s, "=0") })
				}
				if !slices.Equal(gotList, want) {
					t.Errorf("%s: got %v, want %v", field, gotList, want)
				}
			}
		})
	}
}
