package graph

import (
	"context"
	"math"
	"net/http"
	"net/netip"
	"runtime"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// RateLimit spends query budgets, as GitHub does: a client has Points
// per Window, refilled continuously, and a query costs max(1, nodes/100)
// points (its cost from costLimit). Each API key has its own bucket, so
// one heavy client does not slow the others. Requests without a key share
// a bucket per client address (AnonymousPoints per Window), as the HTTP
// layer determines it (WithClientAddr: the connection's peer, or what a
// trusted reverse proxy forwarded), an IPv6 address by its /64, which is
// what one host or home network usually gets.
type RateLimit struct {
	// Points is the budget of one API key (0: keys are not limited).
	Points int
	// AnonymousPoints is the budget of one client address without a key
	// (0: not limited).
	AnonymousPoints int
	Window          time.Duration

	mu      sync.Mutex
	buckets map[int64]*bucket
	// anonymous holds the buckets of client addresses, at most
	// maxAnonymousClients of them; one untouched for a Window is full
	// again, so it expires then, and forgetting it changes nothing.
	anonymous *expirable.LRU[netip.Prefix, *bucket]
	now       func() time.Time
}

// maxAnonymousClients bounds the client addresses whose budgets are kept;
// past it the least recently seen is forgotten (its budget starts full).
const maxAnonymousClients = 10000

type bucket struct {
	tokens float64
	last   time.Time
}

type clientAddrKey struct{}

// WithClientAddr records the address of the client a request came from,
// for the rate limit of requests without a key.
func WithClientAddr(ctx context.Context, addr netip.Addr) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// clientPrefix is the bucket of a client address: IPv4 addresses one by
// one, IPv6 addresses by their /64.
func clientPrefix(addr netip.Addr) netip.Prefix {
	addr = addr.Unmap()
	bits := 32
	if addr.Is6() {
		bits = 64
	}
	p, _ := addr.Prefix(bits)
	return p
}

// spend takes points from the budget of the request's API key, or of its
// client address when it has no key, or reports how long until it could.
func (l *RateLimit) spend(ctx context.Context, key int64, points int) (ok bool, retryAfter time.Duration) {
	if key != 0 {
		return l.take(key, points)
	}
	addr, _ := ctx.Value(clientAddrKey{}).(netip.Addr)
	return l.takeAnonymous(addr, points)
}

// take spends points from key's bucket, or reports how long until it
// could.
func (l *RateLimit) take(key int64, points int) (ok bool, retryAfter time.Duration) {
	if l == nil || l.Points <= 0 || key == 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[int64]*bucket{}
	}
	b, found := l.buckets[key]
	if !found {
		b = &bucket{tokens: float64(l.Points), last: l.clock()}
		l.buckets[key] = b
	}
	return b.take(l.clock(), l.Points, l.Window, points)
}

// takeAnonymous spends points from the bucket of a client address. A
// request with no known address (not from the network) is not limited.
func (l *RateLimit) takeAnonymous(addr netip.Addr, points int) (ok bool, retryAfter time.Duration) {
	if l == nil || l.AnonymousPoints <= 0 || !addr.IsValid() {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.anonymous == nil {
		l.anonymous = expirable.NewLRU[netip.Prefix, *bucket](maxAnonymousClients, nil, l.Window)
	}
	p := clientPrefix(addr)
	b, found := l.anonymous.Get(p)
	if !found {
		b = &bucket{tokens: float64(l.AnonymousPoints), last: l.clock()}
	}
	l.anonymous.Add(p, b) // (re)starts its expiry
	return b.take(l.clock(), l.AnonymousPoints, l.Window, points)
}

func (l *RateLimit) clock() time.Time {
	if l.now != nil {
		return l.now()
	}
	return time.Now()
}

// take refills b for the time since it was last used, at size per window,
// then spends points from it or reports how long until it could.
func (b *bucket) take(now time.Time, size int, window time.Duration, points int) (ok bool, retryAfter time.Duration) {
	rate := float64(size) / window.Seconds()
	b.tokens = math.Min(float64(size), b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens >= float64(points) {
		b.tokens -= float64(points)
		return true, 0
	}
	return false, time.Duration(math.Ceil((float64(points)-b.tokens)/rate)) * time.Second
}

// Throttled carries, for the HTTP layer, that the GraphQL layer refused a
// request for its rate limit (429) or because too many costly queries
// were running (503), and when to retry; it also holds what the request
// must give back when it ends (a slot of the heavy-query lane).
type Throttled struct {
	RetryAfter time.Duration
	// Status is the HTTP status of the refusal when RetryAfter is set.
	Status  int
	release func()
}

// Release gives back what the request held; the HTTP layer calls it once
// the response is written.
func (t *Throttled) Release() {
	if t.release != nil {
		t.release()
		t.release = nil
	}
}

type throttledKey struct{}

// WithThrottleSignal returns a context in which the GraphQL layer can
// report a refusal to the HTTP layer, and hold a heavy-query slot until
// the HTTP layer calls Release.
func WithThrottleSignal(ctx context.Context) (context.Context, *Throttled) {
	t := &Throttled{}
	return context.WithValue(ctx, throttledKey{}, t), t
}

func signal(ctx context.Context) *Throttled {
	t, _ := ctx.Value(throttledKey{}).(*Throttled)
	return t
}

func signalThrottled(ctx context.Context, after time.Duration) {
	if t := signal(ctx); t != nil {
		t.RetryAfter, t.Status = after, http.StatusTooManyRequests
	}
}

// HeavyLane bounds how many costly queries (cost at least MinCost nodes)
// execute at once. A fan-out over a thousand startups allocates tens of
// megabytes while it runs; with the lane, a crowd of them queues for a
// slot (at most Wait, then 503) instead of all holding memory and CPU at
// once, and cheap queries never wait for it.
type HeavyLane struct {
	MinCost int
	Wait    time.Duration
	slots   chan struct{}
}

// NewHeavyLane makes a lane of size slots, one per CPU when size is 0;
// nil (no lane) when minCost is 0.
func NewHeavyLane(minCost, size int, wait time.Duration) *HeavyLane {
	if minCost <= 0 {
		return nil
	}
	if size <= 0 {
		size = runtime.GOMAXPROCS(0)
	}
	return &HeavyLane{MinCost: minCost, Wait: wait, slots: make(chan struct{}, size)}
}

// enter takes a slot for a query of cost, unless the lane is off, the
// query is cheap, or the HTTP layer gave no way to give it back. It
// reports false when no slot freed up within Wait.
func (l *HeavyLane) enter(ctx context.Context, cost int) bool {
	t := signal(ctx)
	if l == nil || cost < l.MinCost || t == nil {
		return true
	}
	timer := time.NewTimer(l.Wait)
	defer timer.Stop()
	select {
	case l.slots <- struct{}{}:
		t.release = func() { <-l.slots }
		return true
	case <-timer.C:
	case <-ctx.Done():
	}
	t.RetryAfter, t.Status = time.Second, http.StatusServiceUnavailable
	return false
}
