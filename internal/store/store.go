// Package store is the only place that speaks SQL. It owns the connection
// pool, the migrations and the demo seed, and returns domain types from
// internal/model with errors translated to internal/apperr sentinels.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// PoolConfig bounds the connection pool.
type PoolConfig struct {
	MaxOpen     int
	MaxIdle     int
	MaxLifetime time.Duration
	MaxIdleTime time.Duration
	// IOTimeout bounds each read and write that no request context
	// watches, so a silent network cannot hold a connection for ever (see
	// dial.go); 35 s when zero.
	IOTimeout time.Duration
	// ConnectTimeout bounds opening a connection when the URL sets no
	// connect_timeout; 5 s when zero.
	ConnectTimeout time.Duration
}

// Store reads and writes the startup graph.
type Store struct {
	db *sqlx.DB
}

// Open connects to dsn with a bounded pool and checks that the database
// answers within ctx.
func Open(ctx context.Context, dsn string, pool PoolConfig) (*Store, error) {
	cfg, err := pq.NewConfig(withSessionDefaults(dsn))
	if err != nil {
		return nil, fmt.Errorf("open database: invalid DATABASE_URL")
	}
	connector, err := newConnector(cfg, pool)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db := sqlx.NewDb(sql.OpenDB(connector), "postgres")
	db.SetMaxOpenConns(pool.MaxOpen)
	db.SetMaxIdleConns(pool.MaxIdle)
	db.SetConnMaxLifetime(pool.MaxLifetime)
	db.SetConnMaxIdleTime(pool.MaxIdleTime)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, translate(fmt.Errorf("connect to database: %w", err))
	}
	return &Store{db: db}, nil
}

// sessionDefaults are PostgreSQL settings every connection of the store
// gets unless the URL sets them: aggregates over large slices sort in
// memory instead of spilling to disk, and no statement, lock wait or idle
// transaction can hold a connection for long (a request's own deadline,
// 15 s by default, cancels sooner). A statement whose client is gone (a
// socket the store cut, see dial.go, when lib/pq's cancel request did not
// get through) stops within a second instead of running to its end.
var sessionDefaults = map[string]string{
	"work_mem":                            "32MB",
	"statement_timeout":                   "30s",
	"lock_timeout":                        "5s",
	"idle_in_transaction_session_timeout": "60s",
	"client_connection_check_interval":    "1s",
}

// driverDefaults are lib/pq settings every connection of the store gets
// unless the URL sets them. With binary_parameters lib/pq sends a statement
// with parameters in one round trip (parse, bind and execute together)
// instead of two (parse and describe, then bind and execute); it also sends
// []byte parameters in binary format, so the store passes only bytea
// values as []byte (JSON goes as text, see nullJSON).
var driverDefaults = map[string]string{
	"binary_parameters": "yes",
}

// withSessionDefaults adds sessionDefaults to a postgres:// URL as run-time
// parameters (lib/pq sends unknown URL parameters to the server), and
// driverDefaults as lib/pq's own.
func withSessionDefaults(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return dsn
	}
	q := u.Query()
	for _, defaults := range []map[string]string{sessionDefaults, driverDefaults} {
		for k, v := range defaults {
			if q.Get(k) == "" {
				q.Set(k, v)
			}
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
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

// Close releases the pool.
func (s *Store) Close() error { return s.db.Close() }
