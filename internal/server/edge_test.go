package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"startupgraph/internal/apitest"
	"startupgraph/internal/config"
	"startupgraph/internal/server"
	"startupgraph/internal/testdb"
)

// The HTTP edge over real connections on 127.0.0.1: refusals, CORS, and
// no goroutine left behind. The slow-body cut-off is in slowbody_test.go,
// anonymous traffic in anonymous_test.go.

// listen serves c's handler over real HTTP on 127.0.0.1, with the server
// timeouts of cfg, and returns its base URL.
func listen(t *testing.T, c *apitest.Client, cfg config.Config) string {
	t.Helper()
	ts := httptest.NewUnstartedServer(c.Handler)
	ts.Config = server.NewHTTPServer(cfg, c.Handler, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ts.Start()
	t.Cleanup(ts.Close)
	return ts.URL
}

// reply is one HTTP response as a client sees it.
type reply struct {
	status int
	header http.Header
	code   string
}

// post sends body to url+"/graphql" with the given headers (pairs).
func post(t *testing.T, method, url, contentType, body string, headers ...string) reply {
	t.Helper()
	r, err := tryPost(method, url, contentType, body, headers...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// postInBackground posts as post does, from another goroutine (where
// t.Fatal must not be called); the reply, or why there is none, comes on

// the channel.
func postInBackground(method, url, contentType, body string, headers ...string) <-chan postResult {
	c := make(chan postResult, 1)
	go func() {
		r, err := tryPost(method, url, contentType, body, headers...)
		c <- postResult{r, err}
	}()
	return c
}

type postResult struct {
	reply
	err error
}

func tryPost(method, url, contentType, body string, headers ...string) (reply, error) {
	req, err := http.NewRequest(method, url+"/graphql", strings.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			return reply{}, fmt.Errorf("%s: the body is not JSON: %.200s", resp.Status, raw)
		}
	}
	r := reply{status: resp.StatusCode, header: resp.Header}
	if len(out.Errors) > 0 {
		r.code, _ = out.Errors[0].Extensions["code"].(string)
	}
	return r, nil
}

// TestRefusalsSayUTF8: every early refusal (auth, the request guards,
// admission) is JSON that says it is UTF-8 and must not be cached, as the

// GraphQL responses are.
func TestRefusalsSayUTF8(t *testing.T) {
	keys := apitest.New(t, testdb.Demo)
	cfg := config.Config{RequestTimeout: 10 * time.Second, MaxInFlight: 1, QueueWait: 50 * time.Millisecond}
	c := keys.WithConfig(cfg)
	url := listen(t, c, cfg)
	const ok = `{"query":"{ sectors { nodes { key } } }"}`
	cases := []struct {
		name, method, contentType, body string
		headers                         []string
		status                          int
		code                            string
	}{
		{"bad key", "POST", "application/json", ok, []string{"Authorization", "Bearer sg_nope"}, 401, "UNAUTHENTICATED"},
		{"method", "PUT", "application/json", ok, nil, 405, "METHOD_NOT_ALLOWED"},
		{"too large", "POST", "application/json", `{"query":"` + strings.Repeat("x", 600<<10) + `"}`, nil, 413, "REQUEST_TOO_LARGE"},
		{"media type", "POST", "text/plain", ok, nil, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"batch", "POST", "application/json", `[` + ok + `]`, nil, 400, "BATCHING_NOT_SUPPORTED"},
		{"upgrade", "GET", "", "", []string{"Connection", "Upgrade", "Upgrade", "websocket"}, 400, "UNSUPPORTED_TRANSPORT"},
	}
	check := func(t *testing.T, r reply, status int, code string) {
		t.Helper()
		if r.status != status || r.code != code {
			t.Errorf("status %d code %q, want %d %s", r.status, r.code, status, code)
		}
		if got := r.header.Get("Content-Type"); got != "application/json; charset=utf-8" {
			t.Errorf("Content-Type %q", got)
		}
		if got := r.header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control %q", got)
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			check(t, post(t, tc.method, url, tc.contentType, tc.body, tc.headers...), tc.status, tc.code)
		})
	}

	t.Run("at capacity", func(t *testing.T) {
		// The one slot is held by a query blocked on a table lock.
		db := testdb.Observer(t, keys.DSN)
		unlock := testdb.LockTable(t, db, "sectors", "ACCESS EXCLUSIVE")
		first := postInBackground("POST", url, "application/json", ok)
		testdb.Eventually(t, 5*time.Second, "the first query to wait on the lock", func() bool { return testdb.WaitingOnLock(t, db) > 0 })
		check(t, post(t, "POST", url, "application/json", ok), 503, "SERVICE_UNAVAILABLE")
		unlock()
		if r := <-first; r.err != nil || r.status != http.StatusOK {
			t.Errorf("the query that held the slot: %d %q %v", r.status, r.code, r.err)
		}
	})
}

// TestCORSOverHTTP: without STARTUPGRAPH_CORS_ORIGINS no origin may call
// the API from a browser (rs/cors would read the empty list as "all");
// with it, the configured origin may and others may not.
func TestCORSOverHTTP(t *testing.T) {
	keys := apitest.New(t, testdb.Demo)
	const dashboard = "https://dashboard.incheon.example"
	allowed := func(t *testing.T, url, origin string) (preflight, simple string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodOptions, url+"/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		preflight = resp.Header.Get("Access-Control-Allow-Origin")
		req, _ = http.NewRequest(http.MethodGet, url+"/graphql?query=%7B__typename%7D", nil)
		req.Header.Set("Origin", origin)
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET with Origin %s: status %d", origin, resp.StatusCode)
		}
		return preflight, resp.Header.Get("Access-Control-Allow-Origin")
	}
	cases := []struct {
		name    string
		origins []string
		origin  string
		want    string
	}{
		{"unset: a dashboard", nil, dashboard, ""},
		{"unset: anyone", nil, "https://evil.example", ""},
		{"configured origin", []string{dashboard}, dashboard, dashboard},
		{"another origin", []string{dashboard}, "https://evil.example", ""},
		{"explicit star", []string{"*"}, "https://evil.example", "*"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Config{RequestTimeout: 10 * time.Second, CORSOrigins: tc.origins}
			url := listen(t, keys.WithConfig(cfg), cfg)
			preflight, simple := allowed(t, url, tc.origin)
			if preflight != tc.want || simple != tc.want {
				t.Errorf("Access-Control-Allow-Origin: preflight %q, request %q, want %q", preflight, simple, tc.want)
			}
		})
	}
}

func TestHandlersLeakNoGoroutines(t *testing.T) {
	keys := apitest.New(t, testdb.Demo)
	cfg := config.Config{RequestTimeout: 10 * time.Second, RateLimitPoints: 100, AnonymousPoints: 100, RateLimitWindow: time.Hour}
	serve := func(c *apitest.Client, key string) {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ sectors { nodes { key } } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = "198.51.100.4:5000"
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		if rec := c.Serve(req); rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	}
	serve(keys.WithConfig(cfg), keys.Key) // the pool's connection, the key's last_used_at
	before := runtime.NumGoroutine()
	for range 20 {
		c := keys.WithConfig(cfg)
		serve(c, "")
		serve(c, keys.Key)
	}
	testdb.Eventually(t, 5*time.Second, fmt.Sprintf("the goroutines to end (%d before)", before), func() bool {
		return runtime.NumGoroutine() <= before
	})
}
