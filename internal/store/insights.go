package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/lib/pq"

	"startupgraph/internal/model"
	"startupgraph/internal/relation"
)

// Insights: the totals the city reports, each one statement over the
// slice of startups that a filter selects and the viewer may see (see
// startups and member). Breakdowns that pass through a relationship count a startup once
// per group it is in. Sums never overflow: PostgreSQL sums bigint as
// numeric, read here as text into a model.Total, which the response
// converts with a check (a KRW total beyond 2^53-1 fails its own field);
// sums of integers are bigint, converted to Int with a check here.
//
// The conditions a slice puts on investments and market targets carry
// over to the figures built from those rows (see countedInvestments and
// countedTargets): filtered by a fund, the money figures count that
// fund's investments only; filtered by a target status, the market
// figures count targets of that status only.

// Insights is the slice of startups the insights figures total: the
// startups matching both Filter (the shorthand) and Where that the viewer
// may see.
type Insights struct {
	Filter StartupFilter
	Where  *Where
	// Memo, when set, is shared by every subscriber of the same live
	// totals (Subscription.insights): each figure is read once for all.
	Memo *model.Memo
	// IncludeArchived counts archived startups, and the edges of archived
	// nodes, too (WithArchived); the figures are separate calls, each
	// with its own context, so the slice carries the choice.
	IncludeArchived bool
}

// context is ctx with the slice's choice of archived rows.
func (in Insights) context(ctx context.Context) context.Context {
	if in.IncludeArchived {
		return WithArchived(ctx)
	}
	return ctx
}

// startups renders the condition on "startups n" that selects the slice,
// with its arguments: "true" when the slice is every startup.
func (in Insights) startups(ctx context.Context) (string, *sqlArgs, error) {
	c := startupConditions(ctx, in.Filter)
	if err := addWhere(ctx, &c, "Startup", in.Where); err != nil {
		return "", nil, err
	}
	conds := append(c.where, scopeConditions(ctx, withArchivedGuard(ctx, []guard{startupGuard("n.id")}, "startups", "n.id"), &c.args)...)
	return joinAnd(conds), &c.args, nil
}

// member renders the condition that the startup id expr is in the slice,
// with its arguments: "true" when the slice is every startup (every row
// of a table that refers to startups then counts, and the figure reads
// that table alone), else a semi-join the planner can hash. Figures read
// the rows they total directly and group them once: joining them back to
// a materialized list of the slice's ids cost a second pass over every
// startup (at 200,000 startups, 259 ms where the GROUP BY alone took 55).
func (in Insights) member(ctx context.Context, expr string) (string, *sqlArgs, error) {
	cond, args, err := in.startups(ctx)
	return isIn(expr, cond), args, err
}

// isIn renders that the startup id expr is in the startups n that cond
// (from Insights.startups) selects.
func isIn(expr, cond string) string {
	if cond == "true" {
		return cond
	}
	return expr + " IN (SELECT n.id FROM startups n WHERE " + cond + ")"
}

// countedInvestments renders the condition on an investment of the slice
// (read as alias) that the money figures count: the fund is one of
// Filter.FundIDs, when given, and the investment matches the edge
// condition of every investors: {some: ...} at the top level of Where
// (Where itself and its and, not under or or not). A slice chosen by its
// investments counts those investments; "true" when it is not.
func (in Insights) countedInvestments(ctx context.Context, args *sqlArgs, alias string) (string, error) {
	c := conditions{args: *args}
	c.ids(alias+".fund_id = ANY(?)", in.Filter.FundIDs)
	c.where = append(c.where, scopeConditions(ctx, []guard{archivedGuard("funds", alias+".fund_id")}, &c.args)...)
	err := topLevelEdges(ctx, &c, in.Where, "Startup", "investors", alias)
	*args = c.args
	return joinAnd(c.where), err
}

// countedTargets renders the condition on a market target of the slice
// (read as alias) that the market-target figures count: its market is one
// of Filter.MarketIDs and its status one of Filter.TargetStatuses, when
// given, and it matches the edge condition of every markets: {some: ...}
// at the top level of Where.
func (in Insights) countedTargets(ctx context.Context, args *sqlArgs, alias string) (string, error) {
	c := conditions{args: *args}
	c.ids(alias+".market_id = ANY(?)", in.Filter.MarketIDs)
	c.strs(alias+".status = ANY(?)", in.Filter.TargetStatuses)
	c.where = append(c.where, scopeConditions(ctx, []guard{archivedGuard("markets", alias+".market_id")}, &c.args)...)
	err := topLevelEdges(ctx, &c, in.Where, "Startup", "markets", alias)
	*args = c.args
	return joinAnd(c.where), err
}

// topLevelEdges adds to c, for each some-predicate over relationship
// field of node at the top level of w (w and its and, recursively), its
// edge condition over the edge row read as alias; the node the edge leads
// to, when the condition names it, through an EXISTS within the viewer's
// scope of that node.
func topLevelEdges(ctx context.Context, c *conditions, w *Where, node, field, alias string) error {
	if w == nil {
		return nil
	}
	for _, p := range w.Rels {
		if p.Field != field || p.Quant != "some" || p.Edge == nil {
			continue
		}
		d, ok := relation.DirectionOf(node, field)
		if !ok {
			return fmt.Errorf("insights: %s has no relationship %s", node, field)
		}
		far, ok := joinTableOnly(d, false)
		if !ok {
			return fmt.Errorf("insights: %s.%s is not a plain join", node, field)
		}
		wc := &whereCompiler{ctx: ctx, args: &c.args}
		n := "x" + alias
		cond, err := wc.edge(d, alias, n, *p.Edge)
		if err != nil {
			return err
		}
		if namesNode(d, p.Edge) {
			var guards []guard
			if g := nodeGuards[d.Listed]; g != nil {
				guards = append(guards, g(n+".id"))
			}
			cond = "EXISTS (SELECT 1 FROM " + relation.Nodes[d.Listed].Table + " " + n + " WHERE " + n + ".id = " + alias + "." + far +
				scoped(ctx, &c.args, guards...) + " AND " + cond + ")"
		}
		c.where = append(c.where, cond)
	}
	for i := range w.And {
		if err := topLevelEdges(ctx, c, &w.And[i], node, field, alias); err != nil {
			return err
		}
	}
	return nil
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
	if err := s.reader(ctx).SelectContext(ctx, &rows, q, args.list...); err != nil {
		return nil, translate(fmt.Errorf("insights %s: %w", what, err))
	}
	return convertAll(rows, groupRow.model), nil
}

// CountStartups counts the slice.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) CountStartups(ctx context.Context, in Insights) (int, error) {
	ctx = in.context(ctx)
	if cond, args, ok := in.kept(ctx); ok {
		return s.keptCount(ctx, cond, args)
	}
	cond, args, err := in.startups(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.reader(ctx).GetContext(ctx, &n, "SELECT count(*) FROM startups n WHERE "+cond, args.list...); err != nil {
		return 0, translate(fmt.Errorf("insights count: %w", err))
	}
	return n, nil
}

// StartupsByStage counts the slice per growth stage, every stage listed.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) StartupsByStage(ctx context.Context, in Insights) ([]model.InsightGroup, error) {
	ctx = in.context(ctx)
	cond, args, ok := in.kept(ctx)
	q := ""
	if ok {
		q = keptStagesSQL(cond, args)
	} else {
		var err error
		if cond, args, err = in.startups(ctx); err != nil {
			return nil, err
		}
		q = `SELECT n.stage AS key, '' AS name_ko, '' AS name_en, count(*) AS n, NULL::bigint AS amount
FROM startups n WHERE ` + cond + ` GROUP BY n.stage`
	}
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
// market ("sector", "program", "cohort", "university", "market"); per
// market, only the targets the slice counts (countedTargets).
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) StartupsBy(ctx context.Context, in Insights, by string) ([]model.InsightGroup, error) {
	ctx = in.context(ctx)
	if cond, args, ok := in.kept(ctx); ok && keptBreakdown(by) {
		q := keptByFig(cond, args, by, keptNames(by), "t.n DESC, g.name_en")
		return s.groups(ctx, "by "+by, q, args)
	}
	// Each edge table is grouped by its group's id alone, then named: a
	// startup is in a sector, cohort or market once (unique keys), so
	// count(*) counts startups there; a program (through several cohorts)
	// or a university (several purposes) may list it twice.
	var table, col, count, names string
	switch by {
	case "sector":
		table, col, count, names = "startup_sectors e", "e.sector_id", "count(*)", "sectors"
	case "program":
		table, col, count, names = "memberships e JOIN cohorts c ON c.id = e.cohort_id", "c.program_id", "count(DISTINCT e.startup_id)", "programs"
	case "cohort":
		table, col, count, names = "memberships e", "e.cohort_id", "count(*)", "cohorts"
	case "university":
		table, col, count, names = "assignments e", "e.university_id", "count(DISTINCT e.startup_id)", "universities"
	case "market":
		table, col, count, names = "market_targets e", "e.market_id", "count(*)", "markets"
	default:
		return nil, fmt.Errorf("insights: unknown breakdown %q", by)
	}
	member, args, err := in.member(ctx, "e.startup_id")
	if err != nil {
		return nil, err
	}
	switch by {
	case "program":
		member += scoped(ctx, args, archivedGuard("cohorts", "c.id"), archivedGuard("programs", "c.program_id"))
	case "cohort":
		member += scoped(ctx, args, archivedGuard("cohorts", "e.cohort_id"))
	case "university":
		member += scoped(ctx, args, ownAssignmentGuard("e.university_id"))
	case "market":
		counted, err := in.countedTargets(ctx, args, "e")
		if err != nil {
			return nil, err
		}
		member += " AND " + counted
	}
	q := `SELECT g.key, g.name_ko, g.name_en, t.n, NULL::bigint AS amount
FROM (SELECT ` + col + ` AS id, ` + count + ` AS n FROM ` + table + ` WHERE ` + member + ` GROUP BY 1) t
JOIN ` + names + ` g ON g.id = t.id ORDER BY t.n DESC, g.name_en`
	return s.groups(ctx, "by "+by, q, args)
}

// InvestedByFund sums the slice's counted investments per fund
// (countedInvestments).
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) InvestedByFund(ctx context.Context, in Insights) ([]model.FundTotal, error) {
	ctx = in.context(ctx)
	var q string
	args, ok := (*sqlArgs)(nil), false
	if cond, kargs, kok := in.kept(ctx); kok {
		// qty: the fund's distinct startups, one per startup in its parts.
		args, ok = kargs, true
		q = `SELECT t.key::bigint AS fund_id, sum(t.amount) AS invested, sum(t.n) AS investments, sum(t.qty) AS startups
FROM insight_totals t WHERE ` + keptFig(cond, args, "fund") + `
GROUP BY t.key HAVING sum(t.n) > 0 ORDER BY invested DESC, fund_id`
	}
	if !ok {
		member, margs, err := in.member(ctx, "i.startup_id")
		if err != nil {
			return nil, err
		}
		args = margs
		counted, err := in.countedInvestments(ctx, args, "i")
		if err != nil {
			return nil, err
		}
		// Read in the order of investments (fund_id, startup_id) INCLUDE
		// (amount_krw): each fund's startups arrive sorted, from the index alone.
		q = `SELECT i.fund_id, sum(i.amount_krw) AS invested, count(*) AS investments, count(DISTINCT i.startup_id) AS startups
FROM investments i WHERE ` + member + ` AND ` + counted + `
GROUP BY i.fund_id ORDER BY invested DESC, i.fund_id`
	}
	var rows []struct {
		FundID      int64  `db:"fund_id"`
		Invested    string `db:"invested"` // numeric
		Investments int    `db:"investments"`
		Startups    int    `db:"startups"`
	}
	if err := s.reader(ctx).SelectContext(ctx, &rows, q, args.list...); err != nil {
		return nil, translate(fmt.Errorf("insights by fund: %w", err))
	}
	out := make([]model.FundTotal, len(rows))
	for i, r := range rows {
		out[i] = model.FundTotal{FundID: r.FundID, Sum: model.Total(r.Invested), Investments: r.Investments, Startups: r.Startups}
	}
	return out, nil
}

// InvestedBy sums the slice's counted investments (countedInvestments)
// per "sector", "round" or "year".
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) InvestedBy(ctx context.Context, in Insights, by string) ([]model.InsightGroup, error) {
	ctx = in.context(ctx)
	if cond, args, ok := in.kept(ctx); ok {
		return s.keptInvestedBy(ctx, cond, args, by)
	}
	member, args, err := in.member(ctx, "i.startup_id")
	if err != nil {
		return nil, err
	}
	counted, err := in.countedInvestments(ctx, args, "i")
	if err != nil {
		return nil, err
	}
	counted = member + " AND " + counted
	var q string
	switch by {
	case "sector":
		q = `SELECT g.key, g.name_ko, g.name_en, t.n, t.amount
FROM (SELECT e.sector_id, count(*) AS n, sum(i.amount_krw) AS amount
  FROM investments i JOIN startup_sectors e ON e.startup_id = i.startup_id WHERE ` + counted + ` GROUP BY e.sector_id) t
JOIN sectors g ON g.id = t.sector_id ORDER BY t.amount DESC, g.name_en`
	case "round", "year":
		expr := "i.round"
		if by == "year" {
			expr = "extract(year FROM i.invested_on)::int::text"
		}
		q = `SELECT ` + expr + ` AS key, '' AS name_ko, '' AS name_en, count(*) AS n, sum(i.amount_krw) AS amount
FROM investments i WHERE ` + counted + ` GROUP BY 1 ORDER BY 1`
	default:
		return nil, fmt.Errorf("insights: unknown money breakdown %q", by)
	}
	return s.investedGroups(ctx, by, q, args)
}

// keptInvestedBy is InvestedBy over the kept totals.
func (s *Store) keptInvestedBy(ctx context.Context, cond string, args *sqlArgs, by string) ([]model.InsightGroup, error) {
	var q string
	switch by {
	case "sector":
		q = keptByFig(cond, args, "invsector", "sectors", "t.amount DESC, g.name_en")
	case "round", "year":
		q = `SELECT t.key, '' AS name_ko, '' AS name_en, sum(t.n) AS n, sum(t.amount) AS amount
FROM insight_totals t WHERE ` + keptFig(cond, args, by) + ` GROUP BY 1 HAVING sum(t.n) > 0 ORDER BY 1`
	default:
		return nil, fmt.Errorf("insights: unknown money breakdown %q", by)
	}
	return s.investedGroups(ctx, by, q, args)
}

// investedGroups reads InvestedBy's groups and names rounds and years.
func (s *Store) investedGroups(ctx context.Context, by, q string, args *sqlArgs) ([]model.InsightGroup, error) {
	groups, err := s.groups(ctx, "invested by "+by, q, args)
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
func (s *Store) OutcomeTotals(ctx context.Context, in Insights) (model.OutcomeTotals, error) {
	ctx = in.context(ctx)
	cond, args, ok := in.kept(ctx)
	if ok {
		return s.outcomeTotals(ctx, keptOutcomesSQL(cond, args), args)
	}
	member, args, err := in.member(ctx, "o.startup_id")
	if err != nil {
		return model.OutcomeTotals{}, err
	}
	q := `SELECT
  COALESCE(sum(o.quantity) FILTER (WHERE o.kind = 'PATENT_DOMESTIC'), 0) AS patents_domestic,
  COALESCE(sum(o.quantity) FILTER (WHERE o.kind = 'PATENT_FOREIGN'), 0) AS patents_foreign,
  COALESCE(sum(o.amount_krw) FILTER (WHERE o.kind = 'INVESTMENT_ATTRACTED'), 0) AS investment_attracted,
  count(*) FILTER (WHERE o.kind = 'EXPORT_CONTRACT') AS export_contracts,
  COALESCE(sum(o.amount_krw) FILTER (WHERE o.kind = 'EXPORT_CONTRACT'), 0) AS export_value,
  COALESCE(sum(o.quantity) FILTER (WHERE o.kind = 'JOBS_CREATED'), 0) AS jobs_created
FROM outcomes o WHERE ` + member
	return s.outcomeTotals(ctx, q, args)
}

// outcomeTotals reads OutcomeTotals' statement q.
func (s *Store) outcomeTotals(ctx context.Context, q string, args *sqlArgs) (model.OutcomeTotals, error) {
	var r struct {
		PatentsDomestic     int64  `db:"patents_domestic"`
		PatentsForeign      int64  `db:"patents_foreign"`
		InvestmentAttracted string `db:"investment_attracted"` // numeric
		ExportContracts     int64  `db:"export_contracts"`
		ExportValue         string `db:"export_value"` // numeric
		JobsCreated         int64  `db:"jobs_created"`
	}
	if err := s.reader(ctx).GetContext(ctx, &r, q, args.list...); err != nil {
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

// InvestmentDrift compares the slice's INVESTMENT_ATTRACTED outcomes (what
// the teams reported) with its recorded investments (what funds recorded,
// every fund: an outcome names no fund, so countedInvestments does not
// apply), in total and startup by startup.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) InvestmentDrift(ctx context.Context, in Insights) (model.InvestmentDrift, error) {
	ctx = in.context(ctx)
	if cond, args, ok := in.kept(ctx); ok {
		return s.investmentDrift(ctx, keptDriftSQL(cond, args), args)
	}
	cond, args, err := in.startups(ctx)
	if err != nil {
		return model.InvestmentDrift{}, err
	}
	q := `WITH a AS (
  SELECT o.startup_id, sum(o.amount_krw) AS amount FROM outcomes o
  WHERE o.kind = 'INVESTMENT_ATTRACTED' AND o.amount_krw IS NOT NULL AND ` + isIn("o.startup_id", cond) + ` GROUP BY o.startup_id
), r AS (
  SELECT i.startup_id, sum(i.amount_krw) AS amount FROM investments i WHERE ` + isIn("i.startup_id", cond) +
		scoped(ctx, args, archivedGuard("funds", "i.fund_id")) + ` GROUP BY i.startup_id
)
SELECT COALESCE(sum(a.amount), 0) AS attracted, COALESCE(sum(r.amount), 0) AS recorded,
  COALESCE(sum(a.amount), 0) - COALESCE(sum(r.amount), 0) AS difference,
  count(*) FILTER (WHERE COALESCE(a.amount, 0) <> COALESCE(r.amount, 0)) AS differing
FROM a FULL JOIN r ON r.startup_id = a.startup_id`
	return s.investmentDrift(ctx, q, args)
}

// investmentDrift reads InvestmentDrift's statement q.
func (s *Store) investmentDrift(ctx context.Context, q string, args *sqlArgs) (model.InvestmentDrift, error) {
	var r struct {
		Attracted  string `db:"attracted"`  // numeric
		Recorded   string `db:"recorded"`   // numeric
		Difference string `db:"difference"` // numeric
		Differing  int    `db:"differing"`
	}
	if err := s.reader(ctx).GetContext(ctx, &r, q, args.list...); err != nil {
		return model.InvestmentDrift{}, translate(fmt.Errorf("insights investment drift: %w", err))
	}
	return model.InvestmentDrift{AttractedSum: model.Total(r.Attracted), RecordedSum: model.Total(r.Recorded),
		DifferenceSum: model.Total(r.Difference), StartupsDiffering: r.Differing}, nil
}

// ExportsByMarket sums the slice's export contracts per market.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) ExportsByMarket(ctx context.Context, in Insights) ([]model.InsightGroup, error) {
	ctx = in.context(ctx)
	if cond, args, ok := in.kept(ctx); ok {
		return s.groups(ctx, "exports by market", keptByFig(cond, args, "export", "markets", "t.amount DESC, g.name_en"), args)
	}
	member, args, err := in.member(ctx, "o.startup_id")
	if err != nil {
		return nil, err
	}
	q := `SELECT g.key, g.name_ko, g.name_en, t.n, t.amount
FROM (SELECT o.market_id, count(*) AS n, COALESCE(sum(o.amount_krw), 0) AS amount
  FROM outcomes o WHERE o.kind = 'EXPORT_CONTRACT' AND ` + member + scoped(ctx, args, archivedGuard("markets", "o.market_id")) + ` GROUP BY o.market_id) t
JOIN markets g ON g.id = t.market_id ORDER BY t.amount DESC, g.name_en`
	return s.groups(ctx, "exports by market", q, args)
}

// Funnel counts how many of the slice reached each stage (are at it or
// beyond) and the median days from the previous stage (over the changes
// whose previous change was at the stage just before), in one statement.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) Funnel(ctx context.Context, in Insights) ([]model.FunnelStep, error) {
	ctx = in.context(ctx)
	stages := make([]string, len(growthStages))
	for i, st := range growthStages {
		stages[i] = string(st)
	}
	if cond, args, ok := in.kept(ctx); ok {
		return s.funnel(ctx, keptFunnelSQL(cond, args, args.add(pq.Array(stages))), args)
	}
	cond, args, err := in.startups(ctx)
	if err != nil {
		return nil, err
	}
	order := args.add(pq.Array(stages))
	// days_from_previous_stage is kept by triggers (migration 00012): the
	// days since the startup's previous change when that one was at the
	// stage just before, else NULL; read in order from a partial index.
	q := `WITH medians AS (
  SELECT sc.stage, percentile_cont(0.5) WITHIN GROUP (ORDER BY sc.days_from_previous_stage) AS median
  FROM stage_changes sc WHERE sc.days_from_previous_stage IS NOT NULL AND ` + isIn("sc.startup_id", cond) + `
  GROUP BY sc.stage
), current AS (
  SELECT n.stage, count(*) AS n FROM startups n WHERE ` + cond + ` GROUP BY n.stage
)
SELECT st.stage, COALESCE(c.n, 0) AS at_stage, m.median
FROM unnest(` + order + `::text[]) WITH ORDINALITY AS st(stage, ord)
LEFT JOIN current c ON c.stage = st.stage
LEFT JOIN medians m ON m.stage = st.stage
ORDER BY st.ord`
	return s.funnel(ctx, q, args)
}

// funnel reads Funnel's statement q (a row per stage, in order) and
// counts the startups that reached each stage.
func (s *Store) funnel(ctx context.Context, q string, args *sqlArgs) ([]model.FunnelStep, error) {
	var rows []struct {
		Stage   string   `db:"stage"`
		AtStage int      `db:"at_stage"`
		Median  *float64 `db:"median"`
	}
	if err := s.reader(ctx).SelectContext(ctx, &rows, q, args.list...); err != nil {
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

// TaskForceBySector counts the task force's experts the viewer may see per
// working-group field.
// Scoped: only what ctx's viewer may see (scope.go).
// The slice does not choose the experts; it says whether archived ones
// count (IncludeArchived).
func (s *Store) TaskForceBySector(ctx context.Context, in Insights) ([]model.InsightGroup, error) {
	ctx = in.context(ctx)
	args := &sqlArgs{}
	q := `SELECT g.key, g.name_ko, g.name_en, count(DISTINCT m.id) AS n, NULL::bigint AS amount
FROM mentors m JOIN mentor_sectors e ON e.mentor_id = m.id JOIN sectors g ON g.id = e.sector_id
WHERE m.task_force_member AND g.task_force_field` + scoped(ctx, args, mentorGuard("m.id"), archivedGuard("mentors", "m.id")) + `
GROUP BY g.id, g.key, g.name_ko, g.name_en ORDER BY g.name_en`
	return s.groups(ctx, "task force", q, args)
}

// CountTaskForceExperts counts the task force's experts the viewer may see.
// Scoped: only what ctx's viewer may see (scope.go).
// The slice does not choose the experts; it says whether archived ones
// count (IncludeArchived).
func (s *Store) CountTaskForceExperts(ctx context.Context, in Insights) (int, error) {
	ctx = in.context(ctx)
	args := &sqlArgs{}
	q := `SELECT count(*) FROM mentors m WHERE m.task_force_member` + scoped(ctx, args, mentorGuard("m.id"), archivedGuard("mentors", "m.id"))
	var n int
	if err := s.reader(ctx).GetContext(ctx, &n, q, args.list...); err != nil {
		return 0, translate(fmt.Errorf("insights task force: %w", err))
	}
	return n, nil
}
