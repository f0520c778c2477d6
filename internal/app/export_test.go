package app_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"startupgraph/internal/app"
	"startupgraph/internal/testdb"
)

// TestExportCommand: `startupgraph export --format xlsx --query-file q`
// writes the workbook to stdout, every row of the list, as the system
// (every team); with --key, as that key (a university's teams only); a
// query that cannot be exported is an error naming why, and nothing on
// stdout.
func TestExportCommand(t *testing.T) {
	vars := map[string]string{"DATABASE_URL": testdb.URL(t, testdb.Demo), "STARTUPGRAPH_LOG_FORMAT": "text", "STARTUPGRAPH_LOG_LEVEL": "warn"}
	runCmd := func(args ...string) (string, string, error) {
		var out, errOut bytes.Buffer
		err := app.Run(context.Background(), app.Env{Args: args, Getenv: func(k string) string { return vars[k] }, Stdout: &out, Stderr: &errOut})
		return out.String(), errOut.String(), err
	}
	dir := t.TempDir()
	q := filepath.Join(dir, "q.graphql")
	if err := os.WriteFile(q, []byte(`{ startups(first: 9) { nodes { key name: nameEn } } }`), 0o600); err != nil {
		t.Fatal(err)
	}
	keys := func(xlsx string) []string {
		t.Helper()
		f, err := excelize.OpenReader(strings.NewReader(xlsx))
		if err != nil {
			t.Fatalf("not a workbook: %v", err)
		}
		defer f.Close()
		rows, err := f.GetRows("startups")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rows[0], []string{"key", "name"}) {
			t.Fatalf("header %q", rows[0])
		}
		var out []string
		for _, r := range rows[1:] {
			out = append(out, r[0])
		}
		return out
	}

	out, logs, err := runCmd("export", "--format", "xlsx", "--query-file", q)
	if err != nil {
		t.Fatalf("%v\n%s", err, logs)
	}
	all := keys(out)
	if len(all) < 20 {
		t.Fatalf("%d startups: the system sees every team of the demo data, over several pages of 9", len(all))
	}

	secret, _, err := runCmd("apikey", "create", "-name", "ghent", "-role", "UNIVERSITY", "-university", "ghent-university")
	if err != nil {
		t.Fatal(err)
	}
	secret = strings.TrimSpace(secret[strings.LastIndex(strings.TrimSpace(secret), "\n")+1:])
	out, logs, err = runCmd("export", "--key", secret, "--format=xlsx", "--query-file", q)
	if err != nil {
		t.Fatalf("%v\n%s", err, logs)
	}
	if own := keys(out); len(own) == 0 || len(own) >= len(all) {
		t.Errorf("ghent's key exported %d of %d teams", len(own), len(all))
	}

	if err := os.WriteFile(q, []byte(`{ universities { key } }`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCmd("export", "--query-file", q)
	if err == nil || !strings.Contains(err.Error(), "NOT_EXPORTABLE") || out != "" {
		t.Errorf("not exportable: err %v, %d bytes out", err, len(out))
	}
	if _, _, err := runCmd("export", "--format", "csv"); err == nil {
		t.Error("no --query-file: no error")
	}
}
