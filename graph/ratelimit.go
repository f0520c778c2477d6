package graph

import (
	"context"
	"math"
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

// Throttled carries, for the HTTP layer, that a request was refused for
// its rate limit and when to retry; the server answers it with 429.
type Throttled struct {
	RetryAfter time.Duration
}

type throttledKey struct{}

// WithThrottleSignal returns a context in which the GraphQL layer can
// report a rate-limit refusal to the HTTP layer.
func WithThrottleSignal(ctx context.Context) (context.Context, *Throttled) {
	t := &Throttled{}
	return context.WithValue(ctx, throttledKey{}, t), t
}

func signalThrottled(ctx context.Context, after time.Duration) {
	if t, ok := ctx.Value(throttledKey{}).(*Throttled); ok {
		t.RetryAfter = after
	}
}
