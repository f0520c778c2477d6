package app_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"startupgraph/internal/app"
	"startupgraph/internal/testdb"
)

// TestImportCommand: `startupgraph import [--dry-run] FILE...` imports
// CSV files named after their kinds in one batch: a dry run counts and
// writes nothing (a second dry run counts the same), the real run
// writes, the same files again change nothing, and a file with a
// problem is an error listing it, with nothing written.
func TestImportCommand(t *testing.T) {
	vars := map[string]string{"DATABASE_URL": testdb.URL(t, testdb.Demo), "STARTUPGRAPH_LOG_FORMAT": "text", "STARTUPGRAPH_LOG_LEVEL": "warn"}
	runCmd := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := app.Run(context.Background(), app.Env{Args: args, Getenv: func(k string) string { return vars[k] }, Stdout: &out, Stderr: &errOut})
		return out.String(), err
	}
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	startups := write("startups.csv", "\ufeffkey,nameKo,nameEn,stage\ncli-team,씨엘아이,CLI Team,FOUNDING\n")
	targets := write("market-targets.csv", "startup,market,status,since\ncli-team,VN,EXPLORING,2024-01-02\n")

	for i := 0; i < 2; i++ {
		out, err := runCmd("import", "--dry-run", startups, targets)
		if err != nil || !strings.Contains(out, "dry run") || !strings.Contains(out, "startups                   1 rows: 1 created") {
			t.Fatalf("dry run %d: %v\n%s", i, err, out)
		}
	}
	out, err := runCmd("import", startups, targets)
	if err != nil || !strings.Contains(out, "market targets             1 rows: 1 created") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err = runCmd("import", startups, targets)
	if err != nil || !strings.Contains(out, "startups                   1 rows: 0 created, 0 updated, 1 unchanged") {
		t.Fatalf("again: %v\n%s", err, out)
	}
	broken := write("outcomes.csv", "startup,kind,reportedOn\ncli-team,PATENTS,2024-01-02\n")
	out, err = runCmd("import", broken)
	if err == nil || !strings.Contains(out, `outcomes row 2 kind "PATENTS": is not one of`) {
		t.Errorf("broken: %v\n%s", err, out)
	}
}
