package model

import (
	"context"
	"time"
)

// Change is one entry of the change feed (Query.changes,
// Subscription.changes): a recorded write as a client may see it, without
// who made it or the values before and after. Its position in the feed is
// the audit record's id, which only grows, so a client that resumes after
// its last cursor misses nothing.
type Change struct {
	// AuditID is the audit record's id: the feed's order and cursor.
	AuditID int64
	// Type and EntityID name the node that changed (its GraphQL type and
	// row id).
	Type     string
	EntityID int64
	// Kind is CREATE, UPDATE, ARCHIVE, CORRECTION or RELATIONSHIP.
	Kind string
	// Action is the mutation that made the change (e.g. assignTeam).
	Action string
	// Version is the node's version after the change; nil when unknown.
	Version *int
	At      time.Time
	// ChangedFields are the fields that changed (see migration 00025).
	ChangedFields []string
}

// ChangeCursorTag marks cursors of the change feed.
const ChangeCursorTag = "changes"

// Cursor is the change's position in the feed.
func (c *Change) Cursor() Cursor { return Cursor{Tag: ChangeCursorTag, ID: c.AuditID} }

// ChangeEdge is one change of a page of the feed.
type ChangeEdge struct {
	Cursor Cursor
	Node   *Change
}

// ChangeConnection is a page of the change feed, oldest first.
type ChangeConnection struct {
	Edges    []ChangeEdge
	PageInfo PageInfo
	// Count counts every change the page's filter selects after its
	// cursor; run only when a client asks for totalCount.
	Count func(ctx context.Context) (int, error)
}

// TotalCount counts the changes after the page's cursor, ignoring first.
func (c *ChangeConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }
