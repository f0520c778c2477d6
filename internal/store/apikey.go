package store

import (
	"context"
	"fmt"
	"time"

	"startupgraph/internal/model"
)

type apiKeyRow struct {
	ID           int64      `db:"id"`
	Name         string     `db:"name"`
	Role         string     `db:"role"`
	UniversityID *int64     `db:"university_id"`
	Prefix       string     `db:"key_prefix"`
	CreatedAt    time.Time  `db:"created_at"`
	LastUsedAt   *time.Time `db:"last_used_at"`
	ExpiresAt    *time.Time `db:"expires_at"`
	RevokedAt    *time.Time `db:"revoked_at"`
}

const apiKeyCols = `id, name, role, university_id, key_prefix, created_at, last_used_at, expires_at, revoked_at`

func (r apiKeyRow) model() model.APIKey {
	return model.APIKey{ID: r.ID, Name: r.Name, Role: r.Role, UniversityID: r.UniversityID, Prefix: r.Prefix,
		CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt, ExpiresAt: r.ExpiresAt, RevokedAt: r.RevokedAt}
}

// NewAPIKey is what CreateAPIKey stores: the hash of a fresh key, never
// the key itself.
type NewAPIKey struct {
	Name         string
	Role         string
	UniversityID *int64
	Hash         []byte
	Prefix       string
	ExpiresAt    *time.Time
}

// CreateAPIKey stores a key's hash and metadata.
func (s *Store) CreateAPIKey(ctx context.Context, k NewAPIKey) (model.APIKey, error) {
	const q = `
INSERT INTO api_keys (name, role, university_id, key_hash, key_prefix, expires_at)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING ` + apiKeyCols
	var row apiKeyRow
	if err := s.db.GetContext(ctx, &row, q, k.Name, k.Role, k.UniversityID, k.Hash, k.Prefix, k.ExpiresAt); err != nil {
		return model.APIKey{}, translate(fmt.Errorf("create api key: %w", err))
	}
	return row.model(), nil
}

// ListAPIKeys lists every key, newest first, without secrets.
func (s *Store) ListAPIKeys(ctx context.Context) ([]model.APIKey, error) {
	const q = `SELECT ` + apiKeyCols + ` FROM api_keys ORDER BY id DESC`
	var rows []apiKeyRow
	if err := s.reader(ctx).SelectContext(ctx, &rows, q); err != nil {
		return nil, translate(fmt.Errorf("list api keys: %w", err))
	}
	return convertAll(rows, apiKeyRow.model), nil
}

// RevokeAPIKey revokes key id; revoking twice keeps the first time.
func (s *Store) RevokeAPIKey(ctx context.Context, id int64) (model.APIKey, error) {
	const q = `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING ` + apiKeyCols
	var row apiKeyRow
	if err := s.db.GetContext(ctx, &row, q, id); err != nil {
		return model.APIKey{}, translate(fmt.Errorf("revoke api key %d: %w", id, err))
	}
	return row.model(), nil
}

// LookupAPIKey returns the live key (neither revoked nor expired) with
// hash. Unknown, revoked and expired keys are all ErrNotFound. It only
// reads: a flood of made-up keys writes nothing. It reads the primary
// while that answers, else a replica in use (keyReader), so keys are
// verified, and queries served, while the primary is down.
func (s *Store) LookupAPIKey(ctx context.Context, hash []byte) (model.APIKey, error) {
	const q = `
SELECT ` + apiKeyCols + ` FROM api_keys
WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`
	var row apiKeyRow
	db, fallback := s.keyReader()
	err := translate(db.GetContext(ctx, &row, q, hash))
	if unavailable(err) && fallback != nil {
		err = translate(fallback.GetContext(ctx, &row, q, hash))
	}
	if err != nil {
		return model.APIKey{}, fmt.Errorf("look up api key: %w", err)
	}
	return row.model(), nil
}

// TouchAPIKey records that key id was used, unless that was already
// recorded within the last interval: last_used_at is kept to the
// interval, not written on every request.
func (s *Store) TouchAPIKey(ctx context.Context, id int64, interval time.Duration) error {
	const q = `
UPDATE api_keys SET last_used_at = now()
WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`
	if _, err := s.db.ExecContext(ctx, q, id, interval.Seconds()); err != nil {
		return translate(fmt.Errorf("touch api key %d: %w", id, err))
	}
	return nil
}
