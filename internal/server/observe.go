package server

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/trace"

	"startupgraph/internal/telemetry"
	"startupgraph/internal/viewer"
)

// What a request tells its operators: the access log line, the metrics
// and the request's span all read the facts the handlers note as the
// request goes (which operation, whose key, how it ended, what SQL it
// cost). They live in the request's statusRecorder (middleware.go), which
// accessLog puts in the context before anything else runs.

// facts are what the handlers learn about a request for the access log,
// the metrics and the span.
type facts struct {
	// operation is the operation's name as its parsed document gives it
	// ("persisted:" and the first hex digits of the hash for an unnamed
	// persisted query); empty when unnamed or never parsed.
	operation string
	// kind is the operation's type: query or mutation.
	kind string
	// code is the extensions.code of the first error answered; empty when
	// the answer had no errors.
	code   string
	viewer viewer.Viewer
	// statements and sqlNanos: the SQL statements sent for the request
	// (from several goroutines: loaders run concurrently) and their total
	// time.
	statements atomic.Int64
	sqlNanos   atomic.Int64
	metrics    *telemetry.Metrics
	// traceID is the request's trace when it is traced, for the log line.
	traceID trace.TraceID
}

// StatementDone counts one of the request's SQL statements
// (store.StatementObserver).
func (f *facts) StatementDone(d time.Duration) {
	f.statements.Add(1)
	f.sqlNanos.Add(int64(d))
	f.metrics.Statement(d)
}

// outcome is the request's outcome code: its first error's, or OK.
func (f *facts) outcome() string {
	if f.code == "" {
		return telemetry.CodeOK
	}
	return f.code
}

// factsOf returns the facts of the request ctx belongs to, nil outside
// accessLog.
func factsOf(ctx context.Context) *facts {
	if rec, ok := ctx.Value(recorderKey{}).(*statusRecorder); ok {
		return &rec.facts
	}
	return nil
}

// noteViewer records who made the request.
func noteViewer(ctx context.Context, v viewer.Viewer) {
	if f := factsOf(ctx); f != nil {
		f.viewer = v
	}
}

// persistedLabelDigits is how many hex digits of a persisted query's hash
// name an unnamed persisted operation.
const persistedLabelDigits = 12

// noteOperation records the operation a parsed request runs: its name
// from the document (never the client's operationName as sent, which
// may name nothing), or, unnamed, the hash it was persisted under.
func noteOperation(ctx context.Context, oc *graphql.OperationContext, params *graphql.RawParams) {
	f := factsOf(ctx)
	if f == nil || oc == nil || oc.Operation == nil {
		return
	}
	f.kind = string(oc.Operation.Operation)
	if oc.Operation.Name != "" {
		f.operation = oc.Operation.Name
		return
	}
	if pq, ok := params.Extensions["persistedQuery"].(map[string]any); ok {
		if hash, ok := pq["sha256Hash"].(string); ok && len(hash) >= persistedLabelDigits && isHex(hash) {
			f.operation = "persisted:" + strings.ToLower(hash[:persistedLabelDigits])
		}
	}
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// noteCode records the code of the first error a response carries; w is
// the writer the handler was given, the request's statusRecorder or a
// wrapper of it.
func noteCode(w http.ResponseWriter, code string) {
	for {
		switch ww := w.(type) {
		case *statusRecorder:
			if ww.code == "" {
				ww.code = code
			}
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = ww.Unwrap()
		default:
			return
		}
	}
}
