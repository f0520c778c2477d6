package server

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"startupgraph/internal/loader"
	"startupgraph/internal/store"
)

// routeReads decides, once per operation, which database it reads
// (store/replica.go): a query, over any transport (an export's every
// page included), reads where store.ForQuery routes it, a replica in use
// when DATABASE_READ_URLS names any; a mutation reads and writes the
// primary and, before it is answered, waits for the replicas to replay
// it (store.AwaitReplicas), so its client reads the write next through
// any process; a subscription reads the primary, where the change feed's
// NOTIFY comes from. The resolvers run under the context given to next,
// and the dataloaders under theirs, so all of an operation's reads go one
// way.
func routeReads(s *store.Store) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		oc := graphql.GetOperationContext(ctx)
		if oc == nil || oc.Operation == nil {
			return next(ctx)
		}
		switch oc.Operation.Operation {
		case ast.Query:
			return next(s.ForQuery(ctx))
		case ast.Mutation:
			responses := next(ctx)
			return func(ctx context.Context) *graphql.Response {
				resp := responses(ctx)
				if resp != nil {
					s.AwaitReplicas(ctx)
				}
				return resp
			}
		}
		return next(ctx)
	}
}

// operationLoaders gives each query and mutation that arrives over a
// subscription transport (graphql-ws, graphql-sse: one connection, many
// operations) loaders of its own, as loader.Middleware gives each HTTP
// request. Without them such a query failed as an internal error.
func operationLoaders(s *store.Store) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if oc := graphql.GetOperationContext(ctx); oc != nil && oc.Operation != nil && oc.Operation.Operation != ast.Subscription {
			ctx = loader.With(ctx, s)
		}
		return next(ctx)
	}
}
