package auth

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"startupgraph/internal/model"
	"startupgraph/internal/store"
	"startupgraph/internal/testdb"
	"startupgraph/internal/viewer"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestKeyShape(t *testing.T) {
	k, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	if !wellFormed(k.Secret) || len(k.Secret) != keyLen || len(k.Hash) != 32 || k.Secret[:len(k.Prefix)] != k.Prefix {
		t.Errorf("key %q prefix %q", k.Secret, k.Prefix)
	}
	other, _ := NewKey()
	if other.Secret == k.Secret {
		t.Error("two keys are equal")
	}
	for _, bad := range []string{"", "sg_", k.Secret + "x", k.Secret[:len(k.Secret)-1], "xx" + k.Secret[2:], "sg_" + string(make([]byte, 43))} {
		if wellFormed(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestCache: a verified key is trusted for CacheTTL, so revocation takes
// effect within it; a cached key never outlives its expiry.
func TestCache(t *testing.T) {
	ctx := context.Background()
	s := testdb.Store(t, testdb.Demo)
	a := NewAuthenticator(s, slog.New(slog.DiscardHandler))
	clock := time.Now()
	a.now = func() time.Time { return clock }

	key, _ := NewKey()
	created, err := s.CreateAPIKey(ctx, store.NewAPIKey{Name: "cache test", Role: "ANALYST", Hash: key.Hash, Prefix: key.Prefix})
	if err != nil {
		t.Fatal(err)
	}
	v, err := a.Authenticate(ctx, "Bearer "+key.Secret)
	if err != nil || v.Role != viewer.Analyst || v.KeyID != created.ID {
		t.Fatalf("viewer %+v, err %v", v, err)
	}
	if _, err := s.RevokeAPIKey(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(CacheTTL - time.Second)
	if _, err := a.Authenticate(ctx, "Bearer "+key.Secret); err != nil {
		t.Errorf("within the TTL the cached key should still work: %v", err)
	}
	clock = clock.Add(2 * time.Second)
	if _, err := a.Authenticate(ctx, "Bearer "+key.Secret); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("after the TTL the revoked key still works: %v", err)
	}

	soon := time.Now().Add(5 * time.Second).Truncate(time.Microsecond) // PostgreSQL keeps microseconds
	short, _ := NewKey()
	if _, err := s.CreateAPIKey(ctx, store.NewAPIKey{Name: "short", Role: "ADMIN", Hash: short.Hash, Prefix: short.Prefix, ExpiresAt: &soon}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, "Bearer "+short.Secret); err != nil {
		t.Fatal(err)
	}
	h := Hash(short.Secret)
	if got, _ := a.known.Peek(h); got.expires.After(soon) {
		t.Errorf("cached until %v, past the key's expiry %v", got, soon)
	}
}

// TestUnknownKeysWriteNothing: verifying a key only reads. Over a
// read-only session (where any UPDATE fails, even one that matches no
// row) made-up keys are refused as such, and a real key still works.
func TestUnknownKeysWriteNothing(t *testing.T) {
	ctx := context.Background()
	dsn := testdb.URL(t, testdb.Demo)
	rw, err := store.Open(ctx, dsn, store.PoolConfig{MaxOpen: 2, MaxIdle: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	real, _ := NewKey()
	if _, err := rw.CreateAPIKey(ctx, store.NewAPIKey{Name: "real", Role: "ANALYST", Hash: real.Hash, Prefix: real.Prefix}); err != nil {
		t.Fatal(err)
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	ro, err := store.Open(ctx, dsn+sep+"default_transaction_read_only=on", store.PoolConfig{MaxOpen: 2, MaxIdle: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	a := NewAuthenticator(ro, slog.New(slog.DiscardHandler))
	defer a.Close() // before ro.Close: the real key's use is being recorded (and refused)
	for i := range 200 {
		k, _ := NewKey()
		if _, err := a.Authenticate(ctx, "Bearer "+k.Secret); !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("unknown key %d: %v", i, err)
		}
	}
	if v, err := a.Authenticate(ctx, "Bearer "+real.Secret); err != nil || v.Role != viewer.Analyst {
		t.Errorf("a real key over a read-only session: %+v, %v", v, err)
	}
}

// TestLastUsedWrittenSparingly: a key in use records last_used_at at most
// once per touchEvery, not at every cache miss. Two guards see to it: the
// UPDATE itself does not rewrite a value less than touchEvery old (by the
// database's clock), and the authenticator does not even send it when
// the key's last_used_at, or its own last record of it, is that recent.
func TestLastUsedWrittenSparingly(t *testing.T) {
	ctx := context.Background()

	t.Run("the UPDATE skips a recent value", func(t *testing.T) {
		s := testdb.Store(t, testdb.Demo)
		a := NewAuthenticator(s, slog.New(slog.DiscardHandler))
		defer a.Close()
		clock := time.Now()
		a.now = func() time.Time { return clock }
		key, created := createKey(t, s, "busy")
		lastUsed := func() time.Time {
			t.Helper()
			keys, err := s.ListAPIKeys(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range keys {
				if k.ID == created.ID && k.LastUsedAt != nil {
					return *k.LastUsedAt
				}
			}
			t.Fatal("last_used_at not recorded")
			return time.Time{}
		}
		authenticate(t, a, key)
		a.touches.Wait()
		first := lastUsed()
		// Only the fake clock moves (93 s), past touchEvery: the
		// authenticator sends an UPDATE, and the database, for which
		// well under a minute has passed, does not rewrite the value.
		for range 3 {
			clock = clock.Add(CacheTTL + time.Second)
			authenticate(t, a, key)
		}
		a.touches.Wait()
		if got := lastUsed(); !got.Equal(first) {
			t.Errorf("last_used_at rewritten within a minute: %v, then %v", first, got)
		}
	})

	t.Run("no UPDATE is sent for a recent use", func(t *testing.T) {
		// Over a read-only session every UPDATE the authenticator sends
		// fails and is logged, so the log counts them.
		_, rw, ro := readOnlyPair(t)
		key, created := createKey(t, rw, "busy")
		if err := rw.TouchAPIKey(ctx, created.ID, touchEvery); err != nil {
			t.Fatal(err)
		}
		var sent atomic.Int64
		a := NewAuthenticator(ro, slog.New(countTouchFailures{&sent}))
		defer a.Close()
		start := time.Now()
		clock := start
		a.now = func() time.Time { return clock }
		step := func(d time.Duration, want int64) {
			t.Helper()
			clock = clock.Add(d)
			authenticate(t, a, key)
			a.touches.Wait()
			if got := sent.Load(); got != want {
				t.Errorf("at +%v: %d UPDATEs sent in all, want %d", clock.Sub(start), got, want)
			}
		}
		step(0, 0)                    // last_used_at is fresh
		step(CacheTTL+time.Second, 0) // a cache miss 31 s later: still fresh
		step(CacheTTL, 1)             // 61 s: due (and it fails here)
		step(CacheTTL+time.Second, 1) // 92 s: the store still says 92 s ago, but this authenticator sent one 31 s ago
		step(touchEvery-CacheTTL, 2)  // 122 s: due again
	})
}

// TestConcurrentMissesShareOneLookup: requests that miss the cache for
// the same key at the same time wait for one lookup, and one record of
// its use, instead of each sending its own.
func TestConcurrentMissesShareOneLookup(t *testing.T) {
	ctx := context.Background()
	dsn, rw, ro := readOnlyPair(t)
	key, _ := createKey(t, rw, "popular")
	var touches atomic.Int64
	a := NewAuthenticator(ro, slog.New(countTouchFailures{&touches}))
	defer a.Close()

	// Hold the lookups on a lock until every request has missed the cache.
	db := testdb.Observer(t, dsn)
	unlock := testdb.LockTable(t, db, "api_keys", "ACCESS EXCLUSIVE")
	const n = 16
	var statements atomic.Int64
	var started, done sync.WaitGroup
	started.Add(n)
	done.Add(n)
	for range n {
		go func() {
			defer done.Done()
			started.Done()
			v, err := a.Authenticate(store.CountStatements(ctx, &statements), "Bearer "+key.Secret)
			if err != nil || v.Role != viewer.Analyst {
				t.Errorf("viewer %+v, err %v", v, err)
			}
		}()
	}
	started.Wait()
	testdb.Eventually(t, 5*time.Second, "a lookup to wait on the lock", func() bool {
		return testdb.WaitingOnLock(t, db) > 0
	})
	unlock()
	done.Wait()
	a.Close()
	if got := statements.Load(); got != 1 {
		t.Errorf("%d lookups for %d concurrent requests with one key, want 1", got, n)
	}
	if got := touches.Load(); got != 1 {
		t.Errorf("%d records of use sent, want 1", got)
	}
}

// TestAuthenticatorsLeakNoGoroutines: an authenticator runs no goroutine
// of its own once closed (the expirable LRUs it used to hold each ran a
// cleanup goroutine for ever).
func TestAuthenticatorsLeakNoGoroutines(t *testing.T) {
	s := testdb.Store(t, testdb.Demo)
	key, _ := createKey(t, s, "leak")
	before := runtime.NumGoroutine()
	for range 20 {
		a := NewAuthenticator(s, slog.New(slog.DiscardHandler))
		authenticate(t, a, key)
		a.Close()
	}
	testdb.Eventually(t, 5*time.Second, "the goroutines to end", func() bool {
		return runtime.NumGoroutine() <= before
	})
}

func createKey(t *testing.T, s *store.Store, name string) (Key, model.APIKey) {
	t.Helper()
	key, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	created, err := s.CreateAPIKey(context.Background(), store.NewAPIKey{Name: name, Role: "ANALYST", Hash: key.Hash, Prefix: key.Prefix})
	if err != nil {
		t.Fatal(err)
	}
	return key, created
}

func authenticate(t *testing.T, a *Authenticator, key Key) {
	t.Helper()
	if _, err := a.Authenticate(context.Background(), "Bearer "+key.Secret); err != nil {
		t.Fatal(err)
	}
}

// readOnlyPair opens two stores on one fresh database (at dsn): one that
// may write and one over read-only sessions.
func readOnlyPair(t *testing.T) (dsn string, rw, ro *store.Store) {
	t.Helper()
	dsn = testdb.URL(t, testdb.Demo)
	open := func(dsn string) *store.Store {
		s, err := store.Open(context.Background(), dsn, store.PoolConfig{MaxOpen: 8, MaxIdle: 8})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn, open(dsn), open(dsn + sep + "default_transaction_read_only=on")
}

// countTouchFailures counts the records of key use that failed.
type countTouchFailures struct{ n *atomic.Int64 }

func (h countTouchFailures) Enabled(context.Context, slog.Level) bool { return true }
func (h countTouchFailures) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h countTouchFailures) WithGroup(string) slog.Handler            { return h }
func (h countTouchFailures) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "could not record api key use" {
		h.n.Add(1)
	}
	return nil
}

// TestCacheBounded: more distinct made-up keys than the cache holds keep
// it bounded, and a key in use stays cached through the flood (before, the
// whole cache was wiped at 10,000 entries and every live key had to be
// looked up again).
func TestCacheBounded(t *testing.T) {
	ctx := context.Background()
	s := testdb.Store(t, testdb.Demo)
	a := NewAuthenticator(s, slog.New(slog.DiscardHandler))
	live, _ := NewKey()
	if _, err := s.CreateAPIKey(ctx, store.NewAPIKey{Name: "live", Role: "ANALYST", Hash: live.Hash, Prefix: live.Prefix}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, "Bearer "+live.Secret); err != nil {
		t.Fatal(err)
	}
	for i := range maxCached + 100 {
		k, _ := NewKey()
		if _, err := a.Authenticate(ctx, "Bearer "+k.Secret); !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("unknown key %d: %v", i, err)
		}
	}
	if n := a.refused.Len() + a.known.Len(); n > 2*maxCached {
		t.Errorf("%d cached keys", n)
	}
	var statements atomic.Int64
	if _, err := a.Authenticate(store.CountStatements(ctx, &statements), "Bearer "+live.Secret); err != nil {
		t.Fatal(err)
	}
	if n := statements.Load(); n != 0 {
		t.Errorf("the live key was looked up again (%d statements): the flood evicted it", n)
	}
}

// TestForget: a key forgotten (news of its change: Forget, or of lost
// news: ForgetAll) is looked up again at once, well within CacheTTL; an
// answer read before the news is not cached after it.
func TestForget(t *testing.T) {
	ctx := context.Background()
	s := testdb.Store(t, testdb.Demo)
	a := NewAuthenticator(s, slog.New(slog.DiscardHandler))
	clock := time.Now()
	a.now = func() time.Time { return clock }
	for _, forget := range []func(h [32]byte){
		func(h [32]byte) { a.Forget(h[:]) },
		func([32]byte) { a.ForgetAll() },
		func(h [32]byte) { a.Forget(h[:3]) }, // malformed news: forget all
	} {
		key, created := createKey(t, s, "forget")
		authenticate(t, a, key)
		if _, err := s.RevokeAPIKey(ctx, created.ID); err != nil {
			t.Fatal(err)
		}
		authenticate(t, a, key) // cached, no news yet
		forget(Hash(key.Secret))
		if _, err := a.Authenticate(ctx, "Bearer "+key.Secret); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("a revoked key forgotten still works: %v", err)
		}
	}
	// A lookup that began before the news does not cache what it read.
	h := [32]byte{1}
	before := a.forgotten
	a.Forget(h[:])
	a.cache(h, cached{expires: clock.Add(CacheTTL)}, a.known, a.refused, before)
	if _, hit := a.known.Get(h); hit {
		t.Error("an answer read before the key was forgotten was cached")
	}
}
