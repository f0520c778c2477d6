package graph_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/synthetic"
	"startupgraph/internal/testdb"
)

// The benchmark harness's nested and fan-out queries (internal/bench), in
// process through the real handler stack, over the demo data plus 2,000
// synthetic startups (the harness's -quick size), so that allocations per
// request of the issue-7 queries show in `make bench`.
const (
	benchNested = `{ universities { startups(first: 10) { edges { node { name mentors(first: 5) { edges { focus node { name } } } } } } } }`
	benchFanout = `{ mentors(first: 100) { nodes { id name startups(first: 10) { edges { focus node { id name stage mentors(first: 10) { nodes { id name } } } } } } } }`
)

func BenchmarkNestedQuery(b *testing.B) { benchQuery(b, benchNested) }

func BenchmarkFanoutQuery(b *testing.B) { benchQuery(b, benchFanout) }

func benchQuery(b *testing.B, query string) { benchRun(b, benchClient(b), query) }

// whereQuestions are issue 17's questions, each one request (the
// where grammar and ordering by related figures).
var whereQuestions = []struct{ name, query string }{
	{"1-task-force-teams-without-task-force-mentor", `{ startups(first: 20, where: { sectors: { some: { node: { taskForceField: { eq: true } } } }, stage: { in: [PROTOTYPE, R_AND_D, MARKETING, INVESTMENT, FINANCING, OVERSEAS_EXPANSION] }, mentors: { none: { node: { taskForceMember: { eq: true } } } } }) { totalCount nodes { name } } }`},
	{"2-venture-investment-by-total-invested", `{ startups(first: 20, where: { investors: { some: { amount: { gte: 1000000000 }, investedOn: { gte: "2017-01-01" }, node: { kind: { eq: VENTURE_FUND } } } } }, orderBy: [{ field: INVESTED_TOTAL, direction: DESC }, { field: NAME_EN }]) { totalCount nodes { name } } }`},
	{"3-entered-vietnam-with-busy-mentor", `{ startups(first: 20, where: { markets: { some: { status: { eq: ENTERED }, node: { code: { eq: "VN" } } } }, mentors: { some: { node: { startups: { count: { gte: 3 } } } } } }) { totalCount nodes { name } } }`},
	{"4-stage-investment-in-2017", `{ startups(first: 20, where: { stageHistory: { some: { node: { stage: { eq: INVESTMENT }, changedOn: { gte: "2017-01-01", lt: "2018-01-01" } } } } }) { totalCount nodes { name } } }`},
	{"5-mentors-of-3-none-at-idea", `{ mentors(first: 20, where: { startups: { count: { gte: 3 }, none: { node: { stage: { eq: IDEA } } } } }) { totalCount nodes { name } } }`},
	{"6-funds-in-teams-targeting-us", `{ funds(first: 20, where: { portfolio: { some: { node: { markets: { some: { node: { code: { eq: "US" } } } } } } } }) { totalCount nodes { name } } }`},
	{"7-assigned-to-gmu-and-suny", `{ startups(first: 20, where: { and: [ { universities: { some: { node: { key: { eq: "george-mason-university" } } } } }, { universities: { some: { node: { key: { eq: "suny-korea" } } } } } ] }) { totalCount nodes { name } } }`},
	{"8-not-svc-or-before-2018", `{ startups(first: 20, where: { or: [ { not: { programs: { some: { node: { key: { eq: "smart-venture-campus" } } } } } }, { foundedOn: { lt: "2018-01-01" } } ] }) { totalCount nodes { name } } }`},
	{"9-most-jobs-created", `{ startups(first: 10, orderBy: [{ field: JOBS_CREATED, direction: DESC }]) { nodes { name } } }`},
	{"10-each-university-exporting-teams", `{ universities { name startups(first: 20, where: { node: { outcomes: { some: { node: { kind: { eq: EXPORT_CONTRACT } } } } } }) { totalCount nodes { name } } } }`},
}

// BenchmarkWhereQuestions runs each of issue 17's questions through the
// handler stack, over the same data as the other benchmarks.
func BenchmarkWhereQuestions(b *testing.B) {
	c := benchClient(b)
	for _, q := range whereQuestions {
		b.Run(q.name, func(b *testing.B) { benchRun(b, c, q.query) })
	}
}

// benchClient is the demo data plus 2,000 synthetic startups, analysed.
func benchClient(b *testing.B) *apitest.Client {
	c := apitest.New(b, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), c.Store, 2000, 7); err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("postgres", c.DSN)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`VACUUM (ANALYZE)`); err != nil {
		b.Fatal(err)
	}
	_ = db.Close()
	return c
}

// benchRun measures query through c's handler stack.
func benchRun(b *testing.B, c *apitest.Client, query string) {
	body, err := json.Marshal(map[string]any{"query": query})
	if err != nil {
		b.Fatal(err)
	}
	serve := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+c.Key)
		rec := c.Serve(req)
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"errors"`) {
			b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
		return rec
	}
	b.SetBytes(int64(serve().Body.Len())) // warms the key cache and the pool
	b.ReportAllocs()
	for b.Loop() {
		serve()
	}
}
