package graph_test

import (
	"fmt"
	"strconv"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/testdb"
)

// TestMutationInputsByKey: an input that names a node takes its id or its
// key (a market's code), exactly one: both or neither is BAD_USER_INPUT
// naming the id field, a key that names nothing BAD_USER_INPUT naming the
// key field; by key, the write is the one the id would make.
func TestMutationInputsByKey(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	startup := gid(t, c.DSN, globalid.Startup, "startups", "svc-biosensa")
	const assign = `mutation($in: AssignTeamInput!) { assignTeam(input: $in) { startup { key universities(first: 10) { edges { purpose node { key } } } } } }`
	for _, tc := range []struct {
		name  string
		in    map[string]any
		field string
	}{
		{"both", map[string]any{"startupId": startup, "startupKey": "svc-biosensa", "universityKey": "ghent-university", "purpose": "INTERNSHIP", "since": "2024-01-02"}, "input.startupId"},
		{"neither", map[string]any{"universityKey": "ghent-university", "purpose": "INTERNSHIP", "since": "2024-01-02"}, "input.startupId"},
		{"unknown key", map[string]any{"startupKey": "no-such-team", "universityKey": "ghent-university", "purpose": "INTERNSHIP", "since": "2024-01-02"}, "input.startupKey"},
		{"unknown university key", map[string]any{"startupKey": "svc-biosensa", "universityKey": "nowhere", "purpose": "INTERNSHIP", "since": "2024-01-02"}, "input.universityKey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := c.Do(t, assign, map[string]any{"in": tc.in})
			if res.Code() != "BAD_USER_INPUT" || res.Field() != tc.field {
				t.Errorf("%s: %+v", tc.name, res.Errors)
			}
		})
	}
	var out struct {
		AssignTeam struct {
			Startup struct {
				Key          string
				Universities struct {
					Edges []struct {
						Purpose string
						Node    struct{ Key string }
					}
				}
			}
		}
	}
	c.OK(t, assign, map[string]any{"in": map[string]any{"startupKey": "svc-biosensa", "universityKey": "ghent-university", "purpose": "INTERNSHIP", "since": "2024-01-02"}}, &out)
	found := false
	for _, e := range out.AssignTeam.Startup.Universities.Edges {
		found = found || (e.Purpose == "INTERNSHIP" && e.Node.Key == "ghent-university")
	}
	if out.AssignTeam.Startup.Key != "svc-biosensa" || !found {
		t.Errorf("assigned by key: %+v", out)
	}
	// cohorts by key: the move compares the cohorts named, not the id fields
	version, _ := strconv.Atoi(count(t, c.DSN, `SELECT version FROM startups WHERE key = 'svc-biosensa'`))
	const move = `mutation($v: Int!, $to: String!) { moveToCohort(input: {startupKey: "svc-biosensa", fromCohortKey: "smart-venture-campus-2017",
	  toCohortKey: $to, expectedVersion: $v, reason: "moved by key"}) { startup { key } } }`
	if res := c.Do(t, move, map[string]any{"v": version, "to": "smart-venture-campus-2017"}); res.Code() != "BAD_USER_INPUT" || res.Field() != "input.toCohortId" {
		t.Errorf("a move to the same cohort by key: %+v", res.Errors)
	}
	c.OK(t, move, map[string]any{"v": version, "to": "global-star-venture-2017"}, nil)
	if got := count(t, c.DSN, `SELECT string_agg(k.key, ',') FROM memberships m JOIN cohorts k ON k.id = m.cohort_id JOIN startups s ON s.id = m.startup_id WHERE s.key = 'svc-biosensa'`); got != "global-star-venture-2017" {
		t.Errorf("cohorts after the move by key: %s", got)
	}
	// a market by its code, on an optional reference
	c.OK(t, `mutation { recordOutcome(input: {startupKey: "svc-biosensa", kind: EXPORT_CONTRACT, reportedOn: "2024-05-06", amount: 1000, marketCode: "VN"}) { startup { key } } }`, nil, nil)
	if got := count(t, c.DSN, `SELECT count(*) FROM outcomes o JOIN markets m ON m.id = o.market_id JOIN startups s ON s.id = o.startup_id
	  WHERE s.key = 'svc-biosensa' AND m.code = 'VN' AND o.reported_on = '2024-05-06'`); got != "1" {
		t.Errorf("outcomes recorded by key: %s", got)
	}
}

// TestChangedNodeByKey: the node a mutation updates, archives, unarchives
// or moves is named by id or by key (a market by its code), exactly one:
// both or neither is BAD_USER_INPUT naming input.id, a key that names
// nothing BAD_USER_INPUT naming input.key; by key, the change is made.
func TestChangedNodeByKey(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	version := func(table, col, key string) int {
		v, _ := strconv.Atoi(count(t, c.DSN, `SELECT version FROM `+table+` WHERE `+col+` = $1`, key))
		return v
	}
	startup := gid(t, c.DSN, globalid.Startup, "startups", "svc-biosensa")
	const update = `mutation($in: UpdateStartupInput!) { updateStartup(input: $in) { startup { key } } }`
	for _, tc := range []struct {
		name  string
		in    map[string]any
		field string
	}{
		{"both", map[string]any{"id": startup, "key": "svc-biosensa", "expectedVersion": 1, "descriptionEn": "x"}, "input.id"},
		{"neither", map[string]any{"expectedVersion": 1, "descriptionEn": "x"}, "input.id"},
		{"unknown key", map[string]any{"key": "no-such-team", "expectedVersion": 1, "descriptionEn": "x"}, "input.key"},
	} {
		if res := c.Do(t, update, map[string]any{"in": tc.in}); res.Code() != "BAD_USER_INPUT" || res.Field() != tc.field {
			t.Errorf("%s: %+v", tc.name, res.Errors)
		}
	}
	c.OK(t, update, map[string]any{"in": map[string]any{"key": "svc-biosensa", "expectedVersion": version("startups", "key", "svc-biosensa"), "descriptionEn": "Updated by key"}}, nil)
	if got := count(t, c.DSN, `SELECT description_en FROM startups WHERE key = 'svc-biosensa'`); got != "Updated by key" {
		t.Errorf("updated by key: description %q", got)
	}
	c.OK(t, `mutation($v: Int!) { moveStartupStage(input: {key: "svc-biosensa", expectedVersion: $v, stage: OVERSEAS_EXPANSION}) { startup { stage } } }`,
		map[string]any{"v": version("startups", "key", "svc-biosensa")}, nil)
	if got := count(t, c.DSN, `SELECT stage FROM startups WHERE key = 'svc-biosensa'`); got != "OVERSEAS_EXPANSION" {
		t.Errorf("moved by key: stage %s", got)
	}
	// a market by its code: archived, then unarchived
	code := count(t, c.DSN, `SELECT code FROM markets ORDER BY code LIMIT 1`)
	c.OK(t, `mutation($c: String!, $v: Int!) { archiveMarket(input: {key: $c, expectedVersion: $v}) { market { code } } }`,
		map[string]any{"c": code, "v": version("markets", "code", code)}, nil)
	if got := count(t, c.DSN, `SELECT archived_at IS NOT NULL FROM markets WHERE code = $1`, code); got != "true" {
		t.Errorf("archived by code: %s", got)
	}
	c.OK(t, `mutation($c: String!, $v: Int!) { unarchiveMarket(input: {key: $c, expectedVersion: $v, reason: "archived by mistake"}) { market { code } } }`,
		map[string]any{"c": code, "v": version("markets", "code", code)}, nil)
	if got := count(t, c.DSN, `SELECT archived_at IS NULL FROM markets WHERE code = $1`, code); got != "true" {
		t.Errorf("unarchived by code: %s", got)
	}
}

// TestReferencesByKey: the references inside node create and update
// inputs (a startup's facility and sectors, a mentor's organization and
// sectors, a fund's manager, sponsor and program) take ids or keys, not
// both; a key that names nothing is BAD_USER_INPUT naming the key field.
func TestReferencesByKey(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	c.OK(t, `mutation { createStartup(input: {key: "by-key-team", nameKo: "키 팀", nameEn: "Key Team",
	  facilityKey: "resident-offices", sectorKeys: ["bio-convergence", "advanced-automotive"]}) { startup { key } } }`, nil, nil)
	if got := count(t, c.DSN, `SELECT f.key || ' ' || (SELECT string_agg(g.key, ',' ORDER BY g.key) FROM startup_sectors x JOIN sectors g ON g.id = x.sector_id WHERE x.startup_id = s.id)
	  FROM startups s JOIN facilities f ON f.id = s.facility_id WHERE s.key = 'by-key-team'`); got != "resident-offices advanced-automotive,bio-convergence" {
		t.Errorf("created by keys: %q", got)
	}
	for _, tc := range []struct{ name, q, field string }{
		{"both sectors", `mutation { createStartup(input: {key: "x1", nameKo: "엑스", nameEn: "X1", sectorIds: [], sectorKeys: ["bio-convergence"]}) { startup { key } } }`, "input.sectorIds"},
		{"unknown sector", `mutation { createStartup(input: {key: "x2", nameKo: "엑스", nameEn: "X2", sectorKeys: ["bio-convergence", "no-such"]}) { startup { key } } }`, "input.sectorKeys[1]"},
		{"unknown facility", `mutation { createStartup(input: {key: "x3", nameKo: "엑스", nameEn: "X3", facilityKey: "nowhere"}) { startup { key } } }`, "input.facilityKey"},
		{"both organizations", `mutation($o: ID) { createMentor(input: {key: "m-x", nameKo: "멘토", nameEn: "Mentor X", organizationId: $o, organizationKey: "smba"}) { mentor { key } } }`, "input.organizationId"},
	} {
		vars := map[string]any{"o": gid(t, c.DSN, globalid.Organization, "organizations", "smba")}
		if res := c.Do(t, tc.q, vars); res.Code() != "BAD_USER_INPUT" || res.Field() != tc.field {
			t.Errorf("%s: %+v", tc.name, res.Errors)
		}
	}
	// update by keys: a startup's sectors, a fund's manager and program
	v, _ := strconv.Atoi(count(t, c.DSN, `SELECT version FROM startups WHERE key = 'by-key-team'`))
	c.OK(t, `mutation($v: Int!) { updateStartup(input: {key: "by-key-team", expectedVersion: $v, sectorKeys: ["bio-convergence"], facilityKey: "global-startup-campus"}) { startup { key } } }`,
		map[string]any{"v": v}, nil)
	if got := count(t, c.DSN, `SELECT f.key || ' ' || (SELECT string_agg(g.key, ',') FROM startup_sectors x JOIN sectors g ON g.id = x.sector_id WHERE x.startup_id = s.id)
	  FROM startups s JOIN facilities f ON f.id = s.facility_id WHERE s.key = 'by-key-team'`); got != "global-startup-campus bio-convergence" {
		t.Errorf("updated by keys: %q", got)
	}
	fund := count(t, c.DSN, `SELECT key FROM funds ORDER BY key LIMIT 1`)
	fv, _ := strconv.Atoi(count(t, c.DSN, `SELECT version FROM funds WHERE key = $1`, fund))
	c.OK(t, `mutation($k: String!, $v: Int!) { updateFund(input: {key: $k, expectedVersion: $v, managerKey: "incheon-technopark", programKey: "smart-venture-campus"}) { fund { key } } }`,
		map[string]any{"k": fund, "v": fv}, nil)
	if got := count(t, c.DSN, `SELECT o.key || ' ' || p.key FROM funds f JOIN organizations o ON o.id = f.manager_id JOIN programs p ON p.id = f.program_id WHERE f.key = $1`, fund); got != "incheon-technopark smart-venture-campus" {
		t.Errorf("fund updated by keys: %q", got)
	}
	if res := c.Do(t, `mutation($k: String!, $v: Int!, $m: ID) { updateFund(input: {key: $k, expectedVersion: $v, managerId: $m, managerKey: "smba"}) { fund { key } } }`,
		map[string]any{"k": fund, "v": fv + 1, "m": nil}); res.Code() != "BAD_USER_INPUT" || res.Field() != "input.managerId" {
		t.Errorf("managerId and managerKey: %+v", res.Errors)
	}
}

// TestCorrectionReferencesByKey: an outcome's market and a market target's
// support program, corrected by code and key; both is BAD_USER_INPUT.
func TestCorrectionReferencesByKey(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	c.OK(t, `mutation { recordOutcome(input: {startupKey: "svc-biosensa", kind: EXPORT_CONTRACT, reportedOn: "2024-05-06", amount: 1000, marketCode: "VN"}) { startup { key } } }`, nil, nil)
	row := count(t, c.DSN, `SELECT o.id || ' ' || o.version FROM outcomes o JOIN startups s ON s.id = o.startup_id WHERE s.key = 'svc-biosensa' AND o.reported_on = '2024-05-06'`)
	var id, version int
	fmt.Sscan(row, &id, &version)
	outcome := globalid.Encode(globalid.Outcome, int64(id))
	if res := c.Do(t, `mutation($id: ID!, $v: Int!, $m: ID) { correctOutcome(input: {id: $id, expectedVersion: $v, marketId: $m, marketCode: "US", reason: "x"}) { startup { key } } }`,
		map[string]any{"id": outcome, "v": version, "m": nil}); res.Code() != "BAD_USER_INPUT" || res.Field() != "input.marketId" {
		t.Errorf("marketId and marketCode: %+v", res.Errors)
	}
	c.OK(t, `mutation($id: ID!, $v: Int!) { correctOutcome(input: {id: $id, expectedVersion: $v, marketCode: "US", reason: "the contract was with the US"}) { startup { key } } }`,
		map[string]any{"id": outcome, "v": version}, nil)
	if got := count(t, c.DSN, `SELECT m.code FROM outcomes o JOIN markets m ON m.id = o.market_id WHERE o.id = $1`, id); got != "US" {
		t.Errorf("market corrected by code: %s", got)
	}
}
