package model

import (
	"io"
	"strconv"

	"startupgraph/internal/apperr"
)

// enum lists the values of a GraphQL enum bound to a Go string type, so that
// marshalling and input validation share one definition.
type enum[T ~string] []T

func (e enum[T]) parse(v any, name string) (T, error) {
	s, ok := v.(string)
	if !ok {
		return "", apperr.InvalidValue("must be a %s value", name)
	}
	for _, x := range e {
		if string(x) == s {
			return x, nil
		}
	}
	return "", apperr.InvalidValue("%q is not a valid %s", s, name)
}

func (e enum[T]) valid(v T) bool {
	for _, x := range e {
		if x == v {
			return true
		}
	}
	return false
}

func writeQuoted(w io.Writer, s string) { _, _ = io.WriteString(w, strconv.Quote(s)) }
