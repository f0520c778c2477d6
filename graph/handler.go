package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"startupgraph/graph/generated"
	"startupgraph/internal/loader"
)

// queryCacheSize is how many parsed and validated query documents are kept,
// so repeated dashboard queries skip parsing and validation.
const queryCacheSize = 1000

// NewHandler builds the GraphQL HTTP handler with explicit transports:
// POST with a JSON body and GET for queries (gqlgen refuses mutations over
// GET), plus OPTIONS.
func NewHandler(r *Resolver) *handler.Server {
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: r}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](queryCacheSize))
	srv.Use(extension.Introspection{})
	srv.AroundFields(registerNodes)
	srv.SetErrorPresenter(ErrorPresenter(r.Logger))
	srv.SetRecoverFunc(Recover(r.Logger))
	return srv
}

// registerNodes records the nodes every field returns, so the fields of a
// list's nodes batch as one level (see loader.Register).
func registerNodes(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if err == nil && graphql.GetFieldContext(ctx).IsResolver {
		loader.Register(ctx, res)
	}
	return res, err
}
