package store

import (
	"context"

	"startupgraph/internal/model"
)

type sectorRow struct {
	nodeRow
	TaskForceField bool `db:"task_force_field"`
}

const sectorCols = nodeCols + `, n.task_force_field`

func (r sectorRow) model() model.Sector {
	return model.Sector{Stamps: r.stamps(),
		RowID: r.ID, Key: r.Key, Names: r.names(), Descriptions: r.descriptions(),
		TaskForceField: r.TaskForceField, Provenance: model.Provenance(r.Provenance),
	}
}

// SectorFilter selects sectors.
type SectorFilter struct {
	TaskForceField *bool
}

// ListSectors pages the sectors matching f.
func (s *Store) ListSectors(ctx context.Context, f SectorFilter, w *Where, order Order, page PageArgs) (model.Connection[model.SectorEdge, model.Sector], error) {
	var c conditions
	c.boolean("n.task_force_field = ?", f.TaskForceField)
	if err := addWhere(ctx, &c, "Sector", w); err != nil {
		return model.Connection[model.SectorEdge, model.Sector]{}, err
	}
	return listPage(ctx, s, nodeList(ctx, sectorCols, "Sector", c, order), page, sectorEdge)
}

// SectorsByID returns the sectors with the given ids.
func (s *Store) SectorsByID(ctx context.Context, ids []int64) (map[int64]model.Sector, error) {
	const q = `SELECT ` + sectorCols + ` FROM sectors n WHERE n.id = ANY($1)`
	return byIDs(ctx, s.reader(ctx), "sectors", q, ids, sectorRow.model, sectorRow.rowID)
}
