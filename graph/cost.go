package graph

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"startupgraph/internal/viewer"
)

// Query cost limits, checked on the validated operation before anything
// runs. Cost follows GitHub's node limit: the number of nodes a query could
// return, where a connection multiplies what it holds by the page size it
// asks for (first or last, 20 by default). GitHub allows 500,000 nodes per
// query; partners and anonymous callers get less. Scalars and plain
// objects (edges, node, a reference) cost nothing themselves. The walk is
// bounded: documentLimits refused documents over MaxFields expanded fields
// and MaxDepth levels before validation.

// CostBudget is the most a single query may cost, by role.
var CostBudget = map[viewer.Role]int{
	viewer.Anonymous:  100_000,
	viewer.University: 250_000,
	viewer.Analyst:    500_000,
	viewer.Admin:      500_000,
}

// costLimit rejects queries that are too costly (QUERY_TOO_COMPLEX), holds
// costly ones until the heavy-query lane has room, and spends the key's rate-limit
// budget (RATE_LIMITED when exhausted), before any resolver runs.
type costLimit struct {
	rate  *RateLimit
	heavy *HeavyLane
}

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
	w := costWalker{doc: oc.Doc, vars: oc.Variables, inFragment: map[string]bool{}}
	cost := w.selections(oc.Operation.SelectionSet)
	budget := CostBudget[viewer.From(ctx).Role]
	if budget == 0 {
		budget = CostBudget[viewer.Anonymous]
	}
	if cost > budget {
		return &gqlerror.Error{Message: fmt.Sprintf("the query could cost %d points; this key's limit is %d (lower first/last or split it)", cost, budget),
			Extensions: map[string]any{"code": "QUERY_TOO_COMPLEX", "cost": cost, "limit": budget}}
	}
	v := viewer.From(ctx)
	if ok, after := c.rate.spend(ctx, v.KeyID, max(1, cost/100)); !ok {
		signalThrottled(ctx, after)
		return &gqlerror.Error{Message: fmt.Sprintf("the query budget of this key (without a key: of this address) is spent; retry in %s", after),
			Extensions: map[string]any{"code": "RATE_LIMITED", "retryAfterSeconds": int(after.Seconds())}}
	}
	if !c.heavy.enter(ctx, cost) {
		return &gqlerror.Error{Message: "too many costly queries are running; retry in a moment",
			Extensions: map[string]any{"code": "SERVICE_UNAVAILABLE", "cost": cost}}
	}
	oc.Stats.SetExtension("cost", cost)
	return nil
}

type costWalker struct {
	doc        *ast.QueryDocument
	vars       map[string]any
	inFragment map[string]bool
}

// selections returns the cost of a selection set.
func (w *costWalker) selections(set ast.SelectionSet) int {
	total := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if len(s.SelectionSet) == 0 {
				continue // scalars cost nothing
			}
			inner := w.selections(s.SelectionSet)
			if n := w.pageSize(s); n > 0 {
				total += n * (1 + inner) // a list: its nodes and what they hold
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
		if total > 1<<40 {
			return total
		}
	}
	return total
}

// pageSize is how many items a list field can return: first or last for
// connections (20 when neither is given), 100 for nodes(ids:); 0 for
// fields that are not lists of nodes.
func (w *costWalker) pageSize(f *ast.Field) int {
	for _, name := range []string{"first", "last", "limit"} {
		if a := f.Arguments.ForName(name); a != nil {
			if v, err := a.Value.Value(w.vars); err == nil {
				switch n := v.(type) {
				case int64:
					return max(int(n), 1)
				case int:
					return max(n, 1)
				case string:
					if i, err := strconv.Atoi(n); err == nil {
						return max(i, 1)
					}
				}
			}
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
