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
