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

func (r universityRow) model() model.University {
	return model.University{
		RowID: r.ID, Key: r.Key, Names: r.names(), Descriptions: r.descriptions(),
		ShortName: r.ShortName, HomeCountry: r.HomeCountry, MouPartner: r.MouPartner,
		Provenance: model.Provenance(r.Provenance),
	}
}

// ListUniversities returns every university, ordered by English name.
func (s *Store) ListUniversities(ctx context.Context) ([]model.University, error) {
	const q = `
SELECT id, key, name_ko, name_en, description_ko, description_en, provenance,
       short_name, home_country, mou_partner
FROM universities
ORDER BY name_en, id`
	var rows []universityRow
	if err := s.db.SelectContext(ctx, &rows, q); err != nil {
		return nil, translate(fmt.Errorf("list universities: %w", err))
	}
	return convertAll(rows, universityRow.model), nil
}
