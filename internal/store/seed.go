package store

import (
	"context"
	_ "embed"
	"fmt"
)

//go:embed seed/demo.sql
var demoSeed string

// SeedDemo loads the demo data (the article's entities) in one transaction.
// It upserts on natural keys, so running it again changes nothing.
func (s *Store) SeedDemo(ctx context.Context) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return translate(fmt.Errorf("seed: begin: %w", err))
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, demoSeed); err != nil {
		return translate(fmt.Errorf("seed: %w", err))
	}
	if err := tx.Commit(); err != nil {
		return translate(fmt.Errorf("seed: commit: %w", err))
	}
	return nil
}
