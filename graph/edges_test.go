package graph_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/testdb"
)

// TestEveryEdgeBothDirections checks every relationship from both ends
// against an independent SQL oracle over the demo data, with totalCount.
func TestEveryEdgeBothDirections(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	const page = "(first: 100)"
	cases := []struct {
		name, parents, child, childKey, oracle string
	}{
		{"university.startups", "universities", "startups", "key",
			"SELECT u.key, s.key FROM assignments a JOIN universities u ON u.id = a.university_id JOIN startups s ON s.id = a.startup_id"},
		{"startup.universities", "startups" + page, "universities", "key",
			"SELECT s.key, u.key FROM assignments a JOIN universities u ON u.id = a.university_id JOIN startups s ON s.id = a.startup_id"},
		{"university.mentors", "universities", "mentors", "key",
			"SELECT u.key, m.key FROM mentors m JOIN universities u ON u.id = m.affiliated_university_id"},
		{"organization.mentors", "organizations" + page, "mentors", "key",
			"SELECT o.key, m.key FROM mentors m JOIN organizations o ON o.id = m.affiliated_organization_id"},
		{"organization.children", "organizations" + page, "children", "key",
			"SELECT p.key, o.key FROM organizations o JOIN organizations p ON p.id = o.parent_id"},
		{"organization.programs", "organizations" + page, "programs", "key",
			"SELECT o.key, p.key FROM program_organizations x JOIN organizations o ON o.id = x.organization_id JOIN programs p ON p.id = x.program_id"},
		{"program.organizations", "programs" + page, "organizations", "key",
			"SELECT p.key, o.key FROM program_organizations x JOIN organizations o ON o.id = x.organization_id JOIN programs p ON p.id = x.program_id"},
		{"startup.sectors", "startups" + page, "sectors", "key",
			"SELECT s.key, x.key FROM startup_sectors e JOIN startups s ON s.id = e.startup_id JOIN sectors x ON x.id = e.sector_id"},
		{"sector.startups", "sectors" + page, "startups", "key",
			"SELECT x.key, s.key FROM startup_sectors e JOIN startups s ON s.id = e.startup_id JOIN sectors x ON x.id = e.sector_id"},
		{"mentor.sectors", "mentors" + page, "sectors", "key",
			"SELECT m.key, x.key FROM mentor_sectors e JOIN mentors m ON m.id = e.mentor_id JOIN sectors x ON x.id = e.sector_id"},
		{"sector.mentors", "sectors" + page, "mentors", "key",
			"SELECT x.key, m.key FROM mentor_sectors e JOIN mentors m ON m.id = e.mentor_id JOIN sectors x ON x.id = e.sector_id"},
		{"program.cohorts", "programs" + page, "cohorts", "key",
			"SELECT p.key, c.key FROM cohorts c JOIN programs p ON p.id = c.program_id"},
		{"program.startups", "programs" + page, "startups", "key",
			"SELECT p.key, s.key FROM memberships m JOIN cohorts c ON c.id = m.cohort_id JOIN programs p ON p.id = c.program_id JOIN startups s ON s.id = m.startup_id"},
		{"startup.programs", "startups" + page, "programs", "key",
			"SELECT s.key, p.key FROM memberships m JOIN cohorts c ON c.id = m.cohort_id JOIN programs p ON p.id = c.program_id JOIN startups s ON s.id = m.startup_id"},
		{"fund.portfolio", "funds" + page, "portfolio", "key",
			"SELECT f.key, s.key FROM investments i JOIN funds f ON f.id = i.fund_id JOIN startups s ON s.id = i.startup_id"},
		{"startup.investors", "startups" + page, "investors", "key",
			"SELECT s.key, f.key FROM investments i JOIN funds f ON f.id = i.fund_id JOIN startups s ON s.id = i.startup_id"},
		{"facility.spaces", "facilities" + page, "spaces", "key",
			"SELECT p.key, f.key FROM facilities f JOIN facilities p ON p.id = f.parent_id"},
		{"facility.residents", "facilities" + page, "residents", "key",
			"SELECT f.key, s.key FROM startups s JOIN facilities f ON f.id = s.facility_id"},
		{"startup.mentors", "startups" + page, "mentors", "key",
			"SELECT s.key, m.key FROM mentorships e JOIN mentors m ON m.id = e.mentor_id JOIN startups s ON s.id = e.startup_id"},
		{"mentor.startups", "mentors" + page, "startups", "key",
			"SELECT m.key, s.key FROM mentorships e JOIN mentors m ON m.id = e.mentor_id JOIN startups s ON s.id = e.startup_id"},
		{"startup.markets", "startups" + page, "markets", "key",
			"SELECT s.key, k.key FROM market_targets e JOIN markets k ON k.id = e.market_id JOIN startups s ON s.id = e.startup_id"},
		{"market.startups", "markets" + page, "startups", "key",
			"SELECT k.key, s.key FROM market_targets e JOIN markets k ON k.id = e.market_id JOIN startups s ON s.id = e.startup_id"},
		{"mentor.markets", "mentors" + page, "markets", "key",
			"SELECT m.key, k.key FROM mentor_markets e JOIN mentors m ON m.id = e.mentor_id JOIN markets k ON k.id = e.market_id"},
		{"market.mentors", "markets" + page, "mentors", "key",
			"SELECT k.key, m.key FROM mentor_markets e JOIN mentors m ON m.id = e.mentor_id JOIN markets k ON k.id = e.market_id"},
		{"startup.stageHistory", "startups" + page, "stageHistory", "stage",
			"SELECT s.key, e.stage FROM stage_changes e JOIN startups s ON s.id = e.startup_id"},
		{"startup.outcomes", "startups" + page, "outcomes", "kind",
			"SELECT s.key, e.kind FROM outcomes e JOIN startups s ON s.id = e.startup_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := fmt.Sprintf(`{ parents: %s { %s key children: %s(first: 100) { totalCount nodes { key: %s } } } }`,
				tc.parents, nodesPrefix(tc.parents), tc.child, tc.childKey)
			q = closeNodes(q, tc.parents)
			r := c.OK(t, q, nil, nil)
			equalGroups(t, grouped(t, parents(t, r.Data)), oracle(t, c.DSN, tc.oracle))
		})
	}

	t.Run("cohort.startups", func(t *testing.T) {
		var data struct {
			Programs struct {
				Nodes []struct {
					Cohorts struct{ Nodes []keyed } `json:"cohorts"`
				} `json:"nodes"`
			} `json:"programs"`
		}
		c.OK(t, `{ programs(first: 20) { nodes { cohorts(first: 10) { nodes { key children: startups(first: 100) { totalCount nodes { key } } } } } } }`, nil, &data)
		var all []keyed
		for _, p := range data.Programs.Nodes {
			all = append(all, p.Cohorts.Nodes...)
		}
		equalGroups(t, grouped(t, all), oracle(t, c.DSN,
			"SELECT c.key, s.key FROM memberships m JOIN cohorts c ON c.id = m.cohort_id JOIN startups s ON s.id = m.startup_id"))
	})
}

// nodesPrefix opens "nodes {" for connection parents; universities is a list.
func nodesPrefix(parents string) string {
	if parents == "universities" {
		return ""
	}
	return "nodes {"
}

func closeNodes(q, parents string) string {
	if parents == "universities" {
		return q
	}
	return q[:len(q)-2] + "} }"
}

// TestReferences checks every many-to-one reference against SQL.
func TestReferences(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	cases := []struct {
		name, query, oracle string
	}{
		{"organization.parent", `{ parents: organizations(first: 100) { nodes { key ref: parent { key } } } }`,
			"SELECT o.key, p.key FROM organizations o JOIN organizations p ON p.id = o.parent_id"},
		{"fund.manager", `{ parents: funds(first: 100) { nodes { key ref: manager { key } } } }`,
			"SELECT f.key, o.key FROM funds f JOIN organizations o ON o.id = f.manager_id"},
		{"fund.sponsor", `{ parents: funds(first: 100) { nodes { key ref: sponsor { key } } } }`,
			"SELECT f.key, o.key FROM funds f JOIN organizations o ON o.id = f.sponsor_id"},
		{"fund.program", `{ parents: funds(first: 100) { nodes { key ref: program { key } } } }`,
			"SELECT f.key, p.key FROM funds f JOIN programs p ON p.id = f.program_id"},
		{"facility.parent", `{ parents: facilities(first: 100) { nodes { key ref: parent { key } } } }`,
			"SELECT f.key, p.key FROM facilities f JOIN facilities p ON p.id = f.parent_id"},
		{"facility.operator", `{ parents: facilities(first: 100) { nodes { key ref: operator { key } } } }`,
			"SELECT f.key, o.key FROM facilities f JOIN organizations o ON o.id = f.operator_id"},
		{"startup.facility", `{ parents: startups(first: 100) { nodes { key ref: facility { key } } } }`,
			"SELECT s.key, f.key FROM startups s JOIN facilities f ON f.id = s.facility_id"},
		{"mentor.affiliation", `{ parents: mentors(first: 100) { nodes { key ref: affiliation { ... on University { key } ... on Organization { key } } } } }`,
			"SELECT m.key, COALESCE(u.key, o.key) FROM mentors m LEFT JOIN universities u ON u.id = m.affiliated_university_id LEFT JOIN organizations o ON o.id = m.affiliated_organization_id WHERE u.id IS NOT NULL OR o.id IS NOT NULL"},
		{"cohort.program", `{ programs(first: 20) { nodes { cohorts(first: 10) { nodes { key ref: program { key } } } } } }`,
			"SELECT c.key, p.key FROM cohorts c JOIN programs p ON p.id = c.program_id"},
		{"investment.fund", `{ parents: investments(first: 100) { nodes { key: id ref: fund { key } } } }`, ""},
		{"memberEdge.cohort", `{ parents: programs(first: 100) { nodes { key startups(first: 100) { edges { node { key } cohort { key } } } } } }`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.OK(t, tc.query, nil, nil)
			if tc.oracle == "" {
				return // checked in TestEdgeFacts against SQL
			}
			got := map[string][]string{}
			var walk func(v any)
			walk = func(v any) {
				switch x := v.(type) {
				case map[string]any:
					if k, ok := x["key"].(string); ok {
						if ref, ok := x["ref"].(map[string]any); ok {
							got[k] = append(got[k], ref["key"].(string))
						}
					}
					for _, child := range x {
						walk(child)
					}
				case []any:
					for _, child := range x {
						walk(child)
					}
				}
			}
			var data any
			_ = json.Unmarshal(r.Data, &data)
			walk(data)
			equalGroups(t, got, oracle(t, c.DSN, tc.oracle))
		})
	}
}
