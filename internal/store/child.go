package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lib/pq"

	"startupgraph/internal/model"
	"startupgraph/internal/relation"
)

// Child is one direction of a relationship (startup → mentors, fund →
// portfolio, ...), paged per parent. Pages and Counts each take any number
// of parents and run one statement, so dataloaders can batch a whole level
// of a query into it.
type Child[E model.EdgeOf[N], N any] struct {
	name   string // the relationship direction, e.g. "StartupMentors"
	query  func() pageQuery
	fetch  func(ctx context.Context, s *Store, q pageQuery, page PageArgs, parentCount int) (map[int64]model.Connection[E, N], error)
	counts func(ctx context.Context, s *Store, q pageQuery, parents []int64) (map[int64]int, error)
}

// newChild defines a child list: select columns FROM from, where parent is
// the column that holds the parent id and idExpr the row id that orders
// edges (the order they were recorded) unless sort says otherwise.
//
// guards locate the protected rows (startups, mentors) the viewer's scope
// restricts, including the parent's own id when the parent is protected.
func newChild[R pagedRow, E model.EdgeOf[N], N any](tag, columns, from, parent, idExpr string, sort *sortKey,
	toEdge func(R, model.Cursor) E, guards ...guard) Child[E, N] {
	key := sortKey{tag: tag}
	if sort != nil {
		key = *sort
		key.tag = tag
	}
	return Child[E, N]{
		query: func() pageQuery {
			return pageQuery{columns: columns, from: from, parent: parent, idExpr: idExpr, sort: key, guards: guards}
		},
		fetch: func(ctx context.Context, s *Store, q pageQuery, page PageArgs, parentCount int) (map[int64]model.Connection[E, N], error) {
			return fetchPages[R, E, N](ctx, s, q, page, parentCount, toEdge)
		},
		counts: countRows,
	}
}

// Name is the relationship direction the list follows (e.g.
// "StartupMentors"), for the loaders' spans.
func (c Child[E, N]) Name() string { return c.name }

// as names the relationship direction c lists (for its where filters).
func (c Child[E, N]) as(name string) Child[E, N] {
	c.name = name
	return c
}

// filtered adds w, a filter of the edges (their facts, the node they lead
// to), to q's conditions.
func (c Child[E, N]) filtered(ctx context.Context, q pageQuery, w *EdgeWhere) (pageQuery, error) {
	if w == nil {
		return q, nil
	}
	d, ok := relation.DirectionByLoader(c.name)
	if !ok {
		return q, fmt.Errorf("where: no relationship %q", c.name)
	}
	conds := conditions{args: q.args}
	wc := &whereCompiler{ctx: ctx, args: &conds.args}
	sql, err := wc.edge(d, "e", "n", *w)
	if err != nil {
		return q, err
	}
	q.where = append(q.where, sql)
	q.args = conds.args
	return q, nil
}

// Pages returns each parent's page of the edges matching w (nil: all), in
// one statement; a parent without items gets an empty page.
// Scoped: only what ctx's viewer may see (the guards; scope.go).
func (c Child[E, N]) Pages(ctx context.Context, s *Store, parents []int64, page PageArgs, w *EdgeWhere) (map[int64]model.Connection[E, N], error) {
	out := map[int64]model.Connection[E, N]{}
	if len(parents) > 0 {
		q := c.query()
		q.args.add(pq.Array(parents)) // $1
		q, err := c.filtered(ctx, q, w)
		if err != nil {
			return nil, err
		}
		if page.order != "" {
			var o childOrder
			if err := json.Unmarshal([]byte(page.order), &o); err != nil {
				return nil, err
			}
			// cursors of this list and order only
			if q.sort, err = o.Order.key(ctx, &q.args, o.Node, c.name+"/"+relation.Nodes[o.Node].Table); err != nil {
				return nil, err
			}
		}
		if out, err = c.fetch(ctx, s, q, page, len(parents)); err != nil {
			return nil, err
		}
	}
	for _, p := range parents {
		if _, ok := out[p]; !ok {
			out[p] = emptyConnection[E, N](page)
		}
	}
	return out, nil
}

// Counts returns the size of each parent's whole list of edges matching w
// (nil: all), in one statement.
// Scoped: only what ctx's viewer may see (the guards; scope.go).
func (c Child[E, N]) Counts(ctx context.Context, s *Store, parents []int64, w *EdgeWhere) (map[int64]int, error) {
	if len(parents) == 0 {
		return map[int64]int{}, nil
	}
	q, err := c.filtered(ctx, c.query(), w)
	if err != nil {
		return nil, err
	}
	return c.counts(ctx, s, q, parents)
}

// Aggregates computes ms over each parent's whole list of edges matching
// w (nil: all), in one statement; a parent without edges gets counts and
// sums of 0 and nulls.
// Scoped: only what ctx's viewer may see (the guards; scope.go).
func (c Child[E, N]) Aggregates(ctx context.Context, s *Store, parents []int64, w *EdgeWhere, ms []model.Measure) (map[int64]map[model.Measure]*string, error) {
	src, err := c.measures()
	if err != nil {
		return nil, err
	}
	out := map[int64]map[model.Measure]*string{}
	if len(parents) > 0 {
		q, err := c.filtered(ctx, c.query(), w)
		if err != nil {
			return nil, err
		}
		if out, err = aggregateRows(ctx, s, q, src, parents, ms); err != nil {
			return nil, err
		}
	}
	for _, p := range parents {
		if _, ok := out[p]; !ok {
			out[p] = zeroTotals(ms)
		}
	}
	return out, nil
}

// Groups computes spec's groups of each parent's whole list of edges
// matching w (nil: all), in one statement.
// Scoped: only what ctx's viewer may see (the guards; scope.go).
func (c Child[E, N]) Groups(ctx context.Context, s *Store, parents []int64, w *EdgeWhere, spec model.GroupSpec) (map[int64][]model.GroupRow, error) {
	if len(parents) == 0 {
		return map[int64][]model.GroupRow{}, nil
	}
	q, err := c.filtered(ctx, c.query(), w)
	if err != nil {
		return nil, err
	}
	src, err := c.measures()
	if err != nil {
		return nil, err
	}
	return groupRows(ctx, s, q, src, parents, spec)
}

// measures is what this child list's aggregates and groups may name.
func (c Child[E, N]) measures() (measureSource, error) {
	d, ok := relation.DirectionByLoader(c.name)
	if !ok {
		return measureSource{}, fmt.Errorf("aggregate: no relationship %q", c.name)
	}
	src := measureSource{node: d.Listed, alias: "n", rel: &d, factAlias: "e"}
	if d.Rel.ForeignKey {
		src.factAlias = "n"
	}
	return src, nil
}

// byIDs fetches rows by id in one statement (q ends in WHERE ... = ANY($1))
// and maps them by id; ids that match nothing, or that the viewer may not
// see (guards), are absent from the map.
func byIDs[R any, M any](ctx context.Context, db readDB, what, q string, ids []int64, conv func(R) M, id func(R) int64, guards ...guard) (map[int64]M, error) {
	out := make(map[int64]M, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := sqlArgs{}
	args.add(pq.Array(ids))
	for _, c := range scopeConditions(ctx, guards, &args) {
		q += " AND " + c
	}
	var rows []R
	if err := db.SelectContext(ctx, &rows, q, args.list...); err != nil {
		return nil, translate(fmt.Errorf("%s by id: %w", what, err))
	}
	for _, r := range rows {
		out[id(r)] = conv(r)
	}
	return out, nil
}
