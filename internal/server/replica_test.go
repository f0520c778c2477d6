package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/store"
	"startupgraph/internal/testdb"
)

// TestOperationsRoutedByType: with a read replica, query operations and
// export pages read from it and mutations (their payloads included) from
// the primary. A second database of the test cluster stands in for the
// replica, with a market renamed on the primary only, so an answer shows
// which database gave it (replication itself is make scale-test's).
func TestOperationsRoutedByType(t *testing.T) {
	primary, standIn := testdb.URL(t, testdb.Demo), testdb.URL(t, testdb.Demo)
	c := apitest.Open(t, primary)
	if err := c.Store.OpenReplicas(context.Background(), []string{standIn}, store.ReplicaOptions{}); err != nil {
		t.Fatal(err)
	}
	c = c.As(c.NewKey(t, "ADMIN", ""))
	if _, err := testdb.Observer(t, primary).Exec(`UPDATE markets SET code = 'ZZ' WHERE code = 'VN'`); err != nil {
		t.Fatal(err)
	}

	reads := func(fn func()) (primary, replica uint64) {
		p0, r0 := c.Store.ReadCounts()
		fn()
		p1, r1 := c.Store.ReadCounts()
		return p1 - p0, r1 - r0
	}
	for _, tc := range []struct {
		name, query string
		want        string // the code the answer carries, or the error's
		primary     bool   // the reads went to the primary (uncounted: not a query)
	}{
		{"query reads the replica", `{ market(code: "ZZ") { code } }`, "NOT_FOUND", false},
		{"query reads the replica's rows", `{ market(code: "VN") { code } }`, `"VN"`, false},
		{"mutation and its payload use the primary", `mutation { createMarket(input: {key: "zr", nameKo: "지알", nameEn: "ZR region", kind: REGION, code: "ZRX"}) { market { code } } }`, `"ZRX"`, true},
		{"the mutation's row is not on the stand-in", `{ market(code: "ZRX") { code } }`, "NOT_FOUND", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r apitest.Response
			p, rep := reads(func() { r = c.Do(t, tc.query, nil) })
			got := r.Code()
			if got == "" {
				got = string(r.Data)
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			if tc.primary && (p != 0 || rep != 0) || !tc.primary && (p != 0 || rep == 0) {
				t.Errorf("query reads counted: primary %d, replica %d", p, rep)
			}
		})
	}

	t.Run("export pages read the replica", func(t *testing.T) {
		var rec *httptest.ResponseRecorder
		_, rep := reads(func() {
			req := httptest.NewRequest(http.MethodGet, "/export?format=csv&query="+url.QueryEscape(`{ markets(first: 100) { nodes { code } } }`), nil)
			req.Header.Set("Authorization", "Bearer "+c.Key)
			rec = c.Serve(req)
		})
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "VN") || strings.Contains(rec.Body.String(), "ZZ") {
			t.Errorf("export %d: %s", rec.Code, rec.Body.String())
		}
		if rep == 0 {
			t.Error("the export's reads were not counted on the replica")
		}
	})
}

// TestPrimaryDownReadOnly: with the primary unreachable and a replica in
// use, /readyz stays ready (read-only), queries are answered from the
// replica, and mutations fail with SERVICE_UNAVAILABLE.
func TestPrimaryDownReadOnly(t *testing.T) {
	primary, proxy := testdb.Proxied(t, testdb.URL(t, testdb.Demo))
	c := apitest.Open(t, primary)
	if err := c.Store.OpenReplicas(context.Background(), []string{testdb.URL(t, testdb.Demo)}, store.ReplicaOptions{}); err != nil {
		t.Fatal(err)
	}
	c = c.As(c.NewKey(t, "ADMIN", ""))
	c.OK(t, `{ markets(first: 1) { nodes { code } } }`, nil, nil) // the key verified (and cached) while the primary answers
	proxy.SetDown(true)

	rec := c.Serve(httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "read-only") {
		t.Errorf("/readyz: %d %s", rec.Code, rec.Body.String())
	}
	if r := c.Do(t, `{ market(code: "VN") { code } }`, nil); r.Code() != "" || !strings.Contains(string(r.Data), "VN") {
		t.Errorf("query: %s %+v", r.Data, r.Errors)
	}
	r := c.Do(t, `mutation { createMarket(input: {key: "down", nameKo: "다운", nameEn: "Down", kind: REGION, code: "DWN"}) { market { code } } }`, nil)
	if r.Code() != "SERVICE_UNAVAILABLE" {
		t.Errorf("mutation: %s, want SERVICE_UNAVAILABLE", r.Code())
	}
}
