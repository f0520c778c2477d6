package model

import "context"

// PageInfo tells where a page sits in the whole list.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *Cursor
	EndCursor       *Cursor
}

// EdgeOf is what every connection edge provides: its node. Other packages
// use it as a type constraint; only this package's edge types satisfy it.
// Edges hold their nodes by pointer, so serving a node never copies it.
type EdgeOf[N any] interface{ node() *N }

// Connection is one page of a Relay connection. Each GraphQL connection
// type is a struct that embeds it. The total is computed only when a
// client asks for totalCount.
type Connection[E EdgeOf[N], N any] struct {
	Edges    []E
	PageInfo PageInfo
	Total    func(ctx context.Context) (int, error)
	// Totals computes measures over the whole list (ignoring pagination,
	// within its filter and the viewer's scope): the aggregate field.
	Totals func(ctx context.Context, ms []Measure) (map[Measure]*string, error)
	// Groups computes the list's groups, in the same scope: groupBy.
	Groups func(ctx context.Context, spec GroupSpec) ([]GroupRow, error)
}

// Measure is one figure of a list's aggregate (issue #18): Fn is count,
// sum, avg, min, max or distinctCount, over the field Field ("" for
// count). Its value comes as text, null when there is nothing to measure.
type Measure struct{ Fn, Field string }

// Nodes returns the nodes of the page, for clients that need no edge facts.
func (c Connection[E, N]) Nodes() []*N {
	out := make([]*N, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.node()
	}
	return out
}

// TotalCount counts the whole list, ignoring pagination.
func (c Connection[E, N]) TotalCount(ctx context.Context) (int, error) {
	if c.Total == nil {
		return len(c.Edges), nil
	}
	return c.Total(ctx)
}

// GroupSpec asks a list for its groups (issue #18): grouped by Keys
// (relation.GroupKeys names), with Measures per group, ordered by Order
// (the keys ascending when empty), at most Limit groups (per parent).
type GroupSpec struct {
	Keys     []string
	Measures []Measure
	Order    []GroupOrder
	Limit    int
}

// GroupOrder is one sort key of groups: Measure (count, or a sum), or the
// group keys when Keys is set.
type GroupOrder struct {
	Keys    bool
	Measure Measure
	Desc    bool
}

// GroupRow is one group: its keys' values and its measures, as text.
type GroupRow struct {
	Keys   []*string
	Values map[Measure]*string
}
