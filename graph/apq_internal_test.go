package graph

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"testing"

	"startupgraph/internal/testdb"
	"startupgraph/internal/viewer"
)

// TestPersistedQueriesFromTheStore: a query another process registered
// is found in the store and kept in the LRU of its kind; a row whose
// query is not the one its hash stands for is not run; a hash not in
// lowercase hex is not looked up.
func TestPersistedQueriesFromTheStore(t *testing.T) {
	s := testdb.Store(t, testdb.Empty)
	ctx := context.Background()
	hashOf := func(q string) string { sum := sha256.Sum256([]byte(q)); return hex.EncodeToString(sum[:]) }
	other := newPersistedQueries(s, nil, 10).Cache.(persistedQueries)
	here := newPersistedQueries(s, nil, 10).Cache.(persistedQueries)

	q := `{ __typename }`
	other.Add(viewer.With(ctx, viewer.Viewer{Role: viewer.Analyst, KeyID: 1}), hashOf(q), q)
	if got, ok := here.Get(ctx, hashOf(q)); !ok || got != q {
		t.Fatalf("registered by another process: %q %v", got, ok)
	}
	if !here.keyed.Contains(hashOf(q)) || here.anonymous.Contains(hashOf(q)) {
		t.Error("a keyed registration was not kept among the keyed ones")
	}

	db, err := sql.Open("postgres", s.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tampered := hashOf(`{ a }`)
	if _, err := db.Exec(`INSERT INTO persisted_queries (hash, query, keyed) VALUES ($1, '{ b }', false)`, tampered); err != nil {
		t.Fatal(err)
	}
	if got, ok := here.Get(ctx, tampered); ok {
		t.Errorf("a stored query that does not match its hash was returned: %q", got)
	}
	if _, ok := here.Get(ctx, "NOT-A-HASH"); ok {
		t.Error("a malformed hash was found")
	}
}
