package store

import (
	"context"
	"time"

	"startupgraph/internal/model"
)

type programRow struct {
	nodeRow
	Kind       string     `db:"kind"`
	Version    int        `db:"version"`
	ArchivedAt *time.Time `db:"archived_at"`
}

const programCols = nodeCols + `, n.kind, n.version, n.archived_at`

func (r programRow) model() model.Program {
	return model.Program{Stamps: r.stamps(),
		RowID: r.ID, Key: r.Key, Names: r.names(), Descriptions: r.descriptions(),
		Kind: model.ProgramKind(r.Kind), Version: r.Version, ArchivedAt: r.ArchivedAt, Provenance: model.Provenance(r.Provenance),
	}
}

// ProgramFilter selects programs.
type ProgramFilter struct {
	Kinds []string
}

// ListPrograms pages the programs matching f.
func (s *Store) ListPrograms(ctx context.Context, f ProgramFilter, w *Where, order Order, page PageArgs) (model.Connection[model.ProgramEdge, model.Program], error) {
	var c conditions
	c.strs("n.kind = ANY(?)", f.Kinds)
	if err := addWhere(ctx, &c, "Program", w); err != nil {
		return model.Connection[model.ProgramEdge, model.Program]{}, err
	}
	return listPage(ctx, s, nodeList(ctx, programCols, "Program", c, order), page, programEdge)
}

// ProgramsByID returns the programs with the given ids.
func (s *Store) ProgramsByID(ctx context.Context, ids []int64) (map[int64]model.Program, error) {
	const q = `SELECT ` + programCols + ` FROM programs n WHERE n.id = ANY($1)`
	return byIDs(ctx, s.reader(ctx), "programs", q, ids, programRow.model, programRow.rowID)
}

type cohortRow struct {
	pageCols
	stampRow
	ID         int64      `db:"id"`
	Key        string     `db:"key"`
	ProgramID  int64      `db:"program_id"`
	NameKo     string     `db:"name_ko"`
	NameEn     string     `db:"name_en"`
	Year       int        `db:"year"`
	TeamQuota  *int       `db:"team_quota"`
	Provenance string     `db:"provenance"`
	Version    int        `db:"version"`
	ArchivedAt *time.Time `db:"archived_at"`
}

const cohortCols = `n.id, n.key, n.program_id, n.name_ko, n.name_en, n.year, n.team_quota, n.provenance, n.version, n.archived_at, n.created_at, n.updated_at`

func (r cohortRow) model() model.Cohort {
	return model.Cohort{Stamps: r.stamps(), RowID: r.ID, Key: r.Key, ProgramID: r.ProgramID, Names: model.Names{NameKo: r.NameKo, NameEn: r.NameEn},
		Year: r.Year, TeamQuota: r.TeamQuota, Version: r.Version, ArchivedAt: r.ArchivedAt, Provenance: model.Provenance(r.Provenance)}
}

// CohortsByID returns the cohorts with the given ids.
func (s *Store) CohortsByID(ctx context.Context, ids []int64) (map[int64]model.Cohort, error) {
	const q = `SELECT ` + cohortCols + ` FROM cohorts n WHERE n.id = ANY($1)`
	return byIDs(ctx, s.reader(ctx), "cohorts", q, ids, cohortRow.model, func(r cohortRow) int64 { return r.ID })
}
