package graph

import (
	"context"

	"startupgraph/graph/generated"
	"startupgraph/internal/apperr"
	"startupgraph/internal/globalid"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
)

// auditLog resolves Query.auditLog (ADMIN only): the recorded writes,
// newest first, filtered by the node they changed, their action and their
// time.
func (r *queryResolver) auditLog(ctx context.Context, filter *generated.AuditFilter, first *int, after *string, last *int, before *string) (*model.AuditEntryConnection, error) {
	var a args
	var f store.AuditFilter
	if filter != nil {
		if filter.EntityID != nil {
			typ, id, err := globalid.Decode("filter.entityId", *filter.EntityID)
			if err != nil {
				return nil, err
			}
			t := string(typ)
			f.EntityType, f.EntityID = &t, &id
		}
		f.Actions = strs(&a, "filter.actions", filter.Actions)
		f.Since = filter.Since
	}
	page, perr := store.NewPageArgs(first, last, after, before)
	if err := apperr.Merge(a.err(), perr); err != nil {
		return nil, err
	}
	c, err := r.Store.ListAuditLog(ctx, f, page)
	return &model.AuditEntryConnection{Connection: c}, err
}
