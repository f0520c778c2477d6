package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"startupgraph/internal/dbconn"
)

//go:embed migrations/*.sql
var migrations embed.FS

// MigrationStatus is one migration and whether it has been applied.
type MigrationStatus struct {
	Version int64
	Source  string
	Applied bool
}

// provider is goose over db, which must be migrationDB's.
func provider(db *sql.DB) (*goose.Provider, error) {
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
	return goose.NewProvider(goose.DialectPostgres, db, fsys, goose.WithSessionLocker(locker))
}

// migrationDB opens the sessions the migrations run on: the store's
// database and pool settings, but without the 30 s statement_timeout
// every request's session has (dbconn's sessionDefaults), since a
// migration rewrites whole tables (migration 00028 copies a column over
// 368,000 mentorships: 17 s at 200,000 startups on a loaded machine). The
// context still bounds them. Two connections: goose's advisory lock holds
// one.
func (s *Store) migrationDB() (*sql.DB, error) {
	cfg := s.pool
	cfg.MaxOpen, cfg.MaxIdle = 2, 2
	return dbconn.Open(dbconn.WithSetting(s.dsn, "statement_timeout", "0"), cfg)
}

// withProvider runs fn with goose over migrationDB.
func (s *Store) withProvider(fn func(*goose.Provider) error) error {
	db, err := s.migrationDB()
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	defer db.Close()
	p, err := provider(db)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return fn(p)
}

// Migrate applies every pending schema migration and returns the versions
// it applied.
func (s *Store) Migrate(ctx context.Context) ([]int64, error) {
	var results []*goose.MigrationResult
	err := s.withProvider(func(p *goose.Provider) (err error) {
		results, err = p.Up(ctx)
		return err
	})
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
	var statuses []*goose.MigrationStatus
	err := s.withProvider(func(p *goose.Provider) (err error) {
		statuses, err = p.Status(ctx)
		return err
	})
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
