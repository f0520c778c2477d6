package model

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"

	"startupgraph/internal/apperr"
)

// The built-in scalars as this API reads them (gqlgen.yml binds Int,
// String and DateTime to these functions): every input is checked here,
// once, before any resolver or SQL sees it, and a value the database or
// the GraphQL specification would refuse is BAD_USER_INPUT naming its
// argument (the error presenter names the field from the error's path).

// MarshalInt writes an Int.
func MarshalInt(i int) graphql.Marshaler { return graphql.MarshalInt(i) }

// UnmarshalInt reads an Int: a whole number within 32 bits, as the
// GraphQL specification defines Int (a larger literal or variable is a
// coercion error, not a large page size or a version PostgreSQL refuses).
func UnmarshalInt(v any) (int, error) {
	if _, ok := v.(string); ok { // "5" is a String, as graphql-js holds
		return 0, apperr.InvalidValue("Int must be a number, not a string")
	}
	n, err := graphql.UnmarshalInt32(v)
	if err != nil {
		return 0, apperr.InvalidValue("Int must be a whole number from %d to %d", math.MinInt32, math.MaxInt32)
	}
	return int(n), nil
}

// IntInRange reports whether n fits GraphQL's 32-bit Int.
func IntInRange(n int64) bool { return n >= math.MinInt32 && n <= math.MaxInt32 }

// IntTotal converts a count or sum computed by the database into an Int,
// refusing with apperr.ErrOutOfRange one beyond 32 bits.
func IntTotal(n int64) (int, error) {
	if !IntInRange(n) {
		return 0, apperr.ErrOutOfRange
	}
	return int(n), nil
}

// MarshalString writes a String.
func MarshalString(s string) graphql.Marshaler { return graphql.MarshalString(s) }

// UnmarshalString reads a String: valid UTF-8 without NUL characters,
// which PostgreSQL's text cannot hold.
func UnmarshalString(v any) (string, error) {
	s, err := graphql.UnmarshalString(v)
	if err != nil {
		return "", apperr.InvalidValue("must be a string")
	}
	return s, CheckText(s)
}

// CheckText refuses text PostgreSQL cannot store: invalid UTF-8 or NUL.
func CheckText(s string) error {
	if !utf8.ValidString(s) {
		return apperr.InvalidValue("must be valid UTF-8")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return apperr.InvalidValue("must not contain NUL characters")
	}
	return nil
}

// MarshalDateTime writes a DateTime (RFC 3339; null for the zero time).
func MarshalDateTime(t time.Time) graphql.Marshaler { return graphql.MarshalTime(t) }

// UnmarshalDateTime reads an RFC 3339 date and time with its offset, such
// as 2017-03-02T09:00:00+09:00, in years 1 to 9999.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, apperr.InvalidValue("must be an RFC 3339 date-time string such as 2017-03-02T09:00:00+09:00")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() < 1 {
		return time.Time{}, apperr.InvalidValue("must be an RFC 3339 date-time such as 2017-03-02T09:00:00+09:00")
	}
	return t, nil
}
