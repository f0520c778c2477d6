package graph_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"startupgraph/graph/generated"
	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/relation"
	"startupgraph/internal/synthetic"
	"startupgraph/internal/testdb"
)

// What the nested matrices (TestNestedWhereMatrix, and the nested part of
// TestOrderMatrix) read: every relationship field of a type that a root
// list (or viewer.university) reaches, with the oracle's picture of the
// edges a viewer sees, over the views of viewerScope and written
// independently of the store.

// nestedEdge is the oracle's picture of one relationship field: FROM and
// WHERE over the aliases par (the parent), e (the edge; the far node's
// row for a foreign key) and p (the far node), selecting the edges of par
// the viewer sees.
type nestedEdge struct {
	edges  string
	edgeID string // the edge's id, which breaks ties of an orderBy
	// sel is the GraphQL selection of a child's label (its key when
	// empty; fields joined by a space), label the oracle's.
	sel, label string
}

var nestedEdges = map[string]nestedEdge{
	"University.startups": {edges: `FROM assignments e JOIN startups p ON p.id = e.startup_id JOIN universities par ON par.id = e.university_id
		WHERE (e.startup_id, e.university_id) IN (SELECT startup_id, university_id FROM va)`, edgeID: "e.id"},
	"University.mentors": {edges: `FROM mentors p JOIN universities par ON par.id = p.affiliated_university_id WHERE p.id IN (SELECT id FROM vm)`, edgeID: "p.id"},
	"Startup.universities": {edges: `FROM assignments e JOIN universities p ON p.id = e.university_id JOIN startups par ON par.id = e.startup_id
		WHERE (e.startup_id, e.university_id) IN (SELECT startup_id, university_id FROM va)`, edgeID: "e.id"},
	"Startup.sectors": {edges: `FROM startup_sectors e JOIN sectors p ON p.id = e.sector_id JOIN startups par ON par.id = e.startup_id
		WHERE (e.startup_id, e.sector_id) IN (SELECT startup_id, sector_id FROM vss)`, edgeID: "e.id"},
	"Startup.programs": {edges: `FROM memberships e JOIN cohorts c ON c.id = e.cohort_id JOIN programs p ON p.id = c.program_id JOIN startups par ON par.id = e.startup_id
		WHERE (e.startup_id, e.cohort_id) IN (SELECT startup_id, cohort_id FROM vmem) AND p.archived_at IS NULL`, edgeID: "e.id"},
	"Startup.investors": {edges: `FROM investments e JOIN funds p ON p.id = e.fund_id JOIN startups par ON par.id = e.startup_id
		WHERE e.id IN (SELECT id FROM vi)`, edgeID: "e.id"},
	"Startup.stageHistory": {edges: `FROM stage_changes p JOIN startups par ON par.id = p.startup_id WHERE par.id IN (SELECT id FROM vs)`, edgeID: "p.id",
		sel: "stage changedOn", label: "p.stage || ' ' || p.changed_on"},
	"Startup.outcomes": {edges: `FROM outcomes p JOIN startups par ON par.id = p.startup_id WHERE par.id IN (SELECT id FROM vs)`, edgeID: "p.id",
		sel: "kind reportedOn quantity", label: "p.kind || ' ' || p.reported_on || ' ' || p.quantity"},
	"Startup.mentors": {edges: `FROM mentorships e JOIN mentors p ON p.id = e.mentor_id JOIN startups par ON par.id = e.startup_id
		WHERE (e.mentor_id, e.startup_id) IN (SELECT mentor_id, startup_id FROM vms)`, edgeID: "e.id"},
	"Startup.markets": {edges: `FROM market_targets e JOIN markets p ON p.id = e.market_id JOIN startups par ON par.id = e.startup_id
		WHERE (e.startup_id, e.market_id) IN (SELECT startup_id, market_id FROM vmt)`, edgeID: "e.id"},
	"Mentor.sectors": {edges: `FROM mentor_sectors e JOIN sectors p ON p.id = e.sector_id JOIN mentors par ON par.id = e.mentor_id
		WHERE (e.mentor_id, e.sector_id) IN (SELECT mentor_id, sector_id FROM vmsec)`, edgeID: "e.id"},
	"Mentor.startups": {edges: `FROM mentorships e JOIN startups p ON p.id = e.startup_id JOIN mentors par ON par.id = e.mentor_id
		WHERE (e.mentor_id, e.startup_id) IN (SELECT mentor_id, startup_id FROM vms)`, edgeID: "e.id"},
	"Mentor.markets": {edges: `FROM mentor_markets e JOIN markets p ON p.id = e.market_id JOIN mentors par ON par.id = e.mentor_id
		WHERE (e.mentor_id, e.market_id) IN (SELECT mentor_id, market_id FROM vmmk)`, edgeID: "e.id"},
	"Sector.startups": {edges: `FROM startup_sectors e JOIN startups p ON p.id = e.startup_id JOIN sectors par ON par.id = e.sector_id
		WHERE (e.startup_id, e.sector_id) IN (SELECT startup_id, sector_id FROM vss)`, edgeID: "e.id"},
	"Sector.mentors": {edges: `FROM mentor_sectors e JOIN mentors p ON p.id = e.mentor_id JOIN sectors par ON par.id = e.sector_id
		WHERE (e.mentor_id, e.sector_id) IN (SELECT mentor_id, sector_id FROM vmsec)`, edgeID: "e.id"},
	"Market.startups": {edges: `FROM market_targets e JOIN startups p ON p.id = e.startup_id JOIN markets par ON par.id = e.market_id
		WHERE (e.startup_id, e.market_id) IN (SELECT startup_id, market_id FROM vmt)`, edgeID: "e.id"},
	"Market.mentors": {edges: `FROM mentor_markets e JOIN mentors p ON p.id = e.mentor_id JOIN markets par ON par.id = e.market_id
		WHERE (e.mentor_id, e.market_id) IN (SELECT mentor_id, market_id FROM vmmk)`, edgeID: "e.id"},
	"Cohort.startups": {edges: `FROM memberships e JOIN startups p ON p.id = e.startup_id JOIN cohorts par ON par.id = e.cohort_id
		WHERE (e.startup_id, e.cohort_id) IN (SELECT startup_id, cohort_id FROM vmem)`, edgeID: "e.id"},
	"Program.organizations": {edges: `FROM program_organizations e JOIN organizations p ON p.id = e.organization_id JOIN programs par ON par.id = e.program_id WHERE true`, edgeID: "e.id"},
	"Program.cohorts":       {edges: `FROM cohorts p JOIN programs par ON par.id = p.program_id WHERE p.archived_at IS NULL`, edgeID: "p.id"},
	"Program.startups": {edges: `FROM memberships e JOIN cohorts c ON c.id = e.cohort_id JOIN startups p ON p.id = e.startup_id JOIN programs par ON par.id = c.program_id
		WHERE (e.startup_id, e.cohort_id) IN (SELECT startup_id, cohort_id FROM vmem)`, edgeID: "e.id"},
	"Fund.portfolio":        {edges: `FROM investments e JOIN startups p ON p.id = e.startup_id JOIN funds par ON par.id = e.fund_id WHERE e.id IN (SELECT id FROM vi)`, edgeID: "e.id"},
	"Organization.children": {edges: `FROM organizations p JOIN organizations par ON par.id = p.parent_id WHERE true`, edgeID: "p.id"},
	"Organization.programs": {edges: `FROM program_organizations e JOIN programs p ON p.id = e.program_id JOIN organizations par ON par.id = e.organization_id WHERE p.archived_at IS NULL`, edgeID: "e.id"},
	"Organization.mentors":  {edges: `FROM mentors p JOIN organizations par ON par.id = p.affiliated_organization_id WHERE p.id IN (SELECT id FROM vm)`, edgeID: "p.id"},
	"Facility.spaces":       {edges: `FROM facilities p JOIN facilities par ON par.id = p.parent_id WHERE true`, edgeID: "p.id"},
	"Facility.residents":    {edges: `FROM startups p JOIN facilities par ON par.id = p.facility_id WHERE p.id IN (SELECT id FROM vs)`, edgeID: "p.id"},
}

// parentVisible is the oracle's condition on a parent par of each type the
// viewer sees (types not listed: every row); "viewer.university" is the
// viewer's own university.
var parentVisible = map[string]string{
	"Startup":           "par.id IN (SELECT id FROM vs)",
	"Mentor":            "par.id IN (SELECT id FROM vm)",
	"viewer.university": "par.key = $1",
}

// farEdges are, beside whereEdges (the root lists' relationships), the
// oracle's edges of far nodes p of the types without a paged root list.
var farEdges = map[string]string{
	"universities.startups": "SELECT 1 FROM va x WHERE x.university_id = p.id",
	"universities.mentors":  "SELECT 1 FROM vm x WHERE x.affiliated_university_id = p.id",
	"cohorts.startups":      "SELECT 1 FROM vmem x WHERE x.cohort_id = p.id",
}

// whereCase is a condition in the where grammar and the oracle's SQL for it.
type whereCase struct{ where, oracle string }

// factCases are conditions on the edge facts of each relationship (by its
// table), over the edge e; a reference fact's node filter sees only what
// the viewer sees (a program's or cohort's visible members).
var factCases = map[string][]whereCase{
	"assignments": {
		{`status: { eq: ACTIVE }`, `e.status = 'ACTIVE'`},
		{`since: { gte: "2018-01-01" }, until: { isNull: true }`, `e.since >= DATE '2018-01-01' AND e.until IS NULL`},
	},
	"mentorships": {
		{`focus: { includes: "market" }`, `e.focus ILIKE '%market%'`},
		{`or: [{ since: { lt: "2015-01-01" } }, { until: { isNull: false } }]`, `(e.since < DATE '2015-01-01' OR e.until IS NOT NULL)`},
	},
	"investments": {
		{`amount: { gte: 500000000 }, round: { in: [SEED, PRE_SERIES_A] }`, `e.amount_krw >= 500000000 AND e.round IN ('SEED', 'PRE_SERIES_A')`},
		{`not: { investedOn: { lt: "2020-01-01" } }`, `NOT (e.invested_on < DATE '2020-01-01')`},
	},
	"market_targets": {
		{`status: { ne: EXPLORING }, priority: { lte: 2 }`, `e.status <> 'EXPLORING' AND e.priority <= 2`},
		{`supportProgram: { startups: { count: { gte: 2 } } }`, `(SELECT count(*) FROM vmem x WHERE x.program_id = e.program_id) >= 2`},
	},
	"memberships": {
		{`joinedOn: { gte: "2020-01-01" }`, `e.joined_on >= DATE '2020-01-01'`},
		{`cohort: { startups: { count: { gte: 2 } } }`, `(SELECT count(*) FROM vmem x WHERE x.cohort_id = e.cohort_id) >= 2`},
	},
	"mentor_markets": {
		{`since: { lt: "2015-01-01" }`, `e.since < DATE '2015-01-01'`},
		{`note: { includes: "in" }`, `e.note ILIKE '%in%'`},
	},
	"program_organizations": {
		{`role: { eq: SPONSOR }`, `e.role = 'SPONSOR'`},
	},
}

// farNodeCases are conditions on the far node p's own fields, by its type:
// references (a mentor's university, and through it that university's
// teams as the viewer sees them) and the fields of nodes that have no
// relationships.
var farNodeCases = map[string][]whereCase{
	"Mentor": {
		{`university: { key: { eq: "ghent-university" } }`,
			`EXISTS (SELECT 1 FROM universities u WHERE u.id = p.affiliated_university_id AND u.key = 'ghent-university')`},
		{`university: { startups: { some: {} } }`, `EXISTS (SELECT 1 FROM va x WHERE x.university_id = p.affiliated_university_id)`},
	},
	"StageChange": {{`stage: { eq: INVESTMENT }, changedOn: { gte: "2017-01-01" }`, `p.stage = 'INVESTMENT' AND p.changed_on >= DATE '2017-01-01'`}},
	"Outcome":     {{`kind: { eq: EXPORT_CONTRACT }`, `p.kind = 'EXPORT_CONTRACT'`}},
}

// nestedField is one relationship field read from one source of parents.
type nestedField struct {
	// parents is the root list the parents come from: a paged list,
	// "universities" (a plain list), "viewer.university" or
	// "programs.cohorts" (every program's cohorts).
	parents  string
	typ      string // the parents' type
	field    string
	far      string // the type the field lists
	relTable string // the relationship's table, for its fact cases ("" without facts)
	nestedEdge
}

func (f nestedField) name() string { return f.parents + "." + f.field }

// nestedFields lists every relationship field of every type a root list
// (or viewer.university, or programs' cohorts) returns, failing the test for one without an
// oracle in nestedEdges.
func nestedFields(t *testing.T) []nestedField {
	t.Helper()
	sources := map[string][]string{"University": {"universities", "viewer.university"}, "Cohort": {"programs.cohorts"}}
	for _, l := range relation.Lists {
		sources[l.Node] = append(sources[l.Node], l.Field)
	}
	var out []nestedField
	for _, r := range relation.All {
		for _, end := range r.Ends {
			if end.Field == "" || len(sources[end.Node]) == 0 {
				continue
			}
			d, ok := relation.DirectionOf(end.Node, end.Field)
			if !ok {
				t.Fatalf("%s.%s: no direction", end.Node, end.Field)
			}
			e, ok := nestedEdges[end.Node+"."+end.Field]
			if !ok {
				t.Errorf("%s.%s has no oracle in nestedEdges", end.Node, end.Field)
				continue
			}
			table := ""
			if r.Facts != nil {
				table = r.Table
				if len(factCases[table]) == 0 {
					t.Errorf("%s.%s: the edge facts of %s have no case in factCases", end.Node, end.Field, table)
				}
			}
			for _, src := range sources[end.Node] {
				out = append(out, nestedField{parents: src, typ: end.Node, field: end.Field, far: d.Listed, relTable: table, nestedEdge: e})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name() < out[j].name() })
	return out
}

// farRelationships are the relationship fields of node type far, each with
// the oracle's edges of a far node p (whereEdges, farEdges).
func farRelationships(t *testing.T, far string) map[string]string {
	t.Helper()
	list := map[string]string{"University": "universities", "Cohort": "cohorts"}[far]
	for _, l := range relation.Lists {
		if l.Node == far {
			list = l.Field
		}
	}
	out := map[string]string{}
	for _, r := range relation.All {
		for _, e := range r.Ends {
			if e.Node != far || e.Field == "" {
				continue
			}
			sql := whereEdges[list+"."+e.Field]
			if sql == "" {
				sql = farEdges[list+"."+e.Field]
			}
			if sql == "" {
				t.Errorf("%s.%s has no oracle in whereEdges or farEdges", far, e.Field)
				continue
			}
			out[e.Field] = sql
		}
	}
	return out
}

// childPage is one page of a nested connection, each node a map of the
// label's fields.
type childPage struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
	Nodes []map[string]any
}

type nestedParent struct {
	ID, Key string
	C       childPage
}

// authenticated reports whether a field of typ needs a key.
func authenticated(typ, field string) bool {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	f := schema.Types[typ].Fields.ForName(field)
	return f != nil && f.Directives.ForName("authenticated") != nil
}

// nestedRefused reports whether, for an anonymous viewer, f's query needs a
// key (its parents' list or the field): then it checks that the request is
// refused as UNAUTHENTICATED.
func nestedRefused(t *testing.T, cl *apitest.Client, role filterRole, f nestedField, args string) bool {
	t.Helper()
	list, _, _ := strings.Cut(f.parents, ".")
	if role.name != "anonymous" || f.parents == "viewer.university" || !authenticated("Query", list) && !authenticated(f.typ, f.field) {
		return false // (an anonymous viewer has no university)
	}
	q := parentsQuery(f.parents, fmt.Sprintf("%s(first: 1%s) { totalCount }", f.field, args))
	if r := cl.Do(t, q, map[string]any{"pc": nil}); r.Code() != "UNAUTHENTICATED" {
		t.Errorf("anonymous %s: %+v (want UNAUTHENTICATED)", q, r.Errors)
	}
	return true
}

// parentsQuery is the query that selects inner on every parent of a
// source (a page of them, after $pc, for a paged root list).
func parentsQuery(parents, inner string) string {
	switch parents {
	case "universities":
		return `{ l: universities { ` + inner + ` } }`
	case "viewer.university":
		return `{ viewer { university { ` + inner + ` } } }`
	case "programs.cohorts":
		return `{ l: programs(first: 30) { pageInfo { hasNextPage } nodes { cohorts(first: 10) { pageInfo { hasNextPage } nodes { ` + inner + ` } } } } }`
	}
	return `query($pc: String) { l: ` + parents + `(first: 100, after: $pc) { pageInfo { hasNextPage endCursor } nodes { ` + inner + ` } } }`
}

// nestedChildren reads f(args) of every parent the viewer sees, each
// parent's whole list page by page (size items; backward: from the end),
// the first page of every parent in one request and the next ones through
// node(id:); it checks totalCount, and returns the labels of each parent's
// children in list order.
func nestedChildren(t *testing.T, cl *apitest.Client, f nestedField, args string, size int, backward bool) map[string][]string {
	t.Helper()
	page, next := fmt.Sprintf("first: %d", size), fmt.Sprintf("first: %d, after: $c", size)
	if backward {
		page, next = fmt.Sprintf("last: %d", size), fmt.Sprintf("last: %d, before: $c", size)
	}
	sel := f.sel
	if sel == "" {
		sel = "key"
	}
	child := fmt.Sprintf("totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { %s }", sel)
	inner := fmt.Sprintf("id key c: %s(%s%s) { %s }", f.field, page, args, child)
	var parents []nestedParent
	switch f.parents {
	case "universities":
		var d struct{ L []nestedParent }
		cl.OK(t, parentsQuery(f.parents, inner), nil, &d)
		parents = d.L
	case "viewer.university":
		var d struct {
			Viewer struct{ University *nestedParent }
		}
		cl.OK(t, parentsQuery(f.parents, inner), nil, &d)
		if d.Viewer.University != nil {
			parents = append(parents, *d.Viewer.University)
		}
	case "programs.cohorts":
		type page[T any] struct {
			PageInfo struct{ HasNextPage bool }
			Nodes    []T
		}
		var d struct {
			L page[struct{ Cohorts page[nestedParent] }]
		}
		cl.OK(t, parentsQuery(f.parents, inner), nil, &d)
		for _, p := range d.L.Nodes {
			if p.Cohorts.PageInfo.HasNextPage {
				t.Fatal("a program of more than 10 cohorts")
			}
			parents = append(parents, p.Cohorts.Nodes...)
		}
		if d.L.PageInfo.HasNextPage {
			t.Fatal("more than 30 programs")
		}
	default:
		var after *string
		for {
			var d struct {
				L struct {
					PageInfo struct {
						HasNextPage bool
						EndCursor   *string
					}
					Nodes []nestedParent
				}
			}
			cl.OK(t, parentsQuery(f.parents, inner), map[string]any{"pc": after}, &d)
			parents = append(parents, d.L.Nodes...)
			if !d.L.PageInfo.HasNextPage {
				break
			}
			after = d.L.PageInfo.EndCursor
		}
	}
	labels := func(p childPage) []string {
		out := make([]string, len(p.Nodes))
		for i, n := range p.Nodes {
			var parts []string
			for _, k := range strings.Fields(sel) {
				parts = append(parts, fmt.Sprint(n[k]))
			}
			out[i] = strings.Join(parts, " ")
		}
		return out
	}
	out := map[string][]string{}
	for _, p := range parents {
		all, c, total := labels(p.C), p.C, p.C.TotalCount
		for pages := 1; ; pages++ {
			more, cursor := c.PageInfo.HasNextPage, c.PageInfo.EndCursor
			if backward {
				more, cursor = c.PageInfo.HasPreviousPage, c.PageInfo.StartCursor
			}
			if !more {
				break
			}
			if len(c.Nodes) != size || pages > 100 {
				t.Fatalf("%s of %s: a page of %d for %d with more to come (page %d)", f.name(), p.Key, len(c.Nodes), size, pages)
			}
			var d struct{ Node struct{ C childPage } }
			cl.OK(t, fmt.Sprintf(`query($id: ID!, $c: String) { node(id: $id) { ... on %s { c: %s(%s%s) { %s } } } }`, f.typ, f.field, next, args, child),
				map[string]any{"id": p.ID, "c": cursor}, &d)
			c = d.Node.C
			if backward {
				all = append(labels(c), all...)
			} else {
				all = append(all, labels(c)...)
			}
		}
		if total != len(all) {
			t.Errorf("%s(%s) of %s: totalCount %d for %d items", f.name(), args, p.Key, total, len(all))
		}
		out[p.Key] = all
	}
	return out
}

// groupedRows runs an oracle query returning (parent, child) pairs and
// groups the children by parent in row order.
func groupedRows(t *testing.T, db *sql.DB, query string, args ...any) map[string][]string {
	t.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		t.Fatalf("oracle: %v\n%s", err, query)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var parent, child string
		if err := rows.Scan(&parent, &child); err != nil {
			t.Fatal(err)
		}
		out[parent] = append(out[parent], child)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// nestedOracle is the query of the edges of f that match cond (over e and
// p) for viewer $1, ordered by order (after the parent).
func nestedOracle(f nestedField, cond, order string) string {
	label := f.label
	if label == "" {
		label = "p.key"
	}
	visible := parentVisible[f.parents]
	if visible == "" {
		visible = parentVisible[f.typ]
	}
	if visible == "" {
		visible = "true"
	}
	return viewerScope + fmt.Sprintf(", r AS (SELECT par.key AS parent, (%s)::text AS child %s AND %s AND (%s) ORDER BY par.key, %s) SELECT parent, child FROM r",
		label, f.edges, visible, cond, order)
}

// sameGroups compares the children of each parent, in order.
func sameGroups(got, want map[string][]string) []string {
	var diffs []string
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	for k := range keys {
		if !slices.Equal(got[k], want[k]) {
			diffs = append(diffs, fmt.Sprintf("%s: got %d %v, want %d %v", k, len(got[k]), head(got[k]), len(want[k]), head(want[k])))
		}
	}
	sort.Strings(diffs)
	return diffs
}

func sortedGroups(m map[string][]string) map[string][]string {
	for _, v := range m {
		sort.Strings(v)
	}
	return m
}

func countRows(m map[string][]string) int {
	n := 0
	for _, v := range m {
		n += len(v)
	}
	return n
}

// openOracle opens the test database for oracle queries.
// probedClient is the demo data, n synthetic startups (seed) and the
// filter probe rows, with an oracle connection to them.
func probedClient(t *testing.T, n, seed int) (*apitest.Client, *sql.DB) {
	t.Helper()
	c := apitest.New(t, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), c.Store, n, int64(seed)); err != nil {
		t.Fatal(err)
	}
	db := openOracle(t, c.DSN)
	if _, err := db.Exec(filterProbe); err != nil {
		t.Fatal(err)
	}
	return c, db
}

func openOracle(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestNestedWhereMatrix: the where argument of every relationship field
// that a root list or viewer.university reaches, as every role, equals the
// oracle over what that role sees, per parent (the children and
// totalCount): a relationship predicate on the far node (some, none, count
// of its own relationships: a university may not learn of other
// universities' assignments of a mentor's other teams, nor of funds' or
// sectors' hidden teams), conditions on the edge's facts (reference facts
// included) and on the far node's own fields and references; and the
// reference filters of the mentors list.
func TestNestedWhereMatrix(t *testing.T) {
	c, db := probedClient(t, 60, 7)
	fields := nestedFields(t)
	type nestedCase struct {
		f      nestedField
		where  string
		oracle string
	}
	var cases []nestedCase
	for _, f := range fields {
		rels := farRelationships(t, f.far)
		names := make([]string, 0, len(rels))
		for r := range rels {
			names = append(names, r)
		}
		sort.Strings(names)
		for _, r := range names {
			cases = append(cases,
				nestedCase{f, fmt.Sprintf("{ node: { %s: { some: {} } } }", r), "EXISTS (" + rels[r] + ")"},
				nestedCase{f, fmt.Sprintf("{ node: { %s: { none: {} } } }", r), "NOT EXISTS (" + rels[r] + ")"},
				nestedCase{f, fmt.Sprintf("{ node: { %s: { count: { gte: 2 } } } }", r), "(SELECT count(*) FROM (" + rels[r] + ") q) >= 2"})
		}
		for _, fc := range farNodeCases[f.far] {
			cases = append(cases, nestedCase{f, "{ node: { " + fc.where + " } }", fc.oracle})
		}
		for _, fc := range factCases[f.relTable] {
			cases = append(cases, nestedCase{f, "{ " + fc.where + " }", fc.oracle})
		}
	}
	// The root lists' reference filters: a mentor's university, an
	// investment's startup and fund, each seen as the viewer sees it.
	type refCase struct{ list, where, oracle string }
	refs := []refCase{
		{"mentors", `{ university: { startups: { some: {} } } }`, `EXISTS (SELECT 1 FROM va x WHERE x.university_id = p.affiliated_university_id)`},
		{"mentors", `{ university: { mentors: { count: { gte: 2 } } } }`, `(SELECT count(*) FROM vm x WHERE x.affiliated_university_id = p.affiliated_university_id) >= 2`},
		{"mentors", `{ not: { university: { startups: { count: { gte: 3 } } } } }`, `NOT COALESCE((SELECT count(*) FROM va x WHERE x.university_id = p.affiliated_university_id) >= 3, false)`},
		{"mentors", `{ organization: { mentors: { count: { gte: 2 } } } }`, `(SELECT count(*) FROM vm x WHERE x.affiliated_organization_id = p.affiliated_organization_id) >= 2`},
		{"investments", `{ startup: { universities: { count: { gte: 2 } } } }`, `(SELECT count(*) FROM va x WHERE x.startup_id = p.startup_id) >= 2`},
		{"investments", `{ startup: { mentors: { some: { node: { university: { key: { eq: "ghent-university" } } } } } } }`,
			`EXISTS (SELECT 1 FROM vms x JOIN mentors m ON m.id = x.mentor_id JOIN universities u ON u.id = m.affiliated_university_id
			   WHERE x.startup_id = p.startup_id AND u.key = 'ghent-university')`},
		{"investments", `{ fund: { portfolio: { count: { gte: 3 } } } }`, `(SELECT count(*) FROM vi x WHERE x.fund_id = p.fund_id) >= 3`},
	}
	for _, u := range column(t, c.DSN, "SELECT key FROM universities") {
		refs = append(refs, refCase{"mentors", `{ university: { key: { eq: "` + u + `" } } }`,
			`EXISTS (SELECT 1 FROM universities u WHERE u.id = p.affiliated_university_id AND u.key = '` + u + `')`})
	}
	refLists := map[string]struct{ from, label, sel string }{
		"mentors":     {"mentors p WHERE p.id IN (SELECT id FROM vm)", "p.key", "key"},
		"investments": {"investments p WHERE p.id IN (SELECT id FROM vi)", "p.id::text", "id"},
	}
	found := map[string]int{} // rows each case's oracle finds, over every role
	total := 0
	roles := everyRole(t, c)
	var mu sync.Mutex
	t.Run("role", func(t *testing.T) {
		for _, role := range roles {
			cl := c.As(role.key)
			t.Run(role.name, func(t *testing.T) {
				t.Parallel()
				checked, rows := 0, 0
				for _, nc := range cases {
					args := ", where: " + nc.where
					if nestedRefused(t, cl, role, nc.f, args) {
						checked++
						continue
					}
					got := sortedGroups(nestedChildren(t, cl, nc.f, args, 100, false))
					want := sortedGroups(groupedRows(t, db, nestedOracle(nc.f, nc.oracle, "p.id"), role.university))
					if diffs := sameGroups(got, want); len(diffs) > 0 {
						t.Errorf("%s(where: %s): %d parents differ: %s", nc.f.name(), nc.where, len(diffs), strings.Join(head(diffs), "; "))
					}
					mu.Lock()
					found[nc.f.name()+nc.where] += countRows(want)
					mu.Unlock()
					checked++
					rows += countRows(want)
				}
				for _, rc := range refs {
					if role.name == "anonymous" {
						if r := cl.Do(t, `{ `+rc.list+`(where: `+rc.where+`) { totalCount } }`, nil); r.Code() != "UNAUTHENTICATED" {
							t.Errorf("anonymous %s(where: %s): %+v", rc.list, rc.where, r.Errors)
						}
						checked++
						continue
					}
					l := refLists[rc.list]
					got := walkAs(t, cl, rc.list, ", where: "+rc.where, l.sel, 100, false)
					for i, g := range got {
						if l.sel == "id" {
							_, id, err := globalid.Decode("id", g)
							if err != nil {
								t.Fatal(err)
							}
							got[i] = strconv.FormatInt(id, 10)
						}
					}
					sort.Strings(got)
					want := column(t, c.DSN, viewerScope+", r(k) AS (SELECT "+l.label+" FROM "+l.from+" AND "+rc.oracle+") SELECT k FROM r", role.university)
					sort.Strings(want)
					if !slices.Equal(got, want) {
						t.Errorf("%s(where: %s): got %d %v, want %d %v", rc.list, rc.where, len(got), head(got), len(want), head(want))
					}
					mu.Lock()
					found[rc.list+rc.where] += len(want)
					mu.Unlock()
					checked++
					rows += len(want)
				}
				t.Logf("%d nested and reference filters checked, %d rows expected", checked, rows)
				mu.Lock()
				total += checked
				mu.Unlock()
			})
		}
	})
	// The oracles must find something: each case's, as some role (a
	// quarter of them may find nothing: a none of the relationship back
	// to the parent, say), and some case of each field and reference.
	var empty []string
	fieldFound := map[string]int{}
	for _, nc := range cases {
		fieldFound[nc.f.name()] += found[nc.f.name()+nc.where]
		if found[nc.f.name()+nc.where] == 0 {
			empty = append(empty, nc.f.name()+"(where: "+nc.where+")")
		}
	}
	for _, rc := range refs {
		fieldFound[rc.list] += found[rc.list+rc.where]
		if found[rc.list+rc.where] == 0 {
			empty = append(empty, rc.list+"(where: "+rc.where+")")
		}
	}
	for name, n := range fieldFound {
		if n == 0 {
			t.Errorf("no where case of %s finds anything as any role", name)
		}
	}
	t.Logf("%d cases, %d checks over %d roles; %d cases find nothing as any role", len(cases)+len(refs), total, len(roles), len(empty))
	if len(empty)*4 > len(cases)+len(refs) {
		t.Errorf("%d of %d cases find nothing as any role: the matrix tests too little: %s", len(empty), len(cases)+len(refs), strings.Join(head(empty), "; "))
	}
}
