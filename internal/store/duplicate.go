package store

import (
	"context"
	"errors"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"startupgraph/internal/apperr"
	"startupgraph/internal/globalid"
)

// Duplicate names (issue 19): a created node whose Korean or English name
// matches one of an existing node of its type (name_key, migration
// 00016: NFKC, no white space, lower case) is CONFLICT naming the field
// and the existing node, unless the input allows duplicates. Archived
// nodes count: unarchive one instead of creating it again.

// duplicateName checks the names of a node about to be created in table
// (entity is its GraphQL type). Two creates of the same name at once
// wait for each other: each locks its names' keys for the transaction.
func duplicateName(ctx context.Context, tx *sqlx.Tx, table, entity, nameKo, nameEn string) error {
	return duplicateNames(ctx, tx, table, entity, 0, []nameValue{{"input.nameKo", "name_ko", nameKo}, {"input.nameEn", "name_en", nameEn}})
}

// duplicateRename checks the names an update of row id of table (entity
// its GraphQL type) sets, as duplicateName does those of a create: a
// rename to another node's name is the same duplicate (the row's own
// names do not count).
func duplicateRename(ctx context.Context, tx *sqlx.Tx, table, entity string, id int64, n NameChanges) error {
	if n.AllowDuplicateName {
		return nil
	}
	var names []nameValue
	if n.NameKo.Set {
		names = append(names, nameValue{"input.nameKo", "name_ko", n.NameKo.Value})
	}
	if n.NameEn.Set {
		names = append(names, nameValue{"input.nameEn", "name_en", n.NameEn.Value})
	}
	return duplicateNames(ctx, tx, table, entity, id, names)
}

// nameValue is a name an input gives: its field, column and value.
type nameValue struct{ field, column, value string }

// duplicateNames checks names against every row of table but self (0:
// none).
func duplicateNames(ctx context.Context, tx *sqlx.Tx, table, entity string, self int64, names []nameValue) error {
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || name_key($2), 19))`, table, n.value); err != nil {
			return err
		}
		var id int64
		q := `SELECT id FROM ` + pq.QuoteIdentifier(table) + ` WHERE name_key(` + n.column + `) = name_key($1) AND id <> $2 ORDER BY id LIMIT 1`
		err := tx.GetContext(ctx, &id, q, n.value, self)
		if errors.Is(err, errNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		return &apperr.ConflictError{Field: n.field, Existing: globalid.Encode(globalid.Type(entity), id),
			Message: "matches the name of an existing " + entity + " (ignoring case, width and spaces); set allowDuplicateName: true to keep it anyway"}
	}
	return nil
}
