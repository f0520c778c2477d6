package store

import (
	"context"
	"fmt"
	"reflect"
)

// scanRows runs query and hands each row to each, scanned into a struct
// of type R by its db tags as sqlx would, but without sqlx's per-row
// reflection and without collecting the rows: the field pointers are
// worked out once per query, and every row is scanned into the same R,
// reset to its zero value first. each must copy what it keeps (pointer
// fields such as *string are fresh for every row).
func scanRows[R any](ctx context.Context, s *Store, query string, args []any, each func(*R)) error {
	rows, err := s.reader(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	var r, zero R
	v := reflect.ValueOf(&r).Elem()
	dest := make([]any, len(cols))
	for i, index := range s.db.Mapper.TraversalsByName(v.Type(), cols) {
		if len(index) == 0 {
			return fmt.Errorf("no field of %T for column %q", r, cols[i])
		}
		dest[i] = v.FieldByIndex(index).Addr().Interface()
	}
	for rows.Next() {
		r = zero
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		each(&r)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}
