package main

import (
	"fmt"
	"strings"

	"startupgraph/internal/relation"
)

// A fact's three representations: the model's field, the store's row
// field (as PostgreSQL returns the column) and the conversion between.
type factForm struct {
	goName   string // model field, e.g. "Since", "CohortID"
	model    string // its type in package model, e.g. "Date", "*int64"
	row      string // the row field's type, e.g. "time.Time"
	conv     string // converts r.<goName> to the model, %s being it
	ref      string // the node type a reference loads, "" otherwise
	required bool
}

func formOf(f relation.Fact) factForm {
	typ, required := strings.CutSuffix(f.Type, "!")
	opt := func(s string) string {
		if required {
			return s
		}
		return "*" + s
	}
	out := factForm{goName: upperFirst(f.Field), required: required}
	switch {
	case typ == "Date":
		out.model, out.row, out.conv = opt("Date"), opt("time.Time"), "date(%s)"
		if !required {
			out.conv = "datePtr(%s)"
		}
	case typ == "DateTime":
		out.model, out.row, out.conv = opt("time.Time"), opt("time.Time"), "%s"
	case typ == "String":
		out.model, out.row, out.conv = opt("string"), opt("string"), "%s"
	case typ == "Int":
		out.model, out.row, out.conv = opt("int"), opt("int"), "%s"
	case relation.Nodes[typ].Name != "":
		out.goName += "ID"
		out.model, out.row, out.conv, out.ref = opt("int64"), opt("int64"), "%s", typ
	default: // an enum, stored as text
		if !required {
			panic("relation: a nullable enum fact is not supported: " + f.Field)
		}
		out.model, out.row, out.conv = typ, "string", "model."+typ+"(%s)"
	}
	return out
}

// factsRow names the store's row type of f.
func factsRow(f *relation.Facts) string {
	if f.Row != "" {
		return f.Row
	}
	return lowerFirst(strings.TrimSuffix(f.Model, "Facts")) + "Facts"
}

// factsCols is the Go expression of f's column list (join table as e).
// A column holding a node's id is aliased f_<column>, so that it never
// collides with the node's own columns; the others keep their names, which
// the store's column pruning (omit.go) knows.
func factsCols(f *relation.Facts) string {
	if f.Cols != "" {
		return f.Cols
	}
	cols := make([]string, len(f.Fields))
	for i, x := range f.Fields {
		cols[i] = "e." + x.Column
		if name := columnName(x); name != x.Column {
			cols[i] += " AS " + name
		}
	}
	return fmt.Sprintf("%q", strings.Join(cols, ", "))
}

// columnName is the name a fact's column is read as.
func columnName(x relation.Fact) string {
	if formOf(x).ref != "" {
		return "f_" + x.Column
	}
	if relation.IsStamp(x) {
		return "e_" + x.Column // the node's own created_at and updated_at are read beside it
	}
	return x.Column
}

// factsSDL is f's fields in an edge type of the schema.
func factsSDL(f *relation.Facts) string {
	if f.SDL != "" {
		return f.SDL
	}
	var b strings.Builder
	for _, x := range f.Fields {
		fmt.Fprintf(&b, "\n  %q\n  %s: %s", x.Doc, x.Field, x.Type)
	}
	return b.String()
}

// declaredFacts are the distinct facts declared by fields, in order.
func declaredFacts() []*relation.Facts {
	var out []*relation.Facts
	seen := map[*relation.Facts]bool{}
	for _, r := range relation.All {
		if f := r.Facts; f != nil && len(f.Fields) > 0 && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// factsModels writes the model types of declared facts.
func factsModels(b *strings.Builder) {
	for _, f := range declaredFacts() {
		fmt.Fprintf(b, "\n// %s holds the facts of a relationship's edge.\ntype %[1]s struct {\n", f.Model)
		for _, x := range f.Fields {
			form := formOf(x)
			fmt.Fprintf(b, "\t%s %s\n", form.goName, form.model)
		}
		b.WriteString("}\n")
	}
}

// factsRows writes the store's row types of declared facts.
func factsRows(b *strings.Builder) {
	for _, f := range declaredFacts() {
		row := factsRow(f)
		fmt.Fprintf(b, "\ntype %s struct {\n", row)
		var conv []string
		for _, x := range f.Fields {
			form := formOf(x)
			fmt.Fprintf(b, "\t%s %s `db:\"%s\"`\n", form.goName, form.row, columnName(x))
			conv = append(conv, form.goName+": "+fmt.Sprintf(form.conv, "r."+form.goName))
		}
		fmt.Fprintf(b, "}\n\nfunc (r %s) model() model.%s {\n\treturn model.%[2]s{%s}\n}\n", row, f.Model, strings.Join(conv, ", "))
	}
}

// factsResolvers writes, for every edge type with a fact that refers to a
// node, the resolver loading it; mine collects their names.
func factsResolvers(b *strings.Builder, dirs []direction, mine map[string]bool) {
	seen := map[string]bool{}
	for _, d := range dirs {
		f, conn := d.rel.Facts, d.parent.Connection
		if f == nil || conn == "" || seen[conn] {
			continue
		}
		seen[conn] = true
		for _, x := range f.Fields {
			form := formOf(x)
			if form.ref == "" {
				continue
			}
			load := "optional"
			if form.required {
				load = "required"
			}
			recv := lowerFirst(conn) + "EdgeResolver"
			mine[recv+"."+upperFirst(x.Field)] = true
			fmt.Fprintf(b, `
// %[1]s is the resolver for the %[2]s field.
func (r *%[3]s) %[1]s(ctx context.Context, obj *model.%[4]sEdge) (*model.%[5]s, error) {
	return %[6]s(ctx, loader.For(ctx).%[5]s, obj.%[7]s)
}
`, upperFirst(x.Field), x.Field, recv, conn, form.ref, load, form.goName)
		}
	}
}
