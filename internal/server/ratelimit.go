package server

import (
	"context"
	"log/slog"
	"math"
	"net/netip"
	"strconv"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// RateLimit spends query budgets, as GitHub does: a client has Points
// per Window, refilled continuously, and a query costs max(1, nodes/100)
// points (its cost, from the GraphQL layer's cost limit). Each API key
// has its own bucket, so one heavy client does not slow the others.
// Requests without a key share a bucket per client address
// (AnonymousPoints per Window), as clientAddr determines it
// (WithClientAddr: the connection's peer, or what a trusted reverse proxy
// forwarded), an IPv6 address by its /64, which is
// what one host or home network usually gets. An IPv6 request also spends
// from the bucket of its /48 (sitePoints times as large): one site holds
// 65,536 /64s, and without it a client could take a fresh /64, and a fresh
// budget, for every request.
type RateLimit struct {
	// Points is the budget of one API key (0: keys are not limited).
	Points int
	// AnonymousPoints is the budget of one client address without a key
	// (0: not limited).
	AnonymousPoints int
	Window          time.Duration
	// Shared, when set, keeps the budgets in the database, shared by every
	// process on it (ratelimit_shared.go); the local buckets below then
	// decide only while it cannot be reached. Nil: this process's own.
	Shared RateStore
	// Logger is told when the shared budgets cannot be reached.
	Logger *slog.Logger

	sharedOnce sync.Once
	shared     *shared

	mu      sync.Mutex
	buckets map[int64]*bucket
	// anonymous holds the buckets of client addresses (IPv4 addresses and
	// IPv6 /64s, or names: WithClientName), sites those of IPv6 /48s, at most maxAnonymousClients
	// of each; past it the least recently used goes. A bucket untouched
	// for a Window is full again, so forgetting it changes nothing; a
	// client cycling through /64s keeps its /48's bucket in use, and in
	// its own cache, where the /64s do not evict it.
	anonymous *lru.Cache[client, *bucket]
	sites     *lru.Cache[netip.Prefix, *bucket]
	now       func() time.Time
}

// maxAnonymousClients bounds the client addresses whose budgets are kept;
// past it the least recently seen is forgotten (its budget starts full).
const maxAnonymousClients = 10000

// sitePoints is how many anonymous budgets one IPv6 /48 (a site: an
// organisation or a home given a /48) has in all: a few of its hosts can
// each use their own /64's budget, and cycling through its /64s gains no
// more than this many.
const sitePoints = 4

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

type clientNameKey struct{}

// WithClientName records, for a client a trusted proxy named by something
// other than an IP address (X-Forwarded-For: unknown, or an obfuscated
// name), that name: such clients get a budget per name, apart from the
// proxy's own address.
func WithClientName(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, clientNameKey{}, name)
}

// client is whom an anonymous bucket belongs to: an address prefix, or a
// name given instead of an address.
type client struct {
	prefix netip.Prefix
	name   string
}

// clientOf is the bucket of a client address, an IPv4 address on its own
// and an IPv6 one by its /64, and, for IPv6 only, its site's (its /48).
func clientOf(addr netip.Addr) (c client, site netip.Prefix) {
	addr = addr.Unmap()
	if addr.Is4() {
		c.prefix, _ = addr.Prefix(32)
		return c, netip.Prefix{}
	}
	c.prefix, _ = addr.Prefix(64)
	site, _ = addr.Prefix(48)
	return c, site
}

// spend takes points from the budget of the request's API key, or of its
// client when it has no key, or reports how long until it could. A
// request from no known client (not from the network) is not limited.
func (l *RateLimit) spend(ctx context.Context, key int64, points int) (ok bool, retryAfter time.Duration) {
	if l == nil {
		return true, 0
	}
	if key != 0 {
		if l.Points <= 0 {
			return true, 0
		}
		return l.decide([]budget{{name: "key:" + strconv.FormatInt(key, 10), size: l.Points}}, points, func() (bool, time.Duration) { return l.take(key, points) })
	}
	if l.AnonymousPoints <= 0 {
		return true, 0
	}
	if addr, _ := ctx.Value(clientAddrKey{}).(netip.Addr); addr.IsValid() {
		c, site := clientOf(addr)
		budgets := []budget{{name: "addr:" + c.prefix.String(), size: l.AnonymousPoints}}
		if site.IsValid() {
			budgets = append(budgets, budget{name: "site:" + site.String(), size: sitePoints * l.AnonymousPoints})
		}
		return l.decide(budgets, points, func() (bool, time.Duration) { return l.takeAnonymous(c, site, points) })
	}
	if name, _ := ctx.Value(clientNameKey{}).(string); name != "" {
		return l.decide([]budget{{name: "name:" + name, size: l.AnonymousPoints}}, points, func() (bool, time.Duration) {
			return l.takeAnonymous(client{name: name}, netip.Prefix{}, points)
		})
	}
	return true, 0
}

// decide spends points from the shared budgets when there are any, and
// from the local buckets too (take), so that they know what this process
// spent should the database become unreachable; then, or without shared
// budgets, the local buckets decide.
func (l *RateLimit) decide(budgets []budget, points int, take func() (bool, time.Duration)) (ok bool, retryAfter time.Duration) {
	if l.Shared == nil {
		return take()
	}
	l.sharedOnce.Do(func() { l.shared = newShared(l.Shared, l.Logger, l.Window) })
	a := l.shared.spend(budgets, points)
	if !a.decided {
		return take()
	}
	if a.ok {
		take() // charged; the shared budget has the say
	}
	return a.ok, a.retryAfter
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

// takeAnonymous spends points from the bucket of client c, and of its
// IPv6 site if it has one, or from neither when one of them lacks them.
func (l *RateLimit) takeAnonymous(c client, site netip.Prefix, points int) (ok bool, retryAfter time.Duration) {
	if l == nil || l.AnonymousPoints <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.anonymous == nil {
		l.anonymous, _ = lru.New[client, *bucket](maxAnonymousClients) // errors only for a size <= 0
		l.sites, _ = lru.New[netip.Prefix, *bucket](maxAnonymousClients)
	}
	now := l.clock()
	b := lookupBucket(l.anonymous, c, l.AnonymousPoints, now)
	b.refill(now, l.AnonymousPoints, l.Window)
	if !site.IsValid() {
		return b.spend(points, l.AnonymousPoints, l.Window)
	}
	sb := lookupBucket(l.sites, site, sitePoints*l.AnonymousPoints, now)
	sb.refill(now, sitePoints*l.AnonymousPoints, l.Window)
	if after := max(b.wait(points, l.AnonymousPoints, l.Window), sb.wait(points, sitePoints*l.AnonymousPoints, l.Window)); after > 0 {
		return false, after
	}
	b.tokens -= float64(points)
	sb.tokens -= float64(points)
	return true, 0
}

// lookupBucket returns the bucket of k in c, a full one of size if there
// is none.
func lookupBucket[K comparable](c *lru.Cache[K, *bucket], k K, size int, now time.Time) *bucket {
	b, found := c.Get(k)
	if !found {
		b = &bucket{tokens: float64(size), last: now}
		c.Add(k, b)
	}
	return b
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
	b.refill(now, size, window)
	return b.spend(points, size, window)
}

// refill adds what b gained since it was last used, at size per window.
func (b *bucket) refill(now time.Time, size int, window time.Duration) {
	rate := float64(size) / window.Seconds()
	b.tokens = math.Min(float64(size), b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
}

// spend takes points from b, or reports how long until it could (b
// refills at size per window).
func (b *bucket) spend(points, size int, window time.Duration) (ok bool, retryAfter time.Duration) {
	if after := b.wait(points, size, window); after > 0 {
		return false, after
	}
	b.tokens -= float64(points)
	return true, 0
}

// wait is how long until b holds points, 0 if it does.
func (b *bucket) wait(points, size int, window time.Duration) time.Duration {
	if b.tokens >= float64(points) {
		return 0
	}
	rate := float64(size) / window.Seconds()
	return time.Duration(math.Ceil((float64(points)-b.tokens)/rate)) * time.Second
}
