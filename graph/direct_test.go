package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"startupgraph/examples"
	"startupgraph/graph"
	"startupgraph/internal/apitest"
	"startupgraph/internal/synthetic"
	"startupgraph/internal/testdb"
)

// directQueries select every field of the direct executor's tables
// (graph/direct_types.go), in the shapes clients write them: aliases,
// fragments on the type and on Node, __typename, @skip and @include with
// variables, locales, page arguments and cursors, totals and page info.
// Each is expected to be answered by the direct executor whenever gqlgen
// answers it without errors (with an error, gqlgen answers it: a
// university key cannot see every node).
var directQueries = []struct {
	name, query string
	vars        map[string]any
}{
	{"nested", `{ universities { startups(first: 10) { edges { node { name mentors(first: 5) { edges { focus node { name } } } } } } } }`, nil},
	{"fanout", `{ mentors(first: 100) { nodes { id name startups(first: 10) { edges { focus node { id name stage mentors(first: 10) { nodes { id name } } } } } } } }`, nil},
	{"university fields", `{ universities { __typename id key name nameKo nameEn ko: name(locale: KO) en: name(locale: EN) shortName homeCountry mouPartner description dko: description(locale: KO) createdAt updatedAt } }`, nil},
	{"startup fields", `query($n: Int!) { startups(first: $n) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { __typename id key name nameKo nameEn description stage foundedOn version archivedAt createdAt updatedAt facility { id name(locale: KO) kind location } } } } }`, map[string]any{"n": 30}},
	{"startup edges", `{ universities { key startups(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { cursor purpose status since until createdAt updatedAt node { key stage sectors { nodes { key name(locale: KO) taskForceField description createdAt updatedAt } } } } } } }`, nil},
	{"mentor fields", `{ mentors(first: 50) { totalCount nodes { __typename id key name title tko: title(locale: KO) taskForceMember languages version archivedAt createdAt updatedAt sectors(first: 3) { totalCount edges { cursor node { id nameEn } } } } } }`, nil},
	{"mentees", `{ mentors(first: 40) { edges { cursor node { key startups(first: 3) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor focus since until createdAt updatedAt node { key nameEn } } } } } } }`, nil},
	{"mentorships", `{ startups(first: 60) { nodes { key mentors(last: 2) { totalCount edges { cursor focus since until createdAt updatedAt node { key languages } } } } } }`, nil},
	{"university mentors", `{ universities { key mentors(first: 4) { totalCount nodes { key name } pageInfo { endCursor } } } }`, nil},
	{"fragments", `fragment N on Node { id } fragment S on Startup { key ...N } query { startups(first: 5) { nodes { ...S ... on Startup { nameEn } ...N } } universities { ... on University { key } ...N } }`, nil},
	{"skip and include", `query($yes: Boolean!, $no: Boolean!) { startups(first: 7) { nodes { key name @include(if: $yes) stage @skip(if: $yes) nameKo @include(if: $no) mentors(first: 2) @skip(if: $no) { totalCount } } } }`, map[string]any{"yes": true, "no": false}},
	{"totals only", `{ startups { totalCount } mentors { totalCount } universities { startups { totalCount } mentors { totalCount } } }`, nil},
	{"list filters", `query($stages: [GrowthStage!], $from: Date) { startups(first: 20, filter: { stages: $stages, foundedFrom: $from }, orderBy: [{ field: NAME_EN }], where: { name: { includes: "an" } }) { totalCount nodes { key stage foundedOn } } mentors(first: 10, filter: { taskForceMember: true }, orderBy: [{ field: NAME_KO, direction: DESC }]) { totalCount nodes { key } } }`, map[string]any{"stages": []any{"PROTOTYPE", "IDEA"}, "from": "2015-01-01"}},
	{"edge where and order", `{ universities { key startups(first: 5, where: { status: { eq: ACTIVE }, node: { stage: { in: [PROTOTYPE, R_AND_D] } } }, orderBy: [{ field: FOUNDED_ON, direction: DESC }]) { totalCount edges { status node { key foundedOn mentors(first: 3, orderBy: [{ field: NAME_EN }], where: { focus: { includes: "ar" } }) { totalCount nodes { key } } sectors(orderBy: [{ field: NAME_KO }]) { nodes { key } } } } } } }`, nil},
	{"relationship predicates", `query($n: Int!) { startups(first: 10, where: { mentors: { count: { gte: $n } }, or: [{ sectors: { some: { node: { taskForceField: { eq: true } } } } }, { stage: { eq: OVERSEAS_EXPANSION } }] }) { totalCount nodes { key mentors { totalCount } } } }`, map[string]any{"n": 2}},
	{"mentor edges", `{ mentors(first: 20, orderBy: [{ field: STARTUPS_COUNT, direction: DESC }]) { nodes { key startups(first: 2, where: { since: { gte: "2020-01-01" } }, orderBy: [{ field: NAME_EN, direction: ASC }]) { totalCount edges { since node { key } } } sectors(where: { node: { taskForceField: { eq: true } } }) { totalCount } } } }`, nil},
	{"universities where", `{ universities(where: { key: { in: ["ghent-university", "suny-korea"] } }) { key startups(first: 2) { totalCount } } }`, nil},
	{"fan-in", `{ investments(first: 100) { nodes { fund { name } startup { name universities(first: 3) { nodes { name } } } } } }`, nil},
	{"investment fields", `query($min: KRW) { investments(first: 30, filter: { rounds: [SEED, GRANT], minAmount: $min }, orderBy: { field: AMOUNT }, where: { amount: { gte: "1000000" }, fund: { kind: { in: [VENTURE_FUND, GOVERNMENT_GRANT] } } }) { totalCount pageInfo { endCursor hasNextPage } edges { cursor node { __typename id amount investedOn round version preFounding createdAt updatedAt fund { __typename id key name nameKo nameEn kind size vintageYear description version archivedAt createdAt updatedAt } startup { key } } } } }`, map[string]any{"min": "500000"}},
	{"startup universities", `{ startups(first: 40) { nodes { key universities(where: { status: { eq: ACTIVE } }) { totalCount edges { cursor purpose status since until createdAt updatedAt node { key shortName } } } } } }`, nil},
	{"aliases", `{ a: startups(first: 2) { x: nodes { y: key z: key } } b: startups(first: 2, after: null) { nodes { key } } }`, nil},
}

// TestDirectMatchesGqlgen holds the direct executor to gqlgen's answers:
// every query of directQueries and every example, as each role, answered
// byte for byte as gqlgen's generated code answers it (status, data,
// errors), and the direct executor really answers directQueries (its
// counters move) for callers with a key. Pages after a cursor and before
// one are compared too.
func TestDirectMatchesGqlgen(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), c.Store, 300, 11); err != nil {
		t.Fatal(err)
	}
	roles := map[string]string{
		"admin":      c.Key,
		"analyst":    c.NewKey(t, "ANALYST", ""),
		"university": c.NewKey(t, "UNIVERSITY", "ghent-university"),
		"anonymous":  "",
	}
	type query struct {
		name, query string
		vars        map[string]any
		direct      bool
	}
	var queries []query
	for _, q := range directQueries {
		queries = append(queries, query{q.name, q.query, q.vars, true})
	}
	// Pages after and before a cursor, read from gqlgen's answer.
	var page struct {
		Data struct {
			Startups struct {
				PageInfo struct{ EndCursor string }
			}
		}
	}
	first := serveQuery(t, c, c.Key, `{ startups(first: 25) { pageInfo { endCursor } } }`, nil, false)
	if err := json.Unmarshal(first.Body.Bytes(), &page); err != nil || page.Data.Startups.PageInfo.EndCursor == "" {
		t.Fatalf("no cursor: %v %s", err, first.Body)
	}
	cursor := page.Data.Startups.PageInfo.EndCursor
	// Lookups of one node of each type by id and by key.
	var ids struct {
		Data struct {
			Startups     struct{ Nodes []struct{ ID, Key string } }
			Mentors      struct{ Nodes []struct{ ID, Key string } }
			Universities []struct{ ID, Key string }
			Sectors      struct{ Nodes []struct{ ID string } }
		}
	}
	idsBody := serveQuery(t, c, c.Key, `{ startups(first: 1) { nodes { id key } } mentors(first: 1) { nodes { id key } } universities { id key } sectors(first: 1) { nodes { id } } }`, nil, false)
	if err := json.Unmarshal(idsBody.Body.Bytes(), &ids); err != nil || len(ids.Data.Startups.Nodes) == 0 || len(ids.Data.Mentors.Nodes) == 0 || len(ids.Data.Universities) == 0 || len(ids.Data.Sectors.Nodes) == 0 {
		t.Fatalf("no ids: %v %s", err, idsBody.Body)
	}
	const nodeSel = `__typename id ... on Startup { key stage facility { __typename id key name nameKo nameEn kind location createdAt updatedAt } } ... on Mentor { key languages } ... on University { key shortName } ... on Sector { key taskForceField } ... on Fund { key }`
	for _, id := range []string{ids.Data.Startups.Nodes[0].ID, ids.Data.Mentors.Nodes[0].ID, ids.Data.Universities[0].ID, ids.Data.Sectors.Nodes[0].ID} {
		queries = append(queries, query{"node " + id, `query($id: ID!) { node(id: $id) { ` + nodeSel + ` } }`, map[string]any{"id": id}, true})
	}
	queries = append(queries,
		query{"by key", `query($s: String!, $m: String!, $u: String!) { startup(key: $s) { id name facility { key } } mentor(key: $m) { id name } university(key: $u) { id name startups(first: 2) { nodes { key } } } }`,
			map[string]any{"s": ids.Data.Startups.Nodes[0].Key, "m": ids.Data.Mentors.Nodes[0].Key, "u": ids.Data.Universities[0].Key}, true},
		query{"NUL in a filter", `{ startups(first: 2, where: { name: { eq: "a\u0000b" } }) { nodes { key } } }`, nil, false},
		query{"int out of range", `query($n: Int!) { startups(first: 5, where: { mentors: { count: { gte: $n } } }) { nodes { key } } }`, map[string]any{"n": 1 << 40}, false},
		query{"missing key", `{ missing: startup(key: "no-such-team") { id } }`, nil, false},
		query{"node not found", `{ node(id: "U3RhcnR1cDo5OTk5OTk5") { id } }`, nil, false},
		query{"node bad id", `{ node(id: "nope") { id } }`, nil, false},
	)
	queries = append(queries,
		query{"after", `query($c: String) { startups(first: 20, after: $c) { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { key mentors(first: 1) { nodes { key } } } } }`, map[string]any{"c": cursor}, true},
		query{"before", `query($c: String) { startups(last: 20, before: $c) { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { key } } } }`, map[string]any{"c": cursor}, true},
		query{"bad cursor", `{ startups(first: 2, after: "nope") { nodes { key } } }`, nil, false},
		query{"page too big", `{ startups(first: 101) { nodes { key } } }`, nil, false},
	)
	all, err := examples.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		if ps, _ := e.Placeholders(); len(ps) > 0 {
			continue // needs ids looked up first (examples_test does it)
		}
		var vars map[string]any
		if e.Variables != "" {
			if err := json.Unmarshal([]byte(e.Variables), &vars); err != nil {
				t.Fatal(err)
			}
		}
		queries = append(queries, query{"example " + e.Name, e.Query, vars, false})
	}
	for role, key := range roles {
		for _, q := range queries {
			t.Run(role+"/"+q.name, func(t *testing.T) {
				want := serveQuery(t, c, key, q.query, q.vars, false)
				answered, _ := graph.DirectCounts()
				got := serveQuery(t, c, key, q.query, q.vars, true)
				after, _ := graph.DirectCounts()
				if got.Code != want.Code || !sameAnswer(t, got.Body.Bytes(), want.Body.Bytes()) {
					t.Fatalf("direct executor differs from gqlgen:\ngqlgen (%d): %s\ndirect (%d): %s", want.Code, want.Body, got.Code, got.Body)
				}
				failed := bytes.Contains(want.Body.Bytes(), []byte(`"errors"`))
				if q.direct && !failed && after == answered {
					t.Fatalf("the direct executor did not answer it (gqlgen did): %s", got.Body)
				}
				if q.direct && failed && role == "admin" {
					t.Fatalf("a query meant to succeed failed: %s", want.Body)
				}
			})
		}
	}
}

// sameAnswer reports whether two responses are the same bytes, or differ
// only in the order of their errors (gqlgen resolves sibling fields
// concurrently, so two gqlgen answers may list the same errors in
// different orders).
func sameAnswer(t *testing.T, a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	type response struct {
		Errors []json.RawMessage `json:"errors"`
		Data   json.RawMessage   `json:"data"`
	}
	var ra, rb response
	if json.Unmarshal(a, &ra) != nil || json.Unmarshal(b, &rb) != nil || len(ra.Errors) == 0 || !bytes.Equal(ra.Data, rb.Data) {
		return false
	}
	sorted := func(errs []json.RawMessage) []string {
		out := make([]string, len(errs))
		for i, e := range errs {
			out[i] = string(e)
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(sorted(ra.Errors), sorted(rb.Errors))
}

// serveQuery posts query as key through c's handler, with the direct
// executor on or off.
func serveQuery(t *testing.T, c *apitest.Client, key, query string, vars map[string]any, direct bool) *httptest.ResponseRecorder {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if !direct {
		req = req.WithContext(graph.WithoutDirect(req.Context()))
	}
	return c.Serve(req)
}
