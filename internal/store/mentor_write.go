package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

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
// Replays only an earlier create by ctx's viewer's API key (idempotent).
func (s *Store) CreateMentor(ctx context.Context, in NewMentor) (Written, error) {
	refs := append([]reference{opt("input.universityId", "universities", in.UniversityID), opt("input.organizationId", "organizations", in.OrganizationID)},
		sectorRefs("input.sectorIds", in.SectorIDs)...)
	c := append(in.cols(), col{"title_ko", in.TitleKo}, col{"title_en", in.TitleEn}, col{"task_force_member", in.TaskForceMember},
		col{"affiliated_university_id", in.UniversityID}, col{"affiliated_organization_id", in.OrganizationID}, col{"languages", pq.Array(in.Languages)})
	return s.createNode(ctx, mentorsTable, "createMentor", in.NodeBase, in, refs, c, func(tx *sqlx.Tx, id int64) error {
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
	refs := append([]reference{opt("input.universityId", "universities", ch.UniversityID.Value), opt("input.organizationId", "organizations", ch.OrganizationID.Value)},
		sectorRefs("input.sectorIds", ch.SectorIDs.Value)...)
	return s.updateNode(ctx, mentorsTable, "updateMentor", id, version, refs, c, ch.NameChanges, func(tx *sqlx.Tx) error {
		if ch.SectorIDs.Set {
			return setMentorSectors(ctx, tx, id, ch.SectorIDs.Value)
		}
		return nil
	})
}

// sectorRefs are the references of a list of sector ids, each named by
// its index in field.
func sectorRefs(field string, ids []int64) []reference {
	refs := make([]reference, 0, len(ids))
	for i, id := range ids {
		refs = append(refs, ref(fmt.Sprintf("%s[%d]", field, i), "sectors", id))
	}
	return refs
}

// setMentorSectors makes sectors the mentor's sectors of expertise.
func setMentorSectors(ctx context.Context, tx *sqlx.Tx, mentor int64, sectors []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM mentor_sectors WHERE mentor_id = $1 AND NOT (sector_id = ANY($2))`, mentor, pq.Array(sectors)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO mentor_sectors (mentor_id, sector_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`, mentor, pq.Array(sectors))
	return err
}
