package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"startupgraph/internal/apperr"
	"startupgraph/internal/globalid"
	"startupgraph/internal/store"
	"startupgraph/internal/testdb"
)

// These tests stand a second database of the same test cluster in for a
// replica: it is not a standby, so its WAL position is the cluster's own
// (never behind), which is enough to test routing, fallback and fences;
// lag and replay against a real streaming replica are `make scale-test`'s.
// The stand-in's rows differ from the primary's where a test needs to
// tell which database answered.

const testInterval = 20 * time.Millisecond

// openWithReplica opens a store on primary reading from replica.
func openWithReplica(t *testing.T, primary, replica string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), primary, store.PoolConfig{MaxOpen: 4, MaxIdle: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.OpenReplicas(context.Background(), []string{replica}, store.ReplicaOptions{Interval: testInterval}); err != nil {
		t.Fatal(err)
	}
	return s
}

func open(t *testing.T, url string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), url, store.PoolConfig{MaxOpen: 2, MaxIdle: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// primaryOnlyCode renames a market on the primary's database only and
// returns its new code: found there, not on the stand-in.
func primaryOnlyCode(t *testing.T, s *store.Store) string {
	t.Helper()
	if _, err := s.DB().Exec(`UPDATE markets SET code = 'ZZ' WHERE id = (SELECT min(id) FROM markets WHERE kind = 'COUNTRY')`); err != nil {
		t.Fatal(err)
	}
	return "ZZ"
}

// readsFrom reports which database answered a query operation's read of
// code: "primary" when it is found, "replica" when not.
func readsFrom(t *testing.T, s *store.Store, ctx context.Context, code string) string {
	t.Helper()
	_, err := s.IDByKey(ctx, globalid.Market, code)
	switch {
	case err == nil:
		return "primary"
	case errors.Is(err, apperr.ErrNotFound):
		return "replica"
	}
	t.Fatalf("read: %v", err)
	return ""
}

func TestQueriesReadFromReplica(t *testing.T) {
	s := openWithReplica(t, testdb.URL(t, testdb.Demo), testdb.URL(t, testdb.Demo))
	code := primaryOnlyCode(t, s)
	ctx := context.Background()

	p0, r0 := s.ReadCounts()
	if got := readsFrom(t, s, s.ForQuery(ctx), code); got != "replica" {
		t.Errorf("a query operation's read went to the %s", got)
	}
	if got := readsFrom(t, s, ctx, code); got != "primary" {
		t.Errorf("a read outside a query operation went to the %s", got)
	}
	p1, r1 := s.ReadCounts()
	if p1-p0 != 0 || r1-r0 != 1 {
		t.Errorf("read counts moved by primary %d, replica %d; want 0 and 1 (reads outside query operations are not counted)", p1-p0, r1-r0)
	}
	if !s.ReadsFromReplica() {
		t.Error("ReadsFromReplica is false with the replica in use")
	}
}

func TestQueriesWithoutReplicasReadPrimary(t *testing.T) {
	s := testdb.Store(t, testdb.Demo)
	code := primaryOnlyCode(t, s)
	ctx := s.ForQuery(context.Background())
	if got := readsFrom(t, s, ctx, code); got != "primary" {
		t.Errorf("read went to the %s", got)
	}
	if p, r := s.ReadCounts(); p != 1 || r != 0 {
		t.Errorf("read counts primary %d, replica %d; want 1 and 0", p, r)
	}
	s.AwaitReplicas(ctx) // no replicas: returns at once
}

func TestReplicaDownReadsPrimaryUntilBack(t *testing.T) {
	replicaURL, proxy := testdb.Proxied(t, testdb.URL(t, testdb.Demo))
	s := openWithReplica(t, testdb.URL(t, testdb.Demo), replicaURL)
	code := primaryOnlyCode(t, s)
	ctx := context.Background()
	if got := readsFrom(t, s, s.ForQuery(ctx), code); got != "replica" {
		t.Fatalf("before: read went to the %s", got)
	}

	proxy.SetDown(true)
	// At once, before the monitor has noticed: the read fails over.
	if got := readsFrom(t, s, s.ForQuery(ctx), code); got != "primary" {
		t.Errorf("replica down: read went to the %s", got)
	}
	if s.ReadsFromReplica() {
		t.Error("replica down: still in use after a read on it failed")
	}
	if got := readsFrom(t, s, s.ForQuery(ctx), code); got != "primary" {
		t.Errorf("replica down: next read went to the %s", got)
	}

	proxy.SetDown(false)
	testdb.Eventually(t, 5*time.Second, "the replica back in use", s.ReadsFromReplica)
	if got := readsFrom(t, s, s.ForQuery(ctx), code); got != "replica" {
		t.Errorf("replica back: read went to the %s", got)
	}
}

func TestPrimaryDownWritesFailFastReadsGoOn(t *testing.T) {
	primaryURL, proxy := testdb.Proxied(t, testdb.URL(t, testdb.Demo))
	replicaURL := testdb.URL(t, testdb.Demo)
	s := openWithReplica(t, primaryURL, replicaURL)
	ctx := context.Background()
	// a key on both (the stand-in does not replicate)
	hash := []byte("0123456789abcdef0123456789abcdef")
	for _, st := range []*store.Store{s, open(t, replicaURL)} {
		if _, err := st.CreateAPIKey(ctx, store.NewAPIKey{Name: "reader", Role: "ADMIN", Hash: hash, Prefix: "sg_test"}); err != nil {
			t.Fatal(err)
		}
	}

	proxy.SetDown(true)
	start := time.Now()
	_, err := s.CreateMarket(ctx, store.NewMarket{NodeBase: store.NodeBase{Key: "down", NameKo: "다운", NameEn: "Down"}, Kind: "REGION", Code: "DOWN"})
	if !errors.Is(err, apperr.ErrUnavailable) || time.Since(start) > 2*time.Second {
		t.Errorf("write with the primary down: %v after %s; want ErrUnavailable within 2s", err, time.Since(start))
	}
	start = time.Now()
	s.AwaitReplicas(ctx)
	if d := time.Since(start); d > time.Second {
		t.Errorf("AwaitReplicas with the primary down took %s", d)
	}
	if _, err := s.IDByKey(s.ForQuery(ctx), globalid.Market, "VN"); err != nil && !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("query read with the primary down: %v", err)
	}
	if _, err := s.LookupAPIKey(ctx, hash); err != nil {
		t.Errorf("key verification with the primary down: %v", err)
	}
	testdb.Eventually(t, 5*time.Second, "the monitor to see the primary down", func() bool {
		_, err := s.LookupAPIKey(ctx, hash) // then straight to the replica
		return err == nil && s.ReadsFromReplica()
	})
}

func TestFenceTakesReplicaOutInEveryProcess(t *testing.T) {
	primaryURL, replicaURL := testdb.URL(t, testdb.Demo), testdb.URL(t, testdb.Demo)
	a := openWithReplica(t, primaryURL, replicaURL)
	b := openWithReplica(t, primaryURL, replicaURL)
	code := primaryOnlyCode(t, a)
	ctx := context.Background()
	if got := readsFrom(t, b, b.ForQuery(ctx), code); got != "replica" {
		t.Fatalf("before: read went to the %s", got)
	}
	// A write that the replica has not replayed: a position far ahead.
	a.AnnounceFence(1 << 60)
	testdb.Eventually(t, 2*time.Second, "process b to take the replica out", func() bool { return !b.ReadsFromReplica() })
	if got := readsFrom(t, b, b.ForQuery(ctx), code); got != "primary" {
		t.Errorf("fenced: process b's read went to the %s", got)
	}
	if a.ReadsFromReplica() {
		t.Error("fenced: process a still reads from the replica")
	}
}
