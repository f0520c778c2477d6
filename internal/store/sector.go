package store

import (
	"context"
	"fmt"

	"startupgraph/internal/model"
)

type sectorRow struct {
	nodeRow
	TaskForceField bool `db:"task_force_field"`
}

func (r sectorRow) model() model.Sector {
	return model.Sector{
		RowID: r.ID, Key: r.Key, Names: r.names(), Descriptions: r.descriptions(),
		TaskForceField: r.TaskForceField, Provenance: model.Provenance(r.Provenance),
	}
}

// ListSectors returns every sector, ordered by English name.
func (s *Store) ListSectors(ctx context.Context) ([]model.Sector, error) {
	const q = `
SELECT id, key, name_ko, name_en, description_ko, description_en, provenance,
       task_force_field
FROM sectors
ORDER BY name_en, id`
	var rows []sectorRow
	if err := s.db.SelectContext(ctx, &rows, q); err != nil {
		return nil, translate(fmt.Errorf("list sectors: %w", err))
	}
	return convertAll(rows, sectorRow.model), nil
}
