package model

import (
	"io"
	"strconv"
	"time"

	"startupgraph/internal/apperr"
)

// Date is a calendar date without a time zone, written YYYY-MM-DD.
type Date struct{ time.Time }

// DateLayout is the wire format of Date.
const DateLayout = "2006-01-02"

// NewDate returns the Date of t's calendar day.
func NewDate(t time.Time) Date {
	return Date{time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

// String renders the date as YYYY-MM-DD.
func (d Date) String() string { return d.Format(DateLayout) }

// MarshalGQL writes the date as a JSON string.
func (d Date) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(d.String())) }

// UnmarshalGQL reads a YYYY-MM-DD string.
func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return apperr.InvalidValue("must be a date string YYYY-MM-DD")
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return apperr.InvalidValue("%q is not a date YYYY-MM-DD", s)
	}
	*d = Date{t}
	return nil
}
