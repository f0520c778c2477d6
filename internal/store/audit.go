package store

import (
	"context"
	"time"

	"startupgraph/internal/model"
	"startupgraph/internal/viewer"
)

type auditRow struct {
	pageCols
	ID         int64     `db:"id"`
	At         time.Time `db:"at"`
	ActorKeyID *int64    `db:"actor_key_id"`
	ActorName  string    `db:"actor_name"`
	ActorRole  string    `db:"actor_role"`
	RequestID  *string   `db:"request_id"`
	Action     string    `db:"action"`
	EntityType string    `db:"entity_type"`
	EntityID   int64     `db:"entity_id"`
	Before     []byte    `db:"before"`
	After      []byte    `db:"after"`
	Reason     *string   `db:"reason"`
}

// AuditFilter selects audit records.
type AuditFilter struct {
	EntityType *string
	EntityID   *int64
	Actions    []string
	ActorKeyID *int64
	Since      *time.Time
}

// ListAuditLog pages the audit trail, newest first.
func (s *Store) ListAuditLog(ctx context.Context, f AuditFilter, page PageArgs) (model.Connection[model.AuditEntryEdge, model.AuditEntry], error) {
	var c conditions
	if f.EntityType != nil {
		c.add("n.entity_type = ?", *f.EntityType)
	}
	if f.EntityID != nil {
		c.add("n.entity_id = ?", *f.EntityID)
	}
	c.strs("n.action = ANY(?)", f.Actions)
	if f.ActorKeyID != nil {
		c.add("n.actor_key_id = ?", *f.ActorKeyID)
	}
	if f.Since != nil {
		c.add("n.at >= ?", *f.Since)
	}
	q := listQuery(`n.id, n.at, n.actor_key_id, n.actor_name, n.actor_role, n.request_id, n.action, n.entity_type, n.entity_id, n.before, n.after, n.reason`,
		"audit_log n", c, sortKey{tag: "audit", desc: true})
	return listPage(ctx, s, q, page, func(r auditRow, cursor model.Cursor) model.AuditEntryEdge {
		return model.AuditEntryEdge{Cursor: cursor, Node: &model.AuditEntry{RowID: r.ID, At: r.At, ActorKeyID: r.ActorKeyID,
			ActorName: r.ActorName, ActorRole: viewer.Role(r.ActorRole), RequestID: r.RequestID, Action: r.Action,
			EntityType: r.EntityType, EntityRowID: r.EntityID, Before: r.Before, After: r.After, Reason: r.Reason}}
	})
}
