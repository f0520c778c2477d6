package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"startupgraph/internal/apperr"
	"startupgraph/internal/store"
	"startupgraph/internal/testdb"
)

// proxiedStore opens a store on a fresh database reached through a proxy
// that the test can silence.
func proxiedStore(t *testing.T, pool store.PoolConfig) (*store.Store, *testdb.Proxy) {
	t.Helper()
	dsn, proxy := testdb.Proxied(t, testdb.URL(t, testdb.Empty))
	s, err := store.Open(context.Background(), dsn, pool)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, proxy
}

// TestSilentNetworkEndsStatementsAtTheirDeadline: when the network to
// PostgreSQL drops everything (lib/pq #620), a statement returns shortly
// after its context's deadline however it waits (on a pooled connection,
// in a handshake, in COMMIT), one without a deadline returns after the idle
// bound, and once the network is back the pool works again: no connection
// that was cut is reused.
func TestSilentNetworkEndsStatementsAtTheirDeadline(t *testing.T) {
	const deadline = time.Second
	const slack = 1500 * time.Millisecond // abortGrace (0.5 s) and a busy machine
	tests := []struct {
		name string
		pool store.PoolConfig
		// run starts the statement under ctx and silences the network
		// (with silence) at the point to test.
		run     func(ctx context.Context, s *store.Store, silence func()) error
		wantErr error
		within  time.Duration
	}{
		{"pooled connection", store.PoolConfig{MaxOpen: 4, MaxIdle: 4},
			func(ctx context.Context, s *store.Store, silence func()) error {
				silence()
				return s.Ping(ctx)
			}, context.DeadlineExceeded, deadline + slack},
		{"new connection's handshake", store.PoolConfig{MaxOpen: 4, MaxIdle: -1},
			func(ctx context.Context, s *store.Store, silence func()) error {
				silence()
				return s.Ping(ctx)
			}, context.DeadlineExceeded, deadline + slack},
		{"commit", store.PoolConfig{MaxOpen: 4, MaxIdle: 4},
			func(ctx context.Context, s *store.Store, silence func()) error {
				return s.Write(ctx, func(tx *sqlx.Tx) error {
					if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE t (x int)`); err != nil {
						return err
					}
					silence()
					return nil
				})
			}, context.DeadlineExceeded, deadline + slack},
		{"prepared statement", store.PoolConfig{MaxOpen: 1, MaxIdle: 1},
			func(ctx context.Context, s *store.Store, silence func()) error {
				// One connection: the second run uses the statement the
				// first prepared, and lib/pq waits for its cancel request.
				var n int
				if err := s.DB().QueryRowContext(ctx, `SELECT $1::int`, 1).Scan(&n); err != nil {
					return err
				}
				silence()
				return s.DB().QueryRowContext(ctx, `SELECT $1::int`, 2).Scan(&n)
			}, context.DeadlineExceeded, deadline + slack},
		{"no deadline: the idle bound", store.PoolConfig{MaxOpen: 4, MaxIdle: 4, IOTimeout: deadline},
			func(_ context.Context, s *store.Store, silence func()) error {
				silence()
				return s.Ping(context.Background())
			}, apperr.ErrUnavailable, deadline + slack},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, proxy := proxiedStore(t, tt.pool)
			warm, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := s.Ping(warm); err != nil {
				t.Fatal(err)
			}

			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			start := time.Now()
			err := tt.run(ctx, s, func() { proxy.SetBlackhole(true) })
			took := time.Since(start)
			t.Logf("returned after %v: %v", took.Round(time.Millisecond), err)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("err %v, want %v", err, tt.wantErr)
			}
			if took > tt.within {
				t.Errorf("returned after %v, want within %v", took, tt.within)
			}

			proxy.SetBlackhole(false)
			for i := range 8 { // more than the pool holds: every connection is fresh or sound
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				err := s.Ping(ctx)
				cancel()
				if err != nil {
					t.Fatalf("statement %d after the network came back: %v", i, err)
				}
			}
		})
	}
}
