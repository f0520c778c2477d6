package store

import (
	"strings"
	"testing"
)

// TestEveryChildListCanOmitItsFacts: the column pruning of omit.go names
// edge-fact columns as "e.<column>"; a child list that reads one under
// another spelling (an alias) would read it for every client. Each
// generated child list must spell them so, and drop them when omitted.
func TestEveryChildListCanOmitItsFacts(t *testing.T) {
	var all Omit
	for _, g := range omittable {
		all |= g
	}
	if len(childQueries) == 0 {
		t.Fatal("no child lists")
	}
	for name, query := range childQueries {
		q := query()
		var facts []string
		for _, c := range strings.Split(q.columns, ",") {
			c = strings.TrimSpace(c)
			base := strings.Fields(c)[0]
			if omittable[base] == 0 || !strings.HasPrefix(base, "e.") {
				continue
			}
			if c != base {
				t.Errorf("%s reads %q: pruning knows it as %q", name, c, base)
			}
			facts = append(facts, base)
		}
		pruned := q.selectList(all)
		for _, f := range facts {
			for _, c := range strings.Split(pruned, ",") {
				if strings.TrimSpace(c) == f {
					t.Errorf("%s still reads %s with every group omitted", name, f)
				}
			}
		}
	}
}
