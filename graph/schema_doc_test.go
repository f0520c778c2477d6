package graph_test

import (
	"os"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestSchemaIsDescribed: every type, field, argument, enum value and input
// field of the contract has a description a newcomer can read.
func TestSchemaIsDescribed(t *testing.T) {
	var sources []*ast.Source
	for _, name := range []string{"../schema.graphqls", "relations.graphqls", "mutations.graphqls", "changes.graphqls"} {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, &ast.Source{Name: name, Input: string(src)})
	}
	schema, gerr := gqlparser.LoadSchema(sources...)
	if gerr != nil {
		t.Fatal(gerr)
	}
	var missing []string
	need := func(what, desc string) {
		if len(strings.TrimSpace(desc)) < 8 {
			missing = append(missing, what)
		}
	}
	for name, def := range schema.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		need("type "+name, def.Description)
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue // introspection fields are GraphQL's own
			}
			need(name+"."+f.Name, f.Description)
			for _, a := range f.Arguments {
				need(name+"."+f.Name+"("+a.Name+")", a.Description)
			}
		}
		for _, v := range def.EnumValues {
			need(name+"."+v.Name, v.Description)
		}
	}
	for name, d := range schema.Directives {
		if d.Position != nil && d.Position.Src.BuiltIn {
			continue
		}
		need("directive @"+name, d.Description)
	}
	if len(missing) > 0 {
		t.Errorf("%d schema elements lack a description:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}
