package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"startupgraph/internal/viewer"
)

// Access scope: the one place that decides which protected rows a viewer
// may see. Every query that returns or counts startups, mentors or
// investments, or edges that lead to them, declares where their ids are
// (guards), and the predicates below are added to it in SQL, so pages and
// totals only ever include visible rows. Nothing is filtered in Go.
//
//   - ADMIN and ANALYST see everything.
//   - UNIVERSITY sees the startups its university is or was assigned
//     (any assignment, current or past); the mentors of those startups and
//     the mentors affiliated with it; the investments into those startups.
//     It sees only its own assignments, even of a team it shares.
//   - Anonymous viewers see no startups, mentors or investments.
//
// Filters are evaluated inside the same scope: a filter argument selects
// rows only through relationships the viewer can see, as the graph shows
// them to it (see conditions.exists), so a filter never reveals what the
// graph hides.

// protected names a kind of row that is scoped.
type protected int

const (
	startupRows protected = iota + 1
	mentorRows
	investmentRows
	// assignmentRows are university assignments: a university sees only
	// its own, so it does not learn which other universities work with a
	// team it shares.
	assignmentRows
	// archivedRows are rows of an archivable table (table): left out for
	// every viewer unless the statement is built with includeArchived
	// (WithArchived). Not a matter of role, but the same mechanism: every
	// list, count, aggregate, predicate and graph walk that declares its
	// guards leaves archived nodes, and the edges that lead to them, out.
	archivedRows
)

// guard says that expr holds the id of a protected row of kind.
type guard struct {
	kind  protected
	expr  string
	table string // archivedRows: the archivable table expr's id is of
	// decided (archivedRows): rendered whatever the statement's context,
	// as its list decided when it was built (withArchivedGuard).
	decided bool
	// joined (archivedRows): the statement joins table's row whose id
	// expr is as n, so the guard reads its archived_at (joinedRow).
	joined bool
}

// archivedGuard says that expr holds the id of a row of table, which can
// be archived (relation.Node.Archivable).
func archivedGuard(table, expr string) guard {
	return guard{kind: archivedRows, expr: expr, table: table}
}

// archivedCtx marks a context whose statements include archived rows.
type archivedCtx struct{}

// WithArchived returns ctx in which the statements built include archived
// rows (a list's filter said includeArchived; the caller checked that the
// viewer may ask it). The context of one store call only: a list's total
// and aggregate, computed later under their own context, keep the choice
// their list made (see withArchivedGuard).
func WithArchived(ctx context.Context) context.Context {
	return context.WithValue(ctx, archivedCtx{}, true)
}

// includesArchived reports whether ctx's statements include archived rows.
func includesArchived(ctx context.Context) bool {
	v, _ := ctx.Value(archivedCtx{}).(bool)
	return v
}

// notArchived renders that the row of table whose id is expr is not
// archived, reading the id alone (so a child count that needs no column
// of its node but the id still counts the edges without joining the
// node's table, onlyNodeID, and an index that covers the id still answers
// alone, 00021), in the form that measured best for where it stands:
//
//   - a list's own rows (decided, listed): NOT IN the archived ids, which
//     the partial index of migration 00019 lists, a hashed subplan built
//     once per statement and probed per row (ids are NOT NULL, so it means
//     NOT EXISTS). Investments by fund at 200,000 startups: 8.7 ms without
//     guards, 10 ms with it; question 4's page, whose count finds more
//     than fewRows, walks the name index: 37 ms with it, 93 ms with the
//     anti-join below.
//   - an edge or a node inside a relationship predicate: NOT EXISTS, an
//     anti-join the planner pulls up inside the predicate's semi-join and
//     estimates from the tiny archive, so the semi-join still stops at the
//     first match. Question 6 (funds whose teams target the US, two hops):
//     49 ms with NOT IN on every guard, 9.5 ms with this, 7.2 without
//     guards.
func notArchived(table, expr string, listed bool) string {
	if listed {
		return fmt.Sprintf("%s NOT IN (SELECT z.id FROM %s z WHERE z.archived_at IS NOT NULL)", expr, table)
	}
	return fmt.Sprintf("NOT EXISTS (SELECT 1 FROM %s z WHERE z.id = %s AND z.archived_at IS NOT NULL)", table, expr)
}

// joinedRow marks the archived guards of guards on the node of a child
// list's page (n.id) as reading n's archived_at, when from joins the
// node's table as n: the page's rows read n anyway, where the anti-join
// of notArchived probes the table again for each (issue 22: pgbench, the
// nested page query's three statements, 3,315 → 3,769 a second). Counts
// and aggregates keep notArchived, which reads the id alone (onlyNodeID).
func joinedRow(guards []guard, from string) []guard {
	_, table, _, ok := nodeJoin(from)
	if !ok {
		return guards
	}
	var out []guard
	for i, g := range guards {
		if g.kind == archivedRows && !g.decided && g.expr == "n.id" && g.table == table {
			if out == nil {
				out = slices.Clone(guards)
			}
			out[i].joined = true
		}
	}
	if out == nil {
		return guards
	}
	return out
}

// withArchivedGuard adds to guards the archived guard of a list's own rows
// (table, ids in expr) unless the list includes archived rows: decided
// when the list is built, so that its total and aggregate, computed later,
// count the same rows as its page.
func withArchivedGuard(ctx context.Context, guards []guard, table, expr string) []guard {
	if includesArchived(ctx) {
		return guards
	}
	return append(slices.Clone(guards), archivedListGuard(table, expr))
}

// archivedListGuard is archivedGuard decided already: rendered whatever
// the context of the statement.
func archivedListGuard(table, expr string) guard {
	return guard{kind: archivedRows, expr: expr, table: table, decided: true}
}

func startupGuard(expr string) guard    { return guard{kind: startupRows, expr: expr} }
func mentorGuard(expr string) guard     { return guard{kind: mentorRows, expr: expr} }
func investmentGuard(expr string) guard { return guard{kind: investmentRows, expr: expr} }

// ownAssignmentGuard says that expr holds the university id of an assignment.
func ownAssignmentGuard(universityExpr string) guard {
	return guard{kind: assignmentRows, expr: universityExpr}
}

// scopeConditions returns the SQL conditions that restrict guards to what
// ctx's viewer may see, adding their arguments to args.
func scopeConditions(ctx context.Context, guards []guard, args *sqlArgs) []string {
	if len(guards) == 0 {
		return nil
	}
	var out []string
	scopes := guards[:0:0]
	for _, g := range guards {
		switch {
		case g.kind != archivedRows:
			scopes = append(scopes, g)
		case g.joined && !includesArchived(ctx):
			out = append(out, "n.archived_at IS NULL")
		case g.decided || !includesArchived(ctx):
			out = append(out, notArchived(g.table, g.expr, g.decided))
		}
	}
	v := viewer.From(ctx)
	if v.ReadsEverything() || len(scopes) == 0 {
		return out
	}
	if v.Role != viewer.University || v.UniversityID == 0 {
		return append(out, "false")
	}
	for _, g := range scopes {
		u := args.add(v.UniversityID)
		switch g.kind {
		case startupRows:
			out = append(out, visibleStartup(g.expr, u))
		case mentorRows:
			out = append(out, fmt.Sprintf(`(EXISTS (SELECT 1 FROM mentorships sm JOIN assignments sa ON sa.startup_id = sm.startup_id
   WHERE sm.mentor_id = %[1]s AND sa.university_id = %[2]s)
 OR EXISTS (SELECT 1 FROM mentors sx WHERE sx.id = %[1]s AND sx.affiliated_university_id = %[2]s))`, g.expr, u))
		case assignmentRows:
			out = append(out, fmt.Sprintf("%s = %s", g.expr, u))
		case investmentRows:
			out = append(out, fmt.Sprintf(`EXISTS (SELECT 1 FROM investments si JOIN assignments sa ON sa.startup_id = si.startup_id
   WHERE si.id = %s AND sa.university_id = %s)`, g.expr, u))
		}
	}
	return out
}

func visibleStartup(expr, university string) string {
	return fmt.Sprintf("EXISTS (SELECT 1 FROM assignments sa WHERE sa.startup_id = %s AND sa.university_id = %s)", expr, university)
}

// scoped returns " AND ..." restricting guards for ctx's viewer, or "".
func scoped(ctx context.Context, args *sqlArgs, guards ...guard) string {
	conds := scopeConditions(ctx, guards, args)
	if len(conds) == 0 {
		return ""
	}
	return " AND " + strings.Join(conds, " AND ")
}

// exists adds "EXISTS (SELECT 1 FROM from WHERE where)" for a non-empty
// ids list (bound to the "?" of where): a filter that walks a relationship.
// The row being filtered is guarded by its list; when the relationship's
// rows can be hidden even beside a visible row (another university's
// assignment of a shared team, a visible mentor's mentorship of a hidden
// team), guards are those of the connection that shows it
// (Startup.universities, Mentor.startups), and only the edges ctx's viewer
// may see can select the row.
func (c *conditions) exists(ctx context.Context, from, where string, ids []int64, guards ...guard) {
	if len(ids) == 0 {
		return
	}
	c.ids("EXISTS (SELECT 1 FROM "+from+" WHERE "+where+scoped(ctx, &c.args, guards...)+")", ids)
}
