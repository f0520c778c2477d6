// Package server is the HTTP edge of the service, the one package that
// speaks HTTP: routes (/graphql, /export, the playground, health checks),
// middleware (request id, access log, tracing, panic recovery, CORS,
// locale, request deadline), what each request tells its operators
// (observe.go: the access log's fields, metrics; trace.go: spans;
// metrics.go: the /metrics listener), the request guard that reads every body
// (guard.go), admission (in-flight limit, rate limits, the heavy-query
// lane: admission.go), authentication's 401 (authn.go), the
// GraphQL-over-HTTP transport that decodes requests (transport.go), the
// one writer of JSON answers and errors (write.go), and graceful
// shutdown. The GraphQL layer (graph) knows nothing of HTTP.
package server

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/rs/cors"
	"go.opentelemetry.io/otel/trace"

	"startupgraph/examples"
	"startupgraph/graph"
	"startupgraph/internal/auth"
	"startupgraph/internal/config"
	"startupgraph/internal/i18n"
	"startupgraph/internal/importer"
	"startupgraph/internal/live"
	"startupgraph/internal/loader"
	"startupgraph/internal/playground"
	"startupgraph/internal/requestid"
	"startupgraph/internal/store"
	"startupgraph/internal/telemetry"
	"startupgraph/internal/viewer"
)

// Deps are what the HTTP service needs, built once at start-up.
type Deps struct {
	Config config.Config
	Logger *slog.Logger
	Store  *store.Store
	// Auth verifies API keys; nil builds one on Store. Give one to close
	// it at shutdown (Close), before the store.
	Auth *auth.Authenticator
	// Examples are the operations the playground offers (examples.All();
	// none when empty).
	Examples []examples.Example
	// Metrics records requests, admission and SQL for /metrics (served
	// apart: ServeMetrics); nil records nothing.
	Metrics *telemetry.Metrics
	// Tracer, when not nil, traces every request (a span per request,
	// loader batch and SQL statement) and propagates W3C trace context;
	// nil (tracing off) costs nothing.
	Tracer trace.TracerProvider
	// Live serves subscriptions (the change feed's hub); nil answers
	// them SERVICE_UNAVAILABLE.
	Live *live.Hub
	// Local, when set, is who a request without an Authorization header
	// is: the command line's in-process exports run as viewer.System.
	// Never set for a server on the network.
	Local *viewer.Viewer
}

// NewHandler returns the root handler of the service.
func NewHandler(d Deps) http.Handler {
	resolver := &graph.Resolver{Store: d.Store, Logger: d.Logger, Live: d.Live}
	admission := newAdmission(d.Config, d.Metrics, d.Store, d.Logger)
	gql := graph.NewHandler(resolver, graph.Options{Dev: d.Config.Dev, Admit: admission.operation})
	gql.AddTransport(transport.Options{})
	exportTimeout := cmp.Or(d.Config.ExportTimeout, DefaultExportTimeout)
	gql.AddTransport(exportTransport{pageTimeout: d.Config.RequestTimeout, exportTimeout: exportTimeout, logger: d.Logger}) // /export only
	gql.AddTransport(httpTransport{})
	gql.AroundOperations(routeReads(d.Store))
	authn := d.Auth
	if authn == nil {
		authn = auth.NewAuthenticator(d.Store, d.Logger)
	}
	if d.Live != nil {
		// A key changed through any process (or the apikey command) is
		// forgotten here at once: migration 00030's NOTIFY.
		d.Live.OnKeyChange(func(_ int64, hash []byte) {
			if hash == nil {
				authn.ForgetAll()
				return
			}
			authn.Forget(hash)
		})
	}
	corsOpts := cors.Options{
		AllowedOrigins: d.Config.CORSOrigins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders: []string{"Content-Type", "Authorization", "Accept", "Accept-Language", preflightHeader, requestid.Header, traceparentHeader, tracestateHeader},
		ExposedHeaders: []string{requestid.Header, traceparentHeader, "Content-Disposition"}, // an export's file name
		MaxAge:         600,
	}
	if len(d.Config.CORSOrigins) == 0 {
		// rs/cors reads an empty list as "every origin"; ours means none.
		corsOpts.AllowOriginFunc = func(string) bool { return false }
	}
	corsMW := cors.New(corsOpts)

	mux := http.NewServeMux()
	requests := corsMW.Handler(guardRequest(d.Config.ReadBodyTimeout, true, admit(d.Config.MaxInFlight, d.Config.QueueWait, d.Metrics, withDeadline(d.Config.RequestTimeout, exportTimeout, d.Config.StatementGrace, authenticate(authn, d.Local, d.Logger, loader.Middleware(d.Store, throttle(d.Config.TrustedProxies, gql)))))))
	// Subscriptions: the same authentication (the WebSocket's key comes
	// in connection_init: websocketInit), the same extensions in a
	// handler of their own, no request deadline or in-flight slot.
	liveGQL := graph.NewHandler(resolver, graph.Options{Dev: d.Config.Dev, Admit: admission.operation})
	liveGQL.AroundOperations(routeReads(d.Store))
	liveGQL.AroundOperations(operationLoaders(d.Store))
	subscriptions := corsMW.Handler(authenticate(authn, nil, d.Logger, throttle(d.Config.TrustedProxies, liveHandler(d, authn, liveGQL, d.Config.ReadBodyTimeout))))
	mux.HandleFunc("/graphql", func(w http.ResponseWriter, r *http.Request) {
		if isLive(r) {
			subscriptions.ServeHTTP(w, r)
			return
		}
		requests.ServeHTTP(w, r)
	})
	// the same stack; the whole export has its own deadline, each page the request's
	mux.Handle("/export", corsMW.Handler(exportLane(MaxExportsInFlight, guardRequest(d.Config.ReadBodyTimeout, false, admit(d.Config.MaxInFlight, d.Config.QueueWait, d.Metrics, withDeadline(exportTimeout, exportTimeout, d.Config.StatementGrace, authenticate(authn, d.Local, d.Logger, loader.Middleware(d.Store, throttle(d.Config.TrustedProxies, markExport(gql))))))))))
	pg := playground.Handler("startupgraph", "/graphql", d.Examples)
	mux.Handle("GET /{$}", pg)
	mux.Handle("GET /assets/", pg)
	mux.HandleFunc("GET /import/template.xlsx", importTemplate(d.Logger))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", readyz(d.Store, d.Logger))

	var h http.Handler = mux
	h = i18n.Middleware(h)
	h = recoverPanics(d.Logger, h)
	if d.Tracer != nil {
		h = traceRequests(d.Tracer, h)
	}
	h = accessLog(d.Logger, d.Metrics, h)
	h = requestid.Middleware(h)
	return h
}

// importTemplate serves the import template workbook (importer.Template),
// composed once.
func importTemplate(logger *slog.Logger) http.HandlerFunc {
	file := sync.OnceValues(func() ([]byte, error) {
		var b bytes.Buffer
		err := importer.Template(&b)
		return b.Bytes(), err
	})
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := file()
		if err != nil {
			logger.ErrorContext(r.Context(), "import template", "err", err)
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "the template could not be made"})
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="startupgraph-import-template.xlsx"`)
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		_, _ = w.Write(b)
	}
}

// readyz reports whether the database answers, within a short deadline, so
// a load balancer stops sending traffic while it does not. With the
// primary down and a replica in use the server still answers queries
// (mutations fail with SERVICE_UNAVAILABLE): ready, read-only.
func readyz(s *store.Store, logger *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.Ping(ctx); err != nil {
			if s.ReadsFromReplica() {
				writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": "read-only"})
				return
			}
			logger.WarnContext(ctx, "not ready", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
	}
}

// DefaultStatementGrace is how long a database statement already running
// when its client hangs up may still run (never past the request's
// deadline), when Config.StatementGrace does not say
// (STARTUPGRAPH_STATEMENT_GRACE). Nearly every statement of a request
// takes milliseconds: it finishes and its connection goes back to the
// pool, where cancelling it would make lib/pq close the connection and the
// next request open a new backend. A statement that needs longer is
// cancelled, so nothing works for long for a client that left.
const DefaultStatementGrace = time.Second

// withDeadline bounds every GraphQL request; resolvers and the database
// driver see the deadline through the context.
//
// The request's context ends at its deadline or as soon as the client
// hangs up (net/http cancels it when the connection closes). Everything
// the request does stops then: the GraphQL executor resolves no further
// field (graph's stopWhenDone), no new statement starts, and the
// answer is not written. The one exception is a database statement
// already running when the client left: it may finish within grace
// (store.WithStatementGrace) so its connection stays pooled. At the
// deadline nothing is let finish.
//
// A request that uploads files (an import) has the deadline long
// instead, and its answer may be written until then.
func withDeadline(d, long, grace time.Duration, next http.Handler) http.Handler {
	if grace <= 0 {
		grace = DefaultStatementGrace
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := d
		if uploadsOf(r.Context()) != nil && long > d {
			d = long
			_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(long + time.Minute))
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		ctx = store.WithStatementGrace(ctx, grace)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Serve runs srv on ln until ctx is cancelled, then stops accepting
// connections and lets in-flight requests finish within shutdownTimeout.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, shutdownTimeout time.Duration, logger *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests", "timeout", shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// NewHTTPServer applies the configured timeouts to handler.
func NewHTTPServer(cfg config.Config, handler http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}
