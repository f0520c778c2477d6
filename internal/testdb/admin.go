package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"

	"github.com/lib/pq"
)

// Administration of the test server's databases: cloning a template,
// dropping, renaming, and a server-wide lock for building templates once.
// The service itself only ever creates its own database
// (store.EnsureDatabase); these exist for the tests alone.

// validDBName keeps the database names built here to a safe alphabet;
// they are still quoted.
var validDBName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// withAdmin runs fn on a short-lived single connection to the server's
// maintenance database.
func withAdmin(adminDSN string, fn func(db *sql.DB) error) error {
	db, err := sql.Open("postgres", adminDSN)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	return fn(db)
}

// cloneDatabase creates database name as a copy of template (which must
// have no open connections): a migrated database in milliseconds.
func cloneDatabase(ctx context.Context, adminDSN, name, template string) error {
	if !validDBName.MatchString(name) || !validDBName.MatchString(template) {
		return fmt.Errorf("invalid database name %q or template %q", name, template)
	}
	return withAdmin(adminDSN, func(db *sql.DB) error {
		q := `CREATE DATABASE ` + pq.QuoteIdentifier(name) + ` TEMPLATE ` + pq.QuoteIdentifier(template)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("clone database: %w", err)
		}
		return nil
	})
}

// dropDatabase drops database name, ending any sessions still connected.
func dropDatabase(ctx context.Context, adminDSN, name string) error {
	if !validDBName.MatchString(name) {
		return fmt.Errorf("invalid database name %q", name)
	}
	return withAdmin(adminDSN, func(db *sql.DB) error {
		q := `DROP DATABASE IF EXISTS ` + pq.QuoteIdentifier(name) + ` WITH (FORCE)`
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("drop database: %w", err)
		}
		return nil
	})
}

// renameDatabase renames database from to to; both must be free of sessions.
func renameDatabase(ctx context.Context, adminDSN, from, to string) error {
	if !validDBName.MatchString(from) || !validDBName.MatchString(to) {
		return fmt.Errorf("invalid database name %q or %q", from, to)
	}
	return withAdmin(adminDSN, func(db *sql.DB) error {
		q := `ALTER DATABASE ` + pq.QuoteIdentifier(from) + ` RENAME TO ` + pq.QuoteIdentifier(to)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("rename database: %w", err)
		}
		return nil
	})
}

// withAdvisoryLock runs fn while holding a server-wide advisory lock on
// key, so that concurrent processes (parallel test packages sharing one
// server) build a shared template only once.
func withAdvisoryLock(ctx context.Context, adminDSN string, key int64, fn func() error) error {
	return withAdmin(adminDSN, func(db *sql.DB) error {
		conn, err := db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("advisory lock: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
			return fmt.Errorf("advisory lock: %w", err)
		}
		defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key) }()
		return fn()
	})
}
