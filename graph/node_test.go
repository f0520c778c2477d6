package graph_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/testdb"
)

// TestNodeRefetchesEveryType: every node type's id refetches the same node
// through node(id:), and nodes(ids:) keeps order with nulls for misses.
func TestNodeRefetchesEveryType(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	q := `{ universities { id key }
	  organizations(first: 1) { nodes { id key } } sectors(first: 1) { nodes { id key } }
	  programs(first: 1) { nodes { id key } } funds(first: 1) { nodes { id key } }
	  facilities(first: 1) { nodes { id key } } markets(first: 1) { nodes { id key } }
	  startups(first: 1) { nodes { id key } } mentors(first: 1) { nodes { id key } }
	  investments(first: 1) { nodes { id key: round } }
	  cohorts: programs(first: 100) { nodes { cohorts(first: 1) { nodes { id key } } } } }`
	r := c.OK(t, q, nil, nil)
	ids := map[string]struct{ id, key string }{}
	for _, typ := range []string{"University", "Organization", "Sector", "Program", "Fund", "Facility", "Market", "Startup", "Mentor", "Investment", "Cohort"} {
		tup := tuples(t, r.Data, "id", "key")
		for _, tp := range tup {
			id, key, _ := strings.Cut(tp, "|")
			raw, _ := base64.RawURLEncoding.DecodeString(id)
			if strings.HasPrefix(string(raw), typ+":") {
				ids[typ] = struct{ id, key string }{id, key}
			}
		}
		if _, ok := ids[typ]; !ok {
			t.Fatalf("no %s in the demo data", typ)
		}
	}

	for typ, want := range ids {
		t.Run(typ, func(t *testing.T) {
			var got struct {
				Node struct {
					Typename string `json:"__typename"`
					ID       string `json:"id"`
					Key      string `json:"key"`
				} `json:"node"`
			}
			keyField := "key"
			if typ == "Investment" {
				keyField = "key: round"
			}
			c.OK(t, fmt.Sprintf(`query($id: ID!) { node(id: $id) { __typename id ... on %s { %s } } }`, typ, keyField), map[string]any{"id": want.id}, &got)
			if got.Node.Typename != typ || got.Node.ID != want.id || got.Node.Key != want.key {
				t.Errorf("node(%s) = %+v, want %s %s", want.id, got.Node, typ, want.key)
			}
		})
	}

	t.Run("nodes keeps order and reports misses", func(t *testing.T) {
		missing := base64.RawURLEncoding.EncodeToString([]byte("Startup:999999999"))
		list := []any{ids["Mentor"].id, missing, ids["Fund"].id, ids["Startup"].id}
		r := c.Do(t, `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, map[string]any{"ids": list})
		var got struct {
			Nodes []*struct {
				Typename string `json:"__typename"`
				ID       string `json:"id"`
			} `json:"nodes"`
		}
		if err := json.Unmarshal(r.Data, &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Nodes) != 4 || got.Nodes[1] != nil || got.Nodes[0].ID != list[0] || got.Nodes[2].ID != list[2] || got.Nodes[3].ID != list[3] {
			t.Fatalf("nodes: %+v", got.Nodes)
		}
		if len(r.Errors) != 1 || r.Code() != "NOT_FOUND" || fmt.Sprint(r.Errors[0].Path) != "[nodes 1]" {
			t.Errorf("errors: %+v", r.Errors)
		}
	})

	bad := []struct {
		name, id, code string
	}{
		{"random id", base64.RawURLEncoding.EncodeToString([]byte("Mentor:424242")), "NOT_FOUND"},
		{"malformed", "%%%", "BAD_USER_INPUT"},
		{"unknown type", base64.RawURLEncoding.EncodeToString([]byte("Spaceship:1")), "BAD_USER_INPUT"},
		{"not a number", base64.RawURLEncoding.EncodeToString([]byte("Startup:abc")), "BAD_USER_INPUT"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Do(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": tc.id})
			if r.Code() != tc.code || !strings.Contains(string(r.Data), `"node":null`) {
				t.Errorf("code %q data %s, want %s and null", r.Code(), r.Data, tc.code)
			}
			if tc.code == "BAD_USER_INPUT" && r.Field() != "id" {
				t.Errorf("field %q, want id", r.Field())
			}
		})
	}

	t.Run("more than 100 ids", func(t *testing.T) {
		many := make([]any, 101)
		for i := range many {
			many[i] = ids["Startup"].id
		}
		r := c.Do(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": many})
		if r.Code() != "BAD_USER_INPUT" || r.Field() != "ids" {
			t.Errorf("code %q field %q", r.Code(), r.Field())
		}
	})
}
