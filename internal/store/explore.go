package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/lib/pq"

	"startupgraph/internal/globalid"
	"startupgraph/internal/model"
)

// The graph as edges between typed nodes, for neighborhood and paths. Each
// relationship declared with a Graph (internal/relation) is one source
// (edgeSources, generated into relations_gen.go); its guards apply the
// viewer's scope, so a walk never steps onto a hidden team or through
// another university's assignment.

type edgeSource struct {
	kind         string
	aType, bType globalid.Type
	from         string
	a, b         string
	guards       []guard
}

// neighborEdges returns the edges touching any node of frontier, capped.
func (s *Store) neighborEdges(ctx context.Context, frontier map[globalid.Type][]int64, limit int) ([]model.GraphEdge, error) {
	args := &sqlArgs{}
	var parts []string
	for _, src := range edgeSources {
		for _, side := range []struct {
			typ  globalid.Type
			expr string
		}{{src.aType, src.a}, {src.bType, src.b}} {
			ids := frontier[side.typ]
			if len(ids) == 0 {
				continue
			}
			cond := side.expr + " = ANY(" + args.add(pq.Array(ids)) + ") AND " + src.a + " IS NOT NULL AND " + src.b + " IS NOT NULL" +
				scoped(ctx, args, src.guards...)
			parts = append(parts, fmt.Sprintf("SELECT '%s' AS kind, '%s' AS a_type, %s AS a_id, '%s' AS b_type, %s AS b_id FROM %s WHERE %s",
				src.kind, src.aType, src.a, src.bType, src.b, src.from, cond))
		}
	}
	if len(parts) == 0 {
		return nil, nil
	}
	q := strings.Join(parts, "\nUNION\n") + "\nORDER BY 1, 2, 3, 4, 5 LIMIT " + args.add(limit)
	var rows []struct {
		Kind  string `db:"kind"`
		AType string `db:"a_type"`
		AID   int64  `db:"a_id"`
		BType string `db:"b_type"`
		BID   int64  `db:"b_id"`
	}
	if err := s.reader(ctx).SelectContext(ctx, &rows, q, args.list...); err != nil {
		return nil, translate(fmt.Errorf("neighbors: %w", err))
	}
	out := make([]model.GraphEdge, len(rows))
	for i, r := range rows {
		out[i] = model.GraphEdge{Kind: r.Kind, FromNode: model.Ref{Type: globalid.Type(r.AType), ID: r.AID}, ToNode: model.Ref{Type: globalid.Type(r.BType), ID: r.BID}}
	}
	return out, nil
}

// Neighborhood returns the nodes within depth hops of start (which the
// caller has checked the viewer may see), at most limit of them, and the
// edges between them: one statement per hop, plus one for the edges among
// the last hop's nodes.
func (s *Store) Neighborhood(ctx context.Context, start model.Ref, depth, limit int) (model.Neighborhood, error) {
	out := model.Neighborhood{Nodes: []model.NeighborhoodNode{{Ref: start}}, Edges: []model.GraphEdge{}}
	seen := map[model.Ref]bool{start: true}
	frontier := []model.Ref{start}
	edgeSeen := map[model.GraphEdge]bool{}
	for hop := 1; hop <= depth+1 && len(frontier) > 0; hop++ {
		edges, err := s.neighborEdges(ctx, group(frontier), 20*limit+1)
		if err != nil {
			return model.Neighborhood{}, err
		}
		if len(edges) > 20*limit {
			out.Truncated = true
		}
		var next []model.Ref
		for _, e := range edges {
			for _, end := range []model.Ref{e.FromNode, e.ToNode} {
				if !seen[end] && hop <= depth {
					if len(out.Nodes) >= limit {
						out.Truncated = true
						continue
					}
					seen[end] = true
					out.Nodes = append(out.Nodes, model.NeighborhoodNode{Ref: end, Distance: hop})
					next = append(next, end)
				}
			}
			if seen[e.FromNode] && seen[e.ToNode] && !edgeSeen[e] {
				edgeSeen[e] = true
				out.Edges = append(out.Edges, e)
			}
		}
		frontier = next
	}
	return out, nil
}

func group(refs []model.Ref) map[globalid.Type][]int64 {
	out := map[globalid.Type][]int64{}
	for _, r := range refs {
		out[r.Type] = append(out[r.Type], r.ID)
	}
	return out
}

// Paths finds up to first simple paths of at most maxLength edges between
// two nodes, shortest first, with recursive SQL walking from both ends
// (half the length each) and meeting in the middle. It runs under a short
// statement timeout: hubs (a sector with thousands of teams) make long
// paths expensive on large graphs.
func (s *Store) Paths(ctx context.Context, from, to model.Ref, maxLength, first int) ([]model.GraphPath, error) {
	args := &sqlArgs{}
	var parts []string
	for _, src := range edgeSources {
		cond := src.a + " IS NOT NULL AND " + src.b + " IS NOT NULL" + scoped(ctx, args, src.guards...)
		parts = append(parts,
			fmt.Sprintf("SELECT '%s'::text AS kind, '%s'::text AS at, %s AS aid, '%s'::text AS bt, %s AS bid FROM %s WHERE %s", src.kind, src.aType, src.a, src.bType, src.b, src.from, cond),
			fmt.Sprintf("SELECT '%s'::text, '%s'::text, %s, '%s'::text, %s FROM %s WHERE %s", src.kind, src.bType, src.b, src.aType, src.a, src.from, cond))
	}
	half1 := (maxLength + 1) / 2
	half2 := maxLength / 2
	ft, fid, tt, tid := args.add(string(from.Type)), args.add(from.ID), args.add(string(to.Type)), args.add(to.ID)
	h1, h2, maxL, lim := args.add(half1), args.add(half2), args.add(maxLength), args.add(first)
	q := `WITH RECURSIVE e AS (` + strings.Join(parts, "\nUNION\n") + `),
fwd(t, id, nodes, kinds, depth) AS (
  SELECT ` + ft + `::text, ` + fid + `::bigint, ARRAY[` + ft + `::text || ':' || ` + fid + `::bigint], ARRAY[]::text[], 0
  UNION ALL
  SELECT e.bt, e.bid, f.nodes || (e.bt || ':' || e.bid), f.kinds || e.kind, f.depth + 1
  FROM fwd f JOIN e ON e.at = f.t AND e.aid = f.id
  WHERE f.depth < ` + h1 + ` AND NOT (e.bt || ':' || e.bid) = ANY(f.nodes)
),
bwd(t, id, nodes, kinds, depth) AS (
  SELECT ` + tt + `::text, ` + tid + `::bigint, ARRAY[` + tt + `::text || ':' || ` + tid + `::bigint], ARRAY[]::text[], 0
  UNION ALL
  SELECT e.bt, e.bid, b.nodes || (e.bt || ':' || e.bid), b.kinds || e.kind, b.depth + 1
  FROM bwd b JOIN e ON e.at = b.t AND e.aid = b.id
  WHERE b.depth < ` + h2 + ` AND NOT (e.bt || ':' || e.bid) = ANY(b.nodes)
)
SELECT f.nodes AS fwd_nodes, f.kinds AS fwd_kinds, b.nodes AS bwd_nodes, b.kinds AS bwd_kinds
FROM fwd f JOIN bwd b ON b.t = f.t AND b.id = f.id
WHERE f.depth + b.depth BETWEEN 1 AND ` + maxL + `
  AND f.depth = least(f.depth + b.depth, ` + h1 + `)
  AND NOT (f.nodes[1:f.depth] && b.nodes)
ORDER BY f.depth + b.depth, f.nodes, b.nodes
LIMIT ` + lim
	var rows []struct {
		FwdNodes pq.StringArray `db:"fwd_nodes"`
		FwdKinds pq.StringArray `db:"fwd_kinds"`
		BwdNodes pq.StringArray `db:"bwd_nodes"`
		BwdKinds pq.StringArray `db:"bwd_kinds"`
	}
	tx, err := s.reader(ctx).BeginTxx(ctx, nil)
	if err != nil {
		return nil, translate(fmt.Errorf("paths: %w", err))
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = '3s'`); err != nil {
		return nil, translate(fmt.Errorf("paths: %w", err))
	}
	if err := tx.SelectContext(ctx, &rows, q, args.list...); err != nil {
		return nil, translate(fmt.Errorf("paths: %w", err))
	}
	out := make([]model.GraphPath, 0, len(rows))
	for _, r := range rows {
		nodes := append([]string(r.FwdNodes), reversed(r.BwdNodes[:len(r.BwdNodes)-1])...)
		kinds := append([]string(r.FwdKinds), reversed(r.BwdKinds)...)
		p := model.GraphPath{}
		for _, n := range nodes {
			typ, id, _ := strings.Cut(n, ":")
			var rid int64
			fmt.Sscan(id, &rid)
			p.Refs = append(p.Refs, model.Ref{Type: globalid.Type(typ), ID: rid})
		}
		for i, k := range kinds {
			p.Edges = append(p.Edges, model.GraphEdge{Kind: k, FromNode: p.Refs[i], ToNode: p.Refs[i+1]})
		}
		out = append(out, p)
	}
	return out, nil
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}
