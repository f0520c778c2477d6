// Package store is the only place that speaks SQL. It owns the connection
// pool (opened by internal/dbconn), the migrations and the demo seed, and
// returns domain types from internal/model with errors translated to
// internal/apperr sentinels.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"startupgraph/internal/dbconn"
)

// PoolConfig bounds the connection pool and its sockets (internal/dbconn
// opens the pool).
type PoolConfig = dbconn.Config

// Store reads and writes the startup graph.
//
// ctx carries the viewer (internal/viewer), and some results depend on it:
// a method whose rows depend on the viewer's access scope says "Scoped" in
// its doc (Neighborhood and Paths, in explore.go, are scoped too); a
// create that replays says that only the viewer's API key's earlier
// creates count; every write records the viewer in the audit log. No
// other method reads the viewer.
type Store struct {
	db *sqlx.DB
	// dsn and pool opened db; the migrations open their own sessions
	// from them (migrate.go), and the change feed's listener connects to
	// dsn (DSN).
	dsn  string
	pool PoolConfig
	// reps are the read replicas (replica.go); nil without
	// DATABASE_READ_URLS. primaryRoute sends a query's reads to the
	// primary; reads counts query reads by target (ReadCounts).
	reps         *replicas
	primaryRoute route
	reads        [2]atomic.Uint64
}

// Open connects to dsn with a bounded pool and checks that the database
// answers within ctx.
func Open(ctx context.Context, dsn string, pool PoolConfig) (*Store, error) {
	conns, err := dbconn.Open(dsn, pool)
	switch {
	case errors.Is(err, dbconn.ErrInvalidURL):
		return nil, fmt.Errorf("open database: invalid DATABASE_URL")
	case err != nil:
		return nil, fmt.Errorf("open database: %w", err)
	}
	db := sqlx.NewDb(conns, "postgres")
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, translate(fmt.Errorf("connect to database: %w", err))
	}
	s := &Store{db: db, dsn: dsn, pool: pool}
	s.primaryRoute = route{store: s, db: db, reads: &s.reads[targetPrimary]}
	return s, nil
}

// DSN is the database the store was opened on, for the one connection that
// is not the pool's: the change feed's LISTEN (internal/live).
func (s *Store) DSN() string { return s.dsn }

// WithStatementGrace returns a context under which a statement that is
// running when ctx is cancelled (not when it reaches its deadline) may run
// on for grace, still bounded by ctx's deadline, instead of being
// cancelled at once (see internal/dbconn's grace.go). The HTTP server sets
// it on every request, so a client that hangs up does not cost the pool
// its connections.
func WithStatementGrace(ctx context.Context, grace time.Duration) context.Context {
	return dbconn.WithStatementGrace(ctx, grace)
}

// CountStatements returns a context under which every SQL statement the
// store sends to the database adds one to n. Tests use it to prove there
// is no N+1; the benchmark reports statements per request.
func CountStatements(ctx context.Context, n *atomic.Int64) context.Context {
	return dbconn.CountStatements(ctx, n)
}

// Ping checks that the database accepts queries; /readyz uses it.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.GetContext(ctx, &one, `SELECT 1`); err != nil {
		return translate(fmt.Errorf("ping: %w", err))
	}
	return nil
}

// PoolStats reports the connection pool: sessions open, in use and idle,
// and how long requests waited for one.
func (s *Store) PoolStats() sql.DBStats { return s.db.Stats() }

// Close stops watching the replicas and releases the pools.
func (s *Store) Close() error {
	if s.reps != nil {
		s.reps.close()
	}
	return s.db.Close()
}

// StatementObserver is told of each SQL statement sent under a context
// that carries it (ObserveStatements).
type StatementObserver = dbconn.StatementObserver

// ObserveStatements returns a context under which every SQL statement the
// store sends is told to o (its duration), besides the observers ctx
// already had; the HTTP edge counts and times each request's statements so.
func ObserveStatements(ctx context.Context, o StatementObserver) context.Context {
	return dbconn.ObserveStatements(ctx, o)
}
