// Package dbconn opens the PostgreSQL connection pool that internal/store
// runs its SQL on. It is lib/pq wrapped so that a database that stops
// answering cannot hold a request past its deadline, and a client that
// hangs up does not cost the pool its sessions:
//
//   - every socket has read and write deadlines, and a statement's socket
//     is cut shortly after its context ends (socket.go; lib/pq #620);
//   - a statement running when its client hangs up may finish within the
//     grace WithStatementGrace set, so its connection stays pooled
//     (grace.go);
//   - parameterised reads are prepared once per connection (prepared.go);
//   - every statement is told to the observers its context carries
//     (CountStatements, ObserveStatements) and, when its request is
//     traced, gets a span (counter.go);
//   - every session gets the settings in sessionDefaults.
//
// The driver connection that ties these together is in conn.go. Only
// internal/store opens a pool; everything else reaches the database
// through the store, which re-exports what its callers need.
package dbconn

import (
	"database/sql"
	"errors"
	"net/url"
	"time"

	"github.com/lib/pq"
)

// Config bounds the connection pool and its sockets.
type Config struct {
	MaxOpen     int
	MaxIdle     int
	MaxLifetime time.Duration
	MaxIdleTime time.Duration
	// IOTimeout bounds each read and write that no request context
	// watches, so a silent network cannot hold a connection for ever (see
	// socket.go); 35 s when zero.
	IOTimeout time.Duration
	// ConnectTimeout bounds opening a connection when the URL sets no
	// connect_timeout; 5 s when zero.
	ConnectTimeout time.Duration
}

// ErrInvalidURL is Open's answer to a URL lib/pq cannot read. It does not
// quote the URL, which may hold a password.
var ErrInvalidURL = errors.New("invalid database URL")

// Open returns a pool of connections to dsn (a postgres:// URL or lib/pq
// key=value settings) bounded by cfg. It does not connect: ping the pool
// to find out whether the database answers.
func Open(dsn string, cfg Config) (*sql.DB, error) {
	pc, err := pq.NewConfig(withSessionDefaults(dsn))
	if err != nil {
		return nil, ErrInvalidURL
	}
	connector, err := newConnector(pc, cfg)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(cfg.MaxOpen)
	db.SetMaxIdleConns(cfg.MaxIdle)
	db.SetConnMaxLifetime(cfg.MaxLifetime)
	db.SetConnMaxIdleTime(cfg.MaxIdleTime)
	return db, nil
}

// sessionDefaults are PostgreSQL settings every connection gets unless the
// URL sets them: aggregates over large slices sort in memory instead of
// spilling to disk, and no statement, lock wait or idle transaction can
// hold a connection for long (a request's own deadline, 15 s by default,
// cancels sooner). A statement whose client is gone (a socket cut by
// deadlineConn, see socket.go, when lib/pq's cancel request did not get
// through) stops within a second instead of running to its end. JIT
// compilation is off: it starts above a plan cost that counts over
// hundreds of thousands of rows reach (issue 17's questions at 200,000
// startups), and then spends 40-200 ms compiling a statement that runs in
// 40-100 ms (measured with EXPLAIN ANALYZE: question 8's count 113 ms with
// JIT, 43 ms without). Memoize is off: PostgreSQL 15 sizes its cache from
// the number of distinct keys it expects, and allocates it whenever the
// statement runs. A page of 10 of a university's 120,000 assignments (at
// 1,000,000 startups) cached its 11 startup lookups in a table sized for
// 120,000 keys, on every request: the nested page query's statements ran
// 2,460 a second with it, 3,390 without (pgbench, 16 clients; 3,500 and
// 3,660 at 20,000 startups).
var sessionDefaults = map[string]string{
	"jit":                                 "off",
	"enable_memoize":                      "off",
	"work_mem":                            "32MB",
	"statement_timeout":                   "30s",
	"lock_timeout":                        "5s",
	"idle_in_transaction_session_timeout": "60s",
	"client_connection_check_interval":    "1s",
}

// driverDefaults are lib/pq settings every connection gets unless the URL
// sets them. With binary_parameters lib/pq sends a statement with
// parameters in one round trip (parse, bind and execute together) instead
// of two (parse and describe, then bind and execute); it also sends []byte
// parameters in binary format, so the store passes only bytea values as
// []byte (JSON goes as text, see nullJSON in internal/store).
var driverDefaults = map[string]string{
	"binary_parameters": "yes",
}

// WithSetting returns dsn with the session setting key set to value,
// over sessionDefaults and over what dsn itself says: the migrations lift
// statement_timeout with it.
func WithSetting(dsn, key, value string) string {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return dsn + " " + key + "=" + value // lib/pq's key=value form: the last one counts
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
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
