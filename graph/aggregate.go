package graph

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"startupgraph/internal/apperr"
	"startupgraph/internal/model"
)

// aggregate resolves a connection's aggregate field (issue #18): it reads
// which measures the selection asks for (count, and each field under sum,
// avg, min, max and distinctCount), computes them in one statement through
// totals, and fills T, gqlgen's <Connection>Aggregate, by the fields' JSON
// names. A value its type cannot carry exactly (an Int sum beyond 2^31-1, a
// KRW sum beyond 2^53-1) is null with VALUE_OUT_OF_RANGE on that field.
func aggregate[T any](ctx context.Context, totals func(context.Context, []model.Measure) (map[model.Measure]*string, error)) (*T, error) {
	if totals == nil {
		return nil, fmt.Errorf("aggregate: the list has no totals")
	}
	oc := graphql.GetOperationContext(ctx)
	fc := graphql.GetFieldContext(ctx)
	groups := graphql.CollectFields(oc, fc.Field.Selections, nil)
	ms := measuresOf(oc, groups, nil)
	var out T
	if len(ms) == 0 {
		return &out, nil
	}
	vals, err := totals(ctx, ms)
	if err != nil {
		return nil, err
	}
	fillMeasures(ctx, reflect.ValueOf(&out).Elem(), oc, groups, vals, fc.Path())
	return &out, nil
}

// measuresOf reads the measures a selection of an aggregate (or a group)
// asks for: count, and each field under sum, avg, min, max and
// distinctCount; other fields (a group's keys) are not measures. extra
// are measures asked for besides (a group order's sums).
func measuresOf(oc *graphql.OperationContext, groups []graphql.CollectedField, extra []model.Measure) []model.Measure {
	var ms []model.Measure
	seen := map[model.Measure]bool{}
	add := func(m model.Measure) {
		if !seen[m] {
			seen[m] = true
			ms = append(ms, m)
		}
	}
	for _, g := range groups {
		switch g.Name {
		case "count":
			add(model.Measure{Fn: "count"})
		case "sum", "avg", "min", "max", "distinctCount":
			for _, f := range graphql.CollectFields(oc, g.Selections, nil) {
				if f.Name != "__typename" {
					add(model.Measure{Fn: g.Name, Field: f.Name})
				}
			}
		}
	}
	for _, m := range extra {
		add(m)
	}
	return ms
}

// fillMeasures writes vals into v (gqlgen's aggregate or group struct) by
// the fields' JSON names, for the selection groups; path locates v in the
// response, for errors.
func fillMeasures(ctx context.Context, v reflect.Value, oc *graphql.OperationContext, groups []graphql.CollectedField, vals map[model.Measure]*string, path ast.Path) {
	for _, g := range groups {
		switch g.Name {
		case "count":
			setMeasure(ctx, field(v, "count"), vals[model.Measure{Fn: "count"}], pathOf(path, g, nil))
		case "sum", "avg", "min", "max", "distinctCount":
			inner := field(v, g.Name)
			if !inner.IsValid() {
				continue
			}
			if inner.Kind() == reflect.Pointer {
				inner.Set(reflect.New(inner.Type().Elem()))
				inner = inner.Elem()
			}
			for _, f := range graphql.CollectFields(oc, g.Selections, nil) {
				setMeasure(ctx, field(inner, f.Name), vals[model.Measure{Fn: g.Name, Field: f.Name}], pathOf(path, g, &f))
			}
		}
	}
}

// field returns v's field whose JSON name is name (invalid when none).
func field(v reflect.Value, name string) reflect.Value {
	t := v.Type()
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); tag == name {
			return v.Field(i)
		}
	}
	return reflect.Value{}
}

func pathOf(base ast.Path, g graphql.CollectedField, f *graphql.CollectedField) ast.Path {
	p := append(append(ast.Path(nil), base...), ast.PathName(g.Alias))
	if f != nil {
		p = append(p, ast.PathName(f.Alias))
	}
	return p
}

// setMeasure writes text, a measure's value as the database rendered it,
// into dst (an int, float, KRW, Date or DateTime, or a pointer to one);
// null leaves it nil. A value dst cannot carry is reported at path.
func setMeasure(ctx context.Context, dst reflect.Value, text *string, path ast.Path) {
	if !dst.IsValid() || text == nil {
		return
	}
	target := dst
	if dst.Kind() == reflect.Pointer {
		target = reflect.New(dst.Type().Elem()).Elem()
	}
	var err error
	switch target.Interface().(type) {
	case model.KRW:
		var k model.KRW
		if k, err = model.KRWTotal(strings.TrimSuffix(*text, ".0")); err == nil {
			target.SetInt(int64(k))
		}
	case int:
		var n int64
		if n, err = strconv.ParseInt(*text, 10, 64); err == nil && (n > math.MaxInt32 || n < math.MinInt32) {
			err = fmt.Errorf("%w: Int total %d", apperr.ErrOutOfRange, n)
		}
		target.SetInt(n)
	case float64:
		var f float64
		f, err = strconv.ParseFloat(*text, 64)
		target.SetFloat(f)
	case model.Date:
		var t time.Time
		if t, err = time.Parse(time.DateOnly, *text); err == nil {
			target.Set(reflect.ValueOf(model.NewDate(t)))
		}
	case time.Time:
		var t time.Time
		if t, err = time.Parse(time.RFC3339Nano, *text); err == nil {
			target.Set(reflect.ValueOf(t))
		}
	case string:
		target.SetString(*text)
	default:
		err = fmt.Errorf("aggregate: cannot read into %s", target.Type())
	}
	if err != nil {
		graphql.AddError(ctx, gqlerrorAt(path, err))
		return
	}
	if dst.Kind() == reflect.Pointer {
		dst.Set(target.Addr())
	}
}

// gqlerrorAt is err at path in the response.
func gqlerrorAt(path ast.Path, err error) error { return gqlerror.WrapPath(path, err) }
