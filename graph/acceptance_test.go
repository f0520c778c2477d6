package graph_test

import (
	"context"
	"slices"
	"sort"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/synthetic"
	"startupgraph/internal/testdb"
)

// TestAcceptanceQueries: the questions of the graph issue, each answered in
// one request, checked against SQL.
func TestAcceptanceQueries(t *testing.T) {
	c := apitest.New(t, testdb.Demo)

	t.Run("Ghent's teams with their mentors and market targets", func(t *testing.T) {
		ghent := gid(t, c.DSN, globalid.University, "universities", "ghent-university")
		r := c.OK(t, `query($id: ID!) { node(id: $id) { ... on University { startups(first: 100) { edges { purpose node { key
			mentors(first: 100) { edges { focus node { mentor: key } } }
			markets(first: 100) { edges { status priority node { code } } } } } } } } }`, map[string]any{"id": ghent}, nil)
		if got, want := tuples(t, r.Data, "key"), column(t, c.DSN,
			"SELECT s.key FROM assignments a JOIN startups s ON s.id = a.startup_id JOIN universities u ON u.id = a.university_id WHERE u.key = 'ghent-university'"); !sameSet(got, want) {
			t.Errorf("teams %v, want %v", got, want)
		}
		if got, want := tuples(t, r.Data, "node.mentor"), column(t, c.DSN,
			`SELECT m.key FROM assignments a JOIN universities u ON u.id = a.university_id JOIN mentorships e ON e.startup_id = a.startup_id
			 JOIN mentors m ON m.id = e.mentor_id WHERE u.key = 'ghent-university'`); !sameSet(got, want) {
			t.Errorf("mentors %v, want %v", got, want)
		}
		if got, want := tuples(t, r.Data, "status", "node.code"), column(t, c.DSN,
			`SELECT e.status || '|' || k.code FROM assignments a JOIN universities u ON u.id = a.university_id JOIN market_targets e ON e.startup_id = a.startup_id
			 JOIN markets k ON k.id = e.market_id WHERE u.key = 'ghent-university'`); !sameSet(got, want) || !slices.Contains(got, "LOCALIZING|EUR") && !slices.Contains(got, "EXPLORING|EUR") && !slices.Contains(got, "ENTERED|EUR") {
			t.Errorf("targets %v, want %v (with the EU)", got, want)
		}
	})

	t.Run("smart-factory startups targeting Vietnam with their investors", func(t *testing.T) {
		vars := map[string]any{
			"sector": []string{gid(t, c.DSN, globalid.Sector, "sectors", "smart-factory")},
			"market": []string{gid(t, c.DSN, globalid.Market, "markets", "vn")},
		}
		r := c.OK(t, `query($sector: [ID!], $market: [ID!]) { startups(first: 100, filter: {sectorIds: $sector, marketIds: $market}) {
			nodes { key investors(first: 100) { edges { amount round node { fund: key } } } } } }`, vars, nil)
		want := column(t, c.DSN, `SELECT s.key FROM startups s
			WHERE EXISTS (SELECT 1 FROM startup_sectors x JOIN sectors y ON y.id = x.sector_id WHERE x.startup_id = s.id AND y.key = 'smart-factory')
			  AND EXISTS (SELECT 1 FROM market_targets x JOIN markets k ON k.id = x.market_id WHERE x.startup_id = s.id AND k.code = 'VN')`)
		if got := tuples(t, r.Data, "key"); !sameSet(got, want) || len(want) < 2 {
			t.Errorf("startups %v, want %v", got, want)
		}
		if got, want := tuples(t, r.Data, "amount", "round", "node.fund"), column(t, c.DSN, `SELECT i.amount_krw || '|' || i.round || '|' || f.key
			FROM investments i JOIN funds f ON f.id = i.fund_id JOIN startups s ON s.id = i.startup_id
			WHERE EXISTS (SELECT 1 FROM startup_sectors x JOIN sectors y ON y.id = x.sector_id WHERE x.startup_id = s.id AND y.key = 'smart-factory')
			  AND EXISTS (SELECT 1 FROM market_targets x JOIN markets k ON k.id = x.market_id WHERE x.startup_id = s.id AND k.code = 'VN')`); !sameSet(got, want) || len(want) == 0 {
			t.Errorf("investments %v, want %v", got, want)
		}
	})

	t.Run("mentors shared by two startups", func(t *testing.T) {
		pair := column(t, c.DSN, `SELECT a.key || '|' || b.key FROM startups a JOIN startups b ON a.id < b.id
			WHERE (SELECT count(*) FROM mentorships x JOIN mentorships y ON x.mentor_id = y.mentor_id WHERE x.startup_id = a.id AND y.startup_id = b.id) >= 2 LIMIT 1`)
		if len(pair) == 0 {
			t.Fatal("no two demo startups share two mentors")
		}
		a, b, _ := cut(pair[0])
		r := c.OK(t, `query($ids: [ID!]) { mentors(filter: {sharedByStartupIds: $ids}) { totalCount nodes { key } } }`,
			map[string]any{"ids": []string{gid(t, c.DSN, globalid.Startup, "startups", a), gid(t, c.DSN, globalid.Startup, "startups", b)}}, nil)
		want := column(t, c.DSN, `SELECT m.key FROM mentors m JOIN mentorships x ON x.mentor_id = m.id JOIN startups sa ON sa.id = x.startup_id
			JOIN mentorships y ON y.mentor_id = m.id JOIN startups sb ON sb.id = y.startup_id WHERE sa.key = $1 AND sb.key = $2`, a, b)
		if got := tuples(t, r.Data, "key"); !sameSet(got, want) || len(want) < 2 {
			t.Errorf("shared mentors %v, want %v", got, want)
		}
	})

	t.Run("a fund's portfolio with amounts and each team's university", func(t *testing.T) {
		fund := gid(t, c.DSN, globalid.Fund, "funds", "creative-growth-venture-fund")
		r := c.OK(t, `query($id: ID!) { node(id: $id) { ... on Fund { portfolio(first: 100) { totalCount edges { amount investedOn round
			node { key universities(first: 10) { nodes { university: key } } } } } } } }`, map[string]any{"id": fund}, nil)
		if got, want := tuples(t, r.Data, "amount", "investedOn", "round", "node.key"), column(t, c.DSN, `SELECT i.amount_krw || '|' || i.invested_on || '|' || i.round || '|' || s.key
			FROM investments i JOIN funds f ON f.id = i.fund_id JOIN startups s ON s.id = i.startup_id WHERE f.key = 'creative-growth-venture-fund'`); !sameSet(got, want) || len(want) == 0 {
			t.Errorf("portfolio %v, want %v", got, want)
		}
		got := tuples(t, r.Data, "university")
		want := column(t, c.DSN, `SELECT u.key FROM investments i JOIN funds f ON f.id = i.fund_id JOIN assignments a ON a.startup_id = i.startup_id
			JOIN universities u ON u.id = a.university_id WHERE f.key = 'creative-growth-venture-fund'`)
		if !sameSet(got, want) || len(want) == 0 {
			t.Errorf("universities %v, want %v", got, want)
		}
	})
}

func sameSet(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	sort.Strings(g)
	sort.Strings(w)
	return slices.Equal(g, w)
}

func cut(s string) (string, string, bool) {
	for i := range s {
		if s[i] == '|' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// TestStatementCountDependsOnDepthOnly: the nested query costs the same
// number of SQL statements whether the graph has the demo's 33 startups
// or 1,000 more; it depends on the query's depth, not on its rows.
func TestStatementCountDependsOnDepthOnly(t *testing.T) {
	const q = `{ universities { nameEn startups(first: 10) { totalCount edges { purpose node { nameEn
		mentors(first: 5) { totalCount edges { focus node { nameEn sectors { nodes { nameEn } } } } } } } } } }`
	small := apitest.New(t, testdb.Demo)
	big := apitest.New(t, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), big.Store, 1000, 7); err != nil {
		t.Fatal(err)
	}
	// levels: universities, startups page, startups count, mentors page,
	// mentors count, sectors page
	const want = 6
	var smallRows, bigRows int
	for _, tc := range []struct {
		name string
		c    *apitest.Client
		rows *int
	}{{"demo", small, &smallRows}, {"demo + 1,000 synthetic", big, &bigRows}} {
		// the first request with a key verifies it (one statement); later
		// ones find it in the cache
		if r := tc.c.OK(t, `{ viewer { role } }`, nil, nil); r.Statements != 1 {
			t.Errorf("%s: verifying the key took %d statements, want 1", tc.name, r.Statements)
		}
		r := tc.c.OK(t, q, nil, nil)
		if r.Statements != want {
			t.Errorf("%s: %d statements, want %d", tc.name, r.Statements, want)
		}
		*tc.rows = len(tuples(t, r.Data, "focus"))
	}
	if bigRows <= smallRows {
		t.Errorf("the larger graph returned %d mentorships, the demo %d: the comparison proves nothing", bigRows, smallRows)
	}

	// References batch per level too: investments, their funds, their
	// startups, and the startups' universities.
	const fanIn = `{ investments(first: 100) { nodes { amount fund { name manager { name } } startup { name facility { name }
		universities(first: 3) { nodes { name } } } } } }`
	for _, c := range []*apitest.Client{small, big} {
		if r := c.OK(t, fanIn, nil, nil); r.Statements != 6 {
			t.Errorf("fan-in: %d statements, want 6 (investments, funds, managers, startups, facilities, universities)", r.Statements)
		}
	}
}
