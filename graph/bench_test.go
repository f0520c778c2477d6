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

	"startupgraph/examples"
	"startupgraph/graph"
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

// The same queries through gqlgen's generated code alone (the direct
// executor off): what the direct executor saves.
func BenchmarkNestedQueryGqlgen(b *testing.B) { benchQueryGqlgen(b, benchNested) }

func BenchmarkFanoutQueryGqlgen(b *testing.B) { benchQueryGqlgen(b, benchFanout) }

func benchQuery(b *testing.B, query string) { benchRun(b, benchClient(b), query) }

func benchQueryGqlgen(b *testing.B, query string) {
	benchServe(b, benchClient(b), query, graph.WithoutDirect)
}

// BenchmarkWhereQuestions runs each of issue 17's questions (the
// examples' question-*.graphql, the text the playground offers and the
// HTTP benchmark times) through the handler stack, over the same data as
// the other benchmarks: one sub-benchmark per question.
func BenchmarkWhereQuestions(b *testing.B) {
	qs, err := examples.Questions()
	if err != nil {
		b.Fatal(err)
	}
	c := benchClient(b)
	for _, q := range qs {
		b.Run(q.Name, func(b *testing.B) { benchRun(b, c, q.Query) })
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
	benchServe(b, c, query, func(ctx context.Context) context.Context { return ctx })
}

// benchServe measures query through c's handler stack, each request's
// context passed through reqCtx.
func benchServe(b *testing.B, c *apitest.Client, query string, reqCtx func(context.Context) context.Context) {
	body, err := json.Marshal(map[string]any{"query": query})
	if err != nil {
		b.Fatal(err)
	}
	serve := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+c.Key)
		req = req.WithContext(reqCtx(req.Context()))
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
