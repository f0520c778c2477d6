package dbconn

import (
	"context"
	"sync/atomic"
)

// Statement counting: every statement sent to PostgreSQL over a connection
// of Open's pool is counted into the counter carried by its context, if
// any. Tests use it to prove that a query's statement count depends on its
// depth only (no N+1); the benchmark reports statements per request. The
// driver connection (deadlineDriverConn in conn.go) calls countStatement
// for every statement it sends.

type counterKey struct{}

// CountStatements returns a context under which every SQL statement sent
// to the database adds one to n.
func CountStatements(ctx context.Context, n *atomic.Int64) context.Context {
	return context.WithValue(ctx, counterKey{}, n)
}

func countStatement(ctx context.Context) {
	if n, ok := ctx.Value(counterKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
}
