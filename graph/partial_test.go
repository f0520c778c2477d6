package graph_test

import (
	"encoding/json"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/testdb"
)

// TestPartialSuccessVisible (issue 19): each top-level mutation field is
// its own transaction; when one of several aliased mutations fails, its
// payload is null with its error and the others' results stay in data,
// so the client sees exactly what was saved.
func TestPartialSuccessVisible(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	team := gid(t, c.DSN, globalid.Startup, "startups", "svc-v2x-link")
	r := c.Do(t, `mutation($t: ID!) {
		a: createStartup(input: {key: "partial-a", nameKo: "부분 에이", nameEn: "Partial A"}) { startup { key } }
		b: createStartup(input: {key: "svc-v2x-link", nameKo: "부분 비", nameEn: "Partial B"}) { startup { key } }
		c: recordOutcome(input: {startupId: $t, kind: PATENT_DOMESTIC, quantity: 2, note: "partial-c"}) { startup { key } }
	}`, map[string]any{"t": team})
	var data map[string]json.RawMessage
	if err := json.Unmarshal(r.Data, &data); err != nil || data == nil {
		t.Fatalf("data is %s (%v); the saved results must stay visible: %+v", r.Data, err, r.Errors)
	}
	if !strings.Contains(string(data["a"]), `"key":"partial-a"`) || string(data["b"]) != "null" || !strings.Contains(string(data["c"]), `"key":"svc-v2x-link"`) {
		t.Errorf("data %s", r.Data)
	}
	if len(r.Errors) != 1 || r.Code() != "CONFLICT" || r.Field() != "input.key" || len(r.Errors[0].Path) != 1 || r.Errors[0].Path[0] != "b" {
		t.Errorf("errors %+v", r.Errors)
	}
	if n := count(t, c.DSN, `SELECT (SELECT count(*) FROM startups WHERE key = 'partial-a') || '/' || (SELECT count(*) FROM outcomes WHERE note = 'partial-c')`); n != "1/1" {
		t.Errorf("saved rows: %s, want 1/1 (what data shows)", n)
	}
}

// TestRecordOutcomesAtomic: recordOutcomes records all its inputs or,
// when one fails, none; the problem names the input; other roles are
// refused.
func TestRecordOutcomesAtomic(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	a := gid(t, c.DSN, globalid.Startup, "startups", "svc-v2x-link")
	b := gid(t, c.DSN, globalid.Startup, "startups", "svc-factorylens")
	missing := globalid.Encode(globalid.Market, 987654)
	batch := `mutation($in: [RecordOutcomeInput!]!) { recordOutcomes(inputs: $in) { startups { key jobs: outcomes(first: 100) { totalCount } } replayed } }`
	inputs := func(third map[string]any) []map[string]any {
		return []map[string]any{
			{"startupId": a, "kind": "JOBS_CREATED", "quantity": 4, "note": "batch"},
			{"startupId": b, "kind": "PATENT_FOREIGN", "quantity": 1, "note": "batch"},
			third,
		}
	}
	rows := func() string { return count(t, c.DSN, `SELECT count(*) FROM outcomes WHERE note = 'batch'`) }
	for _, role := range []struct{ name, key, code string }{
		{"analyst", c.NewKey(t, "ANALYST", ""), "FORBIDDEN"},
		{"university", c.NewKey(t, "UNIVERSITY", "ghent-university"), "FORBIDDEN"},
		{"anonymous", "", "UNAUTHENTICATED"},
	} {
		r := c.As(role.key).Do(t, batch, map[string]any{"in": inputs(map[string]any{"startupId": a, "kind": "JOBS_CREATED", "note": "batch"})})
		wantError(t, role.name, r, role.code, "")
	}
	jobs := count(t, c.DSN, `SELECT jobs_created FROM startups WHERE key = 'svc-v2x-link'`)
	r := c.Do(t, batch, map[string]any{"in": inputs(map[string]any{"startupId": a, "kind": "EXPORT_CONTRACT", "amount": 5, "marketId": missing, "note": "batch"})})
	wantError(t, "a market that does not exist", r, "BAD_USER_INPUT", "inputs[2].marketId")
	r = c.Do(t, batch, map[string]any{"in": inputs(map[string]any{"startupId": a, "kind": "EXPORT_CONTRACT", "note": "batch"})})
	wantError(t, "an export contract without a market", r, "BAD_USER_INPUT", "inputs[2].marketId")
	if got := rows(); got != "0" {
		t.Fatalf("a failed batch recorded %s outcomes", got)
	}
	if got := count(t, c.DSN, `SELECT jobs_created FROM startups WHERE key = 'svc-v2x-link'`); got != jobs {
		t.Errorf("a failed batch moved the jobs figure: %s, was %s", got, jobs)
	}
	r = c.Do(t, batch, map[string]any{"in": []map[string]any{
		{"startupId": a, "kind": "JOBS_CREATED", "quantity": 1, "note": "batch", "idempotencyKey": "batch-1"},
		{"startupId": a, "kind": "JOBS_CREATED", "quantity": 2, "note": "batch", "idempotencyKey": "batch-1"},
	}})
	wantError(t, "one idempotency key for two different inputs", r, "CONFLICT", "inputs[1].idempotencyKey")
	r = c.OK(t, batch, map[string]any{"in": inputs(map[string]any{"startupId": a, "kind": "JOBS_CREATED", "quantity": 6, "note": "batch"})}, nil)
	if got := rows(); got != "3" {
		t.Errorf("the batch recorded %s outcomes, want 3", got)
	}
	var out struct {
		RecordOutcomes struct {
			Startups []struct{ Key string }
			Replayed []bool
		}
	}
	if err := json.Unmarshal(r.Data, &out); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, s := range out.RecordOutcomes.Startups {
		keys = append(keys, s.Key)
	}
	if strings.Join(keys, ",") != "svc-v2x-link,svc-factorylens,svc-v2x-link" || len(out.RecordOutcomes.Replayed) != 3 {
		t.Errorf("startups in input order: %v, replayed %v", keys, out.RecordOutcomes.Replayed)
	}
	if got, want := count(t, c.DSN, `SELECT jobs_created FROM startups WHERE key = 'svc-v2x-link'`), atoi(jobs)+10; atoi(got) != want {
		t.Errorf("jobs figure %s, want %d", got, want)
	}
}
