package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"startupgraph/internal/apperr"
	"startupgraph/internal/store"
)

// Options say how to run an import.
type Options struct {
	// DryRun checks the file and works out what it would create, update
	// and leave unchanged, in a transaction that is rolled back.
	DryRun bool
	// Today bounds dates that must not be in the future, and dates a
	// stage move that names none; zero is today (UTC).
	Today time.Time
}

// Report is what an import found and did. It is data: a file with
// problems is a report that lists them, not an error.
type Report struct {
	DryRun bool
	// Applied: the import was written (a real run without problems).
	Applied bool
	// Checksum is the SHA-256 of the files' bytes, in order (of the
	// file, for one file).
	Checksum string
	Files    []FileSum
	Problems []Problem
	Sheets   []SheetResult
	// BatchID is the import batch's row id (0 unless Applied); its audit
	// record has entity_type ImportBatch.
	BatchID int64
}

// FileSum is a file of the import and its SHA-256.
type FileSum struct {
	Name     string `json:"name"`
	Checksum string `json:"sha256"`
}

// SheetResult is what the import did (or, dry, would do) with a sheet's
// rows, by their natural keys.
type SheetResult struct {
	Sheet                       Kind
	Rows                        int
	Created, Updated, Unchanged []string
}

// Run reads files, checks every row and, when nothing is wrong, applies
// them all in one transaction (rolled back for a dry run). An error is a
// request that cannot be read at all (apperr.InputError on "file") or a
// failure of the database; problems with rows are in the report.
func Run(ctx context.Context, st *store.Store, files []File, opts Options) (*Report, error) {
	today := opts.Today
	if today.IsZero() {
		today = time.Now().UTC()
	}
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	rep := &Report{DryRun: opts.DryRun}
	if len(files) == 0 {
		return nil, apperr.Invalid("file", "give at least one file")
	}
	b := &batch{today: today, sheets: map[Kind]*parsed{}}
	all := sha256.New()
	for _, f := range files {
		sum, err := readFile(f, b.row)
		if err != nil {
			return nil, err
		}
		raw, _ := hex.DecodeString(sum)
		all.Write(raw)
		rep.Files = append(rep.Files, FileSum{Name: f.Name, Checksum: sum})
	}
	rep.Checksum = rep.Files[0].Checksum
	if len(files) > 1 {
		rep.Checksum = hex.EncodeToString(all.Sum(nil))
	}
	if len(b.sheets) == 0 && len(b.problems) == 0 {
		b.problem(Problem{Reason: "the file has no sheet of rows to import (" + kindNames() + ")"})
	}
	err := st.Import(ctx, func(ctx context.Context, tx *store.ImportTx) (bool, error) {
		a := &apply{batch: b, tx: tx, problems: slices.Clone(b.problems)}
		if err := a.lookup(ctx); err != nil {
			return false, err
		}
		a.check()
		rep.Problems, rep.Sheets = a.problems, nil
		if len(a.problems) > 0 {
			return false, nil
		}
		if err := tx.DeferFigures(ctx); err != nil {
			return false, err
		}
		results, summary, err := a.write(ctx)
		if err != nil {
			return false, err
		}
		if err := tx.RecountFigures(ctx, a.touched, setIDs(a.touchedMentors)); err != nil {
			return false, err
		}
		if err != nil {
			return false, err
		}
		rep.Sheets = results
		if opts.DryRun {
			return false, nil
		}
		summary["checksum"] = rep.Checksum
		summary["files"] = rep.Files
		id, err := tx.RecordImport(ctx, rep.Checksum, rep.Files, summary)
		rep.BatchID, rep.Applied = id, err == nil
		return err == nil, err
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

func kindNames() string {
	var out []string
	for _, k := range Kinds {
		out = append(out, string(k))
	}
	return strings.Join(out, ", ")
}

// batch is the files as read: a parsed sheet per kind, and the problems
// reading found.
type batch struct {
	today    time.Time
	sheets   map[Kind]*parsed
	problems []Problem
	current  *parsed
	skip     string // a sheet whose rows are not read (unknown, or a repeat)
}

func (b *batch) problem(p Problem) { b.problems = append(b.problems, p) }

// row takes one row of a file as it is read.
func (b *batch) row(sheet string, n int, cells []string) {
	if b.current != nil && b.current.name == sheet {
		b.current.add(n, cells, b.today, b.problem)
		return
	}
	if b.skip == sheet {
		return
	}
	b.current, b.skip = nil, ""
	k, ok := kindOf(sheet)
	if !ok {
		b.skip = sheet
		b.problem(Problem{Sheet: sheet, Reason: "is not a kind of row an import reads (" + kindNames() + ")"})
		return
	}
	if prev, dup := b.sheets[k]; dup {
		b.skip = sheet
		b.problem(Problem{Sheet: sheet, Reason: "holds " + string(k) + ", as " + prev.name + " does; put them in one"})
		return
	}
	p := &parsed{spec: sheets[k], name: sheet, keys: map[string]int{}}
	p.header(cells, b.problem)
	b.sheets[k], b.current = p, p
}

// apply is one attempt at the import's transaction: what the lookups
// found, the problems the checks found, and the ids rows resolve to.
type apply struct {
	*batch
	tx       *store.ImportTx
	problems []Problem

	refs     store.ImportRefs
	startups map[string]store.ExistingStartup
	mentors  map[string]store.RefRow
	names    map[string]map[string]store.NameMatch // "startups.name_ko" -> name -> match
	// file's own startups and mentors, by key: their row
	fileStartups, fileMentors map[string]row
	// touched are the startups whose rows of each table the import
	// wrote (their figures are recounted), touchedMentors the mentors
	// whose mentorships it wrote.
	touched        map[string][]int64
	touchedMentors map[int64]bool
}

func (a *apply) problem(p Problem) { a.problems = append(a.problems, p) }
