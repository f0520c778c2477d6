package main

import (
	"bytes"
	"fmt"
	"strings"

	"startupgraph/internal/relation"
)

func schema(dirs []direction) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n# Pages (connections) and the relationship fields of each node type.\n", notice)
	for _, n := range relation.Plain {
		connectionSDL(&b, n.Name, n.Name, "A page of "+n.Plural+".", "")
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		if d.parent.Connection == "" || seen[d.parent.Connection] {
			continue
		}
		seen[d.parent.Connection] = true
		connectionSDL(&b, d.parent.Connection, d.listedNode.Name, d.parent.ConnectionDoc, factsSDL(d.rel.Facts))
	}
	b.WriteString("\nextend type Query {\n")
	for _, l := range relation.Lists {
		args := relation.PageArgs
		if l.Filter != "" {
			args += fmt.Sprintf(", %q filter: %s", l.FilterDoc, l.Filter)
		}
		if l.Order != "" {
			args += fmt.Sprintf(", %q orderBy: %s", l.OrderDoc, l.Order)
		}
		if len(node(l.Node).Fields) > 0 {
			args += fmt.Sprintf(", %q where: %sWhere", WhereDoc, l.Node)
		}
		directive := ""
		if l.Directive != "" {
			directive = " " + l.Directive
		}
		fmt.Fprintf(&b, "  %q\n  %s(%s): %sConnection!%s\n", l.Doc, l.Field, args, node(l.Node).Name, directive)
	}
	b.WriteString("}\n")
	var order []string
	fields := map[string][]direction{}
	for _, d := range dirs {
		if fields[d.parent.Node] == nil {
			order = append(order, d.parent.Node)
		}
		fields[d.parent.Node] = append(fields[d.parent.Node], d)
	}
	for _, parent := range order {
		fmt.Fprintf(&b, "\nextend type %s {\n", parent)
		for _, d := range fields[parent] {
			auth := ""
			if d.listedNode.Guard != "" && d.parentNode.Guard == "" {
				auth = " @authenticated"
			}
			args := relation.PageArgs
			if len(d.listedNode.Fields) > 0 {
				args += fmt.Sprintf(", %q where: %sEdgeWhere", EdgeWhereDoc, d.connection())
			}
			if ordered(d) {
				args += fmt.Sprintf(", %q orderBy: [%sOrder!]", NestedOrderDoc, d.listedNode.Name)
			}
			fmt.Fprintf(&b, "  %q\n  %s(%s): %sConnection!%s\n", d.parent.Doc, d.parent.Field, args, d.connection(), auth)
		}
		b.WriteString("}\n")
	}
	b.WriteString(whereSDL(dirs))
	b.WriteString(aggregateSDL(aggregateConns(dirs)))
	return b.Bytes()
}

func connectionSDL(b *bytes.Buffer, conn, nodeType, doc, facts string) {
	fmt.Fprintf(b, `
%q
type %[2]sConnection {
  "The edges of this page."
  edges: [%[2]sEdge!]!
  "The nodes of this page, without edge facts."
  nodes: [%[3]s!]!
  "Where this page sits."
  pageInfo: PageInfo!
  "How many items the whole list has (ignoring pagination)."
  totalCount: Int!
}

"An edge of %[2]sConnection."
type %[2]sEdge {
  "Cursor of this edge, for after/before."
  cursor: String!
  "The item."
  node: %[3]s!%[4]s
}
`, doc, conn, nodeType, facts)
}

func modelTypes(dirs []direction) string {
	var b strings.Builder
	fmt.Fprintf(&b, "// %s\n\npackage model\n\nimport \"time\"\n", notice)
	factsModels(&b)
	edge := func(conn, nodeType, doc string, facts *relation.Facts) {
		fmt.Fprintf(&b, "\n// %sEdge is an edge of %[1]sConnection.\ntype %[1]sEdge struct {\n\tCursor Cursor\n\tNode *%s\n", conn, nodeType)
		if facts != nil {
			if facts.Field != "" {
				fmt.Fprintf(&b, "\t%s %s\n", facts.Field, facts.Model)
			} else {
				fmt.Fprintf(&b, "\t%s\n", facts.Model)
			}
		}
		fmt.Fprintf(&b, "}\n\nfunc (e %sEdge) node() *%s { return e.Node }\n", conn, nodeType)
		fmt.Fprintf(&b, "\n// %sConnection is %s\ntype %[1]sConnection struct {\n\tConnection[%[1]sEdge, %[3]s]\n}\n", conn, lowerFirst(doc), nodeType)
	}
	for _, n := range relation.Plain {
		edge(n.Name, n.Name, "a page of "+n.Plural+".", nil)
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		if d.parent.Connection == "" || seen[d.parent.Connection] {
			continue
		}
		seen[d.parent.Connection] = true
		edge(d.parent.Connection, d.listedNode.Name, "a page of "+lowerFirst(d.parent.ConnectionDoc), d.rel.Facts)
	}
	return b.String()
}
