// Package telemetry holds what the service tells its operators beyond
// its logs: Prometheus metrics (Metrics, served on their own listen
// address) and OpenTelemetry tracing (Tracing, from the standard OTEL_*
// environment variables). The HTTP edge (internal/server) records into
// them; this package knows nothing of HTTP requests or GraphQL.
package telemetry

import (
	"database/sql"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every metric of the service.
const namespace = "startupgraph"

// MaxOperationNames bounds the distinct operation names the request
// metrics are labelled with. Operation names come from clients, so
// without a bound one client could create a series per request; past it,
// new names are counted as OtherOperation.
const MaxOperationNames = 200

// Operation labels that are not a client's operation name.
const (
	// AnonymousOperation: the operation has no name (and no persisted
	// query hash), or the request never got as far as naming one.
	AnonymousOperation = "anonymous"
	// OtherOperation: a name seen after MaxOperationNames others.
	OtherOperation = "other"
)

// Outcome codes that are not an error's extensions.code.
const (
	// CodeOK: the response has no errors.
	CodeOK = "OK"
)

// Metrics are the service's Prometheus metrics, on a registry of their
// own (no package-level state, so tests can build as many as they like).
// A nil *Metrics records nothing: every method may be called on it.
type Metrics struct {
	registry *prometheus.Registry

	requests        *prometheus.CounterVec
	duration        *prometheus.HistogramVec
	inFlight        prometheus.Gauge
	queued          prometheus.Gauge
	capacityRefused prometheus.Counter
	heavyWait       prometheus.Histogram
	heavyRefused    prometheus.Counter
	rateLimited     *prometheus.CounterVec
	statements      *prometheus.CounterVec
	perRequest      prometheus.Histogram
	sqlPerRequest   prometheus.Histogram
	statementTime   prometheus.Histogram
	subscriptions   prometheus.Gauge
	notifyLag       prometheus.Histogram

	mu    sync.Mutex
	names map[string]struct{}
}

// NewMetrics registers the service's metrics, Go's runtime and the
// process's collectors, and, when pool is not nil, the connection pool's
// statistics it reports (store.Store.PoolStats).
func NewMetrics(pool func() sql.DBStats) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{registry: reg, names: map[string]struct{}{}}
	f := factory{reg}
	m.requests = f.counterVec("graphql_requests_total",
		"GraphQL requests answered, by operation name (bounded; anonymous when unnamed) and outcome code (the first error's extensions.code, or OK).",
		"operation", "code")
	m.duration = f.histogramVec("graphql_request_duration_seconds",
		"Time from a GraphQL request's arrival to its answer, by operation name.",
		[]float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 15}, "operation")
	m.inFlight = f.gauge("graphql_requests_in_flight", "GraphQL requests holding an execution slot (at most STARTUPGRAPH_MAX_IN_FLIGHT).")
	m.queued = f.gauge("graphql_requests_queued", "GraphQL requests waiting for an execution slot (at most STARTUPGRAPH_QUEUE_WAIT).")
	m.capacityRefused = f.counter("graphql_capacity_refusals_total", "GraphQL requests refused with 503 because no execution slot freed up within the queue wait.")
	m.heavyWait = f.histogram("heavy_lane_wait_seconds",
		"Time costly queries waited for a slot of the heavy-query lane, refused ones included.",
		[]float64{.001, .005, .025, .1, .25, .5, 1, 2.5, 5, 10})
	m.heavyRefused = f.counter("heavy_lane_refusals_total", "Costly queries refused with 503 because no heavy-query slot freed up within the heavy queue wait.")
	m.rateLimited = f.counterVec("rate_limit_refusals_total",
		"Operations refused with 429 RATE_LIMITED, by caller: an API key's budget (key) or a client address's (anonymous).", "caller")
	m.statements = f.counterVec("sql_statements_total", "SQL statements sent to PostgreSQL for GraphQL requests, by operation name.", "operation")
	m.perRequest = f.histogram("graphql_request_sql_statements",
		"SQL statements per GraphQL request.", []float64{0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89})
	m.sqlPerRequest = f.histogram("graphql_request_sql_duration_seconds",
		"Time one GraphQL request's SQL statements took in all (sent until their rows were read).",
		[]float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10})
	m.statementTime = f.histogram("sql_statement_duration_seconds",
		"Time one SQL statement of a GraphQL request took, from being sent until its rows were read.",
		[]float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5})
	m.subscriptions = f.gauge("subscriptions_open", "Subscriptions open on this process (graphql-ws and graphql-sse).")
	m.notifyLag = f.histogram("notify_lag_seconds",
		"Time from an audit record's write until this process received its NOTIFY (includes the rest of the writing transaction).",
		[]float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5})
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if pool != nil {
		reg.MustRegister(newPoolCollector(pool))
	}
	return m
}

// Handler serves the metrics in Prometheus's text format (or
// OpenMetrics, when the scraper asks for it).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

// Registry is where the metrics are registered, for tests that gather
// them directly.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Request records one answered GraphQL request: its operation label (see
// OperationLabel), outcome code, duration, and its SQL statements' count
// and total time.
func (m *Metrics) Request(operation, code string, d time.Duration, statements int64, sql time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(operation, code).Inc()
	m.duration.WithLabelValues(operation).Observe(d.Seconds())
	m.statements.WithLabelValues(operation).Add(float64(statements))
	m.perRequest.Observe(float64(statements))
	m.sqlPerRequest.Observe(sql.Seconds())
}

// Subscriptions records subscriptions opened (delta 1) or ended (-1).
func (m *Metrics) Subscriptions(delta int) {
	if m == nil {
		return
	}
	m.subscriptions.Add(float64(delta))
}

// NotifyLag records how late a change's NOTIFY arrived.
func (m *Metrics) NotifyLag(d time.Duration) {
	if m == nil {
		return
	}
	m.notifyLag.Observe(d.Seconds())
}

// Statement records one SQL statement's duration.
func (m *Metrics) Statement(d time.Duration) {
	if m == nil {
		return
	}
	m.statementTime.Observe(d.Seconds())
}

// Queued and Unqueued count a request waiting for an execution slot.
func (m *Metrics) Queued() {
	if m != nil {
		m.queued.Inc()
	}
}

// Unqueued: the request got a slot, gave up, or was refused.
func (m *Metrics) Unqueued() {
	if m != nil {
		m.queued.Dec()
	}
}

// Admitted and Done count a request holding an execution slot.
func (m *Metrics) Admitted() {
	if m != nil {
		m.inFlight.Inc()
	}
}

// Done: the request gave its slot back.
func (m *Metrics) Done() {
	if m != nil {
		m.inFlight.Dec()
	}
}

// CapacityRefused counts a request refused for want of a slot.
func (m *Metrics) CapacityRefused() {
	if m != nil {
		m.capacityRefused.Inc()
	}
}

// HeavyWait records how long a costly query waited for the heavy-query
// lane, and whether it got a slot.
func (m *Metrics) HeavyWait(d time.Duration, admitted bool) {
	if m == nil {
		return
	}
	m.heavyWait.Observe(d.Seconds())
	if !admitted {
		m.heavyRefused.Inc()
	}
}

// RateLimited counts an operation refused for its rate limit; keyed
// tells an API key's budget from an address's.
func (m *Metrics) RateLimited(keyed bool) {
	if m == nil {
		return
	}
	caller := "anonymous"
	if keyed {
		caller = "key"
	}
	m.rateLimited.WithLabelValues(caller).Inc()
}

// OperationLabel is the label of an operation named name (a GraphQL name
// from a parsed document, or a persisted query's "persisted:" label):
// AnonymousOperation when empty, the name itself while fewer than
// MaxOperationNames distinct names have been seen (or it is one of them),
// OtherOperation after. On a nil *Metrics it is the name, so logs can use
// it either way.
func (m *Metrics) OperationLabel(name string) string {
	if name == "" {
		return AnonymousOperation
	}
	if m == nil {
		return name
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.names[name]; ok {
		return name
	}
	if len(m.names) >= MaxOperationNames {
		return OtherOperation
	}
	name = strings.Clone(name) // do not keep the request's document alive
	m.names[name] = struct{}{}
	return name
}

// factory registers metrics in the service's namespace.
type factory struct{ reg prometheus.Registerer }

func (f factory) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help})
	f.reg.MustRegister(c)
	return c
}

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, labels)
	f.reg.MustRegister(c)
	return c
}

func (f factory) gauge(name, help string) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help})
	f.reg.MustRegister(g)
	return g
}

func (f factory) histogram(name, help string, buckets []float64) prometheus.Histogram {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: name, Help: help, Buckets: buckets})
	f.reg.MustRegister(h)
	return h
}

func (f factory) histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: name, Help: help, Buckets: buckets}, labels)
	f.reg.MustRegister(h)
	return h
}
