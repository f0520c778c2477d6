package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"startupgraph/internal/apperr"
	"startupgraph/internal/globalid"
	"startupgraph/internal/loader"
	"startupgraph/internal/model"
)

// maxNodes bounds nodes(ids:).
const maxNodes = 100

// node refetches any node by global id through its type's loader.
func (r *Resolver) node(ctx context.Context, field, gid string) (model.Node, error) {
	typ, id, err := globalid.Decode(field, gid)
	if err != nil {
		return nil, err
	}
	return loader.For(ctx).Node(ctx, typ, id)
}

// nodes refetches up to maxNodes nodes concurrently, so their loaders batch
// them; a node that fails is null in the list with its own error at its
// index. A panic in one of those goroutines, out of reach of the
// executor's own recovery, is recovered there and becomes that node's
// internal error.
func (r *Resolver) nodes(ctx context.Context, ids []string) ([]model.Node, error) {
	if len(ids) > maxNodes {
		return nil, apperr.Invalid("ids", "takes at most %d ids", maxNodes)
	}
	// ask for all of them first, so each type loads in one statement
	var want []model.Ref
	for _, gid := range ids {
		if typ, id, err := globalid.Decode("ids", gid); err == nil {
			want = append(want, model.Ref{Type: typ, ID: id})
		}
	}
	loader.For(ctx).Want(want...)
	out := make([]model.Node, len(ids))
	errs := make([]error, len(ids))
	done := make(chan struct{}, len(ids))
	for i, gid := range ids {
		go func() {
			defer func() {
				if p := recover(); p != nil {
					out[i], errs[i] = nil, recovered(ctx, p)
				}
				done <- struct{}{}
			}()
			out[i], errs[i] = r.node(ctx, "ids", gid)
		}()
	}
	for range ids {
		<-done
	}
	for i, err := range errs {
		if err != nil {
			graphql.AddError(graphql.WithPathContext(ctx, graphql.NewPathWithIndex(i)), err)
		}
	}
	return out, nil
}

// recovered turns a panic into an error through the server's RecoverFunc
// (graph.Recover: logged with its stack, shown as an internal error).
func recovered(ctx context.Context, p any) error {
	if graphql.HasOperationContext(ctx) {
		if rf := graphql.GetOperationContext(ctx).RecoverFunc; rf != nil {
			return rf(ctx, p)
		}
	}
	return fmt.Errorf("panic: %v", p)
}

// affiliation resolves a mentor's university or organization.
func (r *Resolver) affiliation(ctx context.Context, m *model.Mentor) (model.Affiliation, error) {
	l := loader.For(ctx)
	switch {
	case m.AffiliatedUniversityID != nil:
		return l.University.Load(ctx, *m.AffiliatedUniversityID)
	case m.AffiliatedOrganizationID != nil:
		return l.Organization.Load(ctx, *m.AffiliatedOrganizationID)
	}
	return nil, nil
}
