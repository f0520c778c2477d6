package dbconn_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"startupgraph/internal/dbconn"
	"startupgraph/internal/requestid"
	"startupgraph/internal/testdb"
)

// TestCancelledStatementStopsInPostgreSQL: cancelling a statement's context
// returns at once and leaves nothing running in PostgreSQL (lib/pq sends a
// cancel request; the cut connection is not pooled).
func TestCancelledStatementStopsInPostgreSQL(t *testing.T) {
	s := openPool(t, testdb.URL(t, testdb.Empty), dbconn.Config{MaxOpen: 8, MaxIdle: 8})
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
// when the pool cuts a socket and lib/pq's cancel request does not get
// through), PostgreSQL stops the statement within about a second
// (client_connection_check_interval) instead of running it to its end.
func TestStatementOfAVanishedClientStops(t *testing.T) {
	direct := testdb.URL(t, testdb.Empty)
	dsn, proxy := testdb.Proxied(t, direct)
	s := openPool(t, dsn, dbconn.Config{MaxOpen: 2, MaxIdle: 2})
	observer := openPool(t, direct, dbconn.Config{MaxOpen: 1, MaxIdle: 1})
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
func sleepInPostgreSQL(t *testing.T, ctx context.Context, s, observer *sqlx.DB) (running func() int, done <-chan error) {
	t.Helper()
	marker := "sleep-probe-" + requestid.New()[:12]
	running = func() int { t.Helper(); return activeWith(t, observer, marker) }
	errs := make(chan error, 1)
	go func() {
		_, err := s.ExecContext(ctx, fmt.Sprintf(`SELECT pg_sleep(20) /* %s */`, marker))
		errs <- err
	}()
	testdb.Eventually(t, 5*time.Second, "the statement to start", func() bool { return running() == 1 })
	return running, errs
}

// TestStatementGrace: under dbconn.WithStatementGrace, a statement running
// when its context is cancelled finishes and keeps its connection (the
// same backend answers next), one that outlives the grace is cancelled
// at the grace's end, and at the context's deadline a statement is
// cancelled at once, grace or not.
func TestStatementGrace(t *testing.T) {
	const slack = time.Second // a busy machine
	s := openPool(t, testdb.URL(t, testdb.Empty), dbconn.Config{MaxOpen: 1, MaxIdle: 1})
	observer := openPool(t, testdb.URL(t, testdb.Empty), dbconn.Config{MaxOpen: 8, MaxIdle: 8})
	backend := func() int {
		t.Helper()
		var pid int
		if err := s.GetContext(context.Background(), &pid, `SELECT pg_backend_pid()`); err != nil {
			t.Fatal(err)
		}
		return pid
	}

	t.Run("short statement finishes", func(t *testing.T) {
		pid := backend()
		ctx, cancel := context.WithCancel(dbconn.WithStatementGrace(context.Background(), 5*time.Second))
		defer cancel()
		marker := "grace-short-" + requestid.New()[:12]
		done := make(chan error, 1)
		go func() {
			_, err := s.ExecContext(ctx, fmt.Sprintf(`SELECT pg_sleep(0.5) /* %s */`, marker))
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
		ctx, cancel := context.WithCancel(dbconn.WithStatementGrace(context.Background(), grace))
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
		ctx, cancel := context.WithTimeout(dbconn.WithStatementGrace(context.Background(), 10*time.Second), deadline)
		defer cancel()
		start := time.Now()
		_, err := s.ExecContext(ctx, `SELECT pg_sleep(20)`)
		took := time.Since(start)
		t.Logf("returned after %v: %v", took.Round(time.Millisecond), err)
		if !errors.Is(err, context.DeadlineExceeded) || took > deadline+slack {
			t.Errorf("returned after %v with %v; want context.DeadlineExceeded at the %v deadline", took, err, deadline)
		}
	})
}

// activeWith counts the statements running whose text holds marker.
func activeWith(t *testing.T, observer *sqlx.DB, marker string) int {
	t.Helper()
	var n int
	q := `SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%' || $1 || '%'`
	if err := observer.GetContext(context.Background(), &n, q, marker); err != nil {
		t.Fatal(err)
	}
	return n
}
