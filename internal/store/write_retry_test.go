package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"startupgraph/internal/apperr"
	"startupgraph/internal/store"
	"startupgraph/internal/testdb"
)

// TestWriteRetriesWholeTransactions: a serialization failure or deadlock
// reruns the whole transaction, at most maxAttempts times; what an aborted
// attempt wrote is gone.
func TestWriteRetriesWholeTransactions(t *testing.T) {
	s := testdb.Store(t, testdb.Demo)
	ctx := context.Background()
	for _, code := range []pq.ErrorCode{"40001", "40P01"} {
		attempts := 0
		err := s.Write(ctx, func(tx *sqlx.Tx) error {
			attempts++
			if _, err := tx.ExecContext(ctx, `INSERT INTO markets (key, code, kind, name_ko, name_en) VALUES ('retry-'||$1, 'R'||$1||'X', 'REGION', '재', 'Retry')`, attempts); err != nil {
				return err
			}
			if attempts < 3 {
				return &pq.Error{Code: code}
			}
			return nil
		})
		if err != nil || attempts != 3 {
			t.Fatalf("%s: err %v after %d attempts", code, err, attempts)
		}
		var keys []string
		if err := s.DB().SelectContext(ctx, &keys, `SELECT key FROM markets WHERE key LIKE 'retry-%' ORDER BY key`); err != nil {
			t.Fatal(err)
		}
		if len(keys) != 1 || keys[0] != "retry-3" {
			t.Errorf("%s: rows left %v, want only the last attempt's", code, keys)
		}
		if _, err := s.DB().ExecContext(ctx, `DELETE FROM markets WHERE key LIKE 'retry-%'`); err != nil {
			t.Fatal(err)
		}
	}

	attempts := 0
	err := s.Write(ctx, func(*sqlx.Tx) error { attempts++; return &pq.Error{Code: "40001"} })
	if attempts != store.MaxAttempts || !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("always failing: %d attempts, err %v; want %d and CONFLICT", attempts, err, store.MaxAttempts)
	}
	attempts = 0
	err = s.Write(ctx, func(*sqlx.Tx) error { attempts++; return &pq.Error{Code: "23505"} })
	if attempts != 1 || !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("unique violation: %d attempts (not retried), err %v", attempts, err)
	}
}
