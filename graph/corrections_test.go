package graph_test

import (
	"strconv"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/testdb"
)

// Issue 19: corrections. Each mutation is ADMIN only, takes the version
// the client read and a reason, and is audited with before, after and
// the reason; the startup's figures follow.

// rowGID is the global id of the row of table that q (returning one id) finds.
func rowGID(t *testing.T, dsn string, typ globalid.Type, q string, args ...any) string {
	t.Helper()
	return globalid.Encode(typ, int64(atoi(column(t, dsn, q, args...)[0])))
}

// wantError checks a response failed with code naming field.
func wantError(t *testing.T, what string, r apitest.Response, code, field string) {
	t.Helper()
	if r.Code() != code || (field != "" && r.Field() != field) {
		t.Errorf("%s: code %q field %q, want %s %s: %+v", what, r.Code(), r.Field(), code, field, r.Errors)
	}
	for _, e := range r.Errors {
		if strings.Contains(e.Message, "pq:") || strings.Contains(e.Message, "SELECT") {
			t.Errorf("%s: driver text leaks: %s", what, e.Message)
		}
	}
}

// TestCorrectionsAreAdminOnly: every correction is refused to the other
// roles and to no key, and nothing is written.
func TestCorrectionsAreAdminOnly(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	team := gid(t, c.DSN, globalid.Startup, "startups", "svc-v2x-link")
	outcome := rowGID(t, c.DSN, globalid.Outcome, `SELECT min(id)::text FROM outcomes`)
	inv := rowGID(t, c.DSN, globalid.Investment, `SELECT min(id)::text FROM investments`)
	stage := rowGID(t, c.DSN, globalid.StageChange, `SELECT min(id)::text FROM stage_changes`)
	cohort := rowGID(t, c.DSN, globalid.Cohort, `SELECT min(id)::text FROM cohorts`)
	vars := map[string]any{"t": team, "o": outcome, "i": inv, "s": stage, "c": cohort}
	mutations := []string{
		`mutation($o: ID!) { correctOutcome(input: {id: $o, expectedVersion: 1, reason: "typo", quantity: 10}) { replayed } }`,
		`mutation($o: ID!) { deleteOutcome(input: {id: $o, expectedVersion: 1, reason: "typo"}) { deletedId } }`,
		`mutation($i: ID!) { deleteInvestment(input: {id: $i, expectedVersion: 1, reason: "typo"}) { deletedId } }`,
		`mutation($s: ID!) { correctStageChange(input: {id: $s, expectedVersion: 1, reason: "typo", note: "x"}) { replayed } }`,
		`mutation($s: ID!) { deleteStageChange(input: {id: $s, expectedVersion: 1, reason: "typo"}) { deletedId } }`,
		`mutation($t: ID!) { correctAssignment(input: {universityId: "VW5pdmVyc2l0eTox", startupId: $t, purpose: JOINT_PROJECT, expectedVersion: 1, reason: "typo", status: ACTIVE}) { replayed } }`,
		`mutation($t: ID!) { correctMentorship(input: {mentorId: "TWVudG9yOjE", startupId: $t, since: "2017-01-01", expectedVersion: 1, reason: "typo", focus: "x"}) { replayed } }`,
		`mutation($t: ID!) { correctMarketTarget(input: {startupId: $t, marketId: "TWFya2V0OjE", expectedVersion: 1, reason: "typo", priority: 2}) { replayed } }`,
		`mutation($t: ID!, $c: ID!) { addToCohort(input: {startupId: $t, cohortId: $c, expectedVersion: 1, reason: "joined"}) { replayed } }`,
		`mutation($t: ID!, $c: ID!) { removeFromCohort(input: {startupId: $t, cohortId: $c, expectedVersion: 1, reason: "left"}) { replayed } }`,
		`mutation($t: ID!, $c: ID!) { moveToCohort(input: {startupId: $t, fromCohortId: $c, toCohortId: "Q29ob3J0OjI", expectedVersion: 1, reason: "moved"}) { replayed } }`,
		`mutation($t: ID!) { unarchiveStartup(input: {id: $t, expectedVersion: 1, reason: "back"}) { replayed } }`,
		`mutation { unarchiveMentor(input: {id: "TWVudG9yOjE", expectedVersion: 1, reason: "back"}) { replayed } }`,
		`mutation { unarchiveFund(input: {id: "RnVuZDox", expectedVersion: 1, reason: "back"}) { replayed } }`,
		`mutation { unarchiveMarket(input: {id: "TWFya2V0OjE", expectedVersion: 1, reason: "back"}) { replayed } }`,
		`mutation { unarchiveProgram(input: {id: "UHJvZ3JhbTox", expectedVersion: 1, reason: "back"}) { replayed } }`,
		`mutation($c: ID!) { unarchiveCohort(input: {id: $c, expectedVersion: 1, reason: "back"}) { replayed } }`,
	}
	before := count(t, c.DSN, "SELECT count(*) FROM audit_log")
	rows := count(t, c.DSN, "SELECT (SELECT count(*) FROM outcomes) + (SELECT count(*) FROM investments) + (SELECT count(*) FROM stage_changes) + (SELECT count(*) FROM memberships)")
	for _, role := range []struct{ name, key, code string }{
		{"analyst", c.NewKey(t, "ANALYST", ""), "FORBIDDEN"},
		{"university", c.NewKey(t, "UNIVERSITY", "george-mason-university"), "FORBIDDEN"},
		{"anonymous", "", "UNAUTHENTICATED"},
	} {
		for _, m := range mutations {
			r := c.As(role.key).Do(t, m, vars)
			if r.Code() != role.code {
				t.Errorf("%s: %s gave %q %+v", role.name, m, r.Code(), r.Errors)
			}
		}
	}
	if after := count(t, c.DSN, "SELECT count(*) FROM audit_log"); after != before {
		t.Errorf("refused corrections wrote %s audit records (before %s)", after, before)
	}
	if after := count(t, c.DSN, "SELECT (SELECT count(*) FROM outcomes) + (SELECT count(*) FROM investments) + (SELECT count(*) FROM stage_changes) + (SELECT count(*) FROM memberships)"); after != rows {
		t.Errorf("refused corrections changed rows: %s, before %s", after, rows)
	}
}

// TestCorrectAndDeleteOutcome: an outcome of 100,000 jobs meant 10 is
// corrected, then removed; the startup's jobs figure follows each step,
// a stale version and a missing reason are refused naming their fields,
// and the audit trail keeps before, after and the reason.
func TestCorrectAndDeleteOutcome(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	team := gid(t, c.DSN, globalid.Startup, "startups", "svc-v2x-link")
	jobs := func() string {
		return count(t, c.DSN, `SELECT jobs_created || '/' || (SELECT COALESCE(sum(quantity), 0) FROM outcomes o WHERE o.startup_id = s.id AND o.kind = 'JOBS_CREATED') FROM startups s WHERE key = 'svc-v2x-link'`)
	}
	base := atoi(strings.Split(jobs(), "/")[1])
	c.OK(t, `mutation($t: ID!) { recordOutcome(input: {startupId: $t, kind: JOBS_CREATED, quantity: 100000, reportedOn: "2018-01-02"}) { replayed } }`, map[string]any{"t": team}, nil)
	if got, want := jobs(), strconv.Itoa(base+100000)+"/"+strconv.Itoa(base+100000); got != want {
		t.Fatalf("jobs after the typo: %s, want %s", got, want)
	}
	var read struct {
		Node struct {
			Outcomes struct {
				Nodes []struct {
					ID       string
					Version  int
					Quantity int
				}
			}
		}
	}
	c.OK(t, `query($t: ID!) { node(id: $t) { ... on Startup { outcomes(first: 100) { nodes { id version quantity } } } } }`, map[string]any{"t": team}, &read)
	var typo string
	for _, o := range read.Node.Outcomes.Nodes {
		if o.Quantity == 100000 && o.Version == 1 {
			typo = o.ID
		}
	}
	if typo == "" {
		t.Fatalf("the typo outcome is not listed: %+v", read)
	}

	r := c.Do(t, `mutation($o: ID!) { correctOutcome(input: {id: $o, expectedVersion: 1, reason: " ", quantity: 10}) { replayed } }`, map[string]any{"o": typo})
	wantError(t, "blank reason", r, "BAD_USER_INPUT", "input.reason")
	r = c.Do(t, `mutation($o: ID!) { correctOutcome(input: {id: $o, expectedVersion: 1, reason: "x", kind: EXPORT_CONTRACT}) { replayed } }`, map[string]any{"o": typo})
	wantError(t, "export contract without a market", r, "BAD_USER_INPUT", "input.marketId")
	r = c.Do(t, `mutation { correctOutcome(input: {id: "T3V0Y29tZTo5OTk5OTk", expectedVersion: 1, reason: "x", quantity: 1}) { replayed } }`, nil)
	wantError(t, "missing outcome", r, "NOT_FOUND", "")

	r = c.OK(t, `mutation($o: ID!) { correctOutcome(input: {id: $o, expectedVersion: 1, reason: "typed 100000 for 10", quantity: 10, note: "corrected"}) {
		startup { version outcomes(first: 100) { nodes { id version quantity note } } } } }`, map[string]any{"o": typo}, nil)
	if !strings.Contains(string(r.Data), `"version":2,"quantity":10,"note":"corrected"`) {
		t.Errorf("corrected outcome: %s", r.Data)
	}
	if got := jobs(); got != strconv.Itoa(base+10)+"/"+strconv.Itoa(base+10) {
		t.Errorf("jobs after the correction: %s, want %d", got, base+10)
	}
	r = c.Do(t, `mutation($o: ID!) { correctOutcome(input: {id: $o, expectedVersion: 1, reason: "again", quantity: 11}) { replayed } }`, map[string]any{"o": typo})
	wantError(t, "stale version", r, "CONFLICT", "input.expectedVersion")

	r = c.OK(t, `mutation($o: ID!) { deleteOutcome(input: {id: $o, expectedVersion: 2, reason: "reported twice"}) { deletedId startup { key } } }`, map[string]any{"o": typo}, nil)
	if !strings.Contains(string(r.Data), typo) || !strings.Contains(string(r.Data), `"key":"svc-v2x-link"`) {
		t.Errorf("delete payload: %s", r.Data)
	}
	if got := jobs(); got != strconv.Itoa(base)+"/"+strconv.Itoa(base) {
		t.Errorf("jobs after the delete: %s, want %d", got, base)
	}
	r = c.Do(t, `mutation($o: ID!) { deleteOutcome(input: {id: $o, expectedVersion: 2, reason: "again"}) { deletedId } }`, map[string]any{"o": typo})
	wantError(t, "deleted twice", r, "NOT_FOUND", "")

	r = c.OK(t, `query($t: ID!) { auditLog(filter: {entityId: $t, actions: ["correctOutcome", "deleteOutcome"]}) { nodes { action reason before after } } }`, map[string]any{"t": team}, nil)
	for _, want := range []string{`"action":"deleteOutcome","reason":"reported twice"`, `"after":null`, `"action":"correctOutcome","reason":"typed 100000 for 10"`, `"quantity": 100000`, `"quantity": 10,`} {
		if !strings.Contains(string(r.Data), want) {
			t.Errorf("audit lacks %s: %s", want, r.Data)
		}
	}
}

// TestDeleteInvestment: an investment recorded in error is removed; the
// startup's invested total follows; a stale version is CONFLICT.
func TestDeleteInvestment(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	team := gid(t, c.DSN, globalid.Startup, "startups", "svc-v2x-link")
	fund := gid(t, c.DSN, globalid.Fund, "funds", "creative-growth-venture-fund")
	total := func() string {
		return count(t, c.DSN, `SELECT invested_total::text || '/' || (SELECT COALESCE(sum(amount_krw), 0) FROM investments i WHERE i.startup_id = s.id)::text FROM startups s WHERE key = 'svc-v2x-link'`)
	}
	before := total()
	var rec struct {
		RecordInvestment struct{ Investment struct{ ID string } }
	}
	c.OK(t, `mutation($t: ID!, $f: ID!) { recordInvestment(input: {fundId: $f, startupId: $t, amount: 5000000000, investedOn: "2019-01-02", round: SERIES_A}) { investment { id } } }`,
		map[string]any{"t": team, "f": fund}, &rec)
	inv := rec.RecordInvestment.Investment.ID
	if total() == before {
		t.Fatal("the investment did not count")
	}
	r := c.Do(t, `mutation($i: ID!) { deleteInvestment(input: {id: $i, expectedVersion: 7, reason: "wrong team"}) { deletedId } }`, map[string]any{"i": inv})
	wantError(t, "stale version", r, "CONFLICT", "input.expectedVersion")
	r = c.Do(t, `mutation($i: ID!) { deleteInvestment(input: {id: $i, expectedVersion: 1, reason: ""}) { deletedId } }`, map[string]any{"i": inv})
	wantError(t, "no reason", r, "BAD_USER_INPUT", "input.reason")
	c.OK(t, `mutation($i: ID!) { deleteInvestment(input: {id: $i, expectedVersion: 1, reason: "wrong team"}) { deletedId } }`, map[string]any{"i": inv}, nil)
	if got := total(); got != before {
		t.Errorf("invested total after the delete: %s, want %s", got, before)
	}
	r = c.OK(t, `query($i: ID!) { auditLog(filter: {entityId: $i}) { nodes { action reason after } } }`, map[string]any{"i": inv}, nil)
	if !strings.Contains(string(r.Data), `"action":"deleteInvestment","reason":"wrong team","after":null`) {
		t.Errorf("audit: %s", r.Data)
	}
}

// TestStageHistoryCorrections: an entry's date is corrected within its
// neighbours; deleting the last entry moves the startup back to the
// stage before; the only entry stays.
func TestStageHistoryCorrections(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	var created struct {
		CreateStartup struct{ Startup struct{ ID string } }
	}
	c.OK(t, `mutation { createStartup(input: {key: "history-team", nameKo: "역사팀", nameEn: "History Team", foundedOn: "2017-01-02"}) { startup { id } } }`, nil, &created)
	team := created.CreateStartup.Startup.ID
	c.OK(t, `mutation($t: ID!) { moveStartupStage(input: {id: $t, expectedVersion: 1, stage: PROTOTYPE, changedOn: "2017-05-01"}) { replayed } }`, map[string]any{"t": team}, nil)
	c.OK(t, `mutation($t: ID!) { moveStartupStage(input: {id: $t, expectedVersion: 2, stage: MARKETING, changedOn: "2017-09-01"}) { replayed } }`, map[string]any{"t": team}, nil)
	entry := func(stage string) string {
		return rowGID(t, c.DSN, globalid.StageChange, `SELECT c.id::text FROM stage_changes c JOIN startups s ON s.id = c.startup_id WHERE s.key = 'history-team' AND c.stage = $1`, stage)
	}
	proto, marketing, idea := entry("PROTOTYPE"), entry("MARKETING"), entry("IDEA")
	for _, tc := range []struct{ name, on, field string }{
		{"after the next entry", "2017-10-01", "input.changedOn"},
		{"before the previous entry", "2016-12-01", "input.changedOn"},
		{"in the future", "2999-01-01", "input.changedOn"},
	} {
		r := c.Do(t, `mutation($s: ID!, $on: Date!) { correctStageChange(input: {id: $s, expectedVersion: 1, reason: "date", changedOn: $on}) { replayed } }`, map[string]any{"s": proto, "on": tc.on})
		wantError(t, tc.name, r, "BAD_USER_INPUT", tc.field)
	}
	r := c.OK(t, `mutation($s: ID!) { correctStageChange(input: {id: $s, expectedVersion: 1, reason: "was June", changedOn: "2017-06-01", note: "first prototype"}) {
		startup { stage stageHistory { nodes { id version stage changedOn note } } } } }`, map[string]any{"s": proto}, nil)
	if !strings.Contains(string(r.Data), `"version":2,"stage":"PROTOTYPE","changedOn":"2017-06-01","note":"first prototype"`) {
		t.Errorf("corrected entry: %s", r.Data)
	}
	r = c.OK(t, `mutation($s: ID!) { deleteStageChange(input: {id: $s, expectedVersion: 1, reason: "never reached marketing"}) { startup { stage version stageHistory { nodes { stage } } } } }`,
		map[string]any{"s": marketing}, nil)
	if !strings.Contains(string(r.Data), `"stage":"PROTOTYPE"`) || strings.Contains(string(r.Data), "MARKETING") {
		t.Errorf("after deleting the last entry the startup should be at PROTOTYPE: %s", r.Data)
	}
	if n := count(t, c.DSN, `SELECT count(*) FROM startup_sectors x JOIN startups s ON s.id = x.startup_id WHERE x.stage <> s.stage`); n != "0" {
		t.Errorf("%s startup_sectors rows hold another stage than their startup", n)
	}
	c.OK(t, `mutation($s: ID!) { deleteStageChange(input: {id: $s, expectedVersion: 2, reason: "no prototype"}) { deletedId } }`, map[string]any{"s": proto}, nil)
	r = c.Do(t, `mutation($s: ID!) { deleteStageChange(input: {id: $s, expectedVersion: 1, reason: "all of it"}) { deletedId } }`, map[string]any{"s": idea})
	wantError(t, "the only entry", r, "BAD_USER_INPUT", "input.id")
	if got := count(t, c.DSN, `SELECT stage FROM startups WHERE key = 'history-team'`); got != "IDEA" {
		t.Errorf("stage after deleting both moves: %s", got)
	}
}

// TestEdgeCorrections: an assignment's purpose, status and dates, a
// mentorship's focus and end, a market target's priority, each at the
// startup's version, which moves on.
func TestEdgeCorrections(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	team := gid(t, c.DSN, globalid.Startup, "startups", "svc-v2x-link")
	version := func() int { return atoi(count(t, c.DSN, `SELECT version FROM startups WHERE key = 'svc-v2x-link'`)) }
	a := column(t, c.DSN, `SELECT u.key || ' ' || e.purpose FROM assignments e JOIN universities u ON u.id = e.university_id JOIN startups s ON s.id = e.startup_id WHERE s.key = 'svc-v2x-link' AND e.status = 'ACTIVE' LIMIT 1`)[0]
	uni, purpose, _ := strings.Cut(a, " ")
	u := gid(t, c.DSN, globalid.University, "universities", uni)
	m := column(t, c.DSN, `SELECT mm.key || ' ' || e.since FROM mentorships e JOIN mentors mm ON mm.id = e.mentor_id JOIN startups s ON s.id = e.startup_id WHERE s.key = 'svc-v2x-link' AND e.until IS NULL LIMIT 1`)[0]
	mentorKey, since, _ := strings.Cut(m, " ")
	mentor := gid(t, c.DSN, globalid.Mentor, "mentors", mentorKey)
	marketKey := column(t, c.DSN, `SELECT mk.key FROM market_targets e JOIN markets mk ON mk.id = e.market_id JOIN startups s ON s.id = e.startup_id WHERE s.key = 'svc-v2x-link' LIMIT 1`)[0]
	market := gid(t, c.DSN, globalid.Market, "markets", marketKey)
	newPurpose := "INTERNSHIP"
	if purpose == newPurpose {
		newPurpose = "OVERSEAS_STRATEGY"
	}
	vars := func(extra ...any) map[string]any {
		v := map[string]any{"t": team, "u": u, "m": mentor, "k": market, "p": purpose, "np": newPurpose, "since": since, "v": version()}
		for i := 0; i+1 < len(extra); i += 2 {
			v[extra[i].(string)] = extra[i+1]
		}
		return v
	}
	assign := `mutation($t: ID!, $u: ID!, $p: AssignmentPurpose!, $v: Int!, $st: AssignmentStatus, $until: Date) { correctAssignment(input: {universityId: $u, startupId: $t, purpose: $p, expectedVersion: $v, reason: "fix", status: $st, until: $until}) { startup { version } } }`
	r := c.Do(t, assign, vars("st", "ENDED"))
	wantError(t, "ended without an end", r, "BAD_USER_INPUT", "input.until")
	r = c.Do(t, assign, vars("st", "ENDED", "until", "1999-01-01"))
	wantError(t, "ends before it began", r, "BAD_USER_INPUT", "input.until")
	r = c.Do(t, assign, vars("st", "ACTIVE", "v", 999))
	wantError(t, "stale startup version", r, "CONFLICT", "input.expectedVersion")
	v0 := version()
	c.OK(t, `mutation($t: ID!, $u: ID!, $p: AssignmentPurpose!, $np: AssignmentPurpose, $v: Int!) { correctAssignment(input: {universityId: $u, startupId: $t, purpose: $p, expectedVersion: $v, reason: "was an internship", newPurpose: $np, status: COMPLETED, since: "2017-04-03", until: "2018-02-01"}) { startup { version } } }`, vars(), nil)
	if version() != v0+1 {
		t.Errorf("startup version %d, want %d", version(), v0+1)
	}
	if got := count(t, c.DSN, `SELECT e.purpose || ' ' || e.status || ' ' || e.since || ' ' || e.until FROM assignments e JOIN universities u ON u.id = e.university_id JOIN startups s ON s.id = e.startup_id WHERE s.key = 'svc-v2x-link' AND u.key = $1 AND e.purpose = $2`, uni, newPurpose); got != newPurpose+" COMPLETED 2017-04-03 2018-02-01" {
		t.Errorf("corrected assignment: %s", got)
	}

	mentorship := `mutation($t: ID!, $m: ID!, $since: Date!, $v: Int!, $until: Date) { correctMentorship(input: {mentorId: $m, startupId: $t, since: $since, expectedVersion: $v, reason: "fix", focus: "US market entry", until: $until}) { startup { mentors(first: 50) { edges { focus until node { key } } } } } }`
	r = c.Do(t, mentorship, vars("until", "1990-01-01"))
	wantError(t, "mentorship ends before it began", r, "BAD_USER_INPUT", "input.until")
	r = c.OK(t, mentorship, vars("until", "2024-01-02"), nil)
	if !strings.Contains(string(r.Data), `{"focus":"US market entry","until":"2024-01-02","node":{"key":"`+mentorKey+`"}}`) {
		t.Errorf("corrected mentorship: %s", r.Data)
	}
	r = c.Do(t, `mutation($t: ID!, $m: ID!, $v: Int!) { correctMentorship(input: {mentorId: $m, startupId: $t, since: "1990-01-01", expectedVersion: $v, reason: "fix", focus: "x"}) { replayed } }`, vars())
	wantError(t, "no mentorship began then", r, "NOT_FOUND", "")

	r = c.OK(t, `mutation($t: ID!, $k: ID!, $v: Int!) { correctMarketTarget(input: {startupId: $t, marketId: $k, expectedVersion: $v, reason: "priority", priority: 1, status: ENTERED}) { startup { markets(first: 50) { edges { status priority node { key } } } } } }`, vars(), nil)
	if !strings.Contains(string(r.Data), `{"status":"ENTERED","priority":1,"node":{"key":"`+marketKey+`"}}`) {
		t.Errorf("corrected market target: %s", r.Data)
	}
	r = c.OK(t, `query($t: ID!) { auditLog(filter: {entityId: $t, actions: ["correctAssignment", "correctMentorship", "correctMarketTarget"]}) { totalCount nodes { reason before after } } }`, map[string]any{"t": team}, nil)
	if !strings.Contains(string(r.Data), `"totalCount":3`) || !strings.Contains(string(r.Data), `"reason":"was an internship"`) {
		t.Errorf("audit: %s", r.Data)
	}
}

// TestCohortMembership: a team is added to a cohort, moved to another
// and taken out; an archived cohort takes no member (CONFLICT naming it).
func TestCohortMembership(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	c.OK(t, `mutation { createStartup(input: {key: "cohort-team", nameKo: "코호트팀", nameEn: "Cohort Team"}) { replayed } }`, nil, nil)
	team := gid(t, c.DSN, globalid.Startup, "startups", "cohort-team")
	program := rowGID(t, c.DSN, globalid.Program, `SELECT program_id::text FROM cohorts ORDER BY id LIMIT 1`)
	var made []string
	for _, k := range []string{"c-2030", "c-2031", "c-2032"} {
		var out struct {
			CreateCohort struct{ Cohort struct{ ID string } }
		}
		c.OK(t, `mutation($p: ID!, $k: String!) { createCohort(input: {key: $k, nameKo: $k, nameEn: $k, programId: $p, year: 2030}) { cohort { id } } }`, map[string]any{"p": program, "k": k}, &out)
		made = append(made, out.CreateCohort.Cohort.ID)
	}
	first, second, archived := made[0], made[1], made[2]
	c.OK(t, `mutation($c: ID!) { archiveCohort(input: {id: $c, expectedVersion: 1}) { replayed } }`, map[string]any{"c": archived}, nil)
	version := func() int { return atoi(count(t, c.DSN, `SELECT version FROM startups WHERE key = 'cohort-team'`)) }
	members := func() string {
		return strings.Join(column(t, c.DSN, `SELECT c.key || ' ' || m.joined_on FROM memberships m JOIN cohorts c ON c.id = m.cohort_id JOIN startups s ON s.id = m.startup_id WHERE s.key = 'cohort-team' ORDER BY 1`), ",")
	}
	r := c.Do(t, `mutation($t: ID!, $c: ID!, $v: Int!) { addToCohort(input: {startupId: $t, cohortId: $c, expectedVersion: $v, reason: "joined"}) { replayed } }`, map[string]any{"t": team, "c": archived, "v": version()})
	wantError(t, "archived cohort", r, "CONFLICT", "input.cohortId")
	c.OK(t, `mutation($t: ID!, $c: ID!, $v: Int!) { addToCohort(input: {startupId: $t, cohortId: $c, joinedOn: "2020-03-02", expectedVersion: $v, reason: "joined"}) { replayed } }`, map[string]any{"t": team, "c": first, "v": version()}, nil)
	r = c.Do(t, `mutation($t: ID!, $c: ID!, $v: Int!) { addToCohort(input: {startupId: $t, cohortId: $c, expectedVersion: $v, reason: "again"}) { replayed } }`, map[string]any{"t": team, "c": first, "v": version()})
	wantError(t, "already a member", r, "CONFLICT", "input.cohortId")
	if got := members(); got != "c-2030 2020-03-02" {
		t.Fatalf("members after add: %s", got)
	}
	r = c.Do(t, `mutation($t: ID!, $a: ID!, $b: ID!, $v: Int!) { moveToCohort(input: {startupId: $t, fromCohortId: $a, toCohortId: $b, expectedVersion: $v, reason: "moved"}) { replayed } }`, map[string]any{"t": team, "a": first, "b": archived, "v": version()})
	wantError(t, "move to an archived cohort", r, "CONFLICT", "input.toCohortId")
	r = c.OK(t, `mutation($t: ID!, $a: ID!, $b: ID!, $v: Int!) { moveToCohort(input: {startupId: $t, fromCohortId: $a, toCohortId: $b, expectedVersion: $v, reason: "moved"}) { startup { programs { edges { cohort { key } } } } } }`, map[string]any{"t": team, "a": first, "b": second, "v": version()}, nil)
	if got := members(); got != "c-2031 2020-03-02" || !strings.Contains(string(r.Data), `"key":"c-2031"`) {
		t.Fatalf("members after move: %s %s", got, r.Data)
	}
	c.OK(t, `mutation($t: ID!, $c: ID!, $v: Int!) { removeFromCohort(input: {startupId: $t, cohortId: $c, expectedVersion: $v, reason: "left"}) { replayed } }`, map[string]any{"t": team, "c": second, "v": version()}, nil)
	if got := members(); got != "" {
		t.Fatalf("members after remove: %s", got)
	}
	r = c.Do(t, `mutation($t: ID!, $c: ID!, $v: Int!) { removeFromCohort(input: {startupId: $t, cohortId: $c, expectedVersion: $v, reason: "left"}) { replayed } }`, map[string]any{"t": team, "c": second, "v": version()})
	wantError(t, "not a member", r, "NOT_FOUND", "")
	r = c.OK(t, `query($t: ID!) { auditLog(filter: {entityId: $t, actions: ["addToCohort", "moveToCohort", "removeFromCohort"]}) { totalCount } }`, map[string]any{"t": team}, nil)
	if !strings.Contains(string(r.Data), `"totalCount":3`) {
		t.Errorf("audit: %s", r.Data)
	}
}

// TestUnarchiveEveryArchivable: each archivable node type is archived and
// unarchived, with its version and a reason.
func TestUnarchiveEveryArchivable(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	for _, tc := range []struct {
		typ         globalid.Type
		table, name string
	}{
		{globalid.Startup, "startups", "Startup"}, {globalid.Mentor, "mentors", "Mentor"}, {globalid.Fund, "funds", "Fund"},
		{globalid.Market, "markets", "Market"}, {globalid.Program, "programs", "Program"}, {globalid.Cohort, "cohorts", "Cohort"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := rowGID(t, c.DSN, tc.typ, `SELECT max(id)::text FROM `+tc.table)
			v := atoi(count(t, c.DSN, `SELECT version FROM `+tc.table+` WHERE id = (SELECT max(id) FROM `+tc.table+`)`))
			field := strings.ToLower(tc.name[:1]) + tc.name[1:]
			c.OK(t, `mutation($id: ID!, $v: Int!) { archive`+tc.name+`(input: {id: $id, expectedVersion: $v}) { `+field+` { archivedAt } } }`, map[string]any{"id": id, "v": v}, nil)
			r := c.Do(t, `mutation($id: ID!, $v: Int!) { unarchive`+tc.name+`(input: {id: $id, expectedVersion: $v, reason: "by mistake"}) { replayed } }`, map[string]any{"id": id, "v": v})
			wantError(t, "stale version", r, "CONFLICT", "input.expectedVersion")
			r = c.OK(t, `mutation($id: ID!, $v: Int!) { unarchive`+tc.name+`(input: {id: $id, expectedVersion: $v, reason: "by mistake"}) { `+field+` { archivedAt version } } }`, map[string]any{"id": id, "v": v + 1}, nil)
			if !strings.Contains(string(r.Data), `"archivedAt":null,"version":`+strconv.Itoa(v+2)) {
				t.Errorf("unarchived: %s", r.Data)
			}
			r = c.OK(t, `query($id: ID!) { auditLog(filter: {entityId: $id, actions: ["unarchive`+tc.name+`"]}) { nodes { reason } } }`, map[string]any{"id": id}, nil)
			if !strings.Contains(string(r.Data), `"reason":"by mistake"`) {
				t.Errorf("audit: %s", r.Data)
			}
		})
	}
}

// TestNoWritesOntoArchived: a write that would attach something to an
// archived node is CONFLICT naming the field.
func TestNoWritesOntoArchived(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	team := gid(t, c.DSN, globalid.Startup, "startups", "svc-v2x-link")
	fund := gid(t, c.DSN, globalid.Fund, "funds", "creative-growth-venture-fund")
	market := gid(t, c.DSN, globalid.Market, "markets", "us")
	mentorKey := column(t, c.DSN, `SELECT key FROM mentors ORDER BY id DESC LIMIT 1`)[0]
	mentor := gid(t, c.DSN, globalid.Mentor, "mentors", mentorKey)
	for _, a := range []struct{ id, name, table, key string }{
		{fund, "Fund", "funds", "creative-growth-venture-fund"}, {market, "Market", "markets", "us"}, {mentor, "Mentor", "mentors", mentorKey},
	} {
		v := count(t, c.DSN, `SELECT version FROM `+a.table+` WHERE key = $1`, a.key)
		c.OK(t, `mutation($id: ID!, $v: Int!) { archive`+a.name+`(input: {id: $id, expectedVersion: $v}) { replayed } }`, map[string]any{"id": a.id, "v": atoi(v)}, nil)
	}
	vars := map[string]any{"t": team, "f": fund, "k": market, "m": mentor}
	for _, tc := range []struct{ name, query, field string }{
		{"investment from an archived fund", `mutation($t: ID!, $f: ID!) { recordInvestment(input: {fundId: $f, startupId: $t, amount: 1, investedOn: "2019-01-02", round: SEED}) { replayed } }`, "input.fundId"},
		{"target in an archived market", `mutation($t: ID!, $k: ID!) { setMarketTarget(input: {startupId: $t, marketId: $k, status: EXPLORING}) { replayed } }`, "input.marketId"},
		{"export to an archived market", `mutation($t: ID!, $k: ID!) { recordOutcome(input: {startupId: $t, kind: EXPORT_CONTRACT, amount: 5, marketId: $k}) { replayed } }`, "input.marketId"},
		{"mentorship by an archived mentor", `mutation($t: ID!, $m: ID!) { startMentorship(input: {mentorId: $m, startupId: $t, focus: "x"}) { replayed } }`, "input.mentorId"},
	} {
		r := c.Do(t, tc.query, vars)
		wantError(t, tc.name, r, "CONFLICT", tc.field)
	}
	v := count(t, c.DSN, `SELECT version FROM startups WHERE key = 'svc-v2x-link'`)
	c.OK(t, `mutation($t: ID!, $v: Int!) { archiveStartup(input: {id: $t, expectedVersion: $v}) { replayed } }`, map[string]any{"t": team, "v": atoi(v)}, nil)
	r := c.Do(t, `mutation($t: ID!) { recordOutcome(input: {startupId: $t, kind: JOBS_CREATED, quantity: 2}) { replayed } }`, vars)
	wantError(t, "outcome of an archived startup", r, "CONFLICT", "input.startupId")
	r = c.Do(t, `mutation($t: ID!) { assignTeam(input: {universityId: "VW5pdmVyc2l0eTox", startupId: $t, purpose: INTERNSHIP}) { replayed } }`, vars)
	wantError(t, "assignment of an archived startup", r, "CONFLICT", "input.startupId")
}
