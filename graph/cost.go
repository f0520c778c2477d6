package graph

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"startupgraph/internal/apperr"
	"startupgraph/internal/viewer"
)

// MaxSchemaIntrospections bounds the __schema fields of an operation
// (TOO_MANY_INTROSPECTIONS): a client learns the schema from one, and
// each is about 3,000 objects (a quarter of a megabyte) to build.
const MaxSchemaIntrospections = 1

// Query cost limits, checked on the validated operation before anything
// runs. Cost follows GitHub's node limit: the number of nodes a query could
// return, where a connection multiplies what it holds by the page size it
// asks for (first or last, 20 by default). GitHub allows 500,000 nodes per
// query; partners and anonymous callers get less. Scalars and plain
// objects (edges, node, a reference) count as no nodes themselves. The walk is
// bounded: documentLimits refused documents over MaxFields expanded fields
// and MaxDepth levels before validation.
//
// Fields that run SQL of their own, whatever their parents, are priced per
// occurrence, aliases included, by the statements they run (fieldPrice):
// a hundred aliases of a field run it a hundred times. An introspection
// field (__schema, __type) costs the objects its answer holds, counted
// on the schema (introspectionCost): it runs no SQL, but a full answer is
// about 3,000 objects and a quarter of a megabyte.
//
// The rate limit spends cost/100 points, so StatementCost makes a
// statement one point.
const (
	// StatementCost is a statement that reads by key or a page: node(id:),
	// universities, the visibility check of a graph question.
	StatementCost = 100
	// AggregateCost is a statement that reads the whole visible slice of
	// the graph: each figure of insights (a GROUP BY over every startup the
	// filter selects), the scoring of recommendedMentors and
	// similarStartups. Three points: dearer than a page, but a full
	// dashboard of fifteen figures (4,600) stays under the heavy-query
	// lane's threshold and spends under 50 points of a key's hourly 5,000.
	AggregateCost = 300
	// SearchCost is a recursive search of the graph, bounded only by the
	// graph questions' 3 s timeout: each hop of neighborhood, each of the
	// two searches of paths. It is the heavy-query lane's threshold, so a
	// search runs in that lane.
	SearchCost = 5_000
	// MutationCost is one mutation: a transaction of several statements
	// (idempotency, the write, its audit record, the read-back), retried
	// on serialization failures.
	MutationCost = 2_000
)

// CostBudget is the most a single query may cost, by role.
var CostBudget = map[viewer.Role]int{
	viewer.Anonymous:  100_000,
	viewer.University: 250_000,
	viewer.Analyst:    500_000,
	viewer.Admin:      500_000,
}

// costLimit rejects queries that are too costly (QUERY_TOO_COMPLEX) and
// asks admit, the HTTP edge's admission (its rate limit and heavy-query
// lane), whether an operation of its cost may run now, before any
// resolver runs.
type costLimit struct {
	admit  Admit
	schema *ast.Schema // what introspection answers from
}

// Admit decides whether an operation of cost (in nodes, see StatementCost)
// may run now; a non-nil error refuses it with that error, as a request
// error. It may hold the request until it can run. The HTTP edge gives
// one (internal/server: rate limits and the heavy-query lane).
type Admit func(ctx context.Context, cost int) *gqlerror.Error

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = costLimit{}

func (costLimit) ExtensionName() string                   { return "CostLimit" }
func (costLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (c costLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	budget := CostBudget[viewer.From(ctx).Role]
	if budget == 0 {
		budget = CostBudget[viewer.Anonymous]
	}
	w := costWalker{doc: oc.Doc, vars: oc.Variables, inFragment: map[string]bool{}, schema: c.schema, limit: budget}
	cost := w.selections(oc.Operation.SelectionSet)
	if w.schemas > MaxSchemaIntrospections {
		return &gqlerror.Error{Message: fmt.Sprintf("the operation asks for __schema %d times; the limit is %d", w.schemas, MaxSchemaIntrospections),
			Extensions: map[string]any{"code": string(apperr.CodeTooManyIntrospections), "value": w.schemas, "limit": MaxSchemaIntrospections}}
	}
	cost = min(cost+w.statements, maxCost)
	if cost > budget {
		return &gqlerror.Error{Message: fmt.Sprintf("the query could cost %d points; this key's limit is %d (lower first/last or split it)", cost, budget),
			Extensions: map[string]any{"code": string(apperr.CodeQueryTooComplex), "cost": cost, "limit": budget}}
	}
	if c.admit != nil {
		if err := c.admit(ctx, cost); err != nil {
			return err
		}
	}
	oc.Stats.SetExtension("cost", cost)
	return nil
}

type costWalker struct {
	doc        *ast.QueryDocument
	vars       map[string]any
	inFragment map[string]bool
	schema     *ast.Schema
	// limit is the budget: counting an introspection answer stops past it
	limit int
	// statements is what the fields that run SQL of their own cost, once
	// per occurrence: not multiplied by their parents, whose level is
	// loaded in one statement
	statements int
	schemas    int // __schema fields
}

// selections returns the cost of a selection set.
func (w *costWalker) selections(set ast.SelectionSet) int {
	total := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if isIntrospection(s) {
				if s.Name == "__schema" {
					w.schemas++
				}
				total += w.introspectionCost(s)
				continue
			}
			w.statements = min(w.statements+w.fieldPrice(s)+w.wherePrice(s)+w.orderPrice(s), maxCost)
			if len(s.SelectionSet) == 0 {
				continue // scalars cost nothing more
			}
			inner := w.selections(s.SelectionSet)
			if n := w.pageSize(s); n > 0 {
				// a list: its nodes and what they hold, and its statement;
				// n is at most maxCountedArg and inner at most maxCost,
				// so the product cannot overflow
				total += n * (1 + min(inner, maxCost))
				w.statements = min(w.statements+StatementCost, maxCost)
			} else {
				total += inner // an object (edges, node, a reference): what it holds
			}
		case *ast.InlineFragment:
			total += w.selections(s.SelectionSet)
		case *ast.FragmentSpread:
			f := w.doc.Fragments.ForName(s.Name)
			if f == nil || w.inFragment[s.Name] {
				continue // unknown or cyclic: validation reports it
			}
			w.inFragment[s.Name] = true
			total += w.selections(f.SelectionSet)
			delete(w.inFragment, s.Name)
		}
		if total > maxCost {
			return maxCost
		}
	}
	return total
}

// fieldPrice is what a field's own SQL costs, each time it occurs (see
// StatementCost); lists of nodes (connections, nodes(ids:)) cost a
// statement besides their nodes, in selections. A nested field runs one
// statement for all its parents at a level (the loaders batch them), so
// its price is not multiplied by theirs; aliases run it again, so each
// occurrence is priced.
func (w *costWalker) fieldPrice(f *ast.Field) int {
	if f.ObjectDefinition == nil || strings.HasPrefix(f.Name, "__") {
		return 0 // __typename runs nothing
	}
	switch parent := f.ObjectDefinition.Name; {
	case parent == "Insights":
		return AggregateCost // every figure is a statement over the slice
	case (f.Name == "aggregate" || f.Name == "groupBy") && strings.HasSuffix(parent, "Connection"):
		// a statement over the whole list, per level; a group also
		// counts as an object, by first (100 by default), like a page
		return AggregateCost
	case parent == "Mutation":
		return MutationCost
	case parent != "Query":
		// A reference to nodes (Startup.facility, Investment.fund,
		// MemberEdge.cohort, GraphPath.nodes, ...) loads them: a statement
		// per level. The nodes of a connection come with its page.
		if f.Definition == nil || !w.isNode(f.Definition.Type.Name()) ||
			f.Name == "node" && strings.HasSuffix(parent, "Edge") || f.Name == "nodes" && strings.HasSuffix(parent, "Connection") {
			return 0
		}
		return StatementCost
	}
	switch f.Name {
	case "universities":
		return StatementCost
	case "node": // the node, and its scope
		return 2 * StatementCost
	case "startup", "mentor", "fund", "program", "cohort", "market", "university":
		return 3 * StatementCost // the key, the node and its scope
	case "nodes": // a statement per type of node, and the scope
		types := 12
		if w.schema != nil && w.schema.Types["Node"] != nil {
			types = len(w.schema.GetPossibleTypes(w.schema.Types["Node"]))
		}
		return (1 + types) * StatementCost
	case "recommendedMentors", "similarStartups":
		return StatementCost + AggregateCost
	case "paths":
		return 2*StatementCost + 2*SearchCost
	case "neighborhood":
		hops, ok := w.intArg(f, "depth")
		if !ok {
			hops = 1
		}
		return StatementCost + hops*SearchCost
	}
	return 0
}

// isNode reports whether a type is Node, implements it, or is a union
// of node types.
func (w *costWalker) isNode(name string) bool {
	if w.schema == nil || w.schema.Types[name] == nil {
		return false
	}
	def := w.schema.Types[name]
	switch def.Kind {
	case ast.Interface:
		return name == "Node"
	case ast.Object:
		return slices.Contains(def.Interfaces, "Node")
	case ast.Union:
		for _, m := range def.Types {
			if !w.isNode(m) {
				return false
			}
		}
		return len(def.Types) > 0
	}
	return false
}

// maxCost is where counting stops: far past every budget, and small
// enough that a page size times it cannot overflow.
const maxCost = 1 << 40

// maxCountedArg bounds the integer arguments the walker multiplies by:
// larger than any page size or limit the resolvers accept (they refuse
// the rest), small enough that maxCountedArg*maxCost fits in an int.
const maxCountedArg = 1 << 16

// wherePrice is what a where argument adds: a statement's worth for each
// relationship predicate (some, none, every, count), a subquery the
// database runs for the rows it filters.
func (w *costWalker) wherePrice(f *ast.Field) int {
	a := f.Arguments.ForName("where")
	if a == nil {
		return 0
	}
	v, err := a.Value.Value(w.vars)
	if err != nil {
		return 0
	}
	var count func(v any) int
	count = func(v any) int {
		n := 0
		switch x := v.(type) {
		case map[string]any:
			for k, inner := range x {
				if k == "some" || k == "none" || k == "every" || k == "count" {
					n++
				}
				n += count(inner)
			}
		case []any:
			for _, inner := range x {
				n += count(inner)
			}
		}
		return min(n, maxCountedArg)
	}
	return count(v) * StatementCost
}

// orderPrice is what an orderBy argument adds: a statement's worth for
// each key that is a related figure (a count or a sum over another
// table, computed for every row the list sorts), nothing for a column.
func (w *costWalker) orderPrice(f *ast.Field) int {
	a := f.Arguments.ForName("orderBy")
	if a == nil {
		return 0
	}
	v, err := a.Value.Value(w.vars)
	if err != nil {
		return 0
	}
	keys, ok := v.([]any)
	if !ok {
		keys = []any{v} // one key given as a single object
	}
	n := 0
	for _, k := range keys {
		m, _ := k.(map[string]any)
		field, _ := m["field"].(string)
		if relatedFigure(field) {
			n++
		}
	}
	return min(n, maxCountedArg) * StatementCost
}

// relatedFigure reports whether an order key is computed from other
// tables: a relationship count or one of the startups' figures.
func relatedFigure(field string) bool {
	switch field {
	case "INVESTED_TOTAL", "MENTOR_COUNT", "MARKET_TARGET_COUNT", "JOBS_CREATED", "PATENTS", "EXPORT_VALUE", "LAST_STAGE_CHANGE":
		return true
	}
	return strings.HasSuffix(field, "_COUNT")
}

// intArg reads an integer argument: its literal or variable, else the
// schema's default; clamped to 1..maxCountedArg. ok is false when the
// argument has no integer value.
func (w *costWalker) intArg(f *ast.Field, name string) (n int, ok bool) {
	var v any
	var err error
	if a := f.Arguments.ForName(name); a != nil {
		v, err = a.Value.Value(w.vars)
	} else if f.Definition != nil {
		if d := f.Definition.Arguments.ForName(name); d != nil && d.DefaultValue != nil {
			v, err = d.DefaultValue.Value(nil)
		}
	}
	if err != nil {
		return 0, false
	}
	var i int64
	switch x := v.(type) {
	case int64:
		i = x
	case int:
		i = int64(x)
	case string:
		if i, err = strconv.ParseInt(x, 10, 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	return int(max(min(i, maxCountedArg), 1)), true
}

// pageSize is how many items a list field can return: first, last or
// limit (given, or the schema's default; 20 for a connection given
// neither), 100 for nodes(ids:); 0 for fields that are not lists of nodes.
func (w *costWalker) pageSize(f *ast.Field) int {
	for _, name := range []string{"first", "last", "limit"} {
		if n, ok := w.intArg(f, name); ok {
			return n
		}
	}
	if f.Name == "nodes" && f.Arguments.ForName("ids") != nil {
		return 100
	}
	if f.Definition != nil && strings.HasSuffix(f.Definition.Type.Name(), "Connection") {
		return 20
	}
	return 0
}
