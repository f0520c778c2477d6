package store

import (
	"context"
	"fmt"

	"startupgraph/internal/globalid"
)

// keyLookups are the statements that find a node's row id by its natural
// key (a market by its code). They see every row: whether the viewer may
// see the node is decided when it is loaded by id (its ByID guard), so a
// key the viewer may not see ends exactly as an unknown one does.
var keyLookups = map[globalid.Type]string{
	globalid.Startup:      `SELECT id FROM startups WHERE key = $1`,
	globalid.Mentor:       `SELECT id FROM mentors WHERE key = $1`,
	globalid.Fund:         `SELECT id FROM funds WHERE key = $1`,
	globalid.Program:      `SELECT id FROM programs WHERE key = $1`,
	globalid.Cohort:       `SELECT id FROM cohorts WHERE key = $1`,
	globalid.Market:       `SELECT id FROM markets WHERE code = $1`,
	globalid.University:   `SELECT id FROM universities WHERE key = $1`,
	globalid.Sector:       `SELECT id FROM sectors WHERE key = $1`,
	globalid.Facility:     `SELECT id FROM facilities WHERE key = $1`,
	globalid.Organization: `SELECT id FROM organizations WHERE key = $1`,
}

// IDByKey returns the row id of the node of type t whose key (a market's
// code) is key; apperr.ErrNotFound when there is none. It does not apply
// the viewer's scope: load the node by id for that.
func (s *Store) IDByKey(ctx context.Context, t globalid.Type, key string) (int64, error) {
	q, ok := keyLookups[t]
	if !ok {
		return 0, fmt.Errorf("no key lookup for %s", t)
	}
	var id int64
	if err := s.reader(ctx).GetContext(ctx, &id, q, key); err != nil {
		return 0, translate(fmt.Errorf("%s %q: %w", t, key, err))
	}
	return id, nil
}
