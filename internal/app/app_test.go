package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"startupgraph/internal/app"
	"startupgraph/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// syncBuffer collects a command's output safely while it runs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// running is a server started through app.Run, as a user would start it.
type running struct {
	addr        string
	metricsAddr string
	stop        func() error
}

func start(t *testing.T, args []string, vars map[string]string) running {
	t.Helper()
	vars["STARTUPGRAPH_ADDR"] = "127.0.0.1:0"
	vars["STARTUPGRAPH_METRICS_ADDR"] = "127.0.0.1:0" // beside other tests' servers
	ctx, cancel := context.WithCancel(context.Background())
	addrc, metricsc, done := make(chan string, 1), make(chan string, 1), make(chan error, 1)
	logs := &syncBuffer{}
	go func() {
		done <- app.Run(ctx, app.Env{
			Args: args, Getenv: func(k string) string { return vars[k] },
			Stdout: io.Discard, Stderr: logs,
			Listening:        func(addr string) { addrc <- addr },
			MetricsListening: func(addr string) { metricsc <- addr },
		})
	}()
	select {
	case addr := <-addrc:
		var metricsAddr string
		select {
		case metricsAddr = <-metricsc: // metrics listen before the API does
		default:
		}
		return running{addr: addr, metricsAddr: metricsAddr, stop: func() error {
			cancel()
			select {
			case err := <-done:
				return err
			case <-time.After(90 * time.Second):
				return errors.New("server did not stop")
			}
		}}
	case err := <-done:
		cancel()
		t.Fatalf("%v exited before listening: %v\n%s", args, err, logs.String())
	case <-time.After(2 * time.Minute):
		cancel()
		t.Fatalf("%v did not start listening\n%s", args, logs.String())
	}
	return running{}
}

func universityNames(t *testing.T, addr string) []string {
	t.Helper()
	resp, err := http.Post("http://"+addr+"/graphql", "application/json", strings.NewReader(`{"query":"{ universities { nameEn } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct{ Universities []struct{ NameEn string } }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(out.Data.Universities))
	for i, u := range out.Data.Universities {
		names[i] = u.NameEn
	}
	return names
}

const wantUniversities = "George Mason University, Ghent University, SUNY Korea, University of Utah"

// TestDevRunsOnItsOwnDatabase is the README's run command: with no
// DATABASE_URL, dev starts a project-local PostgreSQL, migrates, seeds and
// serves; stopping it stops the database; starting again reuses the data.
func TestDevRunsOnItsOwnDatabase(t *testing.T) {
	dir, err := os.MkdirTemp("", "startupgraph-devtest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"STARTUPGRAPH_DATA_DIR": dir, "STARTUPGRAPH_LOG_FORMAT": "text"}

	for round := 1; round <= 2; round++ {
		srv := start(t, []string{"dev"}, vars)
		if got := strings.Join(universityNames(t, srv.addr), ", "); got != wantUniversities {
			t.Errorf("round %d: universities %q", round, got)
		}
		resp, err := http.Get("http://" + srv.addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("round %d: playground status %d", round, resp.StatusCode)
		}
		if round == 1 {
			checkMetricsApart(t, srv)
		}
		if err := srv.stop(); err != nil {
			t.Fatalf("round %d: stop: %v", round, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "postgres", "data", "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("round %d: PostgreSQL still running after the server stopped (%v)", round, err)
		}
	}
}

// checkMetricsApart: /metrics is served on the metrics address, where it
// counts the requests just made, and not on the API's.
func checkMetricsApart(t *testing.T, srv running) {
	t.Helper()
	if srv.metricsAddr == "" || srv.metricsAddr == srv.addr {
		t.Fatalf("metrics address %q (API %q)", srv.metricsAddr, srv.addr)
	}
	resp, err := http.Get("http://" + srv.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Errorf("the API's port serves /metrics")
	}
	resp, err = http.Get("http://" + srv.metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	want := `startupgraph_graphql_requests_total{code="OK",operation="anonymous"} 1`
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
		t.Errorf("/metrics on %s: status %d, no %s in:\n%.2000s", srv.metricsAddr, resp.StatusCode, want, body)
	}
	// The query, { universities { nameEn } }, is one the direct executor
	// answers (its count is the process's: other tests here count too).
	if !regexp.MustCompile(`(?m)^startupgraph_direct_queries_total\{outcome="answered"\} [1-9]`).Match(body) {
		t.Errorf("/metrics on %s: no direct query answered in:\n%.4000s", srv.metricsAddr, body)
	}
}

// TestCommandsOnDatabaseURL: migrate, seed and serve against DATABASE_URL.
func TestCommandsOnDatabaseURL(t *testing.T) {
	dsn := testdb.URL(t, testdb.Empty)
	vars := map[string]string{"DATABASE_URL": dsn, "STARTUPGRAPH_LOG_FORMAT": "text"}
	runCmd := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		err := app.Run(context.Background(), app.Env{Args: args, Getenv: func(k string) string { return vars[k] }, Stdout: &out, Stderr: io.Discard})
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out.String()
	}
	if out := runCmd("migrate", "status"); !strings.Contains(out, "00001  applied") {
		t.Errorf("migrate status: %q", out)
	}
	if out := runCmd("migrate"); !strings.Contains(out, "applied 0 migration(s)") {
		t.Errorf("migrate on a migrated database: %q", out)
	}
	srv := start(t, []string{"serve"}, vars)
	if got := universityNames(t, srv.addr); len(got) != 0 {
		t.Errorf("serve does not seed, yet found %v", got)
	}
	runCmd("seed")
	runCmd("seed")
	if got := strings.Join(universityNames(t, srv.addr), ", "); got != wantUniversities {
		t.Errorf("after seed twice: %q", got)
	}
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
}

func TestBadInvocations(t *testing.T) {
	cases := []struct {
		name string
		args []string
		vars map[string]string
		want string
	}{
		{"no command", nil, nil, "no command"},
		{"unknown command", []string{"launch"}, nil, "unknown command"},
		{"serve without database", []string{"serve"}, nil, "DATABASE_URL"},
		{"bad setting", []string{"dev"}, map[string]string{"STARTUPGRAPH_REQUEST_TIMEOUT": "-1s"}, "STARTUPGRAPH_REQUEST_TIMEOUT"},
		{"unreachable database", []string{"migrate"}, map[string]string{"DATABASE_URL": "postgres://x:y@127.0.0.1:1/none?connect_timeout=1"}, "unavailable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := app.Run(context.Background(), app.Env{Args: tc.args, Getenv: func(k string) string { return tc.vars[k] }, Stdout: io.Discard, Stderr: io.Discard})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to mention %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), ":y@") {
				t.Errorf("error leaks the password: %v", err)
			}
		})
	}
}

// TestAPIKeyCommands: create prints the key once, on stdout only; list
// shows no secret; revoke marks it.
func TestAPIKeyCommands(t *testing.T) {
	vars := map[string]string{"DATABASE_URL": testdb.URL(t, testdb.Demo), "STARTUPGRAPH_LOG_FORMAT": "text"}
	runCmd := func(args ...string) (string, string, error) {
		var out, errOut bytes.Buffer
		err := app.Run(context.Background(), app.Env{Args: args, Getenv: func(k string) string { return vars[k] }, Stdout: &out, Stderr: &errOut})
		return out.String(), errOut.String(), err
	}
	out, logs, err := runCmd("apikey", "create", "-name", "Ghent office", "-role", "university", "-university", "ghent-university")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	secret := lines[len(lines)-1]
	if !strings.HasPrefix(secret, "sg_") || strings.Count(out, secret) != 1 || strings.Contains(logs, secret) {
		t.Fatalf("create printed %q (logs %q)", out, logs)
	}
	out, logs, err = runCmd("apikey", "list")
	if err != nil || !strings.Contains(out, "Ghent office") || !strings.Contains(out, "UNIVERSITY") || strings.Contains(out+logs, secret) || !strings.Contains(out, secret[:9]) {
		t.Errorf("list: %v\n%s", err, out)
	}
	if out, _, err = runCmd("apikey", "revoke", "1"); err != nil || !strings.Contains(out, "revoked key 1") {
		t.Errorf("revoke: %v %s", err, out)
	}
	for _, bad := range [][]string{
		{"apikey", "create", "-name", "x", "-role", "OWNER"},
		{"apikey", "create", "-name", "x", "-role", "UNIVERSITY"},
		{"apikey", "create", "-name", "x", "-role", "ADMIN", "-university", "ghent-university"},
		{"apikey", "create", "-name", "x", "-role", "UNIVERSITY", "-university", "no-such-university"},
		{"apikey", "revoke", "abc"},
		{"apikey", "revoke", "999"},
		{"apikey", "rotate"},
	} {
		if _, _, err := runCmd(bad...); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}
}

// TestShutdownWaitsForRecordsOfKeyUse: serve records a key's use
// (last_used_at) off the request's path; at shutdown it waits for that
// record before it closes the database and returns, instead of leaving it
// running, or failing on a closed pool, behind it.
func TestShutdownWaitsForRecordsOfKeyUse(t *testing.T) {
	dsn := testdb.URL(t, testdb.Demo)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	dsn += sep + "lock_timeout=1s" // the record held up below gives up within a second
	vars := map[string]string{"DATABASE_URL": dsn, "STARTUPGRAPH_LOG_FORMAT": "text"}
	var out bytes.Buffer
	if err := app.Run(context.Background(), app.Env{Args: []string{"apikey", "create", "-name", "shutdown", "-role", "analyst"}, Getenv: func(k string) string { return vars[k] }, Stdout: &out, Stderr: io.Discard}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	secret := lines[len(lines)-1]
	srv := start(t, []string{"serve"}, vars)

	// Reads go on; the UPDATE of last_used_at waits for this lock.
	db := testdb.Observer(t, dsn)
	testdb.LockTable(t, db, "api_keys", "SHARE")
	req, _ := http.NewRequest(http.MethodPost, "http://"+srv.addr+"/graphql", strings.NewReader(`{"query":"{ viewer { role } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	waiting := func() bool { return testdb.WaitingOnLock(t, db) > 0 }
	testdb.Eventually(t, 5*time.Second, "the record of the key's use to wait on the lock", waiting)
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
	if waiting() {
		t.Error("serve returned while the record of a key's use was still running")
	}
}
