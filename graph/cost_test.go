package graph_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"startupgraph/internal/apitest"
	"startupgraph/internal/config"
	"startupgraph/internal/globalid"
	"startupgraph/internal/testdb"
)

func TestCostLimits(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	uni := c.As(c.NewKey(t, "UNIVERSITY", "ghent-university"))
	deep := "{ startups { nodes { mentors { nodes { startups { nodes { mentors { nodes { startups { nodes { mentors { nodes { name } } } } } } } } } } } } }"
	cyclic := `query { ...A } fragment A on Query { startups { nodes { mentors { nodes { startups { nodes { mentors { nodes { startups { nodes { mentors { nodes { startups { nodes { name } } } } } } } } } } } } } } }`
	costly := `{ startups(first: 100) { nodes { mentors(first: 100) { nodes { startups(first: 100) { nodes { name } } } } } } }` // 1,010,100 nodes
	cases := []struct {
		name  string
		c     *apitest.Client
		query string
		code  string
	}{
		{"too deep", c, deep, "QUERY_TOO_DEEP"},
		{"deep through fragments", c, cyclic, "QUERY_TOO_DEEP"},
		{"first multiplies child cost", c, costly, "QUERY_TOO_COMPLEX"},
		{"a university's budget is smaller", uni, `{ startups(first: 100) { nodes { mentors(first: 100) { nodes { sectors(first: 30) { nodes { name } } } } } } }`, "QUERY_TOO_COMPLEX"}, // 310,100
		{"an admin may ask for that", c, `{ startups(first: 100) { nodes { mentors(first: 100) { nodes { sectors(first: 30) { nodes { name } } } } } } }`, ""},
		{"an ordinary dashboard query passes", c, `{ universities { startups(first: 10) { nodes { mentors(first: 5) { nodes { name } } } } } }`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.c.Do(t, tc.query, nil)
			if r.Code() != tc.code {
				t.Errorf("code %q, want %q: %+v", r.Code(), tc.code, r.Errors)
			}
			if tc.code != "" && r.Statements > 1 { // at most the key check
				t.Errorf("a refused query ran %d statements", r.Statements)
			}
		})
	}
}

func TestPersistedQueries(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	q := `{ universities { key } }`
	sum := sha256.Sum256([]byte(q))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
	if r := c.DoBody(t, map[string]any{"extensions": ext}); !strings.Contains(string(r.Errors[0].Message), "PersistedQueryNotFound") {
		t.Errorf("unknown hash: %+v", r.Errors)
	}
	if r := c.DoBody(t, map[string]any{"query": q, "extensions": ext}); len(r.Errors) > 0 {
		t.Fatalf("register: %+v", r.Errors)
	}
	if r := c.DoBody(t, map[string]any{"extensions": ext}); len(r.Errors) > 0 || !strings.Contains(string(r.Data), "ghent-university") {
		t.Errorf("by hash: %s %+v", r.Data, r.Errors)
	}
}

// aliased repeats field under n aliases in one query, declaring the
// variables $a and $b when it uses them.
func aliased(n int, field string) string {
	var b strings.Builder
	b.WriteString("query")
	switch {
	case strings.Contains(field, "$a") && strings.Contains(field, "$b"):
		b.WriteString("($a: ID!, $b: ID!)")
	case strings.Contains(field, "$a"):
		b.WriteString("($a: ID!)")
	}
	b.WriteString(" {")
	for i := range n {
		fmt.Fprintf(&b, " a%d: %s", i, field)
	}
	b.WriteString(" }")
	return b.String()
}

// allFigures selects every figure of insights: one statement each.
const allFigures = `insights { startups byStage { key count } bySector { key count } byProgram { key count } byCohort { key count }
	byUniversity { key count } byTargetMarket { key count } investedByFund { invested } investedBySector { key amount }
	investedByRound { key amount } investedByYear { key amount } outcomes { jobsCreated } investmentDrift { difference } exportsByMarket { key count }
	funnel { stage reached } timeSeries(metric: INVESTMENTS) { period count } taskForceExperts taskForceBySector { key count } }`

// nineFigures asks insights for nine figures: nine statements.
const nineFigures = `insights { startups byStage { key } bySector { key } byProgram { key } byCohort { key } byUniversity { key } byTargetMarket { key } funnel { stage } taskForceExperts }`

// charged returns how many rate-limit points a query spends, read over
// HTTP: with a budget of one point refilled per hour, a query of p points
// is refused with retryAfterSeconds (p-1)*3600, and a one-point query runs.
// It asks with a fresh key of role: budgets are kept in the database, per
// key, whichever server spends them.
func charged(t *testing.T, c *apitest.Client, role, query string, vars map[string]any) int {
	t.Helper()
	limited := c.WithConfig(config.Config{RequestTimeout: 10 * time.Second, RateLimitPoints: 1, RateLimitWindow: time.Hour}).As(c.NewKey(t, role, ""))
	r := limited.Do(t, query, vars)
	switch r.Code() {
	case "":
		return 1
	case "RATE_LIMITED":
		secs, _ := r.Errors[0].Extensions["retryAfterSeconds"].(float64)
		return 1 + int(math.Round(secs/3600))
	}
	t.Fatalf("unexpected answer %q: %+v", r.Code(), r.Errors)
	return 0
}

// TestSQLFieldsArePricedPerOccurrence: every field that runs SQL of its own
// costs, aliases included, at least one rate-limit point per statement it
// runs; a hundred aliases of insights, paths or a full introspection are
// refused before anything runs.
func TestSQLFieldsArePricedPerOccurrence(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	vars := map[string]any{
		"a": gid(t, c.DSN, globalid.Startup, "startups", "svc-factorylens"),
		"b": gid(t, c.DSN, globalid.Fund, "funds", "creative-growth-venture-fund"),
	}
	fields := map[string]string{
		"insights":           allFigures,
		"paths":              `paths(from: $a, to: $b, maxLength: 3) { length }`,
		"neighborhood":       `neighborhood(id: $a, depth: 2) { truncated }`,
		"recommendedMentors": `recommendedMentors(startupId: $a) { score }`,
		"similarStartups":    `similarStartups(id: $a) { score }`,
		"node":               `node(id: $a) { id }`,
		"nodes":              `nodes(ids: [$a, $b]) { id }`,
		"universities":       `universities { key }`,
		"startups":           `startups(first: 5) { nodes { key facility { key } sectors(first: 3) { nodes { key } } } }`,
		"edge references":    `startups(first: 5) { nodes { programs(first: 3) { edges { cohort { key } } } markets(first: 3) { edges { supportProgram { key } } } } }`,
		"viewer":             `viewer { role university { key } }`,
	}
	for name, field := range fields {
		for _, n := range []int{1, 10} {
			t.Run(fmt.Sprintf("%s×%d", name, n), func(t *testing.T) {
				q := aliased(n, field)
				c.OK(t, `{ __typename }`, nil, nil) // the key is checked and cached
				r := c.Do(t, q, vars)
				if r.Status != 200 || len(r.Errors) > 0 {
					t.Fatalf("%d %+v", r.Status, r.Errors)
				}
				if p := charged(t, c, "ADMIN", q, vars); p < int(r.Statements) {
					t.Errorf("ran %d statements but costs %d points", r.Statements, p)
				} else {
					t.Logf("%d statements, %d points", r.Statements, p)
				}
			})
		}
	}
	t.Run("mutations", func(t *testing.T) {
		q := `mutation { a: createMarket(input: {key: "p-th", nameKo: "태국", nameEn: "Thailand", kind: COUNTRY, code: "TH"}) { replayed }
			b: createMarket(input: {key: "p-my", nameKo: "말레이시아", nameEn: "Malaysia", kind: COUNTRY, code: "MY"}) { replayed } }`
		p := charged(t, c, "ADMIN", q, nil) // refused: nothing written
		c.OK(t, `{ __typename }`, nil, nil)
		r := c.Do(t, q, nil)
		if len(r.Errors) > 0 {
			t.Fatalf("%+v", r.Errors)
		}
		if p < int(r.Statements) {
			t.Errorf("ran %d statements but costs %d points", r.Statements, p)
		}
		t.Logf("%d statements, %d points", r.Statements, p)
	})

	introspection := `__schema { types { name fields { name args { name type { name ofType { name } } } type { name ofType { name ofType { name } } } } } }`
	dev := c.WithConfig(config.Config{Dev: true, RequestTimeout: 10 * time.Second}).As("")
	for _, tc := range []struct {
		name, query string
		c           *apitest.Client
	}{
		{"100 aliases of insights by a university", aliased(100, nineFigures), c.As(c.NewKey(t, "UNIVERSITY", "ghent-university"))},
		{"100 aliases of paths", aliased(100, fields["paths"]), c},
		{"100 aliases of a full introspection", aliased(100, introspection), c},
		{"100 aliases of a full introspection by an analyst", aliased(100, introspection), c.As(c.NewKey(t, "ANALYST", ""))},
		{"100 aliases of a full introspection in dev mode", aliased(100, introspection), dev},
		{"two standard introspections", aliasedStandard(t, 2), c},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			r := tc.c.Do(t, tc.query, vars)
			want := "QUERY_TOO_COMPLEX"
			if strings.Contains(tc.query, "__schema") {
				want = "TOO_MANY_INTROSPECTIONS"
			}
			if r.Code() != want || r.Status != 400 || len(r.Data) != 0 {
				t.Fatalf("status %d code %q data %.100s, want %s before execution: %+v", r.Status, r.Code(), r.Data, want, r.Errors)
			}
			if r.Statements > 1 { // at most the key check
				t.Errorf("a refused query ran %d statements", r.Statements)
			}
			t.Logf("refused in %s: %s", time.Since(start).Round(time.Millisecond), r.Errors[0].Message)
		})
	}
	// Within an ADMIN's budget, a hundred aliases of nine figures (900
	// aggregate statements) still spend three points a statement.
	if p := charged(t, c, "ADMIN", aliased(100, nineFigures), vars); p < 3*900 {
		t.Errorf("100 aliases of nine insights figures cost %d points, want at least %d", p, 3*900)
	} else {
		t.Logf("100 aliases of nine insights figures as ADMIN: %d points", p)
	}
}

// aliasedStandard is graphql-js's standard introspection with its
// __schema selection repeated under n aliases.
func aliasedStandard(t *testing.T, n int) string {
	std := standardIntrospection(t)
	cut := strings.Index(std, "fragment FullType")
	op, fragments := std[:cut], std[cut:]
	body := op[strings.Index(op, "__schema"):strings.LastIndex(op, "}")]
	return aliased(n, body) + fragments
}

// objects counts the JSON objects in an answer.
func objects(v any) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		n++
		for _, e := range x {
			n += objects(e)
		}
	case []any:
		for _, e := range x {
			n += objects(e)
		}
	}
	return n
}

// TestIntrospectionIsPriced: an introspection costs at least one point per
// hundred objects its answer holds (GitHub's nodes/100), aliases included;
// one standard introspection is within every budget that may introspect.
func TestIntrospectionIsPriced(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	analyst := c.As(c.NewKey(t, "ANALYST", ""))
	for name, q := range map[string]string{
		"the standard introspection": standardIntrospection(t),
		"100 aliases of __type":      aliased(100, `__type(name: "Query") { fields { type { ofType { fields { name args { name } type { name ofType { name } } } } } } }`),
	} {
		t.Run(name, func(t *testing.T) {
			r := analyst.Do(t, q, nil)
			if len(r.Errors) > 0 {
				t.Fatalf("%+v", r.Errors)
			}
			var data any
			if err := json.Unmarshal(r.Data, &data); err != nil {
				t.Fatal(err)
			}
			n := objects(data)
			p := charged(t, analyst, "ANALYST", q, nil)
			if p < n/100 {
				t.Errorf("the answer holds %d objects but costs %d points", n, p)
			}
			t.Logf("%d objects, %d bytes, %d points", n, len(r.Data), p)
		})
	}
}

// TestCostCannotOverflow: page sizes that multiply past 64 bits are
// counted up to a bound, so the product is refused instead of wrapping
// round to a small cost; arguments left to their schema defaults count.
func TestCostCannotOverflow(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	q := `{ startups(first: 1073741824) { nodes { mentors(first: 131071) { nodes { startups(first: 131072) { nodes { id } } } } } } }`
	if r := c.Do(t, q, nil); r.Code() != "QUERY_TOO_COMPLEX" {
		t.Fatalf("a product of 2^64 nodes: %s %+v", r.Code(), r.Errors)
	}
	s := gid(t, c.DSN, globalid.Startup, "startups", "svc-factorylens")
	f := gid(t, c.DSN, globalid.Fund, "funds", "creative-growth-venture-fund")
	// paths' first defaults to 5: the paths it returns count as nodes.
	implicit := charged(t, c, "ADMIN", `query($a: ID!, $b: ID!) { paths(from: $a, to: $b) { nodes { __typename } } }`, map[string]any{"a": s, "b": f})
	explicit := charged(t, c, "ADMIN", `query($a: ID!, $b: ID!) { paths(from: $a, to: $b, first: 5) { nodes { __typename } } }`, map[string]any{"a": s, "b": f})
	if implicit != explicit {
		t.Errorf("paths with its default first costs %d points, with first: 5 %d", implicit, explicit)
	}
}
