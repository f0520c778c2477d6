package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Generic writes of the node tables that carry a version and archived_at
// (mentors, funds, markets, programs, cohorts). Column names come from the
// typed methods in each aggregate's _write.go file, never from clients.

// Col is one column a create or update sets.
type col struct {
	name  string
	value any
}

type nodeTable struct{ table, entity string }

var (
	startupsTable = nodeTable{"startups", "Startup"}
	mentorsTable  = nodeTable{"mentors", "Mentor"}
	fundsTable    = nodeTable{"funds", "Fund"}
	marketsTable  = nodeTable{"markets", "Market"}
	programsTable = nodeTable{"programs", "Program"}
	cohortsTable  = nodeTable{"cohorts", "Cohort"}
)

// createNode inserts a row (idempotently when key is set), runs then on
// it (child rows), and audits it.
func (s *Store) createNode(ctx context.Context, t nodeTable, action string, base NodeBase, input any, refs []reference, cols []col,
	then func(tx *sqlx.Tx, id int64) error) (Written, error) {
	var w Written
	err := s.write(ctx, func(tx *sqlx.Tx) error {
		if err := requireRows(ctx, tx, refs...); err != nil {
			return err
		}
		var err error
		w.ID, w.Replayed, err = idempotent(ctx, tx, base.IdempotencyKey, action, t.entity, input, func() (int64, error) {
			if !base.AllowDuplicateName {
				if err := duplicateName(ctx, tx, t.table, t.entity, base.NameKo, base.NameEn); err != nil {
					return 0, err
				}
			}
			names := make([]string, 0, len(cols)+1)
			args := sqlArgs{}
			holders := make([]string, 0, len(cols)+1)
			for _, c := range append(cols, col{"provenance", "API"}) {
				names = append(names, c.name)
				holders = append(holders, args.add(c.value))
			}
			q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s) RETURNING id", pq.QuoteIdentifier(t.table), strings.Join(names, ", "), strings.Join(holders, ", "))
			var id int64
			if err := tx.GetContext(ctx, &id, q, args.list...); err != nil {
				return 0, err
			}
			if then != nil {
				if err := then(tx, id); err != nil {
					return 0, err
				}
			}
			after, err := snapshot(ctx, tx, t.table, id)
			if err != nil {
				return 0, err
			}
			return id, audit(ctx, tx, action, t.entity, id, nil, after)
		})
		return err
	})
	return w, err
}

// updateNode sets cols on row id if it is still at version, runs then,
// and audits the row before and after.
func (s *Store) updateNode(ctx context.Context, t nodeTable, action string, id int64, version int, refs []reference, cols []col,
	names NameChanges, then func(tx *sqlx.Tx) error) error {
	return s.write(ctx, func(tx *sqlx.Tx) error {
		if err := requireRows(ctx, tx, refs...); err != nil {
			return err
		}
		if err := duplicateRename(ctx, tx, t.table, t.entity, id, names); err != nil {
			return err
		}
		return audited(ctx, tx, action, t.table, t.entity, id, func() error {
			args := sqlArgs{}
			set := make([]string, 0, len(cols)+2)
			for _, c := range cols {
				if _, now := c.value.(nowExpr); now {
					set = append(set, c.name+" = COALESCE("+c.name+", now())")
					continue
				}
				set = append(set, c.name+" = "+args.add(c.value))
			}
			set = append(set, "version = version + 1", "updated_at = now()")
			q := fmt.Sprintf("UPDATE %s SET %s WHERE id = %s AND version = %s", pq.QuoteIdentifier(t.table), strings.Join(set, ", "), args.add(id), args.add(version))
			res, err := tx.ExecContext(ctx, q, args.list...)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			if err := versioned(ctx, tx, t.table, id, n); err != nil {
				return err
			}
			if then != nil {
				return then(tx)
			}
			return nil
		})
	})
}

// archiveNode marks row id archived if it is still at version.
func (s *Store) archiveNode(ctx context.Context, t nodeTable, action string, id int64, version int) error {
	return s.updateNode(ctx, t, action, id, version, nil, []col{{"archived_at", nowExpr{}}}, NameChanges{}, nil)
}

// nowExpr stands for the transaction's time in an update.
type nowExpr struct{}

// cols collects the columns a partial update sets.
type cols []col

func setIf[T any](cs *cols, name string, f Field[T]) {
	if f.Set {
		*cs = append(*cs, col{name, f.Value})
	}
}

// NodeBase is what every created node has.
type NodeBase struct {
	IdempotencyKey *string
	Key            string
	NameKo, NameEn string
	// AllowDuplicateName creates it even when a node of its type has its name.
	AllowDuplicateName bool
}

func (b NodeBase) cols() []col {
	return []col{{"key", b.Key}, {"name_ko", b.NameKo}, {"name_en", b.NameEn}}
}

// NameChanges are the names a partial update may set.
type NameChanges struct {
	NameKo, NameEn Field[string]
	// AllowDuplicateName renames even to a name another node of the type
	// has (duplicateRename).
	AllowDuplicateName bool
}

func (n NameChanges) cols() cols {
	var c cols
	setIf(&c, "name_ko", n.NameKo)
	setIf(&c, "name_en", n.NameEn)
	return c
}

// Archive marks a mentor, fund, market, program or cohort archived if it
// is still at version. entity is the GraphQL type name.
func (s *Store) Archive(ctx context.Context, entity string, id int64, version int) error {
	for _, t := range []nodeTable{mentorsTable, fundsTable, marketsTable, programsTable, cohortsTable} {
		if t.entity == entity {
			return s.archiveNode(ctx, t, "archive"+entity, id, version)
		}
	}
	return fmt.Errorf("archive: %s cannot be archived", entity)
}
