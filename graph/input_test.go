package graph_test

import (
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/model"
	"startupgraph/internal/testdb"
)

// wantBadInput checks a response is one BAD_USER_INPUT naming field, with no
// internal error.
func wantBadInput(t *testing.T, r apitest.Response, field string) {
	t.Helper()
	if r.Code() != "BAD_USER_INPUT" || r.Field() != field {
		t.Errorf("got %d %s field %q, want BAD_USER_INPUT naming %s: %+v", r.Status, r.Code(), r.Field(), field, r.Errors)
	}
}

// execPastAPI runs statements straight on the test database, past the API.
func execPastAPI(t *testing.T, dsn, q string, args ...any) {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
}

// TestKRWInputsAreBounded: every input that takes KRW refuses an amount
// above model.MaxKRW, naming the field, and writes nothing; the bound
// itself is accepted.
func TestKRWInputsAreBounded(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	team := gid(t, c.DSN, globalid.Startup, "startups", "svc-v2x-link")
	fund := gid(t, c.DSN, globalid.Fund, "funds", "smart-venture-campus-national-grant")
	inv := globalid.Encode(globalid.Investment, int64(atoi(count(t, c.DSN, "SELECT min(id) FROM investments"))))
	const issue = "9000000000000000000" // the issue's amount
	above := fmt.Sprint(int64(model.MaxKRW) + 1)
	cases := []struct {
		name, query, field string
		vars               map[string]any
	}{
		{"recordInvestment literal", `mutation($t: ID!, $f: ID!) { recordInvestment(input: {fundId: $f, startupId: $t, amount: ` + issue + `, investedOn: "2017-01-01", round: SEED}) { replayed } }`, "input.amount", nil},
		{"recordInvestment variable", `mutation($t: ID!, $f: ID!, $a: KRW!) { recordInvestment(input: {fundId: $f, startupId: $t, amount: $a, investedOn: "2017-01-01", round: SEED}) { replayed } }`, "input.amount", map[string]any{"a": json.Number(above)}},
		{"recordInvestment string", `mutation($t: ID!, $f: ID!, $a: KRW!) { recordInvestment(input: {fundId: $f, startupId: $t, amount: $a, investedOn: "2017-01-01", round: SEED}) { replayed } }`, "input.amount", map[string]any{"a": issue}},
		{"correctInvestment", `mutation { correctInvestment(input: {id: "` + inv + `", expectedVersion: 1, amount: ` + above + `}) { replayed } }`, "input.amount", nil},
		{"createFund", `mutation { createFund(input: {key: "huge-fund", nameKo: "큰", nameEn: "Huge", kind: VENTURE_FUND, size: ` + issue + `}) { replayed } }`, "input.size", nil},
		{"updateFund", `mutation($f: ID!) { updateFund(input: {id: $f, expectedVersion: 1, size: ` + above + `}) { replayed } }`, "input.size", nil},
		{"recordOutcome", `mutation($t: ID!) { recordOutcome(input: {startupId: $t, kind: INVESTMENT_ATTRACTED, amount: ` + issue + `}) { replayed } }`, "input.amount", nil},
		{"filter minAmount", `{ investments(filter: {minAmount: ` + above + `}) { totalCount } }`, "filter.minAmount", nil},
	}
	before := count(t, c.DSN, "SELECT (SELECT count(*) FROM investments) || '/' || (SELECT sum(size_krw) FROM funds) || '/' || (SELECT count(*) FROM outcomes) || '/' || (SELECT count(*) FROM audit_log)")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vars := map[string]any{"t": team, "f": fund}
			for k, v := range tc.vars {
				vars[k] = v
			}
			if !strings.Contains(tc.query, "$t") {
				delete(vars, "t")
			}
			if !strings.Contains(tc.query, "$f") {
				delete(vars, "f")
			}
			wantBadInput(t, c.Do(t, tc.query, vars), tc.field)
		})
	}
	if after := count(t, c.DSN, "SELECT (SELECT count(*) FROM investments) || '/' || (SELECT sum(size_krw) FROM funds) || '/' || (SELECT count(*) FROM outcomes) || '/' || (SELECT count(*) FROM audit_log)"); after != before {
		t.Errorf("refused inputs wrote: %s -> %s", before, after)
	}
	var got struct {
		RecordInvestment struct{ Investment struct{ Amount json.Number } }
	}
	c.OK(t, `mutation($t: ID!, $f: ID!, $a: KRW!) { recordInvestment(input: {fundId: $f, startupId: $t, amount: $a, investedOn: "2017-01-01", round: SEED}) { investment { amount } } }`,
		map[string]any{"t": team, "f": fund, "a": json.Number(fmt.Sprint(int64(model.MaxKRW)))}, &got)
	if got.RecordInvestment.Investment.Amount.String() != fmt.Sprint(int64(model.MaxKRW)) {
		t.Errorf("the bound itself: %s", got.RecordInvestment.Investment.Amount)
	}
}

// TestHugeStoredAmounts: amounts stored past the API (before the bound
// existed, or by hand) make no figure of insights fail with an internal
// error: a total that fits is exact, one beyond 2^53-1 is null with
// VALUE_OUT_OF_RANGE on its own field, and the rest of the answer stands.
func TestHugeStoredAmounts(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	// As a database from before migration 00007 holds them.
	execPastAPI(t, c.DSN, `ALTER TABLE investments DROP CONSTRAINT investments_amount_krw_max;
ALTER TABLE outcomes DROP CONSTRAINT outcomes_amount_krw_max`)
	huge, fits := "smart-venture-campus-national-grant", "creative-growth-venture-fund"
	insert := `INSERT INTO investments (fund_id, startup_id, amount_krw, invested_on, round)
SELECT (SELECT id FROM funds WHERE key = $1), s.id, $2, $3, $4 FROM (SELECT id FROM startups ORDER BY id LIMIT 2) s`
	execPastAPI(t, c.DSN, insert, huge, int64(9_000_000_000_000_000_000), "2019-05-01", "BRIDGE")
	execPastAPI(t, c.DSN, insert, fits, int64(4_000_000_000_000_000), "2020-05-01", "LOAN")
	execPastAPI(t, c.DSN, `INSERT INTO outcomes (startup_id, kind, reported_on, amount_krw)
SELECT s.id, 'INVESTMENT_ATTRACTED', '2019-06-01', 9000000000000000000 FROM (SELECT id FROM startups ORDER BY id LIMIT 2) s`)
	// Before, the numeric sums did not scan into int64: INTERNAL_SERVER_ERROR, data null.
	r := c.Do(t, `{ insights { startups investedByFund { fund { key } invested investments }
		investedByRound { key amount } investedByYear { key amount } investedBySector { key amount }
		outcomes { investmentAttracted exportValue jobsCreated }
		timeSeries(metric: INVESTMENTS, interval: MONTH) { period amount } } }`, nil)
	var data struct {
		Insights struct {
			Startups       int
			InvestedByFund []struct {
				Fund        struct{ Key string }
				Invested    *json.Number
				Investments int
			}
			InvestedByRound []struct {
				Key    string
				Amount *json.Number
			}
			Outcomes struct {
				InvestmentAttracted *json.Number
				ExportValue         *json.Number
			}
		}
	}
	if err := json.Unmarshal(r.Data, &data); err != nil || data.Insights.Startups == 0 {
		t.Fatalf("no insights: %v %s %+v", err, r.Data, r.Errors)
	}
	outOfRange := map[string]bool{}
	for _, e := range r.Errors {
		if e.Extensions["code"] != "VALUE_OUT_OF_RANGE" {
			t.Errorf("error %+v, want only VALUE_OUT_OF_RANGE", e)
		}
		outOfRange[fmt.Sprint(e.Path...)] = true
	}
	for _, f := range data.Insights.InvestedByFund {
		want := count(t, c.DSN, "SELECT sum(amount_krw) FROM investments i JOIN funds f ON f.id = i.fund_id WHERE f.key = $1", f.Fund.Key)
		switch {
		case f.Fund.Key == huge:
			if f.Invested != nil {
				t.Errorf("%s: invested %s, want null (the total %s exceeds 2^53-1)", huge, *f.Invested, want)
			}
		case f.Invested == nil || f.Invested.String() != want:
			t.Errorf("%s: invested %v, want %s", f.Fund.Key, f.Invested, want)
		}
	}
	for _, g := range data.Insights.InvestedByRound {
		want := count(t, c.DSN, "SELECT sum(amount_krw) FROM investments WHERE round = $1", g.Key)
		if g.Key == "BRIDGE" && g.Amount != nil || g.Key != "BRIDGE" && (g.Amount == nil || g.Amount.String() != want) {
			t.Errorf("round %s: %v, want %s (null when beyond 2^53-1)", g.Key, g.Amount, want)
		}
	}
	if o := data.Insights.Outcomes; o.InvestmentAttracted != nil || o.ExportValue == nil {
		t.Errorf("outcomes: %s", r.Data)
	}
	for _, path := range []string{"insightsinvestedByFund", "insightsinvestedByRound", "insightsinvestedByYear", "insightsinvestedBySector", "insightsoutcomesinvestmentAttracted", "insightstimeSeries"} {
		found := false
		for p := range outOfRange {
			found = found || strings.HasPrefix(strings.ReplaceAll(p, " ", ""), path)
		}
		if !found {
			t.Errorf("no VALUE_OUT_OF_RANGE under %s: %v", path, outOfRange)
		}
	}
	// A university's key sees none of these teams' money: its totals are unaffected.
	uni := c.As(c.NewKey(t, "UNIVERSITY", "ghent-university"))
	ur := uni.Do(t, `{ insights { investedByFund { invested } outcomes { investmentAttracted } } }`, nil)
	if len(ur.Errors) > 0 && !strings.Contains(fmt.Sprint(ur.Errors), "VALUE_OUT_OF_RANGE") {
		t.Errorf("university: %+v", ur.Errors)
	}
}

// TestChangingARowWithAHugeStoredAmount: migration 00007's KRW bounds are
// NOT VALID, so a row stored above them stays, but every change to it is
// checked whole: correcting any other field of it failed with a
// check_violation, shown as INTERNAL_SERVER_ERROR. Now it is CONFLICT
// saying a stored value is out of range, without constraint names or SQL,
// and nothing is changed; correcting the amount in the same change works.
func TestChangingARowWithAHugeStoredAmount(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	const huge = int64(9_000_000_000_000_000_000)
	invID := atoi(count(t, c.DSN, "SELECT min(id) FROM investments"))
	fundKey := "smart-venture-campus-national-grant"
	// As a database from before migration 00007 holds them, with its bounds.
	execPastAPI(t, c.DSN, `ALTER TABLE investments DROP CONSTRAINT investments_amount_krw_max;
ALTER TABLE funds DROP CONSTRAINT funds_size_krw_max`)
	execPastAPI(t, c.DSN, `UPDATE investments SET amount_krw = $1 WHERE id = $2`, huge, invID)
	execPastAPI(t, c.DSN, `UPDATE funds SET size_krw = $1 WHERE key = $2`, huge, fundKey)
	execPastAPI(t, c.DSN, `ALTER TABLE investments ADD CONSTRAINT investments_amount_krw_max CHECK (amount_krw <= 1000000000000000) NOT VALID;
ALTER TABLE funds ADD CONSTRAINT funds_size_krw_max CHECK (size_krw <= 1000000000000000) NOT VALID`)
	inv := globalid.Encode(globalid.Investment, int64(invID))
	fund := gid(t, c.DSN, globalid.Fund, "funds", fundKey)
	fundVersion := atoi(count(t, c.DSN, "SELECT version FROM funds WHERE key = $1", fundKey))
	invVersion := atoi(count(t, c.DSN, "SELECT version FROM investments WHERE id = $1", invID))
	audits := count(t, c.DSN, "SELECT count(*) FROM audit_log")

	for _, tc := range []struct{ name, query string }{
		{"correctInvestment round", fmt.Sprintf(`mutation { correctInvestment(input: {id: %q, expectedVersion: %d, round: BRIDGE}) { replayed } }`, inv, invVersion)},
		{"updateFund nameEn", fmt.Sprintf(`mutation { updateFund(input: {id: %q, expectedVersion: %d, nameEn: "Renamed"}) { replayed } }`, fund, fundVersion)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Do(t, tc.query, nil)
			t.Logf("%d %s %+v", r.Status, r.Code(), r.Errors)
			if r.Code() != "CONFLICT" || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "outside its allowed range") {
				t.Fatalf("answered %s %+v; want one CONFLICT saying a stored value is out of range", r.Code(), r.Errors)
			}
			for _, leak := range []string{"krw_max", "constraint", "violates", "pq:", "UPDATE", "investments", "funds"} {
				if strings.Contains(strings.ToLower(r.Errors[0].Message), strings.ToLower(leak)) {
					t.Errorf("the message leaks %q: %s", leak, r.Errors[0].Message)
				}
			}
		})
	}
	if got := atoi(count(t, c.DSN, "SELECT version FROM funds WHERE key = $1", fundKey)); got != fundVersion {
		t.Errorf("fund version %d after the refused change, want %d", got, fundVersion)
	}
	if got := count(t, c.DSN, "SELECT count(*) FROM audit_log"); got != audits {
		t.Errorf("%s audit records after the refused changes, want %s", got, audits)
	}

	// Correcting the amount too, as the message says, is accepted.
	c.OK(t, fmt.Sprintf(`mutation { correctInvestment(input: {id: %q, expectedVersion: %d, round: BRIDGE, amount: 5000000}) { investment { amount } } }`, inv, invVersion), nil, nil)
	if got := count(t, c.DSN, "SELECT amount_krw || ' ' || round FROM investments WHERE id = $1", invID); got != "5000000 BRIDGE" {
		t.Errorf("after the correction: %s", got)
	}
}

// TestBadInputNeverReachesPostgreSQL: text PostgreSQL cannot store, an
// Int beyond 32 bits, a malformed DateTime, a non-canonical id and a
// doctored cursor are BAD_USER_INPUT naming the argument, not a driver
// error shown as INTERNAL_SERVER_ERROR.
func TestBadInputNeverReachesPostgreSQL(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	team := gid(t, c.DSN, globalid.Startup, "startups", "svc-v2x-link")
	rowID := count(t, c.DSN, "SELECT id FROM startups WHERE key = 'svc-v2x-link'")
	stray := base64.RawURLEncoding.EncodeToString([]byte("Startup:" + rowID)) // the canonical id, then one stray bit
	if stray != team {
		t.Fatalf("encoding: %s != %s", stray, team)
	}
	last := stray[len(stray)-1]
	alphabet := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	stray = stray[:len(stray)-1] + string(alphabet[strings.IndexByte(alphabet, last)+1])
	if raw, err := base64.RawURLEncoding.DecodeString(stray); err != nil || string(raw) != "Startup:"+rowID {
		t.Fatalf("%s does not decode to Startup:%s: %q %v", stray, rowID, raw, err)
	}
	var page struct {
		Startups struct{ PageInfo struct{ EndCursor string } }
	}
	c.OK(t, `{ startups(first: 2, orderBy: {field: NAME_EN}) { pageInfo { endCursor } } }`, nil, &page)
	raw, err := base64.RawURLEncoding.DecodeString(page.Startups.PageInfo.EndCursor)
	if err != nil {
		t.Fatal(err)
	}
	var parts []any
	if err := json.Unmarshal(raw, &parts); err != nil || len(parts) != 3 {
		t.Fatalf("cursor %s", raw)
	}
	parts[1] = "A\x00B"
	doctored, _ := json.Marshal(parts)
	cursor := base64.RawURLEncoding.EncodeToString(doctored)

	update := `mutation($t: ID!, $v: Int!, $n: String) { updateStartup(input: {id: $t, expectedVersion: $v, nameEn: $n}) { replayed } }`
	cases := []struct {
		name, query, field string
		vars               map[string]any
	}{
		{"NUL in a string variable", update, "input.nameEn", map[string]any{"t": team, "v": 1, "n": "Team\x00X"}},
		{"NUL in a string literal", `{ startups(filter: {search: "ab\u0000c"}) { totalCount } }`, "filter.search", nil},
		{"NUL in an input object variable", `mutation($in: CreateStartupInput!) { createStartup(input: $in) { replayed } }`, "input.descriptionEn",
			map[string]any{"in": map[string]any{"key": "nul-team", "nameKo": "팀", "nameEn": "Team", "descriptionEn": "a\x00b"}}},
		{"expectedVersion 2^31 literal", `mutation($t: ID!) { updateStartup(input: {id: $t, expectedVersion: 2147483648, nameEn: "X"}) { replayed } }`, "input.expectedVersion", map[string]any{"t": team}},
		{"expectedVersion 2^31 variable", update, "input.expectedVersion", map[string]any{"t": team, "v": json.Number("2147483648"), "n": "X"}},
		{"expectedVersion in an input variable", `mutation($in: ArchiveStartupInput!) { archiveStartup(input: $in) { replayed } }`, "input.expectedVersion",
			map[string]any{"in": map[string]any{"id": team, "expectedVersion": json.Number("2147483648")}}},
		{"DateTime nonsense", `{ auditLog(filter: {since: "yesterday"}) { totalCount } }`, "filter.since", nil},
		{"DateTime out of range", `query($s: DateTime) { auditLog(filter: {since: $s}) { totalCount } }`, "filter.since", map[string]any{"s": "2017-13-45T00:00:00Z"}},
		{"DateTime empty", `{ auditLog(filter: {since: ""}) { totalCount } }`, "filter.since", nil},
		{"non-canonical id (issue)", `{ node(id: "U3RhcnR1cDozNB") { id } }`, "id", nil},
		{"non-canonical id, stray bits", `query($t: ID!) { node(id: $t) { id } }`, "id", map[string]any{"t": stray}},
		{"non-canonical id in a mutation", update, "input.id", map[string]any{"t": stray, "v": 1, "n": "X"}},
		{"non-canonical id in a filter", `query($t: ID!) { mentors(filter: {startupIds: [$t]}) { totalCount } }`, "filter.startupIds[0]", map[string]any{"t": stray}},
		{"NUL in a cursor", `query($c: String) { startups(first: 2, after: $c, orderBy: {field: NAME_EN}) { totalCount } }`, "after", map[string]any{"c": cursor}},
	}
	before := count(t, c.DSN, "SELECT count(*) FROM audit_log")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantBadInput(t, c.Do(t, tc.query, tc.vars), tc.field) })
	}
	if after := count(t, c.DSN, "SELECT count(*) FROM audit_log"); after != before {
		t.Errorf("refused inputs wrote %s audit records", after)
	}
	c.OK(t, `query($t: ID!) { node(id: $t) { id } }`, map[string]any{"t": team}, nil)
	c.OK(t, `{ auditLog(filter: {since: "2017-03-02T09:00:00+09:00"}) { totalCount } }`, nil, nil)
}

// TestIntIs32Bit: an Int literal or variable beyond 32 bits is a coercion
// error naming the argument, before the cost check sees it as a page size.
func TestIntIs32Bit(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	cases := []struct {
		name, query, field string
		vars               map[string]any
	}{
		{"literal", `{ startups(first: 2147483648) { totalCount } }`, "first", nil},
		{"variable", `query($n: Int) { startups(first: $n) { totalCount } }`, "first", map[string]any{"n": json.Number("2147483648")}},
		{"a string is not an Int", `query($n: Int) { startups(first: $n) { totalCount } }`, "first", map[string]any{"n": "5"}},
		{"negative", `{ startups(last: -2147483649) { totalCount } }`, "last", nil},
		{"nested, in a fragment", `{ universities { ...U } } fragment U on University { startups(first: 4294967296) { totalCount } }`, "first", nil},
		{"graph limit", `query($u: ID!) { neighborhood(id: $u, limit: 2147483648) { truncated } }`, "limit", map[string]any{"u": globalid.Encode(globalid.University, 1)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Do(t, tc.query, tc.vars)
			wantBadInput(t, r, tc.field)
			if strings.Contains(fmt.Sprint(r.Errors), "QUERY_TOO_COMPLEX") {
				t.Errorf("reached the cost check: %+v", r.Errors)
			}
		})
	}
	// The largest Int is an Int: it passes coercion and the cost check
	// (which counts page sizes only up to a bound) and is refused by the
	// page size's own range.
	r := c.Do(t, `{ startups(first: 2147483647) { totalCount } }`, nil)
	wantBadInput(t, r, "first")
	if !strings.Contains(fmt.Sprint(r.Errors), "between 1 and 100") {
		t.Errorf("2^31-1: %+v", r.Errors)
	}
}
