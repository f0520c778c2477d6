package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"startupgraph/internal/apperr"
	"startupgraph/internal/requestid"
	"startupgraph/internal/viewer"
)

// Writes: every mutation is one transaction that fully happens or not at
// all, writes its audit record inside it, and is retried as a whole when
// PostgreSQL reports a serialization failure or a deadlock.

var errNoRows = sql.ErrNoRows

// maxAttempts bounds retries of a transaction.
const maxAttempts = 3

// write runs fn in a transaction, retrying serialization failures and
// deadlocks up to maxAttempts times.
func (s *Store) write(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		if err = s.writeOnce(ctx, fn); err == nil || !retryable(err) {
			break
		}
	}
	return translate(err)
}

func (s *Store) writeOnce(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	// READ COMMITTED whatever the server's default: the stage copy in
	// startup_sectors (migration 00006) relies on it.
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return txEnded(ctx, err)
	}
	return txEnded(ctx, tx.Commit())
}

// txEnded reports a transaction that database/sql rolled back because ctx
// ended (its client hung up, or the deadline passed) as ctx's error, not
// as sql.ErrTxDone: a statement in flight may finish within the statement
// grace (internal/dbconn), but the transaction is rolled back as soon as ctx
// ends, so the Commit after it finds the transaction over.
func txEnded(ctx context.Context, err error) error {
	if errors.Is(err, sql.ErrTxDone) && ctx.Err() != nil {
		return fmt.Errorf("%w: the transaction was rolled back: %w", ctx.Err(), err)
	}
	return err
}

func retryable(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && (pqErr.Code == "40001" || pqErr.Code == "40P01")
}

// snapshot is the row of table with id as JSON, for the audit trail.
func snapshot(ctx context.Context, tx *sqlx.Tx, table string, id int64) (json.RawMessage, error) {
	var b []byte
	err := tx.GetContext(ctx, &b, `SELECT to_jsonb(t) FROM `+pq.QuoteIdentifier(table)+` t WHERE t.id = $1`, id)
	if errors.Is(err, errNoRows) {
		return nil, nil
	}
	return b, err
}

// audit records who did what to which entity, with its row before and
// after, in the mutation's own transaction.
func audit(ctx context.Context, tx *sqlx.Tx, action, entityType string, id int64, before, after json.RawMessage) error {
	return auditWhy(ctx, tx, action, entityType, id, before, after, "")
}

// feedLock is the transaction-level advisory lock a write takes just
// before its audit record is given an id, and holds until it commits. The
// change feed reads records after a cursor (an id): were two writes to
// take ids 10 and 11 and commit 11 first, a reader between the two commits
// would move its cursor past 10 and never see it. Under the lock, a record
// gets its id only once every earlier record's transaction has ended, so
// ids become visible in order. It serialises only the end of each write
// (its audit record and commit), and a write that needs it while holding
// a row another write waits for is a deadlock PostgreSQL reports and
// write retries.
const feedLock = "7310220600210" // any constant no other advisory lock uses

// auditWhy is audit with the reason a correction gave ("" for none).
func auditWhy(ctx context.Context, tx *sqlx.Tx, action, entityType string, id int64, before, after json.RawMessage, reason string) error {
	v := viewer.From(ctx)
	var keyID *int64
	if v.KeyID != 0 {
		keyID = &v.KeyID
	}
	// The feed lock first (see feedLock), then the record's id.
	const q = `
WITH feed_lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(` + feedLock + `))
INSERT INTO audit_log (actor_key_id, actor_name, actor_role, request_id, action, entity_type, entity_id, before, after, reason)
SELECT $1, $2, $3, NULLIF($4, ''), $5, $6, $7, $8, $9, NULLIF($10, '') FROM feed_lock`
	_, err := tx.ExecContext(ctx, q, keyID, v.KeyName, string(v.Role), requestid.From(ctx), action, entityType, id, nullJSON(before), nullJSON(after), reason)
	return err
}

// nullJSON is a jsonb parameter: NULL, or the JSON as text (a []byte
// parameter would go in binary format, which jsonb reads differently; see
// driverDefaults in internal/dbconn).
func nullJSON(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// audited runs change on the row of table with id and records the row
// before and after it.
func audited(ctx context.Context, tx *sqlx.Tx, action, table, entityType string, id int64, change func() error) error {
	return auditedChange(ctx, tx, table, id, action, entityType, id, "", change)
}

// idempotent creates through create unless the caller's API key already
// used key; then it returns the first result's id, with replayed set. The
// key is claimed first, so a concurrent retry waits for the first attempt
// and then sees its result. Reusing a key for different input is CONFLICT.
func idempotent(ctx context.Context, tx *sqlx.Tx, key *string, action, entityType string, input any,
	create func() (int64, error)) (id int64, replayed bool, err error) {
	if key == nil {
		id, err = create()
		return id, false, err
	}
	v := viewer.From(ctx)
	b, _ := json.Marshal(input)
	hash := sha256.Sum256(append([]byte(action+"\x00"), b...))
	const claim = `
INSERT INTO idempotency_keys (api_key_id, key, action, request_hash, entity_type, entity_id)
VALUES ($1, $2, $3, $4, $5, 0) ON CONFLICT DO NOTHING`
	res, err := tx.ExecContext(ctx, claim, v.KeyID, *key, action, hash[:], entityType)
	if err != nil {
		return 0, false, err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		if id, err = create(); err != nil {
			return 0, false, err
		}
		_, err = tx.ExecContext(ctx, `UPDATE idempotency_keys SET entity_id = $3 WHERE api_key_id = $1 AND key = $2`, v.KeyID, *key, id)
		return id, false, err
	}
	var prior struct {
		Action string `db:"action"`
		Hash   []byte `db:"request_hash"`
		ID     int64  `db:"entity_id"`
	}
	const get = `SELECT action, request_hash, entity_id FROM idempotency_keys WHERE api_key_id = $1 AND key = $2`
	if err := tx.GetContext(ctx, &prior, get, v.KeyID, *key); err != nil {
		return 0, false, err
	}
	if prior.Action != action || string(prior.Hash) != string(hash[:]) {
		return 0, false, apperr.Conflict("input.idempotencyKey", "was used for a different request")
	}
	return prior.ID, true, nil
}

// versioned turns "no row updated" into NOT_FOUND (no such row) or
// CONFLICT (the row's version moved on since the client read it).
func versioned(ctx context.Context, tx *sqlx.Tx, table string, id int64, updated int64) error {
	if updated == 1 {
		return nil
	}
	var exists bool
	if err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM `+pq.QuoteIdentifier(table)+` WHERE id = $1)`, id); err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("%s %d: %w", table, id, apperr.ErrNotFound)
	}
	return fmt.Errorf("%s %d: %w", table, id, apperr.Conflict("input.expectedVersion", "the record changed since this version was read; reload it"))
}

// requireRows checks that every (table, id) exists, reporting a missing
// reference as an input problem on its field.
func requireRows(ctx context.Context, tx *sqlx.Tx, refs ...reference) error {
	problems := &apperr.InputError{}
	for _, r := range refs {
		if r.id == nil {
			continue
		}
		var exists bool
		if err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM `+pq.QuoteIdentifier(r.table)+` WHERE id = $1)`, *r.id); err != nil {
			return err
		}
		if !exists {
			problems.Add(r.field, "refers to nothing")
		}
	}
	if err := problems.Err(); err != nil {
		return err
	}
	for _, r := range refs {
		if r.id == nil || !r.attach {
			continue
		}
		var archived bool
		if err := tx.GetContext(ctx, &archived, `SELECT archived_at IS NOT NULL FROM `+pq.QuoteIdentifier(r.table)+` WHERE id = $1`, *r.id); err != nil {
			return err
		}
		if archived {
			return apperr.Conflict(r.field, "refers to an archived record; unarchive it first")
		}
	}
	return nil
}

// reference is an input field that points at a row of table by id
// (input.universityId, input.sectorIds[2]); nil when the input leaves it
// out. requireRows reports the ones that point at nothing.
type reference struct {
	field, table string
	id           *int64
	// attach: the write attaches something to the row, which therefore
	// must not be archived (CONFLICT naming the field). Only for tables
	// with archived_at.
	attach bool
}

// ref is the reference of a required id.
func ref(field, table string, id int64) reference {
	return reference{field: field, table: table, id: &id}
}

// active is the reference of a required id that a write attaches
// something to: it must exist and not be archived.
func active(field, table string, id int64) reference {
	return reference{field: field, table: table, id: &id, attach: true}
}

// optActive is active for an optional id.
func optActive(field, table string, id *int64) reference {
	return reference{field: field, table: table, id: id, attach: true}
}

// opt is the reference of an optional id.
func opt(field, table string, id *int64) reference {
	return reference{field: field, table: table, id: id}
}
