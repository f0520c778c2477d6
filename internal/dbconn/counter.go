package dbconn

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Statement observation: every statement sent to PostgreSQL over a
// connection of Open's pool is told to the observers its context carries,
// if any (a counter, CountStatements; the request's record,
// ObserveStatements), and, when the context's span is recording (tracing
// is on and the request sampled), gets a span of its own. Tests use the
// counter to prove that a query's statement count depends on its depth
// only (no N+1); the benchmark reports statements per request; the HTTP
// edge logs and exports each request's count and SQL time. The driver
// connection (deadlineDriverConn in conn.go) calls startStatement for
// every statement it sends and ends it once its rows are read.

// StatementObserver is told of each statement sent under a context that
// carries it (ObserveStatements).
type StatementObserver interface {
	// StatementDone is called once a statement has finished, its rows
	// read or its error returned, with the time since it was sent.
	StatementDone(d time.Duration)
}

type observerKey struct{}

// observers is a context's chain of observers, innermost first.
type observers struct {
	o      StatementObserver
	parent *observers
}

// ObserveStatements returns a context under which every SQL statement
// sent to the database is told to o, and to the observers ctx already
// had.
func ObserveStatements(ctx context.Context, o StatementObserver) context.Context {
	parent, _ := ctx.Value(observerKey{}).(*observers)
	return context.WithValue(ctx, observerKey{}, &observers{o: o, parent: parent})
}

// CountStatements returns a context under which every SQL statement sent
// to the database adds one to n.
func CountStatements(ctx context.Context, n *atomic.Int64) context.Context {
	return ObserveStatements(ctx, (*counter)(n))
}

// counter counts statements for CountStatements.
type counter atomic.Int64

func (c *counter) StatementDone(time.Duration) { (*atomic.Int64)(c).Add(1) }

// statement is one statement being observed, from startStatement to end.
type statement struct {
	obs   *observers
	start time.Time
	span  trace.Span // nil unless traced
}

// tracerName names the spans of SQL statements.
const tracerName = "startupgraph/internal/dbconn"

// maxTracedQuery bounds the statement text a span carries.
const maxTracedQuery = 4096

// startStatement begins observing the statement q sent under ctx. It
// returns ctx unchanged unless the statement gets a span.
func startStatement(ctx context.Context, q string) (context.Context, statement) {
	s := statement{start: time.Now()}
	s.obs, _ = ctx.Value(observerKey{}).(*observers)
	if parent := trace.SpanFromContext(ctx); parent.IsRecording() {
		if len(q) > maxTracedQuery {
			q = q[:maxTracedQuery]
		}
		ctx, s.span = parent.TracerProvider().Tracer(tracerName).Start(ctx, "sql "+verb(q),
			trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("db.system.name", "postgresql"), attribute.String("db.query.text", q)))
	}
	return ctx, s
}

// end reports the statement to its observers and ends its span, with err
// (nil or io.EOF: success) recorded on it.
func (s statement) end(err error) {
	d := time.Since(s.start)
	for o := s.obs; o != nil; o = o.parent {
		o.o.StatementDone(d)
	}
	if s.span != nil {
		if err != nil && !isEOF(err) {
			// the error's kind only: its text may quote values
			s.span.SetStatus(codes.Error, "statement failed")
		}
		s.span.End()
	}
}

func isEOF(err error) bool { return errors.Is(err, io.EOF) }

// verb is a statement's first keyword (SELECT, WITH, INSERT...), for its
// span's name.
func verb(q string) string {
	q = strings.TrimLeft(q, " \t\r\n(")
	end := strings.IndexAny(q, " \t\r\n(")
	if end < 0 {
		end = len(q)
	}
	return strings.ToUpper(q[:min(end, 16)])
}
