// Package testdb gives tests real PostgreSQL databases: each test gets a
// fresh database cloned from a template that was built once from the
// migrations (and, for Demo, the demo seed), and dropped when it ends.
//
// The server is $TEST_DATABASE_URL when set (a URL of a database on a
// server where the user may create databases); otherwise each test binary
// starts its own throwaway cluster in a temp dir and removes it afterwards.
package testdb

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"startupgraph/internal/localpg"
	"startupgraph/internal/requestid"
	"startupgraph/internal/store"
)

// Kind selects what a new test database contains.
type Kind int

const (
	// Empty is the migrated schema with no rows.
	Empty Kind = iota
	// Demo is the migrated schema with the demo seed loaded.
	Demo
)

var (
	adminURL  string
	templates = map[Kind]string{}
	cluster   *localpg.Cluster
)

// Main is the TestMain of a package whose tests use databases.
func Main(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testdb:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	adminURL = os.Getenv("TEST_DATABASE_URL")
	if adminURL == "" {
		dir, err := os.MkdirTemp("", "startupgraph-testpg-")
		if err != nil {
			return 1, err
		}
		cluster, err = localpg.Start(ctx, localpg.Options{Dir: dir, Ephemeral: true})
		if err != nil {
			_ = os.RemoveAll(dir)
			return 1, fmt.Errorf("start throwaway PostgreSQL: %w", err)
		}
		defer func() { _ = cluster.Stop(context.Background()) }()
		adminURL = cluster.URL("postgres")
		// Fuzzing runs the test binary again as worker processes: they
		// inherit the environment, so they use this cluster instead of
		// each starting its own.
		_ = os.Setenv("TEST_DATABASE_URL", adminURL)
	}
	fp := store.Fingerprint()[:12]
	for kind, name := range map[Kind]string{Empty: "tmpl_empty_" + fp, Demo: "tmpl_demo_" + fp} {
		if err := buildTemplate(ctx, name, kind == Demo); err != nil {
			return 1, err
		}
		templates[kind] = name
	}
	return m.Run(), nil
}

// buildTemplate builds template name once per server: under an advisory
// lock, in a scratch database renamed into place when complete, so a
// crashed build never leaves a half-built template behind.
func buildTemplate(ctx context.Context, name string, seed bool) error {
	return withAdvisoryLock(ctx, adminURL, 0x5747_7465_6d70, func() error {
		exists, err := store.DatabaseExists(ctx, adminURL, name)
		if err != nil || exists {
			return err
		}
		scratch := "build_" + requestid.New()[:16]
		if err := store.EnsureDatabase(ctx, adminURL, scratch); err != nil {
			return err
		}
		defer func() { _ = dropDatabase(context.Background(), adminURL, scratch) }()
		s, err := store.Open(ctx, withDatabase(adminURL, scratch), store.PoolConfig{MaxOpen: 2, MaxIdle: 0})
		if err != nil {
			return err
		}
		_, err = s.Migrate(ctx)
		if err == nil && seed {
			err = s.SeedDemo(ctx)
		}
		_ = s.Close()
		if err != nil {
			return fmt.Errorf("build template %s: %w", name, err)
		}
		return renameDatabase(ctx, adminURL, scratch, name)
	})
}

// URL creates a fresh database of the given kind for t and returns its URL.
// The database is dropped when t ends.
func URL(t testing.TB, kind Kind) string {
	t.Helper()
	if adminURL == "" {
		t.Fatal("testdb: call testdb.Main(m) from the package's TestMain")
	}
	ctx := context.Background()
	name := "t_" + strings.ToLower(requestid.New()[:20])
	if err := cloneDatabase(ctx, adminURL, name, templates[kind]); err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() {
		if err := dropDatabase(context.Background(), adminURL, name); err != nil {
			t.Errorf("testdb: drop %s: %v", name, err)
		}
	})
	return withDatabase(adminURL, name)
}

// Store opens a store on a fresh database of the given kind for t.
func Store(t testing.TB, kind Kind) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), URL(t, kind), store.PoolConfig{MaxOpen: 8, MaxIdle: 8})
	if err != nil {
		t.Fatalf("testdb: open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// AdminURL is the URL of the maintenance database of the test server.
func AdminURL() string { return adminURL }

func withDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(fmt.Sprintf("testdb: TEST_DATABASE_URL is not a URL: %v", err))
	}
	u.Path = "/" + name
	return u.String()
}
