package main

import (
	"fmt"
	"strings"

	"startupgraph/internal/relation"
)

func storeChildren(dirs []direction) string {
	var b strings.Builder
	fmt.Fprintf(&b, "// %s\n\npackage store\n\nimport (\n\t\"time\"\n\n\t\"startupgraph/internal/globalid\"\n\t\"startupgraph/internal/model\"\n)\n", notice)
	b.WriteString(graphSources())
	nodeGuards(&b)
	factsRows(&b)
	for _, n := range relation.Plain {
		if n.Row == "" {
			continue
		}
		fmt.Fprintf(&b, "\n// %sEdge is an edge of a page of %s.\nfunc %[1]sEdge(r %[3]s, cursor model.Cursor) model.%[4]sEdge {\n\treturn model.%[4]sEdge{Cursor: cursor, Node: ptr(r.model())}\n}\n",
			lowerFirst(n.Name), n.Plural, n.Row, n.Name)
	}
	for _, d := range dirs {
		r, ln := d.rel, d.listedNode
		var from, parent, idExpr string
		if r.ForeignKey {
			from, parent, idExpr = r.Table+" n", "n."+d.listed.Column, "n.id"
		} else {
			from = fmt.Sprintf("%s e JOIN %s n ON n.id = e.%s", r.Table, ln.Table, d.listed.Column)
			parent, idExpr = "e."+d.parent.Column, "e.id"
		}
		if d.parent.Via != "" {
			from = d.parent.Via
		}
		if d.parent.Parent != "" {
			parent = d.parent.Parent
		}
		cols := ln.Cols
		if r.Facts != nil {
			cols += ` + ", " + ` + factsCols(r.Facts)
		}
		sort := "nil"
		if o := r.Order; o != nil {
			sort = fmt.Sprintf("&sortKey{expr: %q, cast: %q, desc: %t}", o.Expr, o.Cast, o.Desc)
		}
		var guards []string
		if g := d.parentNode.Guard; g != "" {
			guards = append(guards, fmt.Sprintf("%s(%q)", g, parent))
		}
		if g := ln.Guard; g != "" && !(r.Implied == ln.Name && d.parentNode.Guard != "") {
			guards = append(guards, fmt.Sprintf("%s(%q)", g, "n.id"))
		}
		guards = append(guards, ownAssignments(r)...)
		guards = append(guards, archivedGuards(ln, "n.id", from)...)
		conn := d.connection()
		var toEdge string
		if f := r.Facts; f != nil {
			field := f.Model
			if f.Field != "" {
				field = f.Field
			}
			toEdge = fmt.Sprintf(`func(r struct {
	%[1]s
	%[2]s
}, cursor model.Cursor) model.%[3]sEdge {
	return model.%[3]sEdge{Cursor: cursor, Node: ptr(r.%[1]s.model()), %[4]s: r.%[2]s.model()}
}`, ln.Row, factsRow(f), conn, field)
		} else {
			toEdge = lowerFirst(ln.Name) + "Edge"
		}
		fmt.Fprintf(&b, "\n// %s pages, for each %s, the %s.\n", d.parent.Loader, lower(d.parentNode.Name), d.parent.Field)
		fmt.Fprintf(&b, "var %s = newChild(%q, %s,\n\t%q, %q, %q, %s,\n\t%s%s).as(%q)\n",
			d.parent.Loader, r.Name+"/"+role(d.parent), cols, from, parent, idExpr, sort, toEdge, prefixComma(guards), d.parent.Loader)
	}
	b.WriteString("\n// childQueries are every child list's query, by name: the where\n// compiler reads a relationship through it (where.go).\nvar childQueries = map[string]func() pageQuery{\n")
	for _, d := range dirs {
		fmt.Fprintf(&b, "\t%q: %s.query,\n", d.parent.Loader, d.parent.Loader)
	}
	b.WriteString("}\n")
	return b.String()
}

// ownAssignments guards the university end of a relationship whose rows
// a university sees only its own of.
func ownAssignments(r relation.Relationship) []string {
	if !r.OwnAssignments {
		return nil
	}
	return []string{fmt.Sprintf("ownAssignmentGuard(%q)", "e."+r.Ends[0].Column)}
}

// graphSources writes the edges neighborhood and paths walk: one source
// per relationship with a Graph, from its From end to the other.
func graphSources() string {
	var b strings.Builder
	b.WriteString("\n// edgeSources are the relationships neighborhood and paths walk.\nvar edgeSources = []edgeSource{\n")
	for _, r := range relation.All {
		g := r.Graph
		if g == nil {
			continue
		}
		ends := [2]relation.End{r.Ends[g.From], r.Ends[1-g.From]}
		var expr [2]string
		for i, e := range ends {
			switch {
			case r.ForeignKey && e.Column == "":
				expr[i] = "e." + ends[1-i].Column // the end the key points at
			case r.ForeignKey:
				expr[i] = "e.id" // the row holding the key
			default:
				expr[i] = "e." + e.Column
			}
		}
		table := r.Table + " e"
		if g.Table != "" {
			table, expr[0], expr[1] = g.Table, g.A, g.B
		}
		var guards []string
		for i, e := range ends {
			other := node(ends[1-i].Node)
			if n := node(e.Node); n.Guard != "" && !(r.Implied == n.Name && other.Guard != "") {
				guards = append(guards, fmt.Sprintf("%s(%q)", n.Guard, expr[i]))
			}
		}
		guards = append(guards, ownAssignments(r)...)
		for i, e := range ends {
			guards = append(guards, archivedGuards(node(e.Node), expr[i], "")...)
		}
		guards = append(guards, archivedGuards(relation.Node{}, "", table)...)
		fmt.Fprintf(&b, "\t{%q, globalid.%s, globalid.%s, %q, %q, %q, []guard{%s}},\n",
			g.Kind, ends[0].Node, ends[1].Node, table, expr[0], expr[1], strings.Join(guards, ", "))
	}
	b.WriteString("}\n")
	return b.String()
}

// archivedGuards leave archived rows out: the node n whose id is idExpr,
// when its type is archivable, and a cohort the FROM clause from passes
// through (a membership of an archived cohort is an edge of an archived
// node).
func archivedGuards(n relation.Node, idExpr, from string) []string {
	var out []string
	if n.Archivable() {
		out = append(out, fmt.Sprintf("archivedGuard(%q, %q)", n.Table, idExpr))
	}
	if strings.Contains(from, "JOIN cohorts c ON") {
		out = append(out, fmt.Sprintf("archivedGuard(%q, %q)", "cohorts", "c.id"))
	}
	return out
}

func role(e relation.End) string {
	if e.Role != "" {
		return e.Role
	}
	return lower(e.Node)
}

func prefixComma(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return ", " + strings.Join(list, ", ")
}

// nodeGuards writes the scope guard of each guarded node type, by name,
// for the where compiler's references (a mentor's university).
func nodeGuards(b *strings.Builder) {
	b.WriteString("\n// nodeGuards are the scope guards of the node types that have one.\nvar nodeGuards = map[string]func(string) guard{\n")
	for _, n := range sortedNodes() {
		if n.Guard != "" {
			fmt.Fprintf(b, "\t%q: %s,\n", n.Name, n.Guard)
		}
	}
	b.WriteString("}\n")
}
