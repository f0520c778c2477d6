package model

import (
	"errors"
	"io"
	"time"

	"startupgraph/internal/globalid"
	"startupgraph/internal/viewer"
)

// APIKey describes a key without its secret: only a hash of the key is
// stored, and the key itself is shown once, at creation.
type APIKey struct {
	ID           int64
	Name         string
	Role         string
	UniversityID *int64
	Prefix       string
	CreatedAt    time.Time
	LastUsedAt   *time.Time
	ExpiresAt    *time.Time
	RevokedAt    *time.Time
}

// AuditEntry is one record of the audit trail.
type AuditEntry struct {
	RowID       int64
	At          time.Time
	ActorKeyID  *int64
	ActorName   string
	ActorRole   viewer.Role
	RequestID   *string
	Action      string
	EntityType  string
	EntityRowID int64
	Before      JSON
	After       JSON
	Reason      *string
}

// JSON is a JSON value passed through as is (the audit trail's before and
// after rows).
type JSON []byte

// MarshalGQL writes the JSON value itself, or null.
func (j JSON) MarshalGQL(w io.Writer) {
	if len(j) == 0 {
		_, _ = io.WriteString(w, "null")
		return
	}
	_, _ = w.Write(j)
}

// UnmarshalGQL is not supported: JSON values are output only.
func (j *JSON) UnmarshalGQL(any) error { return errors.New("JSON is an output type") }

// EntityID is the global id of the node the record is about.
func (a AuditEntry) EntityID() string {
	return globalid.Encode(globalid.Type(a.EntityType), a.EntityRowID)
}
