package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"startupgraph/graph/generated"
	"startupgraph/internal/importer"
)

// maxListed bounds the problems and keys an import's report lists; the
// counts beside them are exact.
const maxListed = 1000

// importData runs an import of the uploaded file (internal/importer) and
// answers its report. Problems with rows are the report's data; a file
// that cannot be read at all is BAD_USER_INPUT on `file`.
func (r *mutationResolver) importData(ctx context.Context, file graphql.Upload, dryRun bool) (*generated.ImportReport, error) {
	rep, err := importer.Run(ctx, r.Store, []importer.File{{Name: file.Filename, Reader: file.File}}, importer.Options{DryRun: dryRun})
	if err != nil {
		return nil, err
	}
	out := &generated.ImportReport{DryRun: rep.DryRun, Applied: rep.Applied, Checksum: rep.Checksum,
		ProblemCount: len(rep.Problems), Problems: []generated.ImportProblem{}, Sheets: []generated.ImportSheetResult{}}
	for _, p := range rep.Problems[:min(len(rep.Problems), maxListed)] {
		out.Problems = append(out.Problems, generated.ImportProblem{Sheet: p.Sheet, Row: p.Row, Column: orNull(p.Column), Value: orNull(p.Value), Reason: p.Reason})
	}
	for _, s := range rep.Sheets {
		out.Sheets = append(out.Sheets, generated.ImportSheetResult{Sheet: string(s.Sheet), Rows: s.Rows,
			Created: len(s.Created), Updated: len(s.Updated), Unchanged: len(s.Unchanged),
			CreatedKeys: s.Created[:min(len(s.Created), maxListed)], UpdatedKeys: s.Updated[:min(len(s.Updated), maxListed)],
			UnchangedKeys: s.Unchanged[:min(len(s.Unchanged), maxListed)]})
	}
	return out, nil
}

// orNull is nil for "", so an absent column or value is null.
func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
