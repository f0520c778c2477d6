package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/lib/pq"

	"startupgraph/internal/model"
	"startupgraph/internal/relation"
)

// Aggregates (issue #18): measures over a whole list, with its filter and
// the viewer's scope, in one statement per level (grouped by parent for
// child lists), like totalCount.

// measureSource says what a list's measures may name: the fields of its
// node type (read as alias), startups' figures, and the facts of the
// relationship it follows (read as factAlias).
type measureSource struct {
	node, alias string
	rel         *relation.Direction
	factAlias   string
}

// expr is the SQL of field for one row of the list: one of
// relation.Measures, read from its node, its startup figure or its edge.
func (m measureSource) expr(field string) (string, bool) {
	if f, ok := relation.FieldOf(m.node, field); ok && relation.Base(f.Type) != "Name" {
		return m.alias + "." + f.Column, true
	}
	if m.node == "Startup" {
		for _, f := range relation.StartupMeasures {
			if f.Field == field {
				return startupFigures[f.Column].expr, true
			}
		}
	}
	if m.rel != nil {
		if f, ok := m.rel.FactOf(field); ok {
			return m.factAlias + "." + f.Column, true
		}
	}
	return "", false
}

// measureSQL renders one measure, as text.
func (m measureSource) measureSQL(x model.Measure) (string, error) {
	raw, err := m.measureRaw(x)
	switch {
	case err != nil:
		return "", err
	case x.Fn == "min" || x.Fn == "max":
		return "to_json(" + raw + ")#>>'{}'", nil // dates and times in ISO 8601
	case x.Fn == "avg":
		return raw + "::float8::text", nil
	}
	return raw + "::text", nil
}

// measureRaw renders one measure in its own type.
func (m measureSource) measureRaw(x model.Measure) (string, error) {
	if x.Fn == "count" {
		return "count(*)", nil
	}
	e, ok := m.expr(x.Field)
	if !ok {
		return "", fmt.Errorf("aggregate: %s has no field %s", m.node, x.Field)
	}
	switch x.Fn {
	case "sum":
		return "COALESCE(sum(" + e + "), 0)::numeric", nil
	case "avg", "min", "max":
		return x.Fn + "(" + e + ")", nil
	case "distinctCount":
		return "count(DISTINCT " + e + ")", nil
	}
	return "", fmt.Errorf("aggregate: unknown function %s", x.Fn)
}

// aggregateRows computes ms over q's rows, in one statement: under
// parent 0 for a top-level list, else for each of parents (a parent
// without rows gets no entry).
func aggregateRows(ctx context.Context, s *Store, q pageQuery, src measureSource, parents []int64, ms []model.Measure) (map[int64]map[model.Measure]*string, error) {
	args, conds := q.scoped(ctx)
	cols := make([]string, len(ms))
	for i, x := range ms {
		c, err := src.measureSQL(x)
		if err != nil {
			return nil, err
		}
		cols[i] = c
	}
	parent := "0::bigint"
	group := ""
	if q.parent != "" {
		conds = append(conds, q.parent+" = ANY("+args.add(pq.Array(parents))+")")
		parent, group = q.parent, " GROUP BY 1"
	}
	sqlText := fmt.Sprintf("SELECT %s, %s FROM %s WHERE %s%s", parent, strings.Join(cols, ", "), q.from, joinAnd(conds), group)
	out := map[int64]map[model.Measure]*string{}
	rows, err := s.reader(ctx).QueryContext(ctx, sqlText, args.list...)
	if err != nil {
		return nil, translate(fmt.Errorf("aggregate %s: %w", src.node, err))
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		vals := make([]*string, len(ms))
		dest := []any{&id}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, translate(fmt.Errorf("aggregate %s: %w", src.node, err))
		}
		m := make(map[model.Measure]*string, len(ms))
		for i, x := range ms {
			m[x] = vals[i]
		}
		out[id] = m
	}
	if err := rows.Err(); err != nil {
		return nil, translate(fmt.Errorf("aggregate %s: %w", src.node, err))
	}
	return out, nil
}

// zeroTotals are the measures of an empty list: counts and sums 0, the
// rest null.
func zeroTotals(ms []model.Measure) map[model.Measure]*string {
	out := make(map[model.Measure]*string, len(ms))
	zero := "0"
	for _, x := range ms {
		if x.Fn == "count" || x.Fn == "distinctCount" || x.Fn == "sum" {
			out[x] = &zero
		} else {
			out[x] = nil
		}
	}
	return out
}
