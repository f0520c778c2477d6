package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"

	"startupgraph/internal/viewer"
)

// newPersistedQueries is Apollo's automatic persisted queries, gqlgen's
// extension unchanged, over persistedQueries: size queries registered
// with an API key and size registered without.
func newPersistedQueries(size int) extension.AutomaticPersistedQuery {
	return extension.AutomaticPersistedQuery{Cache: persistedQueries{keyed: lru.New[string](size), anonymous: lru.New[string](size)}}
}

// persistedQueries keeps the queries registered with an API key apart
// from those registered without. Anyone may register a query without a
// key, so anonymous traffic could otherwise evict every query the
// dashboards rely on; here it evicts only other anonymous registrations.
// A hash is looked up in both. (The extension calls Add with the
// request's context, which carries the viewer.)
type persistedQueries struct {
	keyed, anonymous graphql.Cache[string]
}

var _ graphql.Cache[string] = persistedQueries{}

// Get returns the query registered under hash, by anyone.
func (p persistedQueries) Get(ctx context.Context, hash string) (string, bool) {
	if q, ok := p.keyed.Get(ctx, hash); ok {
		return q, true
	}
	return p.anonymous.Get(ctx, hash)
}

// Add registers query under hash, in the cache of the request's viewer.
func (p persistedQueries) Add(ctx context.Context, hash, query string) {
	if viewer.From(ctx).Authenticated() {
		p.keyed.Add(ctx, hash, query)
		return
	}
	p.anonymous.Add(ctx, hash, query)
}
