package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// NodeBase is what every created node has.
type NodeBase struct {
	IdempotencyKey *string
	Key            string
	NameKo, NameEn string
}

func (b NodeBase) cols() []col {
	return []col{{"key", b.Key}, {"name_ko", b.NameKo}, {"name_en", b.NameEn}}
}

// NameChanges are the names a partial update may set.
type NameChanges struct {
	NameKo, NameEn Field[string]
}

func (n NameChanges) cols() cols {
	var c cols
	setIf(&c, "name_ko", n.NameKo)
	setIf(&c, "name_en", n.NameEn)
	return c
}

func sectorRefs(field string, ids []int64) []reference {
	refs := make([]reference, 0, len(ids))
	for i, id := range ids {
		refs = append(refs, ref(fmt.Sprintf("%s[%d]", field, i), "sectors", id))
	}
	return refs
}

func setMentorSectors(ctx context.Context, tx *sqlx.Tx, mentor int64, sectors []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM mentor_sectors WHERE mentor_id = $1 AND NOT (sector_id = ANY($2))`, mentor, pq.Array(sectors)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO mentor_sectors (mentor_id, sector_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`, mentor, pq.Array(sectors))
	return err
}

// NewMentor is a mentor to create.
type NewMentor struct {
	NodeBase
	TitleKo, TitleEn             *string
	TaskForceMember              bool
	UniversityID, OrganizationID *int64
	Languages                    []string
	SectorIDs                    []int64
}

// CreateMentor creates a mentor with its sectors of expertise.
func (s *Store) CreateMentor(ctx context.Context, in NewMentor) (Written, error) {
	refs := append([]reference{{"input.universityId", "universities", in.UniversityID}, {"input.organizationId", "organizations", in.OrganizationID}},
		sectorRefs("input.sectorIds", in.SectorIDs)...)
	c := append(in.cols(), col{"title_ko", in.TitleKo}, col{"title_en", in.TitleEn}, col{"task_force_member", in.TaskForceMember},
		col{"affiliated_university_id", in.UniversityID}, col{"affiliated_organization_id", in.OrganizationID}, col{"languages", pq.Array(in.Languages)})
	return s.createNode(ctx, mentorsTable, "createMentor", in.IdempotencyKey, in, refs, c, func(tx *sqlx.Tx, id int64) error {
		return setMentorSectors(ctx, tx, id, in.SectorIDs)
	})
}

// MentorChanges is a partial update of a mentor.
type MentorChanges struct {
	NameChanges
	TitleKo, TitleEn             Field[*string]
	TaskForceMember              Field[bool]
	UniversityID, OrganizationID Field[*int64]
	Languages                    Field[[]string]
	SectorIDs                    Field[[]int64]
}

// UpdateMentor applies changes if the mentor is still at version.
func (s *Store) UpdateMentor(ctx context.Context, id int64, version int, ch MentorChanges) error {
	c := ch.cols()
	setIf(&c, "title_ko", ch.TitleKo)
	setIf(&c, "title_en", ch.TitleEn)
	setIf(&c, "task_force_member", ch.TaskForceMember)
	setIf(&c, "affiliated_university_id", ch.UniversityID)
	setIf(&c, "affiliated_organization_id", ch.OrganizationID)
	if ch.Languages.Set {
		c = append(c, col{"languages", pq.Array(ch.Languages.Value)})
	}
	refs := append([]reference{{"input.universityId", "universities", ch.UniversityID.Value}, {"input.organizationId", "organizations", ch.OrganizationID.Value}},
		sectorRefs("input.sectorIds", ch.SectorIDs.Value)...)
	return s.updateNode(ctx, mentorsTable, "updateMentor", id, version, refs, c, func(tx *sqlx.Tx) error {
		if ch.SectorIDs.Set {
			return setMentorSectors(ctx, tx, id, ch.SectorIDs.Value)
		}
		return nil
	})
}

// NewFund is a fund to create.
type NewFund struct {
	NodeBase
	Kind                            string
	Size                            int64
	ManagerID, SponsorID, ProgramID *int64
	VintageYear                     *int
}

// CreateFund creates a fund.
func (s *Store) CreateFund(ctx context.Context, in NewFund) (Written, error) {
	refs := []reference{{"input.managerId", "organizations", in.ManagerID}, {"input.sponsorId", "organizations", in.SponsorID}, {"input.programId", "programs", in.ProgramID}}
	c := append(in.cols(), col{"kind", in.Kind}, col{"size_krw", in.Size}, col{"manager_id", in.ManagerID}, col{"sponsor_id", in.SponsorID},
		col{"program_id", in.ProgramID}, col{"vintage_year", in.VintageYear})
	return s.createNode(ctx, fundsTable, "createFund", in.IdempotencyKey, in, refs, c, nil)
}

// FundChanges is a partial update of a fund.
type FundChanges struct {
	NameChanges
	Size                            Field[int64]
	ManagerID, SponsorID, ProgramID Field[*int64]
	VintageYear                     Field[*int]
}

// UpdateFund applies changes if the fund is still at version.
func (s *Store) UpdateFund(ctx context.Context, id int64, version int, ch FundChanges) error {
	c := ch.cols()
	setIf(&c, "size_krw", ch.Size)
	setIf(&c, "manager_id", ch.ManagerID)
	setIf(&c, "sponsor_id", ch.SponsorID)
	setIf(&c, "program_id", ch.ProgramID)
	setIf(&c, "vintage_year", ch.VintageYear)
	refs := []reference{{"input.managerId", "organizations", ch.ManagerID.Value}, {"input.sponsorId", "organizations", ch.SponsorID.Value}, {"input.programId", "programs", ch.ProgramID.Value}}
	return s.updateNode(ctx, fundsTable, "updateFund", id, version, refs, c, nil)
}

// NewMarket is a market to create.
type NewMarket struct {
	NodeBase
	Kind, Code string
}

// CreateMarket creates a market.
func (s *Store) CreateMarket(ctx context.Context, in NewMarket) (Written, error) {
	return s.createNode(ctx, marketsTable, "createMarket", in.IdempotencyKey, in, nil, append(in.cols(), col{"kind", in.Kind}, col{"code", in.Code}), nil)
}

// UpdateMarket renames a market if it is still at version.
func (s *Store) UpdateMarket(ctx context.Context, id int64, version int, ch NameChanges) error {
	return s.updateNode(ctx, marketsTable, "updateMarket", id, version, nil, ch.cols(), nil)
}

// NewProgram is a program to create.
type NewProgram struct {
	NodeBase
	Kind                         string
	DescriptionKo, DescriptionEn *string
}

// CreateProgram creates a program.
func (s *Store) CreateProgram(ctx context.Context, in NewProgram) (Written, error) {
	c := append(in.cols(), col{"kind", in.Kind}, col{"description_ko", in.DescriptionKo}, col{"description_en", in.DescriptionEn})
	return s.createNode(ctx, programsTable, "createProgram", in.IdempotencyKey, in, nil, c, nil)
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
	return s.updateNode(ctx, programsTable, "updateProgram", id, version, nil, c, nil)
}

// NewCohort is a cohort to create.
type NewCohort struct {
	NodeBase
	ProgramID int64
	Year      int
	TeamQuota *int
}

// CreateCohort creates a cohort of a program.
func (s *Store) CreateCohort(ctx context.Context, in NewCohort) (Written, error) {
	c := append(in.cols(), col{"program_id", in.ProgramID}, col{"year", in.Year}, col{"team_quota", in.TeamQuota})
	return s.createNode(ctx, cohortsTable, "createCohort", in.IdempotencyKey, in, []reference{ref("input.programId", "programs", in.ProgramID)}, c, nil)
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
	return s.updateNode(ctx, cohortsTable, "updateCohort", id, version, nil, c, nil)
}

// Archive marks a mentor, fund, market, program or cohort archived if it
// is still at version. entity is the GraphQL type name.
func (s *Store) Archive(ctx context.Context, entity string, id int64, version int) error {
	for _, t := range []nodeTable{mentorsTable, fundsTable, marketsTable, programsTable, cohortsTable} {
		if t.entity == entity {
			return s.archiveNode(ctx, t, "archive"+entity, id, version)
		}
	}
	return fmt.Errorf("archive: %s cannot be archived", entity)
}
