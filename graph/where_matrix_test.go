package graph_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/relation"
	"startupgraph/internal/synthetic"
	"startupgraph/internal/testdb"
)

// whereEdges are, for every relationship field of a node type with a root
// list, the oracle's edges of parent p as the viewer sees them (the views
// of viewerScope), written independently of the store.
var whereEdges = map[string]string{
	"startups.sectors":       "SELECT 1 FROM vss x WHERE x.startup_id = p.id",
	"startups.universities":  "SELECT 1 FROM va x WHERE x.startup_id = p.id",
	"startups.mentors":       "SELECT 1 FROM vms x WHERE x.startup_id = p.id",
	"startups.investors":     "SELECT 1 FROM vi x WHERE x.startup_id = p.id",
	"startups.markets":       "SELECT 1 FROM vmt x WHERE x.startup_id = p.id",
	"startups.programs":      "SELECT 1 FROM vmem x WHERE x.startup_id = p.id",
	"startups.stageHistory":  "SELECT 1 FROM stage_changes x WHERE x.startup_id = p.id",
	"startups.outcomes":      "SELECT 1 FROM outcomes x WHERE x.startup_id = p.id",
	"mentors.sectors":        "SELECT 1 FROM vmsec x WHERE x.mentor_id = p.id",
	"mentors.startups":       "SELECT 1 FROM vms x WHERE x.mentor_id = p.id",
	"mentors.markets":        "SELECT 1 FROM vmmk x WHERE x.mentor_id = p.id",
	"sectors.startups":       "SELECT 1 FROM vss x WHERE x.sector_id = p.id",
	"sectors.mentors":        "SELECT 1 FROM vmsec x WHERE x.sector_id = p.id",
	"markets.startups":       "SELECT 1 FROM vmt x WHERE x.market_id = p.id",
	"markets.mentors":        "SELECT 1 FROM vmmk x WHERE x.market_id = p.id",
	"programs.startups":      "SELECT 1 FROM vmem x WHERE x.program_id = p.id",
	"programs.cohorts":       "SELECT 1 FROM cohorts x WHERE x.program_id = p.id",
	"programs.organizations": "SELECT 1 FROM program_organizations x WHERE x.program_id = p.id",
	"funds.portfolio":        "SELECT 1 FROM vi x WHERE x.fund_id = p.id",
	"organizations.children": "SELECT 1 FROM organizations x WHERE x.parent_id = p.id",
	"organizations.programs": "SELECT 1 FROM program_organizations x WHERE x.organization_id = p.id",
	"organizations.mentors":  "SELECT 1 FROM vm x WHERE x.affiliated_organization_id = p.id",
	"facilities.spaces":      "SELECT 1 FROM facilities x WHERE x.parent_id = p.id",
	"facilities.residents":   "SELECT 1 FROM startups x WHERE x.facility_id = p.id AND x.id IN (SELECT id FROM vs)",
}

// TestWhereMatrix: every relationship predicate of every root list, as
// every role, equals the oracle over what that role sees: some (an edge),
// none (no edge) and count (at least two edges). A university cannot use
// a predicate to learn of another university's assignments, of mentors'
// or funds' other teams, or of teams it does not see.
func TestWhereMatrix(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), c.Store, 300, 5); err != nil {
		t.Fatal(err)
	}
	// Every relationship field of a listed node type has its oracle.
	for _, l := range relation.Lists {
		if len(relation.Nodes[l.Node].Fields) == 0 {
			continue
		}
		for _, r := range relation.All {
			for _, e := range r.Ends {
				if e.Node == l.Node && e.Field != "" && whereEdges[l.Field+"."+e.Field] == "" {
					t.Errorf("%s.%s has no oracle in whereEdges", l.Field, e.Field)
				}
			}
		}
	}
	protected := map[string]string{"startups": "p.id IN (SELECT id FROM vs)", "mentors": "p.id IN (SELECT id FROM vm)"}
	tables := map[string]string{"startups": "startups", "mentors": "mentors", "sectors": "sectors", "markets": "markets",
		"programs": "programs", "funds": "funds", "organizations": "organizations", "facilities": "facilities"}
	roles := everyRole(t, c)
	predicates := []struct{ where, oracle string }{
		{"{ %s: { some: {} } }", "EXISTS (%s)"},
		{"{ %s: { none: {} } }", "NOT EXISTS (%s)"},
		{"{ %s: { count: { gte: 2 } } }", "(SELECT count(*) FROM (%s) q) >= 2"},
	}
	names := make([]string, 0, len(whereEdges))
	for name := range whereEdges {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, role := range roles {
		cl := c.As(role.key)
		t.Run(role.name, func(t *testing.T) {
			checked := 0
			for _, name := range names {
				list, field, _ := strings.Cut(name, ".")
				if role.name == "anonymous" && protected[list] != "" {
					continue // the list itself needs a key
				}
				visible := protected[list]
				if visible == "" {
					visible = "true"
				}
				for _, p := range predicates {
					where := fmt.Sprintf(p.where, field)
					got := whereKeys(t, cl, list, where)
					q := viewerScope + fmt.Sprintf(", r(k) AS (SELECT p.key FROM %s p WHERE %s AND %s) SELECT k FROM r",
						tables[list], visible, fmt.Sprintf(p.oracle, whereEdges[name]))
					want := column(t, c.DSN, q, role.university)
					sort.Strings(want)
					if !slices.Equal(got, want) {
						t.Errorf("%s(where: %s): got %d %v, want %d %v", list, where, len(got), head(got), len(want), head(want))
					}
					checked++
				}
			}
			t.Logf("%d predicates checked", checked)
		})
	}
}
