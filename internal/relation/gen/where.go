package main

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"startupgraph/internal/relation"
)

// The where grammar (issue #17): for every node type with fields, a
// <Node>Where input (and, or, not, a comparison per field, a predicate per
// relationship of the type); for every connection, an edge filter (its
// facts and its node) and the predicates some, none, every and count.

// WhereDoc describes the where argument.
const WhereDoc = "Only items for which this holds: and, or, not, a comparison per field, some/none/every/count over each relationship (combined with filter, when both are given)."

// EdgeWhereDoc describes the where argument of a relationship field.
const EdgeWhereDoc = "Only the edges for which this holds: their facts and the node they lead to (and, or, not, comparisons, relationship predicates)."

// NestedOrderDoc describes the orderBy argument of a relationship field
// that lists startups.
const NestedOrderDoc = "Sort order, one key after another (at most 5; the edge breaks ties); the order the edges were recorded in when omitted."

// ordered reports whether a direction's field takes orderBy: those that
// list startups (by their related figures) or a node type with a
// generated order.
func ordered(d direction) bool {
	return d.listedNode.Name == "Startup" || relation.IsOrdered(d.listedNode.Name)
}

// orderSDL writes <Node>OrderField and <Node>Order for every node type
// with a generated order.
func orderSDL(b *bytes.Buffer) {
	for _, node := range relation.Ordered {
		n := relation.Nodes[node]
		fmt.Fprintf(b, "\n%q\nenum %sOrderField {\n", "What a list of "+n.Plural+" sorts by.", node)
		for _, f := range relation.OrderFields(node) {
			fmt.Fprintf(b, "  %q\n  %s\n", f.Doc, f.Name)
		}
		fmt.Fprintf(b, "}\n\n%q\ninput %sOrder {\n  \"The key.\"\n  field: %[2]sOrderField!\n  \"Sort direction; ascending when omitted.\"\n  direction: OrderDirection = ASC\n}\n",
			"One sort key of a list of "+n.Plural+".", node)
	}
}

// comparisonOf is the comparison input of a field's type.
func comparisonOf(typ string) string {
	t := strings.TrimSuffix(typ, "!")
	switch t {
	case "ID":
		return "IDComparison"
	case "String", "Name":
		return "TextComparison"
	case "Date", "DateTime", "Int", "KRW", "Boolean":
		return t + "Comparison"
	}
	if n := relation.Nodes[t]; n.Name != "" {
		if len(n.Fields) > 0 {
			return t + "Where" // a reference: a filter on the node it names
		}
		return "IDComparison" // compared by the node's id
	}
	return t + "Comparison" // an enum
}

// wherable are the node types with a Where input.
func wherable() []relation.Node {
	var out []relation.Node
	for _, n := range sortedNodes() {
		if len(n.Fields) > 0 {
			out = append(out, n)
		}
	}
	return out
}

// sortedNodes are the node types by name.
func sortedNodes() []relation.Node {
	var out []relation.Node
	for _, n := range relation.Nodes {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// predicateOf names the predicate input of a direction's field.
func predicateOf(d direction) string { return d.connection() + "Predicate" }

func whereSDL(dirs []direction) string {
	var b bytes.Buffer
	b.WriteString("\n# ---- orderBy: sort keys of each node type (issue #17)\n")
	orderSDL(&b)
	b.WriteString("\n# ---- where: filters that compose (issue #17)\n")
	enums := map[string]bool{}
	noteEnum := func(typ string) {
		c := comparisonOf(typ)
		switch {
		case c == "IDComparison", c == "TextComparison", c == "DateComparison", c == "DateTimeComparison", c == "IntComparison", c == "KRWComparison", c == "BooleanComparison":
		case strings.HasSuffix(c, "Where"):
		default:
			enums[strings.TrimSuffix(typ, "!")] = true
		}
	}
	for _, n := range wherable() {
		fmt.Fprintf(&b, "\n%q\ninput %sWhere {\n", "Which "+n.Plural+" to keep: every condition given must hold.", n.Name)
		writeBoolean(&b, n.Name+"Where")
		b.WriteString("  \"Compare the global id.\"\n  id: IDComparison\n")
		for _, f := range n.Fields {
			noteEnum(f.Type)
			fmt.Fprintf(&b, "  %q\n  %s: %s\n", f.Doc, f.Field, comparisonOf(f.Type))
		}
		for _, d := range dirs {
			if d.parentNode.Name == n.Name && len(d.listedNode.Fields) > 0 {
				fmt.Fprintf(&b, "  %q\n  %s: %s\n", "Conditions on "+lowerFirst(d.parent.Doc), d.parent.Field, predicateOf(d))
			}
		}
		b.WriteString("}\n")
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		conn := d.connection()
		if seen[conn] || len(d.listedNode.Fields) == 0 {
			continue
		}
		seen[conn] = true
		fmt.Fprintf(&b, "\n\"Which edges of a %sConnection to consider: their facts and their node.\"\ninput %sEdgeWhere {\n", conn, conn)
		writeBoolean(&b, conn+"EdgeWhere")
		if f := d.rel.Facts; f != nil {
			for _, x := range append(f.Fields, f.Where...) {
				noteEnum(x.Type)
				fmt.Fprintf(&b, "  %q\n  %s: %s\n", x.Doc, x.Field, comparisonOf(x.Type))
			}
		}
		fmt.Fprintf(&b, "  \"Conditions on the node the edge leads to.\"\n  node: %sWhere\n}\n", d.listedNode.Name)
		fmt.Fprintf(&b, `
"A condition on a relationship: some edge, no edge or every edge matches, or how many do."
input %[1]sPredicate {
  "At least one edge matches (an empty filter: the relationship has an edge)."
  some: %[1]sEdgeWhere
  "No edge matches (an empty filter: the relationship has no edge)."
  none: %[1]sEdgeWhere
  "Every edge matches (true when there is none)."
  every: %[1]sEdgeWhere
  "How many edges (matching where, when given) there are."
  count: %[1]sCount
}

"How many edges of a relationship, optionally only those matching where."
input %[1]sCount {
  "Count only the edges that match."
  where: %[1]sEdgeWhere
  "Equal to."
  eq: Int
  "Not equal to."
  ne: Int
  "Fewer than."
  lt: Int
  "At most."
  lte: Int
  "More than."
  gt: Int
  "At least."
  gte: Int
}
`, conn)
	}
	writeComparison(&b, "IDComparison", "ID", true, false)
	b.WriteString(`
"A comparison of text: case-insensitive; a name matches in Korean or English."
input TextComparison {
  "Equal to (ignoring case)."
  eq: String
  "Equal to one of these (ignoring case)."
  in: [String!]
  "Starts with."
  startsWith: String
  "Contains (2 to 100 characters)."
  includes: String
}
`)
	writeComparison(&b, "DateComparison", "Date", false, true)
	writeComparison(&b, "DateTimeComparison", "DateTime", false, true)
	writeComparison(&b, "IntComparison", "Int", false, true)
	writeComparison(&b, "KRWComparison", "KRW", false, true)
	b.WriteString(`
"A comparison of a Boolean."
input BooleanComparison {
  "Equal to."
  eq: Boolean
}
`)
	var names []string
	for e := range enums {
		names = append(names, e)
	}
	sort.Strings(names)
	for _, e := range names {
		writeComparison(&b, e+"Comparison", e, true, false)
	}
	return b.String()
}

func writeBoolean(b *bytes.Buffer, typ string) {
	fmt.Fprintf(b, "  \"Every one of these holds.\"\n  and: [%[1]s!]\n  \"At least one of these holds.\"\n  or: [%[1]s!]\n  \"This does not hold.\"\n  not: %[1]s\n", typ)
}

// writeComparison writes a comparison input: equality and lists always,
// order when ordered, isNull for nullable columns.
func writeComparison(b *bytes.Buffer, name, typ string, notIn, ordered bool) {
	fmt.Fprintf(b, "\n\"A comparison of a %s.\"\ninput %s {\n  \"Equal to.\"\n  eq: %[1]s\n  \"Not equal to.\"\n  ne: %[1]s\n  \"One of these (at most 100).\"\n  in: [%[1]s!]\n", typ, name)
	if notIn {
		fmt.Fprintf(b, "  \"None of these (at most 100).\"\n  notIn: [%s!]\n", typ)
	}
	if ordered {
		fmt.Fprintf(b, "  \"Less than.\"\n  lt: %[1]s\n  \"At most.\"\n  lte: %[1]s\n  \"More than.\"\n  gt: %[1]s\n  \"At least.\"\n  gte: %[1]s\n", typ)
	}
	b.WriteString("  \"Is null (true) or is not (false).\"\n  isNull: Boolean\n}\n")
}
