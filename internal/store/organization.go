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
	return model.Organization{Stamps: r.stamps(),
		RowID: r.ID, Key: r.Key, Names: r.names(), Descriptions: r.descriptions(),
		Kind: model.OrganizationKind(r.Kind), ParentID: r.ParentID, MouPartner: r.MouPartner,
		Provenance: model.Provenance(r.Provenance),
	}
}

// OrganizationFilter selects organizations.
type OrganizationFilter struct {
	Kinds      []string
	MouPartner *bool
}

// ListOrganizations pages the organizations matching f.
func (s *Store) ListOrganizations(ctx context.Context, f OrganizationFilter, w *Where, order Order, page PageArgs) (model.Connection[model.OrganizationEdge, model.Organization], error) {
	var c conditions
	c.strs("n.kind = ANY(?)", f.Kinds)
	c.boolean("n.mou_partner = ?", f.MouPartner)
	if err := addWhere(ctx, &c, "Organization", w); err != nil {
		return model.Connection[model.OrganizationEdge, model.Organization]{}, err
	}
	q := nodeList(ctx, organizationCols, "Organization", c, order)
	return listPage(ctx, s, q, page, organizationEdge)
}

// OrganizationsByID returns the organizations with the given ids.
func (s *Store) OrganizationsByID(ctx context.Context, ids []int64) (map[int64]model.Organization, error) {
	const q = `SELECT ` + organizationCols + ` FROM organizations n WHERE n.id = ANY($1)`
	return byIDs(ctx, s.reader(ctx), "organizations", q, ids, organizationRow.model, organizationRow.rowID)
}
