package store

import (
	"context"
	"fmt"

	"startupgraph/internal/model"
)

type fundRow struct {
	nodeRow
	Kind        string `db:"kind"`
	SizeKRW     int64  `db:"size_krw"`
	ManagerID   *int64 `db:"manager_id"`
	SponsorID   *int64 `db:"sponsor_id"`
	ProgramID   *int64 `db:"program_id"`
	VintageYear *int   `db:"vintage_year"`
}

func (r fundRow) model() model.Fund {
	return model.Fund{
		RowID: r.ID, Key: r.Key, Names: r.names(), Descriptions: r.descriptions(),
		Kind: model.FundKind(r.Kind), Size: model.KRW(r.SizeKRW),
		ManagerID: r.ManagerID, SponsorID: r.SponsorID, ProgramID: r.ProgramID,
		VintageYear: r.VintageYear, Provenance: model.Provenance(r.Provenance),
	}
}

// ListFunds returns every fund, ordered by English name.
func (s *Store) ListFunds(ctx context.Context) ([]model.Fund, error) {
	const q = `
SELECT id, key, name_ko, name_en, description_ko, description_en, provenance,
       kind, size_krw, manager_id, sponsor_id, program_id, vintage_year
FROM funds
ORDER BY name_en, id`
	var rows []fundRow
	if err := s.db.SelectContext(ctx, &rows, q); err != nil {
		return nil, translate(fmt.Errorf("list funds: %w", err))
	}
	return convertAll(rows, fundRow.model), nil
}
