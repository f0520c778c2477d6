package store

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// Write exposes the transaction runner to the external tests.
func (s *Store) Write(ctx context.Context, fn func(tx *sqlx.Tx) error) error { return s.write(ctx, fn) }

// MaxAttempts exposes the retry bound to the external tests.
const MaxAttempts = maxAttempts

// DB exposes the pool to the external tests.
func (s *Store) DB() *sqlx.DB { return s.db }

// StartupFigureRecounts exposes the expressions the figure columns equal.
var StartupFigureRecounts = startupFigureRecounts

// SetFewRows sets how many matching rows a filtered list reads its page
// from by id (fewRows), until the returned function restores it.
func SetFewRows(n int) (restore func()) {
	old := fewRows
	fewRows = n
	return func() { fewRows = old }
}

// MigrationSetting is a setting of the sessions the migrations run on.
func (s *Store) MigrationSetting(ctx context.Context, name string) (string, error) {
	db, err := s.migrationDB()
	if err != nil {
		return "", err
	}
	defer db.Close()
	var v string
	err = db.QueryRowContext(ctx, "SELECT current_setting($1)", name).Scan(&v)
	return v, err
}

// ManyRowsSeen is how many count statements countFew now counts alone.
func ManyRowsSeen() int {
	manyRows.mu.Lock()
	defer manyRows.mu.Unlock()
	return len(manyRows.m)
}

// WithoutKeptTotals makes the insights figures of ctx take the general
// path, never the kept totals.
func WithoutKeptTotals(ctx context.Context) context.Context {
	return context.WithValue(ctx, generalPath{}, true)
}

// AnnounceFence raises the replica fence to lsn here and, by NOTIFY, in
// every store on the same primary, as a write the replicas did not
// replay in time does.
func (s *Store) AnnounceFence(lsn uint64) {
	s.reps.raiseFence(lsn)
	s.reps.announce(s.db, lsn)
}
