package dbconn

import (
	"context"
	"errors"
	"time"
)

// Statements of a client that left. lib/pq ends a statement whose context
// ends by sending PostgreSQL a cancel request and closing the connection
// (conn_go18.go, watchCancel), so a cancelled statement costs a pooled
// session and the next request pays for a new backend. When clients hang up
// under load that is most of the pool: 60 abandoned requests took a pool of
// 20 to 0-2 sessions, and 1,000 hang-ups opened 27-70 new backends.
//
// A request's context therefore ends in two ways that the pool treats
// differently. At its deadline, a statement still running is cancelled
// (the request is over; the connection is discarded). When it is
// cancelled before its deadline (the client left, or the request ended),
// a statement already running is let finish for up to the grace that
// WithStatementGrace set, never past the deadline, and its connection goes
// back to the pool; only a statement that outlives the grace is cancelled.
// No new statement starts: database/sql refuses a context that has ended
// before it takes a connection, and the GraphQL executor stops resolving
// fields, so "let finish" covers only the statements in flight.

type graceKey struct{}

// WithStatementGrace returns a context under which a statement that is
// running when ctx is cancelled (not when it reaches its deadline) may run
// on for grace, still bounded by ctx's deadline, instead of being
// cancelled at once. The HTTP server sets it on every request, so a client
// that hangs up does not cost the pool its connections.
func WithStatementGrace(ctx context.Context, grace time.Duration) context.Context {
	return context.WithValue(ctx, graceKey{}, grace)
}

// statementContext is the context a statement runs under: ctx itself,
// unless ctx carries a statement grace; then one that keeps ctx's values
// and deadline and ends grace after ctx is cancelled. release frees what
// it holds once the statement is over.
func statementContext(ctx context.Context) (sctx context.Context, release func()) {
	grace, ok := ctx.Value(graceKey{}).(time.Duration)
	if !ok || ctx.Done() == nil {
		return ctx, func() {}
	}
	if ctx.Err() != nil && !errors.Is(ctx.Err(), context.Canceled) {
		return ctx, func() {} // past its deadline: nothing may run
	}
	var cancelDeadline context.CancelFunc = func() {}
	sctx = context.WithoutCancel(ctx)
	d, hasDeadline := ctx.Deadline()
	if hasDeadline {
		// The statement's own deadline, the same instant as ctx's, so
		// that it ends with context.DeadlineExceeded too.
		sctx, cancelDeadline = context.WithDeadline(sctx, d)
	}
	sctx, cancel := context.WithCancelCause(sctx)
	var timer *time.Timer
	timerSet := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		switch {
		case errors.Is(ctx.Err(), context.Canceled):
			timer = time.AfterFunc(grace, func() { cancel(context.Cause(ctx)) })
		case !hasDeadline: // ended some other way: nothing may run
			cancel(ctx.Err())
		}
		close(timerSet)
	})
	return sctx, func() {
		if !stop() {
			<-timerSet
			if timer != nil {
				timer.Stop()
			}
		}
		cancel(context.Canceled)
		cancelDeadline()
	}
}
