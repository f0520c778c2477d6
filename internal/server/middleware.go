package server

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"
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

// accessLog writes one structured line per request. A request whose
// client hung up before the answer was written is logged with status 499
// and client_closed=true (the status the handler wrote for nobody, say a
// 503 for a slot it stopped waiting for, is kept as status_written), so
// hang-ups are never counted as server failures. A request the server
// gave up on (markTimedOut: a body that did not arrive in time) is logged
// with the status it was answered, 408, though its context ended too.
// The context accessLog sees has no deadline of its own (withDeadline is
// further in), so it ends only when the client's connection closes.
func accessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, ctx: r.Context()}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), recorderKey{}, rec)))
		written := rec.status
		if written == 0 {
			rec.status = http.StatusOK
			rec.clientClosed = rec.closedByClient()
		}
		attrs := []any{"method", r.Method, "path", r.URL.Path, "status", rec.status,
			"bytes", rec.bytes, "duration_ms", time.Since(start).Milliseconds()}
		if rec.clientClosed {
			attrs[5] = StatusClientClosed
			attrs = append(attrs, "client_closed", true)
			if written != 0 {
				attrs = append(attrs, "status_written", written)
			}
		}
		logger.InfoContext(r.Context(), "request", attrs...)
	})
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
				writeBody(w, mediaJSON, http.StatusInternalServerError, internalErrorBody)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
