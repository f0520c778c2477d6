package graph

import (
	"context"
	"math"
	"net/http"
	"runtime"
	"sync"
	"time"
)

// RateLimit spends each API key's query budget, as GitHub does: a key has
// Points per Window, refilled continuously, and a query costs max(1,
// nodes/100) points (its cost from costLimit). Each key has its own
// bucket, so one heavy client does not slow the others. Requests without
// a key are bounded by the cost limit and admission control instead.
type RateLimit struct {
	Points int
	Window time.Duration

	mu      sync.Mutex
	buckets map[int64]*bucket
	now     func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// take spends points from key's bucket, or reports how long until it
// could.
func (l *RateLimit) take(key int64, points int) (ok bool, retryAfter time.Duration) {
	if l == nil || l.Points <= 0 || key == 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if l.now != nil {
		now = l.now()
	}
	if l.buckets == nil {
		l.buckets = map[int64]*bucket{}
	}
	rate := float64(l.Points) / l.Window.Seconds()
	b, found := l.buckets[key]
	if !found {
		b = &bucket{tokens: float64(l.Points), last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(float64(l.Points), b.tokens+now.Sub(b.last).Seconds()*rate)
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
