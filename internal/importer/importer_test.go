package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/xuri/excelize/v2"

	"startupgraph/internal/importer"
	"startupgraph/internal/store"
	"startupgraph/internal/testdb"
	"startupgraph/internal/viewer"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// workbook builds an XLSX file with one sheet per entry (header first).
func workbook(t testing.TB, sheets map[string][][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	names := make([]string, 0, len(sheets))
	for n := range sheets {
		names = append(names, n)
	}
	slices.Sort(names)
	for i, name := range names {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, cells := range sheets[name] {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(name, cell, &cells); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ctxAdmin is an ADMIN viewer's context, as the audit record names it.
func ctxAdmin() context.Context {
	return viewer.With(context.Background(), viewer.Viewer{Role: viewer.Admin, KeyID: 1, KeyName: "importer-test"})
}

func run(t *testing.T, s *store.Store, name string, file []byte, dry bool) *importer.Report {
	t.Helper()
	rep, err := importer.Run(ctxAdmin(), s, []importer.File{{Name: name, Reader: bytes.NewReader(file)}}, importer.Options{DryRun: dry})
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return rep
}

// snapshot is every table an import writes, as text, and the audit
// trail's length: equal snapshots mean nothing was written.
func snapshot(t *testing.T, dsn string) string {
	t.Helper()
	db := sqlx.MustOpen("postgres", dsn)
	defer db.Close()
	var parts []string
	for _, table := range []string{"startups", "startup_sectors", "stage_changes", "mentors", "mentor_sectors", "assignments",
		"mentorships", "investments", "market_targets", "memberships", "outcomes", "import_batches", "audit_log"} {
		var s string
		if err := db.Get(&s, `SELECT table_name || ':' || count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t.id)), '') FROM `+table+` t, (SELECT $1::text AS table_name) n GROUP BY table_name`, table); err != nil {
			// an empty table has no group
			s = table + ":0"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "\n")
}

// aCohort is a complete workbook: two new startups (one in a sector, with
// a stage history), a mentor, and a row of every edge.
func aCohort() map[string][][]any {
	return map[string][][]any{
		"startups": {
			{"key", "nameKo", "nameEn", "stage", "foundedOn", "descriptionEn", "sectors"},
			{"imp-aqua-sense", "아쿠아센스", "Aqua Sense", "PROTOTYPE", "2023-05-10", "Water sensors", "smart-factory; robotics"},
			{"imp-leaf-lab", "리프랩", "Leaf Lab", "", "2022-01-03", "", ""},
		},
		"mentors": {
			{"key", "nameKo", "nameEn", "taskForceMember", "university", "languages", "sectors"},
			{"imp-mentor-park", "박임포트", "Park Import", "true", "ghent-university", "ko; en", "robotics"},
		},
		"assignments": {
			{"startup", "university", "purpose", "status", "since", "until"},
			{"imp-aqua-sense", "ghent-university", "JOINT_PROJECT", "", "2024-03-01", ""},
		},
		"mentorships": {
			{"mentor", "startup", "since", "focus"},
			{"imp-mentor-park", "imp-aqua-sense", "2024-04-01", "Lean Startup"},
		},
		"investments": {
			{"fund", "startup", "investedOn", "round", "amount"},
			{"creative-growth-venture-fund", "imp-aqua-sense", "2024-06-30", "SEED", 150000000},
		},
		"market targets": {
			{"startup", "market", "status", "priority", "since"},
			{"imp-aqua-sense", "VN", "EXPLORING", 2, "2024-05-01"},
		},
		"cohort memberships": {
			{"startup", "cohort", "joinedOn"},
			{"imp-leaf-lab", "smart-venture-campus-2017", "2024-03-01"},
		},
		"outcomes": {
			{"startup", "kind", "reportedOn", "market", "quantity", "amount"},
			{"imp-aqua-sense", "EXPORT_CONTRACT", "2024-12-31", "VN", 1, 300000000},
			{"imp-leaf-lab", "JOBS_CREATED", "2024-12-31", "", 4, ""},
		},
	}
}

// TestImportIsIdempotent: a workbook of every kind creates its rows in
// one batch with one audit record holding its checksum; the same file
// again creates and updates nothing, and leaves every table (versions
// and updated_at included) as it was.
func TestImportIsIdempotent(t *testing.T) {
	dsn := testdb.URL(t, testdb.Demo)
	s, err := store.Open(context.Background(), dsn, store.PoolConfig{MaxOpen: 4, MaxIdle: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	file := workbook(t, aCohort())

	dry := run(t, s, "cohort.xlsx", file, true)
	before := snapshot(t, dsn)
	if len(dry.Problems) != 0 || dry.Applied {
		t.Fatalf("dry run: problems %v, applied %v", dry.Problems, dry.Applied)
	}
	first := run(t, s, "cohort.xlsx", file, false)
	if len(first.Problems) != 0 || !first.Applied {
		t.Fatalf("problems %+v", first.Problems)
	}
	if got, want := counts(first), counts(dry); got != want {
		t.Errorf("the real run did %s, the dry run said %s", got, want)
	}
	want := "startups 2/0/0, mentors 1/0/0, assignments 1/0/0, mentorships 1/0/0, investments 1/0/0, market targets 1/0/0, cohort memberships 1/0/0, outcomes 2/0/0"
	if got := counts(first); got != want {
		t.Errorf("created/updated/unchanged: %s, want %s", got, want)
	}
	if after := snapshot(t, dsn); after == before {
		t.Fatal("the import wrote nothing")
	}
	db := sqlx.MustOpen("postgres", dsn)
	defer db.Close()
	var audit struct {
		Reason string `db:"reason"`
		Action string `db:"action"`
		Entity string `db:"entity_type"`
	}
	if err := db.Get(&audit, `SELECT action, entity_type, reason FROM audit_log WHERE entity_type = 'ImportBatch'`); err != nil {
		t.Fatal(err)
	}
	if audit.Action != "importData" || !strings.Contains(audit.Reason, first.Checksum) || len(first.Checksum) != 64 {
		t.Errorf("audit %+v, checksum %s", audit, first.Checksum)
	}
	// the figures and insight totals the import deferred were recounted:
	// a full recount changes nothing
	kept := func() string {
		var s []string
		if err := db.Select(&s, `SELECT x FROM (
		  SELECT concat_ws(',', id, invested_total, mentor_count, market_target_count, jobs_created, patents, export_value, last_stage_change) AS x FROM startups
		  UNION ALL SELECT concat_ws(',', id, startup_count) FROM mentors
		  UNION ALL SELECT concat_ws(',', scope, stage, fig, key, n, amount, qty) FROM insight_totals WHERE n <> 0
		  UNION ALL SELECT concat_ws(',', startup_id, stage, universities::text, parts::text) FROM insight_startups) t ORDER BY x`); err != nil {
			t.Fatal(err)
		}
		return strings.Join(s, "\n")
	}
	figures := kept()
	if _, err := db.Exec(`SELECT figures_recount_all(); SELECT insight_rebuild_all()`); err != nil {
		t.Fatal(err)
	}
	if now := kept(); now != figures {
		a, b := strings.Split(figures, "\n"), strings.Split(now, "\n")
		for _, x := range a {
			if !slices.Contains(b, x) {
				t.Errorf("kept before the recount, not after: %s", x)
			}
		}
		for _, x := range b {
			if !slices.Contains(a, x) {
				t.Errorf("after the recount, not kept: %s", x)
			}
		}
	}
	var history []string
	if err := db.Select(&history, `SELECT c.stage || '@' || c.changed_on FROM stage_changes c JOIN startups s ON s.id = c.startup_id WHERE s.key = 'imp-aqua-sense'`); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(history, []string{"PROTOTYPE@2023-05-10"}) {
		t.Errorf("stage history %v", history)
	}

	settled := snapshot(t, dsn)
	second := run(t, s, "cohort.xlsx", file, false)
	if len(second.Problems) != 0 {
		t.Fatalf("second run: %+v", second.Problems)
	}
	want = "startups 0/0/2, mentors 0/0/1, assignments 0/0/1, mentorships 0/0/1, investments 0/0/1, market targets 0/0/1, cohort memberships 0/0/1, outcomes 0/0/2"
	if got := counts(second); got != want {
		t.Errorf("second run: %s, want %s", got, want)
	}
	// the second batch is recorded (one more batch and audit record), nothing else moved
	if got := withoutBatches(snapshot(t, dsn)); got != withoutBatches(settled) {
		t.Errorf("the second import changed rows:\n%s\nwas\n%s", got, settled)
	}

	// a changed cell updates that row alone, and moves its version on
	changed := aCohort()
	changed["startups"][1][3] = "R_AND_D"
	changed["startups"][1][4] = "2023-05-10"
	changed["market targets"][1][3] = 1
	third := run(t, s, "cohort.xlsx", workbook(t, changed), false)
	want = "startups 0/1/1, mentors 0/0/1, assignments 0/0/1, mentorships 0/0/1, investments 0/0/1, market targets 0/1/0, cohort memberships 0/0/1, outcomes 0/0/2"
	if got := counts(third); got != want || len(third.Problems) != 0 {
		t.Errorf("third run: %s %+v, want %s", got, third.Problems, want)
	}
	var versions []string
	if err := db.Select(&versions, `SELECT key || ':' || version || ':' || stage FROM startups WHERE key LIKE 'imp-%' ORDER BY key`); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(versions, []string{"imp-aqua-sense:2:R_AND_D", "imp-leaf-lab:1:IDEA"}) {
		t.Errorf("versions %v", versions)
	}
}

func withoutBatches(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "import_batches") && !strings.HasPrefix(l, "audit_log") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

func counts(r *importer.Report) string {
	var out []string
	for _, s := range r.Sheets {
		out = append(out, fmt.Sprintf("%s %d/%d/%d", s.Sheet, len(s.Created), len(s.Updated), len(s.Unchanged)))
	}
	return strings.Join(out, ", ")
}

// TestImportBrokenWorkbook: a workbook with ten different problems is
// answered with a report naming all ten, each with its sheet, row and
// column, and writes nothing.
func TestImportBrokenWorkbook(t *testing.T) {
	dsn := testdb.URL(t, testdb.Demo)
	s, err := store.Open(context.Background(), dsn, store.PoolConfig{MaxOpen: 4, MaxIdle: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	future := time.Now().UTC().AddDate(0, 0, 10).Format(time.DateOnly)
	book := map[string][][]any{
		"startups": {
			{"key", "nameKo", "nameEn", "stage", "stageChangedOn", "foundedOn"},
			{"imp-ok", "임포트", "Import OK", "IDEA", "", "2020-01-01"},
			{"imp-dup-name", "바이오 센사", "Something New", "", "", ""},         // 1: duplicate name of svc-biosensa (바이오센사)
			{"imp-bad-date", "날짜", "Bad Date", "", "", "2020-13-45"},        // 2: bad date
			{"imp-ok", "임포트2", "Import OK 2", "", "", ""},                   // 3: repeats row 2
			{"svc-biosensa", "바이오센사", "BioSensa", "IDEA", "2025-01-01", ""}, // 4: moves back without a reason
			{"imp-future", "미래", "Future", "", "", future},                  // 5: founded in the future
		},
		"assignments": {
			{"startup", "university", "purpose", "since"},
			{"imp-ok", "no-such-university", "JOINT_PROJECT", "2024-01-01"}, // 6: unknown key
			{"imp-ok", "ghent-university", "COFFEE", "2024-01-01"},          // 7: not an enum value
		},
		"investments": {
			{"fund", "startup", "investedOn", "round", "amount"},
			{"creative-growth-venture-fund", "imp-ok", "2024-01-01", "SEED", "2000000000000000"}, // 8: amount out of range
			{"creative-growth-venture-fund", "imp-ok", "2019-06-01", "SEED", "1000"},             // 9: before founding
		},
		"outcomes": {
			{"startup", "kind", "reportedOn", "market"},
			{"imp-ok", "EXPORT_CONTRACT", "2024-01-01", ""}, // 10: an export contract needs a market
		},
	}
	before := snapshot(t, dsn)
	for _, dry := range []bool{false, true} {
		rep := run(t, s, "broken.xlsx", workbook(t, book), dry)
		if rep.Applied || len(rep.Sheets) != 0 {
			t.Errorf("dry %v: applied %v, sheets %v", dry, rep.Applied, rep.Sheets)
		}
		want := []string{
			"startups row 3 nameKo: duplicate name",
			"startups row 4 foundedOn: is not a date",
			"startups row 5 key: repeats row 2",
			"startups row 6 stageReason: stage history: is required to move back",
			"startups row 7 foundedOn: must not be in the future",
			"assignments row 2 university: unknown university key",
			"assignments row 3 purpose: is not one of",
			"investments row 2 amount: amount out of range",
			"investments row 3 investedOn: is before the startup's founding date",
			"outcomes row 2 market: is required for an EXPORT_CONTRACT",
		}
		var got []string
		for _, p := range rep.Problems {
			got = append(got, fmt.Sprintf("%s row %d %s: %s", p.Sheet, p.Row, p.Column, p.Reason))
		}
		if len(got) != len(want) {
			t.Errorf("dry %v: %d problems, want %d:\n%s", dry, len(got), len(want), strings.Join(got, "\n"))
		}
		for _, w := range want {
			found := false
			for _, g := range got {
				sheetRowCol, reason, _ := strings.Cut(w, ": ")
				if strings.HasPrefix(g, sheetRowCol) && strings.Contains(g, reason) {
					found = true
				}
			}
			if !found {
				t.Errorf("dry %v: no problem %q in\n%s", dry, w, strings.Join(got, "\n"))
			}
		}
	}
	if after := snapshot(t, dsn); after != before {
		t.Errorf("a file with problems wrote:\n%s\nwas\n%s", after, before)
	}
}
