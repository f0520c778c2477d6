package graph_test

import (
	"context"
	"slices"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/synthetic"
	"startupgraph/internal/testdb"
)

// TestOrderByRelatedFigures: the issue #17 questions that sort by related
// figures, walked page by page in both directions and compared with SQL
// over the demo data plus synthetic startups.
func TestOrderByRelatedFigures(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), c.Store, 500, 11); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, args, oracle string }{
		{"one investment of at least 1 billion KRW from a venture fund since 2017, by total invested, then name",
			`, where: { investors: { some: { amount: { gte: 1000000000 }, investedOn: { gte: "2017-01-01" }, node: { kind: { eq: VENTURE_FUND } } } } },
			   orderBy: [{ field: INVESTED_TOTAL, direction: DESC }, { field: NAME_EN }]`,
			`SELECT '', key FROM startups s WHERE EXISTS (SELECT 1 FROM investments i JOIN funds f ON f.id = i.fund_id
			   WHERE i.startup_id = s.id AND i.amount_krw >= 1000000000 AND i.invested_on >= DATE '2017-01-01' AND f.kind = 'VENTURE_FUND')
			 ORDER BY (SELECT sum(amount_krw) FROM investments i WHERE i.startup_id = s.id) DESC, name_en, id DESC`},
		{"the teams that created the most jobs", `, orderBy: [{ field: JOBS_CREATED, direction: DESC }, { field: NAME_EN }]`,
			`SELECT '', key FROM startups s ORDER BY (SELECT COALESCE(sum(quantity), 0) FROM outcomes o WHERE o.startup_id = s.id AND o.kind = 'JOBS_CREATED') DESC, name_en, id DESC`},
		{"exporters by export value", `, where: { outcomes: { some: { node: { kind: { eq: EXPORT_CONTRACT } } } } }, orderBy: [{ field: EXPORT_VALUE, direction: DESC }]`,
			`SELECT '', key FROM startups s WHERE EXISTS (SELECT 1 FROM outcomes o WHERE o.startup_id = s.id AND o.kind = 'EXPORT_CONTRACT')
			 ORDER BY (SELECT COALESCE(sum(amount_krw), 0) FROM outcomes o WHERE o.startup_id = s.id AND o.kind = 'EXPORT_CONTRACT') DESC, id DESC`},
	}
	for _, tc := range cases {
		want := orderedColumn(t, c.DSN, tc.oracle)
		if len(want) < 2 {
			t.Fatalf("%s: the oracle finds %d rows: the order is not tested", tc.name, len(want))
		}
		for _, backward := range []bool{false, true} {
			got := walk(t, c, "startups", tc.args, 13, backward)
			if !slices.Equal(got, want) {
				t.Errorf("%s (backward %v): got %d %v, want %d %v", tc.name, backward, len(got), head(got), len(want), head(want))
			}
		}
	}
}

// TestOrderByRefusals: a cursor of another ordering (the same keys in
// another direction), more than five keys, or one key twice are
// BAD_USER_INPUT naming the argument.
func TestOrderByRefusals(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	var p pageData
	c.OK(t, `{ list: startups(first: 2, orderBy: [{field: INVESTED_TOTAL, direction: DESC}, {field: NAME_EN}]) { `+pageFields+` } }`, nil, &p)
	cursor := p.List.PageInfo.EndCursor
	cases := []struct{ query, field string }{
		{`query($c: String) { startups(after: $c, orderBy: [{field: INVESTED_TOTAL}, {field: NAME_EN}]) { totalCount } }`, "after"},
		{`query($c: String) { startups(after: $c, orderBy: {field: INVESTED_TOTAL, direction: DESC}) { totalCount } }`, "after"},
		{`query($c: String) { startups(after: $c, orderBy: [{field: NAME_EN}, {field: NAME_KO}, {field: FOUNDED_ON}, {field: PATENTS}, {field: JOBS_CREATED}, {field: MENTOR_COUNT}]) { totalCount } }`, "orderBy"},
		{`query($c: String) { startups(after: $c, orderBy: [{field: NAME_EN}, {field: NAME_EN, direction: DESC}]) { totalCount } }`, "orderBy[1].field"},
	}
	for _, tc := range cases {
		r := c.Do(t, tc.query, map[string]any{"c": cursor})
		if r.Code() != "BAD_USER_INPUT" || r.Field() != tc.field {
			t.Errorf("%s: %+v", tc.query, r.Errors)
		}
	}
}

// TestOrderOnNestedConnections: a relationship field that lists startups
// takes orderBy too; question 10 (within each university's teams, those
// with an export contract, by export value), compared with SQL, and one
// university's list walked page by page in both directions.
func TestOrderOnNestedConnections(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), c.Store, 500, 11); err != nil {
		t.Fatal(err)
	}
	const args = `where: { node: { outcomes: { some: { node: { kind: { eq: EXPORT_CONTRACT } } } } } }, orderBy: [{ field: EXPORT_VALUE, direction: DESC }, { field: NAME_EN }]`
	var data struct {
		Universities []struct {
			Key      string
			Startups struct{ Nodes []struct{ Key string } }
		}
	}
	c.OK(t, `{ universities { key startups(first: 100, `+args+`) { nodes { key } } } }`, nil, &data)
	checked := 0
	for _, u := range data.Universities {
		var got []string
		for _, s := range u.Startups.Nodes {
			got = append(got, s.Key)
		}
		want := orderedColumn(t, c.DSN, `SELECT '', s.key FROM assignments a JOIN universities u ON u.id = a.university_id JOIN startups s ON s.id = a.startup_id
			WHERE u.key = '`+u.Key+`' AND EXISTS (SELECT 1 FROM outcomes o WHERE o.startup_id = s.id AND o.kind = 'EXPORT_CONTRACT')
			ORDER BY (SELECT COALESCE(sum(amount_krw), 0) FROM outcomes o WHERE o.startup_id = s.id AND o.kind = 'EXPORT_CONTRACT') DESC, s.name_en, a.id DESC`)
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", u.Key, head(got), head(want))
		}
		checked += len(want)
	}
	if checked < 2 {
		t.Fatalf("only %d exporting teams: the order is not tested", checked)
	}
	// One university's teams by mentors, page by page: the nested cursors
	// stay exact in both directions.
	walkNested := func(backward bool) []string {
		var all []string
		var cursor *string
		for pages := 0; pages < 100; pages++ {
			dir := "first: 3, after: $c"
			if backward {
				dir = "last: 3, before: $c"
			}
			var d struct {
				Universities []struct {
					Key      string
					Startups struct {
						Nodes    []struct{ Key string }
						PageInfo struct {
							HasNextPage, HasPreviousPage bool
							StartCursor, EndCursor       *string
						}
					}
				}
			}
			c.OK(t, `query($c: String) { universities { key startups(`+dir+`, orderBy: [{ field: MENTOR_COUNT, direction: DESC }, { field: NAME_KO }]) { nodes { key } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`,
				map[string]any{"c": cursor}, &d)
			for _, u := range d.Universities {
				if u.Key != "suny-korea" {
					continue
				}
				var keys []string
				for _, n := range u.Startups.Nodes {
					keys = append(keys, n.Key)
				}
				if backward {
					all = append(keys, all...)
					if !u.Startups.PageInfo.HasPreviousPage {
						return all
					}
					cursor = u.Startups.PageInfo.StartCursor
				} else {
					all = append(all, keys...)
					if !u.Startups.PageInfo.HasNextPage {
						return all
					}
					cursor = u.Startups.PageInfo.EndCursor
				}
			}
		}
		t.Fatal("more than 100 pages")
		return nil
	}
	want := orderedColumn(t, c.DSN, `SELECT '', s.key FROM assignments a JOIN universities u ON u.id = a.university_id JOIN startups s ON s.id = a.startup_id
		WHERE u.key = 'suny-korea' ORDER BY (SELECT count(*) FROM mentorships m WHERE m.startup_id = s.id) DESC, s.name_ko, a.id DESC`)
	for _, backward := range []bool{false, true} {
		if got := walkNested(backward); !slices.Equal(got, want) {
			t.Errorf("walk (backward %v): got %d %v, want %d %v", backward, len(got), head(got), len(want), head(want))
		}
	}
}

// TestOrderOtherLists: the generated orders of the other node types sort
// by several keys, including the count of a relationship as the viewer
// sees it (a university counts only its own teams among a mentor's
// mentees), page by page in both directions, against independent SQL.
func TestOrderOtherLists(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), c.Store, 300, 13); err != nil {
		t.Fatal(err)
	}
	ghent := c.As(c.NewKey(t, "UNIVERSITY", "ghent-university"))
	const ghentTeam = `EXISTS (SELECT 1 FROM assignments a JOIN universities u ON u.id = a.university_id WHERE a.startup_id = x.startup_id AND u.key = 'ghent-university')`
	cases := []struct {
		name   string
		as     *apitest.Client
		list   string
		args   string
		oracle string
	}{
		{"mentors by mentees, then Korean name", c, "mentors", `, orderBy: [{ field: STARTUPS_COUNT, direction: DESC }, { field: NAME_KO }]`,
			`SELECT '', m.key FROM mentors m ORDER BY (SELECT count(*) FROM mentorships x WHERE x.mentor_id = m.id) DESC, m.name_ko, m.id DESC`},
		{"Ghent's view of mentors by mentees counts only its teams", ghent, "mentors", `, orderBy: [{ field: STARTUPS_COUNT, direction: DESC }, { field: NAME_EN, direction: DESC }]`,
			`SELECT '', m.key FROM mentors m
			 WHERE EXISTS (SELECT 1 FROM mentorships x WHERE x.mentor_id = m.id AND ` + ghentTeam + `)
			    OR m.affiliated_university_id = (SELECT id FROM universities WHERE key = 'ghent-university')
			 ORDER BY (SELECT count(*) FROM mentorships x WHERE x.mentor_id = m.id AND ` + ghentTeam + `) DESC, m.name_en DESC, m.id DESC`},
		{"funds by vintage (unknown first), then portfolio size", c, "funds", `, orderBy: [{ field: VINTAGE_YEAR }, { field: PORTFOLIO_COUNT, direction: DESC }]`,
			`SELECT '', f.key FROM funds f ORDER BY COALESCE(f.vintage_year, -1), (SELECT count(*) FROM investments x WHERE x.fund_id = f.id) DESC, f.id`},
		{"sectors by mentors, one key", c, "sectors", `, orderBy: [{ field: MENTORS_COUNT, direction: DESC }]`,
			`SELECT '', k.key FROM sectors k ORDER BY (SELECT count(*) FROM mentor_sectors x WHERE x.sector_id = k.id) DESC, k.id DESC`},
	}
	for _, tc := range cases {
		want := orderedColumn(t, c.DSN, tc.oracle)
		if len(want) < 3 {
			t.Fatalf("%s: the oracle finds %d rows: the order is not tested", tc.name, len(want))
		}
		for _, backward := range []bool{false, true} {
			got := walk(t, tc.as, tc.list, tc.args, 7, backward)
			if !slices.Equal(got, want) {
				t.Errorf("%s (backward %v): got %d %v, want %d %v", tc.name, backward, len(got), head(got), len(want), head(want))
			}
		}
	}
	// A nested list of mentors takes the same keys.
	var data struct {
		Sectors struct {
			Nodes []struct {
				Key     string
				Mentors struct{ Nodes []struct{ Key string } }
			}
		}
	}
	c.OK(t, `{ sectors(first: 50) { nodes { key mentors(first: 100, orderBy: [{ field: STARTUPS_COUNT, direction: DESC }, { field: NAME_EN }]) { nodes { key } } } } }`, nil, &data)
	checked := 0
	for _, s := range data.Sectors.Nodes {
		var got []string
		for _, m := range s.Mentors.Nodes {
			got = append(got, m.Key)
		}
		want := orderedColumn(t, c.DSN, `SELECT '', m.key FROM mentor_sectors e JOIN mentors m ON m.id = e.mentor_id JOIN sectors k ON k.id = e.sector_id
			WHERE k.key = '`+s.Key+`' ORDER BY (SELECT count(*) FROM mentorships x WHERE x.mentor_id = m.id) DESC, m.name_en, e.mentor_id DESC`)
		if !slices.Equal(got, want[:min(len(want), 100)]) {
			t.Errorf("sector %s: got %v, want %v", s.Key, head(got), head(want))
		}
		checked += len(want)
	}
	if checked < 10 {
		t.Fatalf("only %d mentors in sectors: the nested order is not tested", checked)
	}
}
