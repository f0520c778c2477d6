// Package graph is the GraphQL layer: resolvers that read the viewer, call
// the store or a dataloader, and return. It holds no SQL, and speaks no
// HTTP: the HTTP edge (internal/server) decodes requests, admits them and
// writes every answer.
package graph

// The relationships' pages, loaders and resolvers come from their
// declarations (internal/relation), then gqlgen reads the schema.
//go:generate go run ../internal/relation/gen
//go:generate go tool gqlgen generate

import (
	"log/slog"

	"startupgraph/internal/live"
	"startupgraph/internal/store"
)

// Resolver is the dependency container of the GraphQL layer, built once
// at start-up and shared by all requests.
type Resolver struct {
	Store  *store.Store
	Logger *slog.Logger
	// Live serves subscriptions; nil turns them off (SERVICE_UNAVAILABLE).
	Live *live.Hub
}
