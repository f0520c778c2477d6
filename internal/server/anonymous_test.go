package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"startupgraph/internal/apitest"
	"startupgraph/internal/config"
	"startupgraph/internal/testdb"
)

// Anonymous traffic over real connections on 127.0.0.1: its own rate
// limit, and what it cannot take from keys (their persisted queries).

// anonymous clients elsewhere are unaffected.
func TestAnonymousRateLimit(t *testing.T) {
	keys := apitest.New(t, testdb.Demo)
	cfg := config.Config{RequestTimeout: 10 * time.Second, RateLimitPoints: 100, AnonymousPoints: 3, RateLimitWindow: time.Hour}
	c := keys.WithConfig(cfg)
	url := listen(t, c, cfg)
	const q = `{"query":"{ sectors { nodes { key } } }"}`
	for i := range 3 {
		if r := post(t, "POST", url, "application/json", q); r.status != http.StatusOK || r.code != "" {
			t.Fatalf("anonymous query %d: %d %q", i, r.status, r.code)
		}
	}
	for _, forged := range []string{"", "203.0.113.9"} {
		r := post(t, "POST", url, "application/json", q, "X-Forwarded-For", forged)
		if r.status != http.StatusTooManyRequests || r.code != "RATE_LIMITED" || r.header.Get("Retry-After") == "" {
			t.Errorf("over budget (X-Forwarded-For %q): %d %q Retry-After %q", forged, r.status, r.code, r.header.Get("Retry-After"))
		}
	}
	if r := post(t, "POST", url, "application/json", q, "Authorization", "Bearer "+keys.Key); r.status != http.StatusOK || r.code != "" {
		t.Errorf("a key from the same address: %d %q", r.status, r.code)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(q))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = "198.51.100.4:5000"
	if rec := c.As("").Serve(req); rec.Code != http.StatusOK {
		t.Errorf("an anonymous client at another address: %d %s", rec.Code, rec.Body.String())
	}

	t.Run("behind a trusted proxy", func(t *testing.T) {
		cfg := cfg
		cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		// A database of its own: 127.0.0.1 spent its budget above, and
		// budgets are shared by every server on a database.
		keys := apitest.New(t, testdb.Demo)
		url := listen(t, keys.WithConfig(cfg), cfg)
		for i := range 3 {
			if r := post(t, "POST", url, "application/json", q, "X-Forwarded-For", "203.0.113.9"); r.status != http.StatusOK {
				t.Fatalf("client 203.0.113.9, query %d: %d %q", i, r.status, r.code)
			}
		}
		if r := post(t, "POST", url, "application/json", q, "X-Forwarded-For", "203.0.113.9"); r.status != http.StatusTooManyRequests {
			t.Errorf("client 203.0.113.9 over budget: %d %q", r.status, r.code)
		}
		if r := post(t, "POST", url, "application/json", q, "X-Forwarded-For", "203.0.113.9, 203.0.113.10"); r.status != http.StatusOK {
			t.Errorf("client 203.0.113.10 behind the same proxy: %d %q", r.status, r.code)
		}
		// Entries that are not bare addresses: one with a port is that
		// address; one that is no address at all is a client of its own.
		// Neither spends the proxy's own budget.
		for _, client := range []string{"unknown", "203.0.113.11:5678", "[2001:db8::11]:443"} {
			for i := range 3 {
				if r := post(t, "POST", url, "application/json", q, "X-Forwarded-For", client); r.status != http.StatusOK {
					t.Fatalf("client %s, query %d: %d %q", client, i, r.status, r.code)
				}
			}
			if r := post(t, "POST", url, "application/json", q, "X-Forwarded-For", client); r.status != http.StatusTooManyRequests {
				t.Errorf("client %s over budget: %d %q", client, r.status, r.code)
			}
		}
		if r := post(t, "POST", url, "application/json", q, "X-Forwarded-For", "203.0.113.11"); r.status != http.StatusTooManyRequests {
			t.Errorf("client 203.0.113.11 without the port got another budget: %d %q", r.status, r.code)
		}
		if r := post(t, "POST", url, "application/json", q); r.status != http.StatusOK {
			t.Errorf("the proxy's own request: %d %q", r.status, r.code)
		}
	})
}

// TestPersistedQueriesOfKeysSurviveAnonymousTraffic: a query a key
// registered by hash still runs by hash after 1,100 anonymous
// registrations (more than the 1,000 kept); anonymous ones are evicted
// among themselves.
func TestPersistedQueriesOfKeysSurviveAnonymousTraffic(t *testing.T) {
	keys := apitest.New(t, testdb.Demo)
	cfg := config.Config{RequestTimeout: 10 * time.Second}
	url := listen(t, keys.WithConfig(cfg), cfg)
	persisted := func(query string, sendText bool, headers ...string) reply {
		t.Helper()
		sum := sha256.Sum256([]byte(query))
		body := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}}
		if sendText {
			body["query"] = query
		}
		b, _ := json.Marshal(body)
		return post(t, "POST", url, "application/json", string(b), headers...)
	}
	bearer := []string{"Authorization", "Bearer " + keys.Key}
	dashboard := `query Dashboard { sectors { nodes { key } } }`
	if r := persisted(dashboard, true, bearer...); r.status != http.StatusOK || r.code != "" {
		t.Fatalf("registering with a key: %d %q", r.status, r.code)
	}
	first := `query Anonymous0 { __typename }`
	for i := range 1100 {
		if r := persisted(fmt.Sprintf("query Anonymous%d { __typename }", i), true); r.status != http.StatusOK || r.code != "" {
			t.Fatalf("anonymous registration %d: %d %q", i, r.status, r.code)
		}
	}
	if r := persisted(dashboard, false, bearer...); r.status != http.StatusOK || r.code != "" {
		t.Errorf("the key's query by hash after the flood: %d %q", r.status, r.code)
	}
	if r := persisted(dashboard, false); r.status != http.StatusOK || r.code != "" {
		t.Errorf("the key's query by hash, anonymously: %d %q", r.status, r.code)
	}
	if r := persisted(first, false); r.code != "PERSISTED_QUERY_NOT_FOUND" {
		t.Errorf("the oldest anonymous registration: %d %q, want it evicted", r.status, r.code)
	}
}

// TestHandlersLeakNoGoroutines: a handler that is no longer used leaves
// nothing running (the expirable LRUs of the key caches and of the
// anonymous rate limit each ran a cleanup goroutine for ever, two or
// three per handler built).
