package store

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/lib/pq"

	"startupgraph/internal/apperr"
	"startupgraph/internal/model"
)

// Page size limits, as GitHub's API uses them.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// PageArgs is a validated request for one page of a connection. It is
// comparable, so dataloaders can batch the parents that ask for the same page.
type PageArgs struct {
	First, Last   int
	After, Before cursor
	// Omit leaves columns nobody will read out of the page.
	Omit Omit
	// rowless: the client asks only for totalCount and aggregate, so the
	// page's rows are not read (WithoutRows).
	rowless bool
	// total: the client asks for the list's totalCount too (WithTotal).
	total bool
	// order, when set, sorts a child list of startups by other keys than
	// its own (WithOrder); encoded, so PageArgs stays comparable.
	order string
}

// WithoutRows marks a page whose rows nobody reads: the client asks for
// the list's totalCount or aggregate only.
func (p PageArgs) WithoutRows() PageArgs {
	p.rowless = true
	return p
}

// WithTotal marks a page whose list's totalCount the client asks for as
// well, so a filtered top-level list counts first and, when few rows
// match, reads its page from their ids (see listPage).
func (p PageArgs) WithTotal() PageArgs {
	p.total = true
	return p
}

// Rowless reports whether p's rows are not read (WithoutRows).
func (p PageArgs) Rowless() bool { return p.rowless }

// cursor is a decoded keyset position: which list and ordering it belongs
// to, the sort value (as text) and the row id that breaks ties.
type cursor struct {
	Set   bool
	Tag   string
	Value string
	ID    int64
}

// NewPageArgs validates Relay pagination arguments: first or last (1 to
// 100, default first 20), after and before cursors. Problems name the
// argument.
func NewPageArgs(first, last *int, after, before *string) (PageArgs, error) {
	var problems apperr.InputError
	if first != nil && last != nil {
		problems.Add("last", "give first or last, not both")
	}
	p := PageArgs{
		First:  pageSizeArg("first", first, &problems),
		Last:   pageSizeArg("last", last, &problems),
		After:  cursorArg("after", after, &problems),
		Before: cursorArg("before", before, &problems),
	}
	if len(problems.Problems) > 0 {
		err := problems // only a refused request pays for the error
		return PageArgs{}, &err
	}
	if p.First == 0 && p.Last == 0 {
		if p.Before.Set && !p.After.Set {
			p.Last = DefaultPageSize
		} else {
			p.First = DefaultPageSize
		}
	}
	return p, nil
}

// pageSizeArg validates first or last: 0 when absent or refused.
func pageSizeArg(name string, v *int, problems *apperr.InputError) int {
	if v == nil {
		return 0
	}
	if *v < 1 || *v > MaxPageSize {
		problems.Add(name, "must be between 1 and %d", MaxPageSize)
		return 0
	}
	return *v
}

// cursorArg decodes after or before: unset when absent or refused.
func cursorArg(name string, v *string, problems *apperr.InputError) cursor {
	if v == nil {
		return cursor{}
	}
	c, err := decodeCursor(*v)
	if err != nil {
		problems.Add(name, "is not a valid cursor")
		return cursor{}
	}
	return c
}

func (p PageArgs) size() int { return max(p.First, p.Last) }

func (p PageArgs) backward() bool { return p.Last > 0 }

func decodeCursor(s string) (cursor, error) {
	c, err := model.ParseCursor(s)
	if err != nil {
		return cursor{}, err
	}
	dec := cursor{Set: true, Tag: c.Tag, ID: c.ID}
	if c.Value != nil {
		dec.Value = *c.Value
	}
	return dec, nil
}

// sqlArgs collects positional arguments while a query is built.
type sqlArgs struct{ list []any }

func (a *sqlArgs) add(v any) string {
	a.list = append(a.list, v)
	return "$" + strconv.Itoa(len(a.list))
}

// pageCols are the columns every paged row carries besides its own: the
// parent it was fetched for, and the keyset position that becomes its cursor.
type pageCols struct {
	ParentID  int64   `db:"pg_parent"`
	SortValue *string `db:"pg_sort"`
	CursorID  int64   `db:"pg_cursor"`
	// RN numbers a parent's rows in childPagesOrdered only.
	RN int64 `db:"pg_rn"`
}

func (p pageCols) paging() pageCols { return p }

// pagedRow is a row struct that embeds pageCols.
type pagedRow interface{ paging() pageCols }

// pageQuery describes one paged list: its select list, FROM clause and
// conditions, the id expression that breaks ties, and, for child lists,
// the column holding the parent id.
type pageQuery struct {
	columns string
	from    string
	idExpr  string
	parent  string
	where   []string
	args    sqlArgs
	sort    sortKey
	// guards locate the protected rows the viewer's scope must restrict.
	guards []guard
	// totalQuery, when set, counts a top-level list's total in place of
	// this query; it must count the same rows.
	totalQuery *pageQuery
	// order, when set, is the sort to build sort from: a list of nodes
	// in an Order (see nodeList).
	order *nodeOrder
	// measures, when set, says what the list's aggregate may measure.
	measures *measureSource
}

// nodeOrder is an Order of a list of node, named list in cursors.
type nodeOrder struct {
	node, list string
	order      Order
}

// build renders the page query. For child lists, it is one parent's page,
// parent p.parent_id: childPages runs it for every parent in $1, so one
// statement serves any number of parents.
func (q *pageQuery) build(ctx context.Context, page PageArgs) (string, error) {
	if q.order != nil {
		k, err := q.order.order.key(ctx, &q.args, q.order.node, q.order.list)
		if err != nil {
			return "", err
		}
		q.sort, q.order = k, nil
	}
	conds := slices.Clone(q.where)
	guards := q.guards
	if q.parent != "" {
		guards = joinedRow(guards, q.from)
	}
	conds = append(conds, scopeConditions(ctx, guards, &q.args)...)
	if page.After.Set {
		c, err := q.keysetCondition(page.After, true, "after")
		if err != nil {
			return "", err
		}
		conds = append(conds, c)
	}
	if page.Before.Set {
		c, err := q.keysetCondition(page.Before, false, "before")
		if err != nil {
			return "", err
		}
		conds = append(conds, c)
	}
	direction := func(desc bool) string {
		if desc != page.backward() {
			return "DESC"
		}
		return "ASC"
	}
	order := q.idExpr + " " + direction(q.sort.desc)
	sortSel := "NULL::text"
	if q.sort.expr != "" && len(q.sort.then) == 0 {
		order = q.sort.expr + " " + direction(q.sort.desc) + ", " + order
		sortSel = "(" + q.sort.expr + ")::text"
	} else if q.sort.expr != "" {
		var keys, vals []string
		for _, p := range q.sort.parts() {
			keys = append(keys, p.expr+" "+direction(p.desc))
			vals = append(vals, "("+p.expr+")::text")
		}
		order = strings.Join(keys, ", ") + ", " + order
		sortSel = "json_build_array(" + strings.Join(vals, ", ") + ")::text"
	}
	parentSel := "0::bigint"
	if q.parent != "" {
		parentSel = "p.parent_id"
		conds = append(conds, q.parent+" = p.parent_id")
	}
	where := ""
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}
	// A child list's limit is written into the statement (see childPages).
	limit := strconv.Itoa(page.size() + 1)
	if q.parent == "" {
		limit = q.args.add(page.size() + 1)
	}
	// The page is cut by ORDER BY ... LIMIT alone, so the planner may read
	// an index in that order or keep the top rows of a sort; a window
	// ordered like the page would make it sort every matching row first.
	return fmt.Sprintf(`SELECT %s, %s AS pg_parent, %s AS pg_sort, %s AS pg_cursor
FROM %s
%s
ORDER BY %s
LIMIT %s`, q.selectList(page.Omit), parentSel, sortSel, q.idExpr, q.from, where, order, limit), nil
}

// childPages and childPagesOrdered run a child list's page query (%s)
// for every parent in $1. The page is a LATERAL subquery, so it runs once
// per parent as the inner side of a nested loop, and each parent's rows
// arrive together, in the subquery's order. childPages relies on that:
// it neither numbers the rows (a window per parent) nor sorts them by
// parent, which were a third of the database's work for the nested page
// query (issue 22: pgbench, 16 clients, the mentors level alone 7,007 →
// 9,473 statements/s). childPagesOrdered says it in SQL: fetchPages runs
// it only if one parent's rows ever arrive apart.
//
// Each page's plan does not depend on how many parents there are, so
// childPages lets PostgreSQL keep one plan for the statement: its limit is
// written in (a plan for LIMIT $n assumes a tenth of the rows), and its
// parents come through generate_subscripts, which the planner always
// expects to give 1,000 rows, where unnest of a known array tells it how
// many. Otherwise a plan for the parents at hand (4 universities) looks
// cheaper than the generic plan (estimated for 10), and the statement is
// planned again on every run: the universities' startups page ran 6,300
// statements a second so, 17,600 once planned once (pgbench, 8 clients,
// 20,000 startups; 15,300 at 1,000,000).
const (
	childPages = `SELECT x.* FROM (SELECT ($1::bigint[])[g.i] AS parent_id FROM generate_subscripts($1::bigint[], 1) AS g(i)) p
CROSS JOIN LATERAL (%s) x`
	childPagesOrdered = `SELECT x.* FROM unnest($1::bigint[]) WITH ORDINALITY AS p(parent_id, ord)
CROSS JOIN LATERAL (SELECT y.*, row_number() OVER () AS pg_rn FROM (%s) y) x
ORDER BY p.ord, x.pg_rn`
)

// fetchPages runs q for page and returns one connection per parent (for a
// top-level list, under parent 0), edges in order, with page info.
// parentCount is how many parents the query asks for (1 for a top-level
// list); it sizes the buffers.
//
// The query returns each parent's rows together, in its page's order (see
// childPages), at most one more per parent than the page holds, which
// tells that there is more. Rows become edges as they are read, into one
// slice that every parent's page shares.
func fetchPages[R pagedRow, E model.EdgeOf[N], N any](ctx context.Context, s *Store, q pageQuery, page PageArgs, parentCount int,
	toEdge func(R, model.Cursor) E) (map[int64]model.Connection[E, N], error) {
	pageSQL, err := q.build(ctx, page)
	if err != nil {
		return nil, err
	}
	read := func(sqlText string, ordered bool) (map[int64]model.Connection[E, N], bool, error) {
		return readPages[R, E, N](ctx, s, sqlText, q.args.list, q.sort.tag, page, parentCount, ordered, toEdge)
	}
	var out map[int64]model.Connection[E, N]
	if q.parent == "" {
		out, _, err = read(pageSQL, true)
	} else {
		var apart bool
		out, apart, err = read(fmt.Sprintf(childPages, pageSQL), false)
		if apart { // see childPages: never seen, but then the order is said in SQL
			out, _, err = read(fmt.Sprintf(childPagesOrdered, pageSQL), true)
		}
	}
	if err != nil {
		return nil, translate(fmt.Errorf("page %s: %w", q.sort.tag, err))
	}
	return out, nil
}

// readPages reads the rows of a page statement into one connection per
// parent. Unless the statement orders them by parent (ordered), apart
// reports that the rows of one parent did not arrive together, and the
// pages are not read.
func readPages[R pagedRow, E model.EdgeOf[N], N any](ctx context.Context, s *Store, sqlText string, args []any, tag string, page PageArgs, parentCount int,
	ordered bool, toEdge func(R, model.Cursor) E) (out map[int64]model.Connection[E, N], apart bool, err error) {
	// group is one parent's page: its edges are all[start:end].
	type group struct {
		parent      int64
		start, end  int
		more        bool
		first, last model.Cursor
	}
	size := page.size()
	all := make([]E, 0, max(parentCount, size))
	groups := make([]group, 0, parentCount)
	err = scanRows(ctx, s, sqlText, args, func(r *R) {
		p := (*r).paging()
		if len(groups) == 0 || groups[len(groups)-1].parent != p.ParentID {
			groups = append(groups, group{parent: p.ParentID, start: len(all), end: len(all)})
		}
		g := &groups[len(groups)-1]
		if g.end-g.start == size {
			g.more = true
			return
		}
		c := model.Cursor{Tag: tag, Value: p.SortValue, ID: p.CursorID}
		if g.end == g.start {
			g.first = c
		}
		g.last = c
		all = append(all, toEdge(*r, c))
		g.end = len(all)
	})
	if err != nil {
		return nil, false, err
	}
	out = make(map[int64]model.Connection[E, N], len(groups))
	for i := range groups {
		g := &groups[i]
		if _, seen := out[g.parent]; seen && !ordered {
			return nil, true, nil
		}
		edges := all[g.start:g.end:g.end]
		if page.backward() {
			slices.Reverse(edges)
			g.first, g.last = g.last, g.first
		}
		out[g.parent] = model.Connection[E, N]{Edges: edges, PageInfo: pageInfo(&g.first, &g.last, page, g.more)}
	}
	return out, false, nil
}

// emptyConnection is the page of a parent that has no items.
func emptyConnection[E model.EdgeOf[N], N any](page PageArgs) model.Connection[E, N] {
	return model.Connection[E, N]{Edges: []E{}, PageInfo: pageInfo(nil, nil, page, false)}
}

// pageInfo describes a page whose first and last edges have the given
// cursors (nil for an empty page).
func pageInfo(first, last *model.Cursor, page PageArgs, more bool) model.PageInfo {
	info := model.PageInfo{StartCursor: first, EndCursor: last}
	if page.backward() {
		info.HasPreviousPage, info.HasNextPage = more, page.Before.Set
	} else {
		info.HasNextPage, info.HasPreviousPage = more, page.After.Set
	}
	return info
}

// fewRows is the most matching rows a filtered top-level list reads its
// page from by id (countFew). Below it, the planner's habit of walking the
// sort order's index until the page fills (it expects matches to be spread
// evenly and often misjudges how many a relationship predicate keeps) can
// cost tens of thousands of probes for a page of 20: issue 17's question 3
// walked 41,000 startups by name for 21 of 384 matches (134 ms, its count
// 31 ms). Above it, matches are dense enough that the walk is short.
var fewRows = 2000

// countFew counts a top-level list's rows (q with its filter and the
// viewer's scope, like countRows) and, when at most fewRows match, returns
// their ids too, in the same statement. PostgreSQL gathers the ids of
// every matching row before it knows their number, which doubles a plain
// count of many rows (10 ms more over 200,000 startups); so a statement
// whose last count found many rows (manyRows) is counted alone, and
// gathers ids again once its count falls to fewRows.
func countFew(ctx context.Context, s *Store, q pageQuery) (int, []int64, error) {
	args, conds := q.scoped(ctx)
	where := strings.Join(conds, " AND ")
	seen := manyRows.key(q.from+" WHERE "+where, args.list)
	if manyRows.has(seen) {
		var n int
		if err := s.reader(ctx).GetContext(ctx, &n, "SELECT count(*) FROM "+q.from+" WHERE "+where, args.list...); err != nil {
			return 0, nil, translate(fmt.Errorf("count %s: %w", q.sort.tag, err))
		}
		if n > fewRows {
			return n, nil, nil
		}
		manyRows.forget(seen)
	}
	limit := args.add(fewRows)
	sqlText := fmt.Sprintf("SELECT count(*) AS n, CASE WHEN count(*) <= %s THEN array_agg(%s) END AS ids FROM %s WHERE %s",
		limit, q.idExpr, q.from, where)
	var r struct {
		N   int           `db:"n"`
		IDs pq.Int64Array `db:"ids"`
	}
	if err := s.reader(ctx).GetContext(ctx, &r, sqlText, args.list...); err != nil {
		return 0, nil, translate(fmt.Errorf("count %s: %w", q.sort.tag, err))
	}
	if r.N > fewRows {
		manyRows.remember(seen)
		return r.N, nil, nil
	}
	if r.IDs == nil {
		r.IDs = []int64{}
	}
	return r.N, r.IDs, nil
}

// manyRows holds the count statements (text and arguments) whose last
// count found more than fewRows rows. It only chooses between two
// statements that give the same count; it is cleared when it reaches
// manyRowsCap entries.
var manyRows = seenSet{cap: manyRowsCap}

const manyRowsCap = 4096

// seenSet is a bounded set of statement keys, safe for concurrent use.
type seenSet struct {
	mu  sync.Mutex
	m   map[string]struct{}
	cap int
}

func (ss *seenSet) key(sqlText string, args []any) string {
	return sqlText + "\x00" + fmt.Sprintf("%#v", args)
}

func (ss *seenSet) has(k string) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	_, ok := ss.m[k]
	return ok
}

func (ss *seenSet) remember(k string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.m == nil || len(ss.m) >= ss.cap {
		ss.m = map[string]struct{}{}
	}
	ss.m[k] = struct{}{}
}

func (ss *seenSet) forget(k string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, k)
}

// among is q restricted to the rows ids names, which passed q's filter a
// moment before (countFew): the planner, told how few they are, finds
// them by primary key and sorts them. The filter is not evaluated again
// (the page is as of the count, as a page and its total always were: two
// statements): it stays in the text, as "(filter) OR true", only so that
// its parameters keep their types; PostgreSQL folds it away when it plans
// (rechecking it cost question 7's page 24 ms of hash joins for 1,994
// rows). The viewer's scope still applies.
func (q pageQuery) among(ids []int64) pageQuery {
	q.args.list = slices.Clone(q.args.list)
	q.where = []string{
		q.idExpr + " = ANY(" + q.args.add(pq.Array(ids)) + ")",
		"((" + strings.Join(q.where, ") AND (") + ") OR true)",
	}
	return q
}

// A child list's FROM ends with its node table joined as n by id; its
// conditions name the node's columns as n.<column> (nested aliases are
// n1, e1, r2, ...; the scope's are sa, sm, ...).
var (
	nodeJoinRE = regexp.MustCompile(`^(.+) JOIN ([a-z_]+) n ON n\.id = ([a-z0-9_]+\.[a-z_]+)$`)
	nodeColRef = regexp.MustCompile(`\bn\.([a-z_]+)`)
	nodeIDRef  = regexp.MustCompile(`\bn\.id\b`)
)

// nodeJoin splits a child list's FROM into the edges it joins the node
// table to, that table, and the edge column that holds the node's id.
func nodeJoin(from string) (edges, table, id string, ok bool) {
	m := nodeJoinRE.FindStringSubmatch(from)
	if m == nil {
		return "", "", "", false
	}
	return m[1], m[2], m[3], true
}

// onlyNodeID reports whether conds read no column of the node but its id.
// A child count then needs no join to the node table: counting a
// university's teams that have an export contract joined 24,000
// assignments to startups only to read startups.id, which
// assignments.startup_id holds, and the join turned the planner to hash
// every export contract (question 10's count: 77 -> 26 ms without it).
func onlyNodeID(conds []string) bool {
	for _, c := range conds {
		for _, m := range nodeColRef.FindAllStringSubmatch(c, -1) {
			if m[1] != "id" {
				return false
			}
		}
	}
	return true
}

// scoped returns q's conditions followed by the viewer's scope conditions
// on its guards, with a copy of q's arguments that they bind to, so that
// q itself stays as it is for the other statements of its list.
func (q pageQuery) scoped(ctx context.Context) (sqlArgs, []string) {
	args := sqlArgs{list: slices.Clone(q.args.list)}
	return args, append(slices.Clone(q.where), scopeConditions(ctx, q.guards, &args)...)
}

// countRows counts q's rows, or for child lists each of parents' rows, in
// one statement; a top-level list's count is under parent 0.
func countRows(ctx context.Context, s *Store, q pageQuery, parents []int64) (map[int64]int, error) {
	args, conds := q.scoped(ctx)
	var sqlText string
	if q.parent != "" {
		from := q.from
		if edges, _, id, ok := nodeJoin(from); ok && onlyNodeID(conds) {
			from = edges
			for i, c := range conds {
				conds[i] = nodeIDRef.ReplaceAllLiteralString(c, id)
			}
		}
		conds = append(conds, q.parent+" = ANY("+args.add(pq.Array(parents))+")")
		sqlText = fmt.Sprintf("SELECT %s AS parent_id, count(*) AS n FROM %s WHERE %s GROUP BY 1", q.parent, from, strings.Join(conds, " AND "))
	} else {
		where := ""
		if len(conds) > 0 {
			where = "WHERE " + strings.Join(conds, " AND ")
		}
		sqlText = fmt.Sprintf("SELECT 0::bigint AS parent_id, count(*) AS n FROM %s %s", q.from, where)
	}
	var rows []struct {
		ParentID int64 `db:"parent_id"`
		N        int   `db:"n"`
	}
	if err := s.reader(ctx).SelectContext(ctx, &rows, sqlText, args.list...); err != nil {
		return nil, translate(fmt.Errorf("count %s: %w", q.sort.tag, err))
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.ParentID] = r.N
	}
	return out, nil
}
