package server

import (
	"context"
	"log/slog"
	"math"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"startupgraph/internal/store"
)

// Several server processes on one database share the budgets: the
// buckets live in PostgreSQL (migration 00029), and each process keeps a
// lease per budget, points it has reserved from the database's bucket
// and not spent yet. A request spends from the lease; only when the lease
// lacks the points does the process reserve a batch, in one statement.
// The batch grows as the client keeps spending (1, 2, 4, ... up to
// 1/64 of the budget), so a client that sends one query now and then
// reserves what it spends, and a busy one reserves once per many queries.
// A lease idle for leaseIdle, or older than leaseAge, is given back (the
// points it holds return to the bucket), all such leases in one
// statement.
//
// The bound: every point spent anywhere was taken from the database's
// bucket first, so N processes together spend at most one budget (plus
// its refill), as one process does. What a lease holds unspent is
// unavailable to the other processes until it is spent or given back: a
// client may be refused by one process while up to N-1 other processes
// each hold at most a batch of its budget, for at most leaseIdle after
// they last served it.
//
// When the database cannot be reached for this (an error or no answer
// within reserveTimeout), the process decides by its local buckets (the
// single-process limit, charged all along) for sharedDownFor before it
// asks again: while the database is away, each process allows at most
// one budget of its own.

// RateStore is where shared budgets live (store.Store).
type RateStore interface {
	TakeRateTokens(ctx context.Context, takes []store.RateTake) ([]store.RateGrant, error)
	GiveRateTokens(ctx context.Context, gives []store.RateGive) error
	PruneRateBuckets(ctx context.Context, window time.Duration, keep int) (int64, error)
}

const (
	// batchShare: a lease reserves at most 1/batchShare of its budget at
	// once.
	batchShare = 64
	// leaseIdle: a lease not spent from for this long is given back.
	leaseIdle = time.Second
	// leaseAge: a lease is given back at this age even while in use, so
	// no points stay away from the bucket for long.
	leaseAge = 10 * time.Second
	// settleEvery is how often idle leases are looked for.
	settleEvery = 250 * time.Millisecond
	// reserveTimeout bounds a reservation; past it the local bucket
	// decides.
	reserveTimeout = 500 * time.Millisecond
	// sharedDownFor is how long the local buckets decide after the
	// database failed a reservation.
	sharedDownFor = 2 * time.Second
	// refusedFor is how long a refusal from the database is repeated
	// locally, without asking it again (at most until the points are
	// there): a client hammering a spent budget costs one statement per
	// refusedFor per process.
	refusedFor = time.Second
	// pruneEvery is how often a process deletes the rows of budgets full
	// again, and maxRateBuckets how many rows the table keeps at most.
	pruneEvery     = time.Minute
	maxRateBuckets = 100_000
)

// budget is one shared bucket a request spends from: its name in the
// table and its size.
type budget struct {
	name string
	size int
}

// lease is what a process holds of one shared budget.
type lease struct {
	size   float64   // the budget's
	tokens float64   // reserved, not spent
	grant  float64   // how much the next reservation asks for
	taken  time.Time // first reservation
	used   time.Time // last spend or reservation
	// retryAt is when a refused budget will hold what was asked;
	// refusedUntil when to ask the database again.
	retryAt, refusedUntil time.Time
}

// shared is a RateLimit's leases of shared budgets.
type shared struct {
	store  RateStore
	logger *slog.Logger
	window time.Duration

	flights singleflight.Group

	mu        sync.Mutex
	leases    map[string]*lease
	downUntil time.Time
	settling  bool
	lastPrune time.Time
}

func newShared(s RateStore, logger *slog.Logger, window time.Duration) *shared {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &shared{store: s, logger: logger, window: window, leases: map[string]*lease{}}
}

// sharedAnswer is what spend decided: decided false when the local
// buckets must decide (the database is away).
type sharedAnswer struct {
	decided, ok bool
	retryAfter  time.Duration
}

// spend takes points from every one of budgets, or from none and says how
// long until they hold them.
func (s *shared) spend(budgets []budget, points int) sharedAnswer {
	need := float64(points)
	for attempt := 0; attempt < 8; attempt++ {
		now := time.Now()
		s.mu.Lock()
		if now.Before(s.downUntil) {
			s.mu.Unlock()
			return sharedAnswer{}
		}
		var short []budget
		var wait time.Duration
		for _, b := range budgets {
			l := s.lease(b, now)
			switch {
			case l.tokens >= need:
			case now.Before(l.refusedUntil):
				wait = max(wait, l.retryAt.Sub(now))
			default:
				short = append(short, b)
			}
		}
		if wait > 0 {
			s.mu.Unlock()
			return sharedAnswer{decided: true, retryAfter: roundUp(wait)}
		}
		if len(short) == 0 {
			for _, b := range budgets {
				l := s.leases[b.name]
				l.tokens -= need
				l.used = now
			}
			s.startSettler()
			s.mu.Unlock()
			return sharedAnswer{decided: true, ok: true}
		}
		takes := make([]store.RateTake, len(short))
		for i, b := range short {
			l := s.leases[b.name]
			want := need - l.tokens
			takes[i] = store.RateTake{Bucket: b.name, Size: float64(b.size), Window: s.window,
				Need: want, Want: math.Min(float64(b.size), math.Max(want, l.grant))}
		}
		s.mu.Unlock()
		// One reservation at a time per client: those who arrive
		// meanwhile wait for it and spend from what it brought.
		res := <-s.flights.DoChan(budgets[0].name, func() (any, error) { return nil, s.reserve(takes) })
		if res.Err != nil {
			return sharedAnswer{}
		}
	}
	// Outrun eight times by the client's other requests, which spent what
	// each reservation brought: it is spending as fast as it can.
	return sharedAnswer{decided: true, retryAfter: time.Second}
}

// lease returns the lease of b, a new empty one if there is none. s.mu
// is held.
func (s *shared) lease(b budget, now time.Time) *lease {
	l := s.leases[b.name]
	if l == nil {
		l = &lease{size: float64(b.size), taken: now, used: now}
		s.leases[b.name] = l
	}
	return l
}

// reserve asks the database for takes and adds what it grants to the
// leases; a refusal is remembered in the lease. An error (the database
// away) makes the local buckets decide for sharedDownFor.
func (s *shared) reserve(takes []store.RateTake) error {
	ctx, cancel := context.WithTimeout(context.Background(), reserveTimeout)
	defer cancel()
	grants, err := s.store.TakeRateTokens(ctx, takes)
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.startSettler() // it also clears the empty leases of a failed reservation
	if err != nil {
		if !now.Before(s.downUntil) {
			s.logger.Warn("rate limit: the shared budgets cannot be reached; each process limits on its own meanwhile", "err", err)
		}
		s.downUntil = now.Add(sharedDownFor)
		return err
	}
	for i, t := range takes {
		l := s.lease(budget{name: t.Bucket, size: int(t.Size)}, now)
		g := grants[i]
		l.used = now
		if g.Granted <= 0 {
			rate := t.Size / s.window.Seconds()
			l.retryAt = now.Add(time.Duration((t.Need - g.Tokens) / rate * float64(time.Second)))
			l.refusedUntil = minTime(l.retryAt, now.Add(refusedFor))
			continue
		}
		l.tokens += g.Granted
		l.grant = math.Min(math.Max(1, t.Size/batchShare), 2*t.Want)
	}
	return nil
}

// startSettler starts the goroutine that gives idle leases back, unless
// it runs. s.mu is held.
func (s *shared) startSettler() {
	if s.settling {
		return
	}
	s.settling = true
	go s.settle()
}

// settle gives back, every settleEvery, the leases idle for leaseIdle or
// older than leaseAge, and prunes the table every pruneEvery; it ends
// once no lease is left.
func (s *shared) settle() {
	t := time.NewTicker(settleEvery)
	defer t.Stop()
	for range t.C {
		now := time.Now()
		var gives []store.RateGive
		s.mu.Lock()
		for name, l := range s.leases {
			if now.Sub(l.used) < leaseIdle && now.Sub(l.taken) < leaseAge || now.Before(l.refusedUntil) {
				continue
			}
			if l.tokens > 0 {
				gives = append(gives, store.RateGive{Bucket: name, Points: l.tokens, Size: l.size})
			}
			delete(s.leases, name)
		}
		prune := now.Sub(s.lastPrune) >= pruneEvery
		if prune {
			s.lastPrune = now
		}
		s.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), reserveTimeout)
		if err := s.store.GiveRateTokens(ctx, gives); err != nil {
			// Lost: the budget is the smaller for it until it refills.
			s.logger.Warn("rate limit: unspent points could not be given back", "buckets", len(gives), "err", err)
		}
		if prune {
			if _, err := s.store.PruneRateBuckets(ctx, s.window, maxRateBuckets); err != nil {
				s.logger.Warn("rate limit: old budgets could not be pruned", "err", err)
			}
		}
		cancel()
		s.mu.Lock()
		if len(s.leases) == 0 {
			s.settling = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// roundUp is d in whole seconds, at least one: what Retry-After says.
func roundUp(d time.Duration) time.Duration {
	return max(time.Second, time.Duration(math.Ceil(d.Seconds()))*time.Second)
}
