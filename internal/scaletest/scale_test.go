//go:build scaletest

package scaletest

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"

	"startupgraph/internal/localpg"
	"startupgraph/internal/store"
)

// maxLag is the servers' STARTUPGRAPH_REPLICA_MAX_LAG.
const maxLag = time.Second

// TestScale runs every point in order on one set of clusters and servers;
// each prints PASS or FAIL, and the test fails if any does.
func TestScale(t *testing.T) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 170*time.Second)
	defer cancel()
	e := setUp(ctx, t)
	fmt.Printf("set up in %s: primary :%s, replica :%s, servers %s and %s\n",
		time.Since(start).Round(100*time.Millisecond), port(e.primaryURL), port(e.replicaURL), e.s[0].url, e.s[1].url)

	e.writeReadAcross(ctx)
	e.readsOnReplica(ctx)
	e.lag(ctx)
	e.replicaStopped(ctx)
	e.primaryKilled(ctx)

	fmt.Printf("\n%d passed, %d failed, in %s\n", e.passed, e.failed, time.Since(start).Round(100*time.Millisecond))
	if e.failed > 0 {
		for _, s := range e.s {
			fmt.Printf("\n--- last lines of %s's log:\n%s\n", s.name, tail(s.log, 3000))
		}
		t.Fail()
	}
}

// env is the clusters, the servers and the tally.
type env struct {
	t                        *testing.T
	bin, dir                 string
	primary, replica         *localpg.Cluster
	primaryURL, replicaURL   string
	key, spareKey            string
	s                        [2]*server
	passed, failed, sequence int
}

// check prints one point's outcome.
func (e *env) check(name string, ok bool, format string, args ...any) bool {
	verdict := "PASS"
	if ok {
		e.passed++
	} else {
		verdict = "FAIL"
		e.failed++
	}
	fmt.Printf("%s  %s: %s\n", verdict, name, fmt.Sprintf(format, args...))
	return ok
}

func setUp(ctx context.Context, t *testing.T) *env {
	e := &env{t: t, bin: os.Getenv("STARTUPGRAPH_BIN")}
	// not t.TempDir: when we are root the clusters run as postgres, which
	// must reach their folder
	var err error
	if e.dir, err = os.MkdirTemp("", "startupgraph-scale-"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(e.dir) })
	if err := os.Chmod(e.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if e.bin == "" {
		e.bin = filepath.Join(e.dir, "startupgraph")
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", e.bin, "startupgraph/cmd/startupgraph").CombinedOutput(); err != nil {
			t.Fatalf("build: %v\n%s", err, out)
		}
	}
	// fsync off for speed, but commits synchronous: a commit the server
	// acknowledged is in the WAL the OS holds, so an immediate stop
	// (a crash of PostgreSQL, not of the machine) keeps it.
	e.primary, err = localpg.Start(ctx, localpg.Options{Dir: filepath.Join(e.dir, "primary"), Ephemeral: true,
		Settings: []string{"synchronous_commit=on", "wal_level=replica"}})
	if err != nil {
		t.Fatalf("start primary: %v", err)
	}
	t.Cleanup(func() { _ = e.primary.Stop(context.Background()) })
	if err := store.EnsureDatabase(ctx, e.primary.URL("postgres"), "scale"); err != nil {
		t.Fatalf("create database: %v", err)
	}
	e.primaryURL = e.primary.URL("scale")
	if out, err := e.cli(ctx, "seed"); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	e.key = e.newKey(ctx, "scale-test")
	e.spareKey = e.newKey(ctx, "scale-test-spare") // first used with the primary down
	e.replica, err = e.primary.Replica(ctx, filepath.Join(e.dir, "replica"), localpg.Options{Ephemeral: true})
	if err != nil {
		t.Fatalf("start replica: %v", err)
	}
	t.Cleanup(func() { _ = e.replica.Stop(context.Background()) })
	e.replicaURL = e.replica.URL("scale")
	for i := range e.s {
		e.s[i] = e.serve(ctx, fmt.Sprintf("process %d", i+1))
	}
	return e
}

// port is the port of a database URL (the URL itself holds a password).
func port(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "?"
	}
	return u.Port()
}

// cli runs a startupgraph command against the primary.
func (e *env) cli(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+e.primaryURL, "STARTUPGRAPH_LOG_LEVEL=warn")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (e *env) newKey(ctx context.Context, name string) string {
	out, err := e.cli(ctx, "apikey", "create", "-name", name, "-role", "ADMIN")
	if err != nil {
		e.t.Fatalf("apikey create: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// server is one `startupgraph serve` process.
type server struct {
	name, url, metrics, log string
	cmd                     *exec.Cmd
	client                  *http.Client
}

func (e *env) serve(ctx context.Context, name string) *server {
	api, err1 := localpg.FreePort()
	met, err2 := localpg.FreePort()
	if err1 != nil || err2 != nil {
		e.t.Fatal(err1, err2)
	}
	s := &server{name: name, url: fmt.Sprintf("http://127.0.0.1:%d", api), metrics: fmt.Sprintf("http://127.0.0.1:%d/metrics", met),
		log: filepath.Join(e.dir, strings.ReplaceAll(name, " ", "")+".log"), client: &http.Client{Timeout: 20 * time.Second}}
	logFile, err := os.Create(s.log)
	if err != nil {
		e.t.Fatal(err)
	}
	s.cmd = exec.Command(e.bin, "serve")
	s.cmd.Env = append(os.Environ(),
		"DATABASE_URL="+e.primaryURL,
		"DATABASE_READ_URLS="+e.replicaURL,
		"STARTUPGRAPH_REPLICA_MAX_LAG="+maxLag.String(),
		"STARTUPGRAPH_ADDR="+strings.TrimPrefix(s.url, "http://"),
		"STARTUPGRAPH_METRICS_ADDR="+strings.TrimPrefix(strings.TrimSuffix(s.metrics, "/metrics"), "http://"),
		"STARTUPGRAPH_DB_CONNECT_TIMEOUT=1s",
		"STARTUPGRAPH_RATE_LIMIT_POINTS=0", "STARTUPGRAPH_ANONYMOUS_RATE_LIMIT_POINTS=0",
		"STARTUPGRAPH_LOG_FORMAT=text", "STARTUPGRAPH_LOG_LEVEL=info")
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
		}
		_ = logFile.Close()
	})
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := s.client.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			e.t.Fatalf("%s not ready: %v\n%s", name, err, tail(s.log, 2000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// reply is a GraphQL answer.
type reply struct {
	Status int
	Data   json.RawMessage
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
	Took time.Duration
	Err  error
}

// code is the first error's extensions.code, the transport's error, or "".
func (r reply) code() string {
	if r.Err != nil {
		return "transport: " + r.Err.Error()
	}
	if len(r.Errors) > 0 {
		c, _ := r.Errors[0].Extensions["code"].(string)
		return c
	}
	return ""
}

func (s *server) gql(key, query string, vars map[string]any) reply {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, s.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		return reply{Err: err, Took: time.Since(start)}
	}
	defer resp.Body.Close()
	var r reply
	err = json.NewDecoder(resp.Body).Decode(&r)
	r.Status, r.Took, r.Err = resp.StatusCode, time.Since(start), err
	return r
}

// reads is the server's startupgraph_db_reads_total by target.
func (s *server) reads() (primary, replica float64) {
	resp, err := s.client.Get(s.metrics)
	if err != nil {
		return -1, -1
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "startupgraph_db_reads_total{") {
			continue
		}
		f := strings.Fields(line)
		v, _ := strconv.ParseFloat(f[len(f)-1], 64)
		switch {
		case strings.Contains(line, `target="primary"`):
			primary = v
		case strings.Contains(line, `target="replica"`):
			replica = v
		}
	}
	return primary, replica
}

// counted runs fn and returns how many reads s sent to each target meanwhile.
func counted(s *server, fn func()) (primary, replica float64) {
	p0, r0 := s.reads()
	fn()
	p1, r1 := s.reads()
	return p1 - p0, r1 - r0
}

const createMarket = `mutation($key: String!, $code: String!, $en: String!, $ko: String!) {
  createMarket(input: {key: $key, nameKo: $ko, nameEn: $en, kind: REGION, code: $code}) { market { code } }
}`

const readMarket = `query($code: String!) { market(code: $code) { code nameEn } }`

// write creates a market of its own through s and returns its code.
func (e *env) write(s *server) (string, reply) {
	e.sequence++
	return e.writeN(s, e.sequence)
}

func (e *env) writeN(s *server, n int) (string, reply) {
	code := fmt.Sprintf("SC-%d", n)
	r := s.gql(e.key, createMarket, map[string]any{"key": fmt.Sprintf("sc-%d", n), "code": code,
		"en": fmt.Sprintf("Scale test %d", n), "ko": fmt.Sprintf("규모 시험 %d", n)})
	return code, r
}

// found reports whether s reads the market with code.
func (e *env) found(s *server, key, code string) (bool, reply) {
	r := s.gql(key, readMarket, map[string]any{"code": code})
	return r.code() == "" && strings.Contains(string(r.Data), `"`+code+`"`), r
}

func (e *env) sqlDB(dsn string) *sql.DB {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = db.Close() })
	return db
}

// 1. A write through process 1 is read at once through process 2, from the replica.
func (e *env) writeReadAcross(ctx context.Context) {
	const n = 20
	var bad []string
	var took []time.Duration
	p, r := counted(e.s[1], func() {
		for range n {
			code, w := e.write(e.s[0])
			if w.code() != "" {
				bad = append(bad, "write "+code+": "+w.code())
				continue
			}
			took = append(took, w.Took)
			if ok, rr := e.found(e.s[1], e.key, code); !ok {
				bad = append(bad, "read "+code+": "+rr.code()+" "+string(rr.Data))
			}
		}
	})
	e.check("write through process 1, read at once through process 2", len(bad) == 0 && r >= n && p == 0,
		"%d of %d read back; process 2's reads: %.0f replica, %.0f primary; write latency median %s %v",
		n-len(bad), n, r, p, median(took), bad)
}

// 2. Queries read from the replica, on both processes (counted).
func (e *env) readsOnReplica(ctx context.Context) {
	queries := []string{`{ startups(first: 5) { nodes { nameEn mentors(first: 2) { nodes { nameEn } } } } }`,
		`{ universities { nameEn startups(first: 3) { totalCount } } }`, `{ markets(first: 10) { nodes { code } } }`}
	for _, s := range e.s {
		var errs int
		p, r := counted(s, func() {
			for i := range 30 {
				if rr := s.gql(e.key, queries[i%len(queries)], nil); rr.code() != "" {
					errs++
				}
			}
		})
		e.check("queries read from the replica on "+s.name, errs == 0 && r >= 30 && p == 0,
			"30 queries, %d failed; reads: %.0f replica, %.0f primary (startupgraph_db_reads_total)", errs, r, p)
	}
}

// 3. A lagging replica: reads go to the primary, and back when it
// catches up; a write the replica cannot replay in time is still read at
// once through the other process.
func (e *env) lag(ctx context.Context) {
	rep := e.sqlDB(e.replicaURL)
	prim := e.sqlDB(e.primaryURL)
	pause := func() bool {
		if _, err := rep.ExecContext(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
			return e.check("pause replay on the replica", false, "%v", err)
		}
		for {
			var state string
			if err := rep.QueryRowContext(ctx, `SELECT pg_get_wal_replay_pause_state()`).Scan(&state); err != nil || state == "paused" {
				return true
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	resume := func() bool {
		if _, err := rep.ExecContext(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
			return e.check("resume replay on the replica", false, "%v", err)
		}
		return true
	}
	defer rep.ExecContext(context.Background(), `SELECT pg_wal_replay_resume()`)

	// The lag rule alone: WAL written behind the servers' backs, which
	// the paused replica does not replay.
	if !pause() {
		return
	}
	if _, err := prim.ExecContext(ctx, `SELECT pg_logical_emit_message(false, 'scale-test', 'lag')`); err != nil {
		e.check("write WAL on the primary", false, "%v", err)
		return
	}
	time.Sleep(maxLag + 500*time.Millisecond)
	var errs int
	p, r := counted(e.s[1], func() {
		for range 10 {
			if ok, _ := e.found(e.s[1], e.key, "SC-1"); !ok {
				errs++
			}
		}
	})
	e.check("replica lagging past the bound (replay paused): reads go to the primary", errs == 0 && p >= 10 && r == 0,
		"10 reads through process 2, %d failed; reads: %.0f primary, %.0f replica", errs, p, r)
	if !resume() {
		return
	}
	back2, took2 := e.backOnReplica(ctx, e.s[1], 10*time.Second)
	back1, took1 := e.backOnReplica(ctx, e.s[0], 10*time.Second)
	e.check("replica caught up: reads go back to it", back1 && back2,
		"process 2 read from the replica again %s after replay resumed, process 1 %s", took2, took1)

	// A write while the replica, still in use, stops replaying: process 1
	// waits for it up to the bound, then fences it off everywhere.
	if !pause() {
		return
	}
	code, w := e.write(e.s[0])
	var ok bool
	var rr reply
	p, r = counted(e.s[1], func() { ok, rr = e.found(e.s[1], e.key, code) })
	e.check("replica stops replaying: a write through process 1 is read at once through process 2", w.code() == "" && ok && r == 0,
		"write %s %s after %s (the wait for the replica, bounded by %s), read through process 2 %s: %v; reads: %.0f primary, %.0f replica",
		code, orOK(w.code()), w.Took.Round(time.Millisecond), maxLag, orOK(rr.code()), ok, p, r)
	if !resume() {
		return
	}
	back, took := e.backOnReplica(ctx, e.s[1], 10*time.Second)
	ok, _ = e.found(e.s[1], e.key, code)
	e.check("replica caught up again: reads go back to it, the write is there", back && ok,
		"process 2 read from the replica again %s after replay resumed; the write read from it: %v", took, ok)
}

// backOnReplica polls s with a query until its reads go to the replica.
func (e *env) backOnReplica(ctx context.Context, s *server, within time.Duration) (bool, time.Duration) {
	start := time.Now()
	for time.Since(start) < within && ctx.Err() == nil {
		_, r := counted(s, func() { s.gql(e.key, `{ markets(first: 1) { nodes { code } } }`, nil) })
		if r > 0 {
			return true, time.Since(start).Round(10 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false, time.Since(start).Round(10 * time.Millisecond)
}

// 4. A stopped replica: reads go to the primary, and back when it returns.
func (e *env) replicaStopped(ctx context.Context) {
	if err := e.replica.StopServer(ctx); err != nil {
		e.check("stop the replica", false, "%v", err)
		return
	}
	var errs []string
	p, r := counted(e.s[1], func() {
		for i := range 20 {
			if ok, rr := e.found(e.s[i%2], e.key, "SC-1"); !ok {
				errs = append(errs, rr.code())
			}
		}
	})
	e.check("replica stopped: reads go to the primary", len(errs) == 0 && p > 0 && r == 0,
		"20 reads from the moment it stopped, %d failed %v; process 2's reads: %.0f primary, %.0f replica", len(errs), errs, p, r)

	code, w := e.write(e.s[0])
	ok, rr := e.found(e.s[1], e.key, code)
	e.check("replica stopped: a write through process 1 is read through process 2", w.code() == "" && ok,
		"write %s: %s (took %s); read: %s", code, orOK(w.code()), w.Took.Round(time.Millisecond), orOK(rr.code()))

	if err := e.replica.StartServer(ctx); err != nil {
		e.check("start the replica again", false, "%v", err)
		return
	}
	back1, took1 := e.backOnReplica(ctx, e.s[0], 15*time.Second)
	back2, took2 := e.backOnReplica(ctx, e.s[1], 15*time.Second)
	ok, _ = e.found(e.s[1], e.key, code)
	e.check("replica restarted: reads go back to it", back1 && back2 && ok,
		"process 1 after %s, process 2 after %s; the write made while it was down is read: %v", took1, took2, ok)
}

// 5. The primary killed under write load: writes fail fast with
// SERVICE_UNAVAILABLE, reads go on from the replica, and no acknowledged
// write is lost.
func (e *env) primaryKilled(ctx context.Context) {
	type attempt struct {
		code       string
		start, end time.Time
		reply      reply
	}
	var (
		mu       sync.Mutex
		attempts []attempt
		wg       sync.WaitGroup
	)
	stop := make(chan struct{})
	base := e.sequence + 1000
	for w := range 2 {
		wg.Go(func() {
			for n := 0; n < 400; n++ {
				select {
				case <-stop:
					return
				default:
				}
				a := attempt{start: time.Now()}
				a.code, a.reply = e.writeN(e.s[w], base+w*1000+n)
				a.end = time.Now()
				mu.Lock()
				attempts = append(attempts, a)
				mu.Unlock()
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	time.Sleep(time.Second)
	killStart := time.Now()
	if err := e.primary.Kill(ctx); err != nil {
		close(stop)
		wg.Wait()
		e.check("kill the primary", false, "%v", err)
		return
	}
	killed := time.Now()
	time.Sleep(1500 * time.Millisecond)
	close(stop)
	wg.Wait()

	var acked []string
	var after, afterBad int
	var slowest time.Duration
	codes := map[string]int{}
	for _, a := range attempts {
		if a.reply.code() == "" && a.reply.Status == http.StatusOK {
			acked = append(acked, a.code)
			if a.start.After(killed) {
				afterBad++ // acknowledged with the primary down: impossible
			}
			continue
		}
		if a.start.After(killed) {
			after++
			codes[a.reply.code()]++
			slowest = max(slowest, a.end.Sub(a.start))
			if a.reply.code() != "SERVICE_UNAVAILABLE" {
				afterBad++
			}
		}
	}
	e.check("primary killed: writes fail fast with SERVICE_UNAVAILABLE", after > 0 && afterBad == 0 && slowest < 2*time.Second,
		"pg_ctl stop -m immediate took %s; %d writes sent after it, answered %v, the slowest in %s; %d acknowledged before",
		killed.Sub(killStart).Round(time.Millisecond), after, codes, slowest.Round(time.Millisecond), len(acked))

	var errs []string
	p, r := counted(e.s[0], func() {
		for i := range 10 {
			if ok, rr := e.found(e.s[i%2], e.key, "SC-1"); !ok {
				errs = append(errs, rr.code())
			}
		}
	})
	spareOK, sr := e.found(e.s[1], e.spareKey, "SC-1")
	e.check("primary killed: reads go on from the replica", len(errs) == 0 && r > 0 && p == 0 && spareOK,
		"10 reads, failed: %v; process 1's reads: %.0f replica, %.0f primary; a key first used now is verified (on the replica): %s",
		errs, r, p, orOK(sr.code()))

	missing := e.missing(e.s[1], acked)
	e.check("primary killed: every acknowledged write is on the replica", len(acked) > 0 && len(missing) == 0,
		"%d acknowledged, %d missing %v", len(acked), len(missing), missing)

	if err := e.primary.StartServer(ctx); err != nil {
		e.check("restart the primary", false, "%v", err)
		return
	}
	restarted := time.Now()
	var w reply
	for time.Since(restarted) < 20*time.Second {
		if _, w = e.write(e.s[0]); w.code() == "" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	var onPrimary int
	err := e.sqlDB(e.primaryURL).QueryRowContext(ctx, `SELECT count(*) FROM markets WHERE code = ANY($1)`, pq.Array(acked)).Scan(&onPrimary)
	e.check("primary restarted: writes work again and every acknowledged write is on it", w.code() == "" && err == nil && onPrimary == len(acked),
		"writes answered again %s after the start; %d of %d acknowledged writes on the primary %v",
		time.Since(restarted).Round(10*time.Millisecond), onPrimary, len(acked), err)
}

// missing returns the codes s does not read, 50 per request.
func (e *env) missing(s *server, codes []string) []string {
	var out []string
	for i := 0; i < len(codes); i += 50 {
		batch := codes[i:min(i+50, len(codes))]
		var q strings.Builder
		q.WriteString("{")
		for j, c := range batch {
			fmt.Fprintf(&q, ` m%d: market(code: %q) { code }`, j, c)
		}
		q.WriteString(" }")
		r := s.gql(e.key, q.String(), nil)
		for _, c := range batch {
			if !strings.Contains(string(r.Data), `"`+c+`"`) {
				out = append(out, c)
			}
		}
	}
	return out
}

func orOK(code string) string {
	if code == "" {
		return "OK"
	}
	return code
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s[len(s)/2].Round(100 * time.Microsecond)
}

func tail(path string, n int64) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if int64(len(b)) > n {
		b = b[int64(len(b))-n:]
	}
	return string(b)
}
