package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"startupgraph/internal/apperr"
)

// Document limits, checked on the parsed document before validation:
// validation is where a hostile document costs time (gqlparser's
// overlapping-fields rule compares the fields of a selection set pairwise,
// so 2,000 repeated `__typename` take about half a second), so the shape
// is bounded before it runs. Parsing itself is linear and bounded by
// MaxQueryBytes and MaxTokens.
//
// GitLab caps query text at 10,000 characters and Apollo Router the parser
// at 15,000 tokens; our largest legitimate operations (the examples, the
// playground's introspection query) are under 4 KB, 40 fields to a level,
// a handful of aliases and directives.
const (
	// MaxDepth bounds how deep selections nest, fragments counted where they
	// are spread (GitHub's deepest documented queries are under 10). An
	// introspection field (__schema, __type) counts as one level here: what
	// it selects walks the schema, not the data, and has bounds of its own.
	MaxDepth = 12
	// MaxIntrospectionDepth bounds how deep selections nest from an
	// introspection field (__schema, __type) down, the field itself counted.
	// graphql-js's standard introspection query (getIntrospectionQuery, what
	// GraphiQL, graphql-codegen, Apollo's and Relay's tools send) is 15
	// levels: __schema > types > fields > args > type and nine nested
	// ofType. Depth inside the schema is not where introspection costs: the
	// schema's types are wrapped at most three deep ([ID!]!), so a longer
	// ofType chain answers null and runs nothing. The room left above 15 is
	// for tools that ask for longer chains; MaxIntrospectionLists bounds the
	// part that multiplies, and costLimit prices what the answer holds.
	MaxIntrospectionDepth = 20
	// MaxIntrospectionLists bounds how many of the lists that walk the
	// schema's type graph (fields, inputFields, interfaces, possibleTypes)
	// nest inside one introspection field. Each nesting multiplies the answer
	// (types > fields > type > ofType > fields > ... reaches millions of
	// objects within 15 levels); graphql-js's MaxIntrospectionDepthRule
	// refuses the third, as here. The standard query nests one.
	MaxIntrospectionLists = 2
	// MaxQueryBytes bounds the query text.
	MaxQueryBytes = 32 << 10
	// MaxAliases bounds the aliased fields of a document.
	MaxAliases = 100
	// MaxSelections bounds the fields one selection set holds, counting the
	// fields its fragments bring in: the overlapping-fields rule is
	// quadratic in it.
	MaxSelections = 200
	// MaxDirectives bounds the directives used in a document.
	MaxDirectives = 50
	// MaxFields bounds the fields of an operation once its fragments are
	// expanded: fragments spread inside fragments multiply, and everything
	// after validation (cost, execution) walks the expanded tree.
	MaxFields = 5000
)

// documentLimits refuses, before validation and before any SQL, documents
// whose text is too long (QUERY_TOO_LARGE), that use too many aliases
// (TOO_MANY_ALIASES), selection sets that are too wide
// (TOO_MANY_SELECTIONS), too many directives (TOO_MANY_DIRECTIVES), too
// many fields once fragments are expanded (TOO_MANY_FIELDS) or nest deeper than MaxDepth (QUERY_TOO_DEEP, fragments counted where they
// are spread; below __schema and __type, MaxIntrospectionDepth and
// MaxIntrospectionLists instead). Documents already in the query cache passed validation, and
// these limits, before: they are not looked at again.
type documentLimits struct {
	cache graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = documentLimits{}

func (documentLimits) ExtensionName() string                   { return "DocumentLimits" }
func (documentLimits) Validate(graphql.ExecutableSchema) error { return nil }

func (l documentLimits) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if len(p.Query) > MaxQueryBytes {
		return limitError(apperr.CodeQueryTooLarge, fmt.Sprintf("the query is %d bytes; the limit is %d", len(p.Query), MaxQueryBytes), len(p.Query), MaxQueryBytes)
	}
	if l.cache != nil {
		if _, ok := l.cache.Get(ctx, p.Query); ok {
			return nil
		}
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, MaxTokens)
	if err != nil {
		return nil // gqlgen parses it again and reports the syntax error
	}
	return checkShape(doc)
}

// checkShape measures a parsed document in one pass over its text: every
// fragment is measured once and its figures reused where it is spread, so
// a fragment spread many times (or a chain of fragments spreading the next
// twice) costs no more than its text.
func checkShape(doc *ast.QueryDocument) *gqlerror.Error {
	m := shapeMeter{doc: doc, fragments: map[string]*fragmentShape{}}
	for _, op := range doc.Operations {
		m.directives += len(op.Directives)
		for _, v := range op.VariableDefinitions {
			m.directives += len(v.Directives)
		}
		s := m.set(op.SelectionSet)
		if err := m.check(s.width, s.depth+1, s.size); err != nil {
			return err
		}
	}
	for _, f := range doc.Fragments {
		m.fragment(f.Name) // unused fragments count too: validation reads them
		if err := m.check(0, 0, 0); err != nil {
			return err
		}
	}
	return nil
}

// shape is what a selection set (or a fragment) measures: how many fields
// it holds (its fragments' included), how many levels nest below it
// (depth, where an introspection field counts as one level; all, where
// every level counts), how many fields it selects once fragments are
// expanded, and how many schema-walking lists (introspectionLists) nest
// below it.
type shape struct{ width, depth, all, size, lists int }

type fragmentShape = shape

type shapeMeter struct {
	doc                 *ast.QueryDocument
	fragments           map[string]*fragmentShape
	aliases, directives int
	widest              int
	// deepest introspection field (levels from it down, itself counted) and
	// the most schema-walking lists nested in one
	introDepth, introLists int
}

// introspectionLists are the fields of __Type whose lists walk the
// schema's type graph: nesting them multiplies the answer.
var introspectionLists = map[string]bool{"fields": true, "inputFields": true, "interfaces": true, "possibleTypes": true}

func isIntrospection(f *ast.Field) bool { return f.Name == "__schema" || f.Name == "__type" }

func (m *shapeMeter) check(width, depth, size int) *gqlerror.Error {
	m.widest = max(m.widest, width)
	switch {
	case m.aliases > MaxAliases:
		return limitError(apperr.CodeTooManyAliases, fmt.Sprintf("the document uses more than %d aliases", MaxAliases), m.aliases, MaxAliases)
	case m.widest > MaxSelections:
		return limitError(apperr.CodeTooManySelections, fmt.Sprintf("a selection set holds %d fields; the limit is %d", m.widest, MaxSelections), m.widest, MaxSelections)
	case m.directives > MaxDirectives:
		return limitError(apperr.CodeTooManyDirectives, fmt.Sprintf("the document uses more than %d directives", MaxDirectives), m.directives, MaxDirectives)
	case size > MaxFields:
		return limitError(apperr.CodeTooManyFields, fmt.Sprintf("the operation selects %d fields once its fragments are expanded; the limit is %d", size, MaxFields), size, MaxFields)
	case depth > MaxDepth:
		return limitError(apperr.CodeQueryTooDeep, fmt.Sprintf("the query is %d levels deep; the limit is %d", depth, MaxDepth), depth, MaxDepth)
	case m.introDepth > MaxIntrospectionDepth:
		return limitError(apperr.CodeQueryTooDeep, fmt.Sprintf("the introspection is %d levels deep; the limit is %d", m.introDepth, MaxIntrospectionDepth), m.introDepth, MaxIntrospectionDepth)
	case m.introLists > MaxIntrospectionLists:
		return limitError(apperr.CodeQueryTooDeep, fmt.Sprintf("the introspection nests %d lists of fields, inputFields, interfaces or possibleTypes; the limit is %d", m.introLists, MaxIntrospectionLists), m.introLists, MaxIntrospectionLists)
	}
	return nil
}

// set measures a selection set (see shape); it counts aliases and
// directives as it goes, and records the widest set it meets and the
// deepest introspection.
func (m *shapeMeter) set(set ast.SelectionSet) shape {
	var out shape
	add := func(in shape, width int) { // in nests at the same level (a fragment)
		out.width, out.size = saturate(out.width+width), saturate(out.size+in.size)
		out.depth, out.all, out.lists = max(out.depth, in.depth), max(out.all, in.all), max(out.lists, in.lists)
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			out.width, out.size = saturate(out.width+1), saturate(out.size+1)
			m.directives += len(s.Directives)
			if s.Alias != "" && s.Alias != s.Name {
				m.aliases++
			}
			if len(s.SelectionSet) == 0 {
				continue
			}
			in := m.set(s.SelectionSet)
			m.widest = max(m.widest, in.width)
			out.size = saturate(out.size + in.size)
			out.all = max(out.all, in.all+1)
			lists := in.lists
			if introspectionLists[s.Name] {
				lists++
			}
			out.lists = max(out.lists, lists)
			if isIntrospection(s) {
				// Measured on its own bounds (levels from the field down:
				// itself, its set, what nests below); one level of the query.
				m.introDepth, m.introLists = max(m.introDepth, in.all+2), max(m.introLists, in.lists)
				out.depth = max(out.depth, 1)
			} else {
				out.depth = max(out.depth, in.depth+1)
			}
		case *ast.InlineFragment:
			m.directives += len(s.Directives)
			in := m.set(s.SelectionSet)
			add(in, in.width)
		case *ast.FragmentSpread:
			m.directives += len(s.Directives)
			f := m.fragment(s.Name)
			add(*f, f.width)
		}
	}
	return out
}

// fragment measures a named fragment once. A fragment that spreads itself
// (directly or not) counts as empty while it is being measured: validation
// refuses the cycle.
func (m *shapeMeter) fragment(name string) *fragmentShape {
	if f, ok := m.fragments[name]; ok {
		return f
	}
	f := &fragmentShape{}
	m.fragments[name] = f
	def := m.doc.Fragments.ForName(name)
	if def == nil {
		return f
	}
	m.directives += len(def.Directives)
	*f = m.set(def.SelectionSet)
	return f
}

// saturate keeps a width from overflowing: fragments spreading the next
// one twice double it at every step.
func saturate(n int) int { return min(n, 1<<30) }

func limitError(code apperr.Code, msg string, got, limit int) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": string(code), "value": got, "limit": limit}}
}
