package graph_test

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"startupgraph/graph/generated"
	"startupgraph/internal/apitest"
	"startupgraph/internal/config"
	"startupgraph/internal/testdb"
)

// standardIntrospection is graphql-js's getIntrospectionQuery with every
// option, vendored byte for byte (testdata/README.md).
func standardIntrospection(t testing.TB) string {
	t.Helper()
	q, err := os.ReadFile("testdata/introspection-query.graphql")
	if err != nil {
		t.Fatal(err)
	}
	return string(q)
}

// TestStandardIntrospection sends the query GraphiQL and codegen tools send
// as an ANALYST key and, in dev mode, without a key, then builds a client
// schema from each answer, as those tools do, and checks it is the
// server's schema: types, fields, arguments, enum values, input fields,
// interfaces, union members and directives.
func TestStandardIntrospection(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	query := standardIntrospection(t)
	server := dumpSchema(generated.NewExecutableSchema(generated.Config{}).Schema())
	if n := strings.Count(server, "\n"); n < 1000 {
		t.Fatalf("the server's schema dump has only %d lines", n)
	}
	for _, as := range []struct {
		name string
		c    *apitest.Client
	}{
		{"analyst", c.As(c.NewKey(t, "ANALYST", ""))},
		{"admin", c},
		{"dev mode without a key", c.WithConfig(config.Config{Dev: true, RequestTimeout: 10 * time.Second}).As("")},
	} {
		t.Run(as.name, func(t *testing.T) {
			start := time.Now()
			r := as.c.DoBody(t, map[string]any{"query": query, "operationName": "IntrospectionQuery"})
			took := time.Since(start)
			if r.Status != 200 || len(r.Errors) > 0 {
				t.Fatalf("status %d: %+v", r.Status, r.Errors)
			}
			t.Logf("one standard introspection: %d bytes of data in %s, %d SQL statements", len(r.Data), took.Round(time.Millisecond), r.Statements)
			client := clientSchema(t, r.Data)
			if got := dumpSchema(client); got != server {
				t.Errorf("the schema built from the introspection differs from the server's:\n%s", diffLines(server, got))
			}
		})
	}
}

// The introspection answer, as graphql-js's IntrospectionQuery types it.
type introspection struct {
	Schema struct {
		Description  *string    `json:"description"`
		QueryType    *typeRef   `json:"queryType"`
		MutationType *typeRef   `json:"mutationType"`
		Subscription *typeRef   `json:"subscriptionType"`
		Types        []fullType `json:"types"`
		Directives   []struct {
			Name         string       `json:"name"`
			Description  *string      `json:"description"`
			IsRepeatable bool         `json:"isRepeatable"`
			Locations    []string     `json:"locations"`
			Args         []inputValue `json:"args"`
		} `json:"directives"`
	} `json:"__schema"`
}

type typeRef struct {
	Kind   string   `json:"kind"`
	Name   *string  `json:"name"`
	OfType *typeRef `json:"ofType"`
}

type inputValue struct {
	Name              string  `json:"name"`
	Description       *string `json:"description"`
	Type              typeRef `json:"type"`
	DefaultValue      *string `json:"defaultValue"`
	IsDeprecated      bool    `json:"isDeprecated"`
	DeprecationReason *string `json:"deprecationReason"`
}

type fullType struct {
	Kind           string  `json:"kind"`
	Name           string  `json:"name"`
	Description    *string `json:"description"`
	SpecifiedByURL *string `json:"specifiedByURL"`
	Fields         []struct {
		Name              string       `json:"name"`
		Description       *string      `json:"description"`
		Args              []inputValue `json:"args"`
		Type              typeRef      `json:"type"`
		IsDeprecated      bool         `json:"isDeprecated"`
		DeprecationReason *string      `json:"deprecationReason"`
	} `json:"fields"`
	InputFields []inputValue `json:"inputFields"`
	Interfaces  []typeRef    `json:"interfaces"`
	EnumValues  []struct {
		Name              string  `json:"name"`
		Description       *string `json:"description"`
		IsDeprecated      bool    `json:"isDeprecated"`
		DeprecationReason *string `json:"deprecationReason"`
	} `json:"enumValues"`
	PossibleTypes []typeRef `json:"possibleTypes"`
}

// clientSchema turns an introspection answer into SDL, as graphql-js's
// buildClientSchema does, and loads it with gqlparser.
func clientSchema(t *testing.T, data json.RawMessage) *ast.Schema {
	t.Helper()
	var in introspection
	if err := json.Unmarshal(data, &in); err != nil {
		t.Fatal(err)
	}
	s := in.Schema
	if s.QueryType == nil || s.QueryType.Name == nil || len(s.Types) == 0 {
		t.Fatalf("the answer has no query type or types: %.300s", data)
	}
	var b strings.Builder
	desc := func(indent string, d *string) {
		if d != nil && *d != "" {
			q, _ := json.Marshal(*d) // JSON's escapes are GraphQL's
			fmt.Fprintf(&b, "%s%s\n", indent, q)
		}
	}
	deprecated := func(is bool, reason *string) string {
		if !is {
			return ""
		}
		if reason == nil {
			return " @deprecated"
		}
		q, _ := json.Marshal(*reason)
		return fmt.Sprintf(" @deprecated(reason: %s)", q)
	}
	args := func(list []inputValue) string {
		if len(list) == 0 {
			return ""
		}
		parts := make([]string, len(list))
		for i, a := range list {
			p := ""
			if a.Description != nil && *a.Description != "" {
				q, _ := json.Marshal(*a.Description)
				p = string(q) + " "
			}
			p += a.Name + ": " + refSDL(t, a.Type)
			if a.DefaultValue != nil {
				p += " = " + *a.DefaultValue
			}
			parts[i] = p + deprecated(a.IsDeprecated, a.DeprecationReason)
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	names := func(refs []typeRef) []string {
		out := make([]string, len(refs))
		for i, r := range refs {
			out[i] = refSDL(t, r)
		}
		return out
	}
	fmt.Fprintf(&b, "schema { query: %s", *s.QueryType.Name)
	if s.MutationType != nil {
		fmt.Fprintf(&b, " mutation: %s", *s.MutationType.Name)
	}
	if s.Subscription != nil {
		fmt.Fprintf(&b, " subscription: %s", *s.Subscription.Name)
	}
	b.WriteString(" }\n")
	for _, ty := range s.Types {
		if strings.HasPrefix(ty.Name, "__") || builtinScalars[ty.Name] {
			continue // GraphQL's own: every schema has them
		}
		desc("", ty.Description)
		switch ty.Kind {
		case "SCALAR":
			fmt.Fprintf(&b, "scalar %s", ty.Name)
			if ty.SpecifiedByURL != nil {
				q, _ := json.Marshal(*ty.SpecifiedByURL)
				fmt.Fprintf(&b, " @specifiedBy(url: %s)", q)
			}
			b.WriteString("\n")
		case "OBJECT", "INTERFACE":
			kw := map[string]string{"OBJECT": "type", "INTERFACE": "interface"}[ty.Kind]
			fmt.Fprintf(&b, "%s %s", kw, ty.Name)
			if len(ty.Interfaces) > 0 {
				fmt.Fprintf(&b, " implements %s", strings.Join(names(ty.Interfaces), " & "))
			}
			b.WriteString(" {\n")
			for _, f := range ty.Fields {
				desc("  ", f.Description)
				fmt.Fprintf(&b, "  %s%s: %s%s\n", f.Name, args(f.Args), refSDL(t, f.Type), deprecated(f.IsDeprecated, f.DeprecationReason))
			}
			b.WriteString("}\n")
		case "UNION":
			fmt.Fprintf(&b, "union %s = %s\n", ty.Name, strings.Join(names(ty.PossibleTypes), " | "))
		case "ENUM":
			fmt.Fprintf(&b, "enum %s {\n", ty.Name)
			for _, v := range ty.EnumValues {
				desc("  ", v.Description)
				fmt.Fprintf(&b, "  %s%s\n", v.Name, deprecated(v.IsDeprecated, v.DeprecationReason))
			}
			b.WriteString("}\n")
		case "INPUT_OBJECT":
			fmt.Fprintf(&b, "input %s {\n", ty.Name)
			for _, f := range ty.InputFields {
				desc("  ", f.Description)
				fmt.Fprintf(&b, "  %s\n", strings.TrimSuffix(strings.TrimPrefix(args([]inputValue{{Name: f.Name, Type: f.Type, DefaultValue: f.DefaultValue, IsDeprecated: f.IsDeprecated, DeprecationReason: f.DeprecationReason}}), "("), ")"))
			}
			b.WriteString("}\n")
		default:
			t.Fatalf("type %s of unknown kind %s", ty.Name, ty.Kind)
		}
	}
	for _, d := range s.Directives {
		if builtinDirectives[d.Name] {
			continue
		}
		desc("", d.Description)
		rep := ""
		if d.IsRepeatable {
			rep = " repeatable"
		}
		fmt.Fprintf(&b, "directive @%s%s%s on %s\n", d.Name, args(d.Args), rep, strings.Join(d.Locations, " | "))
	}
	schema, err := gqlparser.LoadSchema(&ast.Source{Name: "introspection", Input: b.String()})
	if err != nil {
		t.Fatalf("the introspection does not make a schema: %v\n%s", err, b.String())
	}
	return schema
}

var builtinScalars = map[string]bool{"String": true, "Int": true, "Float": true, "Boolean": true, "ID": true}

// builtinDirectives are GraphQL's own directives, which gqlparser's prelude
// declares in every schema.
var builtinDirectives = func() map[string]bool {
	s := gqlparser.MustLoadSchema()
	out := map[string]bool{}
	for name := range s.Directives {
		out[name] = true
	}
	return out
}()

// refSDL writes a type reference: NON_NULL and LIST wrap, names end it.
func refSDL(t *testing.T, r typeRef) string {
	switch {
	case r.Kind == "NON_NULL" && r.OfType != nil:
		return refSDL(t, *r.OfType) + "!"
	case r.Kind == "LIST" && r.OfType != nil:
		return "[" + refSDL(t, *r.OfType) + "]"
	case r.Name != nil:
		return *r.Name
	}
	t.Fatalf("a type reference with no name: %+v", r)
	return ""
}

// dumpSchema writes what a client learns of a schema, one fact a line,
// sorted: every type but GraphQL's own, with its fields, arguments,
// default values, enum values, input fields, interfaces, union members
// and descriptions, and every directive but GraphQL's own.
func dumpSchema(s *ast.Schema) string {
	var lines []string
	add := func(format string, a ...any) { lines = append(lines, fmt.Sprintf(format, a...)) }
	dep := func(d ast.DirectiveList) string {
		if dd := d.ForName("deprecated"); dd != nil {
			reason := ""
			if a := dd.Arguments.ForName("reason"); a != nil {
				reason = a.Value.Raw
			}
			return " deprecated:" + reason
		}
		return ""
	}
	value := func(v *ast.Value) string {
		if v == nil {
			return ""
		}
		return " = " + v.String()
	}
	add("schema query:%s mutation:%s subscription:%s", name(s.Query), name(s.Mutation), name(s.Subscription))
	for n, def := range s.Types {
		if def.BuiltIn || strings.HasPrefix(n, "__") {
			continue
		}
		add("%s %s %q", def.Kind, n, def.Description)
		ifaces := slices.Clone(def.Interfaces)
		sort.Strings(ifaces)
		add("%s implements %v", n, ifaces)
		members := slices.Clone(def.Types)
		sort.Strings(members)
		add("%s members %v", n, members)
		for i, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			add("%s.%s: %s %q%s #%d", n, f.Name, f.Type, f.Description, dep(f.Directives)+value(f.DefaultValue), i)
			for _, a := range f.Arguments {
				add("%s.%s(%s: %s%s) %q%s", n, f.Name, a.Name, a.Type, value(a.DefaultValue), a.Description, dep(a.Directives))
			}
		}
		for _, v := range def.EnumValues {
			add("%s.%s %q%s", n, v.Name, v.Description, dep(v.Directives))
		}
	}
	for n, d := range s.Directives {
		if builtinDirectives[n] {
			continue
		}
		locs := make([]string, len(d.Locations))
		for i, l := range d.Locations {
			locs[i] = string(l)
		}
		add("directive @%s %q repeatable:%v on %v", n, d.Description, d.IsRepeatable, locs)
		for _, a := range d.Arguments {
			add("directive @%s(%s: %s%s) %q", n, a.Name, a.Type, value(a.DefaultValue), a.Description)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func name(d *ast.Definition) string {
	if d == nil {
		return ""
	}
	return d.Name
}

// diffLines lists the lines only one side has.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for _, l := range w {
		if !slices.Contains(g, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			out = append(out, "+ "+l)
		}
	}
	if len(out) > 40 {
		out = append(out[:40], fmt.Sprintf("... %d more", len(out)-40))
	}
	return strings.Join(out, "\n")
}

// BenchmarkStandardIntrospection times one standard introspection through
// the whole handler stack as an ANALYST (make bench); its bytes are the
// answer's.
func BenchmarkStandardIntrospection(b *testing.B) {
	c := apitest.New(b, testdb.Demo)
	c = c.As(c.NewKey(b, "ANALYST", ""))
	query := standardIntrospection(b)
	r := c.Do(b, query, nil) // warms the key cache and the query cache
	if len(r.Errors) > 0 {
		b.Fatalf("%+v", r.Errors)
	}
	b.SetBytes(int64(len(r.Data)))
	b.ReportAllocs()
	for b.Loop() {
		if r := c.Do(b, query, nil); len(r.Errors) > 0 {
			b.Fatalf("%+v", r.Errors)
		}
	}
}
