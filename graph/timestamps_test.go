package graph_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/testdb"
)

// TestTimestamps (issue 19): nodes say when they were created and last
// changed; the database keeps updatedAt, which a change of the node moves
// and a figure kept from other rows (a new investment's invested total, a
// new mentorship's mentor count) does not; a client asks "what changed
// since T" through where and orderBy, within its scope.
func TestTimestamps(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	type stamps struct {
		ID        string
		Key       string
		Version   int
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	read := func(id string) stamps {
		t.Helper()
		var out struct{ Node stamps }
		c.OK(t, `query($id: ID!) { node(id: $id) { id ... on Startup { key version createdAt updatedAt } ... on Mentor { key version createdAt updatedAt } } }`, map[string]any{"id": id}, &out)
		if out.Node.CreatedAt.IsZero() || out.Node.UpdatedAt.Before(out.Node.CreatedAt) {
			t.Fatalf("stamps of %s: %+v", id, out.Node)
		}
		return out.Node
	}
	var created struct {
		CreateStartup struct{ Startup stamps }
	}
	c.OK(t, `mutation { createStartup(input: {key: "sync-team", nameKo: "동기화팀", nameEn: "Sync Team", foundedOn: "2017-01-02"}) { startup { id key version createdAt updatedAt } } }`, nil, &created)
	team := created.CreateStartup.Startup
	if !team.CreatedAt.Equal(team.UpdatedAt) {
		t.Errorf("a new startup: created %s, updated %s", team.CreatedAt, team.UpdatedAt)
	}

	// Figures kept from other rows are no change of the startup or mentor.
	fund := gid(t, c.DSN, globalid.Fund, "funds", "creative-growth-venture-fund")
	mentor := gid(t, c.DSN, globalid.Mentor, "mentors", column(t, c.DSN, `SELECT key FROM mentors ORDER BY id LIMIT 1`)[0])
	mentorBefore := read(mentor)
	c.OK(t, `mutation($t: ID!, $f: ID!) { recordInvestment(input: {fundId: $f, startupId: $t, amount: 300000000, investedOn: "2018-01-02", round: SEED}) { replayed } }`, map[string]any{"t": team.ID, "f": fund}, nil)
	c.OK(t, `mutation($t: ID!, $m: ID!) { startMentorship(input: {mentorId: $m, startupId: $t, focus: "sync"}) { replayed } }`, map[string]any{"t": team.ID, "m": mentor}, nil)
	if got := count(t, c.DSN, `SELECT invested_total::text || '/' || mentor_count FROM startups WHERE key = 'sync-team'`); got != "300000000/1" {
		t.Fatalf("the figures did not follow: %s", got)
	}
	if after := read(team.ID); !after.UpdatedAt.Equal(team.UpdatedAt) {
		t.Errorf("a new investment and mentorship moved the startup's updatedAt: %s -> %s", team.UpdatedAt, after.UpdatedAt)
	}
	if after := read(mentor); !after.UpdatedAt.Equal(mentorBefore.UpdatedAt) {
		t.Errorf("a new mentorship moved the mentor's updatedAt: %s -> %s", mentorBefore.UpdatedAt, after.UpdatedAt)
	}

	// A change of the startup moves updatedAt; what changed since T finds it.
	since := time.Now().UTC().Add(-time.Millisecond)
	c.OK(t, `mutation($t: ID!, $v: Int!) { updateStartup(input: {id: $t, expectedVersion: $v, nameEn: "Sync Team Ltd"}) { replayed } }`, map[string]any{"t": team.ID, "v": read(team.ID).Version}, nil)
	changed := read(team.ID)
	if !changed.UpdatedAt.After(team.UpdatedAt) || !changed.CreatedAt.Equal(team.CreatedAt) {
		t.Errorf("after an update: %+v, before %+v", changed, team)
	}
	sinceQ := `query($since: DateTime!) { startups(first: 100, where: { updatedAt: { gte: $since } }, orderBy: [{ field: UPDATED_AT, direction: DESC }]) { totalCount nodes { key updatedAt } } }`
	r := c.OK(t, sinceQ, map[string]any{"since": since.Format(time.RFC3339Nano)}, nil)
	if keys := tuples(t, r.Data, "key"); strings.Join(keys, ",") != "sync-team" {
		t.Errorf("startups changed since %s: %v", since.Format(time.RFC3339Nano), keys)
	}
	// Ordered by createdAt, newest first, the new team leads.
	r = c.OK(t, `{ startups(first: 1, orderBy: [{ field: CREATED_AT, direction: DESC }]) { nodes { key } } mentors(first: 3, orderBy: [{ field: UPDATED_AT }]) { nodes { key } } }`, nil, nil)
	if !strings.Contains(string(r.Data), `"startups":{"nodes":[{"key":"sync-team"}]}`) {
		t.Errorf("newest first: %s", r.Data)
	}
	// Keyset pages through a timestamp order, all rows once.
	var page struct {
		Startups struct {
			Nodes    []struct{ Key string }
			PageInfo struct {
				HasNextPage bool
				EndCursor   string
			}
		}
	}
	seen, after := map[string]bool{}, any(nil)
	for range 20 {
		r := c.OK(t, `query($a: String) { startups(first: 7, after: $a, orderBy: [{ field: UPDATED_AT }]) { nodes { key } pageInfo { hasNextPage endCursor } } }`, map[string]any{"a": after}, nil)
		if err := json.Unmarshal(r.Data, &page); err != nil {
			t.Fatal(err)
		}
		for _, n := range page.Startups.Nodes {
			if seen[n.Key] {
				t.Fatalf("%s on two pages", n.Key)
			}
			seen[n.Key] = true
		}
		if !page.Startups.PageInfo.HasNextPage {
			break
		}
		after = page.Startups.PageInfo.EndCursor
	}
	if want := atoi(count(t, c.DSN, `SELECT count(*) FROM startups`)); len(seen) != want {
		t.Errorf("paged %d startups by UPDATED_AT, want %d", len(seen), want)
	}

	// Within a university's scope: Ghent sees only its own teams changed.
	ghent := c.As(c.NewKey(t, "UNIVERSITY", "ghent-university"))
	r = ghent.OK(t, `{ startups(where: { updatedAt: { gte: "2000-01-01T00:00:00Z" } }) { totalCount } }`, nil, nil)
	want := count(t, c.DSN, `SELECT count(DISTINCT a.startup_id) FROM assignments a JOIN universities u ON u.id = a.university_id WHERE u.key = 'ghent-university'`)
	if !strings.Contains(string(r.Data), `"totalCount":`+want) {
		t.Errorf("ghent's startups by updatedAt: %s, want %s", r.Data, want)
	}
	r = ghent.OK(t, sinceQ, map[string]any{"since": since.Format(time.RFC3339Nano)}, nil)
	if !strings.Contains(string(r.Data), `"totalCount":0`) {
		t.Errorf("ghent sees another university's change: %s", r.Data)
	}

	// Edges keep updated_at too; the stage recount (migration 00012) does
	// not move a stage change's.
	market := gid(t, c.DSN, globalid.Market, "markets", "us")
	c.OK(t, `mutation($t: ID!, $k: ID!) { setMarketTarget(input: {startupId: $t, marketId: $k, status: EXPLORING, since: "2018-02-01"}) { replayed } }`, map[string]any{"t": team.ID, "k": market}, nil)
	c.OK(t, `mutation($t: ID!, $k: ID!, $v: Int!) { correctMarketTarget(input: {startupId: $t, marketId: $k, expectedVersion: $v, reason: "entered", status: ENTERED}) { replayed } }`, map[string]any{"t": team.ID, "k": market, "v": read(team.ID).Version}, nil)
	if got := count(t, c.DSN, `SELECT (e.updated_at > e.created_at)::text FROM market_targets e JOIN startups s ON s.id = e.startup_id WHERE s.key = 'sync-team'`); got != "true" {
		t.Errorf("a corrected market target's updated_at moved: %s", got)
	}
	// ... and shows it on the edge, where a nested where and a predicate read it.
	var edges struct {
		Node struct {
			Markets struct {
				Edges []struct {
					Status               string
					CreatedAt, UpdatedAt time.Time
				}
			}
		}
		Startups struct{ Nodes []struct{ Key string } }
	}
	c.OK(t, `query($t: ID!, $since: DateTime!) { node(id: $t) { ... on Startup { markets(where: { updatedAt: { gte: $since } }) { edges { status createdAt updatedAt } } } }
		startups(where: { markets: { some: { updatedAt: { gte: $since } } } }) { nodes { key } } }`, map[string]any{"t": team.ID, "since": since.Format(time.RFC3339Nano)}, &edges)
	if e := edges.Node.Markets.Edges; len(e) != 1 || e[0].Status != "ENTERED" || !e[0].UpdatedAt.After(e[0].CreatedAt) {
		t.Errorf("the corrected target's edge: %+v", e)
	}
	if n := edges.Startups.Nodes; len(n) != 1 || n[0].Key != "sync-team" {
		t.Errorf("startups with a target changed since T: %+v", n)
	}
	c.OK(t, `mutation($t: ID!, $v: Int!) { moveStartupStage(input: {id: $t, expectedVersion: $v, stage: FOUNDING, changedOn: "2017-02-01"}) { replayed } }`, map[string]any{"t": team.ID, "v": read(team.ID).Version}, nil)
	if got := count(t, c.DSN, `SELECT count(*) FROM stage_changes c JOIN startups s ON s.id = c.startup_id WHERE s.key = 'sync-team' AND c.updated_at <> c.created_at`); got != "0" {
		t.Errorf("%s stage changes had updated_at moved by the days recount", got)
	}
	if got := count(t, c.DSN, `SELECT count(*) FROM stage_changes c JOIN startups s ON s.id = c.startup_id WHERE s.key = 'sync-team' AND c.days_from_previous_stage IS NOT NULL`); got != "1" {
		t.Errorf("the days recount did not run (%s), so the check above proves nothing", got)
	}

	// ANALYST reads and filters them too.
	analyst := c.As(c.NewKey(t, "ANALYST", ""))
	r = analyst.OK(t, `{ investments(first: 1, where: { createdAt: { gte: "2000-01-01T00:00:00Z" } }) { nodes { createdAt updatedAt } } funds(first: 1, orderBy: [{ field: CREATED_AT }]) { nodes { createdAt } } }`, nil, nil)
	if strings.Count(string(r.Data), "createdAt") != 2 {
		t.Errorf("analyst: %s", r.Data)
	}
}
