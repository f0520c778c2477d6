package server

import (
	"context"
	"net/http"
	"runtime"
	"time"

	"startupgraph/internal/telemetry"
)

// Throttled is a request's admission record: that admitOperation refused
// it for its rate limit (429) or because too many costly queries were
// running (503), and when to retry, which the transport answers with;
// and what the request must give back when it ends (a slot of the
// heavy-query lane).
type Throttled struct {
	RetryAfter time.Duration
	// Status is the HTTP status of the refusal when RetryAfter is set.
	Status  int
	release func()
}

// Release gives back what the request held; throttle calls it once the
// response is written.
func (t *Throttled) Release() {
	if t.release != nil {
		t.release()
		t.release = nil
	}
}

type throttledKey struct{}

// WithThrottleSignal returns a context in which admission, called from
// inside the GraphQL executor, can record a refusal for the transport and
// hold a heavy-query slot until Release.
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
	metrics *telemetry.Metrics // nil: not measured
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
// query is cheap, or the request has no signal to give it back through
// (it did not come through throttle). It
// reports false when no slot freed up within Wait.
func (l *HeavyLane) enter(ctx context.Context, cost int) bool {
	t := signal(ctx)
	if l == nil || cost < l.MinCost || t == nil {
		return true
	}
	start := time.Now()
	timer := time.NewTimer(l.Wait)
	defer timer.Stop()
	select {
	case l.slots <- struct{}{}:
		l.metrics.HeavyWait(time.Since(start), true)
		t.release = func() { <-l.slots }
		return true
	case <-timer.C:
	case <-ctx.Done():
	}
	l.metrics.HeavyWait(time.Since(start), false)
	t.RetryAfter, t.Status = time.Second, http.StatusServiceUnavailable
	return false
}
