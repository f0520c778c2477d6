package graph

import (
	"context"

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
	l := loader.For(ctx)
	switch typ {
	case globalid.University:
		return load(ctx, l.University, id)
	case globalid.Organization:
		return load(ctx, l.Organization, id)
	case globalid.Program:
		return load(ctx, l.Program, id)
	case globalid.Sector:
		return load(ctx, l.Sector, id)
	case globalid.Fund:
		return load(ctx, l.Fund, id)
	case globalid.Facility:
		return load(ctx, l.Facility, id)
	case globalid.Startup:
		return load(ctx, l.Startup, id)
	case globalid.Mentor:
		return load(ctx, l.Mentor, id)
	case globalid.Market:
		return load(ctx, l.Market, id)
	case globalid.Cohort:
		return load(ctx, l.Cohort, id)
	case globalid.Investment:
		return load(ctx, l.Investment, id)
	}
	return nil, apperr.Invalid(field, "is not a valid id")
}

func load[M model.Node](ctx context.Context, l *loader.ByID[M], id int64) (model.Node, error) {
	m, err := l.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// nodes refetches up to maxNodes nodes concurrently, so their loaders batch
// them; a node that fails is null in the list with its own error at its index.
func (r *Resolver) nodes(ctx context.Context, ids []string) ([]model.Node, error) {
	if len(ids) > maxNodes {
		return nil, apperr.Invalid("ids", "takes at most %d ids", maxNodes)
	}
	out := make([]model.Node, len(ids))
	errs := make([]error, len(ids))
	done := make(chan struct{}, len(ids))
	for i, gid := range ids {
		go func() {
			defer func() { done <- struct{}{} }()
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
