package export

import (
	"encoding/csv"
	"io"
	"strings"
)

// bom is UTF-8's byte order mark, which tells Excel the file is UTF-8
// (without it, Korean names show as mojibake).
const bom = "\ufeff"

// CSV writes the table as CSV: UTF-8 with a BOM, RFC 4180 quoting, CRLF
// line ends; flush (may be nil) is called after each page, so the rows
// leave as they come.
type CSV struct {
	out   io.Writer
	w     *csv.Writer
	flush func() error
	row   []string
}

// NewCSV returns a CSV writer to out.
func NewCSV(out io.Writer, flush func() error) *CSV {
	w := csv.NewWriter(out)
	w.UseCRLF = true
	return &CSV{out: out, w: w, flush: flush}
}

// Header writes the BOM and the header row.
func (c *CSV) Header(names []string) error {
	if _, err := io.WriteString(c.out, bom); err != nil {
		return err
	}
	return c.w.Write(names)
}

// Row writes one row. A text cell that a spreadsheet would read as a
// formula (it starts with =, +, -, @, a tab or a carriage return) gets a
// leading apostrophe, as OWASP advises against CSV injection; numbers
// keep their sign.
func (c *CSV) Row(cells []any) error {
	c.row = c.row[:0]
	for _, v := range cells {
		t := Text(v)
		if s, ok := v.(string); ok && s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			t = "'" + s
		}
		c.row = append(c.row, t)
	}
	return c.w.Write(c.row)
}

// EndPage sends what the page wrote.
func (c *CSV) EndPage() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return err
	}
	if c.flush != nil {
		return c.flush()
	}
	return nil
}

// Close flushes the rest.
func (c *CSV) Close() error { return c.EndPage() }
