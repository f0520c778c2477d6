// Package viewer says who is making a request: anonymous, or the holder of
// an API key with a role. The auth middleware puts it in the request
// context; the store reads it to scope every query; the GraphQL layer
// reads it for directives and the viewer field.
package viewer

import (
	"context"
	"fmt"
	"io"
	"strconv"
)

// Role is what a viewer may do. Values match the GraphQL enum Role.
type Role string

// The roles.
const (
	// Anonymous callers read the public data only: universities,
	// organizations, sectors, programs, funds, markets and facilities.
	Anonymous Role = "ANONYMOUS"
	// Admin is city and technopark staff: reads everything, and writes.
	Admin Role = "ADMIN"
	// Analyst reads everything and may use introspection and the playground.
	Analyst Role = "ANALYST"
	// University reads the teams assigned to its university, and through
	// them their mentors, investments, targets, outcomes and programs.
	University Role = "UNIVERSITY"
)

// Valid reports whether r is a role a key can have.
func (r Role) Valid() bool { return r == Admin || r == Analyst || r == University }

// Viewer is the identity of a request.
type Viewer struct {
	Role Role
	// KeyID and KeyName identify the API key; zero for anonymous.
	KeyID   int64
	KeyName string
	// UniversityID is set for the University role.
	UniversityID int64
}

// AnonymousViewer is the identity of a request without a key.
var AnonymousViewer = Viewer{Role: Anonymous}

// System is full read access for code that acts on its own behalf (the
// command line, seeds), never for requests.
var System = Viewer{Role: Admin, KeyName: "system"}

// ReadsEverything reports whether the viewer may read every team.
func (v Viewer) ReadsEverything() bool { return v.Role == Admin || v.Role == Analyst }

// Authenticated reports whether the request carries a valid key.
func (v Viewer) Authenticated() bool { return v.Role != Anonymous && v.Role != "" }

type ctxKey struct{}

// With returns a context carrying v.
func With(ctx context.Context, v Viewer) context.Context { return context.WithValue(ctx, ctxKey{}, v) }

// From returns the viewer in ctx. A context without one is anonymous, so
// forgetting to set it can only hide data, never reveal it.
func From(ctx context.Context) Viewer {
	if v, ok := ctx.Value(ctxKey{}).(Viewer); ok {
		return v
	}
	return AnonymousViewer
}

// MarshalGQL writes the role as a GraphQL enum value.
func (r Role) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL reads a GraphQL enum value.
func (r *Role) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	if !Role(s).Valid() && Role(s) != Anonymous {
		return fmt.Errorf("%q is not a valid Role", s)
	}
	*r = Role(s)
	return nil
}
