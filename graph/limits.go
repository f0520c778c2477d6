package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
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
	// are spread (GitHub's deepest documented queries are under 10).
	MaxDepth = 12
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
// are spread). Documents already in the query cache passed validation, and
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
		return limitError("QUERY_TOO_LARGE", fmt.Sprintf("the query is %d bytes; the limit is %d", len(p.Query), MaxQueryBytes), len(p.Query), MaxQueryBytes)
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
		width, depth, size := m.set(op.SelectionSet)
		if err := m.check(width, depth+1, size); err != nil {
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

type fragmentShape struct{ width, depth, size int }

type shapeMeter struct {
	doc                 *ast.QueryDocument
	fragments           map[string]*fragmentShape
	aliases, directives int
	widest              int
}

func (m *shapeMeter) check(width, depth, size int) *gqlerror.Error {
	m.widest = max(m.widest, width)
	switch {
	case m.aliases > MaxAliases:
		return limitError("TOO_MANY_ALIASES", fmt.Sprintf("the document uses more than %d aliases", MaxAliases), m.aliases, MaxAliases)
	case m.widest > MaxSelections:
		return limitError("TOO_MANY_SELECTIONS", fmt.Sprintf("a selection set holds %d fields; the limit is %d", m.widest, MaxSelections), m.widest, MaxSelections)
	case m.directives > MaxDirectives:
		return limitError("TOO_MANY_DIRECTIVES", fmt.Sprintf("the document uses more than %d directives", MaxDirectives), m.directives, MaxDirectives)
	case size > MaxFields:
		return limitError("TOO_MANY_FIELDS", fmt.Sprintf("the operation selects %d fields once its fragments are expanded; the limit is %d", size, MaxFields), size, MaxFields)
	case depth > MaxDepth:
		return limitError("QUERY_TOO_DEEP", fmt.Sprintf("the query is %d levels deep; the limit is %d", depth, MaxDepth), depth, MaxDepth)
	}
	return nil
}

// set returns how many fields a selection set holds (fragments included),
// how many levels it nests below itself, and how many fields it selects
// in all once fragments are expanded; it counts aliases and directives as
// it goes, and records the widest set it meets.
func (m *shapeMeter) set(set ast.SelectionSet) (width, depth, size int) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			width, size = saturate(width+1), saturate(size+1)
			m.directives += len(s.Directives)
			if s.Alias != "" && s.Alias != s.Name {
				m.aliases++
			}
			if len(s.SelectionSet) > 0 {
				w, d, n := m.set(s.SelectionSet)
				m.widest = max(m.widest, w)
				depth, size = max(depth, d+1), saturate(size+n)
			}
		case *ast.InlineFragment:
			m.directives += len(s.Directives)
			w, d, n := m.set(s.SelectionSet)
			width, depth, size = saturate(width+w), max(depth, d), saturate(size+n)
		case *ast.FragmentSpread:
			m.directives += len(s.Directives)
			f := m.fragment(s.Name)
			width, depth, size = saturate(width+f.width), max(depth, f.depth), saturate(size+f.size)
		}
	}
	return width, depth, size
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
	f.width, f.depth, f.size = m.set(def.SelectionSet)
	return f
}

// saturate keeps a width from overflowing: fragments spreading the next
// one twice double it at every step.
func saturate(n int) int { return min(n, 1<<30) }

func limitError(code, msg string, got, limit int) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": code, "value": got, "limit": limit}}
}
