package graph

import (
	"context"

	"startupgraph/internal/globalid"
	"startupgraph/internal/loader"
	"startupgraph/internal/model"
)

// intArg reads an optional bounded integer argument.
func (a *args) intArg(field string, v *int, def, lo, hi int) int {
	if v == nil {
		return def
	}
	if *v < lo || *v > hi {
		a.problems.Add(field, "must be between %d and %d", lo, hi)
		return def
	}
	return *v
}

// visibleRef decodes a global id and checks, through the scoped loaders,
// that the viewer may see the node: a hidden node is NOT_FOUND, like a
// missing one.
func (a *args) visibleRef(field, gid string, want globalid.Type) model.Ref {
	var (
		typ globalid.Type
		id  int64
		err error
	)
	if want != "" {
		typ, id = want, 0
		id, err = globalid.DecodeAs(field, want, gid)
	} else {
		typ, id, err = globalid.Decode(field, gid)
	}
	a.include(err)
	return model.Ref{Type: typ, ID: id}
}

func visible(ctx context.Context, refs ...model.Ref) error {
	for _, r := range refs {
		if _, err := loader.For(ctx).Node(ctx, r.Type, r.ID); err != nil {
			return err
		}
	}
	return nil
}

func (r *queryResolver) neighborhood(ctx context.Context, id string, depth, limit *int) (*model.Neighborhood, error) {
	var a args
	start := a.visibleRef("id", id, "")
	d, l := a.intArg("depth", depth, 1, 1, 3), a.intArg("limit", limit, 100, 1, 500)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := visible(ctx, start); err != nil {
		return nil, err
	}
	n, err := r.Store.Neighborhood(ctx, start, d, l)
	loader.Register(ctx, n.Nodes)
	return &n, err
}

func (r *queryResolver) paths(ctx context.Context, from, to string, maxLength, first *int) ([]model.GraphPath, error) {
	var a args
	f, t := a.visibleRef("from", from, ""), a.visibleRef("to", to, "")
	ml, n := a.intArg("maxLength", maxLength, 4, 1, 4), a.intArg("first", first, 5, 1, 20)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := visible(ctx, f, t); err != nil {
		return nil, err
	}
	paths, err := r.Store.Paths(ctx, f, t, ml, n)
	return registered(ctx, paths, err)
}

func (r *queryResolver) recommendedMentors(ctx context.Context, startupID string, first *int) ([]model.MentorRecommendation, error) {
	var a args
	s := a.visibleRef("startupId", startupID, globalid.Startup)
	n := a.intArg("first", first, 5, 1, 20)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := visible(ctx, s); err != nil {
		return nil, err
	}
	recs, err := r.Store.RecommendMentors(ctx, s.ID, n)
	return registered(ctx, recs, err)
}

func (r *queryResolver) similarStartups(ctx context.Context, id string, first *int) ([]model.SimilarStartup, error) {
	var a args
	s := a.visibleRef("id", id, globalid.Startup)
	n := a.intArg("first", first, 5, 1, 20)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := visible(ctx, s); err != nil {
		return nil, err
	}
	similar, err := r.Store.SimilarStartups(ctx, s.ID, n)
	return registered(ctx, similar, err)
}

// nodesOf loads the nodes of refs in order.
func nodesOf(ctx context.Context, refs []model.Ref) ([]model.Node, error) {
	loader.For(ctx).Want(refs...)
	out := make([]model.Node, len(refs))
	for i, ref := range refs {
		n, err := loader.For(ctx).Node(ctx, ref.Type, ref.ID)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// registered records what a resolver got straight from the store (lists,
// graph answers), so the loaders batch the next level over all of it.
func registered[T any](ctx context.Context, v T, err error) (T, error) {
	if err == nil {
		loader.Register(ctx, v)
	}
	return v, err
}
