package graph_test

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/testdb"
)

type pageData struct {
	List struct {
		TotalCount int `json:"totalCount"`
		PageInfo   struct {
			HasNextPage     bool    `json:"hasNextPage"`
			HasPreviousPage bool    `json:"hasPreviousPage"`
			StartCursor     *string `json:"startCursor"`
			EndCursor       *string `json:"endCursor"`
		} `json:"pageInfo"`
		Edges []struct {
			Cursor string `json:"cursor"`
			Node   struct {
				Key string `json:"key"`
			} `json:"node"`
		} `json:"edges"`
	} `json:"list"`
}

func (p pageData) keys() []string {
	out := make([]string, len(p.List.Edges))
	for i, e := range p.List.Edges {
		out[i] = e.Node.Key
	}
	return out
}

const pageFields = `totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { key } }`

// walk pages through a list forward (or backward) and returns all keys in
// list order, checking pageInfo on every page.
func walk(t *testing.T, c *apitest.Client, list, args string, size int, backward bool) []string {
	t.Helper()
	return walkAs(t, c, list, args, "key", size, backward)
}

// walkAs is walk reading each node's sel (a field, or an alias "key: id"
// of one) as its key.
func walkAs(t *testing.T, c *apitest.Client, list, args, sel string, size int, backward bool) []string {
	t.Helper()
	fields := strings.Replace(pageFields, "node { key }", "node { key: "+strings.TrimPrefix(sel, "key: ")+" }", 1)
	var all []string
	var cursor *string
	for pages := 0; pages < 100; pages++ {
		vars := map[string]any{"n": size, "c": cursor}
		q := fmt.Sprintf(`query($n: Int, $c: String) { list: %s(first: $n, after: $c%s) { %s } }`, list, args, fields)
		if backward {
			q = fmt.Sprintf(`query($n: Int, $c: String) { list: %s(last: $n, before: $c%s) { %s } }`, list, args, fields)
		}
		var p pageData
		c.OK(t, q, vars, &p)
		info := p.List.PageInfo
		more := info.HasNextPage
		if backward {
			more = info.HasPreviousPage
			all = append(p.keys(), all...)
			if cursor != nil && !info.HasNextPage {
				t.Errorf("page before a cursor says hasNextPage=false")
			}
		} else {
			all = append(all, p.keys()...)
			if cursor != nil && !info.HasPreviousPage {
				t.Errorf("page after a cursor says hasPreviousPage=false")
			}
		}
		if len(p.List.Edges) > size || (more && len(p.List.Edges) != size) {
			t.Fatalf("page of %d edges for size %d (more=%v)", len(p.List.Edges), size, more)
		}
		if len(p.List.Edges) > 0 && (*info.StartCursor != p.List.Edges[0].Cursor || *info.EndCursor != p.List.Edges[len(p.List.Edges)-1].Cursor) {
			t.Errorf("start/end cursors do not match the edges")
		}
		if !more {
			if p.List.TotalCount != len(all) {
				t.Errorf("totalCount %d, walked %d", p.List.TotalCount, len(all))
			}
			return all
		}
		if backward {
			cursor = info.StartCursor
		} else {
			cursor = info.EndCursor
		}
	}
	t.Fatal("more than 100 pages")
	return nil
}

func TestPaginationWalks(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	cases := []struct {
		name, list, args, oracle string
	}{
		{"startups by English name", "startups", "", "SELECT '', key FROM startups ORDER BY name_en, id"},
		{"startups by Korean name, descending", "startups", ", orderBy: {field: NAME_KO, direction: DESC}", "SELECT '', key FROM startups ORDER BY name_ko DESC, id DESC"},
		{"startups by founding date", "startups", ", orderBy: {field: FOUNDED_ON}", "SELECT '', key FROM startups ORDER BY COALESCE(founded_on, DATE '0001-01-01'), id"},
		{"startups by total invested, then name", "startups", ", orderBy: [{field: INVESTED_TOTAL, direction: DESC}, {field: NAME_EN}]",
			"SELECT '', key FROM startups s ORDER BY (SELECT COALESCE(sum(amount_krw), 0) FROM investments i WHERE i.startup_id = s.id) DESC, name_en, id DESC"},
		{"startups by mentors, markets and last stage change", "startups", ", orderBy: [{field: MENTOR_COUNT}, {field: MARKET_TARGET_COUNT, direction: DESC}, {field: LAST_STAGE_CHANGE}]",
			`SELECT '', key FROM startups s ORDER BY (SELECT count(*) FROM mentorships x WHERE x.startup_id = s.id),
			   (SELECT count(*) FROM market_targets x WHERE x.startup_id = s.id) DESC,
			   COALESCE((SELECT max(changed_on) FROM stage_changes x WHERE x.startup_id = s.id), DATE '0001-01-01'), id`},
		{"startups by jobs created", "startups", ", orderBy: [{field: JOBS_CREATED, direction: DESC}]",
			"SELECT '', key FROM startups s ORDER BY (SELECT COALESCE(sum(quantity), 0) FROM outcomes o WHERE o.startup_id = s.id AND o.kind = 'JOBS_CREATED') DESC, id DESC"},
		{"startups filtered", "startups", `, filter: {stages: [PROTOTYPE, R_AND_D, MARKETING]}`, "SELECT '', key FROM startups WHERE stage IN ('PROTOTYPE','R_AND_D','MARKETING') ORDER BY name_en, id"},
		{"mentors by name", "mentors", "", "SELECT '', key FROM mentors ORDER BY name_en, id"},
		{"organizations by Korean name", "organizations", ", orderBy: {field: NAME_KO}", "SELECT '', key FROM organizations ORDER BY name_ko, id"},
		{"markets", "markets", "", "SELECT '', key FROM markets ORDER BY name_en, id"},
	}
	for _, tc := range cases {
		want := orderedColumn(t, c.DSN, tc.oracle)
		for _, size := range []int{1, 4, 7, 100} {
			for _, backward := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/size %d/backward %v", tc.name, size, backward), func(t *testing.T) {
					got := walk(t, c, tc.list, tc.args, size, backward)
					if !slices.Equal(got, want) {
						t.Errorf("got %v\nwant %v", got, want)
					}
				})
			}
		}
	}
}

// orderedColumn returns the second column of query in row order.
func orderedColumn(t *testing.T, dsn, query string) []string {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		t.Fatal("oracle returned nothing")
	}
	return out
}

func TestPaginationEdgeCases(t *testing.T) {
	c := apitest.New(t, testdb.Demo)

	t.Run("empty list", func(t *testing.T) {
		var p pageData
		c.OK(t, `{ list: startups(filter: {search: "no such team zz"}) { `+pageFields+` } }`, nil, &p)
		info := p.List.PageInfo
		if len(p.List.Edges) != 0 || p.List.TotalCount != 0 || info.HasNextPage || info.HasPreviousPage || info.StartCursor != nil || info.EndCursor != nil {
			t.Errorf("empty page: %+v", p.List)
		}
	})

	t.Run("default page size is 20", func(t *testing.T) {
		var p pageData
		c.OK(t, `{ list: startups { `+pageFields+` } }`, nil, &p)
		if len(p.List.Edges) != 20 || !p.List.PageInfo.HasNextPage {
			t.Errorf("%d edges, hasNextPage %v", len(p.List.Edges), p.List.PageInfo.HasNextPage)
		}
	})

	t.Run("before alone pages backward", func(t *testing.T) {
		var all pageData
		c.OK(t, `{ list: startups(first: 100) { `+pageFields+` } }`, nil, &all)
		last := all.List.Edges[len(all.List.Edges)-1].Cursor
		var p pageData
		c.OK(t, `query($c: String) { list: startups(before: $c) { `+pageFields+` } }`, map[string]any{"c": last}, &p)
		want := all.keys()[len(all.keys())-21 : len(all.keys())-1]
		if !slices.Equal(p.keys(), want) || !p.List.PageInfo.HasNextPage || !p.List.PageInfo.HasPreviousPage {
			t.Errorf("got %v (info %+v), want %v", p.keys(), p.List.PageInfo, want)
		}
	})

	var mentorCursor, nameCursor string
	{
		var m pageData
		c.OK(t, `{ list: mentors(first: 1) { `+pageFields+` } }`, nil, &m)
		mentorCursor = m.List.Edges[0].Cursor
		var s pageData
		c.OK(t, `{ list: startups(first: 1) { `+pageFields+` } }`, nil, &s)
		nameCursor = s.List.Edges[0].Cursor
	}
	bad := []struct {
		name, query string
		vars        map[string]any
		field       string
	}{
		{"garbage cursor", `query($c: String) { startups(after: $c) { totalCount } }`, map[string]any{"c": "not a cursor!"}, "after"},
		{"cursor of another list", `query($c: String) { startups(after: $c) { totalCount } }`, map[string]any{"c": mentorCursor}, "after"},
		{"cursor of another ordering", `query($c: String) { startups(after: $c, orderBy: {field: FOUNDED_ON}) { totalCount } }`, map[string]any{"c": nameCursor}, "after"},
		{"garbage before", `query($c: String) { startups(last: 2, before: $c) { totalCount } }`, map[string]any{"c": "e30"}, "before"},
		{"nested cursor of another edge", `query($c: String) { startups(first: 1) { nodes { mentors(after: $c) { totalCount } } } }`, map[string]any{"c": nameCursor}, "after"},
		{"first 0", `{ startups(first: 0) { totalCount } }`, nil, "first"},
		{"first 101", `{ startups(first: 101) { totalCount } }`, nil, "first"},
		{"first negative", `{ mentors(first: -5) { totalCount } }`, nil, "first"},
		{"last 101", `{ markets(last: 101) { totalCount } }`, nil, "last"},
		{"first and last", `{ funds(first: 2, last: 2) { totalCount } }`, nil, "last"},
		{"nested first 101", `{ startups(first: 1) { nodes { mentors(first: 101) { totalCount } } } }`, nil, "first"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Do(t, tc.query, tc.vars)
			if r.Code() != "BAD_USER_INPUT" || r.Field() != tc.field {
				t.Errorf("code %q field %q, want BAD_USER_INPUT on %s: %+v", r.Code(), r.Field(), tc.field, r.Errors)
			}
		})
	}
}

// TestPaginationStableUnderInserts: keyset cursors keep their place when
// rows are inserted before them; no row is repeated or skipped.
func TestPaginationStableUnderInserts(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	var first pageData
	c.OK(t, `{ list: startups(first: 5) { `+pageFields+` } }`, nil, &first)
	db, err := sql.Open("postgres", c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO startups (key, name_ko, name_en, stage) VALUES
		('aaa-new-first', '가나다', 'AAA New Team', 'IDEA'), ('zzz-new-last', '하하하', 'ZZZ New Team', 'IDEA')`); err != nil {
		t.Fatal(err)
	}
	var second pageData
	c.OK(t, `query($c: String) { list: startups(first: 100, after: $c) { `+pageFields+` } }`, map[string]any{"c": *first.List.PageInfo.EndCursor}, &second)
	got := append(first.keys(), second.keys()...)
	want := orderedColumn(t, c.DSN, "SELECT '', key FROM startups WHERE key <> 'aaa-new-first' ORDER BY name_en, id")
	if !slices.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

// TestNestedPagination walks a child connection with its own cursors.
func TestNestedPagination(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	want := oracle(t, c.DSN, "SELECT s.key, m.key FROM mentorships e JOIN mentors m ON m.id = e.mentor_id JOIN startups s ON s.id = e.startup_id WHERE s.key = 'svc-v2x-link' ORDER BY e.id")["svc-v2x-link"]
	if len(want) < 2 {
		t.Fatalf("demo team has %d mentors; need at least 2", len(want))
	}
	var got []string
	var cursor *string
	for i := 0; i < 10; i++ {
		var data struct {
			Startups struct {
				Nodes []struct {
					List struct {
						PageInfo struct {
							HasNextPage bool   `json:"hasNextPage"`
							EndCursor   string `json:"endCursor"`
						} `json:"pageInfo"`
						Nodes []struct {
							Key string `json:"key"`
						} `json:"nodes"`
					} `json:"list"`
				} `json:"nodes"`
			} `json:"startups"`
		}
		c.OK(t, `query($c: String) { startups(filter: {search: "V2X"}) { nodes { list: mentors(first: 1, after: $c) { pageInfo { hasNextPage endCursor } nodes { key } } } } }`,
			map[string]any{"c": cursor}, &data)
		page := data.Startups.Nodes[0].List
		for _, n := range page.Nodes {
			got = append(got, n.Key)
		}
		if !page.PageInfo.HasNextPage {
			break
		}
		cursor = &page.PageInfo.EndCursor
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("walked %v, want %v", got, want)
	}
}
