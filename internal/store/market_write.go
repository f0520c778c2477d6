package store

import "context"

// NewMarket is a market to create.
type NewMarket struct {
	NodeBase
	Kind, Code string
}

// CreateMarket creates a market.
// Replays only an earlier create by ctx's viewer's API key (idempotent).
func (s *Store) CreateMarket(ctx context.Context, in NewMarket) (Written, error) {
	return s.createNode(ctx, marketsTable, "createMarket", in.NodeBase, in, nil, append(in.cols(), col{"kind", in.Kind}, col{"code", in.Code}), nil)
}

// UpdateMarket renames a market if it is still at version.
func (s *Store) UpdateMarket(ctx context.Context, id int64, version int, ch NameChanges) error {
	return s.updateNode(ctx, marketsTable, "updateMarket", id, version, nil, ch.cols(), ch, nil)
}
