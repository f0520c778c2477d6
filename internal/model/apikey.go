package model

import "time"

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
