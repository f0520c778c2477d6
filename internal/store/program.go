package store

import (
	"context"
	"fmt"

	"startupgraph/internal/model"
)

type programRow struct {
	nodeRow
	Kind string `db:"kind"`
}

func (r programRow) model() model.Program {
	return model.Program{
		RowID: r.ID, Key: r.Key, Names: r.names(), Descriptions: r.descriptions(),
		Kind: model.ProgramKind(r.Kind), Provenance: model.Provenance(r.Provenance),
	}
}

// ListPrograms returns every program, ordered by English name.
func (s *Store) ListPrograms(ctx context.Context) ([]model.Program, error) {
	const q = `
SELECT id, key, name_ko, name_en, description_ko, description_en, provenance,
       kind
FROM programs
ORDER BY name_en, id`
	var rows []programRow
	if err := s.db.SelectContext(ctx, &rows, q); err != nil {
		return nil, translate(fmt.Errorf("list programs: %w", err))
	}
	return convertAll(rows, programRow.model), nil
}
