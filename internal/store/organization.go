package store

import (
	"context"
	"fmt"

	"startupgraph/internal/model"
)

type organizationRow struct {
	nodeRow
	Kind       string `db:"kind"`
	ParentID   *int64 `db:"parent_id"`
	MouPartner bool   `db:"mou_partner"`
}

func (r organizationRow) model() model.Organization {
	return model.Organization{
		RowID: r.ID, Key: r.Key, Names: r.names(), Descriptions: r.descriptions(),
		Kind: model.OrganizationKind(r.Kind), ParentID: r.ParentID, MouPartner: r.MouPartner,
		Provenance: model.Provenance(r.Provenance),
	}
}

// ListOrganizations returns every organization, ordered by English name.
func (s *Store) ListOrganizations(ctx context.Context) ([]model.Organization, error) {
	const q = `
SELECT id, key, name_ko, name_en, description_ko, description_en, provenance,
       kind, parent_id, mou_partner
FROM organizations
ORDER BY name_en, id`
	var rows []organizationRow
	if err := s.db.SelectContext(ctx, &rows, q); err != nil {
		return nil, translate(fmt.Errorf("list organizations: %w", err))
	}
	return convertAll(rows, organizationRow.model), nil
}
