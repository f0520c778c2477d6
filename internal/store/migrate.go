package store

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// MigrationStatus is one migration and whether it has been applied.
type MigrationStatus struct {
	Version int64
	Source  string
	Applied bool
}

func (s *Store) provider() (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	// The session locker serialises concurrent migrators (several servers
	// starting at once, parallel test packages) with an advisory lock.
	return goose.NewProvider(goose.DialectPostgres, s.db.DB, fsys, goose.WithSessionLocker(locker))
}

// Migrate applies every pending schema migration and returns the versions
// it applied.
func (s *Store) Migrate(ctx context.Context) ([]int64, error) {
	p, err := s.provider()
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, translate(fmt.Errorf("migrate up: %w", err))
	}
	applied := make([]int64, 0, len(results))
	for _, r := range results {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// MigrationStatuses lists every known migration and whether it is applied.
func (s *Store) MigrationStatuses(ctx context.Context) ([]MigrationStatus, error) {
	p, err := s.provider()
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	statuses, err := p.Status(ctx)
	if err != nil {
		return nil, translate(fmt.Errorf("migration status: %w", err))
	}
	out := make([]MigrationStatus, 0, len(statuses))
	for _, st := range statuses {
		out = append(out, MigrationStatus{
			Version: st.Source.Version,
			Source:  st.Source.Path,
			Applied: st.State == goose.StateApplied,
		})
	}
	return out, nil
}

// Fingerprint identifies the schema and demo seed this binary carries, so
// that a database built from them (a test template) can be reused safely.
func Fingerprint() string {
	h := sha256.New()
	entries, _ := fs.ReadDir(migrations, "migrations")
	for _, e := range entries {
		b, _ := migrations.ReadFile("migrations/" + e.Name())
		h.Write([]byte(e.Name()))
		h.Write(b)
	}
	seeds, _ := fs.ReadDir(seedFiles, "seed")
	for _, e := range seeds {
		b, _ := seedFiles.ReadFile("seed/" + e.Name())
		h.Write([]byte(e.Name()))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}
