package graph

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"startupgraph/internal/model"
)

// The direct executor's reading of input arguments (where, orderBy,
// filter): the argument's value, as the validator left it, decoded into the
// Go type gqlgen's generated code would have built, guided by the schema's
// input definitions, with the same scalar functions gqlgen.yml binds
// (model.UnmarshalInt, model.UnmarshalString, graphql.UnmarshalID,
// model.UnmarshalDateTime, the enums' and model scalars' UnmarshalGQL) and
// the input fields' defaults. Whatever it does not know how to read (an
// input field with a directive, an Omittable, a type it has no rule for)
// is an error, and an error hands the query to gqlgen, which reads the
// argument itself and reports any problem as it always did.

var errInputUnknown = errors.New("direct executor: an input it does not read")

// argOf is the argument name of p's field decoded as V (its zero value
// when absent or null). Decoded values are kept for the field's other
// parents.
func argOf[V any](p directPage, name string) (V, error) {
	var zero V
	if v, ok := p.decoded[name]; ok {
		return v.(V), nil
	}
	raw, set := p.raw[name]
	def := p.defs.ForName(name)
	if !set || raw == nil || def == nil || len(def.Directives) > 0 {
		if set && raw != nil {
			return zero, errInputUnknown
		}
		p.decoded[name] = zero
		return zero, nil
	}
	rv, err := decodeInput(p.ctx, p.schema, raw, def.Type, reflect.TypeFor[V]())
	if err != nil {
		return zero, err
	}
	v := rv.Interface().(V)
	p.decoded[name] = v
	return v, nil
}

var timeType = reflect.TypeFor[time.Time]()

// omittableName marks gqlgen's graphql.Omittable fields (update inputs).
const omittableName = "Omittable["

// decodeInput decodes v, a value of GraphQL type t, into Go type goType.
func decodeInput(ctx context.Context, schema *ast.Schema, v any, t *ast.Type, goType reflect.Type) (reflect.Value, error) {
	if v == nil {
		return reflect.Zero(goType), nil
	}
	if goType.Kind() == reflect.Pointer && t.Elem == nil {
		inner, err := decodeInput(ctx, schema, v, t, goType.Elem())
		if err != nil {
			return reflect.Value{}, err
		}
		p := reflect.New(goType.Elem())
		p.Elem().Set(inner)
		return p, nil
	}
	if t.Elem != nil { // a list: a single value stands for a list of one
		if goType.Kind() != reflect.Slice {
			return reflect.Value{}, errInputUnknown
		}
		items := graphql.CoerceList(v)
		out := reflect.MakeSlice(goType, len(items), len(items))
		for i, item := range items {
			iv, err := decodeInput(ctx, schema, item, t.Elem, goType.Elem())
			if err != nil {
				return reflect.Value{}, err
			}
			out.Index(i).Set(iv)
		}
		return out, nil
	}
	def := schema.Types[t.NamedType]
	if def == nil {
		return reflect.Value{}, errInputUnknown
	}
	switch def.Kind {
	case ast.InputObject:
		return decodeObject(ctx, schema, v, def, goType)
	case ast.Enum:
		return decodeUnmarshaler(ctx, v, goType)
	case ast.Scalar:
		return decodeScalar(ctx, v, def.Name, goType)
	}
	return reflect.Value{}, errInputUnknown
}

// decodeObject decodes an input object into its generated struct: each
// field of the definition, by its json name, defaults applied.
func decodeObject(ctx context.Context, schema *ast.Schema, v any, def *ast.Definition, goType reflect.Type) (reflect.Value, error) {
	m, ok := v.(map[string]any)
	if !ok || goType.Kind() != reflect.Struct {
		return reflect.Value{}, errInputUnknown
	}
	for k := range m {
		if def.Fields.ForName(k) == nil {
			return reflect.Value{}, errInputUnknown
		}
	}
	out := reflect.New(goType).Elem()
	fields := structFields(goType)
	for _, fd := range def.Fields {
		if len(fd.Directives) > 0 {
			return reflect.Value{}, errInputUnknown
		}
		fv, present := m[fd.Name]
		if !present && fd.DefaultValue != nil {
			dv, err := fd.DefaultValue.Value(nil)
			if err != nil {
				return reflect.Value{}, errInputUnknown
			}
			fv, present = dv, true
		}
		if !present {
			continue
		}
		i, ok := fields[fd.Name]
		if !ok {
			return reflect.Value{}, errInputUnknown
		}
		sf := goType.Field(i)
		if strings.Contains(sf.Type.Name(), omittableName) {
			return reflect.Value{}, errInputUnknown
		}
		dv, err := decodeInput(ctx, schema, fv, fd.Type, sf.Type)
		if err != nil {
			return reflect.Value{}, err
		}
		out.Field(i).Set(dv)
	}
	return out, nil
}

// structFields maps a generated input struct's json names to its fields.
func structFields(t reflect.Type) map[string]int {
	out := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = i
		}
	}
	return out
}

// decodeUnmarshaler decodes a value whose Go type reads itself.
func decodeUnmarshaler(ctx context.Context, v any, goType reflect.Type) (reflect.Value, error) {
	p := reflect.New(goType)
	switch u := p.Interface().(type) {
	case graphql.ContextUnmarshaler:
		if err := u.UnmarshalGQLContext(ctx, v); err != nil {
			return reflect.Value{}, err
		}
	case graphql.Unmarshaler:
		if err := u.UnmarshalGQL(v); err != nil {
			return reflect.Value{}, err
		}
	default:
		return reflect.Value{}, errInputUnknown
	}
	return p.Elem(), nil
}

// decodeScalar decodes a scalar with the function gqlgen.yml binds to it.
func decodeScalar(ctx context.Context, v any, name string, goType reflect.Type) (reflect.Value, error) {
	var (
		got any
		err error
	)
	switch name {
	case "Int":
		got, err = model.UnmarshalInt(v)
	case "String":
		if goType.Kind() != reflect.String {
			return decodeUnmarshaler(ctx, v, goType)
		}
		got, err = model.UnmarshalString(v)
	case "ID":
		got, err = graphql.UnmarshalID(v)
	case "Boolean":
		got, err = graphql.UnmarshalBoolean(v)
	case "DateTime":
		if goType != timeType {
			return reflect.Value{}, errInputUnknown
		}
		got, err = model.UnmarshalDateTime(v)
	default:
		return decodeUnmarshaler(ctx, v, goType)
	}
	if err != nil {
		return reflect.Value{}, err
	}
	rv := reflect.ValueOf(got)
	if !rv.Type().ConvertibleTo(goType) || rv.Kind() != goType.Kind() {
		return reflect.Value{}, fmt.Errorf("%w: %s into %s", errInputUnknown, name, goType)
	}
	return rv.Convert(goType), nil
}
