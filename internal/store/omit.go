package store

import (
	"strings"
	"sync"
)

// Omit is a set of column groups a page leaves out. Each group is read by
// one GraphQL field only, never by the store, the loaders or the scope
// checks, so the GraphQL layer omits the groups whose field the client
// does not select, and the rows skip decoding them (a page of names costs
// a fraction of a page of whole rows). The model fields an omitted group
// fills are zero.
type Omit uint32

// The groups: node columns (table alias n), then edge facts (alias e, in
// child lists, whose edge table it names).
const (
	OmitKey         Omit = 1 << iota // n.key: Key
	OmitDescription                  // n.description_ko, n.description_en: Descriptions
	OmitFoundedOn                    // n.founded_on: Startup.FoundedOn
	OmitVersion                      // n.version: Version
	OmitArchivedAt                   // n.archived_at: ArchivedAt
	OmitProvenance                   // n.provenance: Provenance
	OmitTitle                        // n.title_ko, n.title_en: Mentor.TitleKo, TitleEn
	OmitLanguages                    // n.languages: Mentor.Languages
	OmitFocus                        // e.focus: Mentorship.Focus
	OmitPurpose                      // e.purpose: Assignment.Purpose
	OmitStatus                       // e.status: Assignment.Status, MarketTarget.Status
	OmitPriority                     // e.priority: MarketTarget.Priority
	OmitSince                        // e.since: Since of assignments, mentorships and market targets
	OmitUntil                        // e.until: Until of assignments and mentorships
	OmitJoinedOn                     // e.joined_on: Membership.JoinedOn
	OmitStamps                       // n.created_at, n.updated_at: Stamps
	OmitEdgeStamps                   // e.created_at, e.updated_at: an edge's CreatedAt, UpdatedAt
	OmitNameKo                       // n.name_ko: Names.NameKo (nameKo, and name in Korean)
	OmitNameEn                       // n.name_en: Names.NameEn (nameEn, and name in English)
	OmitStage                        // n.stage: Startup.Stage
	OmitFacility                     // n.facility_id: Startup.FacilityID (facility)
	OmitTaskForce                    // n.task_force_member: Mentor.TaskForceMember
	OmitAffiliation                  // n.affiliated_university_id, n.affiliated_organization_id: a mentor's affiliation
)

// omittable maps each column of a group to it.
var omittable = map[string]Omit{
	"n.key": OmitKey, "n.description_ko": OmitDescription, "n.description_en": OmitDescription,
	"n.founded_on": OmitFoundedOn, "n.version": OmitVersion, "n.archived_at": OmitArchivedAt,
	"n.provenance": OmitProvenance, "n.title_ko": OmitTitle, "n.title_en": OmitTitle,
	"n.languages": OmitLanguages, "n.created_at": OmitStamps, "n.updated_at": OmitStamps,
	"e.focus": OmitFocus, "e.purpose": OmitPurpose, "e.status": OmitStatus, "e.priority": OmitPriority,
	"e.since": OmitSince, "e.until": OmitUntil, "e.joined_on": OmitJoinedOn,
	"e.created_at AS e_created_at": OmitEdgeStamps, "e.updated_at AS e_updated_at": OmitEdgeStamps,
	"n.name_ko": OmitNameKo, "n.name_en": OmitNameEn, "n.stage": OmitStage, "n.facility_id": OmitFacility,
	"n.task_force_member": OmitTaskForce, "n.affiliated_university_id": OmitAffiliation, "n.affiliated_organization_id": OmitAffiliation,
}

// selectLists caches the select lists selectList builds.
var selectLists sync.Map // selectListKey → string

type selectListKey struct {
	columns string
	omit    Omit
	child   bool
}

// selectList is q's select list without the columns of omit. Edge facts
// are left out of child lists only: a top-level list names its own table e
// at times (investments).
func (q *pageQuery) selectList(omit Omit) string {
	if omit == 0 {
		return q.columns
	}
	key := selectListKey{q.columns, omit, q.parent != ""}
	if cols, ok := selectLists.Load(key); ok {
		return cols.(string)
	}
	var kept []string
	for _, c := range strings.Split(q.columns, ",") {
		c = strings.TrimSpace(c)
		if g := omittable[c]; g == 0 || omit&g == 0 || (strings.HasPrefix(c, "e.") && !key.child) {
			kept = append(kept, c)
		}
	}
	cols := strings.Join(kept, ", ")
	selectLists.Store(key, cols)
	return cols
}
