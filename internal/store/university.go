package store

import (
	"context"
	"fmt"

	"startupgraph/internal/model"
)

type universityRow struct {
	nodeRow
	ShortName   string `db:"short_name"`
	HomeCountry string `db:"home_country"`
	MouPartner  bool   `db:"mou_partner"`
}

const universityCols = nodeCols + `, n.short_name, n.home_country, n.mou_partner`

func (r universityRow) model() model.University {
	return model.University{Stamps: r.stamps(),
		RowID: r.ID, Key: r.Key, Names: r.names(), Descriptions: r.descriptions(),
		ShortName: r.ShortName, HomeCountry: r.HomeCountry, MouPartner: r.MouPartner,
		Provenance: model.Provenance(r.Provenance),
	}
}

// ListUniversities returns the universities matching w (every one when
// nil), ordered by English name.
func (s *Store) ListUniversities(ctx context.Context, w *Where) ([]model.University, error) {
	var c conditions
	if err := addWhere(ctx, &c, "University", w); err != nil {
		return nil, err
	}
	q := `SELECT ` + universityCols + ` FROM universities n WHERE ` + joinAnd(c.where) + ` ORDER BY n.name_en, n.id`
	var rows []universityRow
	if err := s.reader(ctx).SelectContext(ctx, &rows, q, c.args.list...); err != nil {
		return nil, translate(fmt.Errorf("list universities: %w", err))
	}
	return convertAll(rows, universityRow.model), nil
}

// UniversitiesByID returns the universities with the given ids.
func (s *Store) UniversitiesByID(ctx context.Context, ids []int64) (map[int64]model.University, error) {
	const q = `SELECT ` + universityCols + ` FROM universities n WHERE n.id = ANY($1)`
	return byIDs(ctx, s.reader(ctx), "universities", q, ids, universityRow.model, universityRow.rowID)
}

// assignmentFacts are the columns of an assignment, selected beside the
// node at the other end of the edge.
