package store

import (
	"context"

	"startupgraph/internal/model"
)

type organizationRow struct {
	nodeRow
	Kind       string `db:"kind"`
	ParentID   *int64 `db:"parent_id"`
	MouPartner bool   `db:"mou_partner"`
}

const organizationCols = nodeCols + `, n.kind, n.parent_id, n.mou_partner`

func (r organizationRow) model() model.Organization {
	return model.Organization{
		RowID: r.ID, Key: r.Key, Names: r.names(), Descriptions: r.descriptions(),
		Kind: model.OrganizationKind(r.Kind), ParentID: r.ParentID, MouPartner: r.MouPartner,
		Provenance: model.Provenance(r.Provenance),
	}
}

func organizationEdge(r organizationRow, cursor model.Cursor) model.OrganizationEdge {
	return model.OrganizationEdge{Cursor: cursor, Node: ptr(r.model())}
}

// OrganizationFilter selects organizations.
type OrganizationFilter struct {
	Kinds      []string
	MouPartner *bool
}

// ListOrganizations pages the organizations matching f.
func (s *Store) ListOrganizations(ctx context.Context, f OrganizationFilter, order NameOrder, page PageArgs) (model.Connection[model.OrganizationEdge, model.Organization], error) {
	var c conditions
	c.strs("n.kind = ANY(?)", f.Kinds)
	c.boolean("n.mou_partner = ?", f.MouPartner)
	q := listQuery(organizationCols, "organizations n", c, order.key("organizations"))
	return listPage(ctx, s, q, page, organizationEdge)
}

// OrganizationsByID returns the organizations with the given ids.
func (s *Store) OrganizationsByID(ctx context.Context, ids []int64) (map[int64]model.Organization, error) {
	const q = `SELECT ` + organizationCols + ` FROM organizations n WHERE n.id = ANY($1)`
	return byIDs(ctx, s.db, "organizations", q, ids, organizationRow.model, organizationRow.rowID)
}

// OrganizationChildren pages the organizations that belong to each organization.
var OrganizationChildren = newChild("organizations/parent", organizationCols, "organizations n", "n.parent_id", "n.id", nil, organizationEdge)

// OrganizationMentors pages the mentors affiliated with each organization.
var OrganizationMentors = newChild("mentors/organization", mentorCols, "mentors n", "n.affiliated_organization_id", "n.id", nil, mentorEdge, mentorGuard("n.id"))

type roleFacts struct {
	Role string `db:"role"`
}

func (r roleFacts) model() model.ProgramRoleFacts {
	return model.ProgramRoleFacts{Role: model.ProgramRole(r.Role)}
}

// OrganizationPrograms pages the programs of each organization, with its role.
var OrganizationPrograms = newChild("program-organizations/organization", programCols+", e.role",
	"program_organizations e JOIN programs n ON n.id = e.program_id", "e.organization_id", "e.id", nil,
	func(r struct {
		programRow
		roleFacts
	}, cursor model.Cursor) model.OrganizationRoleEdge {
		return model.OrganizationRoleEdge{Cursor: cursor, Node: ptr(r.programRow.model()), ProgramRoleFacts: r.roleFacts.model()}
	})

// ProgramOrganizations pages the organizations of each program, with their roles.
var ProgramOrganizations = newChild("program-organizations/program", organizationCols+", e.role",
	"program_organizations e JOIN organizations n ON n.id = e.organization_id", "e.program_id", "e.id", nil,
	func(r struct {
		organizationRow
		roleFacts
	}, cursor model.Cursor) model.ProgramRoleEdge {
		return model.ProgramRoleEdge{Cursor: cursor, Node: ptr(r.organizationRow.model()), ProgramRoleFacts: r.roleFacts.model()}
	})
