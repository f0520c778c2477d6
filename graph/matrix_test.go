package graph_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"startupgraph/graph/generated"
	"startupgraph/internal/apitest"
	"startupgraph/internal/testdb"
)

// The access matrix: every query path of the schema, generated from the
// schema itself (so a new field is covered without touching this test),
// runs as every role and as two universities. Every startup, mentor and
// investment in the answers must be one the role may see according to an
// independent SQL oracle, every complete connection's totalCount must match
// its edges, and a university must see only its own assignments.

const matrixDepth = 3

// protectedTypes are the node types whose visibility is scoped.
var protectedTypes = map[string]bool{"Startup": true, "Mentor": true, "Investment": true}

// matrixPaths returns one query per path of fields from Query, down to
// matrixDepth object levels, each level selecting __typename and id.
func matrixPaths(t *testing.T) []string {
	t.Helper()
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	var queries []string
	var walk func(typ *ast.Definition, depth int, wrap func(string) string)
	walk = func(typ *ast.Definition, depth int, wrap func(string) string) {
		for _, f := range typ.Fields {
			if strings.HasPrefix(f.Name, "__") || f.Name == "node" || f.Name == "nodes" || needsArguments(f) {
				continue // fields that need ids or other values are covered by their own tests
			}
			ft := schema.Types[f.Type.Name()]
			if ft.Kind != ast.Object && ft.Kind != ast.Union && ft.Kind != ast.Interface {
				continue
			}
			args := ""
			if f.Arguments.ForName("first") != nil {
				args = "(first: 40)" // covers every demo list; 40³ stays within every role's cost budget
			}
			for _, target := range targets(schema, ft) {
				inner, leaf := selectionFor(schema, target)
				step := func(s string) string { return wrap(fmt.Sprintf("%s%s { %s%s }", f.Name, args, inner, s)) }
				if ft.Kind != ast.Object {
					step = func(s string) string {
						return wrap(fmt.Sprintf("%s%s { __typename ... on %s { %s%s } }", f.Name, args, target.Name, inner, s))
					}
				}
				queries = append(queries, step(""))
				if depth+1 < matrixDepth && leaf != nil {
					walk(leaf, depth+1, func(s string) string { return step(leafWrap(target, s)) })
				}
			}
		}
	}
	walk(schema.Query, 0, func(s string) string { return "{ " + s + " }" })
	return queries
}

// needsArguments reports whether a field has a required argument.
func needsArguments(f *ast.FieldDefinition) bool {
	for _, a := range f.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil {
			return true
		}
	}
	return false
}

// targets are the object types a field's type can resolve to.
func targets(schema *ast.Schema, t *ast.Definition) []*ast.Definition {
	if t.Kind == ast.Object {
		return []*ast.Definition{t}
	}
	var out []*ast.Definition
	for _, p := range schema.GetPossibleTypes(t) {
		out = append(out, p)
	}
	return out
}

// selectionFor returns what to select on an object (its id and typename,
// and for connections their counts and edges), and the type whose fields
// the next level walks: the node type for connections, else the object.
func selectionFor(schema *ast.Schema, t *ast.Definition) (string, *ast.Definition) {
	if strings.HasSuffix(t.Name, "Connection") {
		edge := schema.Types[t.Fields.ForName("edges").Type.Name()]
		node := schema.Types[edge.Fields.ForName("node").Type.Name()]
		return "totalCount pageInfo { hasNextPage } edges { " + edgeFacts(schema, edge) + "node { " + idOf(node) + " } } ", node
	}
	return idOf(t), t
}

// edgeFacts selects an edge's object-valued facts (cohort, investment,
// supportProgram) with their ids, so nodes reached through them are checked.
func edgeFacts(schema *ast.Schema, edge *ast.Definition) string {
	var b strings.Builder
	for _, f := range edge.Fields {
		ft := schema.Types[f.Type.Name()]
		if f.Name == "node" || ft.Kind != ast.Object {
			continue
		}
		b.WriteString(f.Name + " { " + idOf(ft))
		for _, g := range ft.Fields {
			if gt := schema.Types[g.Type.Name()]; gt.Kind == ast.Object && protectedTypes[gt.Name] {
				b.WriteString(g.Name + " { " + idOf(gt) + "} ")
			}
		}
		b.WriteString("} ")
	}
	return b.String()
}

func idOf(t *ast.Definition) string {
	if t.Fields.ForName("id") != nil {
		return "__typename id "
	}
	return "__typename "
}

// leafWrap puts the next level's selection inside the node of a
// connection, or directly inside an object.
func leafWrap(t *ast.Definition, s string) string {
	if strings.HasSuffix(t.Name, "Connection") {
		return "edges { node { " + s + " } } "
	}
	return s
}

// seen collects what a response holds.
type seen struct {
	ids          map[string]map[int64]bool // type -> row ids
	countErrors  []string
	foreignEdges []string
}

func inspect(t *testing.T, data json.RawMessage, ownUniversity int64, s *seen) {
	t.Helper()
	var root any
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	var walk func(v any, path string)
	walk = func(v any, path string) {
		switch x := v.(type) {
		case map[string]any:
			if typ, ok := x["__typename"].(string); ok {
				if id, ok := x["id"].(string); ok && protectedTypes[typ] {
					s.ids[typ][rowID(t, id)] = true
				}
				if typ == "UniversityAssignmentEdge" && ownUniversity != 0 {
					if n, ok := x["node"].(map[string]any); ok && n["id"] != nil && rowID(t, n["id"].(string)) != ownUniversity {
						s.foreignEdges = append(s.foreignEdges, path)
					}
				}
				if id, ok := x["id"].(string); ok && typ == "University" && ownUniversity != 0 && rowID(t, id) != ownUniversity {
					if c, ok := x["startups"].(map[string]any); ok && len(c["edges"].([]any)) > 0 {
						s.foreignEdges = append(s.foreignEdges, path+".startups")
					}
				}
			}
			if tc, ok := x["totalCount"].(float64); ok {
				edges, _ := x["edges"].([]any)
				info, _ := x["pageInfo"].(map[string]any)
				if info != nil && info["hasNextPage"] == false && int(tc) != len(edges) {
					s.countErrors = append(s.countErrors, fmt.Sprintf("%s: totalCount %d, %d edges", path, int(tc), len(edges)))
				}
			}
			for k, c := range x {
				walk(c, path+"."+k)
			}
		case []any:
			for i, c := range x {
				walk(c, path+"["+strconv.Itoa(i)+"]")
			}
		}
	}
	walk(root, "")
}

func rowID(t *testing.T, gid string) int64 {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(gid)
	if err != nil {
		t.Fatalf("bad id %q", gid)
	}
	_, num, _ := strings.Cut(string(raw), ":")
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		t.Fatalf("bad id %q", gid)
	}
	return n
}

// visibleOracle is what a university may see, computed independently of
// the store's scope code.
func visibleOracle(t *testing.T, dsn, university string) map[string]map[int64]bool {
	t.Helper()
	q := map[string]string{
		"Startup": `SELECT DISTINCT a.startup_id::text FROM assignments a JOIN universities u ON u.id = a.university_id WHERE u.key = $1`,
		"Mentor": `SELECT DISTINCT m.mentor_id::text FROM mentorships m JOIN assignments a ON a.startup_id = m.startup_id JOIN universities u ON u.id = a.university_id WHERE u.key = $1
			UNION SELECT m.id::text FROM mentors m JOIN universities u ON u.id = m.affiliated_university_id WHERE u.key = $1`,
		"Investment": `SELECT DISTINCT i.id::text FROM investments i JOIN assignments a ON a.startup_id = i.startup_id JOIN universities u ON u.id = a.university_id WHERE u.key = $1`,
	}
	out := map[string]map[int64]bool{}
	for typ, sqlText := range q {
		out[typ] = map[int64]bool{}
		if university == "" {
			continue
		}
		for _, s := range oracle(t, dsn, "SELECT '', x FROM ("+sqlText+") q(x)", university)[""] {
			n, _ := strconv.ParseInt(s, 10, 64)
			out[typ][n] = true
		}
	}
	return out
}

func TestAccessMatrix(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	queries := matrixPaths(t)
	if len(queries) < 200 {
		t.Fatalf("only %d query paths generated", len(queries))
	}
	universityID := func(key string) int64 {
		return rowID(t, gid(t, c.DSN, "University", "universities", key))
	}
	roles := []struct {
		name, key, university string
		everything            bool
	}{
		{"anonymous", "", "", false},
		{"admin", c.Key, "", true},
		{"analyst", c.NewKey(t, "ANALYST", ""), "", true},
		{"SUNY Korea", c.NewKey(t, "UNIVERSITY", "suny-korea"), "suny-korea", false},
		{"Ghent University", c.NewKey(t, "UNIVERSITY", "ghent-university"), "ghent-university", false},
	}
	for _, role := range roles {
		t.Run(role.name, func(t *testing.T) {
			as := c.As(role.key)
			s := &seen{ids: map[string]map[int64]bool{"Startup": {}, "Mentor": {}, "Investment": {}}}
			var own int64
			if role.university != "" {
				own = universityID(role.university)
			}
			for _, q := range queries {
				r := as.Do(t, q, nil)
				for _, e := range r.Errors {
					code := e.Extensions["code"]
					expected := code == "UNAUTHENTICATED" && role.key == "" || // protected fields without a key
						code == "FORBIDDEN" && role.name != "admin" // @admin fields (the audit log)
					if !expected {
						t.Fatalf("%v on %s", e, q)
					}
				}
				inspect(t, r.Data, own, s)
			}
			for _, e := range s.countErrors {
				t.Error(e)
			}
			for _, e := range s.foreignEdges {
				t.Errorf("another university's assignment visible at %s", e)
			}
			if role.everything {
				if len(s.ids["Startup"]) == 0 || len(s.ids["Mentor"]) == 0 || len(s.ids["Investment"]) == 0 {
					t.Errorf("a reader of everything saw nothing: %d startups, %d mentors, %d investments",
						len(s.ids["Startup"]), len(s.ids["Mentor"]), len(s.ids["Investment"]))
				}
				return
			}
			want := visibleOracle(t, c.DSN, role.university)
			for typ, ids := range s.ids {
				var leaked []int64
				for id := range ids {
					if !want[typ][id] {
						leaked = append(leaked, id)
					}
				}
				sort.Slice(leaked, func(i, j int) bool { return leaked[i] < leaked[j] })
				if len(leaked) > 0 {
					t.Errorf("%s may not see %s rows %v", role.name, typ, leaked)
				}
				if role.university != "" && len(ids) != len(want[typ]) {
					t.Errorf("%s saw %d of its %d visible %s rows", role.name, len(ids), len(want[typ]), typ)
				}
			}
		})
	}
}
