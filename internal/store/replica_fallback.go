package store

import (
	"context"
	"database/sql"
	"errors"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// readDB is what the store's reads call: the primary's *sqlx.DB, or a
// replica's fallback.
type readDB interface {
	GetContext(ctx context.Context, dest any, q string, args ...any) error
	SelectContext(ctx context.Context, dest any, q string, args ...any) error
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	BeginTxx(ctx context.Context, opts *sql.TxOptions) (*sqlx.Tx, error)
}

// fallback reads from a replica; a statement the replica does not answer
// (it stopped, or the network to it failed) takes it out of use at once
// and runs again on the primary, so a replica that fails between two
// samples costs no query; so does a statement the replica cancelled for
// a recovery conflict (the replica stays in use). Rows that fail once
// streaming are not retried.
type fallback struct {
	r       *replica
	primary *sqlx.DB
	reads   *atomic.Uint64 // the primary's count, for a retried read
}

func (f *fallback) failed(err error) bool {
	if pqErr, ok := errors.AsType[*pq.Error](err); ok && pqErr.Code == "40001" {
		// A read cannot fail to serialize: on a standby this is a
		// recovery conflict (replay needed what the statement held). The
		// replica is fine; the statement runs again on the primary.
		f.r.route.reads.Add(^uint64(0))
		f.reads.Add(1)
		return true
	}
	if !unavailable(translate(err)) {
		return false
	}
	if f.r.usable.Swap(false) {
		f.r.set.logger.Warn("read replica out of use: a read failed; retried on the primary", "replica", f.r.n, "err", err)
	}
	f.r.route.reads.Add(^uint64(0)) // counted where it is answered
	f.reads.Add(1)
	return true
}

func (f *fallback) GetContext(ctx context.Context, dest any, q string, args ...any) error {
	err := f.r.db.GetContext(ctx, dest, q, args...)
	if err != nil && f.failed(err) {
		return f.primary.GetContext(ctx, dest, q, args...)
	}
	return err
}

func (f *fallback) SelectContext(ctx context.Context, dest any, q string, args ...any) error {
	err := f.r.db.SelectContext(ctx, dest, q, args...)
	if err != nil && f.failed(err) {
		return f.primary.SelectContext(ctx, dest, q, args...)
	}
	return err
}

func (f *fallback) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := f.r.db.QueryContext(ctx, q, args...)
	if err != nil && f.failed(err) {
		return f.primary.QueryContext(ctx, q, args...)
	}
	return rows, err
}

func (f *fallback) BeginTxx(ctx context.Context, opts *sql.TxOptions) (*sqlx.Tx, error) {
	tx, err := f.r.db.BeginTxx(ctx, opts)
	if err != nil && f.failed(err) {
		return f.primary.BeginTxx(ctx, opts)
	}
	return tx, err
}
