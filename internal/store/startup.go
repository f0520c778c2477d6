package store

import (
	"context"
	"time"

	"startupgraph/internal/model"
)

type startupRow struct {
	nodeRow
	Stage      string     `db:"stage"`
	FoundedOn  *time.Time `db:"founded_on"`
	FacilityID *int64     `db:"facility_id"`
	Version    int        `db:"version"`
	ArchivedAt *time.Time `db:"archived_at"`
}

const startupCols = nodeCols + `, n.stage, n.founded_on, n.facility_id, n.version, n.archived_at`

func (r startupRow) model() model.Startup {
	return model.Startup{Stamps: r.stamps(),
		RowID: r.ID, Key: r.Key, Names: r.names(), Descriptions: r.descriptions(),
		Stage: model.GrowthStage(r.Stage), FoundedOn: datePtr(r.FoundedOn), FacilityID: r.FacilityID,
		Version: r.Version, ArchivedAt: r.ArchivedAt,
		Provenance: model.Provenance(r.Provenance),
	}
}

// StartupFilter selects startups (see model.StartupCriteria).
type StartupFilter = model.StartupCriteria

// startupFigures are the related figures startups sort by: each over one
// startup's own rows (its investments, mentorships, market targets,
// outcomes, stage changes), which a viewer who sees the startup sees;
// never NULL. The figures are columns of startups that triggers keep equal
// to those rows on every write (migration 00010; startupFigureRecounts
// are the expressions they equal), each indexed, so a list ordered by
// one reads the index in order.
var startupFigures = map[string]sortPart{
	"NAME_KO":             {"n.name_ko", "text", false},
	"FOUNDED_ON":          {"COALESCE(n.founded_on, DATE '0001-01-01')", "date", false},
	"INVESTED_TOTAL":      {"n.invested_total", "numeric", false},
	"MENTOR_COUNT":        {"n.mentor_count", "bigint", false},
	"MARKET_TARGET_COUNT": {"n.market_target_count", "bigint", false},
	"JOBS_CREATED":        {"n.jobs_created", "bigint", false},
	"PATENTS":             {"n.patents", "bigint", false},
	"EXPORT_VALUE":        {"n.export_value", "numeric", false},
	"LAST_STAGE_CHANGE":   {"n.last_stage_change", "date", false},
	"NAME_EN":             {"n.name_en", "text", false},
	"CREATED_AT":          stampPart("n.created_at"),
	"UPDATED_AT":          stampPart("n.updated_at"),
}

// startupFigureRecounts are the figures of startupFigures kept as columns,
// each as the expression over the startup's rows that its column equals;
// the edges of archived funds, mentors and markets are not counted
// (migration 00020).
var startupFigureRecounts = map[string]string{
	"invested_total":      "(SELECT COALESCE(sum(x.amount_krw), 0) FROM investments x JOIN funds f ON f.id = x.fund_id WHERE x.startup_id = n.id AND f.archived_at IS NULL)",
	"mentor_count":        "(SELECT count(*) FROM mentorships x JOIN mentors m ON m.id = x.mentor_id WHERE x.startup_id = n.id AND m.archived_at IS NULL)",
	"market_target_count": "(SELECT count(*) FROM market_targets x JOIN markets k ON k.id = x.market_id WHERE x.startup_id = n.id AND k.archived_at IS NULL)",
	"jobs_created":        "(SELECT COALESCE(sum(x.quantity), 0) FROM outcomes x WHERE x.startup_id = n.id AND x.kind = 'JOBS_CREATED')",
	"patents":             "(SELECT COALESCE(sum(x.quantity), 0) FROM outcomes x WHERE x.startup_id = n.id AND x.kind IN ('PATENT_DOMESTIC', 'PATENT_FOREIGN'))",
	"export_value":        "(SELECT COALESCE(sum(x.amount_krw), 0) FROM outcomes x WHERE x.startup_id = n.id AND x.kind = 'EXPORT_CONTRACT')",
	"last_stage_change":   "COALESCE((SELECT max(x.changed_on) FROM stage_changes x WHERE x.startup_id = n.id), DATE '0001-01-01')",
}

// startupConditions renders f inside ctx's viewer's scope (see exists):
// of a visible startup the viewer sees every sector, membership,
// mentorship, investment and market target, but only its own university's
// assignments.
func startupConditions(ctx context.Context, f StartupFilter) conditions {
	var c conditions
	c.exists(ctx, "startup_sectors x", "x.startup_id = n.id AND x.sector_id = ANY(?)", f.SectorIDs)
	c.strs("n.stage = ANY(?)", f.Stages)
	// An edge to an archived node selects nothing (archivedGuard).
	c.exists(ctx, "memberships x JOIN cohorts xc ON xc.id = x.cohort_id", "x.startup_id = n.id AND xc.program_id = ANY(?)", f.ProgramIDs,
		archivedGuard("cohorts", "xc.id"), archivedGuard("programs", "xc.program_id"))
	c.exists(ctx, "memberships x", "x.startup_id = n.id AND x.cohort_id = ANY(?)", f.CohortIDs, archivedGuard("cohorts", "x.cohort_id"))
	c.exists(ctx, "assignments x", "x.startup_id = n.id AND x.university_id = ANY(?)", f.UniversityIDs, ownAssignmentGuard("x.university_id"))
	c.exists(ctx, "mentorships x", "x.startup_id = n.id AND x.mentor_id = ANY(?)", f.MentorIDs, archivedGuard("mentors", "x.mentor_id"))
	c.exists(ctx, "investments x", "x.startup_id = n.id AND x.fund_id = ANY(?)", f.FundIDs, archivedGuard("funds", "x.fund_id"))
	if len(f.MarketIDs) > 0 || len(f.TargetStatuses) > 0 {
		var t conditions
		t.args = c.args
		t.ids("x.market_id = ANY(?)", f.MarketIDs)
		t.strs("x.status = ANY(?)", f.TargetStatuses)
		c.args = t.args
		c.where = append(c.where, "EXISTS (SELECT 1 FROM market_targets x WHERE x.startup_id = n.id AND "+joinAnd(t.where)+
			scoped(ctx, &c.args, archivedGuard("markets", "x.market_id"))+")")
	}
	if f.FoundedFrom != nil {
		c.add("n.founded_on >= ?", *f.FoundedFrom)
	}
	if f.FoundedTo != nil {
		c.add("n.founded_on <= ?", *f.FoundedTo)
	}
	c.search("(n.name_ko || ' ' || n.name_en)", f.Search)
	return c
}

// ListStartups pages the startups matching f.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) ListStartups(ctx context.Context, f StartupFilter, w *Where, order Order, page PageArgs) (model.Connection[model.StartupEdge, model.Startup], error) {
	c := startupConditions(ctx, f)
	if err := addWhere(ctx, &c, "Startup", w); err != nil {
		return model.Connection[model.StartupEdge, model.Startup]{}, err
	}
	sort, err := order.key(ctx, &c.args, "Startup", "startups")
	if err != nil {
		return model.Connection[model.StartupEdge, model.Startup]{}, err
	}
	q := listQuery(startupCols, "startups n", c, sort, withArchivedGuard(ctx, []guard{startupGuard("n.id")}, "startups", "n.id")...)
	q.measures = &measureSource{node: "Startup", alias: "n"}
	if w == nil {
		q.totalQuery = sectorStageCount(ctx, f)
	}
	return listPage(ctx, s, q, page, startupEdge)
}

// sectorStageCount is the query that counts a filter by one sector and
// any stages, and by nothing else, from startup_sectors alone: each of its
// rows holds its startup's stage (migration 00006), and there is one row
// per startup and sector, so the (sector_id, stage, startup_id) index
// answers with the matching entries only. nil for any other filter.
func sectorStageCount(ctx context.Context, f StartupFilter) *pageQuery {
	rest := f
	rest.SectorIDs, rest.Stages = nil, nil
	if len(f.SectorIDs) != 1 || len(startupConditions(ctx, rest).where) > 0 {
		return nil
	}
	var c conditions
	c.ids("x.sector_id = ANY(?)", f.SectorIDs)
	c.strs("x.stage = ANY(?)", f.Stages)
	q := listQuery("", "startup_sectors x", c, sortKey{tag: "startups by sector and stage"},
		withArchivedGuard(ctx, []guard{startupGuard("x.startup_id")}, "startups", "x.startup_id")...)
	return &q
}

// StartupsByID returns the startups with the given ids.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) StartupsByID(ctx context.Context, ids []int64) (map[int64]model.Startup, error) {
	const q = `SELECT ` + startupCols + ` FROM startups n WHERE n.id = ANY($1)`
	return byIDs(ctx, s.reader(ctx), "startups", q, ids, startupRow.model, startupRow.rowID, startupGuard("n.id"))
}

type stageChangeRow struct {
	pageCols
	stampRow
	ID        int64     `db:"id"`
	Version   int       `db:"version"`
	Stage     string    `db:"stage"`
	ChangedOn time.Time `db:"changed_on"`
	Note      *string   `db:"note"`
}

const stageChangeCols = `n.id, n.version, n.stage, n.changed_on, n.note, n.created_at, n.updated_at`

func (r stageChangeRow) model() model.StageChange {
	return model.StageChange{Stamps: r.stamps(), RowID: r.ID, Version: r.Version, Stage: model.GrowthStage(r.Stage), ChangedOn: date(r.ChangedOn), Note: r.Note}
}

type outcomeRow struct {
	pageCols
	stampRow
	ID         int64     `db:"id"`
	Version    int       `db:"version"`
	Kind       string    `db:"kind"`
	ReportedOn time.Time `db:"reported_on"`
	Quantity   int       `db:"quantity"`
	AmountKRW  *int64    `db:"amount_krw"`
	MarketID   *int64    `db:"market_id"`
	Note       *string   `db:"note"`
}

const outcomeCols = `n.id, n.version, n.kind, n.reported_on, n.quantity, n.amount_krw, n.market_id, n.note, n.created_at, n.updated_at`

func (r outcomeRow) model() model.Outcome {
	o := model.Outcome{Stamps: r.stamps(), RowID: r.ID, Version: r.Version, Kind: model.OutcomeKind(r.Kind), ReportedOn: date(r.ReportedOn), Quantity: r.Quantity, MarketID: r.MarketID, Note: r.Note}
	if r.AmountKRW != nil {
		a := model.KRW(*r.AmountKRW)
		o.Amount = &a
	}
	return o
}
