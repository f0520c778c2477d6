package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"startupgraph/internal/importer"
	"startupgraph/internal/store"
	"startupgraph/internal/viewer"
)

const importUsage = `usage:
  startupgraph import [--dry-run] FILE...

Imports a workbook (one sheet per kind of row; see GET /import/template.xlsx)
or CSV files named after their kind (startups.csv, market-targets.csv) into
DATABASE_URL (the project-local cluster without it), as importData does:
every problem is reported and then nothing is written; otherwise all files
are written in one transaction, audited as one batch (as the system). With
--dry-run nothing is written and the counts say what would be.
`

// runImport imports FILEs through internal/importer on the store, as the
// system viewer: who holds the database URL may write it anyway.
func runImport(ctx context.Context, args []string, env Env) error {
	dry := false
	var rest []string
	for _, a := range args {
		switch a {
		case "--dry-run", "-dry-run":
			dry = true
		default:
			rest = append(rest, a)
		}
	}
	return withStore(ctx, "import", rest, env, func(s *store.Store, files []string) error {
		if len(files) == 0 {
			fmt.Fprint(env.Stderr, importUsage)
			return errors.New("import: give at least one file")
		}
		in := make([]importer.File, len(files))
		for i, f := range files {
			in[i] = importer.File{Name: filepath.Base(f), Path: f}
		}
		rep, err := importer.Run(viewer.With(ctx, viewer.System), s, in, importer.Options{DryRun: dry})
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		return printReport(env.Stdout, rep)
	})
}

// printReport writes the report as lines; problems make it an error.
func printReport(w io.Writer, rep *importer.Report) error {
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "%s row %d", p.Sheet, p.Row)
		if p.Column != "" {
			fmt.Fprintf(w, " %s", p.Column)
		}
		if p.Value != "" {
			fmt.Fprintf(w, " %q", p.Value)
		}
		fmt.Fprintf(w, ": %s\n", p.Reason)
	}
	if len(rep.Problems) > 0 {
		return fmt.Errorf("import: %d problem(s); nothing was written", len(rep.Problems))
	}
	verb := "imported"
	if rep.DryRun {
		verb = "dry run, nothing written; would import"
	}
	fmt.Fprintf(w, "%s (sha256 %s):\n", verb, rep.Checksum)
	for _, s := range rep.Sheets {
		fmt.Fprintf(w, "  %-20s %7d rows: %d created, %d updated, %d unchanged\n", s.Sheet, s.Rows, len(s.Created), len(s.Updated), len(s.Unchanged))
	}
	return nil
}
