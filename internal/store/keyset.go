package store

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"startupgraph/internal/apperr"
)

// Keyset orderings: the sort keys of a list and the conditions that bound
// it by a cursor (page.go builds the page around them).

// sortKey is the ordering of a list: an SQL expression that is never NULL,
// the type its cursor value is cast to, and its direction. The row id
// breaks ties, so the order is total and keyset pagination is exact.
type sortKey struct {
	tag  string // names the list and ordering inside cursors
	expr string // empty: order by the id alone
	cast string // text, date, bigint or numeric
	desc bool
	// then are further keys, after this one and before the id; a
	// cursor then holds all the keys' values, as a JSON array of text.
	then []sortPart
}

// sortPart is one further key of a sortKey.
type sortPart struct {
	expr, cast string
	desc       bool
}

// parts are all of k's keys, k's own first.
func (k sortKey) parts() []sortPart {
	return append([]sortPart{{k.expr, k.cast, k.desc}}, k.then...)
}

// parses reports whether v, a cursor's sort value, is of the key's type.
func (k sortKey) parses(v string) bool { return parsesAs(k.cast, v) }

func parsesAs(cast, v string) bool {
	switch cast {
	case "date":
		_, err := time.Parse("2006-01-02", v)
		return err == nil
	case "bigint":
		_, err := strconv.ParseInt(v, 10, 64)
		return err == nil
	case "numeric":
		_, ok := new(big.Rat).SetString(v)
		return ok
	}
	return true
}

// values splits a cursor's sort value into one value per key, each of its
// key's type; ok is false when it does not fit the ordering.
func (k sortKey) values(v string) ([]string, bool) {
	if len(k.then) == 0 {
		return []string{v}, k.parses(v)
	}
	var vals []string
	if json.Unmarshal([]byte(v), &vals) != nil || len(vals) != len(k.then)+1 {
		return nil, false
	}
	for i, p := range k.parts() {
		if !parsesAs(p.cast, vals[i]) {
			return nil, false
		}
	}
	return vals, true
}

// keysetCondition bounds the list by a cursor: strictly after it
// (after=true: greater in ascending order, smaller in descending) or
// strictly before it. field names the argument for the error.
func (q *pageQuery) keysetCondition(c cursor, after bool, field string) (string, error) {
	vals, ok := q.sort.values(c.Value)
	if c.Tag != q.sort.tag || (q.sort.expr != "" && !ok) {
		return "", apperr.Invalid(field, "is a cursor of another list or ordering")
	}
	op := "<"
	if after != q.sort.desc {
		op = ">"
	}
	if q.sort.expr == "" {
		return fmt.Sprintf("%s %s %s", q.idExpr, op, q.args.add(c.ID)), nil
	}
	if len(q.sort.then) == 0 {
		return fmt.Sprintf("(%s, %s) %s (%s::%s, %s)", q.sort.expr, q.idExpr, op,
			q.args.add(c.Value), q.sort.cast, q.args.add(c.ID)), nil
	}
	// Keys in different directions: after (or before) the cursor on the
	// first key that differs, each in its own direction; the id (in the
	// first key's direction) breaks ties.
	var ors, equal []string
	for i, p := range q.sort.parts() {
		v := q.args.add(vals[i]) + "::" + p.cast
		pop := "<"
		if after != p.desc {
			pop = ">"
		}
		ors = append(ors, "("+strings.Join(append(slices.Clone(equal), p.expr+" "+pop+" "+v), " AND ")+")")
		equal = append(equal, p.expr+" = "+v)
	}
	ors = append(ors, "("+strings.Join(append(equal, q.idExpr+" "+op+" "+q.args.add(c.ID)), " AND ")+")")
	return "(" + strings.Join(ors, " OR ") + ")", nil
}
