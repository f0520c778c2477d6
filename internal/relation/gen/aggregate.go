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
	measures []relation.Measure
}

func aggregateConns(dirs []direction) []aggConn {
	var out []aggConn
	seen := map[string]bool{}
	add := func(name, node string, d *relation.Direction) {
		if seen[name] || len(relation.Nodes[node].Fields) == 0 {
			return
		}
		seen[name] = true
		out = append(out, aggConn{name, node, relation.Measures(node, d)})
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
	}
	return b.String()
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
	}
}
