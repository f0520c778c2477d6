package export

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// MaxXLSXRows is how many rows below the header one sheet holds (Excel's
// limit is 1,048,576 rows in all).
const MaxXLSXRows = excelize.TotalRows - 1

// ErrTooManyRows: the list has more rows than a sheet holds.
var ErrTooManyRows = &NotExportable{Message: fmt.Sprintf("the list has more than %d rows, more than an XLSX sheet holds: export it as CSV, or narrow it with where", MaxXLSXRows)}

// XLSX writes the table as one sheet of an XLSX workbook through
// excelize's StreamWriter, which keeps the rows written so far in a
// temporary file, not in memory (inline strings, no shared-string
// table). The workbook is a zip whose parts are only complete at the
// end, so it is sent whole on Close.
type XLSX struct {
	out    io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	row    int
	whole  int // style of whole numbers: digits, no exponent
	header int
	cells  []any
}

// NewXLSX returns a writer of a workbook with one sheet named sheet to
// out.
func NewXLSX(out io.Writer, sheet string) (*XLSX, error) {
	f := excelize.NewFile()
	x := &XLSX{out: out, f: f}
	if sheet == "" {
		sheet = "export"
	}
	if r := []rune(sheet); len(r) > 31 {
		sheet = string(r[:31])
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		f.Close()
		return nil, err
	}
	var err error
	if x.sw, err = f.NewStreamWriter(sheet); err != nil {
		f.Close()
		return nil, err
	}
	if x.whole, err = f.NewStyle(&excelize.Style{NumFmt: 1}); err != nil { // "0"
		f.Close()
		return nil, err
	}
	if x.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		f.Close()
		return nil, err
	}
	return x, nil
}

// Header writes the header row, in bold, and freezes it.
func (x *XLSX) Header(names []string) error {
	if err := x.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	cells := make([]any, len(names))
	for i, n := range names {
		cells[i] = excelize.Cell{StyleID: x.header, Value: n}
	}
	x.row = 1
	return x.sw.SetRow("A1", cells)
}

// Row writes one row: whole numbers (KRW, counts, years) as numbers
// shown with all their digits, other numbers as numbers, text as text
// (a date stays its ISO 8601 text), booleans as booleans.
func (x *XLSX) Row(cells []any) error {
	if x.row > MaxXLSXRows {
		return ErrTooManyRows
	}
	x.row++
	x.cells = x.cells[:0]
	for _, v := range cells {
		switch n := v.(type) {
		case json.Number:
			if i, err := n.Int64(); err == nil {
				v = excelize.Cell{StyleID: x.whole, Value: i}
			} else if f, err := n.Float64(); err == nil {
				v = f
			} else {
				v = n.String()
			}
		}
		x.cells = append(x.cells, v)
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, x.cells)
}

// EndPage does nothing: the workbook leaves whole, on Close.
func (x *XLSX) EndPage() error { return nil }

// Close finishes the sheet and writes the workbook.
func (x *XLSX) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	return x.f.Write(x.out)
}

// Abort drops the workbook and its temporary files.
func (x *XLSX) Abort() { _ = x.f.Close() }
