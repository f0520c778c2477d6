package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/lib/pq"

	"startupgraph/internal/model"
)

// Insights: the totals the city reports, each one statement over the
// slice of startups that a filter selects and the viewer may see (the CTE
// "s"). Breakdowns that pass through a relationship count a startup once
// per group it is in. Sums never overflow: PostgreSQL sums bigint as
// numeric, read here as text into a model.Total, which the response
// converts with a check (a KRW total beyond 2^53-1 fails its own field);
// sums of integers are bigint, converted to Int with a check here.

// slice renders the CTE of the visible startups matching f.
func slice(ctx context.Context, f StartupFilter) (string, *sqlArgs) {
	c := startupConditions(ctx, f)
	conds := append(c.where, scopeConditions(ctx, []guard{startupGuard("n.id")}, &c.args)...)
	return "WITH s AS MATERIALIZED (SELECT n.id FROM startups n WHERE " + joinAnd(conds) + ")\n", &c.args
}

type groupRow struct {
	Key    string  `db:"key"`
	NameKo string  `db:"name_ko"`
	NameEn string  `db:"name_en"`
	N      int     `db:"n"`
	Amount *string `db:"amount"` // numeric
}

func (r groupRow) model() model.InsightGroup {
	return model.InsightGroup{Key: r.Key, Names: model.Names{NameKo: r.NameKo, NameEn: r.NameEn}, Count: r.N, Sum: (*model.Total)(r.Amount)}
}

func (s *Store) groups(ctx context.Context, what, q string, args *sqlArgs) ([]model.InsightGroup, error) {
	var rows []groupRow
	if err := s.db.SelectContext(ctx, &rows, q, args.list...); err != nil {
		return nil, translate(fmt.Errorf("insights %s: %w", what, err))
	}
	return convertAll(rows, groupRow.model), nil
}

// CountStartups counts the slice.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) CountStartups(ctx context.Context, f StartupFilter) (int, error) {
	cte, args := slice(ctx, f)
	var n int
	if err := s.db.GetContext(ctx, &n, cte+"SELECT count(*) FROM s", args.list...); err != nil {
		return 0, translate(fmt.Errorf("insights count: %w", err))
	}
	return n, nil
}

// StartupsByStage counts the slice per growth stage, every stage listed.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) StartupsByStage(ctx context.Context, f StartupFilter) ([]model.InsightGroup, error) {
	cte, args := slice(ctx, f)
	q := cte + `SELECT n.stage AS key, '' AS name_ko, '' AS name_en, count(*) AS n, NULL::bigint AS amount
FROM s JOIN startups n ON n.id = s.id GROUP BY n.stage`
	got, err := s.groups(ctx, "by stage", q, args)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, g := range got {
		counts[g.Key] = g.Count
	}
	out := make([]model.InsightGroup, 0, len(growthStages))
	for _, st := range growthStages {
		out = append(out, model.InsightGroup{Key: string(st), Names: model.StageNames[st], Count: counts[string(st)]})
	}
	return out, nil
}

// growthStages is the article's order of stages.
var growthStages = []model.GrowthStage{
	model.GrowthStageIdea, model.GrowthStageFounding, model.GrowthStagePrototype, model.GrowthStageRAndD,
	model.GrowthStageMarketing, model.GrowthStageInvestment, model.GrowthStageFinancing, model.GrowthStageOverseasExpansion,
}

// StartupsBy counts the slice per sector, program, cohort, university or
// market ("sector", "program", "cohort", "university", "market").
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) StartupsBy(ctx context.Context, f StartupFilter, by string) ([]model.InsightGroup, error) {
	cte, args := slice(ctx, f)
	var join string
	switch by {
	case "sector":
		join = "JOIN startup_sectors e ON e.startup_id = s.id JOIN sectors g ON g.id = e.sector_id"
	case "program":
		join = "JOIN memberships e ON e.startup_id = s.id JOIN cohorts c ON c.id = e.cohort_id JOIN programs g ON g.id = c.program_id"
	case "cohort":
		join = "JOIN memberships e ON e.startup_id = s.id JOIN cohorts g ON g.id = e.cohort_id"
	case "university":
		join = "JOIN assignments e ON e.startup_id = s.id JOIN universities g ON g.id = e.university_id" +
			" WHERE true" + scoped(ctx, args, ownAssignmentGuard("e.university_id"))
	case "market":
		join = "JOIN market_targets e ON e.startup_id = s.id JOIN markets g ON g.id = e.market_id"
	default:
		return nil, fmt.Errorf("insights: unknown breakdown %q", by)
	}
	q := cte + `SELECT g.key, g.name_ko, g.name_en, count(DISTINCT s.id) AS n, NULL::bigint AS amount
FROM s ` + join + `
GROUP BY g.id, g.key, g.name_ko, g.name_en ORDER BY n DESC, g.name_en`
	return s.groups(ctx, "by "+by, q, args)
}

// InvestedByFund sums the slice's investments per fund.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) InvestedByFund(ctx context.Context, f StartupFilter) ([]model.FundTotal, error) {
	cte, args := slice(ctx, f)
	q := cte + `SELECT i.fund_id, sum(i.amount_krw) AS invested, count(*) AS investments, count(DISTINCT i.startup_id) AS startups
FROM s JOIN investments i ON i.startup_id = s.id
GROUP BY i.fund_id ORDER BY invested DESC, i.fund_id`
	var rows []struct {
		FundID      int64  `db:"fund_id"`
		Invested    string `db:"invested"` // numeric
		Investments int    `db:"investments"`
		Startups    int    `db:"startups"`
	}
	if err := s.db.SelectContext(ctx, &rows, q, args.list...); err != nil {
		return nil, translate(fmt.Errorf("insights by fund: %w", err))
	}
	out := make([]model.FundTotal, len(rows))
	for i, r := range rows {
		out[i] = model.FundTotal{FundID: r.FundID, Sum: model.Total(r.Invested), Investments: r.Investments, Startups: r.Startups}
	}
	return out, nil
}

// InvestedBy sums the slice's investments per "sector", "round" or "year".
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) InvestedBy(ctx context.Context, f StartupFilter, by string) ([]model.InsightGroup, error) {
	cte, args := slice(ctx, f)
	var q string
	switch by {
	case "sector":
		q = `SELECT g.key, g.name_ko, g.name_en, count(*) AS n, sum(i.amount_krw) AS amount
FROM s JOIN investments i ON i.startup_id = s.id JOIN startup_sectors e ON e.startup_id = s.id JOIN sectors g ON g.id = e.sector_id
GROUP BY g.id, g.key, g.name_ko, g.name_en ORDER BY amount DESC, g.name_en`
	case "round", "year":
		expr := "i.round"
		if by == "year" {
			expr = "extract(year FROM i.invested_on)::int::text"
		}
		q = `SELECT ` + expr + ` AS key, '' AS name_ko, '' AS name_en, count(*) AS n, sum(i.amount_krw) AS amount
FROM s JOIN investments i ON i.startup_id = s.id GROUP BY 1 ORDER BY 1`
	default:
		return nil, fmt.Errorf("insights: unknown money breakdown %q", by)
	}
	groups, err := s.groups(ctx, "invested by "+by, cte+q, args)
	for i := range groups {
		switch by {
		case "round":
			groups[i].Names = model.RoundNames[model.InvestmentRound(groups[i].Key)]
		case "year":
			groups[i].Names = model.Names{NameKo: groups[i].Key + "년", NameEn: groups[i].Key}
		}
	}
	return groups, err
}

// OutcomeTotals sums the slice's reported outcomes.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) OutcomeTotals(ctx context.Context, f StartupFilter) (model.OutcomeTotals, error) {
	cte, args := slice(ctx, f)
	q := cte + `SELECT
  COALESCE(sum(o.quantity) FILTER (WHERE o.kind = 'PATENT_DOMESTIC'), 0) AS patents_domestic,
  COALESCE(sum(o.quantity) FILTER (WHERE o.kind = 'PATENT_FOREIGN'), 0) AS patents_foreign,
  COALESCE(sum(o.amount_krw) FILTER (WHERE o.kind = 'INVESTMENT_ATTRACTED'), 0) AS investment_attracted,
  count(*) FILTER (WHERE o.kind = 'EXPORT_CONTRACT') AS export_contracts,
  COALESCE(sum(o.amount_krw) FILTER (WHERE o.kind = 'EXPORT_CONTRACT'), 0) AS export_value,
  COALESCE(sum(o.quantity) FILTER (WHERE o.kind = 'JOBS_CREATED'), 0) AS jobs_created
FROM s JOIN outcomes o ON o.startup_id = s.id`
	var r struct {
		PatentsDomestic     int64  `db:"patents_domestic"`
		PatentsForeign      int64  `db:"patents_foreign"`
		InvestmentAttracted string `db:"investment_attracted"` // numeric
		ExportContracts     int64  `db:"export_contracts"`
		ExportValue         string `db:"export_value"` // numeric
		JobsCreated         int64  `db:"jobs_created"`
	}
	if err := s.db.GetContext(ctx, &r, q, args.list...); err != nil {
		return model.OutcomeTotals{}, translate(fmt.Errorf("insights outcomes: %w", err))
	}
	t := model.OutcomeTotals{InvestmentAttractedSum: model.Total(r.InvestmentAttracted), ExportValueSum: model.Total(r.ExportValue)}
	var errs [4]error
	t.PatentsDomestic, errs[0] = model.IntTotal(r.PatentsDomestic)
	t.PatentsForeign, errs[1] = model.IntTotal(r.PatentsForeign)
	t.ExportContracts, errs[2] = model.IntTotal(r.ExportContracts)
	t.JobsCreated, errs[3] = model.IntTotal(r.JobsCreated)
	if err := errors.Join(errs[:]...); err != nil {
		return model.OutcomeTotals{}, fmt.Errorf("insights outcomes: %w", err)
	}
	return t, nil
}

// ExportsByMarket sums the slice's export contracts per market.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) ExportsByMarket(ctx context.Context, f StartupFilter) ([]model.InsightGroup, error) {
	cte, args := slice(ctx, f)
	q := cte + `SELECT g.key, g.name_ko, g.name_en, count(*) AS n, COALESCE(sum(o.amount_krw), 0) AS amount
FROM s JOIN outcomes o ON o.startup_id = s.id JOIN markets g ON g.id = o.market_id
WHERE o.kind = 'EXPORT_CONTRACT'
GROUP BY g.id, g.key, g.name_ko, g.name_en ORDER BY amount DESC, g.name_en`
	return s.groups(ctx, "exports by market", q, args)
}

// Funnel counts how many of the slice reached each stage (are at it or
// beyond) and the median days from the previous stage, in one statement.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) Funnel(ctx context.Context, f StartupFilter) ([]model.FunnelStep, error) {
	cte, args := slice(ctx, f)
	stages := make([]string, len(growthStages))
	for i, st := range growthStages {
		stages[i] = string(st)
	}
	order := args.add(pq.Array(stages))
	q := cte + `, gaps AS (
  SELECT array_position(` + order + `::text[], sc.stage) AS ord,
         sc.changed_on - lag(sc.changed_on) OVER w AS days,
         array_position(` + order + `::text[], sc.stage) - array_position(` + order + `::text[], lag(sc.stage) OVER w) AS step
  FROM s JOIN stage_changes sc ON sc.startup_id = s.id
  WINDOW w AS (PARTITION BY sc.startup_id ORDER BY sc.changed_on, sc.id)
), medians AS (
  SELECT ord, percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median FROM gaps WHERE step = 1 GROUP BY ord
), current AS (
  SELECT n.stage, count(*) AS n FROM s JOIN startups n ON n.id = s.id GROUP BY n.stage
)
SELECT st.stage, COALESCE(c.n, 0) AS at_stage, m.median
FROM unnest(` + order + `::text[]) WITH ORDINALITY AS st(stage, ord)
LEFT JOIN current c ON c.stage = st.stage
LEFT JOIN medians m ON m.ord = st.ord
ORDER BY st.ord`
	var rows []struct {
		Stage   string   `db:"stage"`
		AtStage int      `db:"at_stage"`
		Median  *float64 `db:"median"`
	}
	if err := s.db.SelectContext(ctx, &rows, q, args.list...); err != nil {
		return nil, translate(fmt.Errorf("insights funnel: %w", err))
	}
	out := make([]model.FunnelStep, len(rows))
	beyond := 0
	for i := len(rows) - 1; i >= 0; i-- {
		beyond += rows[i].AtStage
		out[i] = model.FunnelStep{Stage: model.GrowthStage(rows[i].Stage), Reached: beyond, MedianDaysFromPrevious: rows[i].Median}
	}
	return out, nil
}

// TimeSeries counts metric ("INVESTMENTS", "OUTCOMES", "EXPORTS", "JOBS",
// "STAGE_CHANGES") of the slice per "MONTH" or "QUARTER".
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) TimeSeries(ctx context.Context, f StartupFilter, metric, interval string) ([]model.TimePoint, error) {
	cte, args := slice(ctx, f)
	unit := "quarter"
	if interval == "MONTH" {
		unit = "month"
	}
	var from string
	switch metric {
	case "INVESTMENTS":
		from = "date_trunc('" + unit + "', i.invested_on)::date AS start, count(*) AS n, sum(i.amount_krw) AS amount, NULL::bigint AS quantity FROM s JOIN investments i ON i.startup_id = s.id"
	case "OUTCOMES":
		from = "date_trunc('" + unit + "', o.reported_on)::date AS start, count(*) AS n, sum(o.amount_krw) AS amount, sum(o.quantity) AS quantity FROM s JOIN outcomes o ON o.startup_id = s.id"
	case "EXPORTS":
		from = "date_trunc('" + unit + "', o.reported_on)::date AS start, count(*) AS n, COALESCE(sum(o.amount_krw), 0) AS amount, NULL::bigint AS quantity FROM s JOIN outcomes o ON o.startup_id = s.id WHERE o.kind = 'EXPORT_CONTRACT'"
	case "JOBS":
		from = "date_trunc('" + unit + "', o.reported_on)::date AS start, count(*) AS n, NULL::bigint AS amount, sum(o.quantity) AS quantity FROM s JOIN outcomes o ON o.startup_id = s.id WHERE o.kind = 'JOBS_CREATED'"
	case "STAGE_CHANGES":
		from = "date_trunc('" + unit + "', c.changed_on)::date AS start, count(*) AS n, NULL::bigint AS amount, NULL::bigint AS quantity FROM s JOIN stage_changes c ON c.startup_id = s.id"
	default:
		return nil, fmt.Errorf("insights: unknown metric %q", metric)
	}
	var rows []struct {
		Start    time.Time `db:"start"`
		N        int       `db:"n"`
		Amount   *string   `db:"amount"` // numeric
		Quantity *int64    `db:"quantity"`
	}
	if err := s.db.SelectContext(ctx, &rows, cte+"SELECT "+from+" GROUP BY 1 ORDER BY 1", args.list...); err != nil {
		return nil, translate(fmt.Errorf("insights time series: %w", err))
	}
	out := make([]model.TimePoint, len(rows))
	for i, r := range rows {
		p := model.TimePoint{Start: model.NewDate(r.Start), Count: r.N, Period: r.Start.Format("2006-01")}
		if unit == "quarter" {
			p.Period = strconv.Itoa(r.Start.Year()) + "-Q" + strconv.Itoa((int(r.Start.Month())-1)/3+1)
		}
		p.Sum = (*model.Total)(r.Amount)
		if r.Quantity != nil {
			q, err := model.IntTotal(*r.Quantity)
			if err != nil {
				return nil, fmt.Errorf("insights time series, %s: %w", p.Period, err)
			}
			p.Quantity = &q
		}
		out[i] = p
	}
	return out, nil
}

// TaskForceBySector counts the task force's experts the viewer may see per
// working-group field.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) TaskForceBySector(ctx context.Context) ([]model.InsightGroup, error) {
	args := &sqlArgs{}
	q := `SELECT g.key, g.name_ko, g.name_en, count(DISTINCT m.id) AS n, NULL::bigint AS amount
FROM mentors m JOIN mentor_sectors e ON e.mentor_id = m.id JOIN sectors g ON g.id = e.sector_id
WHERE m.task_force_member AND g.task_force_field` + scoped(ctx, args, mentorGuard("m.id")) + `
GROUP BY g.id, g.key, g.name_ko, g.name_en ORDER BY g.name_en`
	return s.groups(ctx, "task force", q, args)
}

// CountTaskForceExperts counts the task force's experts the viewer may see.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) CountTaskForceExperts(ctx context.Context) (int, error) {
	args := &sqlArgs{}
	q := `SELECT count(*) FROM mentors m WHERE m.task_force_member` + scoped(ctx, args, mentorGuard("m.id"))
	var n int
	if err := s.db.GetContext(ctx, &n, q, args.list...); err != nil {
		return 0, translate(fmt.Errorf("insights task force: %w", err))
	}
	return n, nil
}
