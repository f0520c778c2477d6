// Package globalid encodes the opaque, globally unique ids that clients see
// (Relay's Node.id): a node's type and its row id, base64url-encoded so that
// clients do not build or parse them.
package globalid

import (
	"encoding/base64"
	"strconv"
	"strings"

	"startupgraph/internal/apperr"
)

// Type names the kind of node an id refers to. Values equal the GraphQL
// type names.
type Type string

// The node types that have global ids.
const (
	University   Type = "University"
	Organization Type = "Organization"
	Program      Type = "Program"
	Sector       Type = "Sector"
	Fund         Type = "Fund"
	Facility     Type = "Facility"
	Startup      Type = "Startup"
	Mentor       Type = "Mentor"
	Market       Type = "Market"
	Cohort       Type = "Cohort"
	Investment   Type = "Investment"
	// Outcome and StageChange are records of a startup that corrections
	// address by id; node(id:) does not fetch them (NOT_FOUND).
	Outcome     Type = "Outcome"
	StageChange Type = "StageChange"
)

var known = map[Type]bool{
	University: true, Organization: true, Program: true, Sector: true, Fund: true, Facility: true,
	Startup: true, Mentor: true, Market: true, Cohort: true, Investment: true,
	Outcome: true, StageChange: true,
}

// Encode returns the global id of row id of type t.
func Encode(t Type, id int64) string {
	return string(AppendEncode(nil, t, id))
}

// AppendEncode appends the global id of t's row id to dst (as Encode
// spells it), allocating nothing when dst has room: the responses that
// list thousands of ids write them this way.
func AppendEncode(dst []byte, t Type, id int64) []byte {
	var raw [64]byte
	b := append(append(raw[:0], t...), ':')
	b = strconv.AppendInt(b, id, 10)
	return base64.RawURLEncoding.AppendEncode(dst, b)
}

// Decode splits a global id into its type and row id. field names the
// argument for the error a malformed or non-canonical id produces.
func Decode(field, gid string) (Type, int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(gid)
	if err != nil || len(gid) > 64 {
		return "", 0, apperr.Invalid(field, "is not a valid id")
	}
	typ, num, ok := strings.Cut(string(raw), ":")
	id, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || id <= 0 || !known[Type(typ)] {
		return "", 0, apperr.Invalid(field, "is not a valid id")
	}
	// Each node has exactly one id: another spelling of the same node
	// (base64 with stray trailing bits, "Startup:034") is refused, so ids
	// can be compared, cached and audited as strings.
	if Encode(Type(typ), id) != gid {
		return "", 0, apperr.Invalid(field, "is not a valid id")
	}
	return Type(typ), id, nil
}

// DecodeAs decodes gid and checks that it refers to a node of type want.
func DecodeAs(field string, want Type, gid string) (int64, error) {
	t, id, err := Decode(field, gid)
	if err != nil {
		return 0, err
	}
	if t != want {
		return 0, apperr.Invalid(field, "is the id of a %s, not of a %s", t, want)
	}
	return id, nil
}
