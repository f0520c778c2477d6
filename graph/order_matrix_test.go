package graph_test

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"startupgraph/graph/generated"
	"startupgraph/internal/globalid"
	"startupgraph/internal/relation"
)

// orderOracle is the oracle's picture of a root list that takes orderBy:
// its rows p the viewer sees, and for every value of its order's field
// enum, the sort expression over p (never NULL; unknown values sort
// first; a related figure counts only the edges the viewer sees, through
// the views of viewerScope). A count key, <FIELD>_COUNT, counts the edges
// of the relationship field as whereEdges sees them; every other key
// needs its row in figures. Adding an order key, or orderBy to another
// list, means adding a row here: TestOrderMatrix fails for a value
// without one.
type orderOracle struct {
	from, visible string
	// sel is the GraphQL field read as a row's label ("key" when empty),
	// label the oracle's.
	sel, label string
	figures    map[string]string
}

var (
	nameFigures = map[string]string{"NAME_EN": "p.name_en", "NAME_KO": "p.name_ko", "CREATED_AT": "p.created_at", "UPDATED_AT": "p.updated_at"}
	// startupFigures are also the figures of the nested lists of startups.
	startupFigures = map[string]string{
		"NAME_EN":    "p.name_en",
		"NAME_KO":    "p.name_ko",
		"FOUNDED_ON": "COALESCE(p.founded_on, DATE '-infinity')",
		"INVESTED_TOTAL": `(SELECT COALESCE(sum(i.amount_krw), 0) FROM investments i
			WHERE i.startup_id = p.id AND i.id IN (SELECT id FROM vi))`,
		"MENTOR_COUNT":        "(SELECT count(*) FROM vms x WHERE x.startup_id = p.id)",
		"MARKET_TARGET_COUNT": "(SELECT count(*) FROM vmt x WHERE x.startup_id = p.id)",
		"JOBS_CREATED":        "(SELECT COALESCE(sum(o.quantity), 0) FROM outcomes o WHERE o.startup_id = p.id AND o.kind = 'JOBS_CREATED')",
		"PATENTS":             "(SELECT COALESCE(sum(o.quantity), 0) FROM outcomes o WHERE o.startup_id = p.id AND o.kind IN ('PATENT_DOMESTIC', 'PATENT_FOREIGN'))",
		"EXPORT_VALUE":        "(SELECT COALESCE(sum(o.amount_krw), 0) FROM outcomes o WHERE o.startup_id = p.id AND o.kind = 'EXPORT_CONTRACT')",
		"LAST_STAGE_CHANGE":   "COALESCE((SELECT max(x.changed_on) FROM stage_changes x WHERE x.startup_id = p.id), DATE '-infinity')",
		"CREATED_AT":          "p.created_at",
		"UPDATED_AT":          "p.updated_at",
	}
)

var orderOracles = map[string]orderOracle{
	"startups":      {from: "startups p", visible: "p.id IN (SELECT id FROM vs)", figures: startupFigures},
	"mentors":       {from: "mentors p", visible: "p.id IN (SELECT id FROM vm)", figures: nameFigures},
	"organizations": {from: "organizations p", visible: "true", figures: nameFigures},
	"sectors":       {from: "sectors p", visible: "true", figures: nameFigures},
	"programs":      {from: "programs p", visible: "true", figures: nameFigures},
	"funds": {from: "funds p", visible: "true", figures: map[string]string{"NAME_EN": "p.name_en", "NAME_KO": "p.name_ko",
		"SIZE": "COALESCE(p.size_krw::numeric, '-Infinity')", "VINTAGE_YEAR": "COALESCE(p.vintage_year::numeric, '-Infinity')",
		"CREATED_AT": "p.created_at", "UPDATED_AT": "p.updated_at"}},
	"facilities": {from: "facilities p", visible: "true", figures: nameFigures},
	"markets":    {from: "markets p", visible: "true", figures: nameFigures},
	"investments": {from: "investments p", visible: "p.id IN (SELECT id FROM vi)", sel: "id", label: "p.id",
		figures: map[string]string{"INVESTED_ON": "p.invested_on", "AMOUNT": "p.amount_krw"}},
}

// figure is the oracle's expression of list's order key field.
func (o orderOracle) figure(list, field string) (string, bool) {
	if f, ok := o.figures[field]; ok {
		return f, true
	}
	if rel, ok := strings.CutSuffix(field, "_COUNT"); ok {
		for name, edges := range whereEdges {
			if l, f, _ := strings.Cut(name, "."); l == list && relation.EnumName(f) == rel {
				return "(SELECT count(*) FROM (" + edges + ") q)", true
			}
		}
	}
	return "", false
}

// orderArg is the orderBy argument of a field: whether it takes a list of
// keys, and the values of its keys' field enum and of their direction.
type orderArg struct {
	list               bool
	fields, directions []string
}

// orderArgOf reads the orderBy argument of f from the schema (nil: none).
func orderArgOf(schema *ast.Schema, f *ast.FieldDefinition) *orderArg {
	a := f.Arguments.ForName("orderBy")
	if a == nil {
		return nil
	}
	in := schema.Types[a.Type.Name()]
	out := &orderArg{list: a.Type.Elem != nil}
	for _, v := range schema.Types[in.Fields.ForName("field").Type.Name()].EnumValues {
		out.fields = append(out.fields, v.Name)
	}
	for _, v := range schema.Types[in.Fields.ForName("direction").Type.Name()].EnumValues {
		out.directions = append(out.directions, v.Name)
	}
	return out
}

// literal is the orderBy argument sorting by field in direction, then by
// the further keys (field, direction pairs), as the schema takes it.
func (o orderArg) literal(keys ...string) string {
	var parts []string
	for i := 0; i+1 < len(keys); i += 2 {
		parts = append(parts, fmt.Sprintf("{ field: %s, direction: %s }", keys[i], keys[i+1]))
	}
	if !o.list {
		return parts[0]
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// sqlDirection is the oracle's direction of a schema direction.
func sqlDirection(d string) string {
	if d == "DESC" {
		return "DESC"
	}
	return "ASC"
}

func opposite(d string) string {
	if d == "DESC" {
		return "ASC"
	}
	return "DESC"
}

// TestOrderMatrix: every root list's orderBy, every value of its field
// enum (read from the schema, so a new value without an oracle fails) in
// both directions, as every role: the whole list walked page by page,
// forward and backward, equals the oracle's ORDER BY over what that viewer
// sees (a related figure counts only the edges the viewer sees), the id
// in the first key's direction breaking ties; a list that takes several
// keys is also walked by each figure then the next figure in the other
// direction. Then, per role, every nested list that takes orderBy
// (University.startups, Mentor.startups, Fund.portfolio, Startup.mentors,
// ...) by a few keys of its type (for the other types than startups,
// each count of a relationship: a mentor's teams as a university sees
// them), each parent's list walked both ways in pages, against the
// oracle's edges of the parent the viewer sees, the edge breaking ties.
func TestOrderMatrix(t *testing.T) {
	c, db := probedClient(t, 100, 13)
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()

	type orderCase struct {
		list, orderBy, sel, oracle string
		decode                     bool // the label is a global id: compare its row id
	}
	var cases []orderCase
	for _, f := range schema.Query.Fields {
		arg := orderArgOf(schema, f)
		if arg == nil {
			continue
		}
		o, ok := orderOracles[f.Name]
		if !ok {
			t.Errorf("%s takes orderBy but has no oracle in orderOracles", f.Name)
			continue
		}
		sel, label := o.sel, o.label
		if sel == "" {
			sel, label = "key", "p.key"
		}
		for i, field := range arg.fields {
			fig, ok := o.figure(f.Name, field)
			if !ok {
				t.Errorf("%s(orderBy: %s) has no oracle figure in orderOracles", f.Name, field)
				continue
			}
			for _, d := range arg.directions {
				q := fmt.Sprintf("SELECT '', (%s)::text FROM %s WHERE %s ORDER BY %s %s, p.id %s", label, o.from, o.visible, fig, sqlDirection(d), sqlDirection(d))
				cases = append(cases, orderCase{f.Name, arg.literal(field, d), sel, q, sel == "id"})
				if !arg.list || len(arg.fields) < 2 {
					continue
				}
				// Two keys in opposite directions: the next figure
				// breaks ties of this one, the id those of both.
				next := arg.fields[(i+1)%len(arg.fields)]
				nextFig, ok := o.figure(f.Name, next)
				if !ok {
					continue
				}
				q = fmt.Sprintf("SELECT '', (%s)::text FROM %s WHERE %s ORDER BY %s %s, %s %s, p.id %s", label, o.from, o.visible,
					fig, sqlDirection(d), nextFig, sqlDirection(opposite(d)), sqlDirection(d))
				cases = append(cases, orderCase{f.Name, arg.literal(field, d, next, opposite(d)), sel, q, sel == "id"})
			}
		}
	}

	// The nested lists that take orderBy, each by a few keys (field,
	// direction, ...) of its order type, with the figures of the root
	// list of that type: startups by three figures, the other types by
	// each count of their relationships (the one of a scope test: a
	// mentor's teams as a university sees them), and the first count
	// ascending then the Korean name descending.
	orderLists := map[string]string{} // order type: the root list that takes it
	for _, f := range schema.Query.Fields {
		if a := f.Arguments.ForName("orderBy"); a != nil {
			orderLists[a.Type.Name()] = f.Name
		}
	}
	type nestedOrder struct {
		f    nestedField
		list string // the root list whose figures sort it
		keys []string
	}
	var nested []nestedOrder
	for _, f := range nestedFields(t) {
		def := schema.Types[f.typ].Fields.ForName(f.field)
		arg := orderArgOf(schema, def)
		if arg == nil {
			continue
		}
		typ := def.Arguments.ForName("orderBy").Type.Name()
		list, ok := orderLists[typ]
		if !ok {
			t.Errorf("%s.%s: no root list sorts by %s: add its oracle", f.typ, f.field, typ)
			continue
		}
		var orders [][]string
		if typ == "StartupOrder" {
			orders = [][]string{{"MENTOR_COUNT", "DESC"}, {"INVESTED_TOTAL", "ASC", "NAME_KO", "DESC"}, {"LAST_STAGE_CHANGE", "DESC"}}
		} else {
			for _, k := range arg.fields {
				if strings.HasSuffix(k, "_COUNT") {
					orders = append(orders, []string{k, "DESC"})
				}
			}
			if len(orders) == 0 {
				t.Errorf("%s.%s: %s has no count key", f.typ, f.field, typ)
				continue
			}
			orders = append(orders, []string{orders[0][0], "ASC", "NAME_KO", "DESC"})
		}
		for _, keys := range orders {
			nested = append(nested, nestedOrder{f, list, keys})
		}
	}

	var mu sync.Mutex
	found := map[string]int{} // rows each case's oracle finds, over every role
	roles := everyRole(t, c)
	total := 0
	t.Run("role", func(t *testing.T) {
		for _, role := range roles {
			cl := c.As(role.key)
			t.Run(role.name, func(t *testing.T) {
				t.Parallel()
				checked, rows := 0, 0
				for _, oc := range cases {
					args := ", orderBy: " + oc.orderBy
					if role.name == "anonymous" && authenticated("Query", oc.list) {
						if r := cl.Do(t, fmt.Sprintf("{ %s(first: 1%s) { totalCount } }", oc.list, args), nil); r.Code() != "UNAUTHENTICATED" {
							t.Errorf("anonymous %s(%s): %+v (want UNAUTHENTICATED)", oc.list, args, r.Errors)
						}
						checked++
						continue
					}
					want := groupedRows(t, db, viewerScope+", r AS ("+oc.oracle+") SELECT * FROM r", role.university)[""]
					for _, backward := range []bool{false, true} {
						got := walkAs(t, cl, oc.list, args, oc.sel, 25, backward)
						if oc.decode {
							for i, g := range got {
								_, id, err := globalid.Decode("id", g)
								if err != nil {
									t.Fatal(err)
								}
								got[i] = strconv.FormatInt(id, 10)
							}
						}
						if !slices.Equal(got, want) {
							t.Errorf("%s(orderBy: %s) (backward %v): got %d %v, want %d %v", oc.list, oc.orderBy, backward, len(got), head(got), len(want), head(want))
						}
						checked++
					}
					rows += len(want)
					mu.Lock()
					found[oc.list+oc.orderBy] += len(want)
					mu.Unlock()
				}
				for _, n := range nested {
					args := ", orderBy: " + orderArg{list: true}.literal(n.keys...)
					if nestedRefused(t, cl, role, n.f, args) {
						checked++
						continue
					}
					var order []string
					for i := 0; i+1 < len(n.keys); i += 2 {
						fig, ok := orderOracles[n.list].figure(n.list, n.keys[i])
						if !ok {
							t.Fatalf("%s(orderBy: %s) has no oracle figure in orderOracles", n.list, n.keys[i])
						}
						order = append(order, fig+" "+sqlDirection(n.keys[i+1]))
					}
					order = append(order, n.f.edgeID+" "+sqlDirection(n.keys[1]))
					want := groupedRows(t, db, nestedOracle(n.f, "true", strings.Join(order, ", ")), role.university)
					for _, backward := range []bool{false, true} {
						got := nestedChildren(t, cl, n.f, args, 10, backward)
						if diffs := sameGroups(got, want); len(diffs) > 0 {
							t.Errorf("%s(%s) (backward %v): %d parents differ: %s", n.f.name(), args[2:], backward, len(diffs), strings.Join(head(diffs), "; "))
						}
						checked++
					}
					rows += countRows(want)
					mu.Lock()
					found[n.f.name()+args] += countRows(want)
					mu.Unlock()
				}
				t.Logf("%d orders walked (forward and backward counted apart), %d rows expected", checked, rows)
				mu.Lock()
				total += checked
				mu.Unlock()
			})
		}
	})
	var thin []string
	for k, n := range found {
		if n < 2 {
			thin = append(thin, k)
		}
	}
	sort.Strings(thin)
	if len(thin) > 0 {
		t.Errorf("%d orders have fewer than 2 rows as every role: the order is not tested: %s", len(thin), strings.Join(thin, "; "))
	}
	t.Logf("%d root orders, %d nested orders, %d walks over %d roles", len(cases), len(nested), total, len(roles))
}
