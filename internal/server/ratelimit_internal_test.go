package server

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

// TestAnonymousBudgetPerIPv6Site: an IPv6 client cannot get a fresh
// budget by moving to another /64 of its /48: the /48 has sitePoints
// budgets in all, whichever of its /64s spend them, and a refusal spends
// nothing.
func TestAnonymousBudgetPerIPv6Site(t *testing.T) {
	clock := time.Unix(0, 0)
	l := &RateLimit{AnonymousPoints: 3, Window: time.Hour, now: func() time.Time { return clock }}
	at := func(addr netip.Addr) context.Context { return WithClientAddr(context.Background(), addr) }
	inSite := func(site [6]byte, subnet uint16) netip.Addr {
		var a [16]byte
		copy(a[:], site[:])
		a[6], a[7], a[15] = byte(subnet>>8), byte(subnet), 1
		return netip.AddrFrom16(a)
	}
	site := [6]byte{0x20, 0x01, 0x0d, 0xb8, 0, 1}
	spent := 0
	for subnet := range uint16(1000) {
		here := 0
		for {
			ok, after := l.spend(at(inSite(site, subnet)), 0, 1)
			if !ok {
				if after <= 0 {
					t.Errorf("refused with Retry-After %s", after)
				}
				break
			}
			here++
		}
		if subnet < sitePoints && here != 3 {
			t.Errorf("/64 %d of the site spent %d points, want its budget of 3", subnet, here)
		}
		spent += here
	}
	if want := sitePoints * 3; spent != want {
		t.Errorf("%d points spent by one /48 over 1,000 of its /64s, want %d", spent, want)
	}
	if ok, _ := l.spend(at(inSite([6]byte{0x20, 0x01, 0x0d, 0xb8, 0, 2}, 0)), 0, 3); !ok {
		t.Error("another /48 was slowed by the first")
	}
	// A /64 refused for its site's budget keeps its own points: once the
	// site has refilled (1/sitePoints of a window for one /64's worth),
	// a fresh /64 of it can spend its whole budget at once.
	clock = clock.Add(time.Hour / sitePoints)
	if ok, _ := l.spend(at(inSite(site, 999)), 0, 3); !ok {
		t.Error("a /64 whose earlier requests were refused lost points to the refusals")
	}
	if n := l.sites.Len(); n != 2 {
		t.Errorf("%d sites kept, want 2", n)
	}
}
