package graph_test

import (
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/testdb"
)

// TestHistoryHolds (issue 19): a stage change cannot predate the founding
// date or the previous change, nor lie in the future; moving to the
// current stage is BAD_USER_INPUT; moving back needs a reason. Dates on
// edges: an end not before its start; an investment not before the
// founding date unless marked pre-founding. Each error names its field.
func TestHistoryHolds(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	var created struct {
		CreateStartup struct{ Startup struct{ ID string } }
	}
	c.OK(t, `mutation { createStartup(input: {key: "rules-team", nameKo: "규칙팀", nameEn: "Rules Team", foundedOn: "2018-03-01", stage: PROTOTYPE}) { startup { id } } }`, nil, &created)
	team := created.CreateStartup.Startup.ID
	version := func() int { return atoi(count(t, c.DSN, `SELECT version FROM startups WHERE key = 'rules-team'`)) }
	move := `mutation($t: ID!, $v: Int!, $s: GrowthStage!, $on: Date, $why: String) { moveStartupStage(input: {id: $t, expectedVersion: $v, stage: $s, changedOn: $on, reason: $why}) { startup { stage version } } }`
	history := func() string {
		return strings.Join(column(t, c.DSN, `SELECT c.changed_on || ' ' || c.stage FROM stage_changes c JOIN startups s ON s.id = c.startup_id WHERE s.key = 'rules-team' ORDER BY c.changed_on, c.id`), ",")
	}
	for _, tc := range []struct {
		name, stage, on, why, field string
	}{
		{"before the founding date", "MARKETING", "2018-01-01", "", "input.changedOn"},
		{"in the future", "MARKETING", "2999-01-01", "", "input.changedOn"},
		{"to the current stage", "PROTOTYPE", "2018-05-01", "", "input.stage"},
		{"back without a reason", "IDEA", "2018-05-01", "", "input.reason"},
		{"back with a blank reason", "IDEA", "2018-05-01", " ", "input.reason"},
	} {
		vars := map[string]any{"t": team, "v": version(), "s": tc.stage, "on": tc.on}
		if tc.why != "" {
			vars["why"] = tc.why
		}
		wantError(t, tc.name, c.Do(t, move, vars), "BAD_USER_INPUT", tc.field)
	}
	if got := history(); got != "2018-03-01 PROTOTYPE" {
		t.Fatalf("refused moves changed the history: %s", got)
	}
	c.OK(t, move, map[string]any{"t": team, "v": version(), "s": "MARKETING", "on": "2018-09-01"}, nil)
	wantError(t, "before the previous change", c.Do(t, move, map[string]any{"t": team, "v": version(), "s": "INVESTMENT", "on": "2018-08-01"}), "BAD_USER_INPUT", "input.changedOn")
	r := c.OK(t, move, map[string]any{"t": team, "v": version(), "s": "PROTOTYPE", "on": "2018-10-01", "why": "the product went back to prototyping"}, nil)
	if !strings.Contains(string(r.Data), `"stage":"PROTOTYPE"`) {
		t.Errorf("a move back with a reason: %s", r.Data)
	}
	if got := history(); got != "2018-03-01 PROTOTYPE,2018-09-01 MARKETING,2018-10-01 PROTOTYPE" {
		t.Errorf("history: %s", got)
	}
	r = c.OK(t, `query($t: ID!) { auditLog(filter: {entityId: $t, actions: ["moveStartupStage"]}, first: 1) { nodes { reason } } }`, map[string]any{"t": team}, nil)
	if !strings.Contains(string(r.Data), `"reason":"the product went back to prototyping"`) {
		t.Errorf("the move back's reason is not audited: %s", r.Data)
	}
	r = c.Do(t, `mutation($t: ID!, $v: Int!) { updateStartup(input: {id: $t, expectedVersion: $v, foundedOn: "2018-04-01"}) { replayed } }`, map[string]any{"t": team, "v": version()})
	wantError(t, "founded after the first stage change", r, "BAD_USER_INPUT", "input.foundedOn")

	// Investments: not before the founding date unless marked pre-founding.
	fund := gid(t, c.DSN, "Fund", "funds", "creative-growth-venture-fund")
	invest := `mutation($t: ID!, $f: ID!, $pre: Boolean) { recordInvestment(input: {fundId: $f, startupId: $t, amount: 100000000, investedOn: "2017-12-01", round: SEED, preFounding: $pre}) { investment { id version preFounding } } }`
	wantError(t, "investment before founding", c.Do(t, invest, map[string]any{"t": team, "f": fund}), "BAD_USER_INPUT", "input.investedOn")
	r = c.OK(t, invest, map[string]any{"t": team, "f": fund, "pre": true}, nil)
	if !strings.Contains(string(r.Data), `"preFounding":true`) {
		t.Errorf("pre-founding investment: %s", r.Data)
	}
	inv := tuples(t, r.Data, "id")[0]
	r = c.Do(t, `mutation($i: ID!) { correctInvestment(input: {id: $i, expectedVersion: 1, preFounding: false, reason: "after all"}) { replayed } }`, map[string]any{"i": inv})
	wantError(t, "unmarking a pre-founding investment", r, "BAD_USER_INPUT", "input.investedOn")
	c.OK(t, `mutation($i: ID!) { correctInvestment(input: {id: $i, expectedVersion: 1, investedOn: "2018-06-01", preFounding: false, reason: "the date was June"}) { investment { preFounding version } } }`, map[string]any{"i": inv}, nil)
	r = c.Do(t, `mutation($i: ID!) { correctInvestment(input: {id: $i, expectedVersion: 2, investedOn: "2018-01-01"}) { replayed } }`, map[string]any{"i": inv})
	wantError(t, "corrected to before founding", r, "BAD_USER_INPUT", "input.investedOn")

	// Edges: an end before the start names input.until.
	gmu := gid(t, c.DSN, "University", "universities", "george-mason-university")
	c.OK(t, `mutation($t: ID!, $u: ID!) { assignTeam(input: {universityId: $u, startupId: $t, purpose: JOINT_PROJECT, since: "2018-06-01"}) { replayed } }`, map[string]any{"t": team, "u": gmu}, nil)
	r = c.Do(t, `mutation($t: ID!, $u: ID!) { unassignTeam(input: {universityId: $u, startupId: $t, purpose: JOINT_PROJECT, until: "2018-05-01"}) { replayed } }`, map[string]any{"t": team, "u": gmu})
	wantError(t, "assignment ends before it began", r, "BAD_USER_INPUT", "input.until")
	mentorKey := column(t, c.DSN, `SELECT key FROM mentors ORDER BY id LIMIT 1`)[0]
	mentor := gid(t, c.DSN, "Mentor", "mentors", mentorKey)
	c.OK(t, `mutation($t: ID!, $m: ID!) { startMentorship(input: {mentorId: $m, startupId: $t, focus: "pilots", since: "2018-06-01"}) { replayed } }`, map[string]any{"t": team, "m": mentor}, nil)
	r = c.Do(t, `mutation($t: ID!, $m: ID!) { endMentorship(input: {mentorId: $m, startupId: $t, until: "2018-01-01"}) { replayed } }`, map[string]any{"t": team, "m": mentor})
	wantError(t, "mentorship ends before it began", r, "BAD_USER_INPUT", "input.until")
}
