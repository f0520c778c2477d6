package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"startupgraph/internal/store"
	"startupgraph/internal/testdb"
)

// TestRateBuckets: a bucket never seen is full; it grants what it holds
// only to a request it can serve; what is given back returns (never past
// its size); rows idle for a window, and the oldest past a count, are
// pruned.
func TestRateBuckets(t *testing.T) {
	s := testdb.Store(t, testdb.Empty)
	ctx := context.Background()
	take := func(bucket string, want, need float64) store.RateGrant {
		t.Helper()
		g, err := s.TakeRateTokens(ctx, []store.RateTake{{Bucket: bucket, Size: 10, Window: time.Hour, Want: want, Need: need}})
		if err != nil {
			t.Fatal(err)
		}
		return g[0]
	}
	if g := take("key:1", 4, 1); g.Granted != 4 || g.Tokens < 6 || g.Tokens > 6.01 {
		t.Errorf("a fresh bucket of 10 asked for 4: %+v", g)
	}
	if g := take("key:1", 8, 7); g.Granted != 0 || g.Tokens < 6 || g.Tokens > 6.01 {
		t.Errorf("asked for at least 7 of 6: %+v, want refused and 6 left", g)
	}
	if g := take("key:1", 8, 2); g.Granted < 6 || g.Granted > 6.01 || g.Tokens > 0.01 {
		t.Errorf("asked for 8, at least 2, of 6: %+v, want the 6", g)
	}
	if err := s.GiveRateTokens(ctx, []store.RateGive{{Bucket: "key:1", Points: 5, Size: 10}, {Bucket: "key:gone", Points: 5, Size: 10}}); err != nil {
		t.Fatal(err)
	}
	if g := take("key:1", 10, 1); g.Granted < 5 || g.Granted > 5.01 {
		t.Errorf("after 5 given back: %+v", g)
	}
	// Two buckets in one statement, answered in the order asked.
	gs, err := s.TakeRateTokens(ctx, []store.RateTake{
		{Bucket: "site:2001:db8::/48", Size: 40, Window: time.Hour, Want: 3, Need: 3},
		{Bucket: "addr:2001:db8::/64", Size: 10, Window: time.Hour, Want: 11, Need: 11},
	})
	if err != nil || gs[0].Granted != 3 || gs[1].Granted != 0 || gs[1].Tokens != 10 {
		t.Errorf("site and address: %+v %v", gs, err)
	}

	db := s.DB()
	for i := range 5 {
		take(fmt.Sprintf("addr:192.0.2.%d/32", i), 1, 1)
	}
	if _, err := db.Exec(`UPDATE rate_buckets SET updated_at = now() - interval '2 hours' WHERE bucket = 'key:1'`); err != nil {
		t.Fatal(err)
	}
	n, err := s.PruneRateBuckets(ctx, time.Hour, 3)
	if err != nil {
		t.Fatal(err)
	}
	var left int
	if err := db.Get(&left, `SELECT count(*) FROM rate_buckets`); err != nil {
		t.Fatal(err)
	}
	var idle int
	_ = db.Get(&idle, `SELECT count(*) FROM rate_buckets WHERE bucket = 'key:1'`)
	if left != 3 || idle != 0 || n != 5 {
		t.Errorf("pruned %d, %d rows left (key:1: %d), want 5 pruned, 3 left, the idle one gone", n, left, idle)
	}
}
