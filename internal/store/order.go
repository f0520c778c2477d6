package store

import (
	"context"
	"encoding/json"
	"fmt"

	"startupgraph/internal/relation"
)

// Order sorts a list by one or more keys, the first deciding first (issue
// #17's orderBy); empty, a list of nodes sorts by English name, a child
// list keeps the order its edges were recorded in. Startups sort by
// startupFigures; the other node types by the keys relation.OrderFields
// declares: their names, dates and numbers, and the count of each of
// their relationships that the viewer sees.
type Order []OrderKey

// OrderKey is one sort key.
type OrderKey struct {
	Field string
	Desc  bool
}

// WithOrder sorts a child list of nodes of type node by o instead of the
// order its edges were recorded in.
func (p PageArgs) WithOrder(node string, o Order) PageArgs {
	if len(o) == 0 {
		return p
	}
	b, _ := json.Marshal(childOrder{node, o})
	p.order = string(b)
	return p
}

// childOrder is a child list's Order, as PageArgs carries it.
type childOrder struct {
	Node  string
	Order Order
}

// key is o as the sort key of a list of node (list names it in cursors),
// its expressions' arguments added to args. Cursors of a single key are
// the ones lists always had (list/FIELD); several keys name each with
// its direction, so a cursor of one order is refused by another.
func (o Order) key(ctx context.Context, args *sqlArgs, node, list string) (sortKey, error) {
	if len(o) == 0 {
		o = Order{{Field: "NAME_EN"}}
	}
	var k sortKey
	for i, x := range o {
		p, err := orderPart(ctx, args, node, x.Field)
		if err != nil {
			return k, err
		}
		p.desc = x.Desc
		dir := ":ASC"
		if x.Desc {
			dir = ":DESC"
		}
		switch i {
		case 0:
			k = sortKey{tag: list + "/" + x.Field, expr: p.expr, cast: p.cast, desc: p.desc}
			if len(o) > 1 {
				k.tag += dir
			}
		default:
			k.then = append(k.then, p)
			k.tag += "," + x.Field + dir
		}
	}
	return k, nil
}

// orderPart is the expression of node's sort key field, read as alias n.
func orderPart(ctx context.Context, args *sqlArgs, node, field string) (sortPart, error) {
	if node == "Startup" {
		if p, ok := startupFigures[field]; ok {
			return p, nil
		}
		return sortPart{}, fmt.Errorf("order: startups do not sort by %s", field)
	}
	f, ok := relation.OrderFieldOf(node, field)
	if !ok {
		return sortPart{}, fmt.Errorf("order: %s does not sort by %s", node, field)
	}
	if f.Count != "" {
		expr, err := countOf(ctx, args, node, f.Count)
		return sortPart{expr: expr, cast: "bigint"}, err
	}
	col := "n." + f.Column
	switch f.Type {
	case "Date":
		return sortPart{expr: "COALESCE(" + col + ", DATE '0001-01-01')", cast: "date"}, nil
	case "Int":
		return sortPart{expr: "COALESCE(" + col + ", -1)", cast: "bigint"}, nil
	case "KRW":
		return sortPart{expr: "COALESCE(" + col + ", -1)", cast: "numeric"}, nil
	case "DateTime":
		return stampPart(col), nil
	}
	return sortPart{expr: col, cast: "text"}, nil
}

// stampPart sorts by a timestamp (created_at, updated_at), read as its
// microseconds since 1970: a cursor carries a number, not a time in the
// server's text format.
func stampPart(col string) sortPart {
	return sortPart{expr: "(extract(epoch FROM " + col + ") * 1000000)::bigint", cast: "bigint"}
}
