package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/model"
	"startupgraph/internal/testdb"
)

// changeWrites makes a mix of writes as ADMIN: two teams, one SUNY
// Korea's and one Ghent's, a third shared by both, their updates,
// relationships, investments (one deleted), an outcome, a public fund, a
// mentor's update and an archive. It returns the ids of the teams.
func changeWrites(t *testing.T, c *apitest.Client) (sunyTeam, ghentTeam, shared string) {
	t.Helper()
	ctx := context.Background()
	uni := func(key string) string {
		id, err := c.Store.IDByKey(ctx, globalid.University, key)
		if err != nil {
			t.Fatal(err)
		}
		return globalid.Encode(globalid.University, id)
	}
	suny, ghent := uni("suny-korea"), uni("ghent-university")
	var ids struct {
		Mentors struct{ Nodes []struct{ ID string } }
		Funds   struct{ Nodes []struct{ ID string } }
	}
	c.OK(t, `{ mentors(first: 1, filter: {search: "Ka"}) { nodes { id } } funds(first: 1) { nodes { id } } }`, nil, &ids)
	if len(ids.Funds.Nodes) == 0 {
		t.Fatal("demo data: no fund")
	}
	create := func(key string) string {
		var r struct {
			CreateStartup struct{ Startup struct{ ID string } }
		}
		c.OK(t, `mutation($k: String!) { createStartup(input: {key: $k, nameKo: $k, nameEn: $k}) { startup { id } } }`, map[string]any{"k": key}, &r)
		return r.CreateStartup.Startup.ID
	}
	sunyTeam, ghentTeam, shared = create("feed-suny"), create("feed-ghent"), create("feed-shared")
	assign := func(u, s string) {
		c.OK(t, `mutation($u: ID!, $t: ID!) { assignTeam(input: {universityId: $u, startupId: $t, purpose: JOINT_PROJECT}) { replayed } }`, map[string]any{"u": u, "t": s}, nil)
	}
	assign(suny, sunyTeam)
	assign(ghent, ghentTeam)
	assign(suny, shared)
	assign(ghent, shared)
	for _, s := range []string{sunyTeam, ghentTeam, shared} {
		c.OK(t, `mutation($t: ID!) { updateStartup(input: {id: $t, expectedVersion: 1, foundedOn: "2018-04-01"}) { replayed } }`, map[string]any{"t": s}, nil)
	}
	if len(ids.Mentors.Nodes) > 0 {
		m := ids.Mentors.Nodes[0].ID
		c.OK(t, `mutation($m: ID!, $t: ID!) { startMentorship(input: {mentorId: $m, startupId: $t, focus: "pilots"}) { replayed } }`, map[string]any{"m": m, "t": sunyTeam}, nil)
		c.OK(t, `mutation($m: ID!) { updateMentor(input: {id: $m, expectedVersion: 1, nameEn: "Feed Mentor"}) { replayed } }`, map[string]any{"m": m}, nil)
	}
	invest := func(s string) string {
		var r struct {
			RecordInvestment struct{ Investment struct{ ID string } }
		}
		c.OK(t, `mutation($f: ID!, $t: ID!) { recordInvestment(input: {fundId: $f, startupId: $t, amount: 1000000, investedOn: "2019-01-02", round: SEED}) { investment { id } } }`,
			map[string]any{"f": ids.Funds.Nodes[0].ID, "t": s}, &r)
		return r.RecordInvestment.Investment.ID
	}
	gone := invest(ghentTeam)
	c.OK(t, `mutation($i: ID!) { deleteInvestment(input: {id: $i, expectedVersion: 1, reason: "typo"}) { deletedId } }`, map[string]any{"i": gone}, nil)
	invest(sunyTeam)
	c.OK(t, `mutation($t: ID!) { recordOutcome(input: {startupId: $t, kind: JOBS_CREATED, quantity: 3}) { replayed } }`, map[string]any{"t": shared}, nil)
	c.OK(t, `mutation { createFund(input: {key: "feed-fund", nameKo: "피드", nameEn: "Feed Fund", kind: VENTURE_FUND, size: 1}) { replayed } }`, nil, nil)
	c.OK(t, `mutation($t: ID!) { archiveStartup(input: {id: $t, expectedVersion: 2}) { replayed } }`, map[string]any{"t": ghentTeam}, nil)
	return sunyTeam, ghentTeam, shared
}

// changeOracle is the independent SQL answer to "which audit records may
// this university see" (0: every record), as things stood when each was
// written (the writes here only add assignments and mentorships, so their
// created_at says when they began): public nodes' changes; a startup's and
// its investments' changes when the university was assigned the startup
// then, an assignment's only when it is the university's own; a mentor's
// when it then mentored one of the university's teams, or belongs to it.
const changeOracle = `
SELECT a.id::text FROM audit_log a
WHERE $1::bigint = 0
   OR a.entity_type IN ('Fund', 'Market', 'Program', 'Cohort')
   OR (a.entity_type IN ('Startup', 'Investment')
       AND EXISTS (SELECT 1 FROM assignments x WHERE x.university_id = $1 AND x.created_at <= a.at AND x.startup_id =
           CASE a.entity_type WHEN 'Startup' THEN a.entity_id
                ELSE (COALESCE(a.after, a.before)->>'startup_id')::bigint END)
       AND (a.action NOT IN ('assignTeam', 'unassignTeam', 'correctAssignment')
            OR (COALESCE(a.after, a.before)->>'university_id')::bigint = $1))
   OR (a.entity_type = 'Mentor' AND (
       EXISTS (SELECT 1 FROM mentorships m JOIN assignments x ON x.startup_id = m.startup_id
               WHERE m.mentor_id = a.entity_id AND x.university_id = $1 AND m.created_at <= a.at AND x.created_at <= a.at)
       OR EXISTS (SELECT 1 FROM mentors m WHERE m.id = a.entity_id AND m.affiliated_university_id = $1)))`

type changePage struct {
	Changes struct {
		Edges []struct {
			Cursor string
			Node   struct {
				Cursor, NodeID, Type, Kind, Action string
				Version                            *int
				ChangedFields                      []string
			}
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
	}
}

// readChanges pages through the whole feed after cursor (nil: from the
// start), size changes at a time, and returns the audit ids it saw, in
// order, and the last cursor.
func readChanges(t *testing.T, c *apitest.Client, filter map[string]any, after *string, size int) ([]string, *string, []changePage) {
	t.Helper()
	var ids []string
	var pages []changePage
	for range 100 {
		var p changePage
		c.OK(t, `query($after: String, $n: Int, $f: ChangeFilter) { changes(after: $after, first: $n, filter: $f) {
  edges { cursor node { cursor nodeId type kind action version changedFields } } pageInfo { hasNextPage endCursor } } }`,
			map[string]any{"after": after, "n": size, "f": filter}, &p)
		pages = append(pages, p)
		for _, e := range p.Changes.Edges {
			cur, err := model.ParseCursor(e.Cursor)
			if err != nil || e.Node.Cursor != e.Cursor {
				t.Fatalf("cursor %q (node %q): %v", e.Cursor, e.Node.Cursor, err)
			}
			ids = append(ids, strconv.FormatInt(cur.ID, 10))
		}
		if p.Changes.PageInfo.EndCursor != nil {
			after = p.Changes.PageInfo.EndCursor
		}
		if !p.Changes.PageInfo.HasNextPage {
			return ids, after, pages
		}
	}
	t.Fatal("the feed did not end")
	return nil, nil, nil
}

// TestChangesMatrix: every role reads exactly the changes the oracle says
// it may see, in order, through pages; a university sees none of the
// other's teams or its assignment of a shared team.
func TestChangesMatrix(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	sunyTeam, ghentTeam, shared := changeWrites(t, c)
	ctx := context.Background()
	uniID := func(key string) int64 {
		id, err := c.Store.IDByKey(ctx, globalid.University, key)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	roles := []struct {
		name string
		key  string
		uni  int64
	}{
		{"ADMIN", c.Key, 0},
		{"ANALYST", c.NewKey(t, "ANALYST", ""), 0},
		{"UNIVERSITY suny-korea", c.NewKey(t, "UNIVERSITY", "suny-korea"), uniID("suny-korea")},
		{"UNIVERSITY ghent-university", c.NewKey(t, "UNIVERSITY", "ghent-university"), uniID("ghent-university")},
	}
	all := column(t, c.DSN, `SELECT id::text FROM audit_log`)
	for _, r := range roles {
		t.Run(r.name, func(t *testing.T) {
			want := column(t, c.DSN, changeOracle, r.uni)
			if r.uni != 0 && (len(want) == 0 || len(want) == len(all)) {
				t.Fatalf("the writes do not tell roles apart: %d of %d records visible", len(want), len(all))
			}
			got, _, _ := readChanges(t, c.As(r.key), nil, nil, 4)
			if !sort.SliceIsSorted(got, func(i, j int) bool { return atoi(got[i]) < atoi(got[j]) }) {
				t.Errorf("not in feed order: %v", got)
			}
			sort.Strings(got)
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
			var total struct{ Changes struct{ TotalCount int } }
			c.As(r.key).OK(t, `{ changes(first: 1) { totalCount } }`, nil, &total)
			if total.Changes.TotalCount != len(want) {
				t.Errorf("totalCount %d, want %d", total.Changes.TotalCount, len(want))
			}
			// Naming a node selects only among the changes the role may see.
			for _, team := range []string{sunyTeam, ghentTeam, shared} {
				_, id, _ := globalid.Decode("", team)
				wantTeam := column(t, c.DSN, `SELECT x FROM (`+changeOracle+`) v(x) JOIN audit_log a ON a.id::text = v.x
WHERE a.entity_type = 'Startup' AND a.entity_id = $2`, r.uni, id)
				gotTeam, _, _ := readChanges(t, c.As(r.key), map[string]any{"ids": []string{team}}, nil, 100)
				sort.Strings(gotTeam)
				if !slices.Equal(gotTeam, wantTeam) {
					t.Errorf("ids [%s]: got %v, want %v", team, gotTeam, wantTeam)
				}
			}
		})
	}
	t.Run("anonymous", func(t *testing.T) {
		if r := c.As("").Do(t, `{ changes { edges { cursor } } }`, nil); r.Code() != "UNAUTHENTICATED" {
			t.Errorf("got %s %s", r.Code(), r.Data)
		}
	})
}

// TestChangesFacts: a change names its node, kind, version and fields; the
// filter selects by type, node and kind; a resumed read misses nothing and
// repeats nothing.
func TestChangesFacts(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	sunyTeam, _, _ := changeWrites(t, c)
	_, _, pages := readChanges(t, c, map[string]any{"ids": []string{sunyTeam}}, nil, 100)
	var got []string
	for _, e := range pages[0].Changes.Edges {
		n := e.Node
		if n.NodeID != sunyTeam || n.Type != "Startup" {
			t.Errorf("filtered by id, got %s %s", n.Type, n.NodeID)
		}
		v := "null"
		if n.Version != nil {
			v = strconv.Itoa(*n.Version)
		}
		got = append(got, fmt.Sprintf("%s %s v%s %v", n.Action, n.Kind, v, n.ChangedFields))
	}
	want := column(t, c.DSN, `SELECT action || ' ' || kind || ' v' || COALESCE(version::text, 'null') || ' [' || array_to_string(fields, ' ') || ']'
FROM audit_log WHERE entity_type = 'Startup' AND entity_id = (SELECT id FROM startups WHERE key = 'feed-suny') ORDER BY id`)
	sort.Strings(want)
	sorted := slices.Clone(got)
	sort.Strings(sorted)
	if !slices.Equal(sorted, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// The facts themselves, by hand for the ones a client relies on.
	for _, w := range []string{"createStartup CREATE v1", "assignTeam RELATIONSHIP v1 [universities]", "updateStartup UPDATE v2 [foundedOn]", "startMentorship RELATIONSHIP v2 [mentors]"} {
		if !slices.ContainsFunc(got, func(g string) bool { return len(g) >= len(w) && g[:len(w)] == w }) {
			t.Errorf("no %q in %v", w, got)
		}
	}

	kinds, _, _ := readChanges(t, c, map[string]any{"kinds": []string{"ARCHIVE", "CORRECTION"}, "types": []string{"Startup", "Investment"}}, nil, 100)
	wantKinds := column(t, c.DSN, `SELECT id::text FROM audit_log WHERE action IN ('archiveStartup', 'deleteInvestment')`)
	sort.Strings(kinds)
	if !slices.Equal(kinds, wantKinds) || len(wantKinds) != 2 {
		t.Errorf("kinds filter: got %v, want %v", kinds, wantKinds)
	}

	// Resume: read half, write more, read on from the cursor.
	first, cur, _ := readChanges(t, c, nil, nil, 100)
	c.OK(t, `mutation { createFund(input: {key: "feed-fund-2", nameKo: "피드2", nameEn: "Feed Fund 2", kind: VENTURE_FUND, size: 1}) { replayed } }`, nil, nil)
	rest, _, _ := readChanges(t, c, nil, cur, 3)
	if len(rest) != 1 {
		t.Errorf("after the cursor: %v", rest)
	}
	all := column(t, c.DSN, `SELECT id::text FROM audit_log`)
	both := append(first, rest...)
	sort.Strings(both)
	if !slices.Equal(both, all) {
		t.Errorf("resumed read: %v, want %v", both, all)
	}

	for _, bad := range []struct{ vars, field string }{
		{`{"after": "bm9wZQ"}`, "after"},
		{`{"first": 0}`, "first"},
		{`{"f": {"ids": ["x"]}}`, "filter.ids[0]"},
	} {
		var vars map[string]any
		_ = json.Unmarshal([]byte(bad.vars), &vars)
		r := c.Do(t, `query($after: String, $first: Int, $f: ChangeFilter) { changes(after: $after, first: $first, filter: $f) { edges { cursor } } }`, vars)
		if r.Code() != "BAD_USER_INPUT" || r.Field() != bad.field {
			t.Errorf("%s: got %s %s", bad.vars, r.Code(), r.Field())
		}
	}
}
