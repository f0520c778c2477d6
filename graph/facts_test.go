package graph_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/testdb"
)

// tuples flattens every object in data that has all of fields (dotted
// paths) into "a|b|c" strings, sorted.
func tuples(t *testing.T, data json.RawMessage, fields ...string) []string {
	t.Helper()
	var root any
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			vals := make([]string, 0, len(fields))
			for _, f := range fields {
				val, ok := lookup(x, f)
				if !ok {
					break
				}
				vals = append(vals, val)
			}
			if len(vals) == len(fields) {
				out = append(out, strings.Join(vals, "|"))
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(root)
	sort.Strings(out)
	return out
}

func lookup(m map[string]any, path string) (string, bool) {
	var cur any = m
	for _, p := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		if cur, ok = mm[p]; !ok {
			return "", false
		}
	}
	switch v := cur.(type) {
	case nil:
		return "null", true
	case float64:
		return fmt.Sprintf("%.0f", v), true
	case string:
		return v, true
	case bool:
		return fmt.Sprint(v), true
	}
	return "", false
}

// TestEdgeFacts checks the facts each relationship carries on its edges,
// from both ends where the edge has facts, against SQL.
func TestEdgeFacts(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	cases := []struct {
		name, query string
		fields      []string
		oracle      string
	}{
		{"assignment from university", `{ universities { p: key startups(first: 100) { edges { purpose status since until node { c: key } } } } }`,
			[]string{"purpose", "status", "since", "until", "node.c"},
			"SELECT a.purpose || '|' || a.status || '|' || a.since || '|' || COALESCE(a.until::text, 'null') || '|' || s.key FROM assignments a JOIN startups s ON s.id = a.startup_id"},
		{"assignment from startup", `{ startups(first: 100) { nodes { universities(first: 100) { edges { purpose status since node { c: key } } } } } }`,
			[]string{"purpose", "status", "since", "node.c"},
			"SELECT a.purpose || '|' || a.status || '|' || a.since || '|' || u.key FROM assignments a JOIN universities u ON u.id = a.university_id"},
		{"mentorship from startup", `{ startups(first: 100) { nodes { mentors(first: 100) { edges { focus since until node { c: key } } } } } }`,
			[]string{"focus", "since", "until", "node.c"},
			"SELECT e.focus || '|' || e.since || '|' || COALESCE(e.until::text, 'null') || '|' || m.key FROM mentorships e JOIN mentors m ON m.id = e.mentor_id"},
		{"mentorship from mentor", `{ mentors(first: 100) { nodes { startups(first: 100) { edges { focus since node { c: key } } } } } }`,
			[]string{"focus", "since", "node.c"},
			"SELECT e.focus || '|' || e.since || '|' || s.key FROM mentorships e JOIN startups s ON s.id = e.startup_id"},
		{"investment from fund", `{ funds(first: 100) { nodes { portfolio(first: 100) { edges { amount investedOn round investment { fund { f: key } startup { s: key } } node { c: key } } } } } }`,
			[]string{"amount", "investedOn", "round", "investment.fund.f", "investment.startup.s", "node.c"},
			"SELECT i.amount_krw || '|' || i.invested_on || '|' || i.round || '|' || f.key || '|' || s.key || '|' || s.key FROM investments i JOIN funds f ON f.id = i.fund_id JOIN startups s ON s.id = i.startup_id"},
		{"investment from startup", `{ startups(first: 100) { nodes { investors(first: 100) { edges { amount round node { c: key } } } } } }`,
			[]string{"amount", "round", "node.c"},
			"SELECT i.amount_krw || '|' || i.round || '|' || f.key FROM investments i JOIN funds f ON f.id = i.fund_id"},
		{"investments list", `{ investments(first: 100) { nodes { amount round fund { f: key } startup { s: key } } } }`,
			[]string{"amount", "round", "fund.f", "startup.s"},
			"SELECT i.amount_krw || '|' || i.round || '|' || f.key || '|' || s.key FROM investments i JOIN funds f ON f.id = i.fund_id JOIN startups s ON s.id = i.startup_id"},
		{"market target from startup", `{ startups(first: 100) { nodes { markets(first: 100) { edges { status priority since supportProgram { p: key } node { c: code } } } } } }`,
			[]string{"status", "priority", "since", "supportProgram.p", "node.c"},
			"SELECT e.status || '|' || e.priority || '|' || e.since || '|' || p.key || '|' || k.code FROM market_targets e JOIN markets k ON k.id = e.market_id JOIN programs p ON p.id = e.program_id"},
		{"market target from market", `{ markets(first: 100) { nodes { startups(first: 100) { edges { status priority node { c: key } } } } } }`,
			[]string{"status", "priority", "node.c"},
			"SELECT e.status || '|' || e.priority || '|' || s.key FROM market_targets e JOIN startups s ON s.id = e.startup_id"},
		{"membership from program", `{ programs(first: 100) { nodes { startups(first: 100) { edges { joinedOn cohort { k: key } node { c: key } } } } } }`,
			[]string{"joinedOn", "cohort.k", "node.c"},
			"SELECT m.joined_on || '|' || c.key || '|' || s.key FROM memberships m JOIN cohorts c ON c.id = m.cohort_id JOIN startups s ON s.id = m.startup_id"},
		{"membership from startup", `{ startups(first: 100) { nodes { programs(first: 100) { edges { joinedOn cohort { k: key } node { c: key } } } } } }`,
			[]string{"joinedOn", "cohort.k", "node.c"},
			"SELECT m.joined_on || '|' || c.key || '|' || p.key FROM memberships m JOIN cohorts c ON c.id = m.cohort_id JOIN programs p ON p.id = c.program_id"},
		{"program role from program", `{ programs(first: 100) { nodes { organizations(first: 100) { edges { role node { c: key } } } } } }`,
			[]string{"role", "node.c"},
			"SELECT x.role || '|' || o.key FROM program_organizations x JOIN organizations o ON o.id = x.organization_id"},
		{"program role from organization", `{ organizations(first: 100) { nodes { programs(first: 100) { edges { role node { c: key } } } } } }`,
			[]string{"role", "node.c"},
			"SELECT x.role || '|' || p.key FROM program_organizations x JOIN programs p ON p.id = x.program_id"},
		{"market experience from mentor", `{ mentors(first: 100) { nodes { markets(first: 100) { edges { since note node { c: code } } } } } }`,
			[]string{"since", "note", "node.c"},
			"SELECT e.since || '|' || COALESCE(e.note, 'null') || '|' || k.code FROM mentor_markets e JOIN markets k ON k.id = e.market_id"},
		{"market experience from market", `{ markets(first: 100) { nodes { mentors(first: 100) { edges { since note node { c: key } } } } } }`,
			[]string{"since", "note", "node.c"},
			"SELECT e.since || '|' || COALESCE(e.note, 'null') || '|' || m.key FROM mentor_markets e JOIN mentors m ON m.id = e.mentor_id"},
		{"outcome facts", `{ startups(first: 100) { nodes { outcomes(first: 100) { nodes { kind reportedOn quantity amount market { m: code } } } } } }`,
			[]string{"kind", "reportedOn", "quantity", "amount", "market.m"},
			"SELECT o.kind || '|' || o.reported_on || '|' || o.quantity || '|' || COALESCE(o.amount_krw::text, 'null') || '|' || k.code FROM outcomes o JOIN markets k ON k.id = o.market_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.OK(t, tc.query, nil, nil)
			got := tuples(t, r.Data, tc.fields...)
			want := column(t, c.DSN, tc.oracle)
			sort.Strings(want)
			if len(want) == 0 {
				t.Fatal("oracle returned nothing")
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %d tuples, want %d\n got: %v\nwant: %v", len(got), len(want), head(got), head(want))
			}
		})
	}
}

func head(s []string) []string {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}
