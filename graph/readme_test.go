package graph_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/synthetic"
	"startupgraph/internal/testdb"
)

// TestReadmeQueries runs every GraphQL operation of the README's
// ```graphql blocks (operations separated by a blank line) as an admin
// against the demo data and 1,000 synthetic startups: each must answer without errors and with data.
func TestReadmeQueries(t *testing.T) {
	src, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, block := range strings.Split(string(src), "```graphql\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		for _, op := range strings.Split(block, "\n\n") {
			if strings.TrimSpace(op) != "" {
				ops = append(ops, op)
			}
		}
	}
	if len(ops) < 8 {
		t.Fatalf("%d operations in the README", len(ops))
	}
	c := apitest.New(t, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), c.Store, 1000, 3); err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		r := c.OK(t, op, nil, nil)
		if len(r.Data) < 40 || strings.Contains(string(r.Data), `"nodes":[]}}`) && strings.Count(string(r.Data), `"nodes":[]`) == strings.Count(string(r.Data), `"nodes":`) {
			t.Errorf("an empty answer to\n%s\n%s", op, r.Data)
		}
	}
	t.Logf("%d operations", len(ops))
}
