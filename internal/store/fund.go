package store

import (
	"context"
	"time"

	"startupgraph/internal/model"
)

type fundRow struct {
	nodeRow
	Kind        string     `db:"kind"`
	SizeKRW     int64      `db:"size_krw"`
	ManagerID   *int64     `db:"manager_id"`
	SponsorID   *int64     `db:"sponsor_id"`
	ProgramID   *int64     `db:"program_id"`
	VintageYear *int       `db:"vintage_year"`
	Version     int        `db:"version"`
	ArchivedAt  *time.Time `db:"archived_at"`
}

const fundCols = nodeCols + `, n.kind, n.size_krw, n.manager_id, n.sponsor_id, n.program_id, n.vintage_year, n.version, n.archived_at`

func (r fundRow) model() model.Fund {
	return model.Fund{Stamps: r.stamps(),
		RowID: r.ID, Key: r.Key, Names: r.names(), Descriptions: r.descriptions(),
		Kind: model.FundKind(r.Kind), Size: model.KRW(r.SizeKRW),
		ManagerID: r.ManagerID, SponsorID: r.SponsorID, ProgramID: r.ProgramID,
		VintageYear: r.VintageYear, Version: r.Version, ArchivedAt: r.ArchivedAt, Provenance: model.Provenance(r.Provenance),
	}
}

// FundFilter selects funds.
type FundFilter struct {
	Kinds []string
}

// ListFunds pages the funds matching f.
func (s *Store) ListFunds(ctx context.Context, f FundFilter, w *Where, order Order, page PageArgs) (model.Connection[model.FundEdge, model.Fund], error) {
	var c conditions
	c.strs("n.kind = ANY(?)", f.Kinds)
	if err := addWhere(ctx, &c, "Fund", w); err != nil {
		return model.Connection[model.FundEdge, model.Fund]{}, err
	}
	return listPage(ctx, s, nodeList(ctx, fundCols, "Fund", c, order), page, fundEdge)
}

// FundsByID returns the funds with the given ids.
func (s *Store) FundsByID(ctx context.Context, ids []int64) (map[int64]model.Fund, error) {
	const q = `SELECT ` + fundCols + ` FROM funds n WHERE n.id = ANY($1)`
	return byIDs(ctx, s.reader(ctx), "funds", q, ids, fundRow.model, fundRow.rowID)
}

// investmentRow is an investment; beside a joined node its columns carry
// the inv_ prefix.
type investmentRow struct {
	pageCols
	InvID         int64     `db:"inv_id"`
	InvFundID     int64     `db:"inv_fund_id"`
	InvStartupID  int64     `db:"inv_startup_id"`
	InvAmount     int64     `db:"inv_amount_krw"`
	InvInvestedOn time.Time `db:"inv_invested_on"`
	InvRound      string    `db:"inv_round"`
	InvProvenance string    `db:"inv_provenance"`
	InvVersion    int       `db:"inv_version"`
	InvPre        bool      `db:"inv_pre_founding"`
	InvCreatedAt  time.Time `db:"inv_created_at"`
	InvUpdatedAt  time.Time `db:"inv_updated_at"`
}

const investmentCols = `e.id AS inv_id, e.fund_id AS inv_fund_id, e.startup_id AS inv_startup_id, e.amount_krw AS inv_amount_krw,
       e.invested_on AS inv_invested_on, e.round AS inv_round, e.provenance AS inv_provenance, e.version AS inv_version,
       e.pre_founding AS inv_pre_founding, e.created_at AS inv_created_at, e.updated_at AS inv_updated_at`

func (r investmentRow) model() model.Investment {
	return model.Investment{Stamps: model.Stamps{CreatedAt: r.InvCreatedAt, UpdatedAt: r.InvUpdatedAt}, RowID: r.InvID, FundID: r.InvFundID, StartupID: r.InvStartupID, Amount: model.KRW(r.InvAmount),
		InvestedOn: date(r.InvInvestedOn), Round: model.InvestmentRound(r.InvRound), Version: r.InvVersion,
		PreFounding: r.InvPre, Provenance: model.Provenance(r.InvProvenance)}
}

// InvestmentFilter selects investments.
type InvestmentFilter struct {
	FundIDs, StartupIDs []int64
	Rounds              []string
	From, To            *time.Time
	MinAmount           *int64
}

// InvestmentOrder sorts investments by date (default) or amount.
type InvestmentOrder struct {
	ByAmount bool
	Asc      bool
}

// ListInvestments pages the investments matching f.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) ListInvestments(ctx context.Context, f InvestmentFilter, w *Where, order InvestmentOrder, page PageArgs) (model.Connection[model.InvestmentEdge, model.Investment], error) {
	var c conditions
	if err := addWhereAs(ctx, &c, "Investment", "e", w); err != nil {
		return model.Connection[model.InvestmentEdge, model.Investment]{}, err
	}
	c.ids("e.fund_id = ANY(?)", f.FundIDs)
	c.ids("e.startup_id = ANY(?)", f.StartupIDs)
	c.strs("e.round = ANY(?)", f.Rounds)
	if f.From != nil {
		c.add("e.invested_on >= ?", *f.From)
	}
	if f.To != nil {
		c.add("e.invested_on <= ?", *f.To)
	}
	if f.MinAmount != nil {
		c.add("e.amount_krw >= ?", *f.MinAmount)
	}
	sort := sortKey{tag: "investments/INVESTED_ON", expr: "e.invested_on", cast: "date", desc: !order.Asc}
	if order.ByAmount {
		sort = sortKey{tag: "investments/AMOUNT", expr: "e.amount_krw", cast: "bigint", desc: !order.Asc}
	}
	q := pageQuery{columns: investmentCols, from: "investments e", idExpr: "e.id", where: c.where, args: c.args, sort: sort,
		guards:   withArchivedGuard(ctx, withArchivedGuard(ctx, []guard{startupGuard("e.startup_id")}, "startups", "e.startup_id"), "funds", "e.fund_id"),
		measures: &measureSource{node: "Investment", alias: "e"}}
	return listPage(ctx, s, q, page, investmentEdge)
}

// InvestmentsByID returns the investments with the given ids.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) InvestmentsByID(ctx context.Context, ids []int64) (map[int64]model.Investment, error) {
	const q = `SELECT ` + investmentCols + ` FROM investments e WHERE e.id = ANY($1)`
	return byIDs(ctx, s.reader(ctx), "investments", q, ids, investmentRow.model, func(r investmentRow) int64 { return r.InvID }, investmentGuard("e.id"))
}
