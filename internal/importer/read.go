package importer

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"

	"startupgraph/internal/apperr"
)

// File is one file to import: a workbook, or a CSV file whose name says
// its kind (startups.csv, market-targets.csv). Path, when set, is where
// it is on disk (a workbook is then read from there without loading it
// whole); otherwise Reader is read.
type File struct {
	Name   string
	Path   string
	Reader io.Reader
}

// Reading a workbook: excelize, the well-kept Go library for XLSX, with
// its streaming row reader (Rows), so a sheet is decoded row by row. A
// worksheet's XML beyond xmlInMemory is unzipped to a temporary file
// rather than kept in memory; the whole unzipped workbook may not exceed
// maxUnzipped (a zip bomb is refused).
const (
	xmlInMemory = 4 << 20
	maxUnzipped = 1 << 30
)

// ignoredSheets are sheets of a workbook that hold no rows: the
// template's notes.
var ignoredSheets = map[string]bool{"notes": true, "readme": true, "참고": true}

// rowFunc takes the rows of a file as they are read, one sheet after
// another: the sheet's name, the row's number in it (1 for its first
// row) and its cells; blank rows are left out. The first row of a sheet
// is its header.
type rowFunc func(sheet string, n int, cells []string)

// readFile reads a file's rows and its SHA-256. A file that is neither
// a workbook nor CSV text is an input error on "file".
func readFile(f File, each rowFunc) (string, error) {
	path, cleanup, sum, err := spool(f)
	if err != nil {
		return "", err
	}
	defer cleanup()
	head := make([]byte, 4)
	if fh, err := os.Open(path); err == nil {
		_, _ = io.ReadFull(fh, head)
		_ = fh.Close()
	}
	ext := strings.ToLower(filepath.Ext(f.Name))
	isZip := bytes.Equal(head, []byte("PK\x03\x04"))
	switch {
	case isZip:
		return sum, readXLSX(path, each)
	case ext == ".xlsx" || ext == ".xlsm":
		return "", apperr.Invalid("file", "%s is not an XLSX workbook", f.Name)
	default:
		return sum, readCSV(f.Name, path, each)
	}
}

// spool gives the file a path to read it from (a reader is copied to a
// temporary file) and its checksum.
func spool(f File) (path string, cleanup func(), sum string, err error) {
	h := sha256.New()
	cleanup = func() {}
	if f.Path != "" {
		fh, err := os.Open(f.Path)
		if err != nil {
			return "", cleanup, "", err
		}
		defer fh.Close()
		if _, err := io.Copy(h, fh); err != nil {
			return "", cleanup, "", err
		}
		return f.Path, cleanup, hex.EncodeToString(h.Sum(nil)), nil
	}
	if osf, ok := f.Reader.(*os.File); ok && osf.Name() != "" {
		if _, err := io.Copy(h, osf); err != nil {
			return "", cleanup, "", err
		}
		return osf.Name(), cleanup, hex.EncodeToString(h.Sum(nil)), nil
	}
	tmp, err := os.CreateTemp("", "startupgraph-import-*")
	if err != nil {
		return "", cleanup, "", err
	}
	cleanup = func() { _ = os.Remove(tmp.Name()) }
	_, err = io.Copy(io.MultiWriter(tmp, h), f.Reader)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		cleanup()
		return "", func() {}, "", fmt.Errorf("reading %s: %w", f.Name, err)
	}
	return tmp.Name(), cleanup, hex.EncodeToString(h.Sum(nil)), nil
}

func readXLSX(path string, each rowFunc) error {
	wb, err := excelize.OpenFile(path, excelize.Options{UnzipXMLSizeLimit: xmlInMemory, UnzipSizeLimit: maxUnzipped})
	if err != nil {
		return apperr.Invalid("file", "is not a readable XLSX workbook")
	}
	defer wb.Close()
	for _, name := range wb.GetSheetList() {
		if ignoredSheets[strings.ToLower(strings.TrimSpace(name))] {
			continue
		}
		if err := readSheet(wb, name, each); err != nil {
			return apperr.Invalid("file", "sheet %q could not be read", name)
		}
	}
	return nil
}

// readSheet reads one sheet row by row (excelize's Rows), raw values:
// a date cell as its serial number, which tDate reads.
func readSheet(wb *excelize.File, name string, each rowFunc) error {
	rows, err := wb.Rows(name)
	if err != nil {
		return err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return err
		}
		if !blank(cells) {
			each(name, n, cells)
		}
	}
	return rows.Error()
}

func readCSV(name, path string, each rowFunc) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	br := bufio.NewReader(fh)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3) // the BOM /export writes for Excel
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	sheet := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	for n := 1; ; n++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return apperr.Invalid("file", "%s is not valid CSV: line %d: %v", name, pe.Line, pe.Err)
			}
			return err
		}
		for i, c := range rec {
			rec[i] = unquoteFormula(c)
		}
		if !blank(rec) {
			each(sheet, n, rec)
		}
	}
}

// unquoteFormula takes off the apostrophe /export puts before text a
// spreadsheet would read as a formula ('=…, '+…, '-…, '@…), so an
// exported file imports as the values it was exported from.
func unquoteFormula(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
