package importer

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"startupgraph/internal/model"
)

// Problem is one thing wrong with a file: where (sheet, row, column; row
// 1 is the header, row 0 the sheet as a whole), the value, and why.
type Problem struct {
	Sheet  string
	Row    int
	Column string
	Value  string
	Reason string
}

// parsed is a sheet read and checked cell by cell: which of its kind's
// columns the file gave, and its rows' values, each normalized to the
// text the store writes (nil for an empty cell).
type parsed struct {
	spec  *sheet
	name  string // as the file names it
	given []bool
	at    []int // the cell index of each column; -1 when not given
	rows  []row
	// key is each row's natural key, for the report and repeats.
	keys map[string]int // natural key -> row number of its first row
}

type row struct {
	n    int
	vals []*string
	key  string
}

func (p *parsed) val(r row, name string) *string { return r.vals[p.spec.col(name)] }

var (
	keyPattern      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,79}$`)
	languagePattern = regexp.MustCompile(`^[a-z]{2}$`)
)

// header reads a sheet's first row: which columns it gives, where.
// Unknown and repeated columns and missing required ones are problems.
func (p *parsed) header(cells []string, problem func(Problem)) {
	p.given = make([]bool, len(p.spec.columns))
	p.at = make([]int, len(p.spec.columns))
	for i := range p.at {
		p.at[i] = -1
	}
	for i, h := range cells {
		if strings.TrimSpace(h) == "" {
			continue
		}
		found := false
		for j, c := range p.spec.columns {
			if normalize(c.name) == normalize(h) {
				found = true
				if p.given[j] {
					problem(Problem{Sheet: p.name, Row: 1, Column: h, Value: h, Reason: "repeats column " + c.name})
				}
				p.given[j], p.at[j] = true, i
			}
		}
		if !found {
			problem(Problem{Sheet: p.name, Row: 1, Column: h, Value: h, Reason: "is not a column of " + string(p.spec.kind) + " (" + p.spec.names() + ")"})
		}
	}
	for j, c := range p.spec.columns {
		if c.required && !p.given[j] {
			problem(Problem{Sheet: p.name, Row: 1, Column: c.name, Reason: "is a required column and is missing"})
		}
	}
}

func (s *sheet) names() string {
	var out []string
	for _, c := range s.columns {
		out = append(out, c.name)
	}
	return strings.Join(out, ", ")
}

// add reads a row's cells, column by column; problems go to problem.
// today bounds the dates that must not be in the future.
func (p *parsed) add(n int, cells []string, today time.Time, problem func(Problem)) {
	r := row{n: n, vals: make([]*string, len(p.spec.columns))}
	var key []string
	complete := true
	for j, c := range p.spec.columns {
		if p.at[j] < 0 {
			continue
		}
		raw := ""
		if p.at[j] < len(cells) {
			raw = cells[p.at[j]]
		}
		v, reason := readCell(c, raw, today)
		if reason != "" {
			problem(Problem{Sheet: p.name, Row: n, Column: c.name, Value: raw, Reason: reason})
		}
		r.vals[j] = v
		if c.match {
			key = append(key, deref(v))
			complete = complete && (v != nil || !c.required)
		}
	}
	r.key = strings.Join(key, " / ")
	if first, ok := p.keys[r.key]; ok && complete {
		problem(Problem{Sheet: p.name, Row: n, Column: p.matchNames(), Value: r.key, Reason: fmt.Sprintf("repeats row %d (the same %s)", first, p.matchNames())})
	} else if complete {
		p.keys[r.key] = n
	}
	p.rows = append(p.rows, r)
}

func (p *parsed) matchNames() string {
	var out []string
	for _, c := range p.spec.columns {
		if c.match {
			out = append(out, c.name)
		}
	}
	return strings.Join(out, ", ")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// readCell reads one cell as its column's type: the normalized value
// (nil when empty) and, when it cannot be read, why.
func readCell(c column, raw string, today time.Time) (*string, string) {
	v := strings.TrimSpace(raw)
	if v == "" {
		if c.required {
			return nil, "is required"
		}
		return nil, ""
	}
	if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
		return nil, "is not valid UTF-8 text"
	}
	out := func(s string) (*string, string) { return &s, "" }
	switch c.typ {
	case tText:
		if n := utf8.RuneCountInString(v); n < int(c.lo) || n > int(c.hi) {
			return nil, fmt.Sprintf("must be %d to %d characters", max(c.lo, 1), c.hi)
		}
		return out(v)
	case tKey:
		if !keyPattern.MatchString(v) {
			return nil, "is not a key (lowercase letters, digits and hyphens, up to 80, starting with a letter or digit)"
		}
		return out(v)
	case tDate:
		d, ok := readDate(v)
		if !ok {
			return nil, "is not a date (YYYY-MM-DD)"
		}
		if (c.name == "foundedOn" || c.name == "stageChangedOn") && d.After(today) {
			return nil, "must not be in the future"
		}
		return out(d.Format(time.DateOnly))
	case tEnum:
		u := strings.ToUpper(v)
		if !slices.Contains(enumValues(c), u) {
			return nil, "is not one of " + strings.Join(enumValues(c), ", ")
		}
		return out(u)
	case tInt:
		n, ok := readWhole(v)
		if !ok {
			return nil, "is not a whole number"
		}
		if n < c.lo || n > c.hi {
			return nil, fmt.Sprintf("is out of range (%d to %d)", c.lo, c.hi)
		}
		return out(strconv.FormatInt(n, 10))
	case tKRW:
		n, ok := readWhole(v)
		if !ok {
			return nil, "is not a whole number of KRW"
		}
		if n < 0 || n > int64(model.MaxKRW) {
			return nil, fmt.Sprintf("amount out of range (0 to %d KRW)", int64(model.MaxKRW))
		}
		return out(strconv.FormatInt(n, 10))
	case tBool:
		switch strings.ToLower(v) {
		case "true", "1", "yes", "y", "예":
			return out("true")
		case "false", "0", "no", "n", "아니오":
			return out("false")
		}
		return nil, "is not true or false"
	case tKeys, tLangs:
		var items []string
		for _, it := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' }) {
			it = strings.TrimSpace(it)
			if it == "" || slices.Contains(items, it) {
				continue
			}
			pattern, what := keyPattern, "a key"
			if c.typ == tLangs {
				it = strings.ToLower(it)
				pattern, what = languagePattern, "an ISO 639-1 code such as ko"
			}
			if !pattern.MatchString(it) {
				return nil, fmt.Sprintf("%q is not %s", it, what)
			}
			items = append(items, it)
		}
		if int64(len(items)) > c.hi {
			return nil, fmt.Sprintf("lists more than %d", c.hi)
		}
		return out(strings.Join(items, ","))
	}
	return nil, "cannot be read"
}

// readDate reads an ISO 8601 date (a date-time's date part), a date
// written with slashes or dots, or a spreadsheet's date serial number.
func readDate(v string) (time.Time, bool) {
	for _, layout := range []string{time.DateOnly, "2006/01/02", "2006.01.02", "2006-1-2", "2006/1/2", "2006.1.2"} {
		if d, err := time.Parse(layout, v); err == nil {
			return d, true
		}
	}
	if d, err := time.Parse(time.RFC3339, v); err == nil {
		return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC), true
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 1 && f < 2958466 {
		if d, err := excelize.ExcelDateToTime(math.Floor(f), false); err == nil {
			return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC), true
		}
	}
	return time.Time{}, false
}

// readWhole reads a whole number, written as digits or, as a spreadsheet
// may store it, in floating point (1.95E9).
func readWhole(v string) (int64, bool) {
	v = strings.ReplaceAll(v, ",", "")
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<62 {
		return 0, false
	}
	return int64(f), true
}
