package graph

import (
	"context"

	"startupgraph/internal/globalid"
	"startupgraph/internal/loader"
	"startupgraph/internal/model"
)

// byKey is a lookup by natural key (startup(key:), market(code:), …): the
// key names a row id, which is then loaded through the type's loader as
// node(id:) loads it, so the viewer's scope holds the same way: a node
// the viewer may not see is null with NOT_FOUND, exactly as an unknown
// key is.
func byKey[M model.Identified](ctx context.Context, r *Resolver, t globalid.Type, l *loader.ByID[M], key string) (*M, error) {
	id, err := r.Store.IDByKey(ctx, t, key)
	if err != nil {
		return nil, err
	}
	m, err := l.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	return &m, nil
}
