package graph_test

import (
	"testing"

	"startupgraph/graph/generated"
	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
)

// What the filter access matrix (matrix_filter_test.go) runs: every
// filter field that names another node, and the oracle's picture of
// what each viewer sees.

// viewerScope is the oracle's picture of what a viewer sees, as the graph
// shows it, written independently of internal/store/scope.go. $1 is the
// viewer: NULL reads everything (ADMIN, ANALYST); otherwise the key of its
// university (the empty string for anonymous: it matches no university, so
// anonymous sees nothing). No viewer sees an archived node or its edges
// (issue 19): archived startups, mentors, funds, markets and cohorts are
// left out here, and archived programs where a program is listed. (Which
// mentors a university may see is a matter of scope, not of archive: the
// mentors of its teams, archived teams too.)
const viewerScope = `WITH
own AS (SELECT id FROM universities WHERE key = $1),
vs AS (SELECT s.id FROM startups s
       WHERE s.archived_at IS NULL AND ($1::text IS NULL OR EXISTS (SELECT 1 FROM assignments a JOIN own ON own.id = a.university_id WHERE a.startup_id = s.id))),
va AS (SELECT a.startup_id, a.university_id FROM assignments a
       WHERE a.startup_id IN (SELECT id FROM vs) AND ($1::text IS NULL OR a.university_id IN (SELECT id FROM own))),
vms AS (SELECT e.mentor_id, e.startup_id FROM mentorships e WHERE e.startup_id IN (SELECT id FROM vs)
        AND e.mentor_id IN (SELECT id FROM mentors WHERE archived_at IS NULL)),
vm AS (SELECT m.id, m.affiliated_university_id, m.affiliated_organization_id FROM mentors m
       WHERE m.archived_at IS NULL AND ($1::text IS NULL OR m.affiliated_university_id IN (SELECT id FROM own)
         OR m.id IN (SELECT e.mentor_id FROM mentorships e JOIN assignments a ON a.startup_id = e.startup_id JOIN own ON own.id = a.university_id))),
vmsec AS (SELECT e.mentor_id, e.sector_id FROM mentor_sectors e WHERE e.mentor_id IN (SELECT id FROM vm)),
vmmk AS (SELECT e.mentor_id, e.market_id FROM mentor_markets e WHERE e.mentor_id IN (SELECT id FROM vm)
         AND e.market_id IN (SELECT id FROM markets WHERE archived_at IS NULL)),
vi AS (SELECT i.id, i.fund_id, i.startup_id FROM investments i WHERE i.startup_id IN (SELECT id FROM vs)
       AND i.fund_id IN (SELECT id FROM funds WHERE archived_at IS NULL)),
vss AS (SELECT e.startup_id, e.sector_id FROM startup_sectors e WHERE e.startup_id IN (SELECT id FROM vs)),
vmem AS (SELECT e.startup_id, e.cohort_id, c.program_id FROM memberships e JOIN cohorts c ON c.id = e.cohort_id
         WHERE e.startup_id IN (SELECT id FROM vs) AND c.archived_at IS NULL),
vmt AS (SELECT e.startup_id, e.market_id, e.status FROM market_targets e WHERE e.startup_id IN (SELECT id FROM vs)
        AND e.market_id IN (SELECT id FROM markets WHERE archived_at IS NULL))
`

// filterField is one filter field that walks a relationship: the values to
// try (ids, or enum names) and the oracle selecting the ids of the list's
// rows over the viewer's scope, given the filter's values in v (text[]).
type filterField struct {
	list, field string
	typ         globalid.Type // the type of the ids; "" for an enum
	varType     string        // the GraphQL type of the variable
	values      string        // SQL listing the values to try, one at a time
	oracle      string
}

var startupFilterFields = []filterField{
	{"startups", "sectorIds", globalid.Sector, "[ID!]", "SELECT id::text FROM sectors",
		"SELECT id FROM vs WHERE id IN (SELECT startup_id FROM vss WHERE sector_id = ANY(v::bigint[]))"},
	{"startups", "programIds", globalid.Program, "[ID!]", "SELECT id::text FROM programs",
		"SELECT id FROM vs WHERE id IN (SELECT startup_id FROM vmem WHERE program_id = ANY(v::bigint[]))"},
	{"startups", "cohortIds", globalid.Cohort, "[ID!]", "SELECT id::text FROM cohorts",
		"SELECT id FROM vs WHERE id IN (SELECT startup_id FROM vmem WHERE cohort_id = ANY(v::bigint[]))"},
	{"startups", "universityIds", globalid.University, "[ID!]", "SELECT id::text FROM universities",
		"SELECT id FROM vs WHERE id IN (SELECT startup_id FROM va WHERE university_id = ANY(v::bigint[]))"},
	{"startups", "mentorIds", globalid.Mentor, "[ID!]", "SELECT id::text FROM mentors",
		"SELECT id FROM vs WHERE id IN (SELECT startup_id FROM vms WHERE mentor_id = ANY(v::bigint[]))"},
	{"startups", "fundIds", globalid.Fund, "[ID!]", "SELECT id::text FROM funds",
		"SELECT id FROM vs WHERE id IN (SELECT startup_id FROM vi WHERE fund_id = ANY(v::bigint[]))"},
	{"startups", "marketIds", globalid.Market, "[ID!]", "SELECT id::text FROM markets",
		"SELECT id FROM vs WHERE id IN (SELECT startup_id FROM vmt WHERE market_id = ANY(v::bigint[]))"},
	{"startups", "targetStatuses", "", "[MarketTargetStatus!]", "SELECT unnest(ARRAY['EXPLORING', 'LOCALIZING', 'ENTERED'])",
		"SELECT id FROM vs WHERE id IN (SELECT startup_id FROM vmt WHERE status = ANY(v::text[]))"},
}

var otherFilterFields = []filterField{
	{"mentors", "sectorIds", globalid.Sector, "[ID!]", "SELECT id::text FROM sectors",
		"SELECT id FROM vm WHERE id IN (SELECT mentor_id FROM vmsec WHERE sector_id = ANY(v::bigint[]))"},
	{"mentors", "marketIds", globalid.Market, "[ID!]", "SELECT id::text FROM markets",
		"SELECT id FROM vm WHERE id IN (SELECT mentor_id FROM vmmk WHERE market_id = ANY(v::bigint[]))"},
	{"mentors", "universityIds", globalid.University, "[ID!]", "SELECT id::text FROM universities",
		"SELECT id FROM vm WHERE affiliated_university_id = ANY(v::bigint[])"},
	{"mentors", "organizationIds", globalid.Organization, "[ID!]", "SELECT id::text FROM organizations",
		"SELECT id FROM vm WHERE affiliated_organization_id = ANY(v::bigint[])"},
	{"mentors", "startupIds", globalid.Startup, "[ID!]", "SELECT id::text FROM startups",
		"SELECT id FROM vm WHERE id IN (SELECT mentor_id FROM vms WHERE startup_id = ANY(v::bigint[]))"},
	// Every one of the startups: relational division, not the store's count.
	// Tried with each pair of startups that share a mentor in the whole
	// graph, visible or not (values separated by a space).
	{"mentors", "sharedByStartupIds", globalid.Startup, "[ID!]",
		"SELECT DISTINCT a.startup_id || ' ' || b.startup_id FROM mentorships a JOIN mentorships b ON b.mentor_id = a.mentor_id AND b.startup_id > a.startup_id",
		"SELECT m.id FROM vm m WHERE NOT EXISTS (SELECT 1 FROM unnest(v::bigint[]) u(id) WHERE NOT EXISTS (SELECT 1 FROM vms e WHERE e.mentor_id = m.id AND e.startup_id = u.id))"},
	{"investments", "fundIds", globalid.Fund, "[ID!]", "SELECT id::text FROM funds",
		"SELECT id FROM vi WHERE fund_id = ANY(v::bigint[])"},
	{"investments", "startupIds", globalid.Startup, "[ID!]", "SELECT id::text FROM startups",
		"SELECT id FROM vi WHERE startup_id = ANY(v::bigint[])"},
}

// filterFieldsExempt are filter fields that name a node but need no scope
// case: the audit log is ADMIN only, and ADMIN reads everything; the
// change feed's ids only narrow the changes already scoped, which
// TestChangesMatrix checks against its own oracle for every role (with an
// id of another university's team among them).
var filterFieldsExempt = map[string]bool{"auditLog.entityId": true, "changes.ids": true}

// nodeFilterFields lists list.field for every field of a Query field's
// filter input whose type is an ID or a list of IDs.
func nodeFilterFields(t *testing.T) []string {
	t.Helper()
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	var out []string
	for _, f := range schema.Query.Fields {
		a := f.Arguments.ForName("filter")
		if a == nil {
			continue
		}
		for _, in := range schema.Types[a.Type.Name()].Fields {
			if in.Type.Name() == "ID" {
				out = append(out, f.Name+"."+in.Name)
			}
		}
	}
	return out
}

// filterProbe adds rows that make a leak show whatever the demo data holds:
// a team assigned to Ghent and to Utah, a team assigned to Utah alone, a
// mentor of both (visible to Ghent through the shared team, its mentorship
// of the Utah team hidden), and an investment into the Utah team.

const filterProbe = `
INSERT INTO startups (key, name_ko, name_en, stage) VALUES
  ('probe-shared', '공유 팀', 'Probe Shared Team', 'IDEA'), ('probe-utah', '유타 팀', 'Probe Utah Team', 'IDEA');
INSERT INTO assignments (university_id, startup_id, purpose, status, since)
SELECT u.id, s.id, v.purpose, 'ACTIVE', DATE '2024-01-01'
FROM (VALUES ('ghent-university', 'probe-shared', 'JOINT_PROJECT'), ('university-of-utah', 'probe-shared', 'INTERNSHIP'),
             ('university-of-utah', 'probe-utah', 'JOINT_PROJECT')) v(university, startup, purpose)
JOIN universities u ON u.key = v.university JOIN startups s ON s.key = v.startup;
INSERT INTO mentors (key, name_ko, name_en) VALUES ('probe-mentor', '탐침 멘토', 'Probe Mentor');
INSERT INTO mentorships (mentor_id, startup_id, focus, since)
SELECT m.id, s.id, 'probe', DATE '2024-01-01' FROM mentors m, startups s WHERE m.key = 'probe-mentor' AND s.key IN ('probe-shared', 'probe-utah');
INSERT INTO investments (fund_id, startup_id, amount_krw, invested_on, round)
SELECT f.id, s.id, 1000000, DATE '2024-02-01', 'SEED' FROM funds f, startups s
WHERE f.key = 'creative-growth-venture-fund' AND s.key = 'probe-utah';
`

// filterRole is a viewer of the filter matrix.
type filterRole struct {
	name, key  string
	university any // the oracle's $1: nil reads everything, "" sees nothing
}

// everyRole is a key of every role, each university's included, with the
// oracle's picture of it.
func everyRole(t *testing.T, c *apitest.Client) []filterRole {
	roles := []filterRole{
		{"anonymous", "", ""},
		{"admin", c.Key, nil},
		{"analyst", c.NewKey(t, "ANALYST", ""), nil},
	}
	for _, u := range column(t, c.DSN, "SELECT key FROM universities") {
		roles = append(roles, filterRole{u, c.NewKey(t, "UNIVERSITY", u), u})
	}
	return roles
}
