package store

import (
	"context"
	"time"

	"startupgraph/internal/model"
)

type marketRow struct {
	pageCols
	stampRow
	ID         int64      `db:"id"`
	Key        string     `db:"key"`
	Code       string     `db:"code"`
	Kind       string     `db:"kind"`
	NameKo     string     `db:"name_ko"`
	NameEn     string     `db:"name_en"`
	Provenance string     `db:"provenance"`
	Version    int        `db:"version"`
	ArchivedAt *time.Time `db:"archived_at"`
}

const marketCols = `n.id, n.key, n.code, n.kind, n.name_ko, n.name_en, n.provenance, n.version, n.archived_at, n.created_at, n.updated_at`

func (r marketRow) model() model.Market {
	return model.Market{Stamps: r.stamps(), RowID: r.ID, Key: r.Key, Code: r.Code, Kind: model.MarketKind(r.Kind),
		Names: model.Names{NameKo: r.NameKo, NameEn: r.NameEn}, Version: r.Version, ArchivedAt: r.ArchivedAt,
		Provenance: model.Provenance(r.Provenance)}
}

// MarketFilter selects markets.
type MarketFilter struct {
	Kind  *string
	Codes []string
}

// ListMarkets pages the markets matching f.
func (s *Store) ListMarkets(ctx context.Context, f MarketFilter, w *Where, order Order, page PageArgs) (model.Connection[model.MarketEdge, model.Market], error) {
	var c conditions
	if f.Kind != nil {
		c.add("n.kind = ?", *f.Kind)
	}
	c.strs("n.code = ANY(?)", f.Codes)
	if err := addWhere(ctx, &c, "Market", w); err != nil {
		return model.Connection[model.MarketEdge, model.Market]{}, err
	}
	return listPage(ctx, s, nodeList(ctx, marketCols, "Market", c, order), page, marketEdge)
}

// MarketsByID returns the markets with the given ids.
func (s *Store) MarketsByID(ctx context.Context, ids []int64) (map[int64]model.Market, error) {
	const q = `SELECT ` + marketCols + ` FROM markets n WHERE n.id = ANY($1)`
	return byIDs(ctx, s.reader(ctx), "markets", q, ids, marketRow.model, func(r marketRow) int64 { return r.ID })
}
