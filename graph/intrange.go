package graph

import (
	"context"
	"errors"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"startupgraph/internal/apperr"
	"startupgraph/internal/model"
)

// intRange refuses an Int argument beyond 32 bits before anything runs,
// whether a literal or a variable, anywhere inside an argument's value.
// GraphQL's Int is 32-bit and such a value is a coercion error, but
// gqlparser's validation does not check the range, and the cost check
// reads first/last/limit from the document before the Int scalar's parser
// (model.UnmarshalInt, which says what is allowed) ever sees them. It runs
// after validation, so every argument has its type, and before costLimit.
type intRange struct{ schema *ast.Schema }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = (*intRange)(nil)

func (*intRange) ExtensionName() string { return "IntRange" }

func (r *intRange) Validate(es graphql.ExecutableSchema) error {
	r.schema = es.Schema()
	return nil
}

func (r *intRange) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	c := intChecker{schema: r.schema, vars: oc.Variables}
	c.selections(oc.Operation.SelectionSet)
	for _, f := range oc.Doc.Fragments {
		c.selections(f.SelectionSet)
	}
	return c.err
}

type intChecker struct {
	schema *ast.Schema
	vars   map[string]any
	err    *gqlerror.Error
}

func (c *intChecker) selections(set ast.SelectionSet) {
	for _, sel := range set {
		if c.err != nil {
			return
		}
		switch s := sel.(type) {
		case *ast.Field:
			for _, a := range s.Arguments {
				c.argument(a)
			}
			c.selections(s.SelectionSet)
		case *ast.InlineFragment:
			c.selections(s.SelectionSet)
		}
	}
}

func (c *intChecker) argument(a *ast.Argument) {
	if a.Value == nil || a.Value.ExpectedType == nil {
		return // validation reported it
	}
	v, err := a.Value.Value(c.vars)
	if err != nil {
		// Only a number beyond 64 bits fails to convert after validation.
		c.fail(a.Name, a.Position, apperr.InvalidValue("is not a number this API accepts"))
		return
	}
	c.value(a.Value.ExpectedType, v, a.Name, a.Position)
}

func (c *intChecker) value(typ *ast.Type, v any, path string, pos *ast.Position) {
	if v == nil || c.err != nil {
		return
	}
	if typ.Elem != nil {
		list, ok := v.([]any)
		if !ok {
			c.value(typ.Elem, v, path, pos) // a single value coerced to a list
			return
		}
		for i, x := range list {
			c.value(typ.Elem, x, fmt.Sprintf("%s[%d]", path, i), pos)
		}
		return
	}
	def := c.schema.Types[typ.NamedType]
	if def == nil {
		return
	}
	switch def.Kind {
	case ast.Scalar:
		if def.Name == "Int" {
			if _, err := model.UnmarshalInt(v); err != nil {
				c.fail(path, pos, err)
			}
		}
	case ast.InputObject:
		if m, ok := v.(map[string]any); ok {
			for _, f := range def.Fields {
				c.value(f.Type, m[f.Name], path+"."+f.Name, pos)
			}
		}
	}
}

// fail records the first problem as BAD_USER_INPUT naming path.
func (c *intChecker) fail(path string, pos *ast.Position, err error) {
	msg := err.Error()
	var input *apperr.InputError
	if errors.As(err, &input) && len(input.Problems) > 0 {
		msg = input.Problems[0].Message
	}
	c.err = &gqlerror.Error{Err: apperr.Invalid(path, "%s", msg), Message: path + ": " + msg}
	if pos != nil {
		c.err.Locations = []gqlerror.Location{{Line: pos.Line, Column: pos.Column}}
	}
}
