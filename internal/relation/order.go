package relation

import (
	"sort"
	"strings"
	"unicode"
)

// OrderField is a key a list of a node type sorts by (issue #17's
// orderBy): a column of the node (its names, a date, a number) or how
// many edges one of its relationship fields has that the viewer sees.
type OrderField struct {
	Name string // the enum value, e.g. NAME_EN, VINTAGE_YEAR, STARTUPS_COUNT
	// Column is the node's column for a field key; Type its type (Name
	// keys read name_en or name_ko).
	Column, Type string
	// Count is the relationship field whose edges a count key counts.
	Count string
	Doc   string
}

// Ordered are the node types whose lists take orderBy: [<Node>Order!]
// generated from their declarations. Startups sort by the hand-picked
// figures of StartupOrder instead.
var Ordered = []string{"Facility", "Fund", "Market", "Mentor", "Organization", "Program", "Sector"}

// IsOrdered reports whether node's lists take a generated orderBy.
func IsOrdered(node string) bool {
	i := sort.SearchStrings(Ordered, node)
	return i < len(Ordered) && Ordered[i] == node
}

// OrderFields are the keys node's lists sort by: its names, its date
// and number fields, and the count of each of its relationship fields.
func OrderFields(node string) []OrderField {
	var out []OrderField
	for _, f := range Nodes[node].Fields {
		switch Base(f.Type) {
		case "Name":
			out = append(out,
				OrderField{Name: "NAME_EN", Column: "name_en", Type: "String", Doc: "English name."},
				OrderField{Name: "NAME_KO", Column: "name_ko", Type: "String", Doc: "Korean name."})
		case "Date", "Int", "KRW":
			out = append(out, OrderField{Name: upperSnake(f.Field), Column: f.Column, Type: Base(f.Type), Doc: f.Doc + nullsFirst(f.Type)})
		case "DateTime":
			if IsStamp(f) {
				out = append(out, OrderField{Name: upperSnake(f.Field), Column: f.Column, Type: "DateTime", Doc: f.Doc})
			}
		}
	}
	var counts []OrderField
	for _, d := range directions {
		if d.Parent.Node == node {
			counts = append(counts, OrderField{Name: upperSnake(d.Parent.Field) + "_COUNT", Count: d.Parent.Field,
				Doc: "How many " + d.Parent.Field + " it has (one per edge), as the viewer sees them."})
		}
	}
	sort.Slice(counts, func(i, j int) bool { return counts[i].Name < counts[j].Name })
	return append(out, counts...)
}

// OrderFieldOf returns node's order key named name.
func OrderFieldOf(node, name string) (OrderField, bool) {
	for _, f := range OrderFields(node) {
		if f.Name == name {
			return f, true
		}
	}
	return OrderField{}, false
}

func nullsFirst(typ string) string {
	if strings.HasSuffix(typ, "!") {
		return ""
	}
	return " Unknown values sort first (last in descending order)."
}

// EnumName turns a field name into an enum value: vintageYear, VINTAGE_YEAR.
func EnumName(field string) string { return upperSnake(field) }

// upperSnake turns a field name into an enum value: vintageYear, VINTAGE_YEAR.
func upperSnake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// StartupMeasures are the related figures of each startup that an
// aggregate over startups may sum, average and compare (Column names the
// store's startup figure).
var StartupMeasures = []Fact{
	{"investedTotal", "INVESTED_TOTAL", "KRW!", "KRW invested in the startup, all funds."},
	{"mentorCount", "MENTOR_COUNT", "Int!", "Its mentors."},
	{"marketTargetCount", "MARKET_TARGET_COUNT", "Int!", "Its market targets."},
	{"jobsCreated", "JOBS_CREATED", "Int!", "Jobs it created (JOBS_CREATED outcomes)."},
	{"patents", "PATENTS", "Int!", "Patents it reported, domestic and foreign."},
	{"exportValue", "EXPORT_VALUE", "KRW!", "KRW of its export contracts."},
}

// Measure is a field an aggregate measures: Kind is "number" (Int or
// KRW: sum, avg, min, max, distinctCount), "time" (Date or DateTime:
// min, max, distinctCount) or "value" (distinctCount only).
type Measure struct {
	Fact
	Kind string
}

// Measures are what an aggregate over a list of node (following
// relationship direction d, when not nil) may measure: the node's fields
// (not its names or key), a startup's figures, then the edge's facts;
// the first of a name wins.
func Measures(node string, d *Direction) []Measure {
	var facts []Fact
	for _, f := range Nodes[node].Fields {
		if t := Base(f.Type); t != "Name" && t != "Boolean" && f.Field != "key" && !IsStamp(f) {
			facts = append(facts, f)
		}
	}
	if node == "Startup" {
		facts = append(facts, StartupMeasures...)
	}
	if d != nil && d.Rel.Facts != nil {
		facts = append(facts, append(d.Rel.Facts.Fields, d.Rel.Facts.Where...)...)
	}
	var out []Measure
	seen := map[string]bool{}
	for _, f := range facts {
		if seen[f.Field] || Base(f.Type) == "Boolean" || IsStamp(f) {
			continue
		}
		seen[f.Field] = true
		kind := "value"
		switch Base(f.Type) {
		case "Int", "KRW":
			kind = "number"
		case "Date", "DateTime":
			kind = "time"
		}
		out = append(out, Measure{f, kind})
	}
	return out
}
