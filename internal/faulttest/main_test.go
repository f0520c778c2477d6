package faulttest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"startupgraph/internal/apitest"
	"startupgraph/internal/config"
	"startupgraph/internal/localpg"
	"startupgraph/internal/store"
)

var (
	// cluster is this package's own PostgreSQL, which tests may restart.
	cluster *localpg.Cluster
	// dsn is the URL of its migrated database with the demo data.
	dsn string
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "startupgraph-faultpg-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "faulttest:", err)
		return 1
	}
	cluster, err = localpg.Start(ctx, localpg.Options{Dir: dir, Ephemeral: true})
	if err != nil {
		_ = os.RemoveAll(dir)
		if os.Getenv("TEST_DATABASE_URL") != "" {
			// an environment with its own database server may lack the
			// server binaries; these tests need a server they can restart
			fmt.Println("faulttest: skipped, no local PostgreSQL to restart:", err)
			return 0
		}
		fmt.Fprintln(os.Stderr, "faulttest: start PostgreSQL:", err)
		return 1
	}
	defer func() { _ = cluster.Stop(context.Background()) }()
	if err := prepare(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "faulttest:", err)
		return 1
	}
	return m.Run()
}

// prepare creates the database with the migrations and the demo data.
func prepare(ctx context.Context) error {
	if err := store.EnsureDatabase(ctx, cluster.URL("postgres"), "faulttest"); err != nil {
		return err
	}
	dsn = cluster.URL("faulttest")
	s, err := store.Open(ctx, dsn, store.PoolConfig{MaxOpen: 2})
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		return err
	}
	return s.SeedDemo(ctx)
}

// service is the real HTTP service over a database, served on a loopback
// port, with an ADMIN key.
type service struct {
	url    string
	key    string
	client *http.Client
}

// newService serves the API over the database at url with the given
// request deadline until t ends.
func newService(t *testing.T, url string, deadline time.Duration) *service {
	t.Helper()
	c := apitest.OpenConfig(t, url, config.Config{RequestTimeout: deadline})
	key := c.NewKey(t, "ADMIN", "")
	srv := httptest.NewServer(c.Handler)
	t.Cleanup(srv.Close)
	client := srv.Client()
	client.Timeout = 2 * deadline // a hung request shows up as slow, not as a hung test
	return &service{url: srv.URL, key: key, client: client}
}

// reply is a GraphQL response over the network and how long it took.
type reply struct {
	apitest.Response
	Took time.Duration
}

// post sends a GraphQL request, with the ADMIN key unless anonymous.
func (s *service) post(query string, vars map[string]any, anonymous bool) (reply, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return reply{}, err
	}
	req, err := http.NewRequest(http.MethodPost, s.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if !anonymous {
		req.Header.Set("Authorization", "Bearer "+s.key)
	}
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		return reply{Took: time.Since(start)}, err
	}
	defer resp.Body.Close()
	var r reply
	err = json.NewDecoder(resp.Body).Decode(&r)
	r.Status, r.Took = resp.StatusCode, time.Since(start)
	if err != nil {
		return r, fmt.Errorf("response %d is not JSON: %w", resp.StatusCode, err)
	}
	return r, nil
}

// ready returns the status of /readyz and how long it took.
func (s *service) ready() (int, time.Duration, error) {
	start := time.Now()
	resp, err := s.client.Get(s.url + "/readyz")
	if err != nil {
		return 0, time.Since(start), err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, time.Since(start), nil
}
