package relation

import "strings"

// Lookups over the declarations, for the where grammar at run time.

// Direction is one relationship field: a parent type listing another.
type Direction struct {
	Rel    Relationship
	Parent End    // the end the field is on
	Loader string // the store's child list and the loader, e.g. "StartupMentors"
	Listed string // the node type the field lists
}

var directions = func() map[string]Direction {
	out := map[string]Direction{}
	for _, r := range All {
		for i, e := range r.Ends {
			if e.Field == "" {
				continue
			}
			listed := r.Ends[1-i].Node
			if e.Lists != "" {
				listed = e.Lists
			}
			out[e.Node+"."+e.Field] = Direction{Rel: r, Parent: e, Loader: e.Loader, Listed: listed}
		}
	}
	return out
}()

// DirectionOf returns the relationship field named field on node type node.
func DirectionOf(node, field string) (Direction, bool) {
	d, ok := directions[node+"."+field]
	return d, ok
}

var byLoader = func() map[string]Direction {
	out := make(map[string]Direction, len(directions))
	for _, d := range directions {
		out[d.Loader] = d
	}
	return out
}()

// DirectionByLoader returns the relationship field whose child list and
// loader are named loader.
func DirectionByLoader(loader string) (Direction, bool) {
	d, ok := byLoader[loader]
	return d, ok
}

// FieldOf returns the declared column field of node type node.
func FieldOf(node, field string) (Fact, bool) {
	for _, f := range Nodes[node].Fields {
		if f.Field == field {
			return f, true
		}
	}
	return Fact{}, false
}

// FactOf returns the declared edge fact field of a direction.
func (d Direction) FactOf(field string) (Fact, bool) {
	if d.Rel.Facts == nil {
		return Fact{}, false
	}
	for _, f := range append(d.Rel.Facts.Fields, d.Rel.Facts.Where...) {
		if f.Field == field {
			return f, true
		}
	}
	return Fact{}, false
}

// CopyOf is the join-table column that keeps a copy of field of the node
// d lists (End.Copies), when it keeps one.
func (d Direction) CopyOf(field string) (string, bool) {
	for _, e := range d.Rel.Ends {
		if e.Column != d.Parent.Column && e.Node == d.Listed {
			col, ok := e.Copies[field]
			return col, ok
		}
	}
	return "", false
}

// Base is a field type without "!".
func Base(typ string) string { return strings.TrimSuffix(typ, "!") }
