package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"startupgraph/internal/apitest"
	"startupgraph/internal/testdb"
)

// fuzzBound is the most one fuzzed request may take. Legitimate requests
// on the demo data take milliseconds; the request deadline is 10 s here.
const fuzzBound = 5 * time.Second

// FuzzGraphQL sends arbitrary query text and variables through the whole
// handler stack, as an ADMIN (the widest surface, mutations included), on
// the demo data: no request may panic, answer 5xx, report an internal
// error, answer anything but a JSON object, or take longer than fuzzBound.
// make test runs it for a bounded time (see the Makefile); the seed corpus
// (examples/, hostile documents) runs with every plain `go test`.
func FuzzGraphQL(f *testing.F) {
	examples, _ := filepath.Glob("../../examples/*.graphql")
	for _, p := range examples {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), `{"id":"U3RhcnR1cDox","first":3,"filter":{"stages":["PROTOTYPE"]}}`)
	}
	for _, q := range []string{
		`{ universities { name startups(first: 2) { edges { cursor node { name mentors(first: 2) { nodes { name } } } } } } }`,
		`query($id: ID!) { node(id: $id) { id ... on Startup { name stage } } }`,
		`mutation { createStartup(input: {nameKo: "가", nameEn: "A"}) { startup { id } } }`,
		`{ startups(first: 101) { totalCount } }`,
		`{ startups(after: "bm9wZQ==") { totalCount } }`,
		`{ insights { startups } }`,
		`{ ...A } fragment A on Query { ...A }`,
		`{ __typename` + strings.Repeat(" @a", 100) + ` }`,
		"{ \x00 }",
	} {
		f.Add(q, `{"id":"U3RhcnR1cDox"}`)
	}

	c := apitest.New(f, testdb.Demo)
	f.Fuzz(func(t *testing.T, query, variables string) {
		payload := map[string]any{"query": query}
		if json.Valid([]byte(variables)) {
			payload["variables"] = json.RawMessage(variables)
		}
		body, err := json.Marshal(payload)
		if err != nil {
			return // not valid UTF-8 JSON: the transport tests cover bad bodies
		}
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+c.Key)
		start := time.Now()
		rec := c.Serve(req)
		took := time.Since(start)

		if rec.Code >= 500 {
			t.Fatalf("status %d for %q %s: %s", rec.Code, query, variables, rec.Body.String())
		}
		if took > fuzzBound {
			t.Fatalf("%s for %q %s", took, query, variables)
		}
		var out map[string]json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("the response is not a JSON object (%d): %s", rec.Code, rec.Body.String())
		}
		if bytes.Contains(out["errors"], []byte(`"INTERNAL_SERVER_ERROR"`)) {
			t.Fatalf("internal error for %q %s: %s", query, variables, out["errors"])
		}
	})
}
