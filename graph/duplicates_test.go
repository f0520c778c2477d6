package graph_test

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/testdb"
)

// TestDuplicateNames (issue 19): creating a node whose Korean or English
// name matches an existing one of its type, ignoring case, width, spaces
// and Hangul composition, is CONFLICT naming the field and the existing
// node's id, unless the input allows it.
func TestDuplicateNames(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	names := column(t, c.DSN, `SELECT name_ko || '|' || name_en FROM startups WHERE key = 'svc-v2x-link'`)[0]
	ko, en, _ := strings.Cut(names, "|")
	existing := gid(t, c.DSN, globalid.Startup, "startups", "svc-v2x-link")
	// The same names as a user might type them: other case, full-width
	// letters, spaces, and Korean in decomposed jamo (NFD).
	fullWidth := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			if r > ' ' && r < 0x7f {
				r += 0xFEE0
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	enAlike := " " + fullWidth(strings.ToUpper(en)) + "  "
	koAlike := norm.NFD.String(ko) + " "
	if enAlike == en || norm.NFC.String(koAlike) == koAlike {
		t.Fatal("the variants are not variants")
	}
	create := `mutation($k: String!, $ko: String!, $en: String!, $allow: Boolean) { createStartup(input: {key: $k, nameKo: $ko, nameEn: $en, allowDuplicateName: $allow}) { startup { id name(locale: EN) } } }`
	r := c.Do(t, create, map[string]any{"k": "dup-en", "ko": "전혀 다른 이름", "en": enAlike})
	wantError(t, "English name in other case, width and spacing", r, "CONFLICT", "input.nameEn")
	if len(r.Errors) > 0 && r.Errors[0].Extensions["existingId"] != existing {
		t.Errorf("existingId %v, want %s", r.Errors[0].Extensions["existingId"], existing)
	}
	r = c.Do(t, create, map[string]any{"k": "dup-ko", "ko": koAlike, "en": "An Entirely Different Name"})
	wantError(t, "Korean name in decomposed jamo", r, "CONFLICT", "input.nameKo")
	if len(r.Errors) > 0 && r.Errors[0].Extensions["existingId"] != existing {
		t.Errorf("existingId %v, want %s", r.Errors[0].Extensions["existingId"], existing)
	}
	if n := count(t, c.DSN, `SELECT count(*) FROM startups WHERE key LIKE 'dup-%'`); n != "0" {
		t.Fatalf("%s duplicates created", n)
	}
	analyst := c.As(c.NewKey(t, "ANALYST", ""))
	wantError(t, "analyst", analyst.Do(t, create, map[string]any{"k": "dup-en", "ko": "x", "en": en, "allow": true}), "FORBIDDEN", "")
	c.OK(t, create, map[string]any{"k": "dup-en", "ko": "전혀 다른 이름", "en": enAlike, "allow": true}, nil)
	c.OK(t, create, map[string]any{"k": "other-name", "ko": "다른 이름 둘", "en": "Another Name Two"}, nil)

	// The other node types that can be created.
	for _, tc := range []struct{ name, table, query string }{
		{"Mentor", "mentors", `mutation($ko: String!, $en: String!, $allow: Boolean) { createMentor(input: {key: "dup-mentor", nameKo: $ko, nameEn: $en, allowDuplicateName: $allow}) { replayed } }`},
		{"Fund", "funds", `mutation($ko: String!, $en: String!, $allow: Boolean) { createFund(input: {key: "dup-fund", nameKo: $ko, nameEn: $en, kind: VENTURE_FUND, size: 1, allowDuplicateName: $allow}) { replayed } }`},
		{"Market", "markets", `mutation($ko: String!, $en: String!, $allow: Boolean) { createMarket(input: {key: "dup-market", nameKo: $ko, nameEn: $en, kind: REGION, code: "DUPX", allowDuplicateName: $allow}) { replayed } }`},
		{"Program", "programs", `mutation($ko: String!, $en: String!, $allow: Boolean) { createProgram(input: {key: "dup-program", nameKo: $ko, nameEn: $en, kind: WORKSHOP, allowDuplicateName: $allow}) { replayed } }`},
		{"Cohort", "cohorts", `mutation($ko: String!, $en: String!, $allow: Boolean) { createCohort(input: {key: "dup-cohort", nameKo: $ko, nameEn: $en, programId: "UHJvZ3JhbTox", year: 2030, allowDuplicateName: $allow}) { replayed } }`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			row := column(t, c.DSN, `SELECT id || '|' || name_ko || '|' || name_en FROM `+tc.table+` WHERE archived_at IS NULL ORDER BY id LIMIT 1`)[0]
			parts := strings.SplitN(row, "|", 3)
			want := globalid.Encode(globalid.Type(tc.name), int64(atoi(parts[0])))
			r := c.Do(t, tc.query, map[string]any{"ko": "새 이름 " + tc.name, "en": strings.ToLower(parts[2]) + " "})
			wantError(t, tc.name+" English name", r, "CONFLICT", "input.nameEn")
			if len(r.Errors) > 0 && r.Errors[0].Extensions["existingId"] != want {
				t.Errorf("existingId %v, want %s", r.Errors[0].Extensions["existingId"], want)
			}
			r = c.Do(t, tc.query, map[string]any{"ko": " " + parts[1], "en": "Fresh " + tc.name})
			wantError(t, tc.name+" Korean name", r, "CONFLICT", "input.nameKo")
			c.OK(t, tc.query, map[string]any{"ko": parts[1], "en": parts[2], "allow": true}, nil)
		})
	}
}
