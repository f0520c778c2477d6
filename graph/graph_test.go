package graph_test

import (
	"database/sql"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	_ "github.com/lib/pq"

	"startupgraph/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// oracle runs an independent SQL query returning (parent, child) key pairs
// and groups the children, sorted, by parent.
func oracle(t *testing.T, dsn, query string, args ...any) map[string][]string {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := groupedRows(t, db, query, args...)
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

// column runs an oracle query returning one column of strings.
func column(t *testing.T, dsn, query string, args ...any) []string {
	t.Helper()
	m := oracle(t, dsn, "SELECT '', x FROM ("+query+") q(x)", args...)
	return m[""]
}

// keyed is the shape the edge tests ask for: parents with a key and a
// list of children with keys.
type keyed struct {
	Key      string `json:"key"`
	Children struct {
		Nodes []struct {
			Key string `json:"key"`
		} `json:"nodes"`
		TotalCount int `json:"totalCount"`
	} `json:"children"`
}

// parents decodes {"parents": [...]} or {"parents": {"nodes": [...]}}.
func parents(t *testing.T, data json.RawMessage) []keyed {
	t.Helper()
	var wrap struct {
		Parents json.RawMessage `json:"parents"`
	}
	if err := json.Unmarshal(data, &wrap); err != nil {
		t.Fatal(err)
	}
	var list []keyed
	if err := json.Unmarshal(wrap.Parents, &list); err == nil {
		return list
	}
	var conn struct {
		Nodes []keyed `json:"nodes"`
	}
	if err := json.Unmarshal(wrap.Parents, &conn); err != nil {
		t.Fatal(err)
	}
	return conn.Nodes
}

func grouped(t *testing.T, ps []keyed) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, p := range ps {
		if p.Children.TotalCount != len(p.Children.Nodes) {
			t.Errorf("%s: totalCount %d but %d nodes", p.Key, p.Children.TotalCount, len(p.Children.Nodes))
		}
		for _, c := range p.Children.Nodes {
			out[p.Key] = append(out[p.Key], c.Key)
		}
		sort.Strings(out[p.Key])
	}
	return out
}

func equalGroups(t *testing.T, got, want map[string][]string) {
	t.Helper()
	if len(want) == 0 {
		t.Fatal("oracle returned nothing: the demo data does not exercise this edge")
	}
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	for k := range keys {
		if !slices.Equal(got[k], want[k]) {
			t.Errorf("%s: got %v, want %v", k, got[k], want[k])
		}
	}
}

func must[T any](t *testing.T, v T, ok bool) T {
	t.Helper()
	if !ok {
		t.Fatal("missing value")
	}
	return v
}

func lower(s string) string { return strings.ToLower(s) }
