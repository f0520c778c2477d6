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
	return model.Program{
		RowID: r.ID, Key: r.Key, Names: r.names(), Descriptions: r.descriptions(),
		Kind: model.ProgramKind(r.Kind), Version: r.Version, ArchivedAt: r.ArchivedAt, Provenance: model.Provenance(r.Provenance),
	}
}

// ProgramFilter selects programs.
type ProgramFilter struct {
	Kinds []string
}

// ListPrograms pages the programs matching f.
func (s *Store) ListPrograms(ctx context.Context, f ProgramFilter, order NameOrder, page PageArgs) (model.Connection[model.ProgramEdge, model.Program], error) {
	var c conditions
	c.strs("n.kind = ANY(?)", f.Kinds)
	return listPage(ctx, s, listQuery(programCols, "programs n", c, order.key("programs")), page,
		func(r programRow, cursor model.Cursor) model.ProgramEdge {
			return model.ProgramEdge{Cursor: cursor, Node: ptr(r.model())}
		})
}

// ProgramsByID returns the programs with the given ids.
func (s *Store) ProgramsByID(ctx context.Context, ids []int64) (map[int64]model.Program, error) {
	const q = `SELECT ` + programCols + ` FROM programs n WHERE n.id = ANY($1)`
	return byIDs(ctx, s.db, "programs", q, ids, programRow.model, programRow.rowID)
}

type cohortRow struct {
	pageCols
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

const cohortCols = `n.id, n.key, n.program_id, n.name_ko, n.name_en, n.year, n.team_quota, n.provenance, n.version, n.archived_at`

func (r cohortRow) model() model.Cohort {
	return model.Cohort{RowID: r.ID, Key: r.Key, ProgramID: r.ProgramID, Names: model.Names{NameKo: r.NameKo, NameEn: r.NameEn},
		Year: r.Year, TeamQuota: r.TeamQuota, Version: r.Version, ArchivedAt: r.ArchivedAt, Provenance: model.Provenance(r.Provenance)}
}

// CohortsByID returns the cohorts with the given ids.
func (s *Store) CohortsByID(ctx context.Context, ids []int64) (map[int64]model.Cohort, error) {
	const q = `SELECT ` + cohortCols + ` FROM cohorts n WHERE n.id = ANY($1)`
	return byIDs(ctx, s.db, "cohorts", q, ids, cohortRow.model, func(r cohortRow) int64 { return r.ID })
}

// ProgramCohorts pages the cohorts of each program, newest year first.
var ProgramCohorts = newChild("cohorts/program", cohortCols, "cohorts n", "n.program_id", "n.id",
	&sortKey{expr: "n.year", cast: "bigint", desc: true},
	func(r cohortRow, cursor model.Cursor) model.CohortEdge {
		return model.CohortEdge{Cursor: cursor, Node: ptr(r.model())}
	})

type membershipFacts struct {
	CohortID int64     `db:"cohort_id"`
	JoinedOn time.Time `db:"joined_on"`
}

func (m membershipFacts) model() model.Membership {
	return model.Membership{CohortID: m.CohortID, JoinedOn: date(m.JoinedOn)}
}

func memberEdge(r struct {
	startupRow
	membershipFacts
}, cursor model.Cursor) model.MemberEdge {
	return model.MemberEdge{Cursor: cursor, Node: ptr(r.startupRow.model()), Membership: r.membershipFacts.model()}
}

// ProgramMembers pages the startups in any cohort of each program.
var ProgramMembers = newChild("memberships/program", startupCols+", e.cohort_id, e.joined_on",
	"memberships e JOIN cohorts c ON c.id = e.cohort_id JOIN startups n ON n.id = e.startup_id", "c.program_id", "e.id", nil, memberEdge, startupGuard("n.id"))

// CohortMembers pages the startups of each cohort.
var CohortMembers = newChild("memberships/cohort", startupCols+", e.cohort_id, e.joined_on",
	"memberships e JOIN startups n ON n.id = e.startup_id", "e.cohort_id", "e.id", nil, memberEdge, startupGuard("n.id"))

// StartupPrograms pages the programs each startup is a member of, with the cohort.
var StartupPrograms = newChild("memberships/startup", programCols+", e.cohort_id, e.joined_on",
	"memberships e JOIN cohorts c ON c.id = e.cohort_id JOIN programs n ON n.id = c.program_id", "e.startup_id", "e.id", nil,
	func(r struct {
		programRow
		membershipFacts
	}, cursor model.Cursor) model.ProgramMembershipEdge {
		return model.ProgramMembershipEdge{Cursor: cursor, Node: ptr(r.programRow.model()), Membership: r.membershipFacts.model()}
	}, startupGuard("e.startup_id"))
