package model

import (
	"io"
	"slices"
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

// Ordinal is the stage's place in the article's order (IDEA is 0), so a
// move back to an earlier stage can be told from one forward; -1 for an
// unknown stage.
func (v GrowthStage) Ordinal() int { return slices.Index(growthStageValues, v) }
