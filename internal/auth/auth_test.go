package auth

import (
	"context"
	"errors"
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
	a := NewAuthenticator(s)
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
	if got := a.cache[h].expires; got.After(soon) {
		t.Errorf("cached until %v, past the key's expiry %v", got, soon)
	}
}
