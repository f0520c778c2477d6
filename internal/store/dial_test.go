package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"startupgraph/internal/apperr"
	"startupgraph/internal/requestid"
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

// TestCancelledStatementStopsInPostgreSQL: cancelling a statement's context
// returns at once and leaves nothing running in PostgreSQL (lib/pq sends a
// cancel request; the cut connection is not pooled).
func TestCancelledStatementStopsInPostgreSQL(t *testing.T) {
	s := testdb.Store(t, testdb.Empty)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	running, done := sleepInPostgreSQL(t, ctx, s, s)

	cancel()
	start := time.Now()
	select {
	case err := <-done:
		t.Logf("returned %v after cancel: %v", time.Since(start).Round(time.Millisecond), err)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err %v, want context.Canceled", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the statement did not return within 2 s of its context's cancellation")
	}
	testdb.Eventually(t, 2*time.Second, "the statement to stop in PostgreSQL", func() bool { return running() == 0 })
	t.Logf("stopped in PostgreSQL %v after cancel", time.Since(start).Round(time.Millisecond))
}

// TestStatementOfAVanishedClientStops: when the connection to PostgreSQL
// is lost while a statement runs (here the network closes it; likewise
// when the store cuts a socket and lib/pq's cancel request does not get
// through), PostgreSQL stops the statement within about a second
// (client_connection_check_interval) instead of running it to its end.
func TestStatementOfAVanishedClientStops(t *testing.T) {
	direct := testdb.URL(t, testdb.Empty)
	dsn, proxy := testdb.Proxied(t, direct)
	s, err := store.Open(context.Background(), dsn, store.PoolConfig{MaxOpen: 2, MaxIdle: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	observer, err := store.Open(context.Background(), direct, store.PoolConfig{MaxOpen: 1, MaxIdle: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = observer.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	running, done := sleepInPostgreSQL(t, ctx, s, observer)

	proxy.SetDown(true)
	start := time.Now()
	if err := <-done; err == nil {
		t.Fatal("the statement succeeded though its connection was closed")
	}
	testdb.Eventually(t, 3*time.Second, "the statement to stop in PostgreSQL", func() bool { return running() == 0 })
	t.Logf("stopped in PostgreSQL %v after the connection closed", time.Since(start).Round(time.Millisecond))
}

// sleepInPostgreSQL starts a 20 s pg_sleep on s under ctx and waits until
// observer sees it run. running counts it in pg_stat_activity (through
// observer); done receives the statement's error.
func sleepInPostgreSQL(t *testing.T, ctx context.Context, s, observer *store.Store) (running func() int, done <-chan error) {
	t.Helper()
	marker := "sleep-probe-" + requestid.New()[:12]
	running = func() int { t.Helper(); return activeWith(t, observer, marker) }
	errs := make(chan error, 1)
	go func() {
		_, err := s.DB().ExecContext(ctx, fmt.Sprintf(`SELECT pg_sleep(20) /* %s */`, marker))
		errs <- err
	}()
	testdb.Eventually(t, 5*time.Second, "the statement to start", func() bool { return running() == 1 })
	return running, errs
}

// TestStatementGrace: under store.WithStatementGrace, a statement running
// when its context is cancelled finishes and keeps its connection (the
// same backend answers next), one that outlives the grace is cancelled
// at the grace's end, and at the context's deadline a statement is
// cancelled at once, grace or not.
func TestStatementGrace(t *testing.T) {
	const slack = time.Second // a busy machine
	s, err := store.Open(context.Background(), testdb.URL(t, testdb.Empty), store.PoolConfig{MaxOpen: 1, MaxIdle: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	observer := testdb.Store(t, testdb.Empty)
	backend := func() int {
		t.Helper()
		var pid int
		if err := s.DB().GetContext(context.Background(), &pid, `SELECT pg_backend_pid()`); err != nil {
			t.Fatal(err)
		}
		return pid
	}

	t.Run("short statement finishes", func(t *testing.T) {
		pid := backend()
		ctx, cancel := context.WithCancel(store.WithStatementGrace(context.Background(), 5*time.Second))
		defer cancel()
		marker := "grace-short-" + requestid.New()[:12]
		done := make(chan error, 1)
		go func() {
			_, err := s.DB().ExecContext(ctx, fmt.Sprintf(`SELECT pg_sleep(0.5) /* %s */`, marker))
			done <- err
		}()
		testdb.Eventually(t, 5*time.Second, "the statement to start", func() bool { return activeWith(t, observer, marker) == 1 })
		cancel()
		if err := <-done; err != nil {
			t.Errorf("a statement cancelled within its grace failed: %v", err)
		}
		if got := backend(); got != pid {
			t.Errorf("the connection was replaced: backend %d, was %d", got, pid)
		}
	})

	t.Run("long statement cancelled after the grace", func(t *testing.T) {
		const grace = 300 * time.Millisecond
		ctx, cancel := context.WithCancel(store.WithStatementGrace(context.Background(), grace))
		defer cancel()
		running, done := sleepInPostgreSQL(t, ctx, s, observer)
		cancel()
		start := time.Now()
		err := <-done
		took := time.Since(start)
		t.Logf("returned %v after cancel: %v", took.Round(time.Millisecond), err)
		if !errors.Is(err, context.Canceled) || took < grace || took > grace+slack {
			t.Errorf("returned %v after cancel with %v; want context.Canceled after the %v grace", took, err, grace)
		}
		testdb.Eventually(t, 2*time.Second, "the statement to stop in PostgreSQL", func() bool { return running() == 0 })
	})

	t.Run("deadline cancels at once", func(t *testing.T) {
		const deadline = 300 * time.Millisecond
		ctx, cancel := context.WithTimeout(store.WithStatementGrace(context.Background(), 10*time.Second), deadline)
		defer cancel()
		start := time.Now()
		_, err := s.DB().ExecContext(ctx, `SELECT pg_sleep(20)`)
		took := time.Since(start)
		t.Logf("returned after %v: %v", took.Round(time.Millisecond), err)
		if !errors.Is(err, context.DeadlineExceeded) || took > deadline+slack {
			t.Errorf("returned after %v with %v; want context.DeadlineExceeded at the %v deadline", took, err, deadline)
		}
	})
}

// activeWith counts the statements running whose text holds marker.
func activeWith(t *testing.T, observer *store.Store, marker string) int {
	t.Helper()
	var n int
	q := `SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%' || $1 || '%'`
	if err := observer.DB().GetContext(context.Background(), &n, q, marker); err != nil {
		t.Fatal(err)
	}
	return n
}
