package auth

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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
	if _, err := a.Authenticate(ctx, "Bearer "+key.Secret); !errors.Is(err, errInvalidKey) {
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
	for i := range 200 {
		k, _ := NewKey()
		if _, err := a.Authenticate(ctx, "Bearer "+k.Secret); !errors.Is(err, errInvalidKey) {
			t.Fatalf("unknown key %d: %v", i, err)
		}
	}
	if v, err := a.Authenticate(ctx, "Bearer "+real.Secret); err != nil || v.Role != viewer.Analyst {
		t.Errorf("a real key over a read-only session: %+v, %v", v, err)
	}
}

// TestLastUsedWrittenSparingly: a key in use records last_used_at at most
// once per touchEvery, not at every cache miss.
func TestLastUsedWrittenSparingly(t *testing.T) {
	ctx := context.Background()
	s := testdb.Store(t, testdb.Demo)
	a := NewAuthenticator(s, slog.New(slog.DiscardHandler))
	clock := time.Now()
	a.now = func() time.Time { return clock }
	key, _ := NewKey()
	created, err := s.CreateAPIKey(ctx, store.NewAPIKey{Name: "busy", Role: "ANALYST", Hash: key.Hash, Prefix: key.Prefix})
	if err != nil {
		t.Fatal(err)
	}
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
	if _, err := a.Authenticate(ctx, "Bearer "+key.Secret); err != nil {
		t.Fatal(err)
	}
	a.touches.Wait()
	first := lastUsed()
	for range 3 { // three cache misses within a minute
		clock = clock.Add(CacheTTL + time.Second)
		if _, err := a.Authenticate(ctx, "Bearer "+key.Secret); err != nil {
			t.Fatal(err)
		}
	}
	a.touches.Wait()
	if got := lastUsed(); !got.Equal(first) {
		t.Errorf("last_used_at rewritten within a minute: %v, then %v", first, got)
	}
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
		if _, err := a.Authenticate(ctx, "Bearer "+k.Secret); !errors.Is(err, errInvalidKey) {
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
