package store

import (
	"context"
	"fmt"

	"startupgraph/internal/model"
)

type facilityRow struct {
	ID               int64   `db:"id"`
	Key              string  `db:"key"`
	NameKo           string  `db:"name_ko"`
	NameEn           string  `db:"name_en"`
	Kind             string  `db:"kind"`
	ParentID         *int64  `db:"parent_id"`
	OperatorID       *int64  `db:"operator_id"`
	AreaSquareMeters *int    `db:"area_m2"`
	OpensIn          *string `db:"opens_in"`
	LocationKo       *string `db:"location_ko"`
	LocationEn       *string `db:"location_en"`
	Provenance       string  `db:"provenance"`
}

func (r facilityRow) model() model.Facility {
	return model.Facility{
		RowID: r.ID, Key: r.Key, Names: model.Names{NameKo: r.NameKo, NameEn: r.NameEn},
		Kind: model.FacilityKind(r.Kind), ParentID: r.ParentID, OperatorID: r.OperatorID,
		AreaSquareMeters: r.AreaSquareMeters, OpensIn: r.OpensIn,
		LocationKo: r.LocationKo, LocationEn: r.LocationEn, Provenance: model.Provenance(r.Provenance),
	}
}

// ListFacilities returns the campus and its spaces, the campus first.
func (s *Store) ListFacilities(ctx context.Context) ([]model.Facility, error) {
	const q = `
SELECT id, key, name_ko, name_en, kind, parent_id, operator_id, area_m2, opens_in,
       location_ko, location_en, provenance
FROM facilities
ORDER BY parent_id NULLS FIRST, id`
	var rows []facilityRow
	if err := s.db.SelectContext(ctx, &rows, q); err != nil {
		return nil, translate(fmt.Errorf("list facilities: %w", err))
	}
	return convertAll(rows, facilityRow.model), nil
}
