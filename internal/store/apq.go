package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"startupgraph/internal/apperr"
)

// PersistedQuery is a registered query (migration 00031).
type PersistedQuery struct {
	Query string `db:"query"`
	Keyed bool   `db:"keyed"`
}

// LookupPersistedQuery returns the query registered under hash; found is
// false when there is none.
func (s *Store) LookupPersistedQuery(ctx context.Context, hash string) (q PersistedQuery, found bool, err error) {
	const stmt = `SELECT query, keyed FROM persisted_queries WHERE hash = $1`
	if err := s.db.GetContext(ctx, &q, stmt, hash); err != nil {
		err = translate(fmt.Errorf("look up persisted query: %w", err))
		if errors.Is(err, apperr.ErrNotFound) {
			return PersistedQuery{}, false, nil
		}
		return PersistedQuery{}, false, err
	}
	return q, true, nil
}

// TouchPersistedQuery records that the query under hash was used, unless
// that was recorded within the last interval.
func (s *Store) TouchPersistedQuery(ctx context.Context, hash string, interval time.Duration) error {
	const stmt = `UPDATE persisted_queries SET last_used = now() WHERE hash = $1 AND last_used < now() - make_interval(secs => $2)`
	if _, err := s.db.ExecContext(ctx, stmt, hash, interval.Seconds()); err != nil {
		return translate(fmt.Errorf("touch persisted query: %w", err))
	}
	return nil
}

// PersistQuery registers query under hash, keyed or not (a query once
// registered with a key stays keyed). Then it bounds what registration
// can grow: past keepAnonymous anonymous rows, the least recently used
// anonymous ones are deleted; keyed rows unused for keyedIdle are.
func (s *Store) PersistQuery(ctx context.Context, hash, query string, keyed bool, keepAnonymous int, keyedIdle time.Duration) error {
	const upsert = `
INSERT INTO persisted_queries (hash, query, keyed) VALUES ($1, $2, $3)
ON CONFLICT (hash) DO UPDATE SET keyed = persisted_queries.keyed OR EXCLUDED.keyed, last_used = now()`
	if _, err := s.db.ExecContext(ctx, upsert, hash, query, keyed); err != nil {
		return translate(fmt.Errorf("persist query: %w", err))
	}
	const pruneAnonymous = `
DELETE FROM persisted_queries WHERE hash IN (
    SELECT hash FROM persisted_queries WHERE NOT keyed ORDER BY last_used DESC, hash OFFSET $1)`
	const pruneKeyed = `DELETE FROM persisted_queries WHERE keyed AND last_used < now() - make_interval(secs => $1)`
	var err error
	if keyed {
		_, err = s.db.ExecContext(ctx, pruneKeyed, keyedIdle.Seconds())
	} else {
		_, err = s.db.ExecContext(ctx, pruneAnonymous, keepAnonymous)
	}
	if err != nil {
		return translate(fmt.Errorf("prune persisted queries: %w", err))
	}
	return nil
}
