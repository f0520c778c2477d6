package store

import (
	"context"
	"fmt"
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
)

// guard says that expr holds the id of a protected row of kind.
type guard struct {
	kind protected
	expr string
}

func startupGuard(expr string) guard    { return guard{startupRows, expr} }
func mentorGuard(expr string) guard     { return guard{mentorRows, expr} }
func investmentGuard(expr string) guard { return guard{investmentRows, expr} }

// ownAssignmentGuard says that expr holds the university id of an assignment.
func ownAssignmentGuard(universityExpr string) guard { return guard{assignmentRows, universityExpr} }

// scopeConditions returns the SQL conditions that restrict guards to what
// ctx's viewer may see, adding their arguments to args.
func scopeConditions(ctx context.Context, guards []guard, args *sqlArgs) []string {
	v := viewer.From(ctx)
	if v.ReadsEverything() || len(guards) == 0 {
		return nil
	}
	if v.Role != viewer.University || v.UniversityID == 0 {
		return []string{"false"}
	}
	out := make([]string, 0, len(guards))
	for _, g := range guards {
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
