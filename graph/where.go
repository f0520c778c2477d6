package graph

import (
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"startupgraph/internal/globalid"
	"startupgraph/internal/model"
	"startupgraph/internal/relation"
	"startupgraph/internal/store"
)

// Bounds of a where argument (issue #17).
const (
	maxWherePredicates = 50 // comparisons and relationship predicates, in all
	maxWhereHops       = 4  // relationship predicates nested in one another
)

// whereReader turns a where argument (gqlgen's input structs, read by
// reflection over their JSON names) into a store.Where, using the
// relationship declarations to know each field: every problem is
// collected, with the path of the offending argument.
type whereReader struct {
	a          *args
	predicates int
}

// fields calls fn for each set field of struct v, by its JSON name.
func fields(v reflect.Value, fn func(name string, f reflect.Value)) {
	t := v.Type()
	for i := range t.NumField() {
		f := v.Field(i)
		if (f.Kind() == reflect.Pointer || f.Kind() == reflect.Slice) && f.IsNil() {
			continue
		}
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		fn(name, f)
	}
}

func (r *whereReader) node(node, path string, v reflect.Value, hops int) store.Where {
	var w store.Where
	fields(v, func(name string, f reflect.Value) {
		at := path + "." + name
		if composite(name, at, f, func(path string, v reflect.Value) store.Where { return r.node(node, path, v, hops) }, &w.And, &w.Or, &w.Not) {
			return
		}
		switch name {
		case "id":
			w.Cmps = append(w.Cmps, r.comparisons("id", at, "ID", globalid.Type(node), f.Elem())...)
		default:
			if fact, ok := relation.FieldOf(node, name); ok {
				r.fact(fact, at, f.Elem(), hops, &w.Cmps, &w.Refs)
				return
			}
			d, ok := relation.DirectionOf(node, name)
			if !ok {
				r.a.problems.Add(at, "is not a field of %s", node)
				return
			}
			if hops+1 > maxWhereHops {
				r.a.problems.Add(at, "nests relationships more than %d deep", maxWhereHops)
				return
			}
			w.Rels = append(w.Rels, r.predicate(d, name, at, f.Elem(), hops+1)...)
		}
	})
	return w
}

// composite reads field name (at path) into and, or or not, if it is one
// of them, with read.
func composite[T any](name, path string, f reflect.Value, read func(string, reflect.Value) T, and, or *[]T, not **T) bool {
	switch name {
	case "and", "or":
		list := and
		if name == "or" {
			list = or
		}
		for i := range f.Len() {
			*list = append(*list, read(fmt.Sprintf("%s[%d]", path, i), f.Index(i)))
		}
	case "not":
		x := read(path, f.Elem())
		*not = &x
	default:
		return false
	}
	return true
}

func (r *whereReader) predicate(d relation.Direction, field, path string, v reflect.Value, hops int) []store.RelPred {
	var out []store.RelPred
	fields(v, func(quant string, f reflect.Value) {
		r.predicates++
		at := path + "." + quant
		p := store.RelPred{Field: field, Quant: quant}
		if quant == "count" {
			fields(f.Elem(), func(op string, x reflect.Value) {
				if op == "where" {
					e := r.edge(d, at+".where", x.Elem(), hops)
					p.Edge = &e
					return
				}
				p.Count = append(p.Count, store.Cmp{Field: "count", Op: op, Value: int64(x.Elem().Int())})
			})
		} else {
			e := r.edge(d, at, f.Elem(), hops)
			p.Edge = &e
		}
		out = append(out, p)
	})
	return out
}

func (r *whereReader) edge(d relation.Direction, path string, v reflect.Value, hops int) store.EdgeWhere {
	var w store.EdgeWhere
	fields(v, func(name string, f reflect.Value) {
		at := path + "." + name
		if composite(name, at, f, func(path string, v reflect.Value) store.EdgeWhere { return r.edge(d, path, v, hops) }, &w.And, &w.Or, &w.Not) {
			return
		}
		switch name {
		case "node":
			x := r.node(d.Listed, at, f.Elem(), hops)
			w.Node = &x
		default:
			fact, ok := d.FactOf(name)
			if !ok {
				r.a.problems.Add(at, "is not a fact of this relationship")
				return
			}
			r.fact(fact, at, f.Elem(), hops, &w.Cmps, &w.Refs)
		}
	})
	return w
}

// fact reads the condition on one field (at path) into cmps, or, for a
// reference to a node type with a where filter, into refs: a filter on
// the node it names, which counts as a hop.
func (r *whereReader) fact(fact relation.Fact, path string, v reflect.Value, hops int, cmps *[]store.Cmp, refs *[]store.Ref) {
	typ, ref := relation.Base(fact.Type), globalid.Type("")
	if n := relation.Nodes[typ]; n.Name != "" {
		if len(n.Fields) > 0 {
			if hops+1 > maxWhereHops {
				r.a.problems.Add(path, "nests relationships more than %d deep", maxWhereHops)
				return
			}
			r.predicates++
			*refs = append(*refs, store.Ref{Field: fact.Field, Node: r.node(typ, path, v, hops+1)})
			return
		}
		typ, ref = "ID", globalid.Type(typ) // compared by id
	}
	*cmps = append(*cmps, r.comparisons(fact.Field, path, typ, ref, v)...)
}

// comparisons reads a comparison input of a field of type typ (ref: the
// node type an ID names).
func (r *whereReader) comparisons(field, path, typ string, ref globalid.Type, v reflect.Value) []store.Cmp {
	var out []store.Cmp
	fields(v, func(op string, f reflect.Value) {
		r.predicates++
		at := path + "." + op
		if f.Kind() == reflect.Slice {
			if f.Len() > maxFilterValues {
				r.a.problems.Add(at, "takes at most %d values", maxFilterValues)
				return
			}
			out = append(out, store.Cmp{Field: field, Op: op, Value: r.list(at, typ, ref, f)})
			return
		}
		x := f.Elem()
		if op == "isNull" {
			out = append(out, store.Cmp{Field: field, Op: op, Value: x.Bool()})
			return
		}
		if op == "includes" || op == "startsWith" {
			if n := utf8.RuneCountInString(x.String()); n < 2 && op == "includes" || n > 100 {
				r.a.problems.Add(at, "must be 2 to 100 characters")
				return
			}
		}
		out = append(out, store.Cmp{Field: field, Op: op, Value: r.scalar(at, typ, ref, x)})
	})
	return out
}

// scalar converts one value to what the store binds: ids decoded, dates
// as dates, numbers as int64, enums as their text.
func (r *whereReader) scalar(path, typ string, ref globalid.Type, x reflect.Value) any {
	switch v := x.Interface().(type) {
	case model.Date:
		return v.Time.Format(time.DateOnly)
	case time.Time:
		return v
	case model.KRW:
		return int64(v)
	case int:
		return int64(v)
	case bool:
		return v
	}
	if typ == "ID" {
		id, err := globalid.DecodeAs(path, ref, x.String())
		if err != nil {
			r.a.include(err)
		}
		return id
	}
	return x.String()
}

// list converts a list of values to a slice the driver sends as an array.
func (r *whereReader) list(path, typ string, ref globalid.Type, f reflect.Value) any {
	switch typ {
	case "ID", "Int", "KRW":
		out := make([]int64, f.Len())
		for i := range out {
			out[i], _ = r.scalar(fmt.Sprintf("%s[%d]", path, i), typ, ref, f.Index(i)).(int64)
		}
		return out
	}
	out := make([]string, f.Len())
	for i := range out {
		switch v := r.scalar(fmt.Sprintf("%s[%d]", path, i), typ, ref, f.Index(i)).(type) {
		case time.Time:
			out[i] = v.Format(time.RFC3339Nano)
		default:
			out[i] = fmt.Sprint(v)
		}
	}
	return out
}

// readWhere reads a root list's where argument over node type node.
func readWhere(node string, where any) (*store.Where, error) {
	return readWith(where, func(r *whereReader, v reflect.Value) store.Where { return r.node(node, "where", v, 0) })
}

// readEdgeWhere reads a relationship field's where argument: a filter of
// its edges (their facts and the node they lead to).
func readEdgeWhere(relationship string, where any) (*store.EdgeWhere, error) {
	d, ok := relation.DirectionByLoader(relationship)
	if !ok {
		return nil, fmt.Errorf("where: no relationship %q", relationship)
	}
	return readWith(where, func(r *whereReader, v reflect.Value) store.EdgeWhere { return r.edge(d, "where", v, 0) })
}

// readWith reads where (gqlgen's input struct, or a nil pointer) with
// read, every problem collected, and the bound on its conditions checked.
func readWith[T any](where any, read func(*whereReader, reflect.Value) T) (*T, error) {
	rv := reflect.ValueOf(where)
	if !rv.IsValid() || rv.IsNil() {
		return nil, nil
	}
	var a args
	r := &whereReader{a: &a}
	w := read(r, rv.Elem())
	if r.predicates > maxWherePredicates {
		a.problems.Add("where", "has %d conditions; at most %d", r.predicates, maxWherePredicates)
	}
	return &w, a.err()
}
