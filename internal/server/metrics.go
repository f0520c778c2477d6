package server

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"startupgraph/internal/telemetry"
)

// ServeMetrics serves m at /metrics, in Prometheus's text format, on addr:
// a listen address of its own, apart from the API's, so the public port
// never shows the service's internals. It returns the address it listens
// on and a function that stops it.
func ServeMetrics(addr string, m *telemetry.Metrics, logger *slog.Logger) (string, func(), error) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	logger.Info("metrics listening", "addr", ln.Addr().String(), "path", "/metrics")
	return ln.Addr().String(), func() { _ = srv.Close() }, nil
}
