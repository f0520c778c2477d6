package export

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// Fetch runs the rewritten query for the page after the cursor after
// (nil: the first page) and returns its data. An error stops the walk.
type Fetch func(ctx context.Context, after *string) (json.RawMessage, error)

// Writer receives the table: the header once the first page has come,
// then the rows of each page and EndPage after them, then Close.
// Cells are nil, string, json.Number or bool.
type Writer interface {
	Header(names []string) error
	Row(cells []any) error
	EndPage() error
	Close() error
}

// Walk fetches page after page from initial (the query's own after; nil
// from the start) until the connection has no next page, writing each
// page's rows as they come: it holds one page at a time. Nothing is
// written before the first page has come, so an error there leaves the
// response untouched. It returns how many rows it wrote; it closes w
// only when every page came.
func (p *Plan) Walk(ctx context.Context, fetch Fetch, initial *string, w Writer) (rows int, err error) {
	after := initial
	for page := 0; ; page++ {
		data, err := fetch(ctx, after)
		if err != nil {
			return rows, err
		}
		items, next, err := p.page(data)
		if err != nil {
			return rows, err
		}
		if page == 0 {
			if err := w.Header(p.Header()); err != nil {
				return rows, err
			}
		}
		for _, item := range items {
			if err := w.Row(p.cells(item)); err != nil {
				return rows, err
			}
			rows++
		}
		if err := w.EndPage(); err != nil {
			return rows, err
		}
		if next == nil || (after != nil && *next == *after) {
			return rows, w.Close()
		}
		after = next
	}
}

// page reads one page's rows and the cursor after it (nil on the last
// page).
func (p *Plan) page(data json.RawMessage) (items []any, next *string, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // KRW and other numbers keep their digits
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, nil, fmt.Errorf("export: page data: %w", err)
	}
	for i, k := range p.Path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, nil, fmt.Errorf("export: %s is not an object", strings.Join(p.Path[:i], "."))
		}
		v = m[k]
	}
	conn, ok := v.(map[string]any)
	if !ok {
		// a lookup that found nothing (null): an empty table
		return nil, nil, nil
	}
	items, _ = conn[p.Rows].([]any)
	info, _ := conn[pageInfoKey].(map[string]any)
	if more, _ := info["hasNextPage"].(bool); more {
		if c, ok := info["endCursor"].(string); ok {
			next = &c
		}
	}
	return items, next, nil
}

// ListSeparator joins the values of a nested list in one cell.
const ListSeparator = "; "

// cells is one row: each column's value, the values of a column that
// crosses a list joined with ListSeparator.
func (p *Plan) cells(item any) []any {
	out := make([]any, len(p.Columns))
	var vals []any
	for i, c := range p.Columns {
		vals = vals[:0]
		listed := collect(item, c.keys, &vals)
		switch {
		case len(vals) == 0:
			out[i] = nil
		case len(vals) == 1 && !listed:
			out[i] = scalar(vals[0])
		default:
			parts := make([]string, len(vals))
			for j, v := range vals {
				parts[j] = Text(scalar(v))
			}
			out[i] = strings.Join(parts, ListSeparator)
		}
	}
	return out
}

// collect appends the leaf values below v along keys, through every
// list on the way; it reports whether it crossed a list.
func collect(v any, keys []string, out *[]any) (listed bool) {
	switch x := v.(type) {
	case nil:
		return false
	case []any:
		for _, e := range x {
			collect(e, keys, out)
		}
		return true
	case map[string]any:
		if len(keys) == 0 {
			*out = append(*out, x) // a JSON scalar's object
			return false
		}
		return collect(x[keys[0]], keys[1:], out)
	default:
		if len(keys) == 0 {
			*out = append(*out, x)
		}
		return false
	}
}

// scalar is a leaf as a cell: a JSON scalar's object or list as its JSON
// text, anything else as it came.
func scalar(v any) any {
	switch v.(type) {
	case map[string]any, []any:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return v
}

// Text is a cell as text: numbers as their digits (KRW whole), dates as
// the API writes them (ISO 8601), booleans true or false, null empty.
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return fmt.Sprint(v)
}
