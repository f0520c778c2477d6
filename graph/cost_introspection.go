package graph

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// What an introspection field (__schema, __type) costs: the objects its
// answer holds, counted on the schema (see costLimit).

// introspectionCost counts the objects an introspection field's answer
// holds (the schema, types, fields, arguments, input fields, enum values,
// directives), walking its selection over the schema the way gqlgen's
// introspection answers it. Each alias counts on its own. Counting stops
// once it passes the budget, so a hostile selection costs no more to
// price than a refusal.
func (w *costWalker) introspectionCost(f *ast.Field) int {
	if w.schema == nil {
		return 0
	}
	c := introCounter{w: w, limit: w.limit}
	if f.Name == "__schema" {
		c.schema(f.SelectionSet)
	} else if name, ok := w.stringArg(f, "name"); ok {
		if def := w.schema.Types[name]; def != nil {
			c.typ(f.SelectionSet, ast.NamedType(name, nil))
		}
	}
	return c.n
}

func (w *costWalker) stringArg(f *ast.Field, name string) (string, bool) {
	a := f.Arguments.ForName(name)
	if a == nil {
		return "", false
	}
	v, err := a.Value.Value(w.vars)
	s, ok := v.(string)
	return s, err == nil && ok
}

type introCounter struct {
	w        *costWalker
	n, limit int
}

// fields calls fn for every field a selection set selects, through its
// fragments (validation has refused cycles; a repeated one is skipped).
func (c *introCounter) fields(set ast.SelectionSet, fn func(*ast.Field)) {
	for _, sel := range set {
		if c.n > c.limit {
			return
		}
		switch s := sel.(type) {
		case *ast.Field:
			fn(s)
		case *ast.InlineFragment:
			c.fields(s.SelectionSet, fn)
		case *ast.FragmentSpread:
			f := c.w.doc.Fragments.ForName(s.Name)
			if f == nil || c.w.inFragment[s.Name] {
				continue
			}
			c.w.inFragment[s.Name] = true
			c.fields(f.SelectionSet, fn)
			delete(c.w.inFragment, s.Name)
		}
	}
}

func (c *introCounter) schema(set ast.SelectionSet) {
	c.n++
	s := c.w.schema
	root := func(sel ast.SelectionSet, def *ast.Definition) {
		if def != nil {
			c.typ(sel, ast.NamedType(def.Name, nil))
		}
	}
	c.fields(set, func(f *ast.Field) {
		switch f.Name {
		case "types":
			for name := range s.Types {
				c.typ(f.SelectionSet, ast.NamedType(name, nil))
			}
		case "queryType":
			root(f.SelectionSet, s.Query)
		case "mutationType":
			root(f.SelectionSet, s.Mutation)
		case "subscriptionType":
			root(f.SelectionSet, s.Subscription)
		case "directives":
			for _, d := range s.Directives {
				c.n++
				c.fields(f.SelectionSet, func(f *ast.Field) {
					if f.Name == "args" {
						for _, a := range d.Arguments {
							c.inputValue(f.SelectionSet, a.Type)
						}
					}
				})
			}
		}
	})
}

// typ counts a __Type: a named type, or a NON_NULL or LIST wrapper whose
// ofType is what it wraps.
func (c *introCounter) typ(set ast.SelectionSet, t *ast.Type) {
	if c.n > c.limit {
		return
	}
	c.n++
	var def *ast.Definition
	var of *ast.Type
	switch {
	case t.NonNull:
		cp := *t
		cp.NonNull = false
		of = &cp
	case t.Elem != nil:
		of = t.Elem
	default:
		def = c.w.schema.Types[t.NamedType]
	}
	c.fields(set, func(f *ast.Field) {
		if f.Name == "ofType" {
			if of != nil {
				c.typ(f.SelectionSet, of)
			}
			return
		}
		if def == nil {
			return // a wrapper has no fields, interfaces, ...
		}
		switch f.Name {
		case "fields":
			if def.Kind == ast.Object || def.Kind == ast.Interface {
				for _, fd := range def.Fields {
					if !strings.HasPrefix(fd.Name, "__") {
						c.field(f.SelectionSet, fd)
					}
				}
			}
		case "inputFields":
			if def.Kind == ast.InputObject {
				for _, fd := range def.Fields {
					c.inputValue(f.SelectionSet, fd.Type)
				}
			}
		case "interfaces":
			if def.Kind == ast.Object || def.Kind == ast.Interface {
				for _, name := range def.Interfaces {
					c.typ(f.SelectionSet, ast.NamedType(name, nil))
				}
			}
		case "possibleTypes":
			if def.Kind == ast.Interface || def.Kind == ast.Union {
				for _, p := range c.w.schema.GetPossibleTypes(def) {
					c.typ(f.SelectionSet, ast.NamedType(p.Name, nil))
				}
			}
		case "enumValues":
			if def.Kind == ast.Enum {
				c.n += len(def.EnumValues)
			}
		}
	})
}

func (c *introCounter) field(set ast.SelectionSet, fd *ast.FieldDefinition) {
	c.n++
	c.fields(set, func(f *ast.Field) {
		switch f.Name {
		case "args":
			for _, a := range fd.Arguments {
				c.inputValue(f.SelectionSet, a.Type)
			}
		case "type":
			c.typ(f.SelectionSet, fd.Type)
		}
	})
}

func (c *introCounter) inputValue(set ast.SelectionSet, t *ast.Type) {
	c.n++
	c.fields(set, func(f *ast.Field) {
		if f.Name == "type" {
			c.typ(f.SelectionSet, t)
		}
	})
}
