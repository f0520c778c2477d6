package graph

import (
	"context"
	"net/http"
	"net/netip"
	"testing"
	"time"
)

func TestRateLimitRefills(t *testing.T) {
	clock := time.Unix(0, 0)
	l := &RateLimit{Points: 10, Window: 10 * time.Second, now: func() time.Time { return clock }}
	for i := 0; i < 10; i++ {
		if ok, _ := l.take(1, 1); !ok {
			t.Fatalf("point %d refused", i)
		}
	}
	ok, after := l.take(1, 1)
	if ok || after != time.Second {
		t.Fatalf("11th point: ok=%v retryAfter=%s, want refused and 1s", ok, after)
	}
	if ok, _ := l.take(2, 5); !ok {
		t.Error("another key was slowed by the first")
	}
	clock = clock.Add(3 * time.Second) // 3 points back
	for i := 0; i < 3; i++ {
		if ok, _ := l.take(1, 1); !ok {
			t.Errorf("refilled point %d refused", i)
		}
	}
	if ok, _ := l.take(1, 1); ok {
		t.Error("took more than refilled")
	}
	if ok, _ := l.take(0, 1000); !ok {
		t.Error("requests without a key are not rate limited here")
	}
}

func TestHeavyLane(t *testing.T) {
	l := NewHeavyLane(100, 2, 20*time.Millisecond)
	request := func() (context.Context, *Throttled) { return WithThrottleSignal(context.Background()) }

	cheapCtx, cheap := request()
	if !l.enter(cheapCtx, 99) || cheap.release != nil {
		t.Fatal("a cheap query took a slot")
	}
	ctx1, r1 := request()
	ctx2, r2 := request()
	if !l.enter(ctx1, 100) || !l.enter(ctx2, 5000) {
		t.Fatal("the lane refused its first two costly queries")
	}
	ctx3, r3 := request()
	start := time.Now()
	if l.enter(ctx3, 100) {
		t.Fatal("a third costly query got in while two ran")
	}
	if waited := time.Since(start); waited < 20*time.Millisecond {
		t.Errorf("refused after %s, before the wait", waited)
	}
	if r3.Status != http.StatusServiceUnavailable || r3.RetryAfter != time.Second {
		t.Errorf("refusal signalled as %d after %s", r3.Status, r3.RetryAfter)
	}
	if !l.enter(cheapCtx, 1) {
		t.Error("a cheap query waited for the full lane")
	}
	r1.Release()
	r1.Release() // twice is harmless
	ctx4, r4 := request()
	if !l.enter(ctx4, 100) {
		t.Error("a freed slot was not reused")
	}
	r2.Release()
	r4.Release()
	if len(l.slots) != 0 {
		t.Errorf("%d slots still held", len(l.slots))
	}
	if !(*HeavyLane)(nil).enter(ctx3, 1<<30) {
		t.Error("no lane refused a query")
	}
	if !l.enter(context.Background(), 1<<30) {
		t.Error("a request without the HTTP layer's signal was refused")
	}
}

// TestAnonymousBudgetPerAddress: without a key, each client address has
// its own budget (an IPv6 /64 counts as one), keys are untouched by it,
// and the addresses kept are bounded.
func TestAnonymousBudgetPerAddress(t *testing.T) {
	clock := time.Unix(0, 0)
	l := &RateLimit{Points: 100, AnonymousPoints: 3, Window: time.Hour, now: func() time.Time { return clock }}
	at := func(addr string) context.Context {
		return WithClientAddr(context.Background(), netip.MustParseAddr(addr))
	}
	for i := range 3 {
		if ok, _ := l.spend(at("192.0.2.7"), 0, 1); !ok {
			t.Fatalf("anonymous query %d refused", i)
		}
	}
	if ok, after := l.spend(at("192.0.2.7"), 0, 1); ok || after != 1200*time.Second {
		t.Errorf("4th anonymous point: ok=%v retryAfter=%s, want refused and 20m", ok, after)
	}
	if ok, _ := l.spend(at("::ffff:192.0.2.7"), 0, 1); ok {
		t.Error("the same IPv4 address mapped into IPv6 got a fresh budget")
	}
	if ok, _ := l.spend(at("192.0.2.8"), 0, 1); !ok {
		t.Error("another address was slowed by the first")
	}
	if ok, _ := l.spend(at("192.0.2.7"), 42, 50); !ok {
		t.Error("a key from the same address was slowed by its anonymous budget")
	}
	if ok, _ := l.spend(at("2001:db8:1:2::1"), 0, 3); !ok {
		t.Fatal("an IPv6 client was refused")
	}
	if ok, _ := l.spend(at("2001:db8:1:2:ffff::9"), 0, 1); ok {
		t.Error("another address in the same /64 got a fresh budget")
	}
	if ok, _ := l.spend(context.Background(), 0, 1000); !ok {
		t.Error("a request with no client address (not from the network) was limited")
	}
	for i := range 2 * maxAnonymousClients {
		l.spend(at(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}).String()), 0, 1)
	}
	if n := l.anonymous.Len(); n > maxAnonymousClients {
		t.Errorf("%d client addresses kept, bound %d", n, maxAnonymousClients)
	}
}
