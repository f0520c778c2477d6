package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"startupgraph/internal/apitest"
	"startupgraph/internal/config"
	"startupgraph/internal/server"
	"startupgraph/internal/telemetry"
	"startupgraph/internal/testdb"
)

// observed is the service over a test database with its operators' view
// switched on: metrics, a tracer recording into memory, and its logs in
// a buffer.
type observed struct {
	*apitest.Client
	metrics *telemetry.Metrics
	spans   *tracetest.InMemoryExporter
	logs    *lockedBuffer
}

func newObserved(t *testing.T, cfg config.Config) *observed {
	t.Helper()
	c := apitest.New(t, testdb.Demo)
	o := &observed{metrics: telemetry.NewMetrics(c.Store.PoolStats), spans: tracetest.NewInMemoryExporter(), logs: &lockedBuffer{}}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(o.spans))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 10 * time.Second
	}
	h := server.NewHandler(server.Deps{Config: cfg, Logger: slog.New(slog.NewJSONHandler(o.logs, nil)), Store: c.Store,
		Metrics: o.metrics, Tracer: tp})
	cp := *c
	cp.Handler = h
	o.Client = &cp
	return o
}

// scrape fetches /metrics over HTTP from the metrics listener, as
// Prometheus would, and parses the text format.
func (o *observed) scrape(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	addr, stop, err := server.ServeMetrics("127.0.0.1:0", o.metrics, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics is not Prometheus text: %v", err)
	}
	return families
}

// value is the value of the counter, gauge or histogram (its count) of
// family with exactly labels; found false when there is none.
func value(families map[string]*dto.MetricFamily, family string, labels map[string]string) (v float64, found bool) {
	f, ok := families[family]
	if !ok {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		for _, l := range m.GetLabel() {
			if labels[l.GetName()] != l.GetValue() {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// TestMetricsShowTheRequestJustMade: a scrape of /metrics finds the named
// query just answered under its operation name with code OK, its SQL
// statements counted, and an unnamed query that failed validation under
// "anonymous" with its error's code; the pool, Go and process collectors
// are there too.
func TestMetricsShowTheRequestJustMade(t *testing.T) {
	o := newObserved(t, config.Config{})
	o.OK(t, `query CampusUniversities { universities { nameEn startups(first: 3) { totalCount edges { node { nameEn } } } } }`, nil, nil)
	bad := o.Do(t, `{ universities { noSuchField } }`, nil)
	if bad.Code() == "" {
		t.Fatalf("the invalid query was answered without an error code: %+v", bad)
	}

	families := o.scrape(t)
	if n, _ := value(families, "startupgraph_graphql_requests_total", map[string]string{"operation": "CampusUniversities", "code": "OK"}); n != 1 {
		t.Errorf("requests_total{operation=CampusUniversities,code=OK} = %v, want 1", n)
	}
	if n, _ := value(families, "startupgraph_sql_statements_total", map[string]string{"operation": "CampusUniversities"}); n < 1 {
		t.Errorf("sql_statements_total{operation=CampusUniversities} = %v, want > 0", n)
	}
	if n, _ := value(families, "startupgraph_graphql_request_duration_seconds", map[string]string{"operation": "CampusUniversities"}); n != 1 {
		t.Errorf("the latency histogram of CampusUniversities counts %v requests, want 1", n)
	}
	if n, _ := value(families, "startupgraph_graphql_requests_total", map[string]string{"operation": "anonymous", "code": bad.Code()}); n != 1 {
		t.Errorf("requests_total{operation=anonymous,code=%s} = %v, want 1", bad.Code(), n)
	}
	if n, _ := value(families, "startupgraph_sql_statement_duration_seconds", map[string]string{}); n < 1 {
		t.Errorf("no SQL statement latency observed")
	}
	for _, name := range []string{"startupgraph_db_open_connections", "startupgraph_db_max_open_connections", "go_goroutines",
		"process_cpu_seconds_total", "startupgraph_graphql_requests_in_flight", "startupgraph_graphql_requests_queued"} {
		if _, ok := families[name]; !ok {
			t.Errorf("%s is not exported", name)
		}
	}
	if n, _ := value(families, "startupgraph_db_open_connections", map[string]string{}); n < 1 {
		t.Errorf("the pool reports %v open connections after two requests", n)
	}
}

// TestMetricsCountRateLimitRefusals: a key whose budget is spent is
// refused with RATE_LIMITED, and the refusal is counted under the key's
// caller label and the request under its code.
func TestMetricsCountRateLimitRefusals(t *testing.T) {
	o := newObserved(t, config.Config{RateLimitPoints: 1, RateLimitWindow: time.Hour})
	o.OK(t, `query First { sectors { nodes { key } } }`, nil, nil)
	if r := o.Do(t, `query Second { sectors { nodes { key } } }`, nil); r.Code() != "RATE_LIMITED" {
		t.Fatalf("second request: status %d, code %q; want RATE_LIMITED", r.Status, r.Code())
	}
	families := o.scrape(t)
	if n, _ := value(families, "startupgraph_rate_limit_refusals_total", map[string]string{"caller": "key"}); n != 1 {
		t.Errorf("rate_limit_refusals_total{caller=key} = %v, want 1", n)
	}
	if n, _ := value(families, "startupgraph_graphql_requests_total", map[string]string{"operation": "Second", "code": "RATE_LIMITED"}); n != 1 {
		t.Errorf("requests_total{operation=Second,code=RATE_LIMITED} = %v, want 1", n)
	}
}

// TestTraceparentIsFollowed: a request carrying a W3C traceparent is
// traced in that trace: the server span is the child of the client's
// span, the loaders' batches and the SQL statements have spans of their
// own in the same trace, and the answer's traceparent names the trace.
func TestTraceparentIsFollowed(t *testing.T) {
	o := newObserved(t, config.Config{})
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	r := o.Do(t, `query CampusUniversities { universities { nameEn startups(first: 3) { totalCount edges { node { nameEn } } } } }`, nil,
		"traceparent", "00-"+traceID+"-"+parentID+"-01")
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	if lines := o.logs.requests(t); len(lines) != 1 || lines[0]["trace_id"] != traceID {
		t.Errorf("the request's log line does not name its trace %s: %v", traceID, lines)
	}

	var server, sql, load int
	for _, s := range o.spans.GetSpans() {
		if got := s.SpanContext.TraceID().String(); got != traceID {
			t.Errorf("span %q is in trace %s, want %s", s.Name, got, traceID)
			continue
		}
		switch {
		case s.Name == "query CampusUniversities":
			server++
			if s.Parent.SpanID().String() != parentID || !s.Parent.IsRemote() {
				t.Errorf("the server span's parent is %s (remote %v), want the client's %s", s.Parent.SpanID(), s.Parent.IsRemote(), parentID)
			}
		case strings.HasPrefix(s.Name, "sql "):
			sql++
		case strings.HasPrefix(s.Name, "load "):
			load++
		}
	}
	if server != 1 || sql == 0 || load == 0 {
		var names []string
		for _, s := range o.spans.GetSpans() {
			names = append(names, s.Name)
		}
		t.Errorf("%d server, %d SQL and %d loader spans, want 1, >0 and >0; spans: %q", server, sql, load, names)
	}
}

// TestTraceparentIsAnswered: the response carries the traceparent of the
// request's span, in the client's trace.
func TestTraceparentIsAnswered(t *testing.T) {
	o := newObserved(t, config.Config{})
	const traceID = "0af7651916cd43dd8448eb211c80319c"
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ sectors { nodes { key } } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("traceparent", "00-"+traceID+"-b7ad6b7169203331-01")
	rec := o.Serve(req)
	got := rec.Header().Get("traceparent")
	if rec.Code != http.StatusOK || !strings.HasPrefix(got, "00-"+traceID+"-") || strings.Contains(got, "b7ad6b7169203331") {
		t.Errorf("status %d, traceparent %q: want the trace %s with the server span's id", rec.Code, got, traceID)
	}
}

// TestAccessLogLine: the one line logged per request names the
// operation, the key by id (never its secret), its role, the outcome
// code, the SQL statements it cost and its duration in milliseconds.
func TestAccessLogLine(t *testing.T) {
	o := newObserved(t, config.Config{})
	o.OK(t, `query CampusUniversities { universities { nameEn } }`, nil, nil)
	o.As("").Do(t, `query Hidden { startups { nodes { nameEn } } }`, nil)

	lines := o.logs.requests(t)
	if len(lines) != 2 {
		t.Fatalf("%d request lines, want 2:\n%s", len(lines), o.logs.String())
	}
	first, second := lines[0], lines[1]
	if first["operation"] != "CampusUniversities" || first["role"] != "ADMIN" || first["code"] != "OK" {
		t.Errorf("first line: %v", first)
	}
	if id, ok := first["key_id"].(float64); !ok || id <= 0 {
		t.Errorf("first line: key_id %v, want the key's id", first["key_id"])
	}
	if n, ok := first["sql_statements"].(float64); !ok || n < 1 {
		t.Errorf("first line: sql_statements %v, want > 0", first["sql_statements"])
	}
	for _, l := range lines {
		if _, ok := l["duration_ms"].(float64); !ok {
			t.Errorf("no duration_ms in %v", l)
		}
	}
	if second["operation"] != "Hidden" || second["role"] != "ANONYMOUS" || second["code"] == "OK" || second["code"] == nil {
		t.Errorf("anonymous line: %v", second)
	}
	if _, ok := second["key_id"]; ok {
		t.Errorf("anonymous line has a key_id: %v", second)
	}
	if strings.Contains(o.logs.String(), o.Key) {
		t.Errorf("the API key's secret is in the logs")
	}
}

// lockedBuffer collects log output written from the handler's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// requests are the access log's lines, decoded.
func (b *lockedBuffer) requests(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		if line["msg"] == "request" {
			out = append(out, line)
		}
	}
	return out
}
