package graph_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
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
