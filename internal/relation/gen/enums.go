package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// The domain enums: internal/model/enums_gen.go holds the Go type of each
// enum of the schema that the store reads and writes, with a constant per
// value and the GraphQL marshalling, so that an enum is declared once, in
// schema.graphqls.

// domain are the schema's enums that internal/model holds (the others,
// used by the API alone, gqlgen generates in graph/generated).
var domain = []string{
	"Provenance", "OrganizationKind", "ProgramKind", "FundKind", "FacilityKind",
	"GrowthStage", "MarketKind", "InvestmentRound", "OutcomeKind",
	"AssignmentPurpose", "AssignmentStatus", "MarketTargetStatus", "ProgramRole",
}

// enums writes internal/model/enums_gen.go from the schema: its files on
// disk, with relations (graph/relations.graphqls) as this run writes it.
func enums(root string, relations []byte) []byte {
	sources := []*ast.Source{{Name: "graph/relations.graphqls", Input: string(relations)}}
	for _, name := range []string{"schema.graphqls", "graph/mutations.graphqls", "graph/changes.graphqls"} {
		src, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			log.Fatal(err)
		}
		sources = append(sources, &ast.Source{Name: name, Input: string(src)})
	}
	schema, gerr := gqlparser.LoadSchema(sources...)
	if gerr != nil {
		log.Fatal(gerr)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "// %s\n\npackage model\n\nimport \"io\"\n", strings.Replace(notice, "from internal/relation", "from schema.graphqls", 1))
	for _, name := range domain {
		def := schema.Types[name]
		if def == nil || def.Kind != ast.Enum {
			log.Fatalf("relation/gen: %s is not an enum of the schema", name)
		}
		writeEnum(&b, def)
	}
	b.WriteString("\n// EnumOrder is each domain enum's values, in schema order (the order\n// groups of an enum key come in).\nvar EnumOrder = map[string][]string{\n")
	for _, name := range domain {
		var vals []string
		for _, v := range schema.Types[name].EnumValues {
			vals = append(vals, fmt.Sprintf("%q", v.Name))
		}
		fmt.Fprintf(&b, "\t%q: {%s},\n", name, strings.Join(vals, ", "))
	}
	b.WriteString("}\n")
	return goSource(b.String())
}

func writeEnum(b *strings.Builder, def *ast.Definition) {
	name := def.Name
	values := lowerFirst(name) + "Values"
	fmt.Fprintf(b, "\n%s\ntype %s string\n\n// The values of %[2]s, in schema order.\nconst (\n", comment(name, def.Description), name)
	var consts []string
	for _, v := range def.EnumValues {
		c := name + camel(v.Name)
		consts = append(consts, c)
		fmt.Fprintf(b, "\t%s %s = %q\n", c, name, v.Name)
	}
	fmt.Fprintf(b, ")\n\nvar %s = enum[%s]{%s}\n", values, name, strings.Join(consts, ", "))
	fmt.Fprintf(b, `
// IsValid reports whether v is a known %[1]s.
func (v %[1]s) IsValid() bool { return %[2]s.valid(v) }

// MarshalGQL writes v as a GraphQL enum value.
func (v %[1]s) MarshalGQL(w io.Writer) { writeQuoted(w, string(v)) }

// UnmarshalGQL reads a GraphQL enum value.
func (v *%[1]s) UnmarshalGQL(x any) (err error) {
	*v, err = %[2]s.parse(x, %[1]q)
	return err
}
`, name, values)
}

// comment turns the schema's description into the type's doc comment.
func comment(name, desc string) string {
	desc = strings.TrimSpace(desc)
	if desc == "" {
		return "// " + name + " is an enum of the schema."
	}
	return "// " + name + " is the schema's enum: " + strings.ReplaceAll(desc, "\n", "\n// ")
}

// camel turns R_AND_D into RAndD.
func camel(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(strings.ToLower(s), "_") {
		switch {
		case part == "api":
			b.WriteString("API") // Go's spelling of initialisms
		case part != "":
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}
