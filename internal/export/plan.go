// Package export flattens the one connection of a GraphQL query into a
// table, page by page: Plan reads the validated query (which connection,
// which columns), Rewrite makes the query that fetches one page after a
// cursor, Walk runs it until the last page, and the writers (CSV, XLSX)
// stream the rows out. It runs nothing itself: the HTTP edge
// (internal/server) executes every page through gqlgen's executor, so a
// page costs, is limited and is scoped exactly as the same query sent to
// /graphql.
package export

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
)

// PageSize is the page size of a connection whose query gives no first:
// the largest the API allows, so a walk takes as few pages as it can.
const PageSize = 100

// afterVariable is the variable Rewrite adds for the cursor, when the
// connection's after is not a variable already.
const afterVariable = "sgExportAfter"

// pageInfoKey is the response key of the pageInfo Rewrite adds to the
// connection, apart from any the query selects itself.
const pageInfoKey = "sgExportPage"

// NotExportable says why a query cannot be exported (no connection, two
// connections, …), naming the field; the HTTP edge answers it before the
// first byte of the file.
type NotExportable struct {
	// Field is the response path of the field at fault ("" for the query).
	Field   string
	Message string
}

func (e *NotExportable) Error() string { return e.Message }

func notExportable(field, format string, args ...any) error {
	return &NotExportable{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Plan is how a query's connection becomes a table.
type Plan struct {
	// Path is the response keys from the root to the connection.
	Path []string
	// Rows is the response key of the connection's nodes or edges: one
	// row per item.
	Rows string
	// Columns are the row's leaf fields in the order of the selection,
	// named by their response keys (aliases), nested objects' dotted.
	Columns []Column

	conn      *ast.Field // the connection, in the validated document
	operation string
}

// Column is one column of the table: the response keys from the row to a
// leaf value.
type Column struct {
	Name string
	keys []string
}

// Header is the columns' names.
func (p *Plan) Header() []string {
	h := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		h[i] = c.Name
	}
	return h
}

// NewPlan reads the operation op of the validated document doc: it must
// be a query holding exactly one connection, reached from the root
// through single objects only (e.g. `startups`, or `university(key:) {
// startups }`), that selects nodes or edges and pages forward.
func NewPlan(doc *ast.QueryDocument, op *ast.OperationDefinition) (*Plan, error) {
	if op.Operation != ast.Query {
		return nil, notExportable("", "export runs queries only, not a %s", op.Operation)
	}
	f := finder{doc: doc}
	f.find(op.SelectionSet, nil, "")
	switch {
	case len(f.hits) == 0:
		return nil, notExportable("", "the query selects no connection: export walks one list with nodes or edges, e.g. { startups { nodes { name } } }")
	case len(f.hits) > 1:
		names := make([]string, len(f.hits))
		for i, h := range f.hits {
			names[i] = strings.Join(h.path, ".")
		}
		return nil, notExportable(names[1], "the query selects %d connections (%s); export walks exactly one: export them one at a time", len(f.hits), strings.Join(names, ", "))
	}
	hit := f.hits[0]
	name := strings.Join(hit.path, ".")
	if hit.list != "" {
		return nil, notExportable(name, "the connection %s sits inside the list %s: export one list at a time, e.g. through a lookup by key such as university(key:) { startups { … } }", name, hit.list)
	}
	for _, a := range hit.field.Arguments {
		if a.Name == "last" || a.Name == "before" {
			return nil, notExportable(name+"."+a.Name, "export walks %s forward from its first page: use first and after, not %s", name, a.Name)
		}
	}
	p := &Plan{Path: hit.path, conn: hit.field, operation: op.Name}
	var rowSets []ast.SelectionSet
	for _, c := range fieldsOf(doc, hit.field.SelectionSet) {
		if c.Name != "nodes" && c.Name != "edges" {
			continue // totalCount, pageInfo, aggregate, …: not rows
		}
		if p.Rows != "" && p.Rows != c.Alias {
			return nil, notExportable(name, "the connection %s selects both %s and %s: select one (edges to export the edges' own fields too)", name, p.Rows, c.Alias)
		}
		p.Rows = c.Alias
		rowSets = append(rowSets, c.SelectionSet)
	}
	if p.Rows == "" {
		return nil, notExportable(name, "the connection %s selects neither nodes nor edges: put the fields to export in nodes { … } or edges { … }", name)
	}
	seen := map[string]bool{}
	for _, set := range rowSets {
		p.columns(doc, set, nil, seen)
	}
	if len(p.Columns) == 0 {
		return nil, notExportable(name+"."+p.Rows, "%s.%s selects no fields to export", name, p.Rows)
	}
	return p, nil
}

// columns adds a column per leaf of set below the keys prefix, once per
// response path, in the order of the selection.
func (p *Plan) columns(doc *ast.QueryDocument, set ast.SelectionSet, prefix []string, seen map[string]bool) {
	for _, f := range fieldsOf(doc, set) {
		keys := append(slices.Clip(prefix), f.Alias)
		if len(f.SelectionSet) > 0 {
			p.columns(doc, f.SelectionSet, keys, seen)
			continue
		}
		name := strings.Join(keys, ".")
		if !seen[name] {
			seen[name] = true
			p.Columns = append(p.Columns, Column{Name: name, keys: keys})
		}
	}
}

// fieldsOf lists the fields of a selection set, those of its fragments
// included, in order.
func fieldsOf(doc *ast.QueryDocument, set ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	var walk func(set ast.SelectionSet, depth int)
	walk = func(set ast.SelectionSet, depth int) {
		if depth > 32 {
			return // validation refused cycles; this bounds the walk anyway
		}
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				out = append(out, s)
			case *ast.InlineFragment:
				walk(s.SelectionSet, depth+1)
			case *ast.FragmentSpread:
				if fd := doc.Fragments.ForName(s.Name); fd != nil {
					walk(fd.SelectionSet, depth+1)
				}
			}
		}
	}
	walk(set, 0)
	return out
}

type hit struct {
	field *ast.Field
	path  []string
	list  string // the first list above it, if any
}

// finder finds the outermost connections of a selection: those below
// one are the rows' own lists.
type finder struct {
	doc  *ast.QueryDocument
	hits []hit
}

func (f *finder) find(set ast.SelectionSet, path []string, list string) {
	for _, fld := range fieldsOf(f.doc, set) {
		if fld.Definition == nil || len(fld.SelectionSet) == 0 {
			continue
		}
		keys := append(slices.Clip(path), fld.Alias)
		if isConnection(fld) {
			f.add(hit{field: fld, path: keys, list: list})
			continue
		}
		inner := list
		if inner == "" && fld.Definition.Type.Elem != nil {
			inner = strings.Join(keys, ".")
		}
		f.find(fld.SelectionSet, keys, inner)
	}
}

// add records a connection, once per response path (GraphQL merges the
// same field selected twice into one answer).
func (f *finder) add(h hit) {
	for _, o := range f.hits {
		if slices.Equal(o.path, h.path) {
			return
		}
	}
	f.hits = append(f.hits, h)
}

// isConnection: a Relay connection (one object, its type named …Connection).
func isConnection(f *ast.Field) bool {
	t := f.Definition.Type
	return t.Elem == nil && strings.HasSuffix(t.NamedType, "Connection")
}

// Rewrite returns the text of the query that fetches one page: the
// connection's first is PageSize unless the query gives it, its after is
// a variable (the query's own when it has one; its name is returned), and
// it selects the pageInfo Walk follows. The query is parsed again from
// its text, so the cached document the executor validated is not
// touched; the connection is found there by its position in the text.
// initial is the cursor the query's own after literal gave, if any.
func (p *Plan) Rewrite(query string) (text, afterVar string, initial *string, err error) {
	doc, perr := parser.ParseQuery(&ast.Source{Input: query})
	if perr != nil {
		return "", "", nil, perr
	}
	op := doc.Operations.ForName(p.operation)
	if op == nil && p.operation == "" && len(doc.Operations) == 1 {
		op = doc.Operations[0]
	}
	var conn *ast.Field
	for _, o := range doc.Operations {
		conn = cmp.Or(conn, fieldAt(o.SelectionSet, p.conn.Position.Start))
	}
	for _, fr := range doc.Fragments {
		conn = cmp.Or(conn, fieldAt(fr.SelectionSet, p.conn.Position.Start))
	}
	if op == nil || conn == nil {
		return "", "", nil, fmt.Errorf("export: the connection at %d:%d is not in the query text", p.conn.Position.Line, p.conn.Position.Column)
	}
	hasFirst := false
	for _, a := range conn.Arguments {
		switch a.Name {
		case "first":
			hasFirst = true
		case "after":
			if a.Value.Kind == ast.Variable {
				afterVar = a.Value.Raw
				continue
			}
			if a.Value.Kind == ast.StringValue {
				s := a.Value.Raw
				initial = &s
			}
			afterVar = afterVariable
			a.Value = &ast.Value{Kind: ast.Variable, Raw: afterVariable}
		}
	}
	if !hasFirst {
		conn.Arguments = append(conn.Arguments, &ast.Argument{Name: "first", Value: &ast.Value{Kind: ast.IntValue, Raw: fmt.Sprint(PageSize)}})
	}
	if afterVar == "" {
		afterVar = afterVariable
		conn.Arguments = append(conn.Arguments, &ast.Argument{Name: "after", Value: &ast.Value{Kind: ast.Variable, Raw: afterVariable}})
	}
	if afterVar == afterVariable && op.VariableDefinitions.ForName(afterVariable) == nil {
		op.VariableDefinitions = append(op.VariableDefinitions, &ast.VariableDefinition{Variable: afterVariable, Type: ast.NamedType("String", nil)})
	}
	conn.SelectionSet = append(conn.SelectionSet, &ast.Field{Alias: pageInfoKey, Name: "pageInfo", SelectionSet: ast.SelectionSet{
		&ast.Field{Alias: "hasNextPage", Name: "hasNextPage"},
		&ast.Field{Alias: "endCursor", Name: "endCursor"},
	}})
	var b bytes.Buffer
	formatter.NewFormatter(&b).FormatQueryDocument(doc)
	return b.String(), afterVar, initial, nil
}

// fieldAt finds the field of set, at any depth, that starts at offset
// start of the query text.
func fieldAt(set ast.SelectionSet, start int) *ast.Field {
	for _, sel := range set {
		var inner ast.SelectionSet
		switch s := sel.(type) {
		case *ast.Field:
			if s.Position != nil && s.Position.Start == start {
				return s
			}
			inner = s.SelectionSet
		case *ast.InlineFragment:
			inner = s.SelectionSet
		}
		if f := fieldAt(inner, start); f != nil {
			return f
		}
	}
	return nil
}
