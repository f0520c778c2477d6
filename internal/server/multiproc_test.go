package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
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
	return &process{url: srv.URL, store: s, auth: authn, hub: hub}
}

// twoProcesses starts two servers on one fresh demo database; c makes
// keys in it.
func twoProcesses(t *testing.T, cfg config.Config) (c *apitest.Client, a, b *process) {
	t.Helper()
	c = apitest.New(t, testdb.Demo)
	return c, startProcess(t, c.DSN, cfg), startProcess(t, c.DSN, cfg)
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
