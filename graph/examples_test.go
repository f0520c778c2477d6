package graph_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/testdb"
)

// TestExamples runs every operation in examples/ against the demo data as
// the role its header names, so the examples never go stale.
func TestExamples(t *testing.T) {
	files, err := filepath.Glob("../examples/*.graphql")
	if err != nil || len(files) < 5 {
		t.Fatalf("examples: %v %v", files, err)
	}
	c := apitest.New(t, testdb.Demo)
	tables := map[string]string{
		"Startup": "startups", "Mentor": "mentors", "Sector": "sectors", "Market": "markets", "Fund": "funds",
		"University": "universities", "Program": "programs", "Organization": "organizations", "Cohort": "cohorts", "Facility": "facilities",
	}
	var resolve func(v any) any
	resolve = func(v any) any {
		switch x := v.(type) {
		case string:
			if typ, key, ok := strings.Cut(x, ":"); ok && tables[typ] != "" {
				return gid(t, c.DSN, globalid.Type(typ), tables[typ], key)
			}
			return x
		case []any:
			for i := range x {
				x[i] = resolve(x[i])
			}
		case map[string]any:
			for k := range x {
				x[k] = resolve(x[k])
			}
		}
		return v
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			as, vars, expect := c, map[string]any{}, []string{}
			for _, line := range strings.Split(string(src), "\n") {
				k, v, ok := strings.Cut(strings.TrimPrefix(line, "# "), ": ")
				switch {
				case !ok || !strings.HasPrefix(line, "# test-"):
				case k == "test-role" && v == "ANONYMOUS":
					as = c.As("")
				case k == "test-role" && strings.HasPrefix(v, "UNIVERSITY:"):
					as = c.As(c.NewKey(t, "UNIVERSITY", strings.TrimPrefix(v, "UNIVERSITY:")))
				case k == "test-role":
					as = c.As(c.NewKey(t, v, ""))
				case k == "test-variables":
					if err := json.Unmarshal([]byte(v), &vars); err != nil {
						t.Fatalf("test-variables: %v", err)
					}
					resolve(vars)
				case k == "test-expect":
					expect = append(expect, v)
				}
			}
			if !strings.Contains(string(src), "# Who:") || len(expect) == 0 {
				t.Fatal("an example says who asks it (# Who:) and what its answer holds (# test-expect:)")
			}
			r := as.OK(t, string(src), vars, nil)
			for _, e := range expect {
				if !strings.Contains(string(r.Data), e) {
					t.Errorf("answer lacks %q:\n%.600s", e, r.Data)
				}
			}
		})
	}
}
