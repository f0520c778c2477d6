// Package loader holds the per-request dataloaders: every field that
// crosses a table goes through one, so a query level costs one statement
// however many parents it has. Two kinds batch that way, with no timer:
// ByID loads nodes by row id (those that references, many-to-one fields
// such as Startup.facility, point at, and those node(id:) names), every
// id the response wants so far in one statement; Children loads
// relationships (paged child lists) for every parent of the level at once.
// Loaders are built per request in Middleware and never shared across
// requests.
package loader

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"startupgraph/internal/apperr"
	"startupgraph/internal/globalid"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
)

// ByID loads nodes of one type by row id. The first load of a level
// fetches, in one statement, every id the response's nodes so far refer to
// (through their references, model.Referencing) or that Want asked for,
// and that is not fetched yet; the other loads wait for it.
type ByID[M model.Identified] struct {
	typ   globalid.Type
	what  string
	reg   *registry
	fetch func(context.Context, []int64) (map[int64]M, error)

	mu      sync.Mutex
	batches map[int64]*batch[map[int64]M]
}

func newByID[M model.Identified](reg *registry, typ globalid.Type, what string, fetch func(context.Context, []int64) (map[int64]M, error)) *ByID[M] {
	return &ByID[M]{typ: typ, what: what, reg: reg, fetch: fetch}
}

// Load returns the node with id, or an error wrapping apperr.ErrNotFound
// when there is none the viewer may see.
func (b *ByID[M]) Load(ctx context.Context, id int64) (M, error) {
	var zero M
	bt, err := claim(ctx, b.what, &b.mu, &b.batches, id, func() []int64 { return b.reg.wantedOf(b.typ) },
		func(ctx context.Context, ids []int64) (map[int64]M, error) {
			found, err := b.fetch(ctx, ids)
			for _, m := range found {
				b.reg.add(m.NodeRef())
				if r, ok := any(m).(model.Referencing); ok {
					b.reg.want(r.AppendReferences(nil)...)
				}
			}
			return found, err
		})
	if err != nil {
		return zero, err
	}
	m, ok := bt.val[id]
	if !ok {
		return zero, fmt.Errorf("%s %d: %w", b.what, id, apperr.ErrNotFound)
	}
	return m, nil
}

// batch is one fetch that several loads wait on.
type batch[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// claim returns the batch that covers key. If there is none, it starts one
// that covers key and every sibling (from siblings) not yet covered, runs
// it in the calling goroutine, and publishes the result to all waiters.
// Batching thus needs no timer: the siblings of a level are registered
// before any of their fields resolve. batchMap, the batches by key, is
// made on first use.
func claim[K comparable, T any](ctx context.Context, name string, mu *sync.Mutex, batchMap *map[K]*batch[T], key K,
	siblings func() []K, fetch func(context.Context, []K) (T, error)) (*batch[T], error) {
	mu.Lock()
	if *batchMap == nil { // made on first use: a request uses few of its loaders
		*batchMap = map[K]*batch[T]{}
	}
	batches := *batchMap
	b, ok := batches[key]
	if ok {
		mu.Unlock()
		select {
		case <-b.done:
			return b, b.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	b = &batch[T]{done: make(chan struct{})}
	sibs := siblings()
	keys := make([]K, 1, 1+len(sibs))
	keys[0] = key
	batches[key] = b
	for _, k := range sibs {
		if _, taken := batches[k]; !taken {
			batches[k] = b
			keys = append(keys, k)
		}
	}
	mu.Unlock()
	b.val, b.err = traced(ctx, name, keys, fetch)
	close(b.done)
	return b, b.err
}

// tracerName names the spans of loader batches.
const tracerName = "startupgraph/internal/loader"

// traced runs fetch for keys, in a span of its own ("load " and name,
// with the batch's size) when the request's span records (tracing on and
// the request sampled); its SQL statements' spans are its children.
// Untraced, it costs one context lookup.
func traced[K comparable, T any](ctx context.Context, name string, keys []K, fetch func(context.Context, []K) (T, error)) (T, error) {
	parent := trace.SpanFromContext(ctx)
	if !parent.IsRecording() {
		return fetch(ctx, keys)
	}
	ctx, span := parent.TracerProvider().Tracer(tracerName).Start(ctx, "load "+name,
		trace.WithAttributes(attribute.Int("loader.batch.size", len(keys))))
	defer span.End()
	val, err := fetch(ctx, keys)
	if err != nil {
		span.SetStatus(codes.Error, "batch failed")
	}
	return val, err
}

// Children loads one relationship's pages per parent. The first load of a
// level fetches the pages of every registered parent of the same type in
// one statement; the others wait for it. totalCount is batched the same
// way, and only fetched when a client asks for it.
type Children[E model.EdgeOf[N], N any] struct {
	store      *store.Store
	child      store.Child[E, N]
	parentType globalid.Type
	reg        *registry

	mu sync.Mutex
	// pages holds, per page arguments and filter, the batch that covers
	// each parent; counts, per filter.
	pages  map[pageKey]map[int64]*batch[map[int64]model.Connection[E, N]]
	counts map[string]map[int64]*batch[map[int64]int]
	// totals, per filter and measures; groups, per filter and spec.
	totals map[string]map[int64]*batch[map[int64]map[model.Measure]*string]
	groups map[string]map[int64]*batch[map[int64][]model.GroupRow]
}

// pageKey tells apart the loads of one relationship that a level can batch
// together: the same page arguments and the same filter.
type pageKey struct {
	page  store.PageArgs
	where string
}

// whereKey is a filter's identity, for batching ("" for none).
func whereKey(w *store.EdgeWhere) string {
	if w == nil {
		return ""
	}
	b, err := json.Marshal(w)
	if err != nil {
		return fmt.Sprintf("%p", w) // unbatched, but correct
	}
	return string(b)
}

func newChildren[E model.EdgeOf[N], N any](s *store.Store, reg *registry, parentType globalid.Type, child store.Child[E, N]) *Children[E, N] {
	return &Children[E, N]{store: s, child: child, parentType: parentType, reg: reg}
}

// batchesOf returns, from m (made on first use: a request uses few of its
// loaders), the batches of key, made if there are none yet. c.mu is held.
func batchesOf[K comparable, T any](m *map[K]map[int64]*batch[T], key K) map[int64]*batch[T] {
	if *m == nil {
		*m = map[K]map[int64]*batch[T]{}
	}
	batches, ok := (*m)[key]
	if !ok {
		batches = map[int64]*batch[T]{}
		(*m)[key] = batches
	}
	return batches
}

// Load returns parent's page of the edges matching w (nil: all); its
// totalCount is loaded lazily.
func (c *Children[E, N]) Load(ctx context.Context, parent int64, page store.PageArgs, w *store.EdgeWhere) (model.Connection[E, N], error) {
	key := pageKey{page, whereKey(w)}
	c.mu.Lock()
	batches := batchesOf(&c.pages, key)
	c.mu.Unlock()
	b, err := claim(ctx, c.child.Name()+" pages", &c.mu, &batches, parent,
		func() []int64 { return c.reg.of(c.parentType) },
		func(ctx context.Context, ids []int64) (map[int64]model.Connection[E, N], error) {
			conns, err := c.child.Pages(ctx, c.store, ids, page, w)
			for _, conn := range conns {
				// the whole next level, before any waiter resumes
				c.reg.add(conn.NodeRefs()...)
				c.reg.want(conn.WantedRefs()...)
			}
			return conns, err
		})
	if err != nil {
		return model.Connection[E, N]{}, err
	}
	return c.totalsOf(b.val[parent], parent, key.where, w), nil
}

// Totals returns parent's list of edges matching w without its page: a
// connection whose totalCount and aggregate load lazily, for a selection
// that asks for nothing else.
func (c *Children[E, N]) Totals(parent int64, w *store.EdgeWhere) model.Connection[E, N] {
	return c.totalsOf(model.Connection[E, N]{}, parent, whereKey(w), w)
}

func (c *Children[E, N]) totalsOf(conn model.Connection[E, N], parent int64, where string, w *store.EdgeWhere) model.Connection[E, N] {
	conn.Total = func(ctx context.Context) (int, error) { return c.count(ctx, parent, where, w) }
	conn.Totals = func(ctx context.Context, ms []model.Measure) (map[model.Measure]*string, error) {
		return c.aggregate(ctx, parent, where, w, ms)
	}
	conn.Groups = func(ctx context.Context, spec model.GroupSpec) ([]model.GroupRow, error) {
		return c.group(ctx, parent, where, w, spec)
	}
	return conn
}

// group computes spec's groups of parent's list, batched with the
// siblings that ask for the same groups under the same filter.
func (c *Children[E, N]) group(ctx context.Context, parent int64, where string, w *store.EdgeWhere, spec model.GroupSpec) ([]model.GroupRow, error) {
	key := fmt.Sprint(where, spec)
	c.mu.Lock()
	batches := batchesOf(&c.groups, key)
	c.mu.Unlock()
	b, err := claim(ctx, c.child.Name()+" groups", &c.mu, &batches, parent,
		func() []int64 { return c.reg.of(c.parentType) },
		func(ctx context.Context, ids []int64) (map[int64][]model.GroupRow, error) {
			return c.child.Groups(ctx, c.store, ids, w, spec)
		})
	if err != nil {
		return nil, err
	}
	return b.val[parent], nil
}

// aggregate computes ms over parent's list, batched with the siblings
// that ask for the same measures under the same filter.
func (c *Children[E, N]) aggregate(ctx context.Context, parent int64, where string, w *store.EdgeWhere, ms []model.Measure) (map[model.Measure]*string, error) {
	key := fmt.Sprint(where, ms)
	c.mu.Lock()
	batches := batchesOf(&c.totals, key)
	c.mu.Unlock()
	b, err := claim(ctx, c.child.Name()+" aggregates", &c.mu, &batches, parent,
		func() []int64 { return c.reg.of(c.parentType) },
		func(ctx context.Context, ids []int64) (map[int64]map[model.Measure]*string, error) {
			return c.child.Aggregates(ctx, c.store, ids, w, ms)
		})
	if err != nil {
		return nil, err
	}
	return b.val[parent], nil
}

func (c *Children[E, N]) count(ctx context.Context, parent int64, key string, w *store.EdgeWhere) (int, error) {
	c.mu.Lock()
	batches := batchesOf(&c.counts, key)
	c.mu.Unlock()
	b, err := claim(ctx, c.child.Name()+" counts", &c.mu, &batches, parent,
		func() []int64 { return c.reg.of(c.parentType) },
		func(ctx context.Context, ids []int64) (map[int64]int, error) {
			return c.child.Counts(ctx, c.store, ids, w)
		})
	if err != nil {
		return 0, err
	}
	return b.val[parent], nil
}

// refSet is an ordered set of node refs, grouped by type.
type refSet struct {
	ids  map[globalid.Type][]int64
	seen map[model.Ref]bool
}

func newRefSet() refSet { return refSet{ids: map[globalid.Type][]int64{}, seen: map[model.Ref]bool{}} }

func (s refSet) add(refs ...model.Ref) {
	for _, ref := range refs {
		if !s.seen[ref] {
			s.seen[ref] = true
			s.ids[ref.Type] = append(s.ids[ref.Type], ref.ID)
		}
	}
}

// registry records the nodes of each type a request's response holds so
// far, so that child loads can batch over all of a level, and the nodes
// they refer to, so reference loads can too.
type registry struct {
	mu     sync.Mutex
	nodes  refSet
	wanted refSet
}

func newRegistry() *registry { return &registry{nodes: newRefSet(), wanted: newRefSet()} }

func (r *registry) add(refs ...model.Ref)  { r.with(func() { r.nodes.add(refs...) }) }
func (r *registry) want(refs ...model.Ref) { r.with(func() { r.wanted.add(refs...) }) }

func (r *registry) of(t globalid.Type) (ids []int64) {
	r.with(func() { ids = slices.Clone(r.nodes.ids[t]) })
	return ids
}

func (r *registry) wantedOf(t globalid.Type) (ids []int64) {
	r.with(func() { ids = slices.Clone(r.wanted.ids[t]) })
	return ids
}

func (r *registry) with(fn func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fn()
}

// Register records the nodes a resolver produced (a node, a list, a
// connection, or values that refer to nodes), so the fields of a level
// batch into one statement each. Loaders register what they fetch
// themselves; resolvers register what they get from the store directly.
func Register(ctx context.Context, result any) {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	if !ok || result == nil {
		return
	}
	rv := reflect.ValueOf(result)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return // a null reference
		}
		rv = rv.Elem()
	}
	if rv.Kind() == reflect.Slice {
		for i := range rv.Len() {
			l.reg.note(rv.Index(i).Interface())
		}
		return
	}
	l.reg.note(rv.Interface())
}

// note records one value: a node, something that refers to nodes, or a page.
func (r *registry) note(v any) {
	if n, ok := v.(model.Identified); ok {
		r.add(n.NodeRef())
	}
	if n, ok := v.(model.Referencing); ok {
		r.want(n.AppendReferences(nil)...)
	}
	if c, ok := v.(interface {
		NodeRefs() []model.Ref
		WantedRefs() []model.Ref
	}); ok {
		r.add(c.NodeRefs()...)
		r.want(c.WantedRefs()...)
	}
}

// Loaders are one request's dataloaders.
type Loaders struct {
	store *store.Store
	reg   *registry

	University   *ByID[model.University]
	Organization *ByID[model.Organization]
	Program      *ByID[model.Program]
	Sector       *ByID[model.Sector]
	Fund         *ByID[model.Fund]
	Facility     *ByID[model.Facility]
	Startup      *ByID[model.Startup]
	Mentor       *ByID[model.Mentor]
	Market       *ByID[model.Market]
	Cohort       *ByID[model.Cohort]
	Investment   *ByID[model.Investment]

	Relations
}

// New builds a fresh set of loaders over s.
func New(s *store.Store) *Loaders {
	reg := newRegistry()
	return &Loaders{
		store:        s,
		reg:          reg,
		University:   newByID(reg, globalid.University, "university", s.UniversitiesByID),
		Organization: newByID(reg, globalid.Organization, "organization", s.OrganizationsByID),
		Program:      newByID(reg, globalid.Program, "program", s.ProgramsByID),
		Sector:       newByID(reg, globalid.Sector, "sector", s.SectorsByID),
		Fund:         newByID(reg, globalid.Fund, "fund", s.FundsByID),
		Facility:     newByID(reg, globalid.Facility, "facility", s.FacilitiesByID),
		Startup:      newByID(reg, globalid.Startup, "startup", s.StartupsByID),
		Mentor:       newByID(reg, globalid.Mentor, "mentor", s.MentorsByID),
		Market:       newByID(reg, globalid.Market, "market", s.MarketsByID),
		Cohort:       newByID(reg, globalid.Cohort, "cohort", s.CohortsByID),
		Investment:   newByID(reg, globalid.Investment, "investment", s.InvestmentsByID),

		Relations: newRelations(s, reg),
	}
}

type ctxKey struct{}

// Middleware gives every request its own loaders.
func Middleware(s *store.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(With(r.Context(), s)))
	})
}

// With returns ctx with fresh loaders: one operation's, where one
// connection carries several (a WebSocket or an event stream).
func With(ctx context.Context, s *store.Store) context.Context {
	return context.WithValue(ctx, ctxKey{}, New(s))
}

// For returns the request's loaders.
func For(ctx context.Context) *Loaders {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	if !ok {
		panic("loader: request has no loaders; is loader.Middleware installed?")
	}
	return l
}

// Node loads the node of any type by its type and row id.
func (l *Loaders) Node(ctx context.Context, t globalid.Type, id int64) (model.Node, error) {
	load, ok := map[globalid.Type]func(context.Context, int64) (model.Node, error){
		globalid.University:   nodeOf(l.University),
		globalid.Organization: nodeOf(l.Organization),
		globalid.Program:      nodeOf(l.Program),
		globalid.Sector:       nodeOf(l.Sector),
		globalid.Fund:         nodeOf(l.Fund),
		globalid.Facility:     nodeOf(l.Facility),
		globalid.Startup:      nodeOf(l.Startup),
		globalid.Mentor:       nodeOf(l.Mentor),
		globalid.Market:       nodeOf(l.Market),
		globalid.Cohort:       nodeOf(l.Cohort),
		globalid.Investment:   nodeOf(l.Investment),
	}[t]
	if !ok {
		return nil, fmt.Errorf("node type %s: %w", t, apperr.ErrNotFound)
	}
	return load(ctx, id)
}

func nodeOf[M interface {
	model.Node
	model.Identified
}](l *ByID[M]) func(context.Context, int64) (model.Node, error) {
	return func(ctx context.Context, id int64) (model.Node, error) {
		m, err := l.Load(ctx, id)
		if err != nil {
			return nil, err
		}
		return m, nil
	}
}

// Reset drops everything the loaders cached, so reads after a write in
// the same request see the write. Mutations run one at a time, so nothing
// else uses the loaders meanwhile.
func (l *Loaders) Reset() { *l = *New(l.store) }

// Want asks for nodes ahead of loading them, so that their loads batch.
func (l *Loaders) Want(refs ...model.Ref) { l.reg.want(refs...) }
