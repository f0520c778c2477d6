package store

import "testing"

// TestNodeJoin checks which child counts drop their join to the node
// table: only those whose conditions read the node's id alone, which the
// edge row holds.
func TestNodeJoin(t *testing.T) {
	for _, c := range []struct {
		from, edges, table, id string
	}{
		{"assignments e JOIN startups n ON n.id = e.startup_id", "assignments e", "startups", "e.startup_id"},
		{"memberships e JOIN cohorts c ON c.id = e.cohort_id JOIN startups n ON n.id = e.startup_id",
			"memberships e JOIN cohorts c ON c.id = e.cohort_id", "startups", "e.startup_id"},
		{"mentors n", "", "", ""},
		{"assignments e JOIN startups n ON n.id = e.startup_id AND n.archived_at IS NULL", "", "", ""},
	} {
		edges, table, id, ok := nodeJoin(c.from)
		if edges != c.edges || table != c.table || id != c.id || ok != (c.edges != "") {
			t.Errorf("nodeJoin(%q) = %q, %q, %q, %v", c.from, edges, table, id, ok)
		}
	}
	for conds, want := range map[string]bool{
		"EXISTS (SELECT 1 FROM outcomes n1 WHERE n1.startup_id = n.id AND n1.kind = $1)":             true,
		"EXISTS (SELECT 1 FROM assignments sa WHERE sa.startup_id = n.id AND sa.university_id = $2)": true,
		"n.stage = $1": false,
		"EXISTS (SELECT 1 FROM x WHERE x.a = n.id) AND n.export_value > $1": false,
		"e.status = $1 AND en.stage = $2":                                   true,
	} {
		if got := onlyNodeID([]string{conds}); got != want {
			t.Errorf("onlyNodeID(%q) = %v, want %v", conds, got, want)
		}
	}
}
