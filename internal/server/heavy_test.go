package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"startupgraph/internal/apitest"
	"startupgraph/internal/config"
	"startupgraph/internal/store"
	"startupgraph/internal/testdb"
)

// TestHeavyQueryLane: with one slot for costly queries, a second costly
// query is refused with 503 and Retry-After after the lane's wait while
// the first runs, a cheap one is not held up, and the slot comes back
// when the first finishes. The first is made to run long by locking the
// table it reads.
func TestHeavyQueryLane(t *testing.T) {
	keys := apitest.New(t, testdb.Demo)
	cfg := config.Config{RequestTimeout: 10 * time.Second, HeavyQueryCost: 1000, MaxHeavyInFlight: 1, HeavyQueueWait: 100 * time.Millisecond}
	c := keys.WithConfig(cfg)
	costly := `{ startups(first: 100) { nodes { mentors(first: 10) { nodes { name } } } } }` // 100 × (1 + 10) = 1,100 nodes
	cheap := `{ sectors(first: 5) { nodes { key } } }`

	// Sequential costly queries all pass: each gives its slot back.
	for i := range 3 {
		if r := c.Do(t, costly, nil); r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("costly query %d alone: %d %+v", i, r.Status, r.Errors)
		}
	}

	db := testdb.Observer(t, keys.DSN)
	unlock := testdb.LockTable(t, db, "startups", "ACCESS EXCLUSIVE")

	var wg sync.WaitGroup
	var first apitest.Response
	wg.Add(1)
	go func() { defer wg.Done(); first = c.Do(t, costly, nil) }()
	// Wait until the first query is blocked on the lock, holding the slot.
	testdb.Eventually(t, 5*time.Second, "the first costly query to wait on the lock", func() bool {
		return testdb.WaitingOnLock(t, db) > 0
	})

	var n atomic.Int64
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"`+costly+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.Key)
	rec := c.Serve(req.WithContext(store.CountStatements(req.Context(), &n)))
	second := apitest.Decode(t, rec)
	second.Statements = n.Load()
	if second.Status != http.StatusServiceUnavailable || second.Code() != "SERVICE_UNAVAILABLE" || rec.Header().Get("Retry-After") != "1" {
		t.Errorf("second costly query: %d %q Retry-After %q", second.Status, second.Code(), rec.Header().Get("Retry-After"))
	}
	if second.Statements != 0 {
		t.Errorf("the refused query ran %d statements", second.Statements)
	}
	if r := c.Do(t, cheap, nil); r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Errorf("a cheap query was held up: %d %+v", r.Status, r.Errors)
	}

	unlock()
	wg.Wait()
	if first.Status != http.StatusOK || len(first.Errors) > 0 {
		t.Errorf("the first costly query: %d %+v", first.Status, first.Errors)
	}
	if r := c.Do(t, costly, nil); r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Errorf("the slot did not come back: %d %+v", r.Status, r.Errors)
	}
}
