package graph_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/testdb"
)

// count returns a single number from SQL.
func count(t *testing.T, dsn, q string, args ...any) string {
	t.Helper()
	return column(t, dsn, "SELECT ("+q+")::text", args...)[0]
}

// TestOnboardingThroughGraphQL is the acceptance of the writes issue: an
// admin onboards a new Smart Venture Campus team end to end, and the
// audit log shows each step.
func TestOnboardingThroughGraphQL(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	ids := map[string]string{
		"gmu":    gid(t, c.DSN, globalid.University, "universities", "george-mason-university"),
		"m1":     gid(t, c.DSN, globalid.Mentor, "mentors", column(t, c.DSN, "SELECT key FROM mentors ORDER BY id LIMIT 1")[0]),
		"m2":     gid(t, c.DSN, globalid.Mentor, "mentors", column(t, c.DSN, "SELECT key FROM mentors ORDER BY id OFFSET 1 LIMIT 1")[0]),
		"grant":  gid(t, c.DSN, globalid.Fund, "funds", "smart-venture-campus-national-grant"),
		"us":     gid(t, c.DSN, globalid.Market, "markets", "us"),
		"robots": gid(t, c.DSN, globalid.Sector, "sectors", "robotics"),
	}
	var created struct {
		CreateStartup struct {
			Startup struct {
				ID      string
				Version int
				Stage   string
			}
		}
	}
	c.OK(t, `mutation($s: [ID!]) { createStartup(input: {idempotencyKey: "onboard-1", key: "svc-new-team", nameKo: "새로운팀", nameEn: "New Team",
		sectorIds: $s, foundedOn: "2017-03-02"}) { startup { id version stage } replayed } }`, map[string]any{"s": []string{ids["robots"]}}, &created)
	team := created.CreateStartup.Startup
	if team.Stage != "IDEA" || team.Version != 1 {
		t.Fatalf("created %+v", team)
	}
	steps := []struct {
		name, query string
		vars        map[string]any
	}{
		{"assign to George Mason", `mutation($t: ID!, $u: ID!) { assignTeam(input: {universityId: $u, startupId: $t, purpose: JOINT_PROJECT, since: "2017-04-03"}) { startup { id } } }`, map[string]any{"t": team.ID, "u": ids["gmu"]}},
		{"first mentor", `mutation($t: ID!, $m: ID!) { startMentorship(input: {mentorId: $m, startupId: $t, focus: "Prototype design"}) { startup { id } } }`, map[string]any{"t": team.ID, "m": ids["m1"]}},
		{"second mentor", `mutation($t: ID!, $m: ID!) { startMentorship(input: {mentorId: $m, startupId: $t, focus: "Market entry: US"}) { startup { id } } }`, map[string]any{"t": team.ID, "m": ids["m2"]}},
		{"national grant", `mutation($t: ID!, $f: ID!) { recordInvestment(input: {idempotencyKey: "grant-1", fundId: $f, startupId: $t, amount: 78000000, investedOn: "2017-04-10", round: GRANT}) { investment { id amount } } }`, map[string]any{"t": team.ID, "f": ids["grant"]}},
		{"target the US", `mutation($t: ID!, $m: ID!) { setMarketTarget(input: {startupId: $t, marketId: $m, status: EXPLORING, priority: 1}) { startup { id } } }`, map[string]any{"t": team.ID, "m": ids["us"]}},
		{"move to PROTOTYPE", `mutation($t: ID!) { moveStartupStage(input: {id: $t, expectedVersion: 1, stage: PROTOTYPE, note: "first prototype"}) { startup { stage version } } }`, map[string]any{"t": team.ID}},
	}
	for _, st := range steps {
		c.OK(t, st.query, st.vars, nil)
	}
	r := c.OK(t, `query($t: ID!) { node(id: $t) { ... on Startup { stage version
		universities { edges { purpose node { key } } } mentors { totalCount } investors { edges { amount round node { key } } }
		markets { edges { status priority node { code } } } stageHistory { nodes { stage } } } } }`, map[string]any{"t": team.ID}, nil)
	for _, want := range []string{`"stage":"PROTOTYPE"`, `"version":2`, `"key":"george-mason-university"`, `"mentors":{"totalCount":2}`,
		`"amount":78000000,"round":"GRANT"`, `"status":"EXPLORING","priority":1,"node":{"code":"US"}`, `[{"stage":"IDEA"},{"stage":"PROTOTYPE"}]`} {
		if !strings.Contains(string(r.Data), want) {
			t.Errorf("the team lacks %s: %s", want, r.Data)
		}
	}
	r = c.OK(t, `query($t: ID!) { auditLog(filter: {entityId: $t}, first: 20) { totalCount nodes { action actorName actorRole entityId before after } } }`, map[string]any{"t": team.ID}, nil)
	var actions []string
	for _, a := range tuples(t, r.Data, "action") {
		actions = append(actions, a)
	}
	want := []string{"assignTeam", "createStartup", "moveStartupStage", "setMarketTarget", "startMentorship", "startMentorship"}
	if strings.Join(actions, ",") != strings.Join(want, ",") || !strings.Contains(string(r.Data), `"actorRole":"ADMIN"`) {
		t.Errorf("audit actions %v, want %v\n%s", actions, want, r.Data)
	}
	if n := count(t, c.DSN, "SELECT count(*) FROM audit_log WHERE action = 'recordInvestment' AND after->>'amount_krw' = '78000000'"); n != "1" {
		t.Errorf("grant audit records: %s", n)
	}
}

// TestMutationsAreAdminOnly: every mutation is refused to other roles, and
// nothing is written.
func TestMutationsAreAdminOnly(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	team := gid(t, c.DSN, globalid.Startup, "startups", "svc-v2x-link")
	mutations := []string{
		`mutation { createStartup(input: {key: "x-team", nameKo: "엑스", nameEn: "X"}) { replayed } }`,
		`mutation($t: ID!) { updateStartup(input: {id: $t, expectedVersion: 1, nameEn: "Y"}) { replayed } }`,
		`mutation($t: ID!) { archiveStartup(input: {id: $t, expectedVersion: 1}) { replayed } }`,
		`mutation($t: ID!) { moveStartupStage(input: {id: $t, expectedVersion: 1, stage: FINANCING}) { replayed } }`,
		`mutation($t: ID!) { assignTeam(input: {universityId: "VW5pdmVyc2l0eTox", startupId: $t, purpose: INTERNSHIP}) { replayed } }`,
		`mutation($t: ID!) { recordOutcome(input: {startupId: $t, kind: JOBS_CREATED, quantity: 3}) { replayed } }`,
		`mutation($t: ID!) { unassignTeam(input: {universityId: "VW5pdmVyc2l0eTox", startupId: $t, purpose: INTERNSHIP}) { replayed } }`,
		`mutation($t: ID!) { startMentorship(input: {mentorId: "TWVudG9yOjE", startupId: $t, focus: "x"}) { replayed } }`,
		`mutation($t: ID!) { endMentorship(input: {mentorId: "TWVudG9yOjE", startupId: $t}) { replayed } }`,
		`mutation($t: ID!) { recordInvestment(input: {fundId: "RnVuZDox", startupId: $t, amount: 1, investedOn: "2017-01-01", round: SEED}) { replayed } }`,
		`mutation { correctInvestment(input: {id: "SW52ZXN0bWVudDox", expectedVersion: 1, amount: 5}) { replayed } }`,
		`mutation($t: ID!) { setMarketTarget(input: {startupId: $t, marketId: "TWFya2V0OjE", status: EXPLORING}) { replayed } }`,
		`mutation { createMentor(input: {key: "x-m", nameKo: "엠", nameEn: "M"}) { replayed } }`,
		`mutation { updateMentor(input: {id: "TWVudG9yOjE", expectedVersion: 1, nameEn: "M"}) { replayed } }`,
		`mutation { archiveMentor(input: {id: "TWVudG9yOjE", expectedVersion: 1}) { replayed } }`,
		`mutation { createFund(input: {key: "x-f", nameKo: "펀", nameEn: "F", kind: VENTURE_FUND, size: 1}) { replayed } }`,
		`mutation { updateFund(input: {id: "RnVuZDox", expectedVersion: 1, size: 1}) { replayed } }`,
		`mutation { archiveFund(input: {id: "RnVuZDox", expectedVersion: 1}) { replayed } }`,
		`mutation { createMarket(input: {key: "x-k", nameKo: "태", nameEn: "T", kind: COUNTRY, code: "TH"}) { replayed } }`,
		`mutation { updateMarket(input: {id: "TWFya2V0OjE", expectedVersion: 1, nameEn: "T"}) { replayed } }`,
		`mutation { archiveMarket(input: {id: "TWFya2V0OjE", expectedVersion: 1}) { replayed } }`,
		`mutation { createProgram(input: {key: "x-p", nameKo: "프", nameEn: "P", kind: WORKSHOP}) { replayed } }`,
		`mutation { updateProgram(input: {id: "UHJvZ3JhbTox", expectedVersion: 1, nameEn: "P"}) { replayed } }`,
		`mutation { archiveProgram(input: {id: "UHJvZ3JhbTox", expectedVersion: 1}) { replayed } }`,
		`mutation { createCohort(input: {key: "x-c", nameKo: "코", nameEn: "C", programId: "UHJvZ3JhbTox", year: 2018}) { replayed } }`,
		`mutation { updateCohort(input: {id: "Q29ob3J0OjE", expectedVersion: 1, year: 2019}) { replayed } }`,
		`mutation { archiveCohort(input: {id: "Q29ob3J0OjE", expectedVersion: 1}) { replayed } }`,
		`query { auditLog { totalCount } }`,
	}
	before := count(t, c.DSN, "SELECT count(*) FROM audit_log")
	for _, role := range []struct{ name, key, code string }{
		{"analyst", c.NewKey(t, "ANALYST", ""), "FORBIDDEN"},
		{"university", c.NewKey(t, "UNIVERSITY", "george-mason-university"), "FORBIDDEN"},
		{"anonymous", "", "UNAUTHENTICATED"},
	} {
		for _, m := range mutations {
			r := c.As(role.key).Do(t, m, map[string]any{"t": team})
			if r.Code() != role.code {
				t.Errorf("%s: %s gave %q %+v", role.name, m, r.Code(), r.Errors)
			}
		}
	}
	if after := count(t, c.DSN, "SELECT count(*) FROM audit_log"); after != before {
		t.Errorf("refused mutations wrote %s audit records (before %s)", after, before)
	}
	if n := count(t, c.DSN, "SELECT count(*) FROM startups WHERE key = 'x-team'"); n != "0" {
		t.Error("a refused createStartup created a startup")
	}
}

func TestMutationErrors(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	team := gid(t, c.DSN, globalid.Startup, "startups", "svc-v2x-link")
	ghent := gid(t, c.DSN, globalid.University, "universities", "ghent-university")
	gmu := gid(t, c.DSN, globalid.University, "universities", "george-mason-university")
	missingTeam := globalid.Encode(globalid.Startup, 987654)
	missingUni := globalid.Encode(globalid.University, 987654)
	mentor := gid(t, c.DSN, globalid.Mentor, "mentors", column(t, c.DSN, `SELECT m.key FROM mentorships e JOIN mentors m ON m.id = e.mentor_id JOIN startups s ON s.id = e.startup_id WHERE s.key = 'svc-v2x-link' AND e.until IS NULL LIMIT 1`)[0])
	version := count(t, c.DSN, "SELECT version FROM startups WHERE key = 'svc-v2x-link'")
	cases := []struct {
		name, query string
		vars        map[string]any
		code        string
		fields      []string
	}{
		{"every problem of an input at once",
			`mutation($s: [ID!]) { createStartup(input: {idempotencyKey: "", key: "Bad Key!", nameKo: " ", nameEn: "ok", foundedOn: "2999-01-01", sectorIds: $s}) { replayed } }`,
			map[string]any{"s": []string{ghent}}, "BAD_USER_INPUT",
			[]string{"input.idempotencyKey", "input.key", "input.nameKo", "input.foundedOn", "input.sectorIds[0]"}},
		{"reference that does not exist", `mutation($t: ID!, $u: ID!) { assignTeam(input: {universityId: $u, startupId: $t, purpose: INTERNSHIP}) { replayed } }`,
			map[string]any{"t": team, "u": missingUni}, "BAD_USER_INPUT", []string{"input.universityId"}},
		{"amounts must be positive", `mutation($t: ID!) { recordInvestment(input: {fundId: "RnVuZDox", startupId: $t, amount: 0, investedOn: "2017-01-01", round: SEED}) { replayed } }`,
			map[string]any{"t": team}, "BAD_USER_INPUT", []string{"input.amount"}},
		{"amounts must fit 64 bits", `mutation($t: ID!) { recordInvestment(input: {fundId: "RnVuZDox", startupId: $t, amount: "99999999999999999999", investedOn: "2017-01-01", round: SEED}) { replayed } }`,
			map[string]any{"t": team}, "BAD_USER_INPUT", nil},
		{"priority 1 to 5", `mutation($t: ID!) { setMarketTarget(input: {startupId: $t, marketId: "TWFya2V0OjE", status: ENTERED, priority: 9}) { replayed } }`,
			map[string]any{"t": team}, "BAD_USER_INPUT", []string{"input.priority"}},
		{"export contracts need a market", `mutation($t: ID!) { recordOutcome(input: {startupId: $t, kind: EXPORT_CONTRACT, amount: 5}) { replayed } }`,
			map[string]any{"t": team}, "BAD_USER_INPUT", []string{"input.marketId"}},
		{"names cannot be cleared", `mutation($t: ID!) { updateStartup(input: {id: $t, expectedVersion: 1, nameEn: null}) { replayed } }`,
			map[string]any{"t": team}, "BAD_USER_INPUT", []string{"input.nameEn"}},
		{"an id of the wrong type", `mutation($t: ID!) { archiveStartup(input: {id: $t, expectedVersion: 1}) { replayed } }`,
			map[string]any{"t": ghent}, "BAD_USER_INPUT", []string{"input.id"}},
		{"missing target", `mutation($t: ID!) { updateStartup(input: {id: $t, expectedVersion: 1, nameEn: "x"}) { replayed } }`,
			map[string]any{"t": missingTeam}, "NOT_FOUND", nil},
		{"missing target of an edge", `mutation($t: ID!, $u: ID!) { assignTeam(input: {universityId: $u, startupId: $t, purpose: INTERNSHIP}) { replayed } }`,
			map[string]any{"t": missingTeam, "u": ghent}, "NOT_FOUND", nil},
		{"nothing to unassign", `mutation($t: ID!, $u: ID!) { unassignTeam(input: {universityId: $u, startupId: $t, purpose: INTERNSHIP}) { replayed } }`,
			map[string]any{"t": team, "u": ghent}, "NOT_FOUND", nil},
		{"stale version", `mutation($t: ID!) { updateStartup(input: {id: $t, expectedVersion: 99, nameEn: "x"}) { replayed } }`,
			map[string]any{"t": team}, "CONFLICT", nil},
		{"duplicate key", `mutation { createStartup(input: {key: "svc-v2x-link", nameKo: "중복", nameEn: "Dup"}) { replayed } }`,
			nil, "CONFLICT", nil},
		{"duplicate assignment", `mutation($t: ID!, $u: ID!) { assignTeam(input: {universityId: $u, startupId: $t, purpose: JOINT_PROJECT}) { replayed } }`,
			map[string]any{"t": team, "u": gmu}, "CONFLICT", nil},
		{"mentorship already running", `mutation($t: ID!, $m: ID!) { startMentorship(input: {mentorId: $m, startupId: $t, focus: "again"}) { replayed } }`,
			map[string]any{"t": team, "m": mentor}, "CONFLICT", nil},
	}
	auditBefore := count(t, c.DSN, "SELECT count(*) FROM audit_log")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Do(t, tc.query, tc.vars)
			if r.Code() != tc.code {
				t.Fatalf("code %q, want %s: %+v", r.Code(), tc.code, r.Errors)
			}
			if len(r.Errors) > 0 && strings.Contains(r.Errors[0].Message, "pq:") {
				t.Errorf("driver text leaks: %s", r.Errors[0].Message)
			}
			if len(tc.fields) > 0 {
				problems, _ := r.Errors[0].Extensions["problems"].([]any)
				var got []string
				for _, p := range problems {
					got = append(got, p.(map[string]any)["field"].(string))
				}
				for _, f := range tc.fields {
					if !contains(got, f) {
						t.Errorf("problems %v lack %s", got, f)
					}
				}
			}
		})
	}
	if after := count(t, c.DSN, "SELECT count(*) FROM audit_log"); after != auditBefore {
		t.Errorf("failed mutations left %s audit records (before %s)", after, auditBefore)
	}
	if v := count(t, c.DSN, "SELECT version FROM startups WHERE key = 'svc-v2x-link'"); v != version {
		t.Errorf("failed mutations changed the version from %s to %s", version, v)
	}
}

func TestIdempotentRetries(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	team := gid(t, c.DSN, globalid.Startup, "startups", "svc-v2x-link")
	create := `mutation($n: String!) { createStartup(input: {idempotencyKey: "retry-7", key: "retry-team", nameKo: "재시도", nameEn: $n}) { startup { id } replayed } }`
	first := c.OK(t, create, map[string]any{"n": "Retry Team"}, nil)
	second := c.OK(t, create, map[string]any{"n": "Retry Team"}, nil)
	if tuples(t, first.Data, "id")[0] != tuples(t, second.Data, "id")[0] || !strings.Contains(string(second.Data), `"replayed":true`) || !strings.Contains(string(first.Data), `"replayed":false`) {
		t.Errorf("retry: %s then %s", first.Data, second.Data)
	}
	if r := c.Do(t, create, map[string]any{"n": "Another Team"}); r.Code() != "CONFLICT" {
		t.Errorf("same key, other input: %+v", r.Errors)
	}
	if n := count(t, c.DSN, "SELECT count(*) FROM startups WHERE key = 'retry-team'"); n != "1" {
		t.Errorf("%s startups", n)
	}
	other := c.As(c.NewKey(t, "ADMIN", ""))
	// (allowing the duplicate name, which is otherwise CONFLICT first: issue 19)
	createAnyName := strings.Replace(create, `nameEn: $n}`, `nameEn: $n, allowDuplicateName: true}`, 1)
	if r := other.Do(t, createAnyName, map[string]any{"n": "Retry Team"}); r.Code() != "CONFLICT" || r.Field() != "input.key" {
		t.Errorf("another key's request with the same idempotency key must create anew (and hit the unique key): %+v", r.Errors)
	}

	// Concurrent retries of the same outcome: exactly one is recorded.
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.OK(t, `mutation($t: ID!) { recordOutcome(input: {idempotencyKey: "jobs-2018", startupId: $t, kind: JOBS_CREATED, quantity: 4, reportedOn: "2018-06-30"}) { replayed } }`,
				map[string]any{"t": team}, nil)
		}()
	}
	wg.Wait()
	if n := count(t, c.DSN, "SELECT count(*) FROM outcomes o JOIN startups s ON s.id = o.startup_id WHERE s.key = 'svc-v2x-link' AND o.reported_on = '2018-06-30' AND o.quantity = 4"); n != "1" {
		t.Errorf("concurrent retries recorded %s outcomes", n)
	}
	if n := count(t, c.DSN, "SELECT count(*) FROM audit_log WHERE action = 'recordOutcome'"); n != "1" {
		t.Errorf("concurrent retries wrote %s audit records", n)
	}
}

func TestPartialUpdates(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	team := gid(t, c.DSN, globalid.Startup, "startups", "svc-v2x-link")
	read := func() string {
		return string(c.OK(t, `query($t: ID!) { node(id: $t) { ... on Startup { nameEn nameKo version description(locale: EN) foundedOn } } }`, map[string]any{"t": team}, nil).Data)
	}
	v := count(t, c.DSN, "SELECT version FROM startups WHERE key = 'svc-v2x-link'")
	c.OK(t, `mutation($t: ID!, $v: Int!) { updateStartup(input: {id: $t, expectedVersion: $v, descriptionEn: "Connected cars", nameEn: "V2X Link Co."}) { replayed } }`,
		map[string]any{"t": team, "v": atoi(v)}, nil)
	got := read()
	if !strings.Contains(got, `"nameEn":"V2X Link Co."`) || !strings.Contains(got, `"description":"Connected cars"`) || !strings.Contains(got, fmt.Sprintf(`"version":%d`, atoi(v)+1)) {
		t.Fatalf("after update: %s", got)
	}
	nameKo := column(t, c.DSN, "SELECT name_ko FROM startups WHERE key = 'svc-v2x-link'")[0]
	c.OK(t, `mutation($t: ID!, $v: Int!) { updateStartup(input: {id: $t, expectedVersion: $v, descriptionEn: null, foundedOn: null}) { replayed } }`,
		map[string]any{"t": team, "v": atoi(v) + 1}, nil)
	got = read()
	if !strings.Contains(got, `"description":null`) || !strings.Contains(got, `"foundedOn":null`) || !strings.Contains(got, `"nameEn":"V2X Link Co."`) || !strings.Contains(got, `"nameKo":"`+nameKo+`"`) {
		t.Errorf("null clears, omission keeps: %s", got)
	}
}

// TestConcurrentUpdatesLoseNothing: parallel writers to one startup, each
// retrying on CONFLICT with the version it reads, all land exactly once.
func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	team := gid(t, c.DSN, globalid.Startup, "startups", "svc-v2x-link")
	start := atoi(count(t, c.DSN, "SELECT version FROM startups WHERE key = 'svc-v2x-link'"))
	const writers = 20
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for attempt := 0; attempt < 200; attempt++ {
				var data struct {
					Node struct{ Version int }
				}
				c.OK(t, `query($t: ID!) { node(id: $t) { ... on Startup { version } } }`, map[string]any{"t": team}, &data)
				r := c.Do(t, `mutation($t: ID!, $v: Int!, $d: String) { updateStartup(input: {id: $t, expectedVersion: $v, descriptionKo: $d}) { startup { version } } }`,
					map[string]any{"t": team, "v": data.Node.Version, "d": fmt.Sprintf("writer %d", i)})
				switch r.Code() {
				case "":
					return
				case "CONFLICT":
					continue
				default:
					errs <- fmt.Errorf("writer %d: %+v", i, r.Errors)
					return
				}
			}
			errs <- fmt.Errorf("writer %d never got through", i)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if v := atoi(count(t, c.DSN, "SELECT version FROM startups WHERE key = 'svc-v2x-link'")); v != start+writers {
		t.Errorf("version %d, want %d: an update was lost or doubled", v, start+writers)
	}
	if n := count(t, c.DSN, "SELECT count(*) FROM audit_log WHERE action = 'updateStartup'"); n != fmt.Sprint(writers) {
		t.Errorf("%s audit records, want %d", n, writers)
	}
	if n := count(t, c.DSN, "SELECT count(DISTINCT after->>'description_ko') FROM audit_log WHERE action = 'updateStartup'"); n != fmt.Sprint(writers) {
		t.Errorf("%s distinct writers landed, want %d", n, writers)
	}
}

func TestFailedMutationLeavesNothing(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	missingSector := globalid.Encode(globalid.Sector, 987654)
	r := c.Do(t, `mutation($s: [ID!]) { createStartup(input: {key: "half-made", nameKo: "반", nameEn: "Half", sectorIds: $s}) { replayed } }`,
		map[string]any{"s": []string{missingSector}})
	if r.Code() != "BAD_USER_INPUT" || r.Field() != "input.sectorIds[0]" {
		t.Fatalf("%+v", r.Errors)
	}
	if n := count(t, c.DSN, "SELECT count(*) FROM startups WHERE key = 'half-made'"); n != "0" {
		t.Error("a failed create left a startup")
	}
}

func atoi(s string) int {
	var n int
	fmt.Sscan(s, &n)
	return n
}

// TestRelationshipMutations covers the success paths the onboarding flow
// does not: ending assignments and mentorships, correcting investments,
// updating a target, archiving a startup.
func TestRelationshipMutations(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	team := gid(t, c.DSN, globalid.Startup, "startups", "svc-v2x-link")
	gmu := gid(t, c.DSN, globalid.University, "universities", "george-mason-university")
	mentorKey := column(t, c.DSN, `SELECT m.key FROM mentorships e JOIN mentors m ON m.id = e.mentor_id JOIN startups s ON s.id = e.startup_id WHERE s.key = 'svc-v2x-link' AND e.until IS NULL LIMIT 1`)[0]
	mentor := gid(t, c.DSN, globalid.Mentor, "mentors", mentorKey)
	inv := globalid.Encode(globalid.Investment, int64(atoi(column(t, c.DSN, `SELECT i.id::text FROM investments i JOIN startups s ON s.id = i.startup_id WHERE s.key = 'svc-v2x-link' LIMIT 1`)[0])))
	market := gid(t, c.DSN, globalid.Market, "markets", column(t, c.DSN, `SELECT k.key FROM market_targets e JOIN markets k ON k.id = e.market_id JOIN startups s ON s.id = e.startup_id WHERE s.key = 'svc-v2x-link' LIMIT 1`)[0])
	vars := map[string]any{"t": team, "u": gmu, "m": mentor, "i": inv, "k": market}

	c.OK(t, `mutation($t: ID!, $u: ID!) { unassignTeam(input: {universityId: $u, startupId: $t, purpose: JOINT_PROJECT, status: COMPLETED, until: "2018-12-31"}) { startup { id } } }`, vars, nil)
	if got := count(t, c.DSN, `SELECT a.status || ' ' || a.until FROM assignments a JOIN startups s ON s.id = a.startup_id JOIN universities u ON u.id = a.university_id
		WHERE s.key = 'svc-v2x-link' AND u.key = 'george-mason-university' AND a.purpose = 'JOINT_PROJECT'`); got != "COMPLETED 2018-12-31" {
		t.Errorf("assignment after unassign: %s", got)
	}
	c.OK(t, `mutation($t: ID!, $m: ID!) { endMentorship(input: {mentorId: $m, startupId: $t, until: "2018-06-30"}) { startup { id } } }`, vars, nil)
	if r := c.Do(t, `mutation($t: ID!, $m: ID!) { endMentorship(input: {mentorId: $m, startupId: $t}) { replayed } }`, vars); r.Code() != "NOT_FOUND" {
		t.Errorf("ending it twice: %+v", r.Errors)
	}
	r := c.OK(t, `mutation($i: ID!) { correctInvestment(input: {id: $i, expectedVersion: 1, amount: 123456789012}) { investment { amount version } } }`, vars, nil)
	if !strings.Contains(string(r.Data), `"amount":123456789012,"version":2`) {
		t.Errorf("correction: %s", r.Data)
	}
	if r := c.Do(t, `mutation($i: ID!) { correctInvestment(input: {id: $i, expectedVersion: 1, round: BRIDGE}) { replayed } }`, vars); r.Code() != "CONFLICT" {
		t.Errorf("stale correction: %+v", r.Errors)
	}
	r = c.OK(t, `mutation($t: ID!, $k: ID!) { setMarketTarget(input: {startupId: $t, marketId: $k, status: ENTERED, priority: 2}) { startup { markets(first: 20) { edges { status priority node { id } } } } } }`, vars, nil)
	if !strings.Contains(string(r.Data), `"status":"ENTERED","priority":2,"node":{"id":"`+market+`"}`) {
		t.Errorf("target update: %s", r.Data)
	}
	v := atoi(count(t, c.DSN, "SELECT version FROM startups WHERE key = 'svc-v2x-link'"))
	r = c.OK(t, `mutation($t: ID!, $v: Int!) { archiveStartup(input: {id: $t, expectedVersion: $v}) { startup { archivedAt version } } }`, map[string]any{"t": team, "v": v}, nil)
	if strings.Contains(string(r.Data), `"archivedAt":null`) || !strings.Contains(string(r.Data), fmt.Sprintf(`"version":%d`, v+1)) {
		t.Errorf("archive: %s", r.Data)
	}
	actions := column(t, c.DSN, "SELECT action FROM audit_log ORDER BY id")
	if strings.Join(actions, ",") != "archiveStartup,correctInvestment,endMentorship,setMarketTarget,unassignTeam" { // column sorts
		t.Errorf("audit trail: %v", actions)
	}
}
