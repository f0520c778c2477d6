package graph_test

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/testdb"
)

// archiveRow archives row id of table in the test database directly (the
// archive mutations are tested in mutations_test.go; here the rows are
// the fixture).
func archiveRow(t *testing.T, dsn, table string, id int64) {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE `+table+` SET archived_at = now(), version = version + 1 WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
}

// TestArchiveLeavesOut (issue 19): an archived startup, fund, market and
// cohort, and their edges, are left out of the top-level lists and their
// totals, nested connections, relationship predicates, aggregates and
// groups, and graph questions, for every role; includeArchived brings
// them back for ADMIN and ANALYST and is FORBIDDEN, naming the field, for
// a university; a node fetched by id still shows, with archivedAt.
func TestArchiveLeavesOut(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	// A team assigned to SUNY Korea with investors, mentors and market
	// targets; one of its funds, markets and cohorts.
	teamID := int64(atoi(count(t, c.DSN, `SELECT s.id FROM startups s JOIN assignments a ON a.startup_id = s.id JOIN universities u ON u.id = a.university_id
		WHERE u.key = 'suny-korea' AND EXISTS (SELECT 1 FROM investments i WHERE i.startup_id = s.id) AND EXISTS (SELECT 1 FROM mentorships m WHERE m.startup_id = s.id)
		ORDER BY s.id LIMIT 1`)))
	team := globalid.Encode(globalid.Startup, teamID)
	teamKey := count(t, c.DSN, `SELECT key FROM startups WHERE id = $1`, teamID)
	other := int64(atoi(count(t, c.DSN, `SELECT s.id FROM startups s JOIN assignments a ON a.startup_id = s.id JOIN universities u ON u.id = a.university_id
		WHERE u.key = 'suny-korea' AND s.id <> $1 ORDER BY s.id LIMIT 1`, teamID)))
	fundID := int64(atoi(count(t, c.DSN, `SELECT fund_id FROM investments WHERE startup_id <> $1 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`, teamID)))
	fundKey := count(t, c.DSN, `SELECT key FROM funds WHERE id = $1`, fundID)
	marketID := int64(atoi(count(t, c.DSN, `SELECT market_id FROM market_targets WHERE startup_id <> $1 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`, teamID)))
	cohortID := int64(atoi(count(t, c.DSN, `SELECT cohort_id FROM memberships WHERE startup_id <> $1 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`, teamID)))
	for _, a := range []struct {
		table string
		id    int64
	}{{"startups", teamID}, {"funds", fundID}, {"markets", marketID}, {"cohorts", cohortID}} {
		archiveRow(t, c.DSN, a.table, a.id)
	}
	analyst := c.As(c.NewKey(t, "ANALYST", ""))
	suny := c.As(c.NewKey(t, "UNIVERSITY", "suny-korea"))

	// Top-level lists and their totals.
	lists := []struct {
		name, query string
		live, all   string // SQL oracles: without and with the archived rows
	}{
		{"startups", `query($a: Boolean) { startups(first: 1, filter: {includeArchived: $a}) { totalCount } }`,
			`SELECT count(*) FROM startups WHERE archived_at IS NULL`, `SELECT count(*) FROM startups`},
		{"funds", `query($a: Boolean) { funds(first: 1, filter: {includeArchived: $a}) { totalCount } }`,
			`SELECT count(*) FROM funds WHERE archived_at IS NULL`, `SELECT count(*) FROM funds`},
		{"markets", `query($a: Boolean) { markets(first: 1, filter: {includeArchived: $a}) { totalCount } }`,
			`SELECT count(*) FROM markets WHERE archived_at IS NULL`, `SELECT count(*) FROM markets`},
		{"investments", `query($a: Boolean) { investments(first: 1, filter: {includeArchived: $a}) { totalCount } }`,
			`SELECT count(*) FROM investments i WHERE NOT EXISTS (SELECT 1 FROM startups s WHERE s.id = i.startup_id AND s.archived_at IS NOT NULL)
			   AND NOT EXISTS (SELECT 1 FROM funds f WHERE f.id = i.fund_id AND f.archived_at IS NOT NULL)`, `SELECT count(*) FROM investments`},
		{"startups with an investor of the archived fund (predicate)",
			`query($a: Boolean, $f: String!) { startups(first: 1, filter: {includeArchived: $a}, where: {investors: {some: {node: {key: {eq: $f}}}}}) { totalCount } }`,
			`SELECT 0`, `SELECT count(DISTINCT startup_id) FROM investments WHERE fund_id = ` + fmt.Sprint(fundID)},
		{"startups by investor count (aggregate)",
			`query($a: Boolean) { startups(filter: {includeArchived: $a}) { aggregate { count } } }`,
			`SELECT count(*) FROM startups WHERE archived_at IS NULL`, `SELECT count(*) FROM startups`},
	}
	for _, l := range lists {
		t.Run(l.name, func(t *testing.T) {
			vars := func(a any) map[string]any { return map[string]any{"a": a, "f": fundKey} }
			if !strings.Contains(l.query, "$f") {
				vars = func(a any) map[string]any { return map[string]any{"a": a} }
			}
			total := func(cl *apitest.Client, a any) string {
				var d map[string]struct {
					TotalCount *int
					Aggregate  *struct{ Count int }
				}
				cl.OK(t, l.query, vars(a), &d)
				for _, v := range d {
					if v.Aggregate != nil {
						return fmt.Sprint(v.Aggregate.Count)
					}
					return fmt.Sprint(*v.TotalCount)
				}
				return ""
			}
			live, all := count(t, c.DSN, l.live), count(t, c.DSN, l.all)
			if live == all {
				t.Fatalf("the fixture archives nothing this list shows (%s)", live)
			}
			for _, a := range []any{nil, false} {
				if got := total(c, a); got != live {
					t.Errorf("admin, includeArchived %v: %s, want %s", a, got, live)
				}
			}
			for name, cl := range map[string]*apitest.Client{"admin": c, "analyst": analyst} {
				if got := total(cl, true); got != all {
					t.Errorf("%s, includeArchived: %s, want %s", name, got, all)
				}
			}
			wantError(t, "university, includeArchived", suny.Do(t, l.query, vars(true)), "FORBIDDEN", "filter.includeArchived")
		})
	}

	// The archived team by id: still there, with archivedAt; its own
	// connections leave out the archived fund and market.
	var byID struct {
		Node struct {
			ArchivedAt *string
			Investors  struct{ Nodes []struct{ Key string } }
			Markets    struct{ TotalCount int }
		}
	}
	c.OK(t, `query($id: ID!) { node(id: $id) { ... on Startup { archivedAt investors(first: 100) { nodes { key } } markets { totalCount } } } }`, map[string]any{"id": team}, &byID)
	if byID.Node.ArchivedAt == nil {
		t.Error("the archived team by id has no archivedAt")
	}
	var byKey struct {
		Startup *struct{ ArchivedAt *string }
	}
	c.OK(t, `query($k: String!) { startup(key: $k) { archivedAt } }`, map[string]any{"k": teamKey}, &byKey)
	if byKey.Startup == nil || byKey.Startup.ArchivedAt == nil {
		t.Errorf("the archived team by key: %+v, want it with archivedAt", byKey.Startup)
	}
	for _, n := range byID.Node.Investors.Nodes {
		if n.Key == fundKey {
			t.Errorf("the archived fund %s is among the team's investors", fundKey)
		}
	}
	if want := count(t, c.DSN, `SELECT count(*) FROM market_targets WHERE startup_id = $1 AND market_id <> $2`, teamID, marketID); fmt.Sprint(byID.Node.Markets.TotalCount) != want {
		t.Errorf("the team's markets: %d, want %s (the archived market left out)", byID.Node.Markets.TotalCount, want)
	}

	// Nested connections and their totals, as an admin and as the
	// university: the archived team is left out of SUNY Korea's teams and
	// of its mentors' mentees; the university still sees only its own.
	uni := gid(t, c.DSN, globalid.University, "universities", "suny-korea")
	nested := `{ university(key: "suny-korea") { startups(first: 100) { totalCount nodes { key } } } }`
	wantTeams := column(t, c.DSN, `SELECT DISTINCT s.key FROM assignments a JOIN universities u ON u.id = a.university_id JOIN startups s ON s.id = a.startup_id
		WHERE u.key = 'suny-korea' AND s.archived_at IS NULL`)
	for name, cl := range map[string]*apitest.Client{"admin": c, "suny": suny} {
		var d struct {
			University struct {
				Startups struct {
					TotalCount int
					Nodes      []struct{ Key string }
				}
			}
		}
		cl.OK(t, nested, nil, &d)
		var got []string
		for _, n := range d.University.Startups.Nodes {
			if !slices.Contains(got, n.Key) {
				got = append(got, n.Key)
			}
			if n.Key == teamKey {
				t.Errorf("%s: the archived team is among SUNY Korea's teams", name)
			}
		}
		slices.Sort(got)
		slices.Sort(wantTeams)
		if !slices.Equal(got, wantTeams) {
			t.Errorf("%s: SUNY Korea's teams %v, want %v", name, got, wantTeams)
		}
	}
	var mentees struct {
		Startups struct {
			Nodes []struct {
				Mentors struct {
					Nodes []struct {
						Startups struct{ Nodes []struct{ Key string } }
					}
				}
			}
		}
	}
	suny.OK(t, `{ startups(first: 100) { nodes { mentors(first: 20) { nodes { startups(first: 100) { nodes { key } } } } } } }`, nil, &mentees)
	visible := column(t, c.DSN, `SELECT DISTINCT s.key FROM assignments a JOIN universities u ON u.id = a.university_id JOIN startups s ON s.id = a.startup_id
		WHERE u.key = 'suny-korea' AND s.archived_at IS NULL`)
	for _, s := range mentees.Startups.Nodes {
		for _, m := range s.Mentors.Nodes {
			for _, x := range m.Startups.Nodes {
				if !slices.Contains(visible, x.Key) {
					t.Errorf("suny: a mentor's mentee %s is archived or not SUNY Korea's", x.Key)
				}
			}
		}
	}

	// Groups: the archived team counts in no stage.
	var groups struct {
		Startups struct{ GroupBy []struct{ Count int } }
	}
	c.OK(t, `{ startups { groupBy(by: [STAGE]) { count } } }`, nil, &groups)
	sum := 0
	for _, g := range groups.Startups.GroupBy {
		sum += g.Count
	}
	if want := count(t, c.DSN, `SELECT count(*) FROM startups WHERE archived_at IS NULL`); fmt.Sprint(sum) != want {
		t.Errorf("groupBy STAGE counts %d startups, want %s", sum, want)
	}

	// Graph questions: a walk from SUNY Korea steps onto no archived node.
	var hood struct {
		Neighborhood struct {
			Nodes []struct {
				Node struct{ ID string }
			}
		}
	}
	c.OK(t, `query($u: ID!) { neighborhood(id: $u, depth: 2, limit: 500) { nodes { node { id } } } }`, map[string]any{"u": uni}, &hood)
	archivedIDs := []string{team, globalid.Encode(globalid.Fund, fundID), globalid.Encode(globalid.Market, marketID)}
	if len(hood.Neighborhood.Nodes) < 3 {
		t.Fatalf("the walk found %d nodes", len(hood.Neighborhood.Nodes))
	}
	for _, n := range hood.Neighborhood.Nodes {
		if slices.Contains(archivedIDs, n.Node.ID) {
			t.Errorf("the walk from SUNY Korea reached the archived %s", n.Node.ID)
		}
	}

	// Writes that would attach something to an archived node: CONFLICT
	// naming the field; the same write to a live node is accepted.
	live := globalid.Encode(globalid.Startup, other)
	fund, market, cohort := globalid.Encode(globalid.Fund, fundID), globalid.Encode(globalid.Market, marketID), globalid.Encode(globalid.Cohort, cohortID)
	mentor := globalid.Encode(globalid.Mentor, int64(atoi(count(t, c.DSN, `SELECT id FROM mentors WHERE archived_at IS NULL ORDER BY id LIMIT 1`))))
	version := func(id int64) int { return atoi(count(t, c.DSN, `SELECT version FROM startups WHERE id = $1`, id)) }
	writes := []struct {
		name, query string
		vars        map[string]any
		field       string
	}{
		{"assignTeam to an archived team", `mutation($s: ID!, $u: ID!) { assignTeam(input: {universityId: $u, startupId: $s, purpose: INTERNSHIP}) { replayed } }`,
			map[string]any{"s": team, "u": uni}, "input.startupId"},
		{"startMentorship of an archived team", `mutation($s: ID!, $m: ID!) { startMentorship(input: {mentorId: $m, startupId: $s, focus: "x"}) { replayed } }`,
			map[string]any{"s": team, "m": mentor}, "input.startupId"},
		{"recordInvestment from an archived fund", `mutation($s: ID!, $f: ID!) { recordInvestment(input: {fundId: $f, startupId: $s, amount: 1000, investedOn: "2025-01-02", round: SEED, preFounding: true}) { replayed } }`,
			map[string]any{"s": live, "f": fund}, "input.fundId"},
		{"setMarketTarget on an archived market", `mutation($s: ID!, $m: ID!) { setMarketTarget(input: {startupId: $s, marketId: $m, status: EXPLORING}) { replayed } }`,
			map[string]any{"s": live, "m": market}, "input.marketId"},
		{"addToCohort of an archived cohort", `mutation($s: ID!, $c: ID!, $v: Int!) { addToCohort(input: {startupId: $s, cohortId: $c, expectedVersion: $v, reason: "x"}) { replayed } }`,
			map[string]any{"s": live, "c": cohort, "v": version(other)}, "input.cohortId"},
		{"recordOutcome of an archived team", `mutation($s: ID!) { recordOutcome(input: {startupId: $s, kind: JOBS_CREATED, quantity: 3}) { replayed } }`,
			map[string]any{"s": team}, "input.startupId"},
		{"recordOutcome in an archived market", `mutation($s: ID!, $m: ID!) { recordOutcome(input: {startupId: $s, kind: EXPORT_CONTRACT, amount: 5, marketId: $m}) { replayed } }`,
			map[string]any{"s": live, "m": market}, "input.marketId"},
		{"recordOutcomes of an archived team", `mutation($s: ID!) { recordOutcomes(inputs: [{startupId: $s, kind: JOBS_CREATED, quantity: 3}]) { replayed } }`,
			map[string]any{"s": team}, "inputs[0].startupId"},
		{"moveStartupStage of an archived team", `mutation($s: ID!, $v: Int!) { moveStartupStage(input: {id: $s, expectedVersion: $v, stage: OVERSEAS_EXPANSION, reason: "x"}) { replayed } }`,
			map[string]any{"s": team, "v": version(teamID)}, "input.id"},
	}
	for _, w := range writes {
		before := count(t, c.DSN, `SELECT count(*) FROM audit_log`)
		wantError(t, w.name, c.Do(t, w.query, w.vars), "CONFLICT", w.field)
		if after := count(t, c.DSN, `SELECT count(*) FROM audit_log`); after != before {
			t.Errorf("%s: the refused write was audited", w.name)
		}
	}
	c.OK(t, `mutation($s: ID!, $m: ID!) { startMentorship(input: {mentorId: $m, startupId: $s, focus: "x"}) { replayed } }`, map[string]any{"s": live, "m": mentor}, nil)

	// Unarchived, the team is listed again.
	c.OK(t, `mutation($s: ID!, $v: Int!) { unarchiveStartup(input: {id: $s, expectedVersion: $v, reason: "archived by mistake"}) { replayed } }`,
		map[string]any{"s": team, "v": version(teamID)}, nil)
	var back struct {
		Startups struct{ TotalCount int }
	}
	c.OK(t, `query($k: String!) { startups(where: {key: {eq: $k}}) { totalCount } }`, map[string]any{"k": teamKey}, &back)
	if back.Startups.TotalCount != 1 {
		t.Errorf("the unarchived team is listed %d times, want 1", back.Startups.TotalCount)
	}
}

// TestRenameToDuplicate (issue 19): renaming a node to a name another node
// of its type has (ignoring case, width and spaces) is CONFLICT naming the
// field and the existing node's id, unless allowDuplicateName: true; a
// node keeps its own name in another case.
func TestRenameToDuplicate(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	for _, tc := range []struct {
		typ      globalid.Type
		table    string
		mutation string
	}{
		{globalid.Startup, "startups", "updateStartup"},
		{globalid.Mentor, "mentors", "updateMentor"},
		{globalid.Fund, "funds", "updateFund"},
		{globalid.Market, "markets", "updateMarket"},
		{globalid.Program, "programs", "updateProgram"},
		{globalid.Cohort, "cohorts", "updateCohort"},
	} {
		t.Run(tc.mutation, func(t *testing.T) {
			rows := column(t, c.DSN, `SELECT id || '|' || name_en || '|' || name_ko FROM `+tc.table+` ORDER BY id LIMIT 2`)
			a, b := strings.Split(rows[0], "|"), strings.Split(rows[1], "|")
			aID, bID := globalid.Encode(tc.typ, int64(atoi(a[0]))), globalid.Encode(tc.typ, int64(atoi(b[0])))
			version := func() int { return atoi(count(t, c.DSN, `SELECT version FROM `+tc.table+` WHERE id = $1`, atoi(b[0]))) }
			q := fmt.Sprintf(`mutation($id: ID!, $v: Int!, $en: String, $ko: String, $allow: Boolean) { %s(input: {id: $id, expectedVersion: $v, nameEn: $en, nameKo: $ko, allowDuplicateName: $allow}) { __typename } }`, tc.mutation)
			for _, n := range []struct{ field, name, value string }{{"input.nameEn", "en", "  " + strings.ToUpper(a[1])}, {"input.nameKo", "ko", a[2] + " "}} {
				r := c.Do(t, q, map[string]any{"id": bID, "v": version(), n.name: n.value})
				wantError(t, tc.mutation+" to another's name", r, "CONFLICT", n.field)
				if len(r.Errors) > 0 && r.Errors[0].Extensions["existingId"] != aID {
					t.Errorf("existingId %v, want %s", r.Errors[0].Extensions["existingId"], aID)
				}
			}
			if got := count(t, c.DSN, `SELECT name_en FROM `+tc.table+` WHERE id = $1`, atoi(b[0])); got != b[1] {
				t.Errorf("the refused rename changed the name to %q", got)
			}
			analyst := c.As(c.NewKey(t, "ANALYST", ""))
			wantError(t, "analyst", analyst.Do(t, q, map[string]any{"id": bID, "v": version(), "en": a[1], "allow": true}), "FORBIDDEN", "")
			c.OK(t, q, map[string]any{"id": bID, "v": version(), "en": strings.ToLower(b[1])}, nil) // its own name, another case
			c.OK(t, q, map[string]any{"id": bID, "v": version(), "en": a[1], "allow": true}, nil)
			if got := count(t, c.DSN, `SELECT name_en FROM `+tc.table+` WHERE id = $1`, atoi(b[0])); got != a[1] {
				t.Errorf("the allowed rename left the name %q, want %q", got, a[1])
			}
		})
	}
}
