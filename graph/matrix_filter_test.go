package graph_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"startupgraph/graph/generated"
	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/testdb"
)

// The access matrix, extended to filters: every filter field that names
// another node runs as every role with every node of that type (one at a
// time, and all at once), and must select exactly the rows (ids and
// totalCount) that an independent SQL oracle selects when it applies the
// filter only over what the role may see. A relationship the role cannot
// see (another university's assignment of a shared team, a visible mentor's
// mentorship of a hidden team) must never select a row.

// viewerScope is the oracle's picture of what a viewer sees, as the graph
// shows it, written independently of internal/store/scope.go. $1 is the
// viewer: NULL reads everything (ADMIN, ANALYST); otherwise the key of its
// university (the empty string for anonymous: it matches no university, so
// anonymous sees nothing).
const viewerScope = `WITH
own AS (SELECT id FROM universities WHERE key = $1),
vs AS (SELECT s.id FROM startups s
       WHERE $1::text IS NULL OR EXISTS (SELECT 1 FROM assignments a JOIN own ON own.id = a.university_id WHERE a.startup_id = s.id)),
va AS (SELECT a.startup_id, a.university_id FROM assignments a
       WHERE a.startup_id IN (SELECT id FROM vs) AND ($1::text IS NULL OR a.university_id IN (SELECT id FROM own))),
vms AS (SELECT e.mentor_id, e.startup_id FROM mentorships e WHERE e.startup_id IN (SELECT id FROM vs)),
vm AS (SELECT m.id, m.affiliated_university_id, m.affiliated_organization_id FROM mentors m
       WHERE $1::text IS NULL OR m.id IN (SELECT mentor_id FROM vms) OR m.affiliated_university_id IN (SELECT id FROM own)),
vmsec AS (SELECT e.mentor_id, e.sector_id FROM mentor_sectors e WHERE e.mentor_id IN (SELECT id FROM vm)),
vmmk AS (SELECT e.mentor_id, e.market_id FROM mentor_markets e WHERE e.mentor_id IN (SELECT id FROM vm)),
vi AS (SELECT i.id, i.fund_id, i.startup_id FROM investments i WHERE i.startup_id IN (SELECT id FROM vs)),
vss AS (SELECT e.startup_id, e.sector_id FROM startup_sectors e WHERE e.startup_id IN (SELECT id FROM vs)),
vmem AS (SELECT e.startup_id, e.cohort_id, c.program_id FROM memberships e JOIN cohorts c ON c.id = e.cohort_id
         WHERE e.startup_id IN (SELECT id FROM vs)),
vmt AS (SELECT e.startup_id, e.market_id, e.status FROM market_targets e WHERE e.startup_id IN (SELECT id FROM vs))
`

// filterField is one filter field that walks a relationship: the values to
// try (ids, or enum names) and the oracle selecting the ids of the list's
// rows over the viewer's scope, given the filter's values in v (text[]).
type filterField struct {
	list, field string
	typ         globalid.Type // the type of the ids; "" for an enum
	varType     string        // the GraphQL type of the variable
	values      string        // SQL listing the values to try, one at a time
	oracle      string
}

var startupFilterFields = []filterField{
	{"startups", "sectorIds", globalid.Sector, "[ID!]", "SELECT id::text FROM sectors",
		"SELECT id FROM vs WHERE id IN (SELECT startup_id FROM vss WHERE sector_id = ANY(v::bigint[]))"},
	{"startups", "programIds", globalid.Program, "[ID!]", "SELECT id::text FROM programs",
		"SELECT id FROM vs WHERE id IN (SELECT startup_id FROM vmem WHERE program_id = ANY(v::bigint[]))"},
	{"startups", "cohortIds", globalid.Cohort, "[ID!]", "SELECT id::text FROM cohorts",
		"SELECT id FROM vs WHERE id IN (SELECT startup_id FROM vmem WHERE cohort_id = ANY(v::bigint[]))"},
	{"startups", "universityIds", globalid.University, "[ID!]", "SELECT id::text FROM universities",
		"SELECT id FROM vs WHERE id IN (SELECT startup_id FROM va WHERE university_id = ANY(v::bigint[]))"},
	{"startups", "mentorIds", globalid.Mentor, "[ID!]", "SELECT id::text FROM mentors",
		"SELECT id FROM vs WHERE id IN (SELECT startup_id FROM vms WHERE mentor_id = ANY(v::bigint[]))"},
	{"startups", "fundIds", globalid.Fund, "[ID!]", "SELECT id::text FROM funds",
		"SELECT id FROM vs WHERE id IN (SELECT startup_id FROM vi WHERE fund_id = ANY(v::bigint[]))"},
	{"startups", "marketIds", globalid.Market, "[ID!]", "SELECT id::text FROM markets",
		"SELECT id FROM vs WHERE id IN (SELECT startup_id FROM vmt WHERE market_id = ANY(v::bigint[]))"},
	{"startups", "targetStatuses", "", "[MarketTargetStatus!]", "SELECT unnest(ARRAY['EXPLORING', 'LOCALIZING', 'ENTERED'])",
		"SELECT id FROM vs WHERE id IN (SELECT startup_id FROM vmt WHERE status = ANY(v::text[]))"},
}

var otherFilterFields = []filterField{
	{"mentors", "sectorIds", globalid.Sector, "[ID!]", "SELECT id::text FROM sectors",
		"SELECT id FROM vm WHERE id IN (SELECT mentor_id FROM vmsec WHERE sector_id = ANY(v::bigint[]))"},
	{"mentors", "marketIds", globalid.Market, "[ID!]", "SELECT id::text FROM markets",
		"SELECT id FROM vm WHERE id IN (SELECT mentor_id FROM vmmk WHERE market_id = ANY(v::bigint[]))"},
	{"mentors", "universityIds", globalid.University, "[ID!]", "SELECT id::text FROM universities",
		"SELECT id FROM vm WHERE affiliated_university_id = ANY(v::bigint[])"},
	{"mentors", "organizationIds", globalid.Organization, "[ID!]", "SELECT id::text FROM organizations",
		"SELECT id FROM vm WHERE affiliated_organization_id = ANY(v::bigint[])"},
	{"mentors", "startupIds", globalid.Startup, "[ID!]", "SELECT id::text FROM startups",
		"SELECT id FROM vm WHERE id IN (SELECT mentor_id FROM vms WHERE startup_id = ANY(v::bigint[]))"},
	// Every one of the startups: relational division, not the store's count.
	// Tried with each pair of startups that share a mentor in the whole
	// graph, visible or not (values separated by a space).
	{"mentors", "sharedByStartupIds", globalid.Startup, "[ID!]",
		"SELECT DISTINCT a.startup_id || ' ' || b.startup_id FROM mentorships a JOIN mentorships b ON b.mentor_id = a.mentor_id AND b.startup_id > a.startup_id",
		"SELECT m.id FROM vm m WHERE NOT EXISTS (SELECT 1 FROM unnest(v::bigint[]) u(id) WHERE NOT EXISTS (SELECT 1 FROM vms e WHERE e.mentor_id = m.id AND e.startup_id = u.id))"},
	{"investments", "fundIds", globalid.Fund, "[ID!]", "SELECT id::text FROM funds",
		"SELECT id FROM vi WHERE fund_id = ANY(v::bigint[])"},
	{"investments", "startupIds", globalid.Startup, "[ID!]", "SELECT id::text FROM startups",
		"SELECT id FROM vi WHERE startup_id = ANY(v::bigint[])"},
}

// filterFieldsExempt are filter fields that name a node but need no scope
// case: the audit log is ADMIN only, and ADMIN reads everything.
var filterFieldsExempt = map[string]bool{"auditLog.entityId": true}

// nodeFilterFields lists list.field for every field of a Query field's
// filter input whose type is an ID or a list of IDs.
func nodeFilterFields(t *testing.T) []string {
	t.Helper()
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	var out []string
	for _, f := range schema.Query.Fields {
		a := f.Arguments.ForName("filter")
		if a == nil {
			continue
		}
		for _, in := range schema.Types[a.Type.Name()].Fields {
			if in.Type.Name() == "ID" {
				out = append(out, f.Name+"."+in.Name)
			}
		}
	}
	return out
}

// filterProbe adds rows that make a leak show whatever the demo data holds:
// a team assigned to Ghent and to Utah, a team assigned to Utah alone, a
// mentor of both (visible to Ghent through the shared team, its mentorship
// of the Utah team hidden), and an investment into the Utah team.
const filterProbe = `
INSERT INTO startups (key, name_ko, name_en, stage) VALUES
  ('probe-shared', '공유 팀', 'Probe Shared Team', 'IDEA'), ('probe-utah', '유타 팀', 'Probe Utah Team', 'IDEA');
INSERT INTO assignments (university_id, startup_id, purpose, status, since)
SELECT u.id, s.id, v.purpose, 'ACTIVE', DATE '2024-01-01'
FROM (VALUES ('ghent-university', 'probe-shared', 'JOINT_PROJECT'), ('university-of-utah', 'probe-shared', 'INTERNSHIP'),
             ('university-of-utah', 'probe-utah', 'JOINT_PROJECT')) v(university, startup, purpose)
JOIN universities u ON u.key = v.university JOIN startups s ON s.key = v.startup;
INSERT INTO mentors (key, name_ko, name_en) VALUES ('probe-mentor', '탐침 멘토', 'Probe Mentor');
INSERT INTO mentorships (mentor_id, startup_id, focus, since)
SELECT m.id, s.id, 'probe', DATE '2024-01-01' FROM mentors m, startups s WHERE m.key = 'probe-mentor' AND s.key IN ('probe-shared', 'probe-utah');
INSERT INTO investments (fund_id, startup_id, amount_krw, invested_on, round)
SELECT f.id, s.id, 1000000, DATE '2024-02-01', 'SEED' FROM funds f, startups s
WHERE f.key = 'creative-growth-venture-fund' AND s.key = 'probe-utah';
`

// filterRole is a viewer of the filter matrix.
type filterRole struct {
	name, key  string
	university any // the oracle's $1: nil reads everything, "" sees nothing
}

func TestAccessMatrixFilters(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	db, err := sql.Open("postgres", c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// One session, without JIT: the oracle's CTEs have no statistics, and
	// compiling their plans would cost more than running them.
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("SET jit = off"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(filterProbe); err != nil {
		t.Fatal(err)
	}

	var insights []filterField
	for _, f := range startupFilterFields {
		f.list = "insights"
		insights = append(insights, f)
	}
	fields := slices.Concat(startupFilterFields, otherFilterFields, insights)
	for _, name := range nodeFilterFields(t) {
		if !filterFieldsExempt[name] && !slices.ContainsFunc(fields, func(f filterField) bool { return f.list+"."+f.field == name }) {
			t.Errorf("filter field %s names a node but has no scope oracle here", name)
		}
	}

	roles := []filterRole{
		{"anonymous", "", ""},
		{"admin", c.Key, nil},
		{"analyst", c.NewKey(t, "ANALYST", ""), nil},
	}
	for _, u := range column(t, c.DSN, "SELECT key FROM universities") {
		roles = append(roles, filterRole{u, c.NewKey(t, "UNIVERSITY", u), u})
	}
	tries := make([][][]string, len(fields))
	for i, f := range fields {
		tries[i] = filterTries(t, db, f)
	}
	for _, role := range roles {
		t.Run(role.name, func(t *testing.T) {
			as := c.As(role.key)
			for i, f := range fields {
				answers := filterAnswers(t, as, role, f, tries[i])
				wants := filterOracle(t, db, f, role.university, tries[i])
				if role.key != "" && !slices.ContainsFunc(wants, func(w []string) bool { return len(w) > 0 }) {
					t.Errorf("%s.%s: the oracle selects nothing for %s: the data does not exercise it", f.list, f.field, role.name)
				}
				for j, vals := range tries[i] {
					got, want := answers[j], wants[j]
					if f.list == "insights" { // it counts the slice: only its size is compared
						if got.total != len(want) {
							t.Errorf("insights(filter: {%s: %v}) { startups }: got %d, want %d (rows %v)", f.field, vals, got.total, len(want), want)
						}
						continue
					}
					if !slices.Equal(got.ids, want) || got.total != len(want) {
						t.Errorf("%s(filter: {%s: %v}): got rows %v (totalCount %d), want %v", f.list, f.field, vals, got.ids, got.total, want)
					}
				}
			}
		})
	}
}

// filterTries returns the value lists to try for f: each value alone, then
// all at once (they combine with OR; with AND for sharedByStartupIds).
func filterTries(t *testing.T, db *sql.DB, f filterField) [][]string {
	t.Helper()
	var values []string
	rows, err := db.Query(f.values)
	if err != nil {
		t.Fatalf("values of %s.%s: %v", f.list, f.field, err)
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		values = append(values, v)
	}
	if err := rows.Err(); err != nil || len(values) == 0 {
		t.Fatalf("%s.%s: no values to try (%v)", f.list, f.field, err)
	}
	tries := make([][]string, 0, len(values)+1)
	var all []string
	for _, v := range values {
		tries = append(tries, strings.Fields(v))
		for _, x := range strings.Fields(v) {
			if !slices.Contains(all, x) {
				all = append(all, x)
			}
		}
	}
	return append(tries, all)
}

// filterOracle returns, for each try, the sorted row ids f selects for
// viewer, as text: one statement runs the oracle once per try.
func filterOracle(t *testing.T, db *sql.DB, f filterField, viewer any, tries [][]string) [][]string {
	t.Helper()
	encoded, err := json.Marshal(tries)
	if err != nil {
		t.Fatal(err)
	}
	q := viewerScope + `, tries AS (
  SELECT n, ARRAY(SELECT jsonb_array_elements_text(x)) AS v FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY t(x, n))
SELECT tries.n, q.id::text FROM tries CROSS JOIN LATERAL (` + f.oracle + `) q(id)`
	rows, err := db.Query(q, viewer, string(encoded))
	if err != nil {
		t.Fatalf("oracle %s.%s: %v", f.list, f.field, err)
	}
	defer rows.Close()
	out := make([][]string, len(tries))
	for i := range out {
		out[i] = []string{}
	}
	for rows.Next() {
		var n int
		var id string
		if err := rows.Scan(&n, &id); err != nil {
			t.Fatal(err)
		}
		out[n-1] = append(out[n-1], id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, ids := range out {
		sort.Strings(ids)
	}
	return out
}

// filterAnswer is what the API selected for one try: the sorted row ids
// and the total (for insights, which counts the slice, only the total).
type filterAnswer struct {
	ids   []string
	total int
}

// filterAnswers asks the API for every try of f in one document, one
// aliased field per try.
func filterAnswers(t *testing.T, as *apitest.Client, role filterRole, f filterField, tries [][]string) []filterAnswer {
	t.Helper()
	sel, args := "totalCount pageInfo { hasNextPage } nodes { id }", "first: 100, "
	if f.list == "insights" {
		sel, args = "startups", ""
	}
	var decl, body strings.Builder
	vars := map[string]any{}
	for i, vals := range tries {
		arg := make([]string, len(vals))
		for j, v := range vals {
			arg[j] = v
			if f.typ != "" {
				n, _ := strconv.ParseInt(v, 10, 64)
				arg[j] = globalid.Encode(f.typ, n)
			}
		}
		vars["v"+strconv.Itoa(i)] = arg
		fmt.Fprintf(&decl, "$v%d: %s ", i, f.varType)
		fmt.Fprintf(&body, "r%d: %s(%sfilter: {%s: $v%d}) { %s } ", i, f.list, args, f.field, i, sel)
	}
	q := "query(" + decl.String() + ") { " + body.String() + "}"
	r := as.Do(t, q, vars)
	if role.key == "" && r.Code() != "UNAUTHENTICATED" || role.key != "" && len(r.Errors) > 0 {
		t.Fatalf("%s %s.%s: %+v", role.name, f.list, f.field, r.Errors)
	}
	var data map[string]struct {
		TotalCount, Startups int
		PageInfo             struct{ HasNextPage bool }
		Nodes                []struct{ ID string }
	}
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatal(err)
	}
	out := make([]filterAnswer, len(tries))
	for i := range tries {
		d := data["r"+strconv.Itoa(i)] // none for anonymous: its data is null
		if d.PageInfo.HasNextPage {
			t.Fatalf("%s.%s: more than one page; the matrix needs every row", f.list, f.field)
		}
		a := filterAnswer{ids: []string{}, total: d.TotalCount}
		if f.list == "insights" {
			a.total = d.Startups
		}
		for _, n := range d.Nodes {
			a.ids = append(a.ids, strconv.FormatInt(rowID(t, n.ID), 10))
		}
		sort.Strings(a.ids)
		out[i] = a
	}
	return out
}

// TestFiltersCannotSelectByHiddenRows: with the probe rows (a team assigned
// to Ghent and Utah, a Utah team, a mentor of both, an investment into the
// Utah team), every filter that could only match through a row Ghent cannot
// see returns nothing to a Ghent key, while ADMIN finds rows for each (so
// the data does exercise it).
func TestFiltersCannotSelectByHiddenRows(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	db, err := sql.Open("postgres", c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(filterProbe); err != nil {
		t.Fatal(err)
	}
	id := func(typ globalid.Type, table, key string) string { return gid(t, c.DSN, typ, table, key) }
	utah := id(globalid.University, "universities", "university-of-utah")
	shared := id(globalid.Startup, "startups", "probe-shared")
	utahTeam := id(globalid.Startup, "startups", "probe-utah")
	ghent := c.As(c.NewKey(t, "UNIVERSITY", "ghent-university"))

	cases := []struct {
		name, query string
		vars        map[string]any
	}{
		{"its own teams also assigned to Utah", `query($v: [ID!]) { r: startups(filter: {universityIds: $v}) { totalCount nodes { id } } }`,
			map[string]any{"v": []string{utah}}},
		{"insights over Utah's teams", `query($v: [ID!]) { r: insights(filter: {universityIds: $v}) { startups } }`,
			map[string]any{"v": []string{utah}}},
		{"mentors of a Utah team", `query($v: [ID!]) { r: mentors(filter: {startupIds: $v}) { totalCount nodes { id } } }`,
			map[string]any{"v": []string{utahTeam}}},
		{"mentors shared with a Utah team", `query($v: [ID!]) { r: mentors(filter: {sharedByStartupIds: $v}) { totalCount nodes { id } } }`,
			map[string]any{"v": []string{shared, utahTeam}}},
		{"investments into a Utah team", `query($v: [ID!]) { r: investments(filter: {startupIds: $v}) { totalCount nodes { id } } }`,
			map[string]any{"v": []string{utahTeam}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var admin, got struct {
				R struct {
					TotalCount, Startups int
					Nodes                []struct{ ID string }
				}
			}
			c.OK(t, tc.query, tc.vars, &admin)
			if admin.R.TotalCount+admin.R.Startups == 0 {
				t.Fatal("ADMIN finds nothing: the probe rows do not exercise this filter")
			}
			ghent.OK(t, tc.query, tc.vars, &got)
			if got.R.TotalCount != 0 || got.R.Startups != 0 || len(got.R.Nodes) != 0 {
				t.Errorf("a Ghent key selected by a relationship it cannot see: %+v", got.R)
			}
		})
	}
}
