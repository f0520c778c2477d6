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
	return model.Sector{
		RowID: r.ID, Key: r.Key, Names: r.names(), Descriptions: r.descriptions(),
		TaskForceField: r.TaskForceField, Provenance: model.Provenance(r.Provenance),
	}
}

func sectorEdge(r sectorRow, cursor model.Cursor) model.SectorEdge {
	return model.SectorEdge{Cursor: cursor, Node: ptr(r.model())}
}

// SectorFilter selects sectors.
type SectorFilter struct {
	TaskForceField *bool
}

// ListSectors pages the sectors matching f.
func (s *Store) ListSectors(ctx context.Context, f SectorFilter, order NameOrder, page PageArgs) (model.Connection[model.SectorEdge, model.Sector], error) {
	var c conditions
	c.boolean("n.task_force_field = ?", f.TaskForceField)
	return listPage(ctx, s, listQuery(sectorCols, "sectors n", c, order.key("sectors")), page, sectorEdge)
}

// SectorsByID returns the sectors with the given ids.
func (s *Store) SectorsByID(ctx context.Context, ids []int64) (map[int64]model.Sector, error) {
	const q = `SELECT ` + sectorCols + ` FROM sectors n WHERE n.id = ANY($1)`
	return byIDs(ctx, s.db, "sectors", q, ids, sectorRow.model, sectorRow.rowID)
}

// StartupSectors pages the sectors of each startup.
var StartupSectors = newChild("startup-sectors/startup", sectorCols,
	"startup_sectors e JOIN sectors n ON n.id = e.sector_id", "e.startup_id", "e.id", nil, sectorEdge, startupGuard("e.startup_id"))

// SectorStartups pages the startups of each sector.
var SectorStartups = newChild("startup-sectors/sector", startupCols,
	"startup_sectors e JOIN startups n ON n.id = e.startup_id", "e.sector_id", "e.id", nil, startupEdge, startupGuard("n.id"))

// MentorSectors pages the sectors of expertise of each mentor.
var MentorSectors = newChild("mentor-sectors/mentor", sectorCols,
	"mentor_sectors e JOIN sectors n ON n.id = e.sector_id", "e.mentor_id", "e.id", nil, sectorEdge, mentorGuard("e.mentor_id"))

// SectorMentors pages the mentors with expertise in each sector.
var SectorMentors = newChild("mentor-sectors/sector", mentorCols,
	"mentor_sectors e JOIN mentors n ON n.id = e.mentor_id", "e.sector_id", "e.id", nil, mentorEdge, mentorGuard("n.id"))
