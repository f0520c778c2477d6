package graph_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/testdb"
)

// TestGraphQuestions checks the graph questions (neighborhood, paths,
// recommended mentors, similar startups) against the tables, within a
// university's scope, and their bounds.
func TestGraphQuestions(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	ghent := c.As(c.NewKey(t, "UNIVERSITY", "ghent-university"))
	team := "svc-factorylens"
	teamID := gid(t, c.DSN, globalid.Startup, "startups", team)
	fundID := gid(t, c.DSN, globalid.Fund, "funds", "creative-growth-venture-fund")
	ghentTeams := column(t, c.DSN, `SELECT DISTINCT a.startup_id::text FROM assignments a JOIN universities u ON u.id = a.university_id WHERE u.key = 'ghent-university'`)
	if contains(ghentTeams, strings.TrimPrefix(string(mustDecode(t, teamID)), "Startup:")) {
		t.Fatalf("demo data: %s belongs to Ghent", team)
	}

	t.Run("neighborhood", func(t *testing.T) {
		var data struct {
			Neighborhood struct {
				Truncated bool
				Nodes     []struct {
					Distance int
					Node     struct {
						Typename string `json:"__typename"`
						ID       string
					}
				}
				Edges []struct{ Kind, From, To string }
			}
		}
		c.OK(t, `query($id: ID!) { neighborhood(id: $id, depth: 2, limit: 60) { truncated nodes { distance node { __typename id } } edges { kind from to } } }`, map[string]any{"id": teamID}, &data)
		n := data.Neighborhood
		if len(n.Nodes) == 0 || n.Nodes[0].Node.ID != teamID || n.Nodes[0].Distance != 0 {
			t.Fatalf("start node: %+v", n.Nodes)
		}
		ids := map[string]int{}
		for _, x := range n.Nodes {
			ids[x.Node.ID] = x.Distance
			if x.Distance > 2 {
				t.Errorf("node at distance %d", x.Distance)
			}
		}
		if len(n.Nodes) > 60 {
			t.Errorf("%d nodes over the limit", len(n.Nodes))
		}
		want := column(t, c.DSN, `SELECT count(*)::text FROM (SELECT mentor_id FROM mentorships WHERE startup_id = $1 UNION ALL SELECT DISTINCT fund_id FROM investments WHERE startup_id = $1) q`,
			strings.TrimPrefix(string(mustDecode(t, teamID)), "Startup:"))
		directMentorsAndFunds := 0
		for _, x := range n.Nodes {
			if x.Distance == 1 && (x.Node.Typename == "Mentor" || x.Node.Typename == "Fund") {
				directMentorsAndFunds++
			}
		}
		if fmt.Sprint(directMentorsAndFunds) != want[0] {
			t.Errorf("%d mentors and funds at distance 1, want %s", directMentorsAndFunds, want[0])
		}
		for _, e := range n.Edges {
			if _, ok := ids[e.From]; !ok {
				t.Errorf("edge from a node not returned: %+v", e)
			}
			if _, ok := ids[e.To]; !ok {
				t.Errorf("edge to a node not returned: %+v", e)
			}
		}
	})

	t.Run("paths: shortest first, every edge real", func(t *testing.T) {
		var data struct {
			Paths []struct {
				Length int
				Nodes  []struct{ ID string }
				Edges  []struct{ Kind, From, To string }
			}
		}
		c.OK(t, `query($a: ID!, $b: ID!) { paths(from: $a, to: $b, maxLength: 3, first: 10) { length nodes { id } edges { kind from to } } }`,
			map[string]any{"a": teamID, "b": fundID}, &data)
		if len(data.Paths) == 0 {
			t.Fatal("no path from a funded team to its fund")
		}
		for i, p := range data.Paths {
			if i > 0 && p.Length < data.Paths[i-1].Length {
				t.Errorf("path %d is shorter than path %d", i, i-1)
			}
			if p.Length > 3 || len(p.Nodes) != p.Length+1 || p.Nodes[0].ID != teamID || p.Nodes[len(p.Nodes)-1].ID != fundID {
				t.Errorf("path %d: %+v", i, p)
			}
			seen := map[string]bool{}
			for _, n := range p.Nodes {
				if seen[n.ID] {
					t.Errorf("path %d repeats a node", i)
				}
				seen[n.ID] = true
			}
			for _, e := range p.Edges {
				if !edgeExists(t, c.DSN, e.Kind, e.From, e.To) {
					t.Errorf("path %d uses an edge that does not exist: %+v", i, e)
				}
			}
		}
	})

	t.Run("recommended mentors", func(t *testing.T) {
		var data struct {
			RecommendedMentors []struct {
				Score   float64
				Reasons []string
				Mentor  struct{ Key string }
			}
		}
		c.OK(t, `query($id: ID!) { recommendedMentors(startupId: $id, first: 10) { score reasons mentor { key } } }`, map[string]any{"id": teamID}, &data)
		current := column(t, c.DSN, `SELECT m.key FROM mentorships e JOIN mentors m ON m.id = e.mentor_id JOIN startups s ON s.id = e.startup_id WHERE s.key = $1`, team)
		if len(data.RecommendedMentors) == 0 {
			t.Fatal("no recommendation")
		}
		for i, r := range data.RecommendedMentors {
			if contains(current, r.Mentor.Key) {
				t.Errorf("recommends %s, who already mentors the team", r.Mentor.Key)
			}
			if len(r.Reasons) == 0 || (i > 0 && r.Score > data.RecommendedMentors[i-1].Score) {
				t.Errorf("recommendation %d: %+v", i, r)
			}
		}
	})

	t.Run("similar startups", func(t *testing.T) {
		var data struct {
			SimilarStartups []struct {
				Score   float64
				Reasons []string
				Startup struct{ Key string }
			}
		}
		c.OK(t, `query($id: ID!) { similarStartups(id: $id, first: 10) { score reasons startup { key } } }`, map[string]any{"id": teamID}, &data)
		if len(data.SimilarStartups) == 0 {
			t.Fatal("nothing similar")
		}
		for i, s := range data.SimilarStartups {
			if s.Startup.Key == team || len(s.Reasons) == 0 || (i > 0 && s.Score > data.SimilarStartups[i-1].Score) {
				t.Errorf("similar %d: %+v", i, s)
			}
		}
	})

	t.Run("a university cannot explore from another's team", func(t *testing.T) {
		for _, q := range []string{
			`query($id: ID!) { neighborhood(id: $id) { truncated } }`,
			`query($id: ID!) { recommendedMentors(startupId: $id) { score } }`,
			`query($id: ID!) { similarStartups(id: $id) { score } }`,
		} {
			if r := ghent.Do(t, q, map[string]any{"id": teamID}); r.Code() != "NOT_FOUND" {
				t.Errorf("%s: %+v", q, r.Errors)
			}
		}
	})

	t.Run("a university's answers hold only its teams", func(t *testing.T) {
		own := gid(t, c.DSN, globalid.Startup, "startups", column(t, c.DSN, `SELECT s.key FROM startups s JOIN assignments a ON a.startup_id = s.id JOIN universities u ON u.id = a.university_id WHERE u.key = 'ghent-university' ORDER BY s.id LIMIT 1`)[0])
		r := ghent.OK(t, `query($id: ID!, $f: ID!) {
			neighborhood(id: $id, depth: 3, limit: 500) { nodes { node { __typename id } } }
			similarStartups(id: $id, first: 20) { startup { __typename id } }
			paths(from: $id, to: $f, maxLength: 4, first: 20) { nodes { __typename id } } }`, map[string]any{"id": own, "f": fundID}, nil)
		s := &seen{ids: map[string]map[int64]bool{"Startup": {}, "Mentor": {}, "Investment": {}}}
		inspect(t, r.Data, 0, s)
		want := visibleOracle(t, c.DSN, "ghent-university")
		for typ, ids := range s.ids {
			for id := range ids {
				if !want[typ][id] {
					t.Errorf("Ghent sees %s %d", typ, id)
				}
			}
		}
		if len(s.ids["Startup"]) == 0 {
			t.Error("the check saw no startup at all")
		}
	})

	t.Run("a declared relationship is walked, in scope", func(t *testing.T) {
		// Mentor <-> Market was added through its declaration alone; its
		// Graph makes it an edge of the walk, guarded like Market.mentors.
		vn := gid(t, c.DSN, globalid.Market, "markets", "vn")
		const q = `query($id: ID!) { neighborhood(id: $id, depth: 1, limit: 500) { edges { kind from to } } }`
		mentorsOf := func(cl *apitest.Client) []string {
			var data struct {
				Neighborhood struct {
					Edges []struct{ Kind, From, To string }
				}
			}
			cl.OK(t, q, map[string]any{"id": vn}, &data)
			var out []string
			for _, e := range data.Neighborhood.Edges {
				if e.Kind == "MARKET_EXPERIENCE" {
					if e.To != vn {
						t.Errorf("MARKET_EXPERIENCE edge %s -> %s does not end at the market", e.From, e.To)
					}
					out = append(out, strings.TrimPrefix(string(mustDecode(t, e.From)), "Mentor:"))
				}
			}
			sort.Strings(out)
			return out
		}
		const experienced = `SELECT e.mentor_id::text FROM mentor_markets e JOIN markets k ON k.id = e.market_id WHERE k.key = 'vn'`
		all := column(t, c.DSN, experienced+` ORDER BY 1`)
		if got := mentorsOf(c); len(all) == 0 || !slices.Equal(got, all) {
			t.Errorf("admin: mentors %v, want %v", got, all)
		}
		visible := column(t, c.DSN, experienced+` AND (e.mentor_id IN (SELECT m.mentor_id FROM mentorships m JOIN assignments a ON a.startup_id = m.startup_id
			JOIN universities u ON u.id = a.university_id WHERE u.key = 'ghent-university')
			OR e.mentor_id IN (SELECT x.id FROM mentors x JOIN universities u ON u.id = x.affiliated_university_id WHERE u.key = 'ghent-university')) ORDER BY 1`)
		if got := mentorsOf(ghent); !slices.Equal(got, visible) {
			t.Errorf("ghent: mentors %v, want %v", got, visible)
		}
	})

	t.Run("bounds", func(t *testing.T) {
		for _, tc := range []struct{ query, field string }{
			{`query($id: ID!) { neighborhood(id: $id, depth: 4) { truncated } }`, "depth"},
			{`query($id: ID!) { neighborhood(id: $id, limit: 501) { truncated } }`, "limit"},
			{`query($id: ID!) { paths(from: $id, to: $id, maxLength: 5) { length } }`, "maxLength"},
			{`query($id: ID!) { recommendedMentors(startupId: $id, first: 21) { score } }`, "first"},
			{`query($id: ID!) { similarStartups(id: $id, first: 2) { score } }`, "id"},
		} {
			id := teamID
			if tc.field == "id" {
				id = "bm9wZQ"
			}
			if r := c.Do(t, tc.query, map[string]any{"id": id}); r.Code() != "BAD_USER_INPUT" || r.Field() != tc.field {
				t.Errorf("%s: %+v", tc.query, r.Errors)
			}
		}
	})
}

// edgeExists checks an edge reported by the API against the tables.
func edgeExists(t *testing.T, dsn, kind, from, to string) bool {
	t.Helper()
	a, b := string(mustDecode(t, from)), string(mustDecode(t, to))
	at, aid, _ := strings.Cut(a, ":")
	bt, bid, _ := strings.Cut(b, ":")
	q := map[string]string{
		"Startup/Fund/INVESTMENT":           "SELECT 'x', 'x' FROM investments WHERE startup_id = $1 AND fund_id = $2",
		"Startup/Mentor/MENTORSHIP":         "SELECT 'x', 'x' FROM mentorships WHERE startup_id = $1 AND mentor_id = $2",
		"Startup/University/ASSIGNMENT":     "SELECT 'x', 'x' FROM assignments WHERE startup_id = $1 AND university_id = $2",
		"Startup/Market/MARKET_TARGET":      "SELECT 'x', 'x' FROM market_targets WHERE startup_id = $1 AND market_id = $2",
		"Startup/Sector/SECTOR":             "SELECT 'x', 'x' FROM startup_sectors WHERE startup_id = $1 AND sector_id = $2",
		"Startup/Program/MEMBERSHIP":        "SELECT 'x', 'x' FROM memberships m JOIN cohorts c ON c.id = m.cohort_id WHERE m.startup_id = $1 AND c.program_id = $2",
		"Mentor/Sector/EXPERTISE":           "SELECT 'x', 'x' FROM mentor_sectors WHERE mentor_id = $1 AND sector_id = $2",
		"Mentor/University/AFFILIATION":     "SELECT 'x', 'x' FROM mentors WHERE id = $1 AND affiliated_university_id = $2",
		"Mentor/Organization/AFFILIATION":   "SELECT 'x', 'x' FROM mentors WHERE id = $1 AND affiliated_organization_id = $2",
		"Program/Organization/PROGRAM_ROLE": "SELECT 'x', 'x' FROM program_organizations WHERE program_id = $1 AND organization_id = $2",
		"Mentor/Market/MARKET_EXPERIENCE":   "SELECT 'x', 'x' FROM mentor_markets WHERE mentor_id = $1 AND market_id = $2",
	}
	if sqlText, ok := q[at+"/"+bt+"/"+kind]; ok {
		return len(oracle(t, dsn, sqlText, aid, bid)) > 0
	}
	if sqlText, ok := q[bt+"/"+at+"/"+kind]; ok {
		return len(oracle(t, dsn, sqlText, bid, aid)) > 0
	}
	return false
}
