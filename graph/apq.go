package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	lru "github.com/hashicorp/golang-lru/v2"

	"startupgraph/internal/store"
	"startupgraph/internal/viewer"
)

// Persisted queries are shared by every server process on the database
// (migration 00031): a query registered through one is found by its hash
// through any other. Each process keeps size queries of each kind in LRUs
// in front, and asks the store on a miss.
const (
	// apqTouchEvery is how precisely a query's last use is kept in the
	// store (what decides which anonymous registrations go first).
	apqTouchEvery = time.Hour
	// apqKeyedIdle: a query registered with a key and unused this long
	// is deleted from the store.
	apqKeyedIdle = 90 * 24 * time.Hour
)

// newPersistedQueries is Apollo's automatic persisted queries, gqlgen's
// extension unchanged (it checks that a registered query's SHA-256 is the
// hash it is registered under), over persistedQueries: size queries
// registered with an API key and size registered without, here and (with
// a store) in the store, where at most size anonymous ones are kept.
func newPersistedQueries(s *store.Store, logger *slog.Logger, size int) extension.AutomaticPersistedQuery {
	keyed, _ := lru.New[string, apqEntry](size) // errors only for a size <= 0
	anonymous, _ := lru.New[string, apqEntry](size)
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return extension.AutomaticPersistedQuery{Cache: persistedQueries{store: s, logger: logger, size: size, keyed: keyed, anonymous: anonymous, now: time.Now}}
}

// persistedQueries keeps the queries registered with an API key apart
// from those registered without. Anyone may register a query without a
// key, so anonymous traffic could otherwise evict every query the
// dashboards rely on; here it evicts only other anonymous registrations,
// in this process's LRUs and in the store alike. A hash is looked up in
// both. (The extension calls Add with the request's context, which
// carries the viewer.)
type persistedQueries struct {
	store            *store.Store // nil: this process's own
	logger           *slog.Logger
	size             int
	keyed, anonymous *lru.Cache[string, apqEntry]
	now              func() time.Time
}

// apqEntry is a query and when this process last recorded its use in the
// store.
type apqEntry struct {
	query   string
	touched time.Time
}

var _ graphql.Cache[string] = persistedQueries{}

// Get returns the query registered under hash, by anyone, through any
// process. A store that cannot answer is a miss (the client sends the
// query again, and it runs).
func (p persistedQueries) Get(ctx context.Context, hash string) (string, bool) {
	for _, c := range []*lru.Cache[string, apqEntry]{p.keyed, p.anonymous} {
		if e, ok := c.Get(hash); ok {
			p.touch(ctx, c, hash, e)
			return e.query, true
		}
	}
	if p.store == nil || !validHash(hash) {
		return "", false
	}
	q, found, err := p.store.LookupPersistedQuery(ctx, hash)
	if err != nil {
		p.logger.WarnContext(ctx, "persisted query lookup failed", "err", err)
		return "", false
	}
	if !found || !matches(hash, q.Query) { // the extension's check, kept for what the store returns
		return "", false
	}
	e := apqEntry{query: q.Query}
	c := p.anonymous
	if q.Keyed {
		c = p.keyed
	}
	c.Add(hash, e)
	p.touch(ctx, c, hash, e)
	return q.Query, true
}

// touch records in the store, at most once per apqTouchEvery from this
// process, that the query under hash was used.
func (p persistedQueries) touch(ctx context.Context, c *lru.Cache[string, apqEntry], hash string, e apqEntry) {
	now := p.now()
	if p.store == nil || now.Sub(e.touched) < apqTouchEvery {
		return
	}
	e.touched = now
	c.Add(hash, e)
	if err := p.store.TouchPersistedQuery(ctx, hash, apqTouchEvery); err != nil {
		p.logger.WarnContext(ctx, "persisted query use not recorded", "err", err)
	}
}

// Add registers query under hash, in the cache of the request's viewer
// and in the store.
func (p persistedQueries) Add(ctx context.Context, hash, query string) {
	keyed := viewer.From(ctx).Authenticated()
	c := p.anonymous
	if keyed {
		c = p.keyed
		p.anonymous.Remove(hash)
	}
	if _, known := p.keyed.Get(hash); known || c.Contains(hash) {
		return // a client that sends the text along every time writes nothing more
	}
	c.Add(hash, apqEntry{query: query, touched: p.now()})
	if p.store == nil || !validHash(hash) {
		return
	}
	if err := p.store.PersistQuery(ctx, hash, query, keyed, p.size, apqKeyedIdle); err != nil {
		// registered here only; another process asks for the query again
		p.logger.WarnContext(ctx, "persisted query not stored", "err", err)
	}
}

// validHash reports whether hash is a SHA-256 in lowercase hex, as the
// extension computes it (anything else never matches a query).
func validHash(hash string) bool {
	if len(hash) != 64 {
		return false
	}
	for _, c := range hash {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// matches reports whether hash is query's SHA-256.
func matches(hash, query string) bool {
	sum := sha256.Sum256([]byte(query))
	return hex.EncodeToString(sum[:]) == hash
}
