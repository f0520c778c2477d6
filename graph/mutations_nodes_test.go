package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/testdb"
)

// TestNodeMutations: create (with an idempotent retry), partial update,
// stale version, archive, validation and refusal for every other role, for
// mentors, funds, markets, programs and cohorts.
func TestNodeMutations(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	svc := gid(t, c.DSN, globalid.Program, "programs", "smart-venture-campus")
	gmu := gid(t, c.DSN, globalid.University, "universities", "george-mason-university")
	ghent := gid(t, c.DSN, globalid.University, "universities", "ghent-university")
	technopark := gid(t, c.DSN, globalid.Organization, "organizations", "incheon-technopark")
	robotics := gid(t, c.DSN, globalid.Sector, "sectors", "robotics")
	cases := []struct {
		entity, payload, table string
		create                 string // input fields after key/names
		update                 string // input fields after id/expectedVersion
		check                  string // a field to read back after the update
		want                   string // what it should hold
		invalid                string // a create input with problems
		fields                 []string
	}{
		{"Mentor", "mentor", "mentors",
			`languages: ["ko", "en"], universityId: "` + gmu + `", sectorIds: ["` + robotics + `"], taskForceMember: true, titleEn: "Professor"`,
			`titleEn: null, languages: ["en"], sectorIds: []`, `title languages sectors { totalCount }`, `"title":null,"languages":["en"],"sectors":{"totalCount":0}`,
			`key: "m-bad", nameKo: "ㅁ", nameEn: "M", languages: ["korean"], universityId: "` + gmu + `", organizationId: "` + technopark + `"`,
			[]string{"input.languages[0]", "input.organizationId"}},
		{"Fund", "fund", "funds",
			`kind: VENTURE_FUND, size: "50000000000", managerId: "` + technopark + `", vintageYear: 2018`,
			`size: 60000000000, vintageYear: null`, `size vintageYear manager { key }`, `"size":60000000000,"vintageYear":null,"manager":{"key":"incheon-technopark"}`,
			`key: "f-bad", nameKo: "ㅍ", nameEn: "F", kind: GOVERNMENT_GRANT, size: -1, vintageYear: 1850, programId: "` + gmu + `"`,
			[]string{"input.size", "input.vintageYear", "input.programId"}},
		{"Market", "market", "markets",
			`kind: COUNTRY, code: "TH"`,
			`nameEn: "Kingdom of Thailand"`, `nameEn code`, `"nameEn":"Kingdom of Thailand","code":"TH"`,
			`key: "mk-bad", nameKo: "ㅁ", nameEn: "M", kind: COUNTRY, code: "XX"`,
			[]string{"input.code"}},
		{"Program", "program", "programs",
			`kind: GLOBAL_EXPANSION, descriptionEn: "Trade shows abroad"`,
			`kind: WORKSHOP, descriptionEn: null`, `kind description(locale: EN)`, `"kind":"WORKSHOP","description":null`,
			`key: "BAD", nameKo: "", nameEn: "P", kind: WORKSHOP`,
			[]string{"input.key", "input.nameKo"}},
		{"Cohort", "cohort", "cohorts",
			`programId: "` + svc + `", year: 2018, teamQuota: 25`,
			`teamQuota: null, year: 2019`, `year teamQuota program { key }`, `"year":2019,"teamQuota":null,"program":{"key":"smart-venture-campus"}`,
			`key: "c-bad", nameKo: "ㅋ", nameEn: "C", programId: "` + ghent + `", year: 3000, teamQuota: 0`,
			[]string{"input.programId", "input.year", "input.teamQuota"}},
	}
	analyst := c.As(c.NewKey(t, "ANALYST", ""))
	for _, tc := range cases {
		t.Run(tc.entity, func(t *testing.T) {
			key := strings.ToLower(tc.entity) + "-made-by-test"
			create := fmt.Sprintf(`mutation { create%s(input: {idempotencyKey: "k-%s", key: "%s", nameKo: "시험", nameEn: "Test", %s}) { %s { id version archivedAt } replayed } }`,
				tc.entity, key, key, tc.create, tc.payload)
			if r := analyst.Do(t, create, nil); r.Code() != "FORBIDDEN" {
				t.Errorf("analyst create: %+v", r.Errors)
			}
			first := c.OK(t, create, nil, nil)
			again := c.OK(t, create, nil, nil)
			id := tuples(t, first.Data, "id")[0]
			if tuples(t, again.Data, "id")[0] != id || !strings.Contains(string(again.Data), `"replayed":true`) || !strings.Contains(string(first.Data), `"version":1,"archivedAt":null`) {
				t.Fatalf("create %s then retry %s", first.Data, again.Data)
			}
			if n := count(t, c.DSN, "SELECT count(*) FROM "+tc.table+" WHERE key = $1", key); n != "1" {
				t.Errorf("%s rows after a retried create", n)
			}

			update := fmt.Sprintf(`mutation($id: ID!, $v: Int!) { update%s(input: {id: $id, expectedVersion: $v, %s}) { %s { version %s } } }`,
				tc.entity, tc.update, tc.payload, tc.check)
			r := c.OK(t, update, map[string]any{"id": id, "v": 1}, nil)
			if !strings.Contains(string(r.Data), `"version":2`) || !strings.Contains(string(r.Data), tc.want) {
				t.Errorf("after update: %s, want %s", r.Data, tc.want)
			}
			if r := c.Do(t, update, map[string]any{"id": id, "v": 1}); r.Code() != "CONFLICT" {
				t.Errorf("stale update: %+v", r.Errors)
			}

			archive := fmt.Sprintf(`mutation($id: ID!, $v: Int!) { archive%s(input: {id: $id, expectedVersion: $v}) { %s { version archivedAt } } }`, tc.entity, tc.payload)
			if r := c.OK(t, archive, map[string]any{"id": id, "v": 2}, nil); strings.Contains(string(r.Data), `"archivedAt":null`) || !strings.Contains(string(r.Data), `"version":3`) {
				t.Errorf("archive: %s", r.Data)
			}

			invalid := fmt.Sprintf(`mutation { create%s(input: {%s}) { replayed } }`, tc.entity, tc.invalid)
			r = c.Do(t, invalid, nil)
			if r.Code() != "BAD_USER_INPUT" {
				t.Fatalf("invalid create: %+v", r.Errors)
			}
			var got []string
			for _, p := range r.Errors[0].Extensions["problems"].([]any) {
				got = append(got, p.(map[string]any)["field"].(string))
			}
			for _, f := range tc.fields {
				if !contains(got, f) {
					t.Errorf("problems %v lack %s", got, f)
				}
			}

			dup := strings.Replace(create, `idempotencyKey: "k-`+key+`", `, "", 1)
			if r := c.Do(t, dup, nil); r.Code() != "CONFLICT" {
				t.Errorf("duplicate key: %+v", r.Errors)
			}
			missing := globalid.Encode(globalid.Type(tc.entity), 987654)
			if r := c.Do(t, archive, map[string]any{"id": missing, "v": 1}); r.Code() != "NOT_FOUND" {
				t.Errorf("archive of nothing: %+v", r.Errors)
			}
			if n := count(t, c.DSN, "SELECT count(*) FROM audit_log WHERE entity_type = $1", tc.entity); n != "3" {
				t.Errorf("%s audit records for create, update, archive", n)
			}
		})
	}
}
