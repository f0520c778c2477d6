package store

import (
	"context"
	"strings"
	"time"

	"github.com/lib/pq"

	"startupgraph/internal/model"
	"startupgraph/internal/viewer"
)

// The change feed: the audit log read by id, as the viewer may see it
// (migration 00025 fills in what the feed needs when a record is written).

// ChangeFilter selects changes; empty lists select everything.
type ChangeFilter struct {
	// Types are GraphQL type names (Startup, Mentor, ...).
	Types []string
	// Nodes are nodes by type and row id.
	Nodes []NodeID
	// Kinds are CREATE, UPDATE, ARCHIVE, CORRECTION, RELATIONSHIP.
	Kinds []string
}

// NodeID is a node by its GraphQL type and row id.
type NodeID struct {
	Type string
	ID   int64
}

// publicChangeTypes are the node types whose changes every viewer may see,
// as it may see the nodes themselves.
var publicChangeTypes = []string{"Fund", "Market", "Program", "Cohort"}

type changeRow struct {
	ID         int64          `db:"id"`
	At         time.Time      `db:"at"`
	EntityType string         `db:"entity_type"`
	EntityID   int64          `db:"entity_id"`
	Kind       string         `db:"kind"`
	Action     string         `db:"action"`
	Version    *int           `db:"version"`
	Fields     pq.StringArray `db:"fields"`
}

// changeScope returns the condition that restricts the audit records
// aliased n to what ctx's viewer may see, or "" for a viewer who reads
// everything: the changes of public nodes, and those whose universities
// (who could see the change when it was written: migration 00025) include
// the viewer's, an assignment's only for the university it belongs to.
// This is scope.go's rule as it stood when each record was written, so a
// record's visibility never changes after a cursor has passed it.
func changeScope(ctx context.Context, args *sqlArgs) string {
	v := viewer.From(ctx)
	if v.ReadsEverything() {
		return ""
	}
	public := "n.entity_type = ANY(" + args.add(pq.StringArray(publicChangeTypes)) + ")"
	if v.Role != viewer.University || v.UniversityID == 0 {
		return public
	}
	u := args.add(v.UniversityID)
	return "(" + public + " OR (n.universities @> ARRAY[" + u + "::bigint] AND (n.university_id IS NULL OR n.university_id = " + u + ")))"
}

// changeConditions are f's conditions and ctx's viewer's scope over the
// audit records aliased n after the record with id after.
func changeConditions(ctx context.Context, f ChangeFilter, after int64) conditions {
	var c conditions
	c.add("n.id > ?", after)
	c.strs("n.entity_type = ANY(?)", f.Types)
	c.strs("n.kind = ANY(?)", f.Kinds)
	if len(f.Nodes) > 0 {
		ors := make([]string, 0, len(f.Nodes))
		for _, n := range f.Nodes {
			ors = append(ors, "(n.entity_type = "+c.args.add(n.Type)+" AND n.entity_id = "+c.args.add(n.ID)+")")
		}
		c.where = append(c.where, "("+strings.Join(ors, " OR ")+")")
	}
	if s := changeScope(ctx, &c.args); s != "" {
		c.where = append(c.where, s)
	}
	return c
}

// Changes returns up to first changes after the record with id after
// (0: from the beginning), oldest first, that ctx's viewer may see and f
// selects, and whether more follow.
func (s *Store) Changes(ctx context.Context, f ChangeFilter, after int64, first int) ([]model.Change, bool, error) {
	c := changeConditions(ctx, f, after)
	q := `SELECT n.id, n.at, n.entity_type, n.entity_id, n.kind, n.action, n.version, n.fields FROM audit_log n
WHERE ` + strings.Join(c.where, " AND ") + ` ORDER BY n.id LIMIT ` + c.args.add(first+1)
	var rows []changeRow
	if err := s.reader(ctx).SelectContext(ctx, &rows, q, c.args.list...); err != nil {
		return nil, false, translate(err)
	}
	more := len(rows) > first
	if more {
		rows = rows[:first]
	}
	out := make([]model.Change, len(rows))
	for i, r := range rows {
		out[i] = model.Change{AuditID: r.ID, Type: r.EntityType, EntityID: r.EntityID, Kind: r.Kind, Action: r.Action,
			Version: r.Version, At: r.At, ChangedFields: []string(r.Fields)}
	}
	return out, more, nil
}

// CountChanges counts the changes after the record with id after that
// ctx's viewer may see and f selects.
func (s *Store) CountChanges(ctx context.Context, f ChangeFilter, after int64) (int, error) {
	c := changeConditions(ctx, f, after)
	var n int
	err := s.reader(ctx).GetContext(ctx, &n, `SELECT count(*) FROM audit_log n WHERE `+strings.Join(c.where, " AND "), c.args.list...)
	return n, translate(err)
}

// LatestChange returns the id of the newest audit record (0 when there is
// none): where a subscription without a cursor starts.
func (s *Store) LatestChange(ctx context.Context) (int64, error) {
	var id int64
	err := s.reader(ctx).GetContext(ctx, &id, `SELECT COALESCE(max(id), 0) FROM audit_log`)
	return id, translate(err)
}
