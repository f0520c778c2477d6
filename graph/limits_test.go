package graph_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"startupgraph/graph"
	"startupgraph/internal/apitest"
	"startupgraph/internal/testdb"
)

// hostile are the documents issue 6 names, each of which must be refused
// before validation, with a small body and no SQL. make bench times them
// (BenchmarkRejections); the aim is under 50 ms each.
func hostile() map[string]struct{ query, code string } {
	// ~400 bytes nesting through the graph's cycle: startup → university → startups → ...
	var nested strings.Builder
	nested.WriteString("{")
	depth := 0
	for nested.Len() < 380 {
		nested.WriteString("universities{startups{nodes{")
		depth += 3
	}
	nested.WriteString("id")
	nested.WriteString(strings.Repeat("}", depth))
	nested.WriteString("}")

	var aliases strings.Builder
	aliases.WriteString("{")
	for i := range 500 {
		fmt.Fprintf(&aliases, "a%d:__typename ", i)
	}
	aliases.WriteString("}")

	return map[string]struct{ query, code string }{
		"400-byte nested cyclic query": {nested.String(), "QUERY_TOO_DEEP"},
		"50,000 directives":            {"{__typename" + strings.Repeat("@a", 50000) + "}", "QUERY_TOO_LARGE"},
		"8,000 repeated fields":        {"{" + strings.Repeat("__typename ", 8000) + "}", "QUERY_TOO_LARGE"},
		"500 aliases":                  {aliases.String(), "TOO_MANY_ALIASES"},
	}
}

func TestHostileDocumentsAreRefusedEarly(t *testing.T) {
	c := apitest.New(t, testdb.Demo).As("")
	for name, h := range hostile() {
		t.Run(name, func(t *testing.T) {
			r := c.Do(t, h.query, nil)
			if r.Code() != h.code || r.Status != 400 || len(r.Data) != 0 {
				t.Errorf("status %d code %q data %s, want 400 %s and no data: %+v", r.Status, r.Code(), r.Data, h.code, r.Errors)
			}
			if r.Statements != 0 {
				t.Errorf("%d SQL statements ran", r.Statements)
			}
			if len(r.Errors) != 1 || len(r.Errors[0].Message) > 200 {
				t.Errorf("the error body is not small: %+v", r.Errors)
			}
		})
	}
}

// TestDocumentLimits exercises each limit on its own, just over and just
// under, with documents small enough to pass the text limit.
func TestDocumentLimits(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	repeat := func(n int, f func(i int) string) string {
		parts := make([]string, n)
		for i := range n {
			parts[i] = f(i)
		}
		return strings.Join(parts, " ")
	}
	// A chain of fragments, each spreading the next twice: 2^20 fields once
	// expanded, from a few hundred bytes of text.
	var bomb strings.Builder
	bomb.WriteString("{ ...F0 }")
	for i := range 20 {
		fmt.Fprintf(&bomb, " fragment F%d on Query { ...F%d ...F%d }", i, i+1, i+1)
	}
	bomb.WriteString(" fragment F20 on Query { __typename }")
	// The same multiplication through nesting: each level's 10 fields all
	// spread the next level's fragment.
	var nestedBomb strings.Builder
	nestedBomb.WriteString("{ startups(first: 1) { nodes { ...L0 } } }")
	for i := range 5 {
		fmt.Fprintf(&nestedBomb, " fragment L%d on Startup { %s }", i, repeat(10, func(j int) string {
			return fmt.Sprintf("f%d: sectors(first: 1) { nodes { startups(first: 1) { nodes { ...L%d } } } }", j, i+1)
		}))
	}
	nestedBomb.WriteString(" fragment L5 on Startup { id }")

	cases := []struct {
		name, query, code string
	}{
		{"text at the limit passes the text check", "{ __typename }" + strings.Repeat(" ", graph.MaxQueryBytes-len("{ __typename }")), ""},
		{"text over the limit", "{ __typename }" + strings.Repeat(" ", graph.MaxQueryBytes), "QUERY_TOO_LARGE"},
		{"aliases at the limit", "{ " + repeat(graph.MaxAliases, func(i int) string { return fmt.Sprintf("a%d: __typename", i) }) + " }", ""},
		{"aliases over the limit", "{ " + repeat(graph.MaxAliases+1, func(i int) string { return fmt.Sprintf("a%d: __typename", i) }) + " }", "TOO_MANY_ALIASES"},
		{"fields at the limit", "{ " + repeat(graph.MaxSelections, func(int) string { return "__typename" }) + " }", ""},
		{"fields over the limit", "{ " + repeat(graph.MaxSelections+1, func(int) string { return "__typename" }) + " }", "TOO_MANY_SELECTIONS"},
		{"fields over the limit through fragments", "{ ...A ...B } fragment A on Query { " + repeat(150, func(int) string { return "__typename" }) + " } fragment B on Query { " + repeat(150, func(int) string { return "__typename" }) + " }", "TOO_MANY_SELECTIONS"},
		{"directives at the limit", "{ " + repeat(graph.MaxDirectives, func(int) string { return "__typename @include(if: true)" }) + " }", ""},
		{"directives over the limit", "{ " + repeat(graph.MaxDirectives+1, func(int) string { return "__typename @include(if: true)" }) + " }", "TOO_MANY_DIRECTIVES"},
		{"fragment bomb", bomb.String(), "TOO_MANY_SELECTIONS"},
		{"nested fragment bomb", nestedBomb.String(), "TOO_MANY_FIELDS"},
		{"depth at the limit", nest(graph.MaxDepth), ""},
		{"depth over the limit", nest(graph.MaxDepth + 1), "QUERY_TOO_DEEP"},
		{"introspection deeper than the query limit passes", "{ __type(name: \"Startup\") { fields { type { " + strings.Repeat("ofType { ", 12) + "name" + strings.Repeat(" }", 12) + " } } } }", ""},
		{"introspection at its depth limit", "{ __type(name: \"Startup\") { fields { type { " + strings.Repeat("ofType { ", graph.MaxIntrospectionDepth-4) + "name" + strings.Repeat(" }", graph.MaxIntrospectionDepth-4) + " } } } }", ""},
		{"introspection over its depth limit", "{ __type(name: \"Startup\") { fields { type { " + strings.Repeat("ofType { ", graph.MaxIntrospectionDepth-3) + "name" + strings.Repeat(" }", graph.MaxIntrospectionDepth-3) + " } } } }", "QUERY_TOO_DEEP"},
		{"introspection nesting two lists", "{ __schema { types { fields { type { ofType { fields { name } } } } } } }", ""},
		{"introspection nesting three lists", "{ __schema { types { fields { type { ofType { fields { type { ofType { fields { name } } } } } } } } } }", "QUERY_TOO_DEEP"},
		{"introspection nesting three lists through fragments", "{ __schema { types { ...T } } } fragment T on __Type { possibleTypes { interfaces { ...F } } } fragment F on __Type { inputFields { name } }", "QUERY_TOO_DEEP"},
		{"introspection inside introspection counts every level", "{ __schema { " + strings.Repeat("__schema { ", graph.MaxIntrospectionDepth) + "description" + strings.Repeat(" }", graph.MaxIntrospectionDepth) + " } }", "QUERY_TOO_DEEP"},
		{"a query that also introspects keeps the depth limit", "{ __schema { description } " + strings.TrimPrefix(nest(graph.MaxDepth+1), "{"), "QUERY_TOO_DEEP"},
		{"self-spreading fragment is left to validation", "{ ...A } fragment A on Query { ...A }", "GRAPHQL_VALIDATION_FAILED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Do(t, tc.query, nil)
			if r.Code() != tc.code {
				t.Fatalf("code %q, want %q: %+v", r.Code(), tc.code, r.Errors)
			}
			if tc.code != "" && len(r.Data) != 0 {
				t.Errorf("a refused document has data: %s", r.Data)
			}
		})
	}

	t.Run("persisted query hashes are measured by the text they stand for", func(t *testing.T) {
		q := "{ " + repeat(graph.MaxAliases+1, func(i int) string { return fmt.Sprintf("a%d: __typename", i) }) + " }"
		r := c.DoBody(t, map[string]any{"query": q, "extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": sha(q)}}})
		if r.Code() != "TOO_MANY_ALIASES" {
			t.Errorf("registering: %q %+v", r.Code(), r.Errors)
		}
		r = c.DoBody(t, map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": sha(q)}}})
		if r.Code() != "TOO_MANY_ALIASES" {
			t.Errorf("by hash: %q %+v", r.Code(), r.Errors)
		}
	})
}

// BenchmarkRejections times the refusal of each hostile document through
// the whole handler stack (make bench; the aim is under 50 ms each).
func BenchmarkRejections(b *testing.B) {
	c := apitest.New(b, testdb.Demo).As("")
	for name, h := range hostile() {
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			b.SetBytes(int64(len(h.query)))
			for b.Loop() {
				if r := c.Do(b, h.query, nil); r.Code() != h.code {
					b.Fatalf("code %q, want %q", r.Code(), h.code)
				}
			}
		})
	}
}

func sha(q string) string {
	sum := sha256.Sum256([]byte(q))
	return hex.EncodeToString(sum[:])
}

// nest is a query levels deep, going round the startup → sector → startup cycle.
func nest(levels int) string {
	cycle := []string{"startups(first: 1)", "nodes", "sectors(first: 1)", "nodes"}
	var b strings.Builder
	b.WriteString("{ universities { ")
	for i := range levels - 2 {
		b.WriteString(cycle[i%4] + " { ")
	}
	b.WriteString("__typename ")
	b.WriteString(strings.Repeat("} ", levels))
	return b.String()
}
