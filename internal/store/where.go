package store

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/lib/pq"

	"startupgraph/internal/relation"
)

// Where is a filter over one node type, in the grammar of issue #17:
// conditions that compose with And, Or and Not, comparisons of the node's
// own fields (Cmps) and predicates over its relationships (Rels). The
// GraphQL layer builds it from a where argument, with values already
// checked and converted (ids decoded, dates parsed); it compiles to SQL
// here, inside the viewer's scope: a relationship predicate sees only the
// edges and nodes the viewer may see (the guards of the relationship's
// child list).
type Where struct {
	And, Or []Where
	Not     *Where
	Cmps    []Cmp
	Rels    []RelPred
	Refs    []Ref
}

// Ref is a condition on the node a reference field names (a mentor's
// university): it holds when the field names a node matching Node; a
// null reference matches nothing.
type Ref struct {
	Field string
	Node  Where
}

// Cmp compares one field: Op is eq, ne, in, notIn, lt, lte, gt, gte,
// isNull, startsWith or includes; Value a scalar, a slice for in and
// notIn, a bool for isNull.
type Cmp struct {
	Field, Op string
	Value     any
}

// RelPred is a predicate over the relationship field Field: Quant is
// some, none, every or count (then Count holds the comparisons of the
// number of edges matching Edge).
type RelPred struct {
	Field, Quant string
	Edge         *EdgeWhere
	Count        []Cmp
}

// EdgeWhere is a filter over a relationship's edges: their facts (Cmps)
// and the node they lead to.
type EdgeWhere struct {
	And, Or []EdgeWhere
	Not     *EdgeWhere
	Cmps    []Cmp
	Refs    []Ref
	Node    *Where
}

// whereCompiler renders a Where into conditions; depth numbers the
// aliases of nested relationships (e1, n1, ...).
type whereCompiler struct {
	ctx   context.Context
	args  *sqlArgs
	depth int
}

// addWhere adds w, over node type node read as alias n, to c.
func addWhere(ctx context.Context, c *conditions, node string, w *Where) error {
	return addWhereAs(ctx, c, node, "n", w)
}

// addWhereAs is addWhere over node read as alias.
func addWhereAs(ctx context.Context, c *conditions, node, alias string, w *Where) error {
	if w == nil {
		return nil
	}
	wc := &whereCompiler{ctx: ctx, args: &c.args}
	sql, err := wc.node(node, alias, *w)
	if err != nil {
		return err
	}
	c.where = append(c.where, sql)
	return nil
}

func (wc *whereCompiler) node(node, alias string, w Where) (string, error) {
	parts, err := composed(w.And, w.Or, w.Not, func(x Where) (string, error) { return wc.node(node, alias, x) })
	if err != nil {
		return "", err
	}
	for _, cmp := range w.Cmps {
		if cmp.Field == "id" {
			parts = append(parts, wc.compare(alias+".id", "ID", cmp))
			continue
		}
		f, ok := relation.FieldOf(node, cmp.Field)
		if !ok {
			return "", fmt.Errorf("where: %s has no field %s", node, cmp.Field)
		}
		parts = append(parts, wc.compare(alias+"."+f.Column, relation.Base(f.Type), cmp))
	}
	for _, r := range w.Refs {
		f, ok := relation.FieldOf(node, r.Field)
		if !ok {
			return "", fmt.Errorf("where: %s has no field %s", node, r.Field)
		}
		s, err := wc.ref(alias+"."+f.Column, f, r.Node)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	for _, p := range w.Rels {
		s, err := wc.relationship(node, alias, p)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	return allOf(parts), nil
}

// ref renders a condition on the node that expr, the column of reference
// field f, names: an EXISTS over the node's table, within the viewer's
// scope of that node.
func (wc *whereCompiler) ref(expr string, f relation.Fact, w Where) (string, error) {
	typ := relation.Base(f.Type)
	n, ok := relation.Nodes[typ]
	if !ok {
		return "", fmt.Errorf("where: %s is not a reference", f.Field)
	}
	wc.depth++
	defer func() { wc.depth-- }()
	alias := "r" + strconv.Itoa(wc.depth)
	if s, ok := wc.byKey(expr, typ, alias, w); ok {
		return s, nil
	}
	cond, err := wc.node(typ, alias, w)
	if err != nil {
		return "", err
	}
	var guards []guard
	if g := nodeGuards[typ]; g != nil {
		guards = append(guards, g(alias+".id"))
	}
	if n.Archivable() {
		guards = append(guards, archivedGuard(n.Table, alias+".id"))
	}
	return "EXISTS (SELECT 1 FROM " + n.Table + " " + alias + " WHERE " + alias + ".id = " + expr + scoped(wc.ctx, wc.args, guards...) + " AND " + cond + ")", nil
}

// uniqueKeys are the fields every node table keeps unique, in lower case
// (their check constraints allow no capitals in a key and no small
// letters in a market's code), so an eq on one names at most one node.
var uniqueKeys = map[string]bool{"key": true, "code": true}

// byKey renders "expr names the node of type typ whose key is v", for a
// filter w that is exactly an eq on a unique key of a node every viewer
// sees (no scope guard): a comparison with a scalar subquery, which
// PostgreSQL runs once, before the statement, and then plans as one known
// value ("e1.sector_id = $0": an index range it can read in order, and an
// estimate from the column's own statistics) instead of a join to the
// node's table that it must estimate blind. The robotics aggregate at
// 200,000 startups: 52 -> 35 ms.
func (wc *whereCompiler) byKey(expr, typ, alias string, w Where) (string, bool) {
	n := relation.Nodes[typ]
	if n.Guard != "" || len(w.And)+len(w.Or)+len(w.Rels)+len(w.Refs) > 0 || w.Not != nil || len(w.Cmps) != 1 {
		return "", false
	}
	c := w.Cmps[0]
	if c.Op != "eq" || !uniqueKeys[c.Field] {
		return "", false
	}
	f, ok := relation.FieldOf(typ, c.Field)
	if !ok || relation.Base(f.Type) != "String" {
		return "", false
	}
	live := ""
	if n.Archivable() && !includesArchived(wc.ctx) {
		live = " AND " + alias + ".archived_at IS NULL" // an archived node is named by nothing
	}
	return expr + " = (SELECT " + alias + ".id FROM " + n.Table + " " + alias + " WHERE " + wc.compare(alias+"."+f.Column, "String", c) + live + ")", true
}

// composed renders a filter's and, or and not with render.
func composed[T any](and, or []T, not *T, render func(T) (string, error)) ([]string, error) {
	var parts, ors []string
	for _, x := range and {
		s, err := render(x)
		if err != nil {
			return nil, err
		}
		parts = append(parts, s)
	}
	for _, x := range or {
		s, err := render(x)
		if err != nil {
			return nil, err
		}
		ors = append(ors, s)
	}
	if len(ors) > 0 {
		parts = append(parts, "("+strings.Join(cheapFirst(ors), " OR ")+")")
	}
	if not != nil {
		s, err := render(*not)
		if err != nil {
			return nil, err
		}
		parts = append(parts, "NOT "+s)
	}
	return parts, nil
}

func allOf(parts []string) string {
	if len(parts) == 0 {
		return "true"
	}
	return "(" + strings.Join(cheapFirst(parts), " AND ") + ")"
}

// cheapFirst orders the operands of an AND or an OR so that those without
// a subquery come first: PostgreSQL evaluates a nested AND or OR left to
// right and stops at the first operand that decides it (it orders only the
// top level of a WHERE by cost), so a date comparison that holds spares
// the row its EXISTS probe. Question 8 ("not in the program, or founded
// before 2018") at 200,000 startups: 49.6 -> 43.0 ms, half its startups
// deciding on the date. The result is the same in SQL's three-valued
// logic: AND and OR are commutative.
func cheapFirst(parts []string) []string {
	out := make([]string, 0, len(parts))
	for _, subquery := range []bool{false, true} {
		for _, p := range parts {
			if strings.Contains(p, "SELECT") == subquery {
				out = append(out, p)
			}
		}
	}
	return out
}

// aliasToken matches the table aliases of the generated child lists.
var aliasToken = regexp.MustCompile(`\b([cen])\b`)

// relationship renders a predicate over the relationship field p.Field of
// node (read as outer), through the field's child list with its aliases
// numbered for this depth, and its scope guards.
func (wc *whereCompiler) relationship(node, outer string, p RelPred) (string, error) {
	wc.depth++
	defer func() { wc.depth-- }()
	// A far node named by its unique key is compared by id on the join
	// table (byKey), without joining the node's table.
	d, ok := relation.DirectionOf(node, p.Field)
	if !ok {
		return "", fmt.Errorf("where: %s has no relationship %s", node, p.Field)
	}
	var keyed string
	if p.Edge != nil && p.Edge.Node != nil && p.Quant != "every" {
		// The rest must not name the node either; and byKey is asked only
		// then, since it binds its key as an argument.
		rest := *p.Edge
		rest.Node = nil
		if col, ok := joinTableOnly(d, false); ok && !namesNode(d, &rest) {
			if s, ok := wc.byKey("e"+strconv.Itoa(wc.depth)+"."+col, d.Listed, "k"+strconv.Itoa(wc.depth), *p.Edge.Node); ok {
				keyed, p.Edge = s, &rest
			}
		}
	}
	d, base, plain, err := wc.edges(node, outer, p.Field, namesNode(d, p.Edge))
	if err != nil {
		return "", err
	}
	if keyed != "" {
		base += " AND " + keyed
		plain = false
	}
	if s, ok := wc.keptCount(d, outer, plain, p); ok {
		return s, nil
	}
	k := strconv.Itoa(wc.depth)
	edge := func(e *EdgeWhere) (string, error) {
		if e == nil {
			return "true", nil
		}
		return wc.edge(d, "e"+k, "n"+k, *e)
	}
	switch p.Quant {
	case "some", "none", "every":
		cond, err := edge(p.Edge)
		if err != nil {
			return "", err
		}
		switch p.Quant {
		case "some":
			return "EXISTS (SELECT 1 " + base + " AND " + cond + ")", nil
		case "none":
			return "NOT EXISTS (SELECT 1 " + base + " AND " + cond + ")", nil
		default:
			return "NOT EXISTS (SELECT 1 " + base + " AND NOT " + cond + ")", nil
		}
	case "count":
		cond, err := edge(p.Edge)
		if err != nil {
			return "", err
		}
		count := "(SELECT count(*) " + base + " AND " + cond + ")"
		var parts []string
		for _, cmp := range p.Count {
			parts = append(parts, wc.compare(count, "Int", cmp))
		}
		return allOf(parts), nil
	}
	return "", fmt.Errorf("where: unknown quantifier %s", p.Quant)
}

// edges renders "FROM ... WHERE ..." of the edges of relationship field
// field of node (read as outer) that the viewer sees, through the
// field's child list with its aliases numbered for wc's depth (e<k>,
// n<k>); from the join table alone when the condition on them names no
// far node (nodes false) and the join table says enough. plain reports
// that they are every edge of the parent to a live node, read from the
// join table with no scope condition but the archived guards (so a kept
// count of them, keptCounts, is their number).
func (wc *whereCompiler) edges(node, outer, field string, nodes bool) (d relation.Direction, base string, plain bool, err error) {
	d, ok := relation.DirectionOf(node, field)
	if !ok {
		return d, "", false, fmt.Errorf("where: %s has no relationship %s", node, field)
	}
	query, ok := childQuery(d.Loader)
	if !ok {
		return d, "", false, fmt.Errorf("where: no child list %s", d.Loader)
	}
	q := query()
	k := strconv.Itoa(wc.depth)
	rename := func(s string) string { return aliasToken.ReplaceAllString(s, "${1}"+k) }
	from, parent := rename(q.from), rename(q.parent)
	guards := make([]guard, len(q.guards))
	for i, g := range q.guards {
		g.expr = rename(g.expr)
		guards[i] = g
	}
	if col, ok := joinTableOnly(d, nodes); ok {
		// No condition on the far node: the join table alone answers (a
		// count of mentorships needs no startup), a guard of the far
		// node reading its id from the join table.
		light := slices.Clone(guards)
		for i := range light {
			if light[i].expr == "n"+k+".id" {
				light[i].expr = "e" + k + "." + col
			}
		}
		if !slices.ContainsFunc(light, func(g guard) bool { return strings.HasPrefix(g.expr, "n"+k+".") }) {
			from, guards, plain = d.Rel.Table+" e"+k, light, true
		}
	}
	scope := scoped(wc.ctx, wc.args, guards...)
	// The kept counts leave out the edges of archived nodes (migration
	// 00020), as the archived guards do: the edges are still every edge
	// the kept column counts when no other guard restricts them, and
	// the list does not include archived rows.
	var others []guard
	for _, g := range guards {
		if g.kind != archivedRows {
			others = append(others, g)
		}
	}
	plain = plain && !includesArchived(wc.ctx) && len(scopeConditions(wc.ctx, others, &sqlArgs{})) == 0
	return d, "FROM " + from + " WHERE " + parent + " = " + outer + ".id" + scope, plain, nil
}

// keptCounts are the relationships whose number of edges a column of
// the parent keeps (migration 00010), by join table and the join table's
// column that names the parent.
var keptCounts = map[[2]string]string{
	{"mentorships", "startup_id"}:    "mentor_count",
	{"mentorships", "mentor_id"}:     "startup_count",
	{"market_targets", "startup_id"}: "market_target_count",
}

// keptColumn is the parent's column (read as outer) that keeps the number
// of direction d's edges, when edges found them plain (every edge, no
// scope condition) and keptCounts has one.
func keptColumn(d relation.Direction, outer string, plain bool) (string, bool) {
	col, ok := keptCounts[[2]string{d.Rel.Table, d.Parent.Column}]
	return outer + "." + col, ok && plain
}

// keptCount renders none and count over every edge (no edge condition)
// of a relationship whose count a column keeps as a comparison of that
// column: "no mentor" reads startups.mentor_count = 0 where it would
// anti-join every mentorship.
func (wc *whereCompiler) keptCount(d relation.Direction, outer string, plain bool, p RelPred) (string, bool) {
	if p.Edge != nil && !emptyEdge(*p.Edge) {
		return "", false
	}
	col, ok := keptColumn(d, outer, plain)
	if !ok {
		return "", false
	}
	switch p.Quant {
	case "some":
		return col + " > 0", true
	case "none":
		return col + " = 0", true
	case "every":
		return "true", true
	case "count":
		var parts []string
		for _, cmp := range p.Count {
			parts = append(parts, wc.compare(col, "Int", cmp))
		}
		return allOf(parts), true
	}
	return "", false
}

// emptyEdge reports whether w holds no condition at all.
func emptyEdge(w EdgeWhere) bool {
	if w.Not != nil || w.Node != nil || len(w.Cmps) > 0 || len(w.Refs) > 0 {
		return false
	}
	for _, x := range append(slices.Clone(w.And), w.Or...) {
		if !emptyEdge(x) {
			return false
		}
	}
	return len(w.Or) == 0
}

// childQuery looks up childQueries. It is set in init: the generated
// child lists are package variables whose initialization reaches this
// compiler (a page sorted by a count of edges), so reading the map
// directly would make an initialization cycle.
var childQuery func(loader string) (func() pageQuery, bool)

func init() {
	childQuery = func(loader string) (func() pageQuery, bool) {
		q, ok := childQueries[loader]
		return q, ok
	}
}

// countOf is how many edges of node's relationship field field (node
// read as alias n) the viewer sees: a sort key of the generated orders.
func countOf(ctx context.Context, args *sqlArgs, node, field string) (string, error) {
	wc := &whereCompiler{ctx: ctx, args: args, depth: 1}
	d, base, plain, err := wc.edges(node, "n", field, false)
	if err != nil {
		return "", err
	}
	if col, ok := keptColumn(d, "n", plain); ok {
		return col, nil
	}
	return "(SELECT count(*) " + base + ")", nil
}

// joinTableOnly reports whether a condition over direction d's edges can
// be answered from its join table alone, and the join table's column that
// holds the far node's id: d is a plain join (no foreign key, no path
// through another table) and the condition names no far node (nodes).
func joinTableOnly(d relation.Direction, nodes bool) (string, bool) {
	if d.Rel.ForeignKey || d.Parent.Via != "" || d.Parent.Parent != "" || nodes {
		return "", false
	}
	for _, e := range d.Rel.Ends {
		if e.Column != d.Parent.Column {
			return e.Column, true
		}
	}
	return "", false
}

// namesNode reports whether the edge filter w of direction d has a
// condition on the far node that the join table cannot answer alone.
func namesNode(d relation.Direction, w *EdgeWhere) bool {
	if w == nil {
		return false
	}
	if (w.Node != nil && !copiedOnly(d, *w.Node)) || namesNode(d, w.Not) {
		return true
	}
	for _, x := range append(slices.Clone(w.And), w.Or...) {
		if namesNode(d, &x) {
			return true
		}
	}
	return false
}

// copiedOnly reports whether the far-node filter w of direction d
// compares only fields the join table keeps a copy of (relation.End
// Copies), or the far node's id, which it holds.
func copiedOnly(d relation.Direction, w Where) bool {
	if len(w.Rels) > 0 || len(w.Refs) > 0 || (w.Not != nil && !copiedOnly(d, *w.Not)) {
		return false
	}
	if _, ok := joinTableOnly(d, false); !ok {
		return false
	}
	for _, c := range w.Cmps {
		if _, ok := d.CopyOf(c.Field); !ok && c.Field != "id" {
			return false
		}
	}
	for _, x := range append(slices.Clone(w.And), w.Or...) {
		if !copiedOnly(d, x) {
			return false
		}
	}
	return true
}

// copied renders the far-node filter w of direction d, which copiedOnly
// accepts, over the join table's copies (read as alias e).
func (wc *whereCompiler) copied(d relation.Direction, e string, w Where) (string, error) {
	parts, err := composed(w.And, w.Or, w.Not, func(x Where) (string, error) { return wc.copied(d, e, x) })
	if err != nil {
		return "", err
	}
	for _, cmp := range w.Cmps {
		if cmp.Field == "id" {
			far, _ := joinTableOnly(d, false)
			parts = append(parts, wc.compare(e+"."+far, "ID", cmp))
			continue
		}
		col, _ := d.CopyOf(cmp.Field)
		f, ok := relation.FieldOf(d.Listed, cmp.Field)
		if !ok {
			return "", fmt.Errorf("where: %s has no field %s", d.Listed, cmp.Field)
		}
		parts = append(parts, wc.compare(e+"."+col, relation.Base(f.Type), cmp))
	}
	return allOf(parts), nil
}

func (wc *whereCompiler) edge(d relation.Direction, e, n string, w EdgeWhere) (string, error) {
	parts, err := composed(w.And, w.Or, w.Not, func(x EdgeWhere) (string, error) { return wc.edge(d, e, n, x) })
	if err != nil {
		return "", err
	}
	for _, cmp := range w.Cmps {
		f, ok := d.FactOf(cmp.Field)
		if !ok {
			return "", fmt.Errorf("where: %s has no edge fact %s", d.Loader, cmp.Field)
		}
		typ := relation.Base(f.Type)
		if relation.Nodes[typ].Name != "" {
			typ = "ID"
		}
		parts = append(parts, wc.compare(e+"."+f.Column, typ, cmp))
	}
	for _, r := range w.Refs {
		f, ok := d.FactOf(r.Field)
		if !ok {
			return "", fmt.Errorf("where: %s has no edge fact %s", d.Loader, r.Field)
		}
		s, err := wc.ref(e+"."+f.Column, f, r.Node)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	if w.Node != nil && copiedOnly(d, *w.Node) {
		s, err := wc.copied(d, e, *w.Node)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	} else if w.Node != nil {
		s, err := wc.node(d.Listed, n, *w.Node)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	return allOf(parts), nil
}

// compare renders one comparison of expr, a column of type typ.
func (wc *whereCompiler) compare(expr, typ string, cmp Cmp) string {
	arg := func(v any) string { return wc.args.add(v) }
	if typ == "Name" {
		ko, en := strings.Replace(expr, ".name", ".name_ko", 1), strings.Replace(expr, ".name", ".name_en", 1)
		switch cmp.Op {
		case "includes":
			return "(" + ko + " || ' ' || " + en + ") ILIKE " + arg("%"+likeEscape(cmp.Value.(string))+"%")
		case "startsWith":
			a := arg(likeEscape(cmp.Value.(string)) + "%")
			return "(" + ko + " ILIKE " + a + " OR " + en + " ILIKE " + a + ")"
		case "eq":
			a := arg(strings.ToLower(cmp.Value.(string)))
			return "(lower(" + ko + ") = " + a + " OR lower(" + en + ") = " + a + ")"
		case "in":
			a := arg(pq.Array(lowerAll(cmp.Value.([]string))))
			return "(lower(" + ko + ") = ANY(" + a + ") OR lower(" + en + ") = ANY(" + a + "))"
		}
	}
	if typ == "String" {
		switch cmp.Op {
		case "includes":
			return expr + " ILIKE " + arg("%"+likeEscape(cmp.Value.(string))+"%")
		case "startsWith":
			return expr + " ILIKE " + arg(likeEscape(cmp.Value.(string))+"%")
		case "eq":
			return "lower(" + expr + ") = " + arg(strings.ToLower(cmp.Value.(string)))
		case "in":
			return "lower(" + expr + ") = ANY(" + arg(pq.Array(lowerAll(cmp.Value.([]string)))) + ")"
		}
	}
	cast, castList := "", ""
	switch typ {
	case "Date":
		cast, castList = "::date", "::date[]"
	case "DateTime":
		cast, castList = "::timestamptz", "::timestamptz[]"
	}
	switch cmp.Op {
	case "isNull":
		if cmp.Value.(bool) {
			return expr + " IS NULL"
		}
		return expr + " IS NOT NULL"
	case "in":
		return expr + " = ANY(" + arg(pq.Array(cmp.Value)) + castList + ")"
	case "notIn":
		return "NOT (" + expr + " = ANY(" + arg(pq.Array(cmp.Value)) + castList + "))"
	}
	return expr + " " + comparisonOps[cmp.Op] + " " + arg(cmp.Value) + cast
}

// comparisonOps are the SQL operators of the comparisons that take one value.
var comparisonOps = map[string]string{"eq": "=", "ne": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func lowerAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.ToLower(s)
	}
	return out
}
