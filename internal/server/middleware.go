package server

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"

	"startupgraph/internal/store"
	"startupgraph/internal/telemetry"
	"startupgraph/internal/viewer"
)

// StatusClientClosed is what the access log records for a request whose
// client hung up before it was answered (nginx's 499): not a server
// failure, whatever the handler wrote for nobody to read.
const StatusClientClosed = 499

// statusRecorder remembers what a handler wrote, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	ctx    context.Context // the request's, which ends when the client hangs up
	status int
	bytes  int
	// clientClosed: the client had hung up when the status was written.
	clientClosed bool
	// serverTimedOut: the server gave up on the client (markTimedOut),
	// which ends the request's context too; not a hang-up.
	serverTimedOut atomic.Bool
	// facts: what the request was, for the log line, metrics and span
	// (observe.go).
	facts
}

type recorderKey struct{}

// markTimedOut tells the access log that the request's context ended
// because the server gave up waiting for the client (its body did not
// arrive in time: net/http cancels the context when a read hits its
// deadline), so the status written is logged as it is, not as 499.
func markTimedOut(ctx context.Context) {
	if rec, ok := ctx.Value(recorderKey{}).(*statusRecorder); ok {
		rec.serverTimedOut.Store(true)
	}
}

// closedByClient: the client hung up before the answer was written.
func (r *statusRecorder) closedByClient() bool {
	return r.ctx.Err() != nil && !r.serverTimedOut.Load()
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
		r.clientClosed = r.closedByClient()
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
		r.clientClosed = r.closedByClient()
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// accessLog writes one structured line per request: method, path,
// status, bytes, duration_ms, and what the handlers noted (observe.go):
// the GraphQL operation's name, the API key's id (never its secret) and
// role, the outcome code (the first error's extensions.code; OK, or
// CLIENT_CLOSED for a client that left before anything was written), the
// SQL statements the request sent (sql_statements, sql_ms), and the
// trace_id of a traced request. A GraphQL request (POST or GET /graphql)
// is also counted in the metrics. A
// request whose client hung up before the answer was written is logged
// with status 499 and client_closed=true (the status the handler wrote
// for nobody, say a 503 for a slot it stopped waiting for, is kept as
// status_written), so hang-ups are never counted as server failures. A
// request the server gave up on (markTimedOut: a body that did not arrive
// in time) is logged with the status it was answered, 408, though its
// context ended too. The context accessLog sees has no deadline of its
// own (withDeadline is further in), so it ends only when the client's
// connection closes.
func accessLog(logger *slog.Logger, metrics *telemetry.Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, ctx: r.Context()}
		rec.metrics = metrics
		ctx := context.WithValue(r.Context(), recorderKey{}, rec)
		next.ServeHTTP(rec, r.WithContext(store.ObserveStatements(ctx, &rec.facts)))
		elapsed := time.Since(start)
		written := rec.status
		if written == 0 {
			rec.status = http.StatusOK
			rec.clientClosed = rec.closedByClient()
		}
		statements, sqlTime := rec.statements.Load(), time.Duration(rec.sqlNanos.Load())
		code := rec.outcome()
		if rec.clientClosed && written == 0 && rec.code == "" {
			code = codeClientClosed
		}
		attrs := make([]slog.Attr, 0, 16)
		attrs = append(attrs, slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", rec.status),
			slog.Int("bytes", rec.bytes), slog.Int64("duration_ms", elapsed.Milliseconds()))
		if rec.clientClosed {
			attrs[2] = slog.Int("status", StatusClientClosed)
			attrs = append(attrs, slog.Bool("client_closed", true))
			if written != 0 {
				attrs = append(attrs, slog.Int("status_written", written))
			}
		}
		if rec.operation != "" {
			attrs = append(attrs, slog.String("operation", logName(rec.operation)))
		}
		if rec.viewer.KeyID != 0 {
			attrs = append(attrs, slog.Int64("key_id", rec.viewer.KeyID))
		}
		role := rec.viewer.Role
		if role == "" {
			role = viewer.Anonymous
		}
		attrs = append(attrs, slog.String("role", string(role)), slog.String("code", code),
			slog.Int64("sql_statements", statements), slog.Float64("sql_ms", float64(sqlTime.Microseconds())/1000))
		if rec.traceID.IsValid() {
			attrs = append(attrs, slog.String("trace_id", rec.traceID.String()))
		}
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
		if r.URL.Path == "/graphql" && r.Method != http.MethodOptions {
			metrics.Request(metrics.OperationLabel(rec.operation), code, elapsed, statements, sqlTime)
		}
	})
}

// codeClientClosed is the outcome code of a request whose client left
// before anything was written: it was not answered, OK or otherwise.
const codeClientClosed = "CLIENT_CLOSED"

// maxLoggedName bounds the operation name a log line carries.
const maxLoggedName = 128

func logName(name string) string {
	if len(name) > maxLoggedName {
		return name[:maxLoggedName] + "…"
	}
	return name
}

// recoverPanics answers a panic outside the GraphQL executor (which has its
// own recovery) with a generic 500, INTERNAL_SERVER_ERROR in the shape of
// every other error, and logs the stack.
func recoverPanics(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				logger.ErrorContext(r.Context(), "panic", "panic", p, "stack", string(debug.Stack()))
				writeInternalError(w, mediaJSON)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
