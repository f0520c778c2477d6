package relation

import "strings"

// GroupKey is a key a list's groupBy may group by (issue #18): a field of
// the node or of the edge (an enum, a number, a flag), a reference (the
// group carries the node), a part of a date, or a relationship to
// reference data (a startup's sectors: one group per sector, a startup in
// two sectors in both).
type GroupKey struct {
	Name  string // the enum value, e.g. STAGE, FUND, INVESTED_ON_YEAR, SECTORS
	Field string // the group's field holding the key's value, e.g. stage, fund, investedOnYear, sector
	// Kind is "value", "ref", "year", "quarter", "month" or "rel".
	Kind string
	// Fact is the node's or edge's field a value, ref or date key reads;
	// Edge is true when it is the edge's.
	Fact Fact
	Edge bool
	// Rel is the relationship field a rel key follows.
	Rel  string
	Type string // the group field's GraphQL type (nullable)
	Doc  string
}

// groupedThrough are the node types a list may be grouped by through a
// relationship: the reference data every viewer sees.
var groupedThrough = map[string]bool{"University": true, "Sector": true, "Program": true, "Fund": true, "Market": true, "Cohort": true, "Organization": true}

// GroupKeys are what a list of node (following direction d, when not nil)
// may be grouped by.
func GroupKeys(node string, d *Direction) []GroupKey {
	var out []GroupKey
	seen := map[string]bool{}
	add := func(k GroupKey) {
		if !seen[k.Name] && !seen["field:"+k.Field] {
			seen[k.Name], seen["field:"+k.Field] = true, true
			out = append(out, k)
		}
	}
	facts := func(fs []Fact, edge bool) {
		for _, f := range fs {
			if IsStamp(f) {
				continue
			}
			t := Base(f.Type)
			switch {
			case Nodes[t].Name != "":
				add(GroupKey{Name: upperSnake(f.Field), Field: f.Field, Kind: "ref", Fact: f, Edge: edge, Type: t, Doc: f.Doc})
			case t == "Date" || t == "DateTime":
				for _, part := range []string{"year", "quarter", "month"} {
					add(GroupKey{Name: upperSnake(f.Field) + "_" + strings.ToUpper(part), Field: f.Field + strings.ToUpper(part[:1]) + part[1:],
						Kind: part, Fact: f, Edge: edge, Type: "Int", Doc: "The " + part + " of: " + lowerFirst(f.Doc)})
				}
			case t != "Name" && t != "KRW" && t != "ID" && t != "String": // Int, Boolean, an enum
				add(GroupKey{Name: upperSnake(f.Field), Field: f.Field, Kind: "value", Fact: f, Edge: edge, Type: t, Doc: f.Doc})
			}
		}
	}
	facts(Nodes[node].Fields, false)
	if d != nil && d.Rel.Facts != nil {
		facts(append(d.Rel.Facts.Fields, d.Rel.Facts.Where...), true)
	}
	for _, dir := range sortedDirections(node) {
		if groupedThrough[dir.Listed] {
			add(GroupKey{Name: upperSnake(dir.Parent.Field), Field: lowerFirst(dir.Listed), Kind: "rel", Rel: dir.Parent.Field, Type: dir.Listed,
				Doc: "One group per " + strings.ToLower(dir.Listed) + " of " + dir.Parent.Field + " (an item with several is in each)."})
		}
	}
	return out
}

// GroupKeyOf returns the group key named name of a list of node.
func GroupKeyOf(node string, d *Direction, name string) (GroupKey, bool) {
	for _, k := range GroupKeys(node, d) {
		if k.Name == name {
			return k, true
		}
	}
	return GroupKey{}, false
}

// sortedDirections are node's relationship fields, by field name.
func sortedDirections(node string) []Direction {
	var out []Direction
	for _, d := range directions {
		if d.Parent.Node == node {
			out = append(out, d)
		}
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j].Parent.Field < out[i].Parent.Field {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
