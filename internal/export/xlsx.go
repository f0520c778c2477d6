package export

import (
	"archive/zip"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
)

// MaxXLSXRows is how many rows below the header one sheet holds (Excel's
// limit is 1,048,576 rows in all).
const MaxXLSXRows = 1<<20 - 1

// maxCellChars is the most UTF-16 code units Excel keeps in a cell.
const maxCellChars = 32767

// ErrTooManyRows: the list has more rows than a sheet holds.
var ErrTooManyRows = &NotExportable{Message: fmt.Sprintf("the list has more than %d rows, more than an XLSX sheet holds: export it as CSV, or narrow it with where", MaxXLSXRows)}

// XLSX writes the table as a workbook of one sheet, streamed: the
// package's small parts first, then the sheet's XML row by row into the
// zip as the pages come, so neither the sheet nor the file is ever held
// whole (excelize's StreamWriter keeps up to 16 MiB of sheet XML in
// memory and its File.Write builds the whole zip in a buffer: 63 MiB of
// heap for 100,000 rows here). Text is inline strings (no shared-string
// table to keep), whole numbers numbers shown with every digit.
type XLSX struct {
	name  string
	zw    *zip.Writer
	sheet io.Writer
	flush func() error
	row   int
	buf   []byte
}

// Cell styles of styles.xml: the default, bold (the header), whole
// numbers in full ("0": no exponent for 36,500,000,000 KRW).
const (
	styleBold  = "1"
	styleWhole = "2"
)

// NewXLSX returns a writer of a workbook whose one sheet is named sheet,
// to out; flush (may be nil) is called after each page.
func NewXLSX(out io.Writer, sheet string, flush func() error) *XLSX {
	if sheet == "" {
		sheet = "export"
	}
	if r := []rune(sheet); len(r) > 31 {
		sheet = string(r[:31])
	}
	return &XLSX{name: sheet, zw: zip.NewWriter(out), flush: flush, buf: make([]byte, 0, 4096)}
}

// parts are the workbook's fixed parts but the sheet; %s is the sheet's
// name (escaped).
var parts = []struct{ name, body string }{
	{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`},
	{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
	{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="%s" sheetId="1" r:id="rId1"/></sheets></workbook>`},
	{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`},
	{"xl/styles.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`},
}

const sheetStart = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>`

const sheetEnd = `</sheetData></worksheet>`

// Header writes the package's parts and the header row, in bold, frozen.
func (x *XLSX) Header(names []string) error {
	var name strings.Builder
	_ = xml.EscapeText(&name, []byte(x.name))
	for _, p := range parts {
		w, err := x.zw.Create(p.name)
		if err != nil {
			return err
		}
		body := p.body
		if strings.Contains(body, "%s") {
			body = fmt.Sprintf(body, name.String())
		}
		if _, err := io.WriteString(w, body); err != nil {
			return err
		}
	}
	var err error
	if x.sheet, err = x.zw.Create("xl/worksheets/sheet1.xml"); err != nil {
		return err
	}
	if _, err := io.WriteString(x.sheet, sheetStart); err != nil {
		return err
	}
	cells := make([]any, len(names))
	for i, n := range names {
		cells[i] = n
	}
	return x.writeRow(cells, styleBold)
}

// Row writes one row: whole numbers (KRW, counts, years) as numbers
// shown with all their digits, other numbers as numbers, text as inline
// text (a date stays its ISO 8601 text), booleans as booleans.
func (x *XLSX) Row(cells []any) error {
	if x.row > MaxXLSXRows {
		return ErrTooManyRows
	}
	return x.writeRow(cells, "")
}

func (x *XLSX) writeRow(cells []any, style string) error {
	x.row++
	b := x.buf[:0]
	b = append(b, `<row r="`...)
	b = strconv.AppendInt(b, int64(x.row), 10)
	b = append(b, `">`...)
	for i, v := range cells {
		if v == nil {
			continue
		}
		b = append(b, `<c r="`...)
		b = appendColumn(b, i)
		b = strconv.AppendInt(b, int64(x.row), 10)
		b = append(b, '"')
		switch n := v.(type) {
		case json.Number:
			if _, err := n.Int64(); err == nil {
				b = append(b, ` s="`+styleWhole+`"><v>`...)
				b = append(b, n.String()...)
			} else if f, err := n.Float64(); err == nil {
				b = append(b, `><v>`...)
				b = strconv.AppendFloat(b, f, 'g', -1, 64)
			} else {
				b = appendText(b, n.String(), style)
				continue
			}
			b = append(b, `</v></c>`...)
		case bool:
			b = append(b, ` t="b"><v>`...)
			if n {
				b = append(b, '1')
			} else {
				b = append(b, '0')
			}
			b = append(b, `</v></c>`...)
		default:
			b = appendText(b, Text(v), style)
		}
	}
	b = append(b, `</row>`...)
	x.buf = b
	_, err := x.sheet.Write(b)
	return err
}

// appendText appends the rest of an inline-string cell holding s (cut to
// what Excel keeps in a cell), opened up to its reference.
func appendText(b []byte, s, style string) []byte {
	if style != "" {
		b = append(b, ` s="`...)
		b = append(b, style...)
		b = append(b, '"')
	}
	b = append(b, ` t="inlineStr"><is><t xml:space="preserve">`...)
	var sb strings.Builder
	_ = xml.EscapeText(&sb, []byte(cut(s))) // invalid XML characters become U+FFFD
	b = append(b, sb.String()...)
	return append(b, `</t></is></c>`...)
}

// cut shortens s to maxCellChars UTF-16 code units.
func cut(s string) string {
	if len(s) <= maxCellChars {
		return s
	}
	n := 0
	for i, r := range s {
		n += utf16.RuneLen(r)
		if n > maxCellChars {
			return s[:i]
		}
	}
	return s
}

// appendColumn appends the letters of the zero-based column i (A, …, Z,
// AA, …).
func appendColumn(b []byte, i int) []byte {
	var rev [4]byte
	n := 0
	for i++; i > 0; i = (i - 1) / 26 {
		rev[n] = byte('A' + (i-1)%26)
		n++
	}
	for n > 0 {
		n--
		b = append(b, rev[n])
	}
	return b
}

// EndPage sends what the page wrote.
func (x *XLSX) EndPage() error {
	if x.flush != nil {
		return x.flush()
	}
	return nil
}

// Close ends the sheet and the zip.
func (x *XLSX) Close() error {
	if _, err := io.WriteString(x.sheet, sheetEnd); err != nil {
		return err
	}
	if err := x.zw.Close(); err != nil {
		return err
	}
	return x.EndPage()
}
