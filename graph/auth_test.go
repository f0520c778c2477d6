package graph_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"startupgraph/internal/apitest"
	"startupgraph/internal/auth"
	"startupgraph/internal/config"
	"startupgraph/internal/globalid"
	"startupgraph/internal/server"
	"startupgraph/internal/store"
	"startupgraph/internal/testdb"
)

// TestUniversitySeesOnlyItsTeams is the access-control acceptance: the
// SUNY Korea key sees exactly SUNY Korea's teams by every path, and the
// Ghent key none of them.
func TestUniversitySeesOnlyItsTeams(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	suny := c.As(c.NewKey(t, "UNIVERSITY", "suny-korea"))
	ghent := c.As(c.NewKey(t, "UNIVERSITY", "ghent-university"))
	sunyTeams := column(t, c.DSN, `SELECT DISTINCT s.key FROM startups s JOIN assignments a ON a.startup_id = s.id JOIN universities u ON u.id = a.university_id WHERE u.key = 'suny-korea'`)
	ghentTeams := column(t, c.DSN, `SELECT DISTINCT s.key FROM startups s JOIN assignments a ON a.startup_id = s.id JOIN universities u ON u.id = a.university_id WHERE u.key = 'ghent-university'`)
	if len(sunyTeams) < 3 || len(ghentTeams) < 3 {
		t.Fatalf("demo data: SUNY %v, Ghent %v", sunyTeams, ghentTeams)
	}
	for _, k := range sunyTeams {
		for _, g := range ghentTeams {
			if k == g {
				t.Fatalf("demo data: %s is assigned to both SUNY Korea and Ghent", k)
			}
		}
	}

	paths := []struct {
		name, query string
		// within: the path may show a subset (only teams reachable that way)
		within bool
	}{
		{"direct: top-level list", `{ startups(first: 100) { nodes { key } } }`, false},
		{"direct: the university's teams", `{ universities { startups(first: 100) { nodes { key } } } }`, false},
		{"via mentors", `{ mentors(first: 100) { nodes { startups(first: 100) { nodes { key } } } } }`, true},
		{"via funds", `{ funds(first: 100) { nodes { portfolio(first: 100) { nodes { key } } } } }`, true},
		{"via investments", `{ investments(first: 100) { nodes { startup { key } } } }`, true},
		{"via programs", `{ programs(first: 100) { nodes { startups(first: 100) { nodes { key } } cohorts(first: 10) { nodes { startups(first: 100) { nodes { key } } } } } } }`, true},
		{"via markets", `{ markets(first: 100) { nodes { startups(first: 100) { nodes { key } } } } }`, true},
		{"via sectors", `{ sectors(first: 100) { nodes { startups(first: 100) { nodes { key } } } } }`, false},
		{"via the campus", `{ facilities(first: 100) { nodes { residents(first: 100) { nodes { key } } } } }`, true},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			for _, who := range []struct {
				name string
				c    *apitest.Client
				own  []string
			}{{"SUNY Korea", suny, sunyTeams}, {"Ghent", ghent, ghentTeams}} {
				got := uniq(tuples(t, who.c.OK(t, p.query, nil, nil).Data, "key"))
				if p.within {
					for _, k := range got {
						if !contains(who.own, k) {
							t.Errorf("%s sees %s", who.name, k)
						}
					}
					continue
				}
				if !sameSet(got, who.own) {
					t.Errorf("%s sees %v, want %v", who.name, got, who.own)
				}
			}
		})
	}

	t.Run("via search", func(t *testing.T) {
		name := column(t, c.DSN, `SELECT s.name_en FROM startups s WHERE s.key = $1`, sunyTeams[0])[0]
		q := `query($s: String) { startups(filter: {search: $s}) { totalCount nodes { key } } }`
		if got := tuples(t, suny.OK(t, q, map[string]any{"s": name}, nil).Data, "key"); !contains(got, sunyTeams[0]) {
			t.Errorf("SUNY Korea cannot find its own team %q", name)
		}
		if r := ghent.OK(t, q, map[string]any{"s": name}, nil); strings.Contains(string(r.Data), sunyTeams[0]) || !strings.Contains(string(r.Data), `"totalCount":0`) {
			t.Errorf("Ghent finds SUNY Korea's team: %s", r.Data)
		}
	})

	t.Run("via node", func(t *testing.T) {
		team := gid(t, c.DSN, globalid.Startup, "startups", sunyTeams[0])
		random := base64.RawURLEncoding.EncodeToString([]byte("Startup:987654321"))
		q := `query($id: ID!) { node(id: $id) { ... on Startup { key } } }`
		if r := suny.OK(t, q, map[string]any{"id": team}, nil); !strings.Contains(string(r.Data), sunyTeams[0]) {
			t.Errorf("SUNY Korea cannot refetch its team: %s", r.Data)
		}
		hidden, missing := ghent.Do(t, q, map[string]any{"id": team}), ghent.Do(t, q, map[string]any{"id": random})
		if string(hidden.Data) != string(missing.Data) || hidden.Code() != "NOT_FOUND" || missing.Code() != "NOT_FOUND" ||
			hidden.Errors[0].Message != missing.Errors[0].Message {
			t.Errorf("a hidden team differs from a missing one: %s %+v vs %s %+v", hidden.Data, hidden.Errors, missing.Data, missing.Errors)
		}
		r := ghent.Do(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{team}})
		if !strings.Contains(string(r.Data), `"nodes":[null]`) || r.Code() != "NOT_FOUND" {
			t.Errorf("nodes() shows a hidden team: %s %+v", r.Data, r.Errors)
		}
	})

	t.Run("mentor filters do not reveal hidden teams' mentors", func(t *testing.T) {
		team := gid(t, c.DSN, globalid.Startup, "startups", sunyTeams[0])
		r := ghent.OK(t, `query($ids: [ID!]) { mentors(filter: {startupIds: $ids}) { totalCount } }`, map[string]any{"ids": []string{team}}, nil)
		if !strings.Contains(string(r.Data), `"totalCount":0`) {
			t.Errorf("Ghent learns who mentors a SUNY Korea team: %s", r.Data)
		}
	})

	t.Run("a shared team shows only the viewer's own assignment", func(t *testing.T) {
		shared := column(t, c.DSN, `SELECT s.key FROM startups s WHERE (SELECT count(DISTINCT university_id) FROM assignments a WHERE a.startup_id = s.id) > 1
			AND EXISTS (SELECT 1 FROM assignments a JOIN universities u ON u.id = a.university_id WHERE a.startup_id = s.id AND u.key = 'suny-korea')`)
		if len(shared) == 0 {
			t.Skip("no team shared by SUNY Korea and another university in the demo data")
		}
		id := gid(t, c.DSN, globalid.Startup, "startups", shared[0])
		r := suny.OK(t, `query($id: ID!) { node(id: $id) { ... on Startup { universities { totalCount nodes { key } } } } }`, map[string]any{"id": id}, nil)
		if got := uniq(tuples(t, r.Data, "key")); len(got) != 1 || got[0] != "suny-korea" || !strings.Contains(string(r.Data), `"totalCount":1`) {
			t.Errorf("SUNY Korea sees the other universities of a shared team: %s", r.Data)
		}
	})
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func TestAnonymousReadsReferenceDataOnly(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	anon := c.As("")
	public := `{ viewer { role keyName university { key } } universities { key } organizations { totalCount } sectors { totalCount }
		programs { totalCount nodes { cohorts { totalCount } organizations { totalCount } } } funds { totalCount }
		markets { totalCount } facilities { totalCount } }`
	r := anon.OK(t, public, nil, nil)
	if !strings.Contains(string(r.Data), `"viewer":{"role":"ANONYMOUS","keyName":null,"university":null}`) {
		t.Errorf("viewer: %s", r.Data)
	}
	for _, q := range []string{
		`{ startups { totalCount } }`, `{ mentors { totalCount } }`, `{ investments { totalCount } }`,
		`{ universities { startups { totalCount } } }`, `{ universities { mentors { totalCount } } }`,
		`{ sectors { nodes { startups { totalCount } } } }`, `{ sectors { nodes { mentors { totalCount } } } }`,
		`{ programs { nodes { startups { totalCount } } } }`, `{ programs { nodes { cohorts { nodes { startups { totalCount } } } } } }`,
		`{ funds { nodes { portfolio { totalCount } } } }`, `{ markets { nodes { startups { totalCount } } } }`,
		`{ facilities { nodes { residents { totalCount } } } }`, `{ organizations { nodes { mentors { totalCount } } } }`,
	} {
		if r := anon.Do(t, q, nil); r.Code() != "UNAUTHENTICATED" || strings.Contains(string(r.Data), "totalCount") {
			t.Errorf("%s: code %q data %s", q, r.Code(), r.Data)
		}
	}
	team := gid(t, c.DSN, globalid.Startup, "startups", column(t, c.DSN, "SELECT key FROM startups LIMIT 1")[0])
	if r := anon.Do(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": team}); r.Code() != "NOT_FOUND" {
		t.Errorf("anonymous node(startup): %s %+v", r.Data, r.Errors)
	}
}

func TestBadKeys(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	ctx := context.Background()
	keyWith := func(t *testing.T, mod func(*store.NewAPIKey)) string {
		k, err := auth.NewKey()
		if err != nil {
			t.Fatal(err)
		}
		nk := store.NewAPIKey{Name: "bad key test", Role: "ANALYST", Hash: k.Hash, Prefix: k.Prefix}
		mod(&nk)
		if _, err := c.Store.CreateAPIKey(ctx, nk); err != nil {
			t.Fatal(err)
		}
		return k.Secret
	}
	past := time.Now().Add(-time.Hour)
	expired := keyWith(t, func(k *store.NewAPIKey) { k.ExpiresAt = &past })
	revoked := keyWith(t, func(*store.NewAPIKey) {})
	keys, _ := c.Store.ListAPIKeys(ctx)
	if _, err := c.Store.RevokeAPIKey(ctx, keys[0].ID); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("postgres", c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var uni int64
	if err := db.QueryRow(`INSERT INTO universities (key, name_ko, name_en, short_name, home_country) VALUES ('closing-u', '폐교대', 'Closing University', 'CU', 'US') RETURNING id`).Scan(&uni); err != nil {
		t.Fatal(err)
	}
	orphan := keyWith(t, func(k *store.NewAPIKey) { k.Role, k.UniversityID = "UNIVERSITY", &uni })
	if r := c.As(orphan).Do(t, `{ viewer { role } }`, nil); r.Status != http.StatusOK {
		t.Fatalf("the university's key did not work before the university was deleted: %d", r.Status)
	}
	if _, err := db.Exec(`DELETE FROM universities WHERE id = $1`, uni); err != nil {
		t.Fatal(err)
	}
	unknown, _ := auth.NewKey()

	cases := []struct {
		name, header    string
		firstStatements int64
	}{
		{"malformed", "Bearer not-a-key", 0},
		{"wrong scheme", "Basic " + unknown.Secret, 0},
		{"unknown", "Bearer " + unknown.Secret, 1},
		{"expired", "Bearer " + expired, 1},
		{"revoked", "Bearer " + revoked, 1},
		{"university deleted", "Bearer " + orphan, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "university deleted" {
				// its key was verified before the deletion; the cache may
				// keep it for auth.CacheTTL. A fresh server checks the database.
				c = apitest.Open(t, c.DSN)
			}
			for attempt, want := range []int64{tc.firstStatements, 0} {
				r := c.As("").Do(t, `{ viewer { role } universities { key } }`, nil, "Authorization", tc.header)
				if r.Status != http.StatusUnauthorized || r.Code() != "UNAUTHENTICATED" || len(r.Data) > 0 && string(r.Data) != "null" {
					t.Errorf("attempt %d: status %d code %q data %s", attempt, r.Status, r.Code(), r.Data)
				}
				if r.Statements != want {
					t.Errorf("attempt %d took %d statements, want %d (repeated bad keys must not reach the database)", attempt, r.Statements, want)
				}
			}
		})
	}

	t.Run("WWW-Authenticate", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ viewer { role } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer nope")
		if got := c.Serve(req).Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
			t.Errorf("WWW-Authenticate %q", got)
		}
	})
}

// TestOneConnectionServesTwoUniversities: scope travels with each query,
// not with the connection, so a pooled connection reused by two
// universities' requests never mixes their views.
func TestOneConnectionServesTwoUniversities(t *testing.T) {
	dsn := testdb.URL(t, testdb.Demo)
	keys := apitest.Open(t, dsn)
	sunyKey, ghentKey := keys.NewKey(t, "UNIVERSITY", "suny-korea"), keys.NewKey(t, "UNIVERSITY", "ghent-university")
	s, err := store.Open(context.Background(), dsn, store.PoolConfig{MaxOpen: 1, MaxIdle: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := server.NewHandler(server.Deps{Config: config.Config{RequestTimeout: 10 * time.Second}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Store: s})
	c := &apitest.Client{Handler: h, Store: s, DSN: dsn}
	want := map[string][]string{
		sunyKey:  column(t, dsn, `SELECT DISTINCT a.startup_id::text FROM assignments a JOIN universities u ON u.id = a.university_id WHERE u.key = 'suny-korea'`),
		ghentKey: column(t, dsn, `SELECT DISTINCT a.startup_id::text FROM assignments a JOIN universities u ON u.id = a.university_id WHERE u.key = 'ghent-university'`),
	}
	for i := 0; i < 10; i++ {
		for key, ids := range want {
			r := c.As(key).OK(t, `{ startups(first: 100) { nodes { id } } }`, nil, nil)
			var got []string
			for _, id := range tuples(t, r.Data, "id") {
				got = append(got, strings.TrimPrefix(string(mustDecode(t, id)), "Startup:"))
			}
			if !sameSet(got, ids) {
				t.Fatalf("round %d: got %v, want %v", i, got, ids)
			}
		}
	}
}

func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestIntrospectionByRole(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	q := `{ __schema { queryType { name } } }`
	fragment := `query { ...F } fragment F on Query { __type(name: "Startup") { name } }`
	cases := []struct {
		name, key string
		allowed   bool
	}{
		{"anonymous", "", false},
		{"university", c.NewKey(t, "UNIVERSITY", "suny-korea"), false},
		{"analyst", c.NewKey(t, "ANALYST", ""), true},
		{"admin", c.Key, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, query := range []string{q, fragment} {
				r := c.As(tc.key).Do(t, query, nil)
				if tc.allowed && len(r.Errors) > 0 || !tc.allowed && r.Code() != "FORBIDDEN" {
					t.Errorf("%s: %s %+v", query, r.Data, r.Errors)
				}
			}
			if r := c.As(tc.key).Do(t, `{ __typename }`, nil); len(r.Errors) > 0 {
				t.Errorf("__typename refused: %+v", r.Errors)
			}
		})
	}
	t.Run("dev mode allows everyone", func(t *testing.T) {
		dev := c.WithConfig(config.Config{Dev: true, RequestTimeout: 10 * time.Second}).As("")
		if r := dev.Do(t, q, nil); len(r.Errors) > 0 {
			t.Errorf("dev introspection: %+v", r.Errors)
		}
	})
}

func TestViewer(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	r := c.As(c.NewKey(t, "UNIVERSITY", "ghent-university")).OK(t, `{ viewer { role keyName university { key nameEn } } }`, nil, nil)
	if !strings.Contains(string(r.Data), `"role":"UNIVERSITY"`) || !strings.Contains(string(r.Data), `"key":"ghent-university"`) {
		t.Errorf("viewer: %s", r.Data)
	}
	r = c.OK(t, `{ viewer { role university { key } } }`, nil, nil)
	if string(r.Data) != `{"viewer":{"role":"ADMIN","university":null}}` {
		t.Errorf("admin viewer: %s", r.Data)
	}
}
