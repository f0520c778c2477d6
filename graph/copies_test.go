package graph_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/synthetic"
	"startupgraph/internal/testdb"
)

// copiedStageOracles are, for each relationship whose join table keeps a
// copy of its startups' stage (relation.End Copies: startup_sectors since
// migration 00006, mentorships since 00028), the oracle's visible edges of
// parent p to startup x, joined to the startups themselves (never to the
// copy).
var copiedStageOracles = map[string]string{
	"mentors": "FROM vms e JOIN startups x ON x.id = e.startup_id WHERE e.mentor_id = p.id",
	"sectors": "FROM vss e JOIN startups x ON x.id = e.startup_id WHERE e.sector_id = p.id",
}

// TestCopiedStageFilters: a filter on the stage of the startups a mentor
// or a sector lists is answered from the join table's copy of the stage.
// As every role, some, none, every and count over such a condition (alone,
// composed, and beside a condition the copy cannot answer, which joins the
// startups) equal an oracle over the startups' own stages; and they still
// do after stage moves and a new mentorship, with every copy equal to its
// startup's stage and no mentorship's updatedAt moved by its startup's
// stage.
func TestCopiedStageFilters(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), c.Store, 300, 5); err != nil {
		t.Fatal(err)
	}
	roles := everyRole(t, c)
	cases := []struct{ where, oracle string }{
		{`{ startups: { none: { node: { stage: { eq: IDEA } } } } }`, `NOT EXISTS (SELECT 1 %s AND x.stage = 'IDEA')`},
		{`{ startups: { some: { node: { stage: { in: [INVESTMENT, FINANCING] } } } } }`, `EXISTS (SELECT 1 %s AND x.stage IN ('INVESTMENT', 'FINANCING'))`},
		{`{ startups: { every: { node: { stage: { ne: IDEA } } } } }`, `NOT EXISTS (SELECT 1 %s AND x.stage = 'IDEA')`},
		{`{ startups: { count: { gte: 2 }, some: { node: { or: [{ stage: { eq: PROTOTYPE } }, { not: { stage: { in: [IDEA, FOUNDING, PROTOTYPE] } } }] } } } }`,
			`(SELECT count(*) %[1]s) >= 2 AND EXISTS (SELECT 1 %[1]s AND (x.stage = 'PROTOTYPE' OR x.stage NOT IN ('IDEA', 'FOUNDING', 'PROTOTYPE')))`},
		{`{ startups: { some: { node: { stage: { eq: MARKETING }, foundedOn: { gte: "2019-01-01" } } } } }`,
			`EXISTS (SELECT 1 %s AND x.stage = 'MARKETING' AND x.founded_on >= DATE '2019-01-01')`},
	}
	check := func(t *testing.T, when string) {
		t.Helper()
		for _, role := range roles {
			cl := c.As(role.key)
			for list, edges := range copiedStageOracles {
				if role.name == "anonymous" && list == "mentors" {
					continue // the list itself needs a key
				}
				visible := "true"
				if list == "mentors" {
					visible = "p.id IN (SELECT id FROM vm)"
				}
				for _, tc := range cases {
					got := whereKeys(t, cl, list, tc.where)
					q := viewerScope + fmt.Sprintf(", r(k) AS (SELECT p.key FROM %s p WHERE %s AND %s) SELECT k FROM r",
						list, visible, fmt.Sprintf(tc.oracle, edges))
					want := column(t, c.DSN, q, role.university)
					sort.Strings(want)
					if !slices.Equal(got, want) {
						t.Errorf("%s, %s: %s(where: %s): got %d %v, want %d %v", when, role.name, list, tc.where, len(got), head(got), len(want), head(want))
					}
				}
			}
		}
		for _, stale := range []string{
			`SELECT count(*) FROM mentorships e JOIN startups s ON s.id = e.startup_id WHERE e.startup_stage <> s.stage`,
			`SELECT count(*) FROM startup_sectors e JOIN startups s ON s.id = e.startup_id WHERE e.stage <> s.stage`,
		} {
			if n := column(t, c.DSN, stale)[0]; n != "0" {
				t.Errorf("%s: %s copies differ from their startup's stage (%s)", when, n, stale)
			}
		}
	}
	check(t, "seeded")

	// Two startups with mentors change stage, forward and back.
	moved := column(t, c.DSN, `SELECT s.key || ' ' || s.version || ' ' || s.stage FROM startups s
		WHERE s.mentor_count > 0 AND s.stage IN ('IDEA', 'PROTOTYPE') ORDER BY s.key LIMIT 2`)
	if len(moved) < 2 {
		t.Fatalf("the data lacks startups with mentors at IDEA or PROTOTYPE: %q", moved)
	}
	before := column(t, c.DSN, `SELECT e.id || ' ' || e.updated_at FROM mentorships e ORDER BY e.id`)
	for _, m := range moved {
		var key, stage string
		var version int
		fmt.Sscan(m, &key, &version, &stage)
		to, reason := "MARKETING", ""
		if stage == "PROTOTYPE" {
			to, reason = "IDEA", `, reason: "back to IDEA"`
		}
		c.OK(t, `mutation($id: ID!, $v: Int!) { moveStartupStage(input: {id: $id, expectedVersion: $v, stage: `+to+reason+`}) { startup { stage } } }`,
			map[string]any{"id": gid(t, c.DSN, globalid.Startup, "startups", key), "v": version}, nil)
	}
	if after := column(t, c.DSN, `SELECT e.id || ' ' || e.updated_at FROM mentorships e ORDER BY e.id`); !slices.Equal(before, after) {
		t.Errorf("a stage move changed mentorships' updatedAt")
	}
	check(t, "after stage moves")

	// A mentor starts mentoring an IDEA team.
	pair := column(t, c.DSN, `SELECT m.key || ' ' || s.key FROM mentors m CROSS JOIN startups s
		WHERE m.archived_at IS NULL AND s.archived_at IS NULL AND s.stage = 'IDEA'
		  AND NOT EXISTS (SELECT 1 FROM mentorships e WHERE e.startup_id = s.id)
		  AND NOT EXISTS (SELECT 1 FROM mentorships e JOIN startups y ON y.id = e.startup_id WHERE e.mentor_id = m.id AND y.stage = 'IDEA')
		  AND EXISTS (SELECT 1 FROM mentorships e WHERE e.mentor_id = m.id)
		ORDER BY m.key, s.key LIMIT 1`)
	if len(pair) == 0 {
		t.Fatal("the data lacks a mentor without IDEA teams and an IDEA team without mentors")
	}
	var mentorKey, startupKey string
	fmt.Sscan(pair[0], &mentorKey, &startupKey)
	c.OK(t, `mutation($t: ID!, $m: ID!) { startMentorship(input: {mentorId: $m, startupId: $t, focus: "pilots"}) { replayed } }`,
		map[string]any{"t": gid(t, c.DSN, globalid.Startup, "startups", startupKey), "m": gid(t, c.DSN, globalid.Mentor, "mentors", mentorKey)}, nil)
	check(t, "after a new mentorship")
}
