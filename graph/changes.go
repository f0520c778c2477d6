package graph

import (
	"context"
	"fmt"

	"startupgraph/graph/generated"
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
