package server_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"startupgraph/internal/apitest"
	"startupgraph/internal/config"
	"startupgraph/internal/server"
)

// The helpers of the hang-up tests (clientleave_test.go): a live service
// on 127.0.0.1, the JSON log it writes, bursts of requests and clients
// that leave.

// logLines collects the server's JSON log lines.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is everything logged so far.
func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// entries returns the lines logged so far whose msg is msg ("" for all).
func (l *logLines) entries(t testing.TB, msg string) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(l.buf.Bytes()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if msg == "" || e["msg"] == msg {
			out = append(out, e)
		}
	}
	return out
}

// expectNoFailures fails t for each logged failure (see failures).
func (l *logLines) expectNoFailures(t testing.TB) {
	t.Helper()
	for _, e := range l.failures(t) {
		t.Errorf("logged as a failure: %v", e)
	}
}

// isHangUp reports whether access log entry e is of a client that left.
func isHangUp(e map[string]any) bool {
	return e["status"] == float64(server.StatusClientClosed) && e["client_closed"] == true
}

// failures are the lines logged at WARN or above, and access-log lines
// with a 5xx status.
func (l *logLines) failures(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, e := range l.entries(t, "") {
		status, _ := e["status"].(float64)
		if e["level"] == "WARN" || e["level"] == "ERROR" || status >= 500 {
			out = append(out, e)
		}
	}
	return out
}

// liveService is the service over c's database on a real listener, with
// its log captured.
type liveService struct {
	url  string
	key  string
	logs *logLines
	c    *apitest.Client
}

func startLive(t *testing.T, c *apitest.Client, cfg config.Config) *liveService {
	t.Helper()
	logs := &logLines{}
	h := server.NewHandler(server.Deps{Config: cfg, Logger: slog.New(slog.NewJSONHandler(logs, nil)), Store: c.Store})
	srv := httptest.NewServer(h) // 127.0.0.1
	t.Cleanup(srv.Close)
	return &liveService{url: srv.URL + "/graphql", key: c.Key, logs: logs, c: c}
}

// post sends query under ctx and returns the status and decoded body;
// err is the client's (a cancelled ctx).
func (s *liveService) post(ctx context.Context, query string) (int, apitest.Response, error) {
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return 0, apitest.Response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, apitest.Response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, apitest.Response{}, err
	}
	var r apitest.Response
	if err := json.Unmarshal(b, &r); err != nil {
		return resp.StatusCode, r, err
	}
	r.Status = resp.StatusCode
	return resp.StatusCode, r, nil
}

// backends lists the PostgreSQL backends serving the service's pool.
func backends(t *testing.T, db *sql.DB) map[int]bool {
	t.Helper()
	rows, err := db.Query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name <> 'test_observer' AND backend_type = 'client backend'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	pids := map[int]bool{}
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			t.Fatal(err)
		}
		pids[pid] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return pids
}

// burst sends n copies of query at once and fails t unless every one is
// answered 200 without errors.
func (s *liveService) burst(t *testing.T, n int, query string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for range n {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			status, r, err := s.post(ctx, query)
			if err != nil || status != http.StatusOK || len(r.Errors) > 0 {
				errs <- http.StatusText(status) + " " + string(r.Data) + " " + errString(err, r)
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("burst request failed: %s", e)
	}
}

func errString(err error, r apitest.Response) string {
	if err != nil {
		return err.Error()
	}
	b, _ := json.Marshal(r.Errors)
	return string(b)
}

// abandon starts n requests for query and returns a function that hangs
// all of them up and waits until their clients have returned.
func (s *liveService) abandon(n int, query string) (hangUp func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { _, _, _ = s.post(ctx, query) })
	}
	return func() { cancel(); wg.Wait() }
}

// goroutinesIn counts the goroutines whose stack passes through fn.
func goroutinesIn(fn string) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, fn) {
			count++
		}
	}
	return count
}

// wideIntrospection is a document that is slow to answer without touching
// the database: 90 aliases of a deep introspection of the Query type
// (within the limits on aliases, fields, depth and introspection depth),
// 2.6 MB of answer.
func wideIntrospection() string {
	var b strings.Builder
	b.WriteString("{ s: __schema { types { ...T } }")
	for i := range 90 {
		fmt.Fprintf(&b, ` a%d: __type(name: "Query") { ...T }`, i)
	}
	b.WriteString(`} fragment T on __Type { name fields { name description args { name description type { name kind ofType { name kind ofType { name } } } } type { name kind ofType { name kind description fields { name description isDeprecated args { name description type { name kind ofType { name } } } type { name kind ofType { name kind ofType { name } } } } } } } }`)
	return b.String()
}

// TestLargeDocumentStops: a document whose answer takes long to build
// (gqlgen resolves and marshals every field, introspection's included,
// without looking at the context) stops at the request's deadline with
