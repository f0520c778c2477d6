package store

import (
	"context"
	"fmt"
	"regexp"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// validDBName keeps database names that administration code builds to a
// safe alphabet; they are still quoted.
var validDBName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// withAdmin runs fn on a short-lived single connection to the server's
// maintenance database.
func withAdmin(ctx context.Context, adminDSN string, fn func(db *sqlx.DB) error) error {
	db, err := sqlx.Open("postgres", adminDSN)
	if err != nil {
		return translate(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	return fn(db)
}

// EnsureDatabase creates database name on the server behind adminDSN unless
// it exists. The dev command uses it on its local cluster.
func EnsureDatabase(ctx context.Context, adminDSN, name string) error {
	if !validDBName.MatchString(name) {
		return fmt.Errorf("invalid database name %q", name)
	}
	exists, err := DatabaseExists(ctx, adminDSN, name)
	if err != nil || exists {
		return err
	}
	return withAdmin(ctx, adminDSN, func(db *sqlx.DB) error {
		if _, err := db.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)); err != nil {
			return translate(fmt.Errorf("create database: %w", err))
		}
		return nil
	})
}

// CloneDatabase creates database name as a copy of template (which must
// have no open connections). Tests use it to get a migrated database in
// milliseconds.
func CloneDatabase(ctx context.Context, adminDSN, name, template string) error {
	if !validDBName.MatchString(name) || !validDBName.MatchString(template) {
		return fmt.Errorf("invalid database name %q or template %q", name, template)
	}
	return withAdmin(ctx, adminDSN, func(db *sqlx.DB) error {
		q := `CREATE DATABASE ` + pq.QuoteIdentifier(name) + ` TEMPLATE ` + pq.QuoteIdentifier(template)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return translate(fmt.Errorf("clone database: %w", err))
		}
		return nil
	})
}

// DropDatabase drops database name, ending any sessions still connected.
func DropDatabase(ctx context.Context, adminDSN, name string) error {
	if !validDBName.MatchString(name) {
		return fmt.Errorf("invalid database name %q", name)
	}
	return withAdmin(ctx, adminDSN, func(db *sqlx.DB) error {
		q := `DROP DATABASE IF EXISTS ` + pq.QuoteIdentifier(name) + ` WITH (FORCE)`
		if _, err := db.ExecContext(ctx, q); err != nil {
			return translate(fmt.Errorf("drop database: %w", err))
		}
		return nil
	})
}

// WithAdvisoryLock runs fn while holding a server-wide advisory lock on key,
// so that concurrent processes (parallel test packages sharing one server)
// build a shared template only once.
func WithAdvisoryLock(ctx context.Context, adminDSN string, key int64, fn func() error) error {
	return withAdmin(ctx, adminDSN, func(db *sqlx.DB) error {
		conn, err := db.Connx(ctx)
		if err != nil {
			return translate(fmt.Errorf("advisory lock: %w", err))
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
			return translate(fmt.Errorf("advisory lock: %w", err))
		}
		defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key) }()
		return fn()
	})
}

// DatabaseExists reports whether database name exists on the server.
func DatabaseExists(ctx context.Context, adminDSN, name string) (bool, error) {
	var exists bool
	err := withAdmin(ctx, adminDSN, func(db *sqlx.DB) error {
		const q = `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`
		if err := db.GetContext(ctx, &exists, q, name); err != nil {
			return translate(fmt.Errorf("look up database: %w", err))
		}
		return nil
	})
	return exists, err
}

// RenameDatabase renames database from to to; both must be free of sessions.
func RenameDatabase(ctx context.Context, adminDSN, from, to string) error {
	if !validDBName.MatchString(from) || !validDBName.MatchString(to) {
		return fmt.Errorf("invalid database name %q or %q", from, to)
	}
	return withAdmin(ctx, adminDSN, func(db *sqlx.DB) error {
		q := `ALTER DATABASE ` + pq.QuoteIdentifier(from) + ` RENAME TO ` + pq.QuoteIdentifier(to)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return translate(fmt.Errorf("rename database: %w", err))
		}
		return nil
	})
}
