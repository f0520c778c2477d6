package faulttest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"startupgraph/internal/apperr"
	"startupgraph/internal/globalid"
	"startupgraph/internal/localpg"
	"startupgraph/internal/store"
	"startupgraph/internal/testdb"
)

// TestStreamingReplica runs the store against a real streaming replica of
// this package's cluster (pg_basebackup -R), with two stores standing for
// two processes: a lagging replica (replay paused) is taken out of use by
// the lag rule alone, a write is waited for at most the bound and then
// fenced off in both processes, and reads come back to the replica once
// it has replayed. (make scale-test checks the same through two server
// processes over HTTP, and the primary killed.)
func TestStreamingReplica(t *testing.T) {
	const maxLag = 300 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "startupgraph-replica-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // the server's user must reach it
		t.Fatal(err)
	}
	replica, err := cluster.Replica(ctx, dir, localpg.Options{Ephemeral: true})
	if err != nil {
		_ = os.RemoveAll(dir)
		t.Fatalf("replica: %v", err)
	}
	t.Cleanup(func() { _ = replica.Stop(context.Background()) })
	replicaURL := replica.URL("faulttest")

	// This cluster commits asynchronously (it is a test cluster); the
	// stores' sessions commit synchronously, as read-your-writes needs.
	primaryURL := dsn + "&synchronous_commit=on"
	open := func() *store.Store {
		s, err := store.Open(ctx, primaryURL, store.PoolConfig{MaxOpen: 4, MaxIdle: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		if err := s.OpenReplicas(ctx, []string{replicaURL}, store.ReplicaOptions{MaxLag: maxLag, Interval: 20 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := open(), open()
	testdb.Eventually(t, 5*time.Second, "the replica in use", func() bool { return a.ReadsFromReplica() && b.ReadsFromReplica() })

	rep, err := sql.Open("postgres", replicaURL)
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	prim, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer prim.Close()
	pause := func() {
		t.Helper()
		if _, err := rep.ExecContext(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
			t.Fatal(err)
		}
		testdb.Eventually(t, 5*time.Second, "replay paused", func() bool {
			var state string
			return rep.QueryRowContext(ctx, `SELECT pg_get_wal_replay_pause_state()`).Scan(&state) == nil && state == "paused"
		})
	}
	resume := func() {
		t.Helper()
		if _, err := rep.ExecContext(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
			t.Fatal(err)
		}
	}
	defer rep.Exec(`SELECT pg_wal_replay_resume()`)

	// Idle, the replica stays in use past the bound: positions, not clocks.
	time.Sleep(2 * maxLag)
	if !a.ReadsFromReplica() {
		t.Fatal("the replica of an idle primary is out of use")
	}
	_, r0 := a.ReadCounts()
	if _, err := a.IDByKey(a.ForQuery(ctx), globalid.Sector, "fintech"); err != nil && !errors.Is(err, apperr.ErrNotFound) {
		t.Fatal(err)
	}
	if _, r1 := a.ReadCounts(); r1 != r0+1 {
		t.Errorf("a query's read was not counted on the replica (%d, then %d)", r0, r1)
	}

	t.Run("the lag rule alone", func(t *testing.T) {
		pause()
		if _, err := prim.ExecContext(ctx, `SELECT pg_logical_emit_message(false, 'faulttest', 'lag')`); err != nil {
			t.Fatal(err)
		}
		testdb.Eventually(t, 5*maxLag, "both processes to stop reading the lagging replica", func() bool {
			return !a.ReadsFromReplica() && !b.ReadsFromReplica()
		})
		resume()
		testdb.Eventually(t, 5*time.Second, "the replica back in use", func() bool { return a.ReadsFromReplica() && b.ReadsFromReplica() })
	})

	t.Run("a write waited for, then fenced off everywhere", func(t *testing.T) {
		pause()
		code := fmt.Sprintf("FT%d", time.Now().UnixNano()%1_000_000)
		if _, err := a.CreateMarket(ctx, store.NewMarket{NodeBase: store.NodeBase{Key: strings.ToLower("ft-" + code), NameKo: "시험 " + code, NameEn: "Test " + code}, Kind: "REGION", Code: code}); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		a.AwaitReplicas(ctx)
		waited := time.Since(start)
		if waited < maxLag-50*time.Millisecond || waited > maxLag+time.Second {
			t.Errorf("AwaitReplicas returned after %s; the bound is %s", waited, maxLag)
		}
		if a.ReadsFromReplica() || b.ReadsFromReplica() {
			t.Errorf("after the wait, the replica is in use: process a %v, process b %v", a.ReadsFromReplica(), b.ReadsFromReplica())
		}
		if _, err := b.IDByKey(b.ForQuery(ctx), globalid.Market, code); err != nil {
			t.Errorf("process b's query does not read the write: %v", err)
		}
		resume()
		testdb.Eventually(t, 5*time.Second, "the replica back in use", func() bool { return a.ReadsFromReplica() && b.ReadsFromReplica() })
		_, r0 := b.ReadCounts()
		if _, err := b.IDByKey(b.ForQuery(ctx), globalid.Market, code); err != nil {
			t.Errorf("the replica, back, lacks the write: %v", err)
		}
		if _, r1 := b.ReadCounts(); r1 != r0+1 {
			t.Error("the read after the replica came back was not on it")
		}
	})

	t.Run("a write the replica replays is waited for briefly", func(t *testing.T) {
		code := fmt.Sprintf("FU%d", time.Now().UnixNano()%1_000_000)
		if _, err := a.CreateMarket(ctx, store.NewMarket{NodeBase: store.NodeBase{Key: strings.ToLower("fu-" + code), NameKo: "시험 " + code, NameEn: "Test " + code}, Kind: "REGION", Code: code}); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		a.AwaitReplicas(ctx)
		if d := time.Since(start); d > maxLag/2 {
			t.Errorf("AwaitReplicas took %s for a replica that replays", d)
		}
		if _, err := b.IDByKey(b.ForQuery(ctx), globalid.Market, code); err != nil || !b.ReadsFromReplica() {
			t.Errorf("process b, reading the replica (%v), does not read the write: %v", b.ReadsFromReplica(), err)
		}
	})
}
