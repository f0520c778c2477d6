package main

import (
	"bytes"
	"fmt"
	"strings"

	"startupgraph/internal/relation"
)

// Aggregates (issue #18): every connection of a node type with fields
// has aggregate { count sum avg min max distinctCount } over the fields
// relation.Measures names, computed over the whole list with its filter.

// aggConn is one connection type with an aggregate.
type aggConn struct {
	name     string // the connection's name, e.g. "AssignedStartup"
	node     string // the node type it lists
	loader   string // the relationship direction it follows ("" for a list of nodes)
	measures []relation.Measure
	keys     []relation.GroupKey
}

func aggregateConns(dirs []direction) []aggConn {
	var out []aggConn
	seen := map[string]bool{}
	add := func(name, node string, d *relation.Direction) {
		if seen[name] || len(relation.Nodes[node].Fields) == 0 {
			return
		}
		seen[name] = true
		loader := ""
		if d != nil {
			loader = d.Loader
		}
		out = append(out, aggConn{name, node, loader, relation.Measures(node, d), relation.GroupKeys(node, d)})
	}
	for _, n := range relation.Plain {
		add(n.Name, n.Name, nil)
	}
	for _, d := range dirs {
		if d.parent.Connection == "" {
			continue
		}
		rd, ok := relation.DirectionByLoader(d.parent.Loader)
		if ok {
			add(d.parent.Connection, d.listedNode.Name, &rd)
		}
	}
	return out
}

// gqlType is a measure's GraphQL type, nullable.
func gqlType(m relation.Measure) string {
	if t := relation.Base(m.Type); relation.Nodes[t].Name == "" {
		return t
	}
	return "ID"
}

func (a aggConn) with(kinds ...string) []relation.Measure {
	var out []relation.Measure
	for _, m := range a.measures {
		for _, k := range kinds {
			if m.Kind == k {
				out = append(out, m)
			}
		}
	}
	return out
}

func aggregateSDL(conns []aggConn) string {
	var b bytes.Buffer
	b.WriteString("\n# ---- aggregate: totals over a whole list (issue #18)\n")
	for _, a := range conns {
		numbers, ordered, all := a.with("number"), a.with("number", "time"), a.measures
		fmt.Fprintf(&b, "\nextend type %sConnection {\n  %q\n  aggregate: %[1]sAggregate!\n}\n", a.name,
			"Totals over the whole list (its filter and where, ignoring pagination), counting only what the caller may see.")
		fmt.Fprintf(&b, "\n%q\ntype %sAggregate {\n  \"How many items the list has.\"\n  count: Int!\n", "Totals over a "+a.name+"Connection.", a.name)
		if len(numbers) > 0 {
			fmt.Fprintf(&b, "  \"Sums (0 over no items).\"\n  sum: %sSums!\n  \"Averages (null over no items).\"\n  avg: %[1]sAverages!\n", a.name)
		}
		if len(ordered) > 0 {
			fmt.Fprintf(&b, "  \"Smallest values (null over no items).\"\n  min: %sExtremes!\n  \"Largest values (null over no items).\"\n  max: %[1]sExtremes!\n", a.name)
		}
		if len(all) > 0 {
			fmt.Fprintf(&b, "  \"How many distinct values (nulls not counted).\"\n  distinctCount: %sDistinctCounts!\n", a.name)
		}
		b.WriteString("}\n")
		block := func(typ, doc string, ms []relation.Measure, fieldType func(relation.Measure) string) {
			if len(ms) == 0 {
				return
			}
			fmt.Fprintf(&b, "\n%q\ntype %s%s {\n", doc, a.name, typ)
			for _, m := range ms {
				fmt.Fprintf(&b, "  %q\n  %s: %s\n", m.Doc, m.Field, fieldType(m))
			}
			b.WriteString("}\n")
		}
		block("Sums", "Sums of a "+a.name+"Connection's numbers: 0 over no items; null, with VALUE_OUT_OF_RANGE, beyond what the type carries exactly.", numbers, gqlType)
		block("Averages", "Averages of a "+a.name+"Connection's numbers.", numbers, func(relation.Measure) string { return "Float" })
		block("Extremes", "Smallest or largest values of a "+a.name+"Connection's numbers and dates.", ordered, gqlType)
		block("DistinctCounts", "How many distinct values of each field a "+a.name+"Connection has.", all, func(relation.Measure) string { return "Int!" })
		groupSDL(&b, a, len(numbers) > 0, len(ordered) > 0, len(all) > 0)
	}
	return b.String()
}

// groupSDL writes a connection's groupBy field and its types.
func groupSDL(b *bytes.Buffer, a aggConn, numbers, ordered, all bool) {
	if len(a.keys) == 0 {
		return
	}
	fmt.Fprintf(b, "\nextend type %sConnection {\n  %q\n  groupBy(%q by: [%[1]sGroupKey!]!, %q orderBy: [%[1]sGroupOrder!], %q first: Int = 100): [%[1]sGroup!]!\n}\n", a.name,
		"The whole list (its filter and where, ignoring pagination) in groups, with totals per group, counting only what the caller may see.",
		"What to group by, one key after another (1 to 4 keys).", "The order of the groups, one key after another; by the group keys when omitted.",
		"At most this many groups (1 to 1000).")
	fmt.Fprintf(b, "\n%q\nenum %sGroupKey {\n", "What a "+a.name+"Connection's groupBy groups by.", a.name)
	for _, k := range a.keys {
		fmt.Fprintf(b, "  %q\n  %s\n", k.Doc, k.Name)
	}
	fmt.Fprintf(b, "}\n\n%q\ntype %sGroup {\n", "One group of a "+a.name+"Connection: its keys (null for keys it is not grouped by) and its totals.", a.name)
	for _, k := range a.keys {
		doc := k.Doc
		if k.Kind == "ref" || k.Kind == "rel" {
			doc = "The group's " + strings.ToLower(k.Type) + " (" + k.Name + ")."
		}
		fmt.Fprintf(b, "  %q\n  %s: %s\n", doc, k.Field, k.Type)
	}
	b.WriteString("  \"How many items the group has.\"\n  count: Int!\n")
	if numbers {
		fmt.Fprintf(b, "  \"Sums over the group.\"\n  sum: %sSums!\n  \"Averages over the group.\"\n  avg: %[1]sAverages!\n", a.name)
	}
	if ordered {
		fmt.Fprintf(b, "  \"Smallest values in the group.\"\n  min: %sExtremes!\n  \"Largest values in the group.\"\n  max: %[1]sExtremes!\n", a.name)
	}
	if all {
		fmt.Fprintf(b, "  \"Distinct values in the group.\"\n  distinctCount: %sDistinctCounts!\n", a.name)
	}
	fmt.Fprintf(b, "}\n\n%q\ninput %sGroupOrder {\n  \"What to sort by.\"\n  by: %[2]sGroupOrderField!\n  \"Sort direction; ascending when omitted.\"\n  direction: OrderDirection = ASC\n}\n",
		"One sort key of a "+a.name+"Connection's groups.", a.name)
	fmt.Fprintf(b, "\n%q\nenum %sGroupOrderField {\n  \"The group keys, in the order of by.\"\n  KEYS\n  \"How many items each group has.\"\n  COUNT\n", "What a "+a.name+"Connection's groups sort by.", a.name)
	for _, m := range a.with("number") {
		fmt.Fprintf(b, "  %q\n  SUM_%s\n", "The sum of "+m.Field+".", relation.EnumName(m.Field))
	}
	b.WriteString("}\n")
}

// aggregateResolvers writes the aggregate resolver of every connection,
// and marks them as this generator's in mine.
func aggregateResolvers(b *strings.Builder, conns []aggConn, mine map[string]bool) {
	for _, a := range conns {
		recv := lowerFirst(a.name) + "ConnectionResolver"
		mine[recv+".Aggregate"] = true
		fmt.Fprintf(b, `
// Aggregate is the resolver for the aggregate field.
func (r *%[1]s) Aggregate(ctx context.Context, obj *model.%[2]sConnection) (*generated.%[2]sAggregate, error) {
	return aggregate[generated.%[2]sAggregate](ctx, obj.Totals)
}
`, recv, a.name)
		if len(a.keys) == 0 {
			continue
		}
		mine[recv+".GroupBy"] = true
		fmt.Fprintf(b, `
// GroupBy is the resolver for the groupBy field.
func (r *%[1]s) GroupBy(ctx context.Context, obj *model.%[2]sConnection, by []generated.%[2]sGroupKey, orderBy []generated.%[2]sGroupOrder, first *int) ([]generated.%[2]sGroup, error) {
	return groupBy[generated.%[2]sGroup](ctx, obj.Groups, %[3]q, %[4]q, by, orderBy, first)
}
`, recv, a.name, a.node, a.loader)
	}
}
