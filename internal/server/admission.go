package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"startupgraph/internal/apperr"
	"startupgraph/internal/config"
	"startupgraph/internal/store"
	"startupgraph/internal/telemetry"
	"startupgraph/internal/viewer"
)

// Admission is decided in three places, all here:
//
//   - admit bounds the GraphQL requests that execute at once (in-flight
//     limit), before authentication and the transport;
//   - throttle gives each request its admission record (Throttled) and the
//     client's address, and gives back what the request held once it is
//     answered;
//   - admission.operation, called by the GraphQL layer's cost limit once
//     an operation's cost is known, spends the rate-limit budget and takes
//     a slot of the heavy-query lane.
//
// The transport answers a refusal with the status and Retry-After the
// record holds.

// admit bounds the GraphQL requests that execute at once. A request that
// finds no free slot within wait is answered at once with 503 and
// Retry-After, instead of queueing for a database connection until its
// deadline: under overload the service sheds load quickly and clearly.
// limit 0 admits everything.
func admit(limit int, wait time.Duration, metrics *telemetry.Metrics, next http.Handler) http.Handler {
	if limit <= 0 {
		return next
	}
	slots := make(chan struct{}, limit)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
		default:
			if !queue(r.Context(), slots, wait, metrics) {
				if r.Context().Err() != nil {
					return
				}
				metrics.CapacityRefused()
				w.Header().Set("Retry-After", "1")
				refuse(w, http.StatusServiceUnavailable, apperr.CodeUnavailable, "the server is at capacity; retry in a moment")
				return
			}
		}
		metrics.Admitted()
		defer func() { <-slots; metrics.Done() }()
		next.ServeHTTP(w, r)
	})
}

// queue waits up to wait for a slot, counted as queued meanwhile; false
// when none freed up or the client left.
func queue(ctx context.Context, slots chan struct{}, wait time.Duration, metrics *telemetry.Metrics) bool {
	metrics.Queued()
	defer metrics.Unqueued()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case slots <- struct{}{}:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

// admission admits operations by their cost: the rate limit of the key
// (or of the client address without a key), then the heavy-query lane.
// Either may be nil (off).
type admission struct {
	rate    *RateLimit
	heavy   *HeavyLane
	metrics *telemetry.Metrics
}

// newAdmission builds the rate limit and the heavy-query lane cfg asks for.
// With a store, the budgets are shared by every process on its database.
func newAdmission(cfg config.Config, metrics *telemetry.Metrics, s *store.Store, logger *slog.Logger) admission {
	a := admission{metrics: metrics}
	if cfg.RateLimitPoints > 0 || cfg.AnonymousPoints > 0 {
		a.rate = &RateLimit{Points: cfg.RateLimitPoints, AnonymousPoints: cfg.AnonymousPoints, Window: cfg.RateLimitWindow, Logger: logger}
		if s != nil {
			a.rate.Shared = s
		}
	}
	a.heavy = NewHeavyLane(cfg.HeavyQueryCost, cfg.MaxHeavyInFlight, cfg.HeavyQueueWait)
	if a.heavy != nil {
		a.heavy.metrics = metrics
	}
	return a
}

// operation is the graph.Admit of the service: it spends the request's
// rate-limit budget (RATE_LIMITED when spent, answered 429) and holds a
// costly operation until the heavy-query lane has room (503 after the
// lane's wait). Both refusals are recorded in the request's Throttled,
// which the transport answers with.
func (a admission) operation(ctx context.Context, cost int) *gqlerror.Error {
	if planning(ctx) {
		return nil // an export's check of its query: each page is admitted
	}
	v := viewer.From(ctx)
	if ok, after := a.rate.spend(ctx, v.KeyID, max(1, cost/100)); !ok {
		signalThrottled(ctx, after)
		a.metrics.RateLimited(v.KeyID != 0)
		return &gqlerror.Error{Message: fmt.Sprintf("the query budget of this key (without a key: of this address) is spent; retry in %s", after),
			Extensions: map[string]any{"code": string(apperr.CodeRateLimited), "retryAfterSeconds": int(after.Seconds())}}
	}
	if !a.heavy.enter(ctx, cost) {
		return &gqlerror.Error{Message: "too many costly queries are running; retry in a moment",
			Extensions: map[string]any{"code": string(apperr.CodeUnavailable), "cost": cost}}
	}
	return nil
}

// throttle gives the request its admission record (see Throttled) and
// the client's address (see clientAddr), for the rate limit of requests
// without a key; once the response is written it gives back the
// heavy-query slot the request held.
func throttle(trusted []netip.Prefix, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, signal := WithThrottleSignal(r.Context())
		if addr, name, ok := clientAddr(r, trusted); ok && addr.IsValid() {
			ctx = WithClientAddr(ctx, addr)
		} else if ok {
			ctx = WithClientName(ctx, name)
		}
		defer signal.Release()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
