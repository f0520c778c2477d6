package server_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"startupgraph/internal/apitest"
	"startupgraph/internal/auth"
	"startupgraph/internal/config"
	"startupgraph/internal/live"
	"startupgraph/internal/server"
	"startupgraph/internal/store"
	"startupgraph/internal/testdb"
)

// Several server processes on one database (issue 22): each test runs two
// servers in this test process, each with what a process of its own
// has (its pool, authenticator, hub and listener, rate limits, persisted
// queries), on one database, and asks the same of both.

// process is one server process's worth over the database at dsn.
type process struct {
	srv   *httptest.Server
	url   string
	store *store.Store
	auth  *auth.Authenticator
	hub   *live.Hub
}

func startProcess(t *testing.T, dsn string, cfg config.Config) *process {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := store.Open(ctx, dsn, store.PoolConfig{MaxOpen: 4, MaxIdle: 4})
	if err != nil {
		t.Fatal(err)
	}
	authn := auth.NewAuthenticator(s, logger)
	hub, err := live.New(ctx, dsn, s, logger, live.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 10 * time.Second
	}
	h := server.NewHandler(server.Deps{Config: cfg, Logger: logger, Store: s, Auth: authn, Live: hub})
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); _ = hub.Close(); authn.Close(); _ = s.Close() })
	return &process{srv: srv, url: srv.URL, store: s, auth: authn, hub: hub}
}

// twoProcesses starts two servers on one fresh demo database; c makes
// keys in it.
func twoProcesses(t *testing.T, cfg config.Config) (c *apitest.Client, a, b *process) {
	t.Helper()
	c = apitest.New(t, testdb.Demo)
	return c, startProcess(t, c.DSN, cfg), startProcess(t, c.DSN, cfg)
}

// answered is a GraphQL answer over HTTP.
type answered struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (a answered) code() string {
	if len(a.Errors) == 0 {
		return ""
	}
	c, _ := a.Errors[0].Extensions["code"].(string)
	return c
}

// answer posts body to p's /graphql with key ("" for none).
func answer(t *testing.T, p *process, body, key string) answered {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, p.url+"/graphql", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answered{Status: resp.StatusCode}
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("status %d: %v", resp.StatusCode, err)
	}
	return a
}

const sectorsQuery = `{"query":"{ sectors { nodes { key } } }"}`

// TestProcessesShareRateLimits: a key's budget spent through one server
// is spent for the other: what both admit is one budget, and the second
// refuses with RATE_LIMITED once the first spent it. The same for a
// client without a key, by its address.
func TestProcessesShareRateLimits(t *testing.T) {
	c, a, b := twoProcesses(t, config.Config{RateLimitPoints: 3, AnonymousPoints: 2, RateLimitWindow: time.Hour})
	key := c.NewKey(t, "ANALYST", "")
	for i, p := range []*process{a, b, a} {
		if r := post(t, "POST", p.url, "application/json", sectorsQuery, "Authorization", "Bearer "+key); r.status != http.StatusOK || r.code != "" {
			t.Fatalf("query %d of a budget of 3: %d %q", i+1, r.status, r.code)
		}
	}
	for _, p := range []*process{b, a} {
		r := post(t, "POST", p.url, "application/json", sectorsQuery, "Authorization", "Bearer "+key)
		if r.status != http.StatusTooManyRequests || r.code != "RATE_LIMITED" || r.header.Get("Retry-After") == "" {
			t.Errorf("4th query, budget spent across both servers: %d %q Retry-After %q", r.status, r.code, r.header.Get("Retry-After"))
		}
	}
	// Without a key: the budget of 127.0.0.1.
	for i, p := range []*process{a, b} {
		if r := post(t, "POST", p.url, "application/json", sectorsQuery); r.status != http.StatusOK || r.code != "" {
			t.Fatalf("anonymous query %d of a budget of 2: %d %q", i+1, r.status, r.code)
		}
	}
	for _, p := range []*process{a, b} {
		if r := post(t, "POST", p.url, "application/json", sectorsQuery); r.status != http.StatusTooManyRequests || r.code != "RATE_LIMITED" {
			t.Errorf("3rd anonymous query, budget spent across both servers: %d %q", r.status, r.code)
		}
	}
}

// refusedWithin polls p with key until it is refused as UNAUTHENTICATED,
// and fails the test if that takes longer than d.
func refusedWithin(t *testing.T, p *process, key string, d time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		r := post(t, "POST", p.url, "application/json", sectorsQuery, "Authorization", "Bearer "+key)
		if r.status == http.StatusUnauthorized && r.code == "UNAUTHENTICATED" {
			return time.Since(start)
		}
		if time.Since(start) > d {
			t.Fatalf("still %d %q %s after the change", r.status, r.code, time.Since(start))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cachedOn makes each of ps verify key and cache it.
func cachedOn(t *testing.T, key string, ps ...*process) {
	t.Helper()
	for _, p := range ps {
		if r := post(t, "POST", p.url, "application/json", sectorsQuery, "Authorization", "Bearer "+key); r.status != http.StatusOK || r.code != "" {
			t.Fatalf("the key before the change: %d %q", r.status, r.code)
		}
	}
}

// keyID is the id of the newest key.
func newestKeyID(t *testing.T, db *sql.DB) int64 {
	t.Helper()
	var id int64
	if err := db.QueryRow(`SELECT max(id) FROM api_keys`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestProcessesForgetChangedKeys: a key revoked, expired or given another
// role elsewhere (the apikey command's store, SQL by hand) is refused, or
// answered with its new role, by both servers within a second, although
// both had it cached for 30 s.
func TestProcessesForgetChangedKeys(t *testing.T) {
	c, a, b := twoProcesses(t, config.Config{})
	db, err := sql.Open("postgres", c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t.Run("revoked", func(t *testing.T) {
		key := c.NewKey(t, "ANALYST", "")
		id := newestKeyID(t, db)
		cachedOn(t, key, a, b)
		if _, err := c.Store.RevokeAPIKey(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		for _, p := range []*process{a, b} {
			t.Logf("refused after %s", refusedWithin(t, p, key, time.Second).Round(time.Millisecond))
		}
	})
	t.Run("expired", func(t *testing.T) {
		key := c.NewKey(t, "ANALYST", "")
		id := newestKeyID(t, db)
		cachedOn(t, key, a, b)
		if _, err := db.Exec(`UPDATE api_keys SET expires_at = now() WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		for _, p := range []*process{a, b} {
			refusedWithin(t, p, key, time.Second)
		}
	})
	t.Run("role changed", func(t *testing.T) {
		key := c.NewKey(t, "ADMIN", "")
		id := newestKeyID(t, db)
		role := func(p *process) string {
			t.Helper()
			var d struct{ Viewer struct{ Role string } }
			_ = json.Unmarshal(answer(t, p, `{"query":"{ viewer { role } }"}`, key).Data, &d)
			return d.Viewer.Role
		}
		for _, p := range []*process{a, b} {
			if got := role(p); got != "ADMIN" {
				t.Fatalf("role %q before the change", got)
			}
		}
		if _, err := db.Exec(`UPDATE api_keys SET role = 'ANALYST' WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		for _, p := range []*process{a, b} {
			testdb.Eventually(t, time.Second, "the new role to be seen", func() bool { return role(p) == "ANALYST" })
		}
	})
}

// TestLostKeyNewsHealedByReconnect: a change whose notification never
// arrives (here: the trigger off while the key is revoked) is healed when
// the listener reconnects: the caches are emptied then, so the key is
// looked up again.
func TestLostKeyNewsHealedByReconnect(t *testing.T) {
	c, a, _ := twoProcesses(t, config.Config{})
	db, err := sql.Open("postgres", c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	// No news of the key at all, so none arrives late and empties the
	// cache by chance.
	exec(`ALTER TABLE api_keys DISABLE TRIGGER api_keys_notify`)
	key := c.NewKey(t, "ANALYST", "")
	id := newestKeyID(t, db)
	cachedOn(t, key, a)
	exec(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, id)
	exec(`ALTER TABLE api_keys ENABLE TRIGGER api_keys_notify`)
	cachedOn(t, key, a) // no news: the cache still says yes (for up to 30 s)
	var killed int
	if err := db.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND datname = current_database()`).Scan(&killed); err != nil || killed != 2 {
		t.Fatalf("killed %d listeners (%v), want both servers'", killed, err)
	}
	t.Logf("refused after %s", refusedWithin(t, a, key, 5*time.Second).Round(time.Millisecond))
}

// TestProcessesEndSubscriptionsOfRevokedKeys: a subscription on one
// server whose key is revoked elsewhere ends with UNAUTHENTICATED within a
// second, not at its next periodic check (every 5 s); one whose key
// changed role ends too (what it may see was judged by the old role).
func TestProcessesEndSubscriptionsOfRevokedKeys(t *testing.T) {
	c, _, b := twoProcesses(t, config.Config{})
	db, err := sql.Open("postgres", c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, change := range []string{
		`UPDATE api_keys SET revoked_at = now() WHERE id = $1`,
		`UPDATE api_keys SET role = 'ADMIN' WHERE id = $1`,
	} {
		key := c.NewKey(t, "ANALYST", "")
		id := newestKeyID(t, db)
		conn := wsClient(t, b.srv, key)
		wsSubscribe(t, conn, "1", changesSub, fromNow(t, c))
		createFund(t, c, fmt.Sprintf("alive-%d", id))
		if m := wsNext(t, conn, 2*time.Second); m.Type != "next" {
			t.Fatalf("while the key grants access: %s %s", m.Type, m.Payload)
		}
		changed := time.Now()
		if _, err := db.Exec(change, id); err != nil {
			t.Fatal(err)
		}
		m := wsNext(t, conn, 3*time.Second)
		if m.Type != "error" || m.ID != "1" || !strings.Contains(string(m.Payload), "UNAUTHENTICATED") {
			t.Fatalf("%s: %s %s %s", change, m.Type, m.ID, m.Payload)
		}
		if late := time.Since(changed); late > time.Second {
			t.Errorf("%s: the subscription ended %s after", change, late)
		}
	}
}

// persistedBody is a request for query by its hash, with its text when
// withText.
func persistedBody(query string, withText bool) string {
	sum := sha256.Sum256([]byte(query))
	body := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}}
	if withText {
		body["query"] = query
	}
	b, _ := json.Marshal(body)
	return string(b)
}

// TestProcessesSharePersistedQueries: a query registered by hash through
// one server runs by its hash alone through the other, registered with a
// key or without; a hash whose query differs is refused as before.
func TestProcessesSharePersistedQueries(t *testing.T) {
	c, a, b := twoProcesses(t, config.Config{})
	for _, key := range []string{c.Key, ""} {
		q := fmt.Sprintf(`query Shared%d { sectors { nodes { key } } }`, len(key))
		if r := answer(t, b, persistedBody(q, false), key); r.code() != "PERSISTED_QUERY_NOT_FOUND" {
			t.Fatalf("before it is registered: %d %q", r.Status, r.code())
		}
		if r := answer(t, a, persistedBody(q, true), key); r.Status != http.StatusOK || r.code() != "" {
			t.Fatalf("registering through a: %d %q", r.Status, r.code())
		}
		if r := answer(t, b, persistedBody(q, false), key); r.Status != http.StatusOK || r.code() != "" || !strings.Contains(string(r.Data), "sectors") {
			t.Errorf("by hash through b (key %t): %d %q %s", key != "", r.Status, r.code(), r.Data)
		}
	}
	sum := sha256.Sum256([]byte(`{ __typename }`))
	forged := fmt.Sprintf(`{"query":"{ sectors { nodes { key } } }","extensions":{"persistedQuery":{"version":1,"sha256Hash":%q}}}`, hex.EncodeToString(sum[:]))
	if r := answer(t, a, forged, ""); len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "does not match") {
		t.Errorf("a query under another query's hash: %d %+v", r.Status, r.Errors)
	}
	if r := answer(t, b, persistedBody(`{ __typename }`, false), ""); r.code() != "PERSISTED_QUERY_NOT_FOUND" {
		t.Errorf("the forged registration was stored: %d %q", r.Status, r.code())
	}
}

// TestPersistedQueriesAnonymousBounded: anonymous registrations through
// two servers keep at most the bound of anonymous rows in the store, and
// evict only anonymous ones: a key's query stays.
func TestPersistedQueriesAnonymousBounded(t *testing.T) {
	c, a, b := twoProcesses(t, config.Config{})
	dashboard := `query Dashboard { sectors { nodes { key } } }`
	if r := answer(t, a, persistedBody(dashboard, true), c.Key); r.code() != "" {
		t.Fatalf("registering with a key: %q", r.code())
	}
	for i := range 1100 {
		p := []*process{a, b}[i%2]
		if r := answer(t, p, persistedBody(fmt.Sprintf("query Anonymous%d { __typename }", i), true), ""); r.code() != "" {
			t.Fatalf("anonymous registration %d: %q", i, r.code())
		}
	}
	db, err := sql.Open("postgres", c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var anonymous, keyed int
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE NOT keyed), count(*) FILTER (WHERE keyed) FROM persisted_queries`).Scan(&anonymous, &keyed); err != nil {
		t.Fatal(err)
	}
	if anonymous > 1000 || keyed != 1 {
		t.Errorf("%d anonymous rows (bound 1,000), %d keyed (want the one)", anonymous, keyed)
	}
	// A third server, its LRUs empty: the key's query comes from the store.
	third := startProcess(t, c.DSN, config.Config{})
	if r := answer(t, third, persistedBody(dashboard, false), ""); r.code() != "" {
		t.Errorf("the key's query after the flood, through a fresh server: %q", r.code())
	}
	if r := answer(t, third, persistedBody("query Anonymous0 { __typename }", false), ""); r.code() != "PERSISTED_QUERY_NOT_FOUND" {
		t.Errorf("the oldest anonymous registration: %q, want it evicted", r.code())
	}
}

// TestRateLimitWithoutTheDatabase: when the shared budgets cannot be
// reached (the database refuses connections, or answers nothing), a
// request that needs no data is still answered: the process's own bucket
// decides, and refuses past its own budget with RATE_LIMITED.
func TestRateLimitWithoutTheDatabase(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	for _, fault := range []string{"down", "blackhole"} {
		t.Run(fault, func(t *testing.T) {
			dsn, proxy := testdb.Proxied(t, c.DSN)
			p := startProcess(t, dsn, config.Config{AnonymousPoints: 3, RateLimitWindow: time.Hour, RequestTimeout: 5 * time.Second})
			typename := `{"query":"{ __typename }"}`
			if r := answer(t, p, typename, ""); r.Status != http.StatusOK {
				t.Fatalf("before the fault: %d %q", r.Status, r.code())
			}
			switch fault {
			case "down":
				proxy.SetDown(true)
			case "blackhole":
				proxy.SetBlackhole(true)
				t.Cleanup(func() { proxy.SetBlackhole(false) })
			}
			for i := range 2 { // the 2 points the local bucket has left
				start := time.Now()
				if r := answer(t, p, typename, ""); r.Status != http.StatusOK || r.code() != "" {
					t.Fatalf("query %d with the database %s: %d %q", i, fault, r.Status, r.code())
				}
				if d := time.Since(start); d > 2*time.Second {
					t.Errorf("query %d took %s", i, d)
				}
			}
			if r := answer(t, p, typename, ""); r.Status != http.StatusTooManyRequests || r.code() != "RATE_LIMITED" {
				t.Errorf("past the local budget: %d %q", r.Status, r.code())
			}
		})
	}
}
