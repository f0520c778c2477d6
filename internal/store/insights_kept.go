package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lib/pq"

	"startupgraph/internal/model"
	"startupgraph/internal/viewer"
)

// Kept totals (migration 00014): insight_totals holds, exact on every
// write, the insights figures per scope (0: every startup; else a
// university's teams) and per current stage. A slice that is every
// startup or the startups at some stages, seen by an admin or analyst or
// by a university, is a sum of its rows: the figures read those (a few
// hundred rows) instead of grouping the tables (at 200,000 startups,
// 20-150 ms a figure). Any other filter, a where, or another viewer takes
// the general path (insights.go), which the kept totals must equal (the
// oracle tests run both).

// generalPath, as a context key, makes every figure take the general
// path (the tests compare both).
type generalPath struct{}

// keptTotalsScope is the scope of the kept totals that ctx's viewer reads:
// 0 for every startup (admin, analyst), a university's id for its teams;
// ok is false for a viewer the kept totals have no scope for.
func keptTotalsScope(ctx context.Context) (scope int64, ok bool) {
	v := viewer.From(ctx)
	switch {
	case v.ReadsEverything():
		return 0, true
	case v.Role == viewer.University && v.UniversityID != 0:
		return v.UniversityID, true
	}
	return 0, false
}

// kept renders the condition on insight_totals t that selects the
// slice's rows, with its arguments, when the kept totals answer the slice
// exactly; ok is false otherwise.
func (in Insights) kept(ctx context.Context) (cond string, args *sqlArgs, ok bool) {
	// The kept totals leave archived rows out (migration 00019).
	if in.Where != nil || ctx.Value(generalPath{}) != nil || includesArchived(ctx) {
		return "", nil, false
	}
	f := in.Filter
	if len(f.SectorIDs)+len(f.ProgramIDs)+len(f.CohortIDs)+len(f.UniversityIDs)+len(f.MentorIDs)+len(f.FundIDs)+
		len(f.MarketIDs)+len(f.TargetStatuses) > 0 || f.FoundedFrom != nil || f.FoundedTo != nil || f.Search != "" {
		return "", nil, false
	}
	scope, ok := keptTotalsScope(ctx)
	if !ok {
		return "", nil, false
	}
	args = &sqlArgs{}
	cond = "t.scope = " + args.add(scope)
	if len(f.Stages) > 0 {
		cond += " AND t.stage = ANY(" + args.add(pq.Array(f.Stages)) + "::text[])"
	}
	return cond, args, true
}

// keptFig renders the condition that selects figure fig's rows of the
// slice (cond from kept).
func keptFig(cond string, args *sqlArgs, fig string) string {
	return cond + " AND t.fig = " + args.add(fig)
}

func (s *Store) keptCount(ctx context.Context, cond string, args *sqlArgs) (int, error) {
	var n int
	q := `SELECT COALESCE(sum(t.n), 0) FROM insight_totals t WHERE ` + keptFig(cond, args, "startup")
	if err := s.reader(ctx).GetContext(ctx, &n, q, args.list...); err != nil {
		return 0, translate(fmt.Errorf("insights count: %w", err))
	}
	return n, nil
}

// keptStagesSQL is the statement of the slice's startups per stage.
func keptStagesSQL(cond string, args *sqlArgs) string {
	return `SELECT t.stage AS key, '' AS name_ko, '' AS name_en, sum(t.n) AS n, NULL::bigint AS amount
FROM insight_totals t WHERE ` + keptFig(cond, args, "startup") + ` GROUP BY t.stage HAVING sum(t.n) > 0`
}

// keptByFig is the statement of a breakdown by the kept figure fig, whose
// keys are ids of names, ordered by order (over t.n, t.amount, g.name_en);
// a count alone (no KRW) when fig counts startups.
func keptByFig(cond string, args *sqlArgs, fig, names, order string) string {
	amount := "t.amount"
	if keptBreakdown(fig) {
		amount = "NULL::bigint AS amount"
	}
	return `SELECT g.key, g.name_ko, g.name_en, t.n, ` + amount + `
FROM (SELECT t.key::bigint AS id, sum(t.n) AS n, sum(t.amount) AS amount FROM insight_totals t
  WHERE ` + keptFig(cond, args, fig) + ` GROUP BY t.key HAVING sum(t.n) > 0) t
JOIN ` + names + ` g ON g.id = t.id ORDER BY ` + order
}

// keptOutcomesSQL is the statement of OutcomeTotals over the kept totals.
func keptOutcomesSQL(cond string, args *sqlArgs) string {
	return `SELECT
  COALESCE(sum(t.qty) FILTER (WHERE t.key = 'PATENT_DOMESTIC'), 0)::bigint AS patents_domestic,
  COALESCE(sum(t.qty) FILTER (WHERE t.key = 'PATENT_FOREIGN'), 0)::bigint AS patents_foreign,
  COALESCE(sum(t.amount) FILTER (WHERE t.key = 'INVESTMENT_ATTRACTED'), 0) AS investment_attracted,
  COALESCE(sum(t.n) FILTER (WHERE t.key = 'EXPORT_CONTRACT'), 0)::bigint AS export_contracts,
  COALESCE(sum(t.amount) FILTER (WHERE t.key = 'EXPORT_CONTRACT'), 0) AS export_value,
  COALESCE(sum(t.qty) FILTER (WHERE t.key = 'JOBS_CREATED'), 0)::bigint AS jobs_created
FROM insight_totals t WHERE ` + keptFig(cond, args, "outcome")
}

// keptDriftSQL is the statement of InvestmentDrift over the kept totals.
func keptDriftSQL(cond string, args *sqlArgs) string {
	return `SELECT COALESCE(sum(t.amount) FILTER (WHERE t.fig = 'outcome' AND t.key = 'INVESTMENT_ATTRACTED'), 0) AS attracted,
  COALESCE(sum(t.amount) FILTER (WHERE t.fig = 'fund'), 0) AS recorded,
  COALESCE(sum(t.amount) FILTER (WHERE t.fig = 'outcome' AND t.key = 'INVESTMENT_ATTRACTED'), 0) - COALESCE(sum(t.amount) FILTER (WHERE t.fig = 'fund'), 0) AS difference,
  COALESCE(sum(t.n) FILTER (WHERE t.fig = 'differing'), 0)::bigint AS differing
FROM insight_totals t WHERE ` + cond + ` AND t.fig = ANY('{outcome,fund,differing}'::text[])`
}

// keptFunnelSQL is the funnel's statement over the kept totals: the
// startups at each stage, and the median of days_from_previous_stage per
// stage from the kept histogram (stage:days, count), interpolated as
// percentile_cont(0.5) does: the mean of the values at the 0-based
// positions (N-1)/2 and N/2 (integer division) of the N sorted values.
func keptFunnelSQL(cond string, args *sqlArgs, order string) string {
	days := keptFig(cond, args, "days")
	current := keptFig(cond, args, "startup")
	return `WITH h AS (
  SELECT split_part(t.key, ':', 1) AS stage, split_part(t.key, ':', 2)::int AS days, sum(t.n) AS n
  FROM insight_totals t WHERE ` + days + ` GROUP BY 1, 2 HAVING sum(t.n) > 0
), c AS (
  SELECT stage, days, n, sum(n) OVER (PARTITION BY stage ORDER BY days) - n AS before, sum(n) OVER (PARTITION BY stage) AS total FROM h
), medians AS (
  SELECT stage,
    min(days) FILTER (WHERE before <= div(total - 1, 2) AND div(total - 1, 2) < before + n) AS lo,
    min(days) FILTER (WHERE before <= div(total, 2) AND div(total, 2) < before + n) AS hi
  FROM c GROUP BY stage
), current AS (
  SELECT t.stage, sum(t.n) AS n FROM insight_totals t WHERE ` + current + ` GROUP BY t.stage
)
SELECT st.stage, COALESCE(c.n, 0) AS at_stage, m.lo::float8 + (m.hi - m.lo)::float8 * 0.5 AS median
FROM unnest(` + order + `::text[]) WITH ORDINALITY AS st(stage, ord)
LEFT JOIN current c ON c.stage = st.stage
LEFT JOIN medians m ON m.stage = st.stage
ORDER BY st.ord`
}

// keptSeriesKeys name each time-series metric's events in the kept
// totals (fig series, key METRIC:first day of the month).
var keptSeriesKeys = map[string]string{
	"INVESTMENTS":          "INVESTMENTS",
	"STAGE_CHANGES":        "STAGE_CHANGES",
	"PATENTS_DOMESTIC":     "PATENT_DOMESTIC",
	"PATENTS_FOREIGN":      "PATENT_FOREIGN",
	"INVESTMENT_ATTRACTED": "INVESTMENT_ATTRACTED",
	"EXPORTS":              "EXPORT_CONTRACT",
	"JOBS":                 "JOBS_CREATED",
}

// keptSeries renders the condition that selects a time-series metric's
// kept monthly totals of the slice (cond from kept), and the SQL of the
// first day of each row's month. Periods (months, quarters) and their
// bounds are whole months, so the monthly totals answer them exactly.
func keptSeries(cond string, args *sqlArgs, metric string) (where, month string) {
	return keptFig(cond, args, "series") + " AND split_part(t.key, ':', 1) = " + args.add(keptSeriesKeys[metric]),
		"split_part(t.key, ':', 2)::date"
}

// keptSeriesSums are the kept totals' sums of a metric's KRW and quantity
// ("" when the metric has none, as in seriesMetrics).
func keptSeriesSums(m seriesMetric) (amount, quantity string) {
	amount, quantity = "NULL::numeric", "NULL::bigint"
	if m.amount != "" {
		amount = "sum(t.amount)"
	}
	if m.quantity != "" {
		quantity = "sum(t.qty)::bigint"
	}
	return amount, quantity
}

// keptFigures are the StartupsBy breakdowns the kept totals hold (not
// "program": a startup may be in a program through several cohorts).
var keptFigures = []string{"sector", "cohort", "university", "market"}

func keptBreakdown(by string) bool { return slices.Contains(keptFigures, by) }

// keptNames is the table that names a kept figure's keys.
func keptNames(fig string) string {
	switch fig {
	case "sector", "invsector":
		return "sectors"
	case "cohort":
		return "cohorts"
	case "university":
		return "universities"
	case "fund":
		return "funds"
	}
	return "markets"
}

// keptStageGroups answers a groupBy of the top-level list of every
// startup the viewer sees (no filter, no where) by STAGE alone, with
// counts alone, from the kept totals: the startups per stage in the
// viewer's scope (an admin's or analyst's: every startup; a university's:
// its teams, as startupGuard sees them). ok is false for any other
// grouping, which groupRows computes.
func keptStageGroups(ctx context.Context, s *Store, q pageQuery, src measureSource, spec model.GroupSpec) (rows []model.GroupRow, ok bool, err error) {
	if src.node != "Startup" || src.rel != nil || q.parent != "" || len(q.where) > 0 || ctx.Value(generalPath{}) != nil ||
		!slices.Equal(q.guards, []guard{startupGuard("n.id"), archivedListGuard("startups", "n.id")}) || !slices.Equal(spec.Keys, []string{"STAGE"}) {
		return nil, false, nil
	}
	for _, x := range spec.Measures {
		if x.Fn != "count" {
			return nil, false, nil
		}
	}
	for _, o := range spec.Order {
		if !o.Keys && o.Measure.Fn != "count" {
			return nil, false, nil
		}
	}
	scope, ok := keptTotalsScope(ctx)
	if !ok {
		return nil, false, nil
	}
	args := &sqlArgs{}
	key := "array_position(" + args.add(pq.Array(model.EnumOrder["GrowthStage"])) + "::text[], t.stage)"
	var order []string
	for _, o := range spec.Order {
		dir := " ASC"
		if o.Desc {
			dir = " DESC"
		}
		if o.Keys {
			order = append(order, key+dir)
		} else {
			order = append(order, "sum(t.n)"+dir)
		}
	}
	order = append(order, key+" ASC")
	sqlText := `SELECT t.stage, sum(t.n)::text AS n FROM insight_totals t WHERE t.scope = ` + args.add(scope) + ` AND t.fig = 'startup'
GROUP BY t.stage HAVING sum(t.n) > 0 ORDER BY ` + strings.Join(order, ", ") + ` LIMIT ` + args.add(min(max(spec.Limit, 1), MaxGroups))
	var got []struct {
		Stage string `db:"stage"`
		N     string `db:"n"`
	}
	if err := s.reader(ctx).SelectContext(ctx, &got, sqlText, args.list...); err != nil {
		return nil, true, translate(fmt.Errorf("group Startup: %w", err))
	}
	for _, g := range got {
		r := model.GroupRow{Keys: []*string{&g.Stage}, Values: make(map[model.Measure]*string, len(spec.Measures))}
		for _, x := range spec.Measures {
			r.Values[x] = &g.N
		}
		rows = append(rows, r)
	}
	return rows, true, nil
}
