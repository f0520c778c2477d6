package graph_test

import (
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/testdb"
)

// gid returns the global id of the row of table with key.
func gid(t *testing.T, dsn string, typ globalid.Type, table, key string) string {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var id int64
	if err := db.QueryRow("SELECT id FROM "+table+" WHERE key = $1", key).Scan(&id); err != nil {
		t.Fatalf("%s %s: %v", table, key, err)
	}
	return globalid.Encode(typ, id)
}

func listKeys(t *testing.T, c *apitest.Client, list, filter string, vars map[string]any) []string {
	t.Helper()
	decl := ""
	for k := range vars {
		decl += fmt.Sprintf(", $%s: [ID!]", k)
	}
	q := fmt.Sprintf(`query(%s) { list: %s(first: 100, filter: %s) { totalCount nodes { key } } }`, trimComma(decl), list, filter)
	if decl == "" {
		q = fmt.Sprintf(`{ list: %s(first: 100, filter: %s) { totalCount nodes { key } } }`, list, filter)
	}
	var data struct {
		List struct {
			TotalCount int
			Nodes      []struct{ Key string }
		}
	}
	c.OK(t, q, vars, &data)
	out := make([]string, len(data.List.Nodes))
	for i, n := range data.List.Nodes {
		out[i] = n.Key
	}
	if data.List.TotalCount != len(out) {
		t.Errorf("totalCount %d, nodes %d", data.List.TotalCount, len(out))
	}
	sort.Strings(out)
	return out
}

func trimComma(s string) string {
	if len(s) > 2 {
		return s[2:]
	}
	return s
}

func TestFilters(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	id := func(typ globalid.Type, table, key string) string { return gid(t, c.DSN, typ, table, key) }
	smartFactory := id(globalid.Sector, "sectors", "smart-factory")
	robotics := id(globalid.Sector, "sectors", "robotics")
	vietnam := id(globalid.Market, "markets", "vn")
	svc := id(globalid.Program, "programs", "smart-venture-campus")
	cohort := id(globalid.Cohort, "cohorts", "smart-venture-campus-2017")
	ghent := id(globalid.University, "universities", "ghent-university")
	gmu := id(globalid.University, "universities", "george-mason-university")
	grant := id(globalid.Fund, "funds", "smart-venture-campus-national-grant")
	cgvf := id(globalid.Fund, "funds", "creative-growth-venture-fund")
	mentorKey := column(t, c.DSN, "SELECT m.key FROM mentors m JOIN mentorships e ON e.mentor_id = m.id GROUP BY m.key HAVING count(*) >= 2 ORDER BY m.key LIMIT 1")[0]
	mentor := id(globalid.Mentor, "mentors", mentorKey)
	pair := column(t, c.DSN, `SELECT a.key || ' ' || b.key FROM startups a JOIN startups b ON a.id < b.id
		WHERE (SELECT count(*) FROM mentorships x JOIN mentorships y ON x.mentor_id = y.mentor_id WHERE x.startup_id = a.id AND y.startup_id = b.id) >= 2
		ORDER BY 1 LIMIT 1`)[0]
	koreanPart := column(t, c.DSN, "SELECT substr(name_ko, 2, 2) FROM startups WHERE length(name_ko) >= 3 ORDER BY id LIMIT 1")[0]
	var pairA, pairB string
	fmt.Sscan(pair, &pairA, &pairB)

	cases := []struct {
		name, list, filter string
		vars               map[string]any
		oracle             string
	}{
		{"startups by sector", "startups", `{sectorIds: $a}`, map[string]any{"a": []string{smartFactory}},
			"SELECT s.key FROM startups s WHERE EXISTS (SELECT 1 FROM startup_sectors x JOIN sectors y ON y.id = x.sector_id WHERE x.startup_id = s.id AND y.key = 'smart-factory')"},
		{"startups by two sectors (OR)", "startups", `{sectorIds: $a}`, map[string]any{"a": []string{smartFactory, robotics}},
			"SELECT s.key FROM startups s WHERE EXISTS (SELECT 1 FROM startup_sectors x JOIN sectors y ON y.id = x.sector_id WHERE x.startup_id = s.id AND y.key IN ('smart-factory', 'robotics'))"},
		{"startups by sector and stages", "startups", `{sectorIds: $a, stages: [PROTOTYPE, MARKETING]}`, map[string]any{"a": []string{smartFactory}},
			"SELECT s.key FROM startups s WHERE s.stage IN ('PROTOTYPE', 'MARKETING') AND EXISTS (SELECT 1 FROM startup_sectors x JOIN sectors y ON y.id = x.sector_id WHERE x.startup_id = s.id AND y.key = 'smart-factory')"},
		{"startups by stage", "startups", `{stages: [PROTOTYPE, OVERSEAS_EXPANSION]}`, nil,
			"SELECT key FROM startups WHERE stage IN ('PROTOTYPE', 'OVERSEAS_EXPANSION')"},
		{"startups by program", "startups", `{programIds: $a}`, map[string]any{"a": []string{svc}},
			"SELECT DISTINCT s.key FROM startups s JOIN memberships m ON m.startup_id = s.id JOIN cohorts c ON c.id = m.cohort_id JOIN programs p ON p.id = c.program_id WHERE p.key = 'smart-venture-campus'"},
		{"startups by cohort", "startups", `{cohortIds: $a}`, map[string]any{"a": []string{cohort}},
			"SELECT s.key FROM startups s JOIN memberships m ON m.startup_id = s.id JOIN cohorts c ON c.id = m.cohort_id WHERE c.key = 'smart-venture-campus-2017'"},
		{"startups by university", "startups", `{universityIds: $a}`, map[string]any{"a": []string{ghent}},
			"SELECT DISTINCT s.key FROM startups s JOIN assignments a ON a.startup_id = s.id JOIN universities u ON u.id = a.university_id WHERE u.key = 'ghent-university'"},
		{"startups by mentor", "startups", `{mentorIds: $a}`, map[string]any{"a": []string{mentor}},
			"SELECT DISTINCT s.key FROM startups s JOIN mentorships e ON e.startup_id = s.id JOIN mentors m ON m.id = e.mentor_id WHERE m.key = '" + mentorKey + "'"},
		{"startups by fund", "startups", `{fundIds: $a}`, map[string]any{"a": []string{cgvf}},
			"SELECT DISTINCT s.key FROM startups s JOIN investments i ON i.startup_id = s.id JOIN funds f ON f.id = i.fund_id WHERE f.key = 'creative-growth-venture-fund'"},
		{"startups by market", "startups", `{marketIds: $a}`, map[string]any{"a": []string{vietnam}},
			"SELECT s.key FROM startups s JOIN market_targets e ON e.startup_id = s.id JOIN markets k ON k.id = e.market_id WHERE k.code = 'VN'"},
		{"startups by target status", "startups", `{targetStatuses: [ENTERED]}`, nil,
			"SELECT DISTINCT s.key FROM startups s JOIN market_targets e ON e.startup_id = s.id WHERE e.status = 'ENTERED'"},
		{"startups by market and status together", "startups", `{marketIds: $a, targetStatuses: [EXPLORING, LOCALIZING]}`, map[string]any{"a": []string{vietnam}},
			"SELECT s.key FROM startups s JOIN market_targets e ON e.startup_id = s.id JOIN markets k ON k.id = e.market_id WHERE k.code = 'VN' AND e.status IN ('EXPLORING', 'LOCALIZING')"},
		{"startups founded in a range", "startups", `{foundedFrom: "2015-01-01", foundedTo: "2016-06-30"}`, nil,
			"SELECT key FROM startups WHERE founded_on BETWEEN '2015-01-01' AND '2016-06-30'"},
		{"startups by English name part, any case", "startups", `{search: "bot"}`, nil,
			"SELECT key FROM startups WHERE name_ko ILIKE '%bot%' OR name_en ILIKE '%bot%'"},
		{"startups by Korean name part", "startups", `{search: "` + koreanPart + `"}`, nil,
			"SELECT key FROM startups WHERE name_ko LIKE '%" + koreanPart + "%' OR name_en LIKE '%" + koreanPart + "%'"},
		{"search escapes wildcards", "startups", `{search: "%_"}`, nil,
			"SELECT key FROM startups WHERE position('%_' in name_ko || ' ' || name_en) > 0"},
		{"startups: filters combine with AND", "startups", `{sectorIds: $a, marketIds: $b, fundIds: $c}`, map[string]any{"a": []string{smartFactory}, "b": []string{vietnam}, "c": []string{grant}},
			`SELECT s.key FROM startups s WHERE
			 EXISTS (SELECT 1 FROM startup_sectors x JOIN sectors y ON y.id = x.sector_id WHERE x.startup_id = s.id AND y.key = 'smart-factory')
			 AND EXISTS (SELECT 1 FROM market_targets x JOIN markets k ON k.id = x.market_id WHERE x.startup_id = s.id AND k.code = 'VN')
			 AND EXISTS (SELECT 1 FROM investments x JOIN funds f ON f.id = x.fund_id WHERE x.startup_id = s.id AND f.key = 'smart-venture-campus-national-grant')`},
		{"mentors by sector", "mentors", `{sectorIds: $a}`, map[string]any{"a": []string{robotics}},
			"SELECT m.key FROM mentors m JOIN mentor_sectors x ON x.mentor_id = m.id JOIN sectors y ON y.id = x.sector_id WHERE y.key = 'robotics'"},
		{"mentors by university", "mentors", `{universityIds: $a}`, map[string]any{"a": []string{gmu}},
			"SELECT m.key FROM mentors m JOIN universities u ON u.id = m.affiliated_university_id WHERE u.key = 'george-mason-university'"},
		{"task-force mentors", "mentors", `{taskForceMember: true}`, nil,
			"SELECT key FROM mentors WHERE task_force_member"},
		{"mentors shared by two startups", "mentors", `{sharedByStartupIds: $a}`,
			map[string]any{"a": []string{id(globalid.Startup, "startups", pairA), id(globalid.Startup, "startups", pairB)}},
			"SELECT m.key FROM mentors m WHERE EXISTS (SELECT 1 FROM mentorships e JOIN startups s ON s.id = e.startup_id WHERE e.mentor_id = m.id AND s.key = '" + pairA + "') AND EXISTS (SELECT 1 FROM mentorships e JOIN startups s ON s.id = e.startup_id WHERE e.mentor_id = m.id AND s.key = '" + pairB + "')"},
		{"mentors of any of two startups", "mentors", `{startupIds: $a}`,
			map[string]any{"a": []string{id(globalid.Startup, "startups", pairA), id(globalid.Startup, "startups", pairB)}},
			"SELECT DISTINCT m.key FROM mentors m JOIN mentorships e ON e.mentor_id = m.id JOIN startups s ON s.id = e.startup_id WHERE s.key IN ('" + pairA + "', '" + pairB + "')"},
		{"mentors by name", "mentors", `{search: "kim"}`, nil,
			"SELECT key FROM mentors WHERE (name_ko || ' ' || name_en) ILIKE '%kim%'"},
		{"markets by kind", "markets", `{kind: REGION}`, nil, "SELECT key FROM markets WHERE kind = 'REGION'"},
		{"markets by code", "markets", `{codes: ["VN", "US"]}`, nil, "SELECT key FROM markets WHERE code IN ('VN', 'US')"},
		{"organizations: MOU partners", "organizations", `{mouPartner: true}`, nil, "SELECT key FROM organizations WHERE mou_partner"},
		{"organizations by kind", "organizations", `{kinds: [TEAM, SUPPORT_CENTER]}`, nil, "SELECT key FROM organizations WHERE kind IN ('TEAM', 'SUPPORT_CENTER')"},
		{"sectors: task-force fields", "sectors", `{taskForceField: true}`, nil, "SELECT key FROM sectors WHERE task_force_field"},
		{"programs by kind", "programs", `{kinds: [GLOBAL_EXPANSION]}`, nil, "SELECT key FROM programs WHERE kind = 'GLOBAL_EXPANSION'"},
		{"funds by kind", "funds", `{kinds: [GOVERNMENT_GRANT]}`, nil, "SELECT key FROM funds WHERE kind = 'GOVERNMENT_GRANT'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := listKeys(t, c, tc.list, tc.filter, tc.vars)
			want := column(t, c.DSN, tc.oracle)
			sort.Strings(want)
			if len(want) == 0 && tc.name != "search escapes wildcards" {
				t.Fatal("oracle returned nothing: the demo data does not exercise this filter")
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %v\nwant %v", got, want)
			}
		})
	}

	t.Run("investments", func(t *testing.T) {
		q := `query($f: [ID!]) { investments(first: 100, filter: {fundIds: $f, rounds: [SEED, SERIES_A], investedFrom: "2017-01-01", investedTo: "2018-12-31", minAmount: "500000000"}, orderBy: {field: AMOUNT, direction: ASC}) { totalCount nodes { amount round startup { key } } } }`
		r := c.OK(t, q, map[string]any{"f": []string{cgvf}}, nil)
		got := tuples(t, r.Data, "amount", "round", "startup.key")
		want := column(t, c.DSN, `SELECT i.amount_krw || '|' || i.round || '|' || s.key FROM investments i JOIN startups s ON s.id = i.startup_id JOIN funds f ON f.id = i.fund_id
			WHERE f.key = 'creative-growth-venture-fund' AND i.round IN ('SEED', 'SERIES_A') AND i.invested_on BETWEEN '2017-01-01' AND '2018-12-31' AND i.amount_krw >= 500000000`)
		sort.Strings(want)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("got %v\nwant %v", got, want)
		}
	})
}

func TestFilterValidation(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	ghent := gid(t, c.DSN, globalid.University, "universities", "ghent-university")
	many := make([]string, 101)
	for i := range many {
		many[i] = ghent
	}
	cases := []struct {
		name, query string
		vars        map[string]any
		fields      []string
	}{
		{"id of the wrong type", `query($a: [ID!]) { startups(filter: {sectorIds: $a}) { totalCount } }`, map[string]any{"a": []string{ghent}}, []string{"filter.sectorIds[0]"}},
		{"malformed id", `query($a: [ID!]) { startups(filter: {universityIds: $a}) { totalCount } }`, map[string]any{"a": []string{ghent, "nope"}}, []string{"filter.universityIds[1]"}},
		{"too many values", `query($a: [ID!]) { startups(filter: {universityIds: $a}) { totalCount } }`, map[string]any{"a": many}, []string{"filter.universityIds"}},
		{"search too short", `{ startups(filter: {search: "a"}) { totalCount } }`, nil, []string{"filter.search"}},
		{"dates out of order", `{ startups(filter: {foundedFrom: "2017-01-01", foundedTo: "2016-01-01"}) { totalCount } }`, nil, []string{"filter.foundedTo"}},
		{"bad date", `{ startups(filter: {foundedFrom: "2017-13-01"}) { totalCount } }`, nil, []string{"filter.foundedFrom"}},
		{"negative amount", `{ investments(filter: {minAmount: -1}) { totalCount } }`, nil, []string{"filter.minAmount"}},
		{"several problems at once", `query($a: [ID!]) { startups(first: 500, filter: {sectorIds: $a, search: "x"}) { totalCount } }`, map[string]any{"a": []string{ghent}},
			[]string{"filter.sectorIds[0]", "filter.search", "first"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Do(t, tc.query, tc.vars)
			if r.Code() != "BAD_USER_INPUT" {
				t.Fatalf("code %q: %+v", r.Code(), r.Errors)
			}
			problems, _ := r.Errors[0].Extensions["problems"].([]any)
			var got []string
			for _, p := range problems {
				got = append(got, p.(map[string]any)["field"].(string))
			}
			for _, f := range tc.fields {
				if !slices.Contains(got, f) {
					t.Errorf("problems %v lack %s", got, f)
				}
			}
		})
	}
}

// TestSectorStageCountFollowsWrites: the total of a filter by one sector
// and stages is counted from startup_sectors' copy of each startup's stage
// (migration 00006). It must equal the startups' own stages after a stage
// move and after a change of sectors, for ADMIN and for a university.
func TestSectorStageCountFollowsWrites(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	sector := gid(t, c.DSN, globalid.Sector, "sectors", "smart-factory")
	// A startup in the sector, assigned to a university, moves to a counted
	// stage; another (not in the sector) gains the sector.
	in := column(t, c.DSN, `SELECT s.key || ' ' || s.version || ' ' || u.key FROM startups s
		JOIN assignments a ON a.startup_id = s.id JOIN universities u ON u.id = a.university_id
		WHERE s.stage NOT IN ('PROTOTYPE', 'MARKETING')
		  AND EXISTS (SELECT 1 FROM startup_sectors x JOIN sectors y ON y.id = x.sector_id WHERE x.startup_id = s.id AND y.key = 'smart-factory')
		ORDER BY s.key LIMIT 1`)
	out := column(t, c.DSN, `SELECT s.key || ' ' || s.version FROM startups s
		WHERE s.stage = 'PROTOTYPE'
		  AND NOT EXISTS (SELECT 1 FROM startup_sectors x JOIN sectors y ON y.id = x.sector_id WHERE x.startup_id = s.id AND y.key = 'smart-factory')
		ORDER BY s.key LIMIT 1`)
	if len(in) == 0 || len(out) == 0 {
		t.Fatalf("demo data lacks the startups this test changes: %q %q", in, out)
	}
	var inKey, outKey, uniKey string
	var inVersion, outVersion int
	fmt.Sscan(in[0], &inKey, &inVersion, &uniKey)
	fmt.Sscan(out[0], &outKey, &outVersion)
	uni := c.As(c.NewKey(t, "UNIVERSITY", uniKey))
	const stages = `[PROTOTYPE, MARKETING]`
	total := func(t *testing.T, as *apitest.Client) int {
		t.Helper()
		var data struct{ Startups struct{ TotalCount int } }
		as.OK(t, `query($s: [ID!]) { startups(filter: {sectorIds: $s, stages: `+stages+`}) { totalCount } }`,
			map[string]any{"s": []string{sector}}, &data)
		return data.Startups.TotalCount
	}
	const oracle = `SELECT count(*) FROM startups s
		WHERE s.stage IN ('PROTOTYPE', 'MARKETING')
		  AND EXISTS (SELECT 1 FROM startup_sectors x JOIN sectors y ON y.id = x.sector_id WHERE x.startup_id = s.id AND y.key = 'smart-factory')`
	const uniOracle = oracle + ` AND EXISTS (SELECT 1 FROM assignments a JOIN universities u ON u.id = a.university_id WHERE a.startup_id = s.id AND u.key = $1)`
	check := func(t *testing.T, when string) {
		t.Helper()
		if got, want := total(t, c), column(t, c.DSN, oracle)[0]; fmt.Sprint(got) != want {
			t.Errorf("%s: ADMIN totalCount %d, want %s", when, got, want)
		}
		if got, want := total(t, uni), column(t, c.DSN, uniOracle, uniKey)[0]; fmt.Sprint(got) != want {
			t.Errorf("%s: %s totalCount %d, want %s", when, uniKey, got, want)
		}
		if stale := column(t, c.DSN, `SELECT count(*) FROM startup_sectors x JOIN startups s ON s.id = x.startup_id WHERE x.stage <> s.stage`)[0]; stale != "0" {
			t.Errorf("%s: %s startup_sectors rows hold another stage than their startup's", when, stale)
		}
	}
	check(t, "demo data")

	c.OK(t, `mutation($id: ID!, $v: Int!) { moveStartupStage(input: {id: $id, expectedVersion: $v, stage: PROTOTYPE, reason: "back to PROTOTYPE (a move back needs a reason since issue 19)"}) { startup { stage } } }`,
		map[string]any{"id": gid(t, c.DSN, globalid.Startup, "startups", inKey), "v": inVersion}, nil)
	check(t, "after a stage move")

	sectors := []string{sector}
	for _, k := range column(t, c.DSN, `SELECT y.key FROM startup_sectors x JOIN sectors y ON y.id = x.sector_id JOIN startups s ON s.id = x.startup_id WHERE s.key = $1`, outKey) {
		sectors = append(sectors, gid(t, c.DSN, globalid.Sector, "sectors", k))
	}
	c.OK(t, `mutation($id: ID!, $v: Int!, $s: [ID!]) { updateStartup(input: {id: $id, expectedVersion: $v, sectorIds: $s}) { startup { id } } }`,
		map[string]any{"id": gid(t, c.DSN, globalid.Startup, "startups", outKey), "v": outVersion, "s": sectors}, nil)
	check(t, "after a change of sectors")
}
