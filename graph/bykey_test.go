package graph_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/testdb"
)

// TestLookupByKey: startup(key:), mentor(key:), fund(key:), program(key:),
// cohort(key:), market(code:) and university(key:) answer, for every
// role, exactly what node(id:) answers for the same node: the node, or
// null with NOT_FOUND when the caller may not see it. An unknown key is
// null with NOT_FOUND too, so a key reveals nothing an id does not.
func TestLookupByKey(t *testing.T) {
	admin := apitest.New(t, testdb.Demo)
	roles := map[string]*apitest.Client{
		"ADMIN":        admin,
		"ANALYST":      admin.As(admin.NewKey(t, "ANALYST", "")),
		"UNIVERSITY":   admin.As(admin.NewKey(t, "UNIVERSITY", "ghent-university")),
		"UNIVERSITY 2": admin.As(admin.NewKey(t, "UNIVERSITY", "suny-korea")),
		"anonymous":    admin.As(""),
	}
	// field, argument, the list that names every node of the type, its key field
	lookups := []struct{ field, arg, list, keyField string }{
		{"startup", "key", `startups(first: 100) { nodes { id k: key } }`, "key"},
		{"mentor", "key", `mentors(first: 100) { nodes { id k: key } }`, "key"},
		{"fund", "key", `funds(first: 100) { nodes { id k: key } }`, "key"},
		{"program", "key", `programs(first: 100) { nodes { id k: key } }`, "key"},
		{"cohort", "key", `programs(first: 100) { nodes { cohorts(first: 100) { nodes { id k: key } } } }`, "key"},
		{"market", "code", `markets(first: 100) { nodes { id k: code } }`, "code"},
		{"university", "key", `universities { id k: key }`, "key"},
	}
	for _, l := range lookups {
		t.Run(l.field, func(t *testing.T) {
			pairs := tuples(t, admin.OK(t, "{ "+l.list+" }", nil, nil).Data, "id", "k")
			if len(pairs) == 0 {
				t.Fatalf("no %s in the demo data", l.field)
			}
			var keys, ids []string
			for _, p := range pairs {
				id, key, _ := strings.Cut(p, "|")
				ids, keys = append(ids, id), append(keys, key)
			}
			byKey := fmt.Sprintf(`query($k: String!) { x: %s(%s: $k) { id %s } }`, l.field, l.arg, l.keyField)
			for role, c := range roles {
				seen := 0
				for i, key := range keys {
					got := c.Do(t, byKey, map[string]any{"k": key})
					want := c.Do(t, `query($id: ID!) { x: node(id: $id) { id } }`, map[string]any{"id": ids[i]})
					gotID, wantID := answerID(t, got.Data), answerID(t, want.Data)
					if gotID != wantID || got.Code() != want.Code() {
						t.Fatalf("%s: %s(%s: %q) = %q (%s), node(id:) = %q (%s)", role, l.field, l.arg, key, gotID, got.Code(), wantID, want.Code())
					}
					if gotID != "" {
						seen++
						if gotID != ids[i] {
							t.Fatalf("%s: %s(%s: %q) is %s, want %s", role, l.field, l.arg, key, gotID, ids[i])
						}
					} else if got.Code() != "NOT_FOUND" {
						t.Fatalf("%s: %s(%s: %q) is null with %q, want NOT_FOUND", role, l.field, l.arg, key, got.Code())
					}
				}
				if role == "ADMIN" && seen != len(keys) {
					t.Errorf("ADMIN sees %d of %d %s by key", seen, len(keys), l.field)
				}
				unknown := c.Do(t, byKey, map[string]any{"k": "no-such-key-0"})
				if answerID(t, unknown.Data) != "" || unknown.Code() != "NOT_FOUND" {
					t.Errorf("%s: unknown key: data %s, code %q", role, unknown.Data, unknown.Code())
				}
			}
		})
	}
}

// TestLookupByKeyUniversityScope: a university's key finds its own teams
// by key and gets null with NOT_FOUND for every other team, compared with
// the assignments in SQL.
func TestLookupByKeyUniversityScope(t *testing.T) {
	admin := apitest.New(t, testdb.Demo)
	ghent := admin.As(admin.NewKey(t, "UNIVERSITY", "ghent-university"))
	type team struct {
		Key string
		Own bool
	}
	var all []team
	const q = `SELECT s.key, EXISTS (SELECT 1 FROM assignments a JOIN universities u ON u.id = a.university_id
	             WHERE a.startup_id = s.id AND u.key = 'ghent-university') AS own
	           FROM startups s ORDER BY s.key`
	db, err := sql.Open("postgres", admin.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s team
		if err := rows.Scan(&s.Key, &s.Own); err != nil {
			t.Fatal(err)
		}
		all = append(all, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	own := 0
	for _, s := range all {
		r := ghent.Do(t, `query($k: String!) { startup(key: $k) { key } }`, map[string]any{"k": s.Key})
		var got struct{ Startup *struct{ Key string } }
		if err := json.Unmarshal(r.Data, &got); err != nil {
			t.Fatal(err)
		}
		switch {
		case s.Own && (got.Startup == nil || got.Startup.Key != s.Key):
			t.Errorf("ghent's own team %s: %s %+v", s.Key, r.Data, r.Errors)
		case !s.Own && (got.Startup != nil || r.Code() != "NOT_FOUND"):
			t.Errorf("another university's team %s: %s, code %q", s.Key, r.Data, r.Code())
		}
		if s.Own {
			own++
		}
	}
	if own == 0 || own == len(all) {
		t.Fatalf("ghent has %d of %d teams: the test needs some of each", own, len(all))
	}
}

// answerID is the id of the answer aliased x, "" when null.
func answerID(t *testing.T, data json.RawMessage) string {
	t.Helper()
	var v struct{ X *struct{ ID string } }
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if v.X == nil {
		return ""
	}
	return v.X.ID
}
