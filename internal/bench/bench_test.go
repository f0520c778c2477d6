package bench

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"startupgraph/examples"
)

// TestPipeline runs the whole benchmark end to end at a tiny size: build,
// seed, serve, fixtures, floors (which must answer exactly what the
// server answers), in-process benchmark, load and report. It takes about
// half a minute, so it runs only with STARTUPGRAPH_BENCH_TEST=1 and never
// under -short.
func TestPipeline(t *testing.T) {
	if testing.Short() {
		t.Skip("the benchmark pipeline is slow; skipped under -short")
	}
	if os.Getenv("STARTUPGRAPH_BENCH_TEST") != "1" {
		t.Skip("set STARTUPGRAPH_BENCH_TEST=1 to run the benchmark pipeline end to end (about 30 s)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out := t.TempDir()
	var stderr bytes.Buffer
	rep, path, err := run(ctx, Env{
		Args: []string{"-quick", "-sizes", "1000", "-duration", "300ms", "-warmup", "100ms", "-concurrency", "4", "-inproc", "50ms", "-out", out,
			"-question-requests", "3", "-aggregate-requests", "3"},
		Getenv: os.Getenv, Stdout: io.Discard, Stderr: &stderr,
	})
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	if want := filepath.Join(out, "results-"+rep.date.Format("2006-01-02")+".md"); path != want {
		t.Errorf("wrote %q, want %q", path, want)
	}
	if len(rep.sizes) != 1 {
		t.Fatalf("%d sizes measured, want 1", len(rep.sizes))
	}
	s := rep.sizes[0]
	wantRows := len(theMix) + 4 // the floors (nested and fan-out) and the mix
	if len(s.loads) != wantRows {
		t.Errorf("%d measurements, want %d", len(s.loads), wantRows)
	}
	for _, l := range s.loads {
		if l.sum.requests == 0 || l.sum.errors > 0 {
			t.Errorf("%s: %d requests, %d errors (%s)", l.name, l.sum.requests, l.sum.errors, l.sum.firstErr)
		}
	}
	for _, q := range theMix {
		ir, ok := s.inproc[q.name]
		if !ok || ir.stmtMin < 1 || ir.respBytes == 0 {
			t.Errorf("%s in process: %+v", q.name, ir)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if qs, _ := examples.Questions(); len(s.questions) != len(qs) || len(qs) == 0 {
		t.Errorf("%d questions measured, want %d", len(s.questions), len(qs))
	}
	for _, q := range s.questions {
		if q.requests == 0 || q.p50 <= 0 || q.bytesPerResp == 0 {
			t.Errorf("question %s: %+v", q.name, q)
		}
	}
	if len(s.aggregates) != len(aggregateQueries) {
		t.Errorf("%d of issue 18's totals measured, want %d", len(s.aggregates), len(aggregateQueries))
	}
	for i, a := range s.aggregates {
		if a.requests != 3 || a.p50 <= 0 || a.bytesPerResp == 0 || (aggregateQueries[i].floor != nil) != (a.floorRequests == 3) {
			t.Errorf("%s: %+v", a.name, a)
		}
	}
	if s.fanoutStartups < 100 {
		t.Errorf("the fan-out query holds %d startups", s.fanoutStartups)
	}
	if d := s.disconnect; d == nil || d.cancelled == 0 || d.inUse != 0 || !d.answers || d.base.requests == 0 || d.with.requests == 0 || d.with.errors > 0 {
		t.Errorf("the disconnect case: %+v", d)
	}
	for _, want := range []string{"## Targets", "## 1,000 startups", "| nested | 4 |", "| http-floor | 4 |", "| db-floor | 4 |", "| mix | 4 |", "| write |",
		"| fanout | 4 |", "| fanout-floor | 4 |", "### Against its floor (fan-out query", "### Clients disconnecting mid-request",
		"### Issue 17's questions", "| question-01-", "### Issue 18's totals", "| count-by-stage | 3 |", "| insights | 3 |"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

func TestParseOptions(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, o options)
		err   string
	}{
		{name: "defaults", check: func(t *testing.T, o options) {
			if len(o.sizes) != 2 || o.sizes[0] != 20000 || o.sizes[1] != 200000 || o.duration != 15*time.Second || o.out != "bench" {
				t.Errorf("defaults: %+v", o)
			}
		}},
		{name: "quick", args: []string{"-quick"}, check: func(t *testing.T, o options) {
			if len(o.sizes) != 1 || o.sizes[0] != 2000 || o.duration != 3*time.Second || o.out != "" {
				t.Errorf("quick: %+v", o)
			}
		}},
		{name: "explicit flags win over quick", args: []string{"-quick", "-sizes", "500", "-duration", "1s", "-out", "x"}, check: func(t *testing.T, o options) {
			if o.sizes[0] != 500 || o.duration != time.Second || o.out != "x" {
				t.Errorf("quick with flags: %+v", o)
			}
		}},
		{name: "the rate limit is off unless given", args: []string{"-server-env", "STARTUPGRAPH_DB_MAX_OPEN_CONNS=40"}, check: func(t *testing.T, o options) {
			if strings.Join(o.serverEnv, " ") != "STARTUPGRAPH_DB_MAX_OPEN_CONNS=40 STARTUPGRAPH_RATE_LIMIT_POINTS=0" {
				t.Errorf("server settings: %q", o.serverEnv)
			}
			o2, _ := parseOptions([]string{"-server-env", "STARTUPGRAPH_RATE_LIMIT_POINTS=9"}, io.Discard)
			if strings.Join(o2.serverEnv, " ") != "STARTUPGRAPH_RATE_LIMIT_POINTS=9" {
				t.Errorf("an explicit rate limit was overridden: %q", o2.serverEnv)
			}
		}},
		{name: "every problem at once", args: []string{"-sizes", "ten", "-concurrency", "0", "-queries", "nope", "-server-env", "X=1"},
			err: "-sizes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseOptions(tt.args, io.Discard)
			if tt.err != "" {
				if err == nil {
					t.Fatal("no error")
				}
				for _, want := range []string{"-sizes", "-concurrency", "-queries", "-server-env"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not name %s", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, o)
		})
	}
}

func TestPercentile(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	tests := []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {95, 95 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0.1, time.Millisecond}}
	for _, tt := range tests {
		if got := percentile(lat, tt.p); got != tt.want {
			t.Errorf("p%v = %v, want %v", tt.p, got, tt.want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("p50 of nothing = %v", got)
	}
}

func TestDriveIsBounded(t *testing.T) {
	var calls atomic.Int64
	slow := func(ctx context.Context, _, _ int) (int, error) {
		calls.Add(1)
		time.Sleep(time.Millisecond) // a request that takes a while
		return 10, nil
	}
	r := drive(context.Background(), 4, time.Minute, 50, slow)
	if r.requests != 50 || calls.Load() != 50 {
		t.Errorf("max requests 50: %d recorded, %d made", r.requests, calls.Load())
	}
	start := time.Now()
	r = drive(context.Background(), 4, 100*time.Millisecond, 1<<30, slow)
	if el := time.Since(start); el > 2*time.Second || r.requests == 0 {
		t.Errorf("100ms run took %v with %d requests", el, r.requests)
	}
	failing := func(ctx context.Context, _, _ int) (int, error) { return 0, errors.New("boom") }
	r = drive(context.Background(), 2, time.Minute, 10, failing)
	if r.errors != 10 || r.firstErr != "boom" || len(r.latencies) != 0 {
		t.Errorf("errors: %+v", r)
	}
}

func TestLoopbackOnly(t *testing.T) {
	c := newClient(1)
	if _, err := postOp(c, "http://10.0.0.1:8080/graphql", "", [][]byte{{}}); !errors.Is(err, errNotLoopback) {
		t.Errorf("postOp to 10.0.0.1: %v", err)
	}
	if _, err := c.Get("http://localhost.invalid:1/"); !errors.Is(err, errNotLoopback) {
		t.Errorf("client dialled a non-loopback host: %v", err)
	}
}

func TestPostOpChecksResponses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer k" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		b, _ := io.ReadAll(r.Body)
		if string(b) == "bad" {
			_, _ = w.Write([]byte(`{"data":null,"errors":[{"message":"x"}]}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":{"ok":true}}`))
	}))
	defer srv.Close()
	o, err := postOp(newClient(1), srv.URL, "k", [][]byte{[]byte("good"), []byte("bad")})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := o(context.Background(), 0, 0); err != nil || n != len(`{"data":{"ok":true}}`) {
		t.Errorf("good: %d, %v", n, err)
	}
	if _, err := o(context.Background(), 0, 1); err == nil {
		t.Error("a response with errors passed")
	}
}

func TestParseCounts(t *testing.T) {
	out := "demo data loaded\nsynthetic data loaded in 513ms (2000 startups, seed 1):\n  cohorts                 10\n  startups              2000\n"
	got := parseCounts(out)
	if len(got) != 2 || got[0] != (tableCount{"cohorts", 10}) || got[1] != (tableCount{"startups", 2000}) {
		t.Errorf("parseCounts = %+v", got)
	}
}

func TestCommas(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 200000: "200,000", -1234567: "-1,234,567"} {
		if got := commas(n); got != want {
			t.Errorf("commas(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestQuestionsOptions(t *testing.T) {
	o, err := parseOptions([]string{"-queries", "questions"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !wants(o, questionsName) || wants(o, "nested") || len(selected(o)) != 0 || o.questionRequests != 50 || o.questionTime != 10*time.Second {
		t.Errorf("-queries questions: %+v", o)
	}
	if o, _ := parseOptions(nil, io.Discard); !wants(o, questionsName) {
		t.Error("the questions are not measured by default")
	}
	if o, _ := parseOptions([]string{"-quick"}, io.Discard); o.questionRequests != 10 || o.questionTime != 2*time.Second {
		t.Errorf("-quick: %d requests, %s", o.questionRequests, o.questionTime)
	}
	if _, err := parseOptions([]string{"-question-requests", "0", "-question-time", "0s"}, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "-question-requests") || !strings.Contains(err.Error(), "-question-time") {
		t.Errorf("bad bounds: %v", err)
	}
}

// TestMeasureQuestions drives the questions against a stand-in server on
// 127.0.0.1: every question is asked, bounded by the request count, and a
// question whose answer has errors fails the run before it is timed.
func TestMeasureQuestions(t *testing.T) {
	qs, bodies, err := loadQuestions()
	if err != nil {
		t.Fatal(err)
	}
	failing := string(bodies[len(bodies)/2])
	var asked atomic.Int64
	var failOne atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		asked.Add(1)
		if failOne.Load() && string(b) == failing {
			_, _ = w.Write([]byte(`{"errors":[{"message":"Cannot query field"}],"data":null}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":{"startups":{"totalCount":1}}}`))
	}))
	defer srv.Close()
	o := options{questionRequests: 4, questionTime: time.Minute}
	ctx := context.Background()
	got, err := measureQuestions(ctx, o, newClient(1), srv.URL, "k", 100, func(string, ...any) {})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(qs) {
		t.Fatalf("%d questions measured, want %d", len(got), len(qs))
	}
	for i, r := range got {
		if r.name != qs[i].Name || r.requests != 4 || r.p50 <= 0 || r.max < r.p95 || r.p95 < r.p50 || r.bytesPerResp != float64(len(`{"data":{"startups":{"totalCount":1}}}`)) {
			t.Errorf("question %d: %+v", i, r)
		}
	}
	if want := int64(len(qs) * (1 + questionWarmup + 4)); asked.Load() != want {
		t.Errorf("%d requests, want %d (check, warm-up, measurement)", asked.Load(), want)
	}

	failOne.Store(true)
	asked.Store(0)
	got, err = measureQuestions(ctx, o, newClient(1), srv.URL, "k", 100, func(string, ...any) {})
	if err == nil || !strings.Contains(err.Error(), qs[len(qs)/2].Name) || !strings.Contains(err.Error(), "Cannot query field") {
		t.Fatalf("a question with errors: %v", err)
	}
	if len(got) != len(qs)/2 {
		t.Errorf("%d questions timed before the failing one, want %d", len(got), len(qs)/2)
	}
	if want := int64(len(qs)/2*(1+questionWarmup+4) + 1); asked.Load() != want {
		t.Errorf("%d requests, want %d: the failing question was timed", asked.Load(), want)
	}
}

func TestQuestionsReport(t *testing.T) {
	lat := func(ms ...int) loadResult {
		var r loadResult
		for _, m := range ms {
			r.latencies = append(r.latencies, time.Duration(m)*time.Millisecond)
			r.bytes += 100
		}
		return r
	}
	fast := summarizeQuestion(examples.Example{Name: "question-01-fast", Title: "Fast."}, lat(30, 10, 20, 90))
	slow := summarizeQuestion(examples.Example{Name: "question-09-slow", Title: "Slow."}, lat(60, 50, 70))
	if fast.p50 != 20*time.Millisecond || fast.p95 != 90*time.Millisecond || fast.max != 90*time.Millisecond || !fast.met || fast.bytesPerResp != 100 {
		t.Errorf("fast: %+v", fast)
	}
	if slow.p50 != 60*time.Millisecond || slow.met {
		t.Errorf("slow: %+v", slow)
	}
	r := report{opts: options{concurrency: []int{1}, questionRequests: 50, questionTime: 10 * time.Second},
		sizes: []sizeResult{{ds: dataset{size: 200000}, questions: []questionResult{fast, slow}}}}
	md := r.markdown()
	for _, want := range []string{
		"| issue 17's questions, one client: median of each | < 50 ms | missed: 1 of 2 (q09 60.0 ms) |",
		"| question-01-fast | 4 | 20.0 | 90.0 | 90.0 | 100 | met |",
		"| question-09-slow | 3 | 60.0 | 70.0 | 70.0 | 100 | **missed** |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
	if v := questionsVerdict(sizeResult{questions: []questionResult{fast}}); v != "met: all 1" {
		t.Errorf("verdict %q", v)
	}
}

// TestMeasureAggregates drives issue 18's queries against stand-in
// servers on 127.0.0.1: each query and each floor is timed within the
// request bound, and a floor that answers other JSON than the server
// fails the run before it is timed.
func TestMeasureAggregates(t *testing.T) {
	const answer = `{"data":{"startups":{"groupBy":[{"stage":"IDEA","count":2}]}}}`
	var asked, floorAsked atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		asked.Add(1)
		_, _ = w.Write([]byte(answer))
	}))
	defer srv.Close()
	floorAnswer := answer
	floor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		floorAsked.Add(1)
		if r.URL.Path != "/with-floor" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(floorAnswer))
	}))
	defer floor.Close()
	noFloor := func(context.Context, *sql.DB) (any, error) { return nil, nil }
	qs := []aggregateQuery{
		{name: "with-floor", text: "{ a }", aim: groupingAim, floor: noFloor, warmup: 2},
		{name: "alone", text: "{ b }", aim: constAim(50 * time.Millisecond), warmup: 1},
	}
	o := options{aggregateRequests: 4, aggregateTime: time.Minute}
	ctx := context.Background()
	got, err := measureAggregates(ctx, o, newClient(1), srv.URL, "k", floor.URL, qs, 20000, func(string, ...any) {})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d measured, want 2", len(got))
	}
	if g := got[0]; g.name != "with-floor" || g.requests != 4 || g.floorRequests != 4 || g.p50 <= 0 || g.floorP50 <= 0 || g.aim != 5*time.Millisecond ||
		g.bytesPerResp != float64(len(answer)) {
		t.Errorf("with a floor: %+v", g)
	}
	if g := got[1]; g.name != "alone" || g.requests != 4 || g.floorRequests != 0 || g.aim != 50*time.Millisecond {
		t.Errorf("without a floor: %+v", g)
	}
	// check, warm-up and measurement of each; the floor's the same
	if want := int64(1 + 2 + 4 + 1 + 1 + 4); asked.Load() != want {
		t.Errorf("%d requests to the server, want %d", asked.Load(), want)
	}
	if want := int64(1 + 2 + 4); floorAsked.Load() != want {
		t.Errorf("%d requests to the floor, want %d", floorAsked.Load(), want)
	}

	floorAnswer = `{"data":{"startups":{"groupBy":[{"stage":"IDEA","count":3}]}}}`
	floorAsked.Store(0)
	_, err = measureAggregates(ctx, o, newClient(1), srv.URL, "k", floor.URL, qs, 20000, func(string, ...any) {})
	if err == nil || !strings.Contains(err.Error(), "the floor of with-floor does not return what the server returns") {
		t.Fatalf("a floor with other figures: %v", err)
	}
	if floorAsked.Load() != 1 {
		t.Errorf("%d requests to a wrong floor, want 1: it was timed", floorAsked.Load())
	}
}

func TestAggregatesReport(t *testing.T) {
	ms := func(n float64) time.Duration { return time.Duration(n * float64(time.Millisecond)) }
	near := aggregateResult{name: "count-by-stage", requests: 200, p50: ms(11), p95: ms(14), max: ms(20), bytesPerResp: 309, aim: ms(20),
		floorRequests: 200, floorP50: ms(10), floorP95: ms(12)}
	far := aggregateResult{name: "krw-by-fund", requests: 200, p50: ms(30), p95: ms(40), max: ms(50), bytesPerResp: 500, aim: ms(20),
		floorRequests: 200, floorP50: ms(10), floorP95: ms(12)}
	slow := aggregateResult{name: "insights", requests: 5, p50: ms(400), p95: ms(500), max: ms(500), bytesPerResp: 8000, aim: ms(300)}
	if !near.met() || far.met() || slow.met() {
		t.Errorf("met: %v %v %v", near.met(), far.met(), slow.met())
	}
	r := report{opts: options{concurrency: []int{1}, aggregateRequests: 200, aggregateTime: 10 * time.Second},
		sizes: []sizeResult{{ds: dataset{size: 200000}, aggregates: []aggregateResult{near, far, slow}}}}
	md := r.markdown()
	for _, want := range []string{
		"| issue 18: count-by-stage, one client | ≤ 1.2× floor's median; guide 5 ms at 20,000, 20 ms at 200,000 | 1.10× (11.0 / 10.0 ms): met; 11.0 ms: met |",
		"| issue 18: krw-by-fund, one client | ≤ 1.2× floor's median; guide 5 ms at 20,000, 20 ms at 200,000 | 3.00× (30.0 / 10.0 ms): missed; 30.0 ms: missed |",
		"| issue 18: insights, one client | median < 300 ms | 400 ms: missed |",
		"| issue 18: no-mentor-totals, one client | median < 50 ms | not measured |",
		"| count-by-stage | 200 | 11.0 | 14.0 | 20.0 | 309 | 200 | 10.0 | 12.0 | 1.10× | ≤ 1.2× floor; < 20.0 ms | met |",
		"| insights | 5 | 400 | 500 | 500 | 8,000 | — | — | — | — | < 300 ms | **missed** |",
		"SELECT stage, count(*) FROM startups GROUP BY stage;",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
}

func TestScaleOptions(t *testing.T) {
	o, err := parseOptions([]string{"-scale"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !o.scale || len(o.sizes) != 2 || o.sizes[0] != 20000 || o.sizes[1] != 1_000_000 || strings.Join(o.queries, ",") != "nested" {
		t.Errorf("-scale: sizes %v, queries %v", o.sizes, o.queries)
	}
	if o, _ := parseOptions([]string{"-scale", "-sizes", "2000,20000", "-queries", "nested,floors"}, io.Discard); o.sizes[1] != 20000 || len(o.queries) != 2 {
		t.Errorf("explicit flags lost under -scale: sizes %v, queries %v", o.sizes, o.queries)
	}
	if _, err := parseOptions([]string{"-scale", "-sizes", "20000"}, io.Discard); err == nil || !strings.Contains(err.Error(), "-scale") {
		t.Errorf("-scale with one size: %v", err)
	}
	if _, err := parseOptions([]string{"-disconnect-share", "0"}, io.Discard); err == nil || !strings.Contains(err.Error(), "-disconnect-share") {
		t.Errorf("-disconnect-share 0: %v", err)
	}
	if o, _ := parseOptions(nil, io.Discard); o.disconnectShare != 20 || !wants(o, disconnectName) {
		t.Errorf("the disconnect case is not measured by default at 20%%: %d", o.disconnectShare)
	}
	for clients, want := range map[int]int{32: 6, 16: 3, 4: 1, 2: 1} {
		if got := disconnectClients(clients, 20); got != want {
			t.Errorf("disconnectClients(%d, 20) = %d, want %d", clients, got, want)
		}
	}
}

// TestCancellingOp cancels requests to a slow stand-in server on
// 127.0.0.1 mid-flight: the server sees each request's context end, the
// op counts them as cancelled, not as errors, and the client then waits
// out the rest of the delay.
func TestCancellingOp(t *testing.T) {
	var started, gone atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		started.Add(1)
		select {
		case <-r.Context().Done():
			gone.Add(1)
		case <-time.After(5 * time.Second):
			_, _ = w.Write([]byte(`{"data":{}}`))
		}
	}))
	defer srv.Close()
	full, err := postOp(newClient(1), srv.URL, "", [][]byte{[]byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	var cancelled, finished int64
	o := cancellingOp(full, 40*time.Millisecond, &cancelled, &finished)
	start := time.Now()
	for seq := range 3 {
		if n, err := o(context.Background(), 0, seq); err != nil || n != 0 {
			t.Fatalf("request %d: %d, %v", seq, n, err)
		}
	}
	if el := time.Since(start); el < 120*time.Millisecond || el > 3*time.Second {
		t.Errorf("3 cycles of 40 ms took %v", el)
	}
	if cancelled != 3 || finished != 0 {
		t.Errorf("cancelled %d, finished %d; want 3, 0", cancelled, finished)
	}
	deadline := time.Now().Add(2 * time.Second)
	for gone.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if started.Load() != 3 || gone.Load() != 3 {
		t.Errorf("the server saw %d requests start and %d clients go", started.Load(), gone.Load())
	}
	// a request that fails otherwise is an error
	failing := cancellingOp(func(context.Context, int, int) (int, error) { return 0, errors.New("status 500") }, time.Millisecond, &cancelled, &finished)
	if _, err := failing(context.Background(), 0, 0); err == nil {
		t.Error("a failed request was not an error")
	}
}

func TestParsePoolMetrics(t *testing.T) {
	text := `# HELP startupgraph_db_in_use_connections Connections running a statement or holding a transaction.
# TYPE startupgraph_db_in_use_connections gauge
startupgraph_db_in_use_connections 2
startupgraph_db_open_connections 20
startupgraph_db_wait_duration_seconds_total 1.5e-05
startupgraph_graphql_requests_total{operation="query",code="OK"} 7
`
	got, err := parsePoolMetrics(bufio.NewScanner(strings.NewReader(text)))
	if err != nil {
		t.Fatal(err)
	}
	if got["in_use_connections"] != 2 || got["open_connections"] != 20 || len(got) != 3 {
		t.Errorf("parsed %v", got)
	}
	if _, err := parsePoolMetrics(bufio.NewScanner(strings.NewReader("go_goroutines 8\n"))); err == nil {
		t.Error("metrics without the pool's gauges passed")
	}
	if _, err := poolMetrics(context.Background(), "10.0.0.1:9464"); !errors.Is(err, errNotLoopback) {
		t.Errorf("scraped another host: %v", err)
	}
}

// TestMarshalExact: the floors write JSON as the server does, without
// HTML escaping.
func TestMarshalExact(t *testing.T) {
	b, err := marshalExact(fanoutSector{Key: "r&d", NameKo: "연구<개발>", NameEn: "R&D"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"key":"r&d","nameKo":"연구<개발>","nameEn":"R&D"}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

// TestIssue22Report checks the rows issue 22 asks the bench to print:
// the nested and fan-out ratios to their floors per concurrency with
// verdicts, allocations per request, the disconnect case and the scale
// point.
func TestIssue22Report(t *testing.T) {
	row := func(name string, clients int, rps float64, p99ms int) loadRow {
		return loadRow{name: name, clients: clients, rssKB: -1, sessions: -1,
			sum: summary{requests: 100, rps: rps, okRPS: rps, p99: time.Duration(p99ms) * time.Millisecond}}
	}
	small := sizeResult{ds: dataset{size: 20000, seedRSSKB: 40000, dbBytes: 250e6}, fanoutStartups: 943,
		inproc: map[string]inprocResult{"nested": {allocs: 2500}},
		loads: []loadRow{row("nested", 32, 900, 60), row(httpFloorName, 32, 1000, 55), row(dbFloorName, 32, 1200, 40),
			row("fanout", 32, 30, 900), row(fanoutFloorName, 32, 100, 300)},
		disconnect: &disconnectResult{clients: 32, cancelling: 6, cancelled: 500, inUse: 0, open: 20, busy: 0, answers: true,
			base: summary{requests: 1000, p99: 100 * time.Millisecond}, with: summary{requests: 1000, p99: 110 * time.Millisecond}}}
	// the server refused a fifth of the fan-out queries (the heavy lane's
	// 503s): the ratio counts its answers only
	small.loads[3].sum.errors, small.loads[3].sum.okRPS = 20, 24
	large := sizeResult{ds: dataset{size: 1_000_000, dbBytes: 3e9}, inproc: map[string]inprocResult{"nested": {allocs: 13685}},
		loads: []loadRow{row("nested", 32, 500, 120), row(httpFloorName, 32, 1000, 50)}}
	r := report{opts: options{concurrency: []int{32}, sizes: []int{20000, 1_000_000}}, sizes: []sizeResult{small, large}}
	md := r.markdown()
	for _, want := range []string{
		"| nested query throughput / HTTP floor's, 32 clients | ≥ 0.8× | 0.90×: met | 0.50×: missed |",
		"| nested query p99 / HTTP floor's, 32 clients | ≤ 1.2× | 1.09×: met | 2.40×: missed |",
		"| nested query allocations per request, in process | ≤ 3,000 | 2,500: met | 13,685: missed |",
		"| fan-out query throughput / its HTTP floor's, 32 clients | ≥ 0.5× | 0.24×: missed (943 startups; 20 of 100 requests refused or failed) | not measured |",
		"| p99 with clients disconnecting mid-request / without | ≤ 1.2×, no connection left in use | 1.10×: met (100 → 110 ms); 0 in use after: met | not measured |",
		"| p99 of the nested query, 20,000 → 1,000,000 startups, 32 clients (issue 22's scale point) | ≤ 1.5× | 2.00×: missed (60.0 → 120 ms) |",
		"| 32 | 900 | 1,000 | 0.90×: met | 1,200 | 0.75× | 60.0 | 55.0 | 1.09×: met | 40.0 | 1.50× |",
		"### Against its floor (fan-out query, 943 startups)",
		"| 32 | 24.0 | 20 | 100.0 | 0.24×: missed | 900 | 300 | 3.00× |",
		"| with 6 of 32 disconnecting | 26 |",
		"The seed process's peak RSS: 41 MB. Database size after it: 250 MB.",
		"Database size after it: 3.0 GB.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
	leak := *small.disconnect
	leak.inUse = 3
	if v := disconnectVerdict(sizeResult{disconnect: &leak}); !strings.HasSuffix(v, "3 in use after, answers after: true: missed") {
		t.Errorf("a leak's verdict: %q", v)
	}
}
