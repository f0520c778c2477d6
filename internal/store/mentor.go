package store

import (
	"context"
	"strconv"
	"time"

	"github.com/lib/pq"

	"startupgraph/internal/model"
)

type mentorRow struct {
	pageCols
	stampRow
	ID                       int64          `db:"id"`
	Key                      string         `db:"key"`
	NameKo                   string         `db:"name_ko"`
	NameEn                   string         `db:"name_en"`
	TitleKo                  *string        `db:"title_ko"`
	TitleEn                  *string        `db:"title_en"`
	TaskForceMember          bool           `db:"task_force_member"`
	AffiliatedUniversityID   *int64         `db:"affiliated_university_id"`
	AffiliatedOrganizationID *int64         `db:"affiliated_organization_id"`
	Languages                pq.StringArray `db:"languages"`
	Provenance               string         `db:"provenance"`
	Version                  int            `db:"version"`
	ArchivedAt               *time.Time     `db:"archived_at"`
}

const mentorCols = `n.id, n.key, n.name_ko, n.name_en, n.title_ko, n.title_en, n.task_force_member,
       n.affiliated_university_id, n.affiliated_organization_id, n.languages, n.provenance, n.version, n.archived_at, n.created_at, n.updated_at`

func (r mentorRow) model() model.Mentor {
	langs := []string(r.Languages)
	if langs == nil {
		langs = []string{}
	}
	return model.Mentor{Stamps: r.stamps(), RowID: r.ID, Key: r.Key, Names: model.Names{NameKo: r.NameKo, NameEn: r.NameEn},
		TitleKo: r.TitleKo, TitleEn: r.TitleEn, TaskForceMember: r.TaskForceMember, Languages: langs,
		AffiliatedUniversityID: r.AffiliatedUniversityID, AffiliatedOrganizationID: r.AffiliatedOrganizationID,
		Version: r.Version, ArchivedAt: r.ArchivedAt,
		Provenance: model.Provenance(r.Provenance)}
}

// MentorFilter selects mentors.
type MentorFilter struct {
	SectorIDs, UniversityIDs, OrganizationIDs []int64
	StartupIDs, SharedByStartupIDs            []int64
	MarketIDs                                 []int64
	TaskForceMember                           *bool
	Search                                    string
}

// ListMentors pages the mentors matching f.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) ListMentors(ctx context.Context, f MentorFilter, w *Where, order Order, page PageArgs) (model.Connection[model.MentorEdge, model.Mentor], error) {
	var c conditions
	c.exists(ctx, "mentor_sectors x", "x.mentor_id = n.id AND x.sector_id = ANY(?)", f.SectorIDs)
	c.ids("n.affiliated_university_id = ANY(?)", f.UniversityIDs)
	c.ids("n.affiliated_organization_id = ANY(?)", f.OrganizationIDs)
	c.boolean("n.task_force_member = ?", f.TaskForceMember)
	// A visible mentor may also mentor teams the viewer cannot see
	// (Mentor.startups hides them): those mentorships select nothing.
	c.exists(ctx, "mentorships x", "x.mentor_id = n.id AND x.startup_id = ANY(?)", f.StartupIDs, startupGuard("x.startup_id"), archivedGuard("startups", "x.startup_id"))
	if len(f.SharedByStartupIDs) > 0 {
		shared := uniqueIDs(f.SharedByStartupIDs)
		visible := scoped(ctx, &c.args, startupGuard("x.startup_id"), archivedGuard("startups", "x.startup_id"))
		c.add("(SELECT count(DISTINCT x.startup_id) FROM mentorships x WHERE x.mentor_id = n.id AND x.startup_id = ANY(?)"+visible+") = "+
			strconv.Itoa(len(shared)), pq.Array(shared))
	}
	c.exists(ctx, "mentor_markets x", "x.mentor_id = n.id AND x.market_id = ANY(?)", f.MarketIDs, archivedGuard("markets", "x.market_id"))
	c.search("(n.name_ko || ' ' || n.name_en)", f.Search)
	if err := addWhere(ctx, &c, "Mentor", w); err != nil {
		return model.Connection[model.MentorEdge, model.Mentor]{}, err
	}
	return listPage(ctx, s, nodeList(ctx, mentorCols, "Mentor", c, order, mentorGuard("n.id")), page, mentorEdge)
}

// MentorsByID returns the mentors with the given ids.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) MentorsByID(ctx context.Context, ids []int64) (map[int64]model.Mentor, error) {
	const q = `SELECT ` + mentorCols + ` FROM mentors n WHERE n.id = ANY($1)`
	return byIDs(ctx, s.reader(ctx), "mentors", q, ids, mentorRow.model, func(r mentorRow) int64 { return r.ID }, mentorGuard("n.id"))
}
