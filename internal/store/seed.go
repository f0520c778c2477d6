package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
)

// The demo seed: SQL files applied in name order, each idempotent.
//
//go:embed seed/*.sql
var seedFiles embed.FS

// SeedDemo loads the demo data (the article's entities) in one transaction.
// It upserts on natural keys, so running it again changes nothing.
func (s *Store) SeedDemo(ctx context.Context) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return translate(fmt.Errorf("seed: begin: %w", err))
	}
	defer func() { _ = tx.Rollback() }()
	entries, err := fs.ReadDir(seedFiles, "seed")
	if err != nil {
		return err
	}
	for _, e := range entries {
		sqlText, err := seedFiles.ReadFile("seed/" + e.Name())
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(sqlText)); err != nil {
			return translate(fmt.Errorf("seed %s: %w", e.Name(), err))
		}
	}
	if err := tx.Commit(); err != nil {
		return translate(fmt.Errorf("seed: commit: %w", err))
	}
	return nil
}
