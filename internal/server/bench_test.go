package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"startupgraph/internal/apitest"
	"startupgraph/internal/config"
	"startupgraph/internal/server"
	"startupgraph/internal/telemetry"
	"startupgraph/internal/testdb"
)

// BenchmarkReferenceQuery measures the whole handler stack (middleware,
// gqlgen, store, PostgreSQL) for a small query of public data, in process,
// so allocations per request are visible.
func BenchmarkReferenceQuery(b *testing.B) {
	c := apitest.New(b, testdb.Demo)
	benchmarkReference(b, c.Handler)
}

// BenchmarkReferenceQueryObserved is BenchmarkReferenceQuery with the
// operators' view on: metrics recorded, and tracing off (as when no
// OTEL_* variable is set: its allocations should be those of
// BenchmarkReferenceQuery) or on (every request sampled, spans dropped by
// a no-op exporter), to show what each costs.
func BenchmarkReferenceQueryObserved(b *testing.B) {
	c := apitest.New(b, testdb.Demo)
	cfg := config.Config{CORSOrigins: []string{"https://dashboard.incheon.example"}, RequestTimeout: 10 * time.Second}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	sampled := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter()))
	b.Cleanup(func() { _ = sampled.Shutdown(b.Context()) })
	for _, tc := range []struct {
		name   string
		tracer trace.TracerProvider
	}{{"metrics, tracing off", nil}, {"metrics, tracing on", sampled}} {
		b.Run(tc.name, func(b *testing.B) {
			h := server.NewHandler(server.Deps{Config: cfg, Logger: logger, Store: c.Store,
				Metrics: telemetry.NewMetrics(c.Store.PoolStats), Tracer: tc.tracer})
			benchmarkReference(b, h)
		})
	}
}

func benchmarkReference(b *testing.B, h http.Handler) {
	body := `{"query":"{ universities { id name nameKo shortName } funds { nodes { name size } } }"}`
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"errors"`) {
			b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	}
}

// BenchmarkReferenceQueryRateLimited is BenchmarkReferenceQuery with the
// rate limit on, its budgets shared in the database: spent from the
// process's lease (a budget of 100,000,000 a window: a reservation per
// 1.5 million points), or reserved by one statement per request (a budget
// of 63: batches of one), against no rate limit.
func BenchmarkReferenceQueryRateLimited(b *testing.B) {
	c := apitest.New(b, testdb.Demo)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tc := range []struct {
		name   string
		points int
		window time.Duration
	}{{"off", 0, 0}, {"shared lease", 100_000_000, time.Hour}, {"shared statement per request", 63, time.Millisecond}} {
		b.Run(tc.name, func(b *testing.B) {
			cfg := config.Config{RequestTimeout: 10 * time.Second, AnonymousPoints: tc.points, RateLimitWindow: tc.window}
			h := server.NewHandler(server.Deps{Config: cfg, Logger: logger, Store: c.Store})
			benchmarkReference(b, h)
		})
	}
}
