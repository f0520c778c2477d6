package graph_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/synthetic"
	"startupgraph/internal/testdb"
)

// TestWhereAnswersRelationshipQuestions: the issue #17 questions that a
// root list's where argument answers in one request, each compared with
// independent SQL over the demo data, as an admin and, where scope
// matters, as a university (whose oracle sees only its own teams).
func TestWhereAnswersRelationshipQuestions(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), c.Store, 1000, 3); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, list, where string
		oracle            string // keys of the matching rows, all of them (admin)
	}{
		// Every demo and synthetic team has a mentor, so "no mentor at
		// all" (none: {}) would find nothing here: no task-force mentor.
		{"task-force-field teams at PROTOTYPE or later without a task-force mentor", "startups",
			`{ sectors: { some: { node: { taskForceField: { eq: true } } } }, stage: { in: [PROTOTYPE, R_AND_D, MARKETING, INVESTMENT, FINANCING, OVERSEAS_EXPANSION] }, mentors: { none: { node: { taskForceMember: { eq: true } } } } }`,
			`SELECT s.key FROM startups s WHERE EXISTS (SELECT 1 FROM startup_sectors x JOIN sectors k ON k.id = x.sector_id WHERE x.startup_id = s.id AND k.task_force_field)
			   AND s.stage IN ('PROTOTYPE','R_AND_D','MARKETING','INVESTMENT','FINANCING','OVERSEAS_EXPANSION')
			   AND NOT EXISTS (SELECT 1 FROM mentorships x JOIN mentors m ON m.id = x.mentor_id WHERE x.startup_id = s.id AND m.task_force_member)`},
		{"teams that ENTERED Vietnam with a mentor affiliated with Ghent", "startups",
			`{ markets: { some: { status: { eq: ENTERED }, node: { code: { eq: "VN" } } } }, mentors: { some: { node: { university: { key: { eq: "ghent-university" } } } } } }`,
			`SELECT s.key FROM startups s WHERE EXISTS (SELECT 1 FROM market_targets t JOIN markets k ON k.id = t.market_id WHERE t.startup_id = s.id AND t.status = 'ENTERED' AND k.code = 'VN')
			   AND EXISTS (SELECT 1 FROM mentorships x JOIN mentors m ON m.id = x.mentor_id JOIN universities u ON u.id = m.affiliated_university_id
			   WHERE x.startup_id = s.id AND u.key = 'ghent-university')`},
		{"mentors of at least 3 teams, none at IDEA", "mentors",
			`{ startups: { count: { gte: 3 }, none: { node: { stage: { eq: IDEA } } } } }`,
			`SELECT m.key FROM mentors m WHERE (SELECT count(*) FROM mentorships x WHERE x.mentor_id = m.id) >= 3
			   AND NOT EXISTS (SELECT 1 FROM mentorships x JOIN startups s ON s.id = x.startup_id WHERE x.mentor_id = m.id AND s.stage = 'IDEA')`},
		{"funds that invested in a team targeting the United States", "funds",
			`{ portfolio: { some: { node: { markets: { some: { node: { code: { eq: "US" } } } } } } } }`,
			`SELECT f.key FROM funds f WHERE EXISTS (SELECT 1 FROM investments i JOIN market_targets t ON t.startup_id = i.startup_id JOIN markets k ON k.id = t.market_id
			   WHERE i.fund_id = f.id AND k.code = 'US')`},
		{"teams assigned to both George Mason and SUNY Korea", "startups",
			`{ and: [ { universities: { some: { node: { key: { eq: "george-mason-university" } } } } }, { universities: { some: { node: { key: { eq: "suny-korea" } } } } } ] }`,
			`SELECT s.key FROM startups s WHERE EXISTS (SELECT 1 FROM assignments a JOIN universities u ON u.id = a.university_id WHERE a.startup_id = s.id AND u.key = 'george-mason-university')
			   AND EXISTS (SELECT 1 FROM assignments a JOIN universities u ON u.id = a.university_id WHERE a.startup_id = s.id AND u.key = 'suny-korea')`},
		{"teams not in Smart Venture Campus, or founded before 2018", "startups",
			`{ or: [ { not: { programs: { some: { node: { key: { eq: "smart-venture-campus" } } } } } }, { foundedOn: { lt: "2018-01-01" } } ] }`,
			`SELECT s.key FROM startups s WHERE NOT EXISTS (SELECT 1 FROM memberships m JOIN cohorts c ON c.id = m.cohort_id JOIN programs p ON p.id = c.program_id
			   WHERE m.startup_id = s.id AND p.key = 'smart-venture-campus') OR s.founded_on < DATE '2018-01-01'`},
		// A sector named by its key beside another condition on the sector
		// inside or: the key cannot be read from the join table alone.
		{"teams in the robotics sector that is also, or else, bio-convergence", "startups",
			`{ sectors: { some: { node: { key: { eq: "robotics" } }, or: [ { node: { key: { eq: "robotics" } } }, { node: { key: { eq: "bio-convergence" } } } ] } } }`,
			`SELECT s.key FROM startups s WHERE EXISTS (SELECT 1 FROM startup_sectors x JOIN sectors k ON k.id = x.sector_id WHERE x.startup_id = s.id AND k.key = 'robotics')`},
		{"teams whose stage changed to INVESTMENT during 2017", "startups",
			`{ stageHistory: { some: { node: { stage: { eq: INVESTMENT }, changedOn: { gte: "2017-01-01", lt: "2018-01-01" } } } } }`,
			`SELECT s.key FROM startups s WHERE EXISTS (SELECT 1 FROM stage_changes x WHERE x.startup_id = s.id AND x.stage = 'INVESTMENT'
			   AND x.changed_on >= DATE '2017-01-01' AND x.changed_on < DATE '2018-01-01')`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := whereKeys(t, c, tc.list, tc.where)
			want := column(t, c.DSN, tc.oracle)
			sort.Strings(want)
			if len(want) == 0 {
				t.Fatal("the oracle finds nothing: the question does not test anything")
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %d %v, want %d %v", len(got), head(got), len(want), head(want))
			}
			t.Logf("%d rows", len(got))
		})
	}
}

// TestWhereStaysInScope: a predicate sees only what the viewer may see.
// Ghent University may not learn through where which of its teams are
// also assigned elsewhere, nor count investments or mentors of teams it
// cannot see; its answers equal an oracle computed over its view alone
// (viewerScope, the filter matrix's picture of a viewer).
func TestWhereStaysInScope(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), c.Store, 1000, 3); err != nil {
		t.Fatal(err)
	}
	for _, uni := range []string{"ghent-university", "university-of-utah"} {
		u := c.As(c.NewKey(t, "UNIVERSITY", uni))
		cases := []struct{ name, list, where, oracle string }{
			{"assigned to another university too", "startups",
				`{ universities: { count: { gte: 2 } } }`,
				`SELECT s.key FROM startups s WHERE s.id IN (SELECT id FROM vs) AND (SELECT count(*) FROM va WHERE va.startup_id = s.id) >= 2`},
			{"assigned anywhere else", "startups",
				`{ universities: { some: { node: { key: { in: ["george-mason-university", "suny-korea", "ghent-university", "university-of-utah"] } } } }, not: { universities: { every: { node: { key: { eq: "` + uni + `" } } } } } }`,
				`SELECT s.key FROM startups s WHERE s.id IN (SELECT id FROM vs) AND EXISTS (SELECT 1 FROM va JOIN universities x ON x.id = va.university_id WHERE va.startup_id = s.id AND x.key <> $1)`},
			{"mentors by how many teams they mentor", "mentors",
				`{ startups: { count: { gte: 2 } } }`,
				`SELECT m.key FROM mentors m WHERE m.id IN (SELECT id FROM vm) AND (SELECT count(*) FROM vms WHERE vms.mentor_id = m.id) >= 2`},
			{"funds by the teams they invested in", "funds",
				`{ portfolio: { some: {} } }`,
				`SELECT f.key FROM funds f WHERE EXISTS (SELECT 1 FROM vi WHERE vi.fund_id = f.id)`},
		}
		for _, tc := range cases {
			t.Run(uni+"/"+tc.name, func(t *testing.T) {
				got := whereKeys(t, u, tc.list, tc.where)
				oracleSQL := viewerScope + ", q(k) AS (" + tc.oracle + ") SELECT k FROM q"
				want := column(t, c.DSN, strings.Replace(oracleSQL, "SELECT '', x FROM", "SELECT '', x FROM", 1), uni)
				sort.Strings(want)
				if !slices.Equal(got, want) {
					t.Errorf("got %d %v, want %d %v", len(got), head(got), len(want), head(want))
				}
				t.Logf("%d rows", len(got))
			})
		}
	}
}

// whereKeys runs list(where: ...), page after page, and returns the keys
// of every row; each page's totalCount must be the number of rows.
func whereKeys(t *testing.T, c *apitest.Client, list, where string) []string {
	t.Helper()
	var keys []string
	after := ""
	for {
		var data map[string]struct {
			TotalCount int
			Nodes      []struct{ Key string }
			PageInfo   struct {
				HasNextPage bool
				EndCursor   string
			}
		}
		args := "first: 100, where: " + where
		if after != "" {
			args += `, after: "` + after + `"`
		}
		c.OK(t, `{ l: `+list+`(`+args+`) { totalCount nodes { key } pageInfo { hasNextPage endCursor } } }`, nil, &data)
		for _, n := range data["l"].Nodes {
			keys = append(keys, n.Key)
		}
		if !data["l"].PageInfo.HasNextPage {
			if data["l"].TotalCount != len(keys) {
				t.Errorf("totalCount %d for %d rows", data["l"].TotalCount, len(keys))
			}
			break
		}
		after = data["l"].PageInfo.EndCursor
	}
	sort.Strings(keys)
	return keys
}

// TestWhereRefusesBadInput: every problem of a where argument is
// BAD_USER_INPUT naming its path, all reported at once; a where costs a
// statement per relationship predicate.
func TestWhereRefusesBadInput(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	fund := gid(t, c.DSN, globalid.Fund, "funds", "creative-growth-venture-fund")
	cases := []struct{ where, field string }{
		{`{ id: { eq: "` + fund + `" } }`, "where.id.eq"},
		{`{ id: { in: ["nope"] } }`, "where.id.in[0]"},
		{`{ name: { includes: "a" } }`, "where.name.includes"},
		{`{ mentors: { some: { node: { startups: { some: { node: { mentors: { some: { node: { startups: { some: { node: { mentors: { some: {} } } } } } } } } } } } } } }`,
			"where.mentors.some.node.startups.some.node.mentors.some.node.startups.some.node.mentors"},
	}
	for _, tc := range cases {
		r := c.Do(t, `{ startups(where: `+tc.where+`) { totalCount } }`, nil)
		if r.Code() != "BAD_USER_INPUT" || r.Field() != tc.field {
			t.Errorf("%s: %+v", tc.where, r.Errors)
		}
	}
	// Two problems, both reported (in one error's problems, as every
	// input error).
	r := c.Do(t, `{ startups(where: { id: { eq: "x" }, name: { includes: "a" } }) { totalCount } }`, nil)
	if problems, _ := r.Errors[0].Extensions["problems"].([]any); r.Code() != "BAD_USER_INPUT" || len(problems) != 2 {
		t.Errorf("two problems: %+v", r.Errors)
	}
}

// TestWhereOnNestedConnections: a relationship field takes a filter of its
// edges (facts and far node), batched per level like any page, its
// totalCount counting the matching edges only.
func TestWhereOnNestedConnections(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), c.Store, 1000, 3); err != nil {
		t.Fatal(err)
	}
	t.Run("each university's teams with an export contract", func(t *testing.T) {
		var data struct {
			Universities []struct {
				Key      string
				Startups struct {
					TotalCount int
					Nodes      []struct{ Key string }
				}
			}
		}
		c.OK(t, `{ universities { key startups(first: 100, where: { node: { outcomes: { some: { node: { kind: { eq: EXPORT_CONTRACT } } } } } }) { totalCount nodes { key } } } }`, nil, &data)
		got := map[string][]string{}
		for _, u := range data.Universities {
			for _, s := range u.Startups.Nodes {
				got[u.Key] = append(got[u.Key], s.Key)
			}
			sort.Strings(got[u.Key])
			if u.Startups.TotalCount != len(u.Startups.Nodes) && len(u.Startups.Nodes) < 100 {
				t.Errorf("%s: totalCount %d for %d teams", u.Key, u.Startups.TotalCount, len(u.Startups.Nodes))
			}
		}
		want := oracle(t, c.DSN, `SELECT u.key, s.key FROM assignments a JOIN universities u ON u.id = a.university_id JOIN startups s ON s.id = a.startup_id
			WHERE EXISTS (SELECT 1 FROM outcomes o WHERE o.startup_id = s.id AND o.kind = 'EXPORT_CONTRACT')`)
		if len(want) == 0 {
			t.Fatal("the oracle finds nothing")
		}
		equalGroups(t, got, want)
	})
	t.Run("each team's venture-fund investments of at least 100 million KRW", func(t *testing.T) {
		var data struct {
			Startups struct {
				Nodes []struct {
					Key       string
					Investors struct {
						TotalCount int
						Nodes      []struct{ Key string }
					}
				}
			}
		}
		c.OK(t, `{ startups(first: 100, where: { investors: { some: {} } }) { nodes { key investors(first: 100, where: { amount: { gte: 100000000 }, node: { kind: { eq: VENTURE_FUND } } }) { totalCount nodes { key } } } } }`, nil, &data)
		got := map[string][]string{}
		for _, s := range data.Startups.Nodes {
			for _, f := range s.Investors.Nodes {
				got[s.Key] = append(got[s.Key], f.Key)
			}
			sort.Strings(got[s.Key])
			if s.Investors.TotalCount != len(s.Investors.Nodes) {
				t.Errorf("%s: totalCount %d for %d edges", s.Key, s.Investors.TotalCount, len(s.Investors.Nodes))
			}
		}
		keys := make([]string, 0, len(data.Startups.Nodes))
		for _, s := range data.Startups.Nodes {
			keys = append(keys, "'"+s.Key+"'")
		}
		want := oracle(t, c.DSN, `SELECT s.key, f.key FROM investments i JOIN funds f ON f.id = i.fund_id JOIN startups s ON s.id = i.startup_id
			WHERE i.amount_krw >= 100000000 AND f.kind = 'VENTURE_FUND' AND s.key IN (`+strings.Join(keys, ",")+`)`)
		if len(want) == 0 {
			t.Fatal("the oracle finds nothing")
		}
		equalGroups(t, got, want)
	})
}

// TestWhereOnInvestments: the investments list takes where, with its
// fund and startup as references; a university's answer covers only the
// investments into its own teams, whatever the filter names.
func TestWhereOnInvestments(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), c.Store, 500, 3); err != nil {
		t.Fatal(err)
	}
	const where = `{ amount: { gte: 300000000 }, investedOn: { gte: "2020-01-01" }, fund: { kind: { eq: VENTURE_FUND } },
		startup: { stage: { in: [INVESTMENT, FINANCING, OVERSEAS_EXPANSION] } }, not: { round: { eq: SEED } } }`
	const oracle = `SELECT '', s.key || '/' || f.key || '/' || i.invested_on || '/' || i.amount_krw
		FROM investments i JOIN funds f ON f.id = i.fund_id JOIN startups s ON s.id = i.startup_id
		WHERE i.amount_krw >= 300000000 AND i.invested_on >= DATE '2020-01-01' AND f.kind = 'VENTURE_FUND'
		  AND s.stage IN ('INVESTMENT', 'FINANCING', 'OVERSEAS_EXPANSION') AND i.round <> 'SEED'`
	for _, who := range []string{"", "ghent-university"} {
		as, scope := c, ""
		if who != "" {
			as = c.As(c.NewKey(t, "UNIVERSITY", who))
			scope = ` AND EXISTS (SELECT 1 FROM assignments a JOIN universities u ON u.id = a.university_id WHERE a.startup_id = s.id AND u.key = '` + who + `')`
		}
		var data struct {
			Investments struct {
				TotalCount int
				Nodes      []struct {
					Amount     int64
					InvestedOn string
					Fund       struct{ Key string }
					Startup    struct{ Key string }
				}
			}
		}
		as.OK(t, `{ investments(first: 100, where: `+where+`) { totalCount nodes { amount investedOn fund { key } startup { key } } } }`, nil, &data)
		var got []string
		for _, n := range data.Investments.Nodes {
			got = append(got, fmt.Sprintf("%s/%s/%s/%d", n.Startup.Key, n.Fund.Key, n.InvestedOn, n.Amount))
		}
		sort.Strings(got)
		want := orderedColumn(t, c.DSN, oracle+scope)
		sort.Strings(want)
		if len(want) == 0 || len(want) > 100 {
			t.Fatalf("%q: the oracle finds %d investments; the test wants 1 to 100", who, len(want))
		}
		if data.Investments.TotalCount != len(want) || !slices.Equal(got, want) {
			t.Errorf("%q: got %d %v, want %d %v", who, data.Investments.TotalCount, head(got), len(want), head(want))
		}
		t.Logf("%q: %d investments", who, len(want))
	}
}

// TestWhereOnDateTimes: archivedAt compares as a DateTime (a range, a
// list of instants, isNull), against the rows' own timestamps.
func TestWhereOnDateTimes(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	db, err := sql.Open("postgres", c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE startups SET archived_at = TIMESTAMPTZ '2026-03-01 09:00:00+09' + (id % 5) * INTERVAL '1 day' WHERE id % 3 = 0`); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ where, oracle string }{
		{`{ archivedAt: { isNull: false } }`, `SELECT key FROM startups WHERE archived_at IS NOT NULL`},
		{`{ archivedAt: { gte: "2026-03-02T00:00:00Z", lt: "2026-03-04T09:00:00+09:00" } }`,
			`SELECT key FROM startups WHERE archived_at >= TIMESTAMPTZ '2026-03-02 00:00:00Z' AND archived_at < TIMESTAMPTZ '2026-03-04 09:00:00+09'`},
		{`{ archivedAt: { in: ["2026-03-01T00:00:00Z", "2026-03-03T09:00:00+09:00"] } }`,
			`SELECT key FROM startups WHERE archived_at IN (TIMESTAMPTZ '2026-03-01 00:00:00Z', TIMESTAMPTZ '2026-03-03 09:00:00+09')`},
		{`{ not: { archivedAt: { isNull: false } } }`, `SELECT key FROM startups WHERE archived_at IS NULL`},
	}
	for _, tc := range cases {
		// archived rows are listed only with includeArchived (issue 19)
		got := whereKeys(t, c, "startups", tc.where+", filter: { includeArchived: true }")
		want := column(t, c.DSN, tc.oracle)
		sort.Strings(want)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s: got %d %v, want %d %v", tc.where, len(got), head(got), len(want), head(want))
		}
	}
	if got := whereKeys(t, c, "startups", cases[0].where); len(got) != 0 {
		t.Errorf("%s without includeArchived: got %d archived startups %v, want none", cases[0].where, len(got), head(got))
	}
}

// TestWhereTextIsNull: a nullable text fact (a mentor's note on a market)
// compares with isNull, against SQL.
func TestWhereTextIsNull(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	for _, null := range []bool{true, false} {
		where := fmt.Sprintf(`{ markets: { some: { note: { isNull: %v } } } }`, null)
		got := whereKeys(t, c, "mentors", where)
		op := "IS NOT NULL"
		if null {
			op = "IS NULL"
		}
		want := column(t, c.DSN, `SELECT m.key FROM mentors m WHERE EXISTS (SELECT 1 FROM mentor_markets x WHERE x.mentor_id = m.id AND x.note `+op+`)`)
		sort.Strings(want)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", where, head(got), head(want))
		}
	}
}
