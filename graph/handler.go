package graph

import (
	"context"
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"startupgraph/graph/generated"
	"startupgraph/internal/apperr"
	"startupgraph/internal/viewer"
)

// queryCacheSize is how many parsed and validated query documents are kept,
// so repeated dashboard queries skip parsing and validation.
const queryCacheSize = 1000

// MaxTokens bounds the lexical tokens of one query document: parsing
// stops there, so a huge query costs no more than a big legitimate one.
const MaxTokens = 15000

// Options are the switches of the GraphQL handler.
type Options struct {
	// Dev allows introspection to every caller (the dev command).
	Dev bool
	// Admit admits each operation by its cost once the cost limit has
	// passed it (the HTTP edge's rate limits and heavy-query lane); nil
	// admits everything.
	Admit Admit
}

// NewHandler builds gqlgen's server for the schema: the resolvers and
// directives, the query cache, the document and cost limits, the error
// presenter. It speaks no HTTP yet: the HTTP edge (internal/server) adds
// its transports, which decode requests and write responses and errors.
func NewHandler(r *Resolver, opts Options) *handler.Server {
	schema := generated.NewExecutableSchema(generated.Config{
		Resolvers:  r,
		Directives: generated.DirectiveRoot{Authenticated: authenticated, Admin: admin},
	})
	// The direct executor answers the common read queries itself
	// (direct.go); gqlgen's generated code answers everything else.
	present, recoverFunc := ErrorPresenter(r.Logger), Recover(r.Logger)
	srv := handler.New(directSchema{ExecutableSchema: schema, res: r, present: present, recover: recoverFunc})
	queries := lru.New[*ast.QueryDocument](queryCacheSize)
	srv.SetQueryCache(queries)
	srv.SetParserTokenLimit(MaxTokens)
	// "Did you mean ...?" hints teach an outsider the schema; only dev has them.
	srv.SetDisableSuggestion(!opts.Dev)
	// Automatic persisted queries: a client may send a query's SHA-256
	// instead of its text once the server has seen it; queries registered
	// with a key are kept apart from anonymous ones. It runs first so the
	// document limits see the text a hash stands for.
	srv.Use(newPersistedQueries(r.Store, r.Logger, queryCacheSize))
	srv.Use(documentLimits{cache: queries})
	srv.Use(introspectionByRole{dev: opts.Dev})
	srv.Use(&intRange{}) // before costLimit, which reads first/last/limit
	srv.Use(costLimit{admit: opts.Admit, schema: schema.Schema()})
	srv.Use(stopWhenDone{present: present})
	srv.SetErrorPresenter(present)
	srv.SetRecoverFunc(recoverFunc)
	return srv
}

// authenticated implements @authenticated: the field needs an API key.
func authenticated(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
	if !viewer.From(ctx).Authenticated() {
		return nil, apperr.ErrUnauthenticated
	}
	return next(ctx)
}

// admin implements @admin: the field needs an ADMIN key.
func admin(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
	switch v := viewer.From(ctx); {
	case !v.Authenticated():
		return nil, apperr.ErrUnauthenticated
	case v.Role != viewer.Admin:
		return nil, apperr.ErrForbidden
	}
	return next(ctx)
}

// introspectionByRole allows introspection (__schema, __type) to ANALYST
// and ADMIN keys, and to everyone in dev mode; others get FORBIDDEN before
// anything runs. __typename is always allowed.
type introspectionByRole struct{ dev bool }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = introspectionByRole{}

func (introspectionByRole) ExtensionName() string { return "IntrospectionByRole" }

func (introspectionByRole) Validate(graphql.ExecutableSchema) error { return nil }

func (e introspectionByRole) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	allowed := e.dev || viewer.From(ctx).ReadsEverything()
	oc.DisableIntrospection = !allowed
	if !allowed && oc.Operation != nil && introspects(oc.Doc, oc.Operation.SelectionSet, map[string]bool{}) {
		return &gqlerror.Error{
			Message:    "introspection needs an ANALYST or ADMIN API key",
			Extensions: map[string]any{"code": string(apperr.CodeForbidden)},
		}
	}
	return nil
}

// introspects reports whether a top-level selection set asks for __schema
// or __type, looking through fragments.
func introspects(doc *ast.QueryDocument, set ast.SelectionSet, seen map[string]bool) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if isIntrospection(s) {
				return true
			}
		case *ast.InlineFragment:
			if introspects(doc, s.SelectionSet, seen) {
				return true
			}
		case *ast.FragmentSpread:
			if f := doc.Fragments.ForName(s.Name); f != nil && !seen[s.Name] {
				seen[s.Name] = true
				if introspects(doc, f.SelectionSet, seen) {
					return true
				}
			}
		}
	}
	return false
}

// stopWhenDone stops an operation's work when its request's context ends:
// at the deadline, or when the client hangs up (the server cancels the
// context then). gqlgen checks the context only before an operation
// starts; it resolves every field, introspection's included, and
// marshals the answer without looking at it again, so four abandoned
// documents of 100 aliases of __schema ran for two minutes after their
// clients had left. Every field, introspection's too, goes through the
// field interceptors (graphql.ResolveField calls
// OperationContext.ResolverMiddleware), so once the context has ended no
// field resolves and nothing below it is built or marshalled. An
// operation stopped part-way is answered with one TIMEOUT error and null
// data rather than a partial answer and an error for every field it
// skipped (a mutation keeps its partial answer: it may have committed).
// Database statements already running are the store's concern
// (store.WithStatementGrace).
type stopWhenDone struct {
	present graphql.ErrorPresenterFunc
}

var _ interface {
	graphql.HandlerExtension
	graphql.FieldInterceptor
	graphql.ResponseInterceptor
} = stopWhenDone{}

func (stopWhenDone) ExtensionName() string                   { return "StopWhenDone" }
func (stopWhenDone) Validate(graphql.ExecutableSchema) error { return nil }

func (stopWhenDone) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return next(ctx)
}

func (s stopWhenDone) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || resp.Data == nil || ctx.Err() == nil {
		return resp // request errors (no data) keep their own
	}
	if graphql.HasOperationContext(ctx) && isMutation(graphql.GetOperationContext(ctx)) {
		// What a mutation did is kept, errors and all: it may have
		// committed before the context ended.
		return resp
	}
	return stoppedResponse(ctx, s.present, resp.Extensions)
}

// stoppedResponse is the answer to an operation whose context ended while
// it ran: no data, one error saying why (TIMEOUT).
func stoppedResponse(ctx context.Context, present graphql.ErrorPresenterFunc, ext map[string]any) *graphql.Response {
	return &graphql.Response{
		Data:       json.RawMessage("null"),
		Errors:     gqlerror.List{present(ctx, gqlerror.WrapPath(nil, ctx.Err()))},
		Extensions: ext,
	}
}

func isMutation(oc *graphql.OperationContext) bool {
	return oc.Operation != nil && oc.Operation.Operation == ast.Mutation
}
