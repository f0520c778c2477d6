package store

import (
	"context"

	"startupgraph/internal/model"
)

type facilityRow struct {
	pageCols
	stampRow
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

const facilityCols = `n.id, n.key, n.name_ko, n.name_en, n.kind, n.parent_id, n.operator_id, n.area_m2, n.opens_in,
       n.location_ko, n.location_en, n.provenance, n.created_at, n.updated_at`

func (r facilityRow) model() model.Facility {
	return model.Facility{Stamps: r.stamps(),
		RowID: r.ID, Key: r.Key, Names: model.Names{NameKo: r.NameKo, NameEn: r.NameEn},
		Kind: model.FacilityKind(r.Kind), ParentID: r.ParentID, OperatorID: r.OperatorID,
		AreaSquareMeters: r.AreaSquareMeters, OpensIn: r.OpensIn,
		LocationKo: r.LocationKo, LocationEn: r.LocationEn, Provenance: model.Provenance(r.Provenance),
	}
}

// ListFacilities pages the campus and its spaces.
func (s *Store) ListFacilities(ctx context.Context, w *Where, order Order, page PageArgs) (model.Connection[model.FacilityEdge, model.Facility], error) {
	var c conditions
	if err := addWhere(ctx, &c, "Facility", w); err != nil {
		return model.Connection[model.FacilityEdge, model.Facility]{}, err
	}
	return listPage(ctx, s, nodeList(ctx, facilityCols, "Facility", c, order), page, facilityEdge)
}

// FacilitiesByID returns the facilities with the given ids.
func (s *Store) FacilitiesByID(ctx context.Context, ids []int64) (map[int64]model.Facility, error) {
	const q = `SELECT ` + facilityCols + ` FROM facilities n WHERE n.id = ANY($1)`
	return byIDs(ctx, s.reader(ctx), "facilities", q, ids, facilityRow.model, func(r facilityRow) int64 { return r.ID })
}
