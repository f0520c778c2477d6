package graph

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"startupgraph/graph/generated"
	"startupgraph/internal/apperr"
	"startupgraph/internal/globalid"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
)

// changeArgs turns the change feed's filter and cursor into the store's
// filter and the audit id to read after; problems name the argument.
func changeArgs(filter *generated.ChangeFilter, after *string) (store.ChangeFilter, int64, error) {
	var a args
	var f store.ChangeFilter
	if filter != nil {
		f.Types = strs(&a, "filter.types", filter.Types)
		if len(filter.Types) > 20 {
			a.problems.Add("filter.types", "takes at most 20 values")
		}
		f.Kinds = strs(&a, "filter.kinds", filter.Kinds)
		if len(filter.Ids) > maxFilterValues {
			a.problems.Add("filter.ids", "takes at most %d values", maxFilterValues)
		} else {
			for i, gid := range filter.Ids {
				typ, id, err := globalid.Decode(fmt.Sprintf("filter.ids[%d]", i), gid)
				if err != nil {
					a.include(err)
					continue
				}
				f.Nodes = append(f.Nodes, store.NodeID{Type: string(typ), ID: id})
			}
		}
	}
	var from int64
	if after != nil {
		c, err := model.ParseCursor(*after)
		if err != nil || c.Tag != model.ChangeCursorTag {
			a.problems.Add("after", "is not a valid cursor")
		}
		from = c.ID
	}
	return f, from, a.err()
}

// changes resolves Query.changes: a page of the feed after a cursor.
func (r *queryResolver) changes(ctx context.Context, after *string, first *int, filter *generated.ChangeFilter) (*model.ChangeConnection, error) {
	var a args
	f, from, err := changeArgs(filter, after)
	a.include(err)
	n := store.DefaultPageSize
	if first != nil {
		if n = *first; n < 1 || n > store.MaxPageSize {
			a.problems.Add("first", "must be between 1 and %d", store.MaxPageSize)
		}
	}
	if err := a.err(); err != nil {
		return nil, err
	}
	rows, more, err := r.Store.Changes(ctx, f, from, n)
	if err != nil {
		return nil, err
	}
	conn := changeConnection(rows, more)
	conn.Count = func(ctx context.Context) (int, error) { return r.Store.CountChanges(ctx, f, from) }
	return conn, nil
}

func changeConnection(rows []model.Change, more bool) *model.ChangeConnection {
	c := &model.ChangeConnection{Edges: make([]model.ChangeEdge, len(rows)), PageInfo: model.PageInfo{HasNextPage: more}}
	for i := range rows {
		c.Edges[i] = model.ChangeEdge{Cursor: rows[i].Cursor(), Node: &rows[i]}
	}
	if len(rows) > 0 {
		start, end := c.Edges[0].Cursor, c.Edges[len(rows)-1].Cursor
		c.PageInfo.StartCursor, c.PageInfo.EndCursor = &start, &end
	}
	return c
}

// subscribeChanges resolves Subscription.changes: the hub's stream of the
// caller's changes, relayed until it ends; when it ends for a reason
// (dropped as a slow consumer, key revoked), the reason goes to the
// transport (SubscriptionEnd) as a presented error.
func (r *Resolver) subscribeChanges(ctx context.Context, filter *generated.ChangeFilter, after *string) (<-chan *model.Change, error) {
	if r.Live == nil {
		return nil, fmt.Errorf("subscriptions: %w", apperr.ErrUnavailable)
	}
	f, from, err := changeArgs(filter, after)
	if err != nil {
		return nil, err
	}
	var start *int64
	if after != nil {
		start = &from
	}
	st, err := r.Live.Subscribe(ctx, f, start)
	if err != nil {
		return nil, err
	}
	out := make(chan *model.Change)
	go func() {
		defer close(out)
		for c := range st.Changes {
			select {
			case out <- c:
			case <-ctx.Done():
				return
			}
		}
		if err := st.Err(); err != nil {
			if end := subscriptionEndFrom(ctx); end != nil {
				end(ctx, ErrorPresenter(r.Logger)(ctx, err))
			}
		}
	}()
	return out, nil
}

type subscriptionEndKey struct{}

// SubscriptionEnd is how a transport tells a client why its subscription
// ended (graphql-ws: an error message; graphql-sse: a last event).
type SubscriptionEnd func(ctx context.Context, err *gqlerror.Error)

// WithSubscriptionEnd gives ctx's subscriptions the transport's way to
// say why they ended.
func WithSubscriptionEnd(ctx context.Context, end SubscriptionEnd) context.Context {
	return context.WithValue(ctx, subscriptionEndKey{}, end)
}

func subscriptionEndFrom(ctx context.Context) SubscriptionEnd {
	f, _ := ctx.Value(subscriptionEndKey{}).(SubscriptionEnd)
	return f
}

// subscribeInsights resolves Subscription.insights: the hub's group of
// subscribers of the same slice and scope, which shares one Insights
// value (and so each figure) per update.
func (r *Resolver) subscribeInsights(ctx context.Context, filter *generated.StartupFilter, where *generated.StartupWhere) (<-chan *store.Insights, error) {
	if r.Live == nil {
		return nil, fmt.Errorf("subscriptions: %w", apperr.ErrUnavailable)
	}
	in, err := insightsOf(ctx, filter, where)
	if err != nil {
		return nil, err
	}
	key, err := json.Marshal([]any{filter, where}) // the arguments name the slice
	if err != nil {
		return nil, err
	}
	return r.Live.SubscribeInsights(ctx, string(key), *in)
}
