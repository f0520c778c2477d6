package export_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"startupgraph/internal/apitest"
	"startupgraph/internal/config"
	"startupgraph/internal/synthetic"
	"startupgraph/internal/testdb"
)

// syntheticStartups is how many synthetic startups the tests that walk
// several pages add to the demo data: more than two pages of 100.
const syntheticStartups = 250

// newClient is an ADMIN client over the demo data plus
// syntheticStartups synthetic startups.
func newClient(t *testing.T) *apitest.Client {
	t.Helper()
	c := apitest.New(t, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), c.Store, syntheticStartups, 7); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestExportCSV: the CSV of a query over startups has a BOM, a header
// named by the selection (aliases name columns, nested objects are
// dotted, a nested list is one column), and one row per startup, across
// several pages, each row equal to the database's.
func TestExportCSV(t *testing.T) {
	c := newClient(t)
	const q = `{ startups { totalCount nodes { key teamName: nameEn stage foundedOn
	  facility { name: nameEn } sectors(first: 20) { nodes { key } } } } }`
	rec := c.Export(t, map[string]any{"query": q, "format": "csv"})
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("status %d, %s: %.500s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename="startups.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	body := rec.Body.Bytes()
	if !bytes.HasPrefix(body, []byte("\ufeff")) {
		t.Fatalf("no UTF-8 BOM: % x", body[:min(len(body), 8)])
	}
	table := readCSV(t, body[3:])
	wantHeader := []string{"key", "teamName", "stage", "foundedOn", "facility.name", "sectors.nodes.key"}
	if !slices.Equal(table[0], wantHeader) {
		t.Fatalf("header %q, want %q", table[0], wantHeader)
	}
	want := sqlRows(t, c.DSN, `SELECT s.key, s.name_en, s.stage, coalesce(to_char(s.founded_on, 'YYYY-MM-DD'), ''), coalesce(f.name_en, ''),
	    coalesce((SELECT string_agg(x.key, ';' ORDER BY x.key) FROM startup_sectors ss JOIN sectors x ON x.id = ss.sector_id WHERE ss.startup_id = s.id), '')
	  FROM startups s LEFT JOIN facilities f ON f.id = s.facility_id ORDER BY s.key`)
	if len(want) <= 2*100 {
		t.Fatalf("only %d startups: the test needs more than two pages", len(want))
	}
	got := table[1:]
	for _, r := range got { // the list's own order is not the oracle's: compare sorted, sectors as sets
		sectors := strings.Split(r[5], "; ")
		slices.Sort(sectors)
		r[5] = strings.Join(sectors, ";")
	}
	slices.SortFunc(got, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	if len(got) != len(want) {
		t.Fatalf("%d rows, the database has %d startups", len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("row %d: %q\nwant %q", i, got[i], want[i])
		}
	}

	t.Run("any page size gives the same file", func(t *testing.T) {
		small := strings.Replace(q, "startups {", "startups(first: 7) {", 1)
		rec7 := c.Export(t, map[string]any{"query": small})
		if rec7.Code != http.StatusOK || !bytes.Equal(rec7.Body.Bytes(), body) {
			t.Errorf("pages of 7: status %d, %d bytes; pages of 100: %d bytes", rec7.Code, rec7.Body.Len(), len(body))
		}
	})
	t.Run("GET with the query in the URL", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "/export?format=csv&query="+url.QueryEscape(q), nil)
		req.Header.Set("Authorization", "Bearer "+c.Key)
		got := c.Serve(req)
		if got.Code != http.StatusOK || !bytes.Equal(got.Body.Bytes(), body) {
			t.Errorf("GET: status %d, %.300s", got.Code, got.Body.String())
		}
	})
	t.Run("from the query's own cursor on", func(t *testing.T) {
		var first struct {
			Startups struct {
				PageInfo struct{ EndCursor string }
			}
		}
		c.OK(t, `{ startups(first: 100) { pageInfo { endCursor } } }`, nil, &first)
		rec := c.Export(t, map[string]any{"query": `query($c: String) { startups(after: $c) { nodes { key } } }`,
			"variables": map[string]any{"c": first.Startups.PageInfo.EndCursor}})
		if rows := readCSV(t, rec.Body.Bytes()[3:]); len(rows)-1 != len(want)-100 {
			t.Errorf("after the first 100: %d rows, want %d", len(rows)-1, len(want)-100)
		}
	})
}

// TestExportXLSX: the XLSX of investments opens with excelize: one sheet
// named after the list, a header from the selection, one row per
// investment, KRW amounts as whole numbers equal to the database's.
func TestExportXLSX(t *testing.T) {
	c := newClient(t)
	rec := c.Export(t, map[string]any{"format": "xlsx",
		"query": `{ investments { nodes { amountKRW: amount investedOn round fund { key } startup { key } } } }`})
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("status %d, %s: %.300s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); !slices.Equal(sheets, []string{"investments"}) {
		t.Fatalf("sheets %q", sheets)
	}
	rows, err := f.GetRows("investments")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"amountKRW", "investedOn", "round", "fund.key", "startup.key"}; !slices.Equal(rows[0], want) {
		t.Fatalf("header %q, want %q", rows[0], want)
	}
	want := sqlRows(t, c.DSN, `SELECT i.amount_krw::text, to_char(i.invested_on, 'YYYY-MM-DD'), i.round, f.key, s.key
	  FROM investments i JOIN funds f ON f.id = i.fund_id JOIN startups s ON s.id = i.startup_id`)
	if len(want) <= 100 {
		t.Fatalf("only %d investments: the test needs more than a page", len(want))
	}
	got := rows[1:]
	if len(got) != len(want) {
		t.Fatalf("%d rows, the database has %d investments", len(got), len(want))
	}
	key := func(r []string) string { return strings.Join(r, "|") }
	slices.SortFunc(got, func(a, b []string) int { return strings.Compare(key(a), key(b)) })
	slices.SortFunc(want, func(a, b []string) int { return strings.Compare(key(a), key(b)) })
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("row %d: %q, want %q", i, got[i], want[i])
		}
	}
	for row := 2; row <= 4; row++ {
		cell := fmt.Sprintf("A%d", row)
		typ, err := f.GetCellType("investments", cell)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := f.GetCellValue("investments", cell, excelize.Options{RawCellValue: true})
		if _, perr := strconv.ParseInt(v, 10, 64); (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset) || perr != nil {
			t.Errorf("%s is %q of type %v: want a whole number", cell, v, typ)
		}
	}
}

// TestExportEdgesAndUniversityScope: a UNIVERSITY key's export holds its
// own teams only (compared with its assignments in SQL), and a query
// that selects edges gets a row per edge with the edge's own fields.
func TestExportEdgesAndUniversityScope(t *testing.T) {
	c := newClient(t)
	ghent := c.As(c.NewKey(t, "UNIVERSITY", "ghent-university"))

	rec := ghent.Export(t, map[string]any{"query": `{ startups { nodes { key } } }`})
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	got := column(readCSV(t, rec.Body.Bytes()[3:])[1:], 0)
	want := column(sqlRows(t, c.DSN, `SELECT DISTINCT s.key FROM startups s JOIN assignments a ON a.startup_id = s.id
	  JOIN universities u ON u.id = a.university_id WHERE u.key = 'ghent-university'`), 0)
	all := sqlRows(t, c.DSN, `SELECT count(*) FROM startups`)
	slices.Sort(got)
	slices.Sort(want)
	if len(want) == 0 || all[0][0] == strconv.Itoa(len(want)) {
		t.Fatalf("ghent has %d of %s teams: the test needs some of each", len(want), all[0][0])
	}
	if !slices.Equal(got, want) {
		t.Errorf("ghent's export: %d teams, its assignments name %d\n got %q\nwant %q", len(got), len(want), got, want)
	}

	rec = ghent.Export(t, map[string]any{"query": `{ university(key: "ghent-university") {
	    startups(first: 3) { edges { purpose status since node { key } } } } }`})
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	table := readCSV(t, rec.Body.Bytes()[3:])
	if h := []string{"purpose", "status", "since", "node.key"}; !slices.Equal(table[0], h) {
		t.Fatalf("header %q, want %q", table[0], h)
	}
	edges := table[1:]
	wantEdges := sqlRows(t, c.DSN, `SELECT a.purpose, a.status, to_char(a.since, 'YYYY-MM-DD'), s.key FROM assignments a
	  JOIN startups s ON s.id = a.startup_id JOIN universities u ON u.id = a.university_id WHERE u.key = 'ghent-university'`)
	key := func(r []string) string { return strings.Join(r, "|") }
	slices.SortFunc(edges, func(a, b []string) int { return strings.Compare(key(a), key(b)) })
	slices.SortFunc(wantEdges, func(a, b []string) int { return strings.Compare(key(a), key(b)) })
	if len(edges) != len(wantEdges) || !slices.EqualFunc(edges, wantEdges, slices.Equal) {
		t.Errorf("ghent's assignment edges: %d rows, want %d", len(edges), len(wantEdges))
	}

	t.Run("another university's team by key is an empty list", func(t *testing.T) {
		other := sqlRows(t, c.DSN, `SELECT s.key FROM startups s WHERE NOT EXISTS (SELECT 1 FROM assignments a
		  JOIN universities u ON u.id = a.university_id WHERE a.startup_id = s.id AND u.key = 'ghent-university') LIMIT 1`)
		rec := ghent.Export(t, map[string]any{"query": `query($k: String!) { startup(key: $k) { mentors { nodes { key } } } }`,
			"variables": map[string]any{"k": other[0][0]}})
		if code := errorCode(t, rec); rec.Code != http.StatusBadRequest || code != "NOT_FOUND" {
			t.Errorf("status %d, code %q: %s", rec.Code, code, rec.Body.String())
		}
	})
}

// TestExportAnonymous: without a key, an export holds what an anonymous
// query may see: the public reference data, and for teams the same
// refusal /graphql gives (UNAUTHENTICATED), before any byte of a file.
func TestExportAnonymous(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	anon := c.As("")
	rec := anon.Export(t, map[string]any{"query": `{ sectors { nodes { key name: nameEn } } }`})
	if rec.Code != http.StatusOK {
		t.Fatalf("sectors: status %d: %s", rec.Code, rec.Body.String())
	}
	got := readCSV(t, rec.Body.Bytes()[3:])[1:]
	want := sqlRows(t, c.DSN, `SELECT key, name_en FROM sectors ORDER BY key`)
	slices.SortFunc(got, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("anonymous sectors: %q, want %q", got, want)
	}

	q := `{ startups { nodes { key } } }`
	graphql := anon.Do(t, q, nil)
	rec = anon.Export(t, map[string]any{"query": q})
	if code := errorCode(t, rec); rec.Code != http.StatusUnauthorized || code != graphql.Code() || code != "UNAUTHENTICATED" {
		t.Errorf("anonymous startups: status %d, code %q; /graphql says %q", rec.Code, code, graphql.Code())
	}
	if rec.Header().Get("Content-Disposition") != "" {
		t.Errorf("an error is not a download: Content-Disposition %q", rec.Header().Get("Content-Disposition"))
	}
}

// TestExportNotExportable: a query that is not one connection is
// refused with NOT_EXPORTABLE naming the problem and the field, as JSON,
// before any byte of a file; so is a bad format.
func TestExportNotExportable(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	for _, tc := range []struct {
		name, query, field, says string
	}{
		{"no connection", `{ universities { key } }`, "", "no connection"},
		{"two connections", `{ startups { nodes { key } } mentors { nodes { key } } }`, "mentors", "2 connections"},
		{"inside a list", `{ universities { startups { nodes { key } } } }`, "universities.startups", "inside the list universities"},
		{"backwards", `{ startups(last: 5) { nodes { key } } }`, "startups.last", "forward"},
		{"no rows", `{ startups { totalCount } }`, "startups", "neither nodes nor edges"},
		{"nodes and edges", `{ startups { nodes { key } edges { cursor } } }`, "startups", "both nodes and edges"},
		{"a mutation", `mutation { __typename }`, "", "queries only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := c.Export(t, map[string]any{"query": tc.query})
			r := apitest.Decode(t, rec)
			if rec.Code != http.StatusBadRequest || r.Code() != "NOT_EXPORTABLE" || r.Field() != tc.field || !strings.Contains(r.Errors[0].Message, tc.says) {
				t.Errorf("status %d, code %q, field %q: %+v", rec.Code, r.Code(), r.Field(), r.Errors)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	t.Run("unknown format", func(t *testing.T) {
		r := apitest.Decode(t, c.Export(t, map[string]any{"query": `{ sectors { nodes { key } } }`, "format": "ods"}))
		if r.Status != http.StatusBadRequest || r.Code() != "BAD_REQUEST" || r.Field() != "format" {
			t.Errorf("status %d, code %q, field %q", r.Status, r.Code(), r.Field())
		}
	})
	t.Run("invalid query", func(t *testing.T) {
		r := apitest.Decode(t, c.Export(t, map[string]any{"query": `{ startups { nodes { nope } } }`}))
		if r.Status != http.StatusBadRequest || r.Code() != "GRAPHQL_VALIDATION_FAILED" {
			t.Errorf("status %d, code %q", r.Status, r.Code())
		}
	})
}

// TestExportLimits: an export is costed and rate-limited page by page as
// /graphql: a page over the key's cost budget is QUERY_TOO_COMPLEX, a
// spent budget is 429 before the first byte, and a budget spent part-way
// through a CSV or an XLSX cuts the connection (no short file that looks
// whole).
func TestExportLimits(t *testing.T) {
	c := newClient(t)
	t.Run("cost", func(t *testing.T) {
		r := apitest.Decode(t, c.Export(t, map[string]any{"query": `{ startups { nodes { mentors(first: 100) { nodes { startups(first: 100) { nodes { key } } } } } } }`}))
		if r.Status != http.StatusBadRequest || r.Code() != "QUERY_TOO_COMPLEX" {
			t.Errorf("status %d, code %q", r.Status, r.Code())
		}
	})
	// a page of 100 keys costs 100 nodes and a statement: 2 points
	q := map[string]any{"query": `{ startups { nodes { key } } }`}
	// Budgets are kept in the database per key, whichever server spends
	// them: each budget below is a fresh key's.
	fresh := func(c *apitest.Client, cfg config.Config) *apitest.Client {
		return c.WithConfig(cfg).As(c.NewKey(t, "ADMIN", ""))
	}
	t.Run("budget spent before the first page", func(t *testing.T) {
		limited := fresh(c, config.Config{RequestTimeout: 10e9, RateLimitPoints: 1, RateLimitWindow: 3600e9})
		rec := limited.Export(t, q)
		if r := apitest.Decode(t, rec); rec.Code != http.StatusTooManyRequests || r.Code() != "RATE_LIMITED" || rec.Header().Get("Retry-After") == "" {
			t.Errorf("status %d, code %q, Retry-After %q", rec.Code, r.Code(), rec.Header().Get("Retry-After"))
		}
	})
	t.Run("budget spent part-way", func(t *testing.T) {
		limited := fresh(c, config.Config{RequestTimeout: 10e9, RateLimitPoints: 5, RateLimitWindow: 3600e9})
		aborted, rec := exportRecovering(t, limited, q)
		if !aborted {
			t.Errorf("the connection was not cut: status %d, %d bytes", rec.Code, rec.Body.Len())
		}
		if rows := len(readCSV(t, rec.Body.Bytes()[3:])) - 1; rows != 200 {
			t.Errorf("%d rows sent before the budget ran out, want the two pages it paid for", rows)
		}
		xq := map[string]any{"query": q["query"], "format": "xlsx"}
		again := fresh(c, config.Config{RequestTimeout: 10e9, RateLimitPoints: 5, RateLimitWindow: 3600e9})
		// the zip holds its first 4 KB: cut before they leave, it is still a 429
		aborted, x := exportRecovering(t, again, xq)
		if aborted {
			if _, err := excelize.OpenReader(bytes.NewReader(x.Body.Bytes())); err == nil {
				t.Error("the XLSX cut short opens as a whole workbook")
			}
		} else if r := apitest.Decode(t, x); x.Code != http.StatusTooManyRequests || r.Code() != "RATE_LIMITED" {
			t.Errorf("xlsx: status %d, code %q", x.Code, r.Code())
		}
	})
}

// TestExportPersistedQuery: a query registered as an automatic persisted
// query exports by its hash alone.
func TestExportPersistedQuery(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	q := `{ funds { nodes { key size } } }`
	sum := sha256.Sum256([]byte(q))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
	if r := c.DoBody(t, map[string]any{"query": q, "extensions": ext}); len(r.Errors) > 0 {
		t.Fatalf("register: %+v", r.Errors)
	}
	rec := c.Export(t, map[string]any{"extensions": ext})
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	got := readCSV(t, rec.Body.Bytes()[3:])[1:]
	want := sqlRows(t, c.DSN, `SELECT key, size_krw::text FROM funds ORDER BY key`)
	slices.SortFunc(got, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("funds: %q\nwant %q", got, want)
	}
}

// exportRecovering exports as c does, reporting whether the handler cut
// the connection (panicked with http.ErrAbortHandler, as net/http
// expects) and what it had sent by then.
func exportRecovering(t *testing.T, c *apitest.Client, payload map[string]any) (aborted bool, rec *httptest.ResponseRecorder) {
	t.Helper()
	rec = httptest.NewRecorder()
	func() {
		defer func() {
			if p := recover(); p != nil {
				if p != http.ErrAbortHandler {
					panic(p)
				}
				aborted = true
			}
		}()
		body := strings.NewReader(mustJSON(t, payload))
		req := httptest.NewRequest(http.MethodPost, "/export", body)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+c.Key)
		c.Handler.ServeHTTP(rec, req)
	}()
	return aborted, rec
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(b))
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%.300s", err, b)
	}
	if len(rows) == 0 {
		t.Fatal("no header")
	}
	return rows
}

// sqlRows runs q on the test database, every column as text ("" for null).
func sqlRows(t *testing.T, dsn, q string) [][]string {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		r := make([]string, len(cols))
		for i, v := range vals {
			r[i] = v.String
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func column(rows [][]string, i int) []string {
	out := make([]string, len(rows))
	for j, r := range rows {
		out[j] = r[i]
	}
	return out
}

func errorCode(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	return apitest.Decode(t, rec).Code()
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestExportFragmentsAndScalarLists: the connection and the columns may
// come through named and inline fragments (a union's members too); a
// list of scalars is one cell, a Boolean is true or false.
func TestExportFragmentsAndScalarLists(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	q := `query Mentors { ...Root }
	  fragment Root on Query { mentors(first: 4) { nodes { ...M } } }
	  fragment M on Mentor { key taskForceMember languages
	    affiliation { ... on University { uni: key } ... on Organization { org: key } } }`
	rec := c.Export(t, map[string]any{"query": q, "operationName": "Mentors"})
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	table := readCSV(t, rec.Body.Bytes()[3:])
	if h := []string{"key", "taskForceMember", "languages", "affiliation.uni", "affiliation.org"}; !slices.Equal(table[0], h) {
		t.Fatalf("header %q, want %q", table[0], h)
	}
	got := table[1:]
	want := sqlRows(t, c.DSN, `SELECT m.key, m.task_force_member::text, array_to_string(m.languages, '; '),
	    coalesce(u.key, ''), coalesce(o.key, '')
	  FROM mentors m LEFT JOIN universities u ON u.id = m.affiliated_university_id
	  LEFT JOIN organizations o ON o.id = m.affiliated_organization_id ORDER BY m.key`)
	slices.SortFunc(got, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	if len(want) <= 4 || !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("%d mentors:\n%q\nwant %d:\n%q", len(got), got, len(want), want)
	}
}
