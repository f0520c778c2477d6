package store

import "context"

// NewProgram is a program to create.
type NewProgram struct {
	NodeBase
	Kind                         string
	DescriptionKo, DescriptionEn *string
}

// CreateProgram creates a program.
// Replays only an earlier create by ctx's viewer's API key (idempotent).
func (s *Store) CreateProgram(ctx context.Context, in NewProgram) (Written, error) {
	c := append(in.cols(), col{"kind", in.Kind}, col{"description_ko", in.DescriptionKo}, col{"description_en", in.DescriptionEn})
	return s.createNode(ctx, programsTable, "createProgram", in.NodeBase, in, nil, c, nil)
}

// ProgramChanges is a partial update of a program.
type ProgramChanges struct {
	NameChanges
	Kind                         Field[string]
	DescriptionKo, DescriptionEn Field[*string]
}

// UpdateProgram applies changes if the program is still at version.
func (s *Store) UpdateProgram(ctx context.Context, id int64, version int, ch ProgramChanges) error {
	c := ch.cols()
	setIf(&c, "kind", ch.Kind)
	setIf(&c, "description_ko", ch.DescriptionKo)
	setIf(&c, "description_en", ch.DescriptionEn)
	return s.updateNode(ctx, programsTable, "updateProgram", id, version, nil, c, ch.NameChanges, nil)
}

// NewCohort is a cohort to create.
type NewCohort struct {
	NodeBase
	ProgramID int64
	Year      int
	TeamQuota *int
}

// CreateCohort creates a cohort of a program.
// Replays only an earlier create by ctx's viewer's API key (idempotent).
func (s *Store) CreateCohort(ctx context.Context, in NewCohort) (Written, error) {
	c := append(in.cols(), col{"program_id", in.ProgramID}, col{"year", in.Year}, col{"team_quota", in.TeamQuota})
	return s.createNode(ctx, cohortsTable, "createCohort", in.NodeBase, in, []reference{active("input.programId", "programs", in.ProgramID)}, c, nil)
}

// CohortChanges is a partial update of a cohort.
type CohortChanges struct {
	NameChanges
	Year      Field[int]
	TeamQuota Field[*int]
}

// UpdateCohort applies changes if the cohort is still at version.
func (s *Store) UpdateCohort(ctx context.Context, id int64, version int, ch CohortChanges) error {
	c := ch.cols()
	setIf(&c, "year", ch.Year)
	setIf(&c, "team_quota", ch.TeamQuota)
	return s.updateNode(ctx, cohortsTable, "updateCohort", id, version, nil, c, ch.NameChanges, nil)
}
