package graph

import (
	"testing"

	"github.com/vektah/gqlparser/v2"

	"startupgraph/graph/generated"
)

// TestWhereAndOrderAddToCost: each relationship predicate of a where,
// and each orderBy key computed from other tables, adds a statement's
// worth to a query's cost, an aggregate an aggregate's; comparisons and
// column keys add nothing.
func TestWhereAndOrderAddToCost(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	cost := func(q string) int {
		t.Helper()
		doc, errs := gqlparser.LoadQuery(schema, q)
		if errs != nil {
			t.Fatal(errs)
		}
		w := costWalker{doc: doc, inFragment: map[string]bool{}, schema: schema, limit: 1 << 30}
		return w.selections(doc.Operations[0].SelectionSet) + w.statements
	}
	base := cost(`{ startups(first: 10) { nodes { name } } }`)
	mentors := cost(`{ mentors(first: 10) { nodes { name } } }`)
	cases := []struct {
		query string
		want  int
	}{
		{`{ startups(first: 10, where: { stage: { eq: IDEA }, name: { includes: "ab" } }) { nodes { name } } }`, base},
		{`{ startups(first: 10, where: { mentors: { none: {} }, sectors: { some: { node: { key: { eq: "x" } } } } }) { nodes { name } } }`, base + 2*StatementCost},
		{`{ startups(first: 10, where: { investors: { some: { node: { portfolio: { count: { gte: 3 } } } } } }) { nodes { name } } }`, base + 2*StatementCost},
		{`{ startups(first: 10, orderBy: [{ field: INVESTED_TOTAL, direction: DESC }, { field: NAME_EN }]) { nodes { name } } }`, base + StatementCost},
		{`{ startups(first: 10, orderBy: { field: MENTOR_COUNT }) { nodes { name } } }`, base + StatementCost},
		{`{ mentors(first: 10, orderBy: [{ field: STARTUPS_COUNT }, { field: SECTORS_COUNT }, { field: NAME_KO }]) { nodes { name } } }`, mentors + 2*StatementCost},
	}
	cases = append(cases, struct {
		query string
		want  int
	}{`{ startups(first: 10) { nodes { name } aggregate { count sum { investedTotal } } } }`, base + AggregateCost})
	groups := cost(`{ startups(first: 10) { nodes { name } groupBy(by: [SECTORS], first: 30) { sector { name } count } } }`)
	if want := base + AggregateCost + 30; groups < want {
		t.Errorf("groupBy of 30 groups costs %d, want at least %d", groups, want)
	}
	for _, tc := range cases {
		if got := cost(tc.query); got != tc.want {
			t.Errorf("%s: cost %d, want %d", tc.query, got, tc.want)
		}
	}
}
