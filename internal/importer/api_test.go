package importer_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/xuri/excelize/v2"

	"startupgraph/internal/apitest"
	"startupgraph/internal/importer"
	"startupgraph/internal/server"
	"startupgraph/internal/testdb"
)

const importMutation = `mutation Import($file: Upload!, $dry: Boolean) {
  importData(file: $file, dryRun: $dry) {
    dryRun applied checksum problemCount
    problems { sheet row column value reason }
    sheets { sheet rows created updated unchanged createdKeys updatedKeys unchangedKeys } } }`

type report struct {
	DryRun       bool   `json:"dryRun"`
	Applied      bool   `json:"applied"`
	Checksum     string `json:"checksum"`
	ProblemCount int    `json:"problemCount"`
	Problems     []struct {
		Sheet  string  `json:"sheet"`
		Row    int     `json:"row"`
		Column *string `json:"column"`
		Value  *string `json:"value"`
		Reason string  `json:"reason"`
	} `json:"problems"`
	Sheets []struct {
		Sheet     string   `json:"sheet"`
		Rows      int      `json:"rows"`
		Created   int      `json:"created"`
		Updated   int      `json:"updated"`
		Unchanged int      `json:"unchanged"`
		Keys      []string `json:"createdKeys"`
	} `json:"sheets"`
}

func importOver(t *testing.T, c *apitest.Client, name string, file []byte, dry bool) report {
	t.Helper()
	res := c.Upload(t, importMutation, map[string]any{"dry": dry}, "file", name, file)
	if len(res.Errors) > 0 {
		t.Fatalf("importData %s: %d %+v", name, res.Status, res.Errors)
	}
	var out struct {
		ImportData report `json:"importData"`
	}
	if err := json.Unmarshal(res.Data, &out); err != nil {
		t.Fatal(err)
	}
	return out.ImportData
}

// TestImportDataOverMultipart: importData takes a GraphQL multipart
// request; a dry run writes nothing and says what the real run then does;
// the report of a broken file is data; a file that is no workbook or CSV
// is BAD_USER_INPUT on file; only ADMIN may import; a multipart request
// without a header that forces a CORS preflight is refused (415, as
// before uploads existed); and the multipart bounds hold.
func TestImportDataOverMultipart(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	file := workbook(t, aCohort())
	before := snapshot(t, c.DSN)
	dry := importOver(t, c, "cohort.xlsx", file, true)
	if !dry.DryRun || dry.Applied || dry.ProblemCount != 0 || len(dry.Sheets) != 8 || dry.Sheets[0].Created != 2 ||
		!slices.Equal(dry.Sheets[0].Keys, []string{"imp-aqua-sense", "imp-leaf-lab"}) {
		t.Errorf("dry run %+v", dry)
	}
	if snapshot(t, c.DSN) != before {
		t.Fatal("the dry run wrote")
	}
	real := importOver(t, c, "cohort.xlsx", file, false)
	if !real.Applied || real.DryRun || real.Checksum != dry.Checksum || len(real.Checksum) != 64 {
		t.Errorf("real run %+v", real)
	}
	var audit struct {
		AuditLog struct {
			Nodes []struct {
				Action, Reason string
				After          map[string]any
			}
		}
	}
	c.OK(t, `{ auditLog(filter: {actions: ["importData"]}) { nodes { action reason after } } }`, nil, &audit)
	if n := audit.AuditLog.Nodes; len(n) != 1 || !strings.Contains(n[0].Reason, real.Checksum) || n[0].After["startups"] == nil {
		t.Errorf("audit trail of the import: %+v", audit)
	}
	broken := aCohort()
	broken["assignments"][1][1] = "no-such-university"
	rep := importOver(t, c, "cohort.xlsx", workbook(t, broken), false)
	if rep.Applied || rep.ProblemCount != 1 || rep.Problems[0].Sheet != "assignments" || rep.Problems[0].Row != 2 ||
		*rep.Problems[0].Column != "university" || *rep.Problems[0].Value != "no-such-university" {
		t.Errorf("broken file: %+v", rep)
	}

	res := c.Upload(t, importMutation, nil, "file", "cohort.xlsx", []byte("this is not a workbook"))
	if res.Code() != "BAD_USER_INPUT" || res.Field() != "file" {
		t.Errorf("a text file named .xlsx: %d %+v", res.Status, res.Errors)
	}

	for _, role := range []struct{ name, key, code string }{
		{"analyst", c.NewKey(t, "ANALYST", ""), "FORBIDDEN"},
		{"university", c.NewKey(t, "UNIVERSITY", "ghent-university"), "FORBIDDEN"},
		{"anonymous", "", "UNAUTHENTICATED"},
	} {
		t.Run(role.name, func(t *testing.T) {
			res := c.As(role.key).Upload(t, importMutation, map[string]any{"dry": true}, "file", "cohort.xlsx", file, "GraphQL-Require-Preflight", "1")
			if res.Code() != role.code {
				t.Errorf("%s: %d %+v", role.name, res.Status, res.Errors)
			}
		})
	}
	res = c.As("").Upload(t, importMutation, map[string]any{"dry": true}, "file", "cohort.xlsx", file)
	if res.Status != http.StatusUnsupportedMediaType || res.Code() != "UNSUPPORTED_MEDIA_TYPE" {
		t.Errorf("multipart without a preflight header: %d %+v", res.Status, res.Errors)
	}

	for _, tc := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"map first", "--x\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{}\r\n--x--\r\n", http.StatusBadRequest, "BAD_REQUEST"},
		{"a file the map does not name", multipartBody(`{"0": ["variables.file"]}`, "1", "x"), http.StatusBadRequest, "BAD_REQUEST"},
		{"a file the request does not carry", multipartBody(`{"0": ["variables.file"], "1": ["variables.other"]}`, "0", "x"), http.StatusBadRequest, "BAD_REQUEST"},
		{"over the bound", multipartBody(`{"0": ["variables.file"]}`, "0", strings.Repeat("x", server.MaxUploadBytes+1)), http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE"},
	} {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		req.Header.Set("Authorization", "Bearer "+c.Key)
		res := apitest.Decode(t, c.Serve(req))
		if res.Status != tc.status || res.Code() != tc.code {
			t.Errorf("%s: %d %+v", tc.name, res.Status, res.Errors)
		}
	}
}

// multipartBody is a multipart request (boundary x) of the import
// mutation with the given map and one file part.
func multipartBody(mapJSON, fileKey, content string) string {
	ops := `{"query": "mutation($file: Upload!) { importData(file: $file, dryRun: true) { applied } }", "variables": {"file": null}}`
	part := func(name, extra, body string) string {
		return "--x\r\nContent-Disposition: form-data; name=\"" + name + "\"" + extra + "\r\n\r\n" + body + "\r\n"
	}
	return part("operations", "", ops) + part("map", "", mapJSON) + part(fileKey, `; filename="a.csv"`, content) + "--x--\r\n"
}

// TestImportTemplate: /import/template.xlsx opens with excelize, has a
// sheet per kind with its headers and an example row, and notes in
// Korean and English; imported as it is, it has no problem.
func TestImportTemplate(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	rec := c.Serve(httptest.NewRequest(http.MethodGet, "/import/template.xlsx", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("status %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{"startups", "mentors", "assignments", "mentorships", "investments", "market targets", "cohort memberships", "outcomes", "notes"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	rows, err := f.GetRows("startups")
	if err != nil || len(rows) != 2 || rows[0][0] != "key" || rows[1][0] == "" {
		t.Errorf("startups sheet %q %v", rows, err)
	}
	notes, err := f.GetRows("notes")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range notes {
		if len(r) == 5 && r[0] == "investments" && r[1] == "amount" && strings.Contains(r[3], "원") && strings.Contains(r[4], "KRW") {
			found = true
		}
	}
	if !found {
		t.Errorf("no Korean and English note on investments.amount in %q", notes)
	}
	rep := importOver(t, c, "template.xlsx", rec.Body.Bytes(), true)
	if rep.ProblemCount != 0 || len(rep.Sheets) != len(importer.Kinds) {
		t.Errorf("the template imports with %+v", rep)
	}
}

// TestImportRoundTrip: a filtered list exported through /export, as XLSX
// and as CSV, imports again and changes nothing: every row unchanged, no
// version moved, every table as it was but the batch and its audit record.
func TestImportRoundTrip(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	db := sqlx.MustOpen("postgres", c.DSN)
	defer db.Close()
	// a formula-like description, which the CSV export quotes with an apostrophe
	if _, err := db.Exec(`UPDATE startups SET description_en = '=1+1 and -2' WHERE key = 'svc-biosensa'`); err != nil {
		t.Fatal(err)
	}
	const q = `{ startups(first: 7, where: { sectors: { some: { node: { key: { in: ["bio-convergence", "robotics"] } } } } }) {
	  nodes { key nameKo nameEn stage foundedOn descriptionKo: description(locale: KO) descriptionEn: description(locale: EN) sectors { nodes { key } } } } }`
	var versions []string
	if err := db.Select(&versions, `SELECT key || ':' || version FROM startups ORDER BY key`); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"xlsx", "csv"} {
		t.Run(format, func(t *testing.T) {
			rec := c.Export(t, map[string]any{"query": q, "format": format})
			if rec.Code != http.StatusOK {
				t.Fatalf("export: %d %s", rec.Code, rec.Body.String())
			}
			before := withoutBatches(snapshot(t, c.DSN))
			rep := importOver(t, c, "startups."+format, rec.Body.Bytes(), false)
			if !rep.Applied || len(rep.Sheets) != 1 || rep.Sheets[0].Rows < 5 || rep.Sheets[0].Unchanged != rep.Sheets[0].Rows {
				t.Fatalf("re-import: %+v", rep)
			}
			if after := withoutBatches(snapshot(t, c.DSN)); after != before {
				t.Errorf("the round trip changed rows:\n%s\nwas\n%s", after, before)
			}
			var now []string
			if err := db.Select(&now, `SELECT key || ':' || version FROM startups ORDER BY key`); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(now, versions) {
				t.Error("versions moved")
			}
		})
	}
}
