package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/lib/pq"

	"startupgraph/internal/model"
	"startupgraph/internal/relation"
)

// MaxGroups bounds the groups a groupBy returns (per parent).
const MaxGroups = 1000

// groupRows computes spec's groups of q's rows in one statement: for a
// top-level list under parent 0, else for each of parents. A key through a
// relationship joins the list's rows to the related nodes the viewer
// sees (its child list's guards), one row per distinct node.
func groupRows(ctx context.Context, s *Store, q pageQuery, src measureSource, parents []int64, spec model.GroupSpec) (map[int64][]model.GroupRow, error) {
	if rows, ok, err := keptStageGroups(ctx, s, q, src, spec); ok {
		return map[int64][]model.GroupRow{0: rows}, err
	}
	args, conds := q.scoped(ctx)
	from := q.from
	var keys, orderKeys []string // key expressions, and what they sort by
	for i, name := range spec.Keys {
		k, ok := relation.GroupKeyOf(src.node, src.rel, name)
		if !ok {
			return nil, fmt.Errorf("groupBy: %s has no key %s", src.node, name)
		}
		col := src.alias + "." + k.Fact.Column
		if k.Edge {
			col = src.factAlias + "." + k.Fact.Column
		}
		switch k.Kind {
		case "value", "ref":
			keys = append(keys, col)
			if vals, ok := model.EnumOrder[k.Type]; ok { // an enum: in schema order
				col = "array_position(" + args.add(pq.Array(vals)) + "::text[], " + col + "::text)"
			}
		case "year", "quarter", "month":
			keys = append(keys, "extract("+k.Kind+" FROM "+col+")::int")
		case "rel":
			wc := &whereCompiler{ctx: ctx, args: &args, depth: 60 + i}
			_, base, _, err := wc.edges(src.node, src.alias, k.Rel, true)
			if err != nil {
				return nil, err
			}
			g := "g" + strconv.Itoa(60+i)
			from += " CROSS JOIN LATERAL (SELECT DISTINCT n" + strconv.Itoa(60+i) + ".id " + base + ") " + g
			keys = append(keys, g+".id")
			col = g + ".id"
		}
		if k.Kind == "year" || k.Kind == "quarter" || k.Kind == "month" {
			col = keys[len(keys)-1]
		}
		orderKeys = append(orderKeys, col)
	}
	cols := make([]string, 0, len(keys)+len(spec.Measures))
	for _, k := range keys {
		cols = append(cols, k+"::text")
	}
	for _, x := range spec.Measures {
		c, err := src.measureSQL(x)
		if err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	var order []string
	for _, o := range spec.Order {
		dir := " ASC NULLS FIRST"
		if o.Desc {
			dir = " DESC NULLS LAST"
		}
		if o.Keys {
			for _, k := range orderKeys {
				order = append(order, k+dir)
			}
			continue
		}
		raw, err := src.measureRaw(o.Measure)
		if err != nil {
			return nil, err
		}
		order = append(order, raw+dir)
	}
	for _, k := range orderKeys { // ties: the keys, ascending
		order = append(order, k+" ASC NULLS FIRST")
	}
	parent, grouped := "0::bigint", keys
	if q.parent != "" {
		conds = append(conds, q.parent+" = ANY("+args.add(pq.Array(parents))+")")
		parent, grouped = q.parent, append([]string{q.parent}, keys...)
	}
	groupBy := ""
	if len(grouped) > 0 {
		groupBy = "GROUP BY " + strings.Join(grouped, ", ")
	}
	if len(order) == 0 {
		order = []string{"1"}
	}
	limit := args.add(min(max(spec.Limit, 1), MaxGroups))
	// A top-level list has one parent: its first groups are a plain ORDER
	// BY … LIMIT, which needs no window over the groups.
	sqlText := fmt.Sprintf(`SELECT 0::bigint, %[1]s, 0::bigint FROM %[2]s WHERE %[3]s %[4]s ORDER BY %[5]s LIMIT %[6]s`,
		strings.Join(cols, ", "), from, joinAnd(conds), groupBy, strings.Join(order, ", "), limit)
	if q.parent != "" {
		sqlText = fmt.Sprintf(`SELECT * FROM (SELECT %[1]s AS g_parent, %[2]s, row_number() OVER (PARTITION BY %[1]s ORDER BY %[3]s) AS g_rn
FROM %[4]s WHERE %[5]s %[6]s) x WHERE g_rn <= %[7]s ORDER BY g_parent, g_rn`,
			parent, strings.Join(cols, ", "), strings.Join(order, ", "), from, joinAnd(conds), groupBy, limit)
	}
	rows, err := s.reader(ctx).QueryContext(ctx, sqlText, args.list...)
	if err != nil {
		return nil, translate(fmt.Errorf("group %s: %w", src.node, err))
	}
	defer rows.Close()
	out := map[int64][]model.GroupRow{}
	for rows.Next() {
		var id, rn int64
		vals := make([]*string, len(cols))
		dest := []any{&id}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(append(dest, &rn)...); err != nil {
			return nil, translate(fmt.Errorf("group %s: %w", src.node, err))
		}
		g := model.GroupRow{Keys: vals[:len(keys)], Values: make(map[model.Measure]*string, len(spec.Measures))}
		for i, x := range spec.Measures {
			g.Values[x] = vals[len(keys)+i]
		}
		out[id] = append(out[id], g)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(fmt.Errorf("group %s: %w", src.node, err))
	}
	return out, nil
}
