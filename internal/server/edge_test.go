package server_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"startupgraph/internal/apitest"
	"startupgraph/internal/config"
	"startupgraph/internal/server"
	"startupgraph/internal/testdb"
)

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

// TestSlowBodyIsCutOff: a client that sends its headers and then dribbles
// its body, or stops sending it, gets 408 once the body read timeout has
// passed, and the connection is closed; a body that arrives in time is
// served.
func TestSlowBodyIsCutOff(t *testing.T) {
	keys := apitest.New(t, testdb.Demo)
	const bound = 300 * time.Millisecond
	cfg := config.Config{RequestTimeout: 10 * time.Second, ReadHeaderTimeout: time.Second, ReadBodyTimeout: bound}
	url := listen(t, keys.WithConfig(cfg), cfg)
	addr := strings.TrimPrefix(url, "http://")
	body := `{"query":"{ sectors { nodes { key } } }"}`

	cases := []struct {
		name string
		// every is how often one more byte of the body is sent; 0: the
		// body stops after its first byte; -1: the rest follows at once,
		// in one write.
		every  time.Duration
		status int
	}{
		{"dribbled body", 50 * time.Millisecond, http.StatusRequestTimeout},
		{"stalled body", 0, http.StatusRequestTimeout},
		{"body in time", -1, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			start := time.Now()
			head := "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
				"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
			if _, err := io.WriteString(conn, head+body[:1]); err != nil {
				t.Fatal(err)
			}
			stop := make(chan struct{})
			defer close(stop)
			if tc.every < 0 {
				if _, err := io.WriteString(conn, body[1:]); err != nil {
					t.Fatal(err)
				}
			}
			if tc.every > 0 {
				go func() {
					for i := 1; i < len(body); i++ {
						select {
						case <-stop:
							return
						case <-time.After(tc.every):
						}
						if _, err := conn.Write([]byte{body[i]}); err != nil {
							return
						}
					}
				}()
			}
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer after %s: %v", time.Since(start).Round(time.Millisecond), err)
			}
			resp.Body.Close()
			took := time.Since(start)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d after %s, want %d", resp.StatusCode, took.Round(time.Millisecond), tc.status)
			}
			if tc.status == http.StatusRequestTimeout {
				if took < bound || took > bound+time.Second {
					t.Errorf("cut off after %s, want just after %s", took.Round(time.Millisecond), bound)
				}
				if !resp.Close {
					t.Error("the connection is kept open")
				}
				// Saying so is not enough: the server must close it, even
				// while the client goes on dribbling or stalls.
				if err := closedWithin(conn, time.Second); err != nil {
					t.Error(err)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Errorf("Content-Type %q", ct)
				}
				t.Logf("cut off after %s", took.Round(time.Millisecond))
			}
		})
	}

	t.Run("shutdown is not held by a cut-off body", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		c := keys.WithConfig(cfg)
		srv := server.NewHTTPServer(cfg, c.Handler, slog.New(slog.NewTextHandler(io.Discard, nil)))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		served := make(chan error, 1)
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		go func() { served <- server.Serve(ctx, srv, ln, 20*time.Second, logger) }()
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		head := "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
			"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
		if _, err := io.WriteString(conn, head+body[:1]); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestTimeout {
			t.Fatalf("status %d, want 408", resp.StatusCode)
		}
		// The client stays connected and silent; shutdown has a 20 s grace
		// and must not need it.
		start := time.Now()
		cancel()
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("shutdown: %v", err)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("shutdown took %s", took.Round(time.Millisecond))
			}
		case <-time.After(5 * time.Second):
			_ = srv.Close()
			t.Fatal("shutdown waited more than 5 s on a connection whose body was cut off")
		}
	})

	t.Run("a request running past the bound is not cut", func(t *testing.T) {
		// The body is in at once; the query then waits on a lock until
		// well past the bound, and must still be waiting then (a read
		// deadline left on the connection would have ended the request,
		// and its statement). The deadline must not outlive the body.
		db := testdb.Observer(t, keys.DSN)
		unlock := testdb.LockTable(t, db, "sectors", "ACCESS EXCLUSIVE")
		start := time.Now()
		res := postInBackground("POST", url, "application/json", body, "Authorization", "Bearer "+keys.Key)
		waiting := func() bool { return testdb.WaitingOnLock(t, db) > 0 }
		testdb.Eventually(t, 5*time.Second, "the query to wait on the lock", waiting)
		testdb.Eventually(t, 5*time.Second, "three times the bound to pass with the query waiting", func() bool {
			if !waiting() {
				t.Fatalf("the query stopped waiting on the lock after %s", time.Since(start).Round(time.Millisecond))
			}
			return time.Since(start) > 3*bound
		})
		unlock()
		if r := <-res; r.err != nil || r.status != http.StatusOK || r.code != "" {
			t.Errorf("status %d code %q: %v", r.status, r.code, r.err)
		}
	})
}

// closedWithin reports an error unless the peer closes conn within d
// (whatever it sends before that is read and dropped).
func closedWithin(conn net.Conn, d time.Duration) error {
	_ = conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return fmt.Errorf("the server had not closed the connection %s after its answer", d)
	}
	return nil // EOF (io.Copy returns nil) or a reset: closed
}

// TestAnonymousRateLimit: requests without a key spend a budget per client
// address: over it they get 429 with Retry-After (a forged
// X-Forwarded-For does not help); keys from the same address and
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
