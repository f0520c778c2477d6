package graph

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"startupgraph/graph/generated"
	"startupgraph/internal/apperr"
	"startupgraph/internal/globalid"
	"startupgraph/internal/loader"
	"startupgraph/internal/model"
	"startupgraph/internal/relation"
	"startupgraph/internal/store"
)

// maxGroupKeys bounds a groupBy's keys.
const maxGroupKeys = 4

// groupBy resolves a connection's groupBy field (issue #18) over a list
// of node (following the relationship direction named loader, "" for a
// list of nodes): it checks by, orderBy and first, reads the measures the
// selection asks for, computes the groups in one statement through
// groups, and fills gqlgen's <Connection>Group structs: each key's value
// (the node itself for a reference or a relationship, loaded in one
// batch per type) and the measures.
func groupBy[T any](ctx context.Context, groups func(context.Context, model.GroupSpec) ([]model.GroupRow, error),
	node, loaderName string, by, orderBy any, first *int) ([]T, error) {
	if groups == nil {
		return nil, fmt.Errorf("groupBy: the list has no groups")
	}
	var d *relation.Direction
	if loaderName != "" {
		dir, ok := relation.DirectionByLoader(loaderName)
		if !ok {
			return nil, fmt.Errorf("groupBy: no relationship %q", loaderName)
		}
		d = &dir
	}
	var a args
	spec := model.GroupSpec{Limit: 100}
	bv := reflect.ValueOf(by)
	switch n := bv.Len(); {
	case n == 0:
		a.problems.Add("by", "names at least one key")
	case n > maxGroupKeys:
		a.problems.Add("by", "takes at most %d keys", maxGroupKeys)
	}
	seen := map[string]bool{}
	var keys []relation.GroupKey
	for i := range bv.Len() {
		name := bv.Index(i).String()
		if seen[name] {
			a.problems.Add(fmt.Sprintf("by[%d]", i), "%s is already a key", name)
		}
		seen[name] = true
		k, _ := relation.GroupKeyOf(node, d, name) // the schema's enum: always one
		keys = append(keys, k)
		spec.Keys = append(spec.Keys, name)
	}
	if first != nil {
		if *first < 1 || *first > store.MaxGroups {
			a.problems.Add("first", "must be 1 to %d", store.MaxGroups)
		}
		spec.Limit = *first
	}
	var sums []model.Measure
	ov := reflect.ValueOf(orderBy)
	for i := 0; ov.IsValid() && i < ov.Len(); i++ {
		o := reflect.Indirect(ov.Index(i))
		field := o.FieldByName("By").String()
		dir, _ := o.FieldByName("Direction").Interface().(*generated.OrderDirection)
		g := model.GroupOrder{Desc: isDesc(dir, false)}
		switch field {
		case "KEYS":
			g.Keys = true
		case "COUNT":
			g.Measure = model.Measure{Fn: "count"}
		default:
			g.Measure = sumOf(node, d, field)
			sums = append(sums, g.Measure)
		}
		spec.Order = append(spec.Order, g)
	}
	if err := a.err(); err != nil {
		return nil, err
	}
	oc := graphql.GetOperationContext(ctx)
	fc := graphql.GetFieldContext(ctx)
	fields := graphql.CollectFields(oc, fc.Field.Selections, nil)
	spec.Measures = measuresOf(oc, fields, sums)
	rows, err := groups(ctx, spec)
	if err != nil {
		return nil, err
	}
	// The nodes the groups carry, wanted together so each type loads once.
	l := loader.For(ctx)
	for _, r := range rows {
		for i, k := range keys {
			if (k.Kind == "ref" || k.Kind == "rel") && r.Keys[i] != nil {
				if id, err := strconv.ParseInt(*r.Keys[i], 10, 64); err == nil {
					l.Want(model.Ref{Type: globalid.Type(k.Type), ID: id})
				}
			}
		}
	}
	out := make([]T, len(rows))
	for j, r := range rows {
		v := reflect.ValueOf(&out[j]).Elem()
		at := append(append(ast.Path(nil), fc.Path()...), ast.PathIndex(j))
		for i, k := range keys {
			if err := setKey(ctx, l, field(v, k.Field), k, r.Keys[i]); err != nil {
				graphql.AddError(ctx, gqlerrorAt(append(at, ast.PathName(k.Field)), err))
			}
		}
		fillMeasures(ctx, v, oc, fields, r.Values, at)
	}
	return out, nil
}

// sumOf is the measure a SUM_<FIELD> group order names.
func sumOf(node string, d *relation.Direction, name string) model.Measure {
	for _, m := range relation.Measures(node, d) {
		if "SUM_"+relation.EnumName(m.Field) == name {
			return model.Measure{Fn: "sum", Field: m.Field}
		}
	}
	return model.Measure{Fn: "sum", Field: name} // refused by the store
}

// setKey writes a group key's value (text; nil for null) into dst: an
// enum, a number or a flag, or the node a reference names.
func setKey(ctx context.Context, l *loader.Loaders, dst reflect.Value, k relation.GroupKey, text *string) error {
	if !dst.IsValid() || text == nil {
		return nil
	}
	target := reflect.New(dst.Type().Elem()).Elem() // gqlgen's nullable fields are pointers
	switch k.Kind {
	case "ref", "rel":
		id, err := strconv.ParseInt(*text, 10, 64)
		if err != nil {
			return err
		}
		n, err := l.Node(ctx, globalid.Type(k.Type), id)
		if errors.Is(err, apperr.ErrNotFound) {
			return nil // a node the caller may not see: the key stays null
		}
		if err != nil {
			return err
		}
		nv := reflect.Indirect(reflect.ValueOf(n))
		if !nv.Type().AssignableTo(target.Type()) {
			return fmt.Errorf("groupBy: %s is not a %s", nv.Type(), target.Type())
		}
		target.Set(nv)
	default:
		switch target.Kind() {
		case reflect.String:
			target.SetString(*text)
		case reflect.Int, reflect.Int64, reflect.Int32:
			n, err := strconv.ParseInt(*text, 10, 64)
			if err != nil {
				return err
			}
			target.SetInt(n)
		case reflect.Bool:
			b, err := strconv.ParseBool(*text)
			if err != nil {
				return err
			}
			target.SetBool(b)
		default:
			return fmt.Errorf("groupBy: cannot read a key into %s", target.Type())
		}
	}
	dst.Set(target.Addr())
	return nil
}
