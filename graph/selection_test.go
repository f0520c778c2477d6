package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/testdb"
)

// TestOmittedColumns: pages leave out the columns of the node and edge
// fields a client does not select (store.Omit); a client that selects
// them, however the query spells it, gets them. name reads the name in
// the request's language (Accept-Language) or its locale argument's.
func TestOmittedColumns(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	startups := map[string]string{
		"nameEn":                           `SELECT key, name_en FROM startups`,
		"description":                      `SELECT key, COALESCE(NULLIF(description_en, ''), 'null') FROM startups`,
		"foundedOn":                        `SELECT key, COALESCE(founded_on::text, 'null') FROM startups`,
		"version":                          `SELECT key, version::text FROM startups`,
		"provenance":                       `SELECT key, provenance::text FROM startups`,
		"stage":                            `SELECT key, stage::text FROM startups`,
		"facility":                         `SELECT s.key, COALESCE('{"key":"' || f.key || '"}', 'null') FROM startups s LEFT JOIN facilities f ON f.id = s.facility_id`,
		"name":                             `SELECT key, name_en FROM startups`,
		"name in Korean (Accept-Language)": `SELECT key, name_ko FROM startups`,
		"name(locale: KO)":                 `SELECT key, name_ko FROM startups`,
	}
	mentors := map[string]string{
		"nameKo":          `SELECT key, name_ko FROM mentors`,
		"title":           `SELECT key, COALESCE(NULLIF(title_en, ''), 'null') FROM mentors`,
		"languages":       `SELECT key, array_to_string(languages, ',') FROM mentors`,
		"version":         `SELECT key, version::text FROM mentors`,
		"provenance":      `SELECT key, provenance::text FROM mentors`,
		"taskForceMember": `SELECT key, task_force_member::text FROM mentors`,
		"affiliation": `SELECT m.key, COALESCE('{"__typename":"University","key":"' || u.key || '"}', '{"__typename":"Organization","key":"' || o.key || '"}', 'null')
FROM mentors m LEFT JOIN universities u ON u.id = m.affiliated_university_id LEFT JOIN organizations o ON o.id = m.affiliated_organization_id`,
		"nameEn":                           `SELECT key, name_en FROM mentors`,
		"name":                             `SELECT key, name_en FROM mentors`,
		"name in Korean (Accept-Language)": `SELECT key, name_ko FROM mentors`,
	}
	shapes := []struct {
		name, query string
		fields      map[string]string
	}{
		{"top-level nodes", `{ startups(first: 100) { nodes { key FIELD } } }`, startups},
		{"child edges", `{ universities { startups(first: 100) { edges { node { key FIELD } } } } }`, startups},
		{"key in a fragment", `{ startups(first: 100) { nodes { ...K } } } fragment K on Startup { key FIELD }`, startups},
		{"named fragment", `{ universities { startups(first: 100) { nodes { key ...F } } } } fragment F on Startup { FIELD }`, startups},
		{"inline fragment on the edge", `{ universities { startups(first: 100) { edges { ... on AssignedStartupEdge { node { key FIELD } } } } } }`, startups},
		{"beside a slim alias", `{ universities { a: startups(first: 100) { nodes { key } } b: startups(first: 100) { nodes { key FIELD } } } }`, startups},
		{"grandchildren", `{ universities { startups(first: 100) { nodes { mentors(first: 100) { nodes { key FIELD } } } } } }`, mentors},
		{"top-level mentors", `{ mentors(first: 100) { edges { node { key FIELD } } } }`, mentors},
	}
	t.Run("node fields", func(t *testing.T) { checkShapes(t, c, shapes) })

	facts := []struct {
		name, query, key string
		fields           map[string]string
	}{
		{"assignments", `{ universities { startups(first: 100) { edges { FIELD node { key } } } } }`, "node.key", map[string]string{
			"purpose": `SELECT s.key, a.purpose::text FROM assignments a JOIN startups s ON s.id = a.startup_id`,
			"status":  `SELECT s.key, a.status::text FROM assignments a JOIN startups s ON s.id = a.startup_id`,
			"since":   `SELECT s.key, a.since::text FROM assignments a JOIN startups s ON s.id = a.startup_id`,
			"until":   `SELECT s.key, COALESCE(a.until::text, 'null') FROM assignments a JOIN startups s ON s.id = a.startup_id`,
		}},
		{"mentorships", `{ startups(first: 100) { nodes { mentors(first: 100) { edges { FIELD node { key } } } } } }`, "node.key", map[string]string{
			"focus": `SELECT m.key, e.focus FROM mentorships e JOIN mentors m ON m.id = e.mentor_id`,
			"since": `SELECT m.key, e.since::text FROM mentorships e JOIN mentors m ON m.id = e.mentor_id`,
			"until": `SELECT m.key, COALESCE(e.until::text, 'null') FROM mentorships e JOIN mentors m ON m.id = e.mentor_id`,
		}},
		{"market targets", `{ startups(first: 100) { nodes { markets(first: 100) { edges { ...T node { key } } } } } } fragment T on MarketTargetEdge { FIELD }`, "node.key", map[string]string{
			"status":   `SELECT k.key, e.status::text FROM market_targets e JOIN markets k ON k.id = e.market_id`,
			"priority": `SELECT k.key, e.priority::text FROM market_targets e JOIN markets k ON k.id = e.market_id`,
			"since":    `SELECT k.key, e.since::text FROM market_targets e JOIN markets k ON k.id = e.market_id`,
		}},
		{"memberships", `{ programs(first: 100) { nodes { startups { edges { FIELD node { key } } } } } }`, "node.key", map[string]string{
			"joinedOn": `SELECT s.key, e.joined_on::text FROM memberships e JOIN startups s ON s.id = e.startup_id`,
		}},
	}
	for _, f := range facts {
		for field, oracleSQL := range f.fields {
			t.Run(f.name+"/"+field, func(t *testing.T) {
				r := c.OK(t, strings.ReplaceAll(f.query, "FIELD", field), nil, nil)
				got := tuples(t, r.Data, f.key, field)
				if len(got) == 0 {
					t.Fatalf("no edges in %s", r.Data)
				}
				want := map[string]bool{}
				for parent, vals := range oracle(t, c.DSN, oracleSQL) {
					for _, v := range vals {
						want[parent+"|"+v] = true
					}
				}
				for _, g := range got {
					if !want[g] {
						t.Errorf("%s: %s not in the table", field, g)
					}
				}
			})
		}
	}
}

func checkShapes(t *testing.T, c *apitest.Client, shapes []struct {
	name, query string
	fields      map[string]string
}) {
	for _, sh := range shapes {
		for field, oracleSQL := range sh.fields {
			t.Run(sh.name+"/"+field, func(t *testing.T) {
				sel, name, headers := field, field, []string(nil)
				switch field {
				case "description", "title":
					sel = field + "(locale: EN)"
				case "name in Korean (Accept-Language)":
					sel, name, headers = "name", "name", []string{"Accept-Language", "ko-KR,ko;q=0.9"}
				case "name(locale: KO)":
					name = "name"
				case "facility":
					sel = "facility { key }"
				case "affiliation":
					sel = "affiliation { __typename ... on University { key } ... on Organization { key } }"
				}
				query := strings.ReplaceAll(sh.query, "FIELD", sel)
				r := c.Do(t, query, nil, headers...)
				if r.Status != 200 || len(r.Errors) > 0 {
					t.Fatalf("status %d, errors %+v\nquery: %s", r.Status, r.Errors, query)
				}
				want := oracle(t, c.DSN, oracleSQL)
				got := keyedValues(t, r.Data, name)
				if len(got) == 0 {
					t.Fatalf("no nodes in %s", r.Data)
				}
				for key, v := range got {
					if w := want[key]; len(w) != 1 || w[0] != v {
						t.Errorf("%s: %s = %q, want %v", key, field, v, w)
					}
				}
			})
		}
	}
}

// keyedValues collects field of every object with a key in data, lists
// joined with commas.
func keyedValues(t *testing.T, data json.RawMessage, field string) map[string]string {
	t.Helper()
	var root any
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if key, ok := x["key"].(string); ok {
				if v, ok := x[field]; ok {
					out[key] = text(v)
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(root)
	return out
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case float64:
		return fmt.Sprintf("%.0f", x)
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = text(p)
		}
		return strings.Join(parts, ",")
	}
	b, _ := json.Marshal(v)
	return string(b)
}
