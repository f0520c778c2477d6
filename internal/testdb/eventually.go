package testdb

import (
	"testing"
	"time"
)

// Eventually polls cond every 20 ms until it holds, failing t after within;
// what names the awaited state in the failure.
func Eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	limit := time.After(within)
	for !cond() {
		select {
		case <-tick.C:
		case <-limit:
			t.Fatalf("waited %v for %s", within, what)
		}
	}
}
