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
//
// The filter fields and the oracle's scope are in matrix_filter_fields_test.go.

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

	roles := everyRole(t, c)
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
