package graph_test

import (
	"encoding/json"
	"strings"
	"testing"

	"startupgraph/examples"
	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/testdb"
)

// TestExamples runs every operation in examples/ against the demo data as
// the role its header names, so the examples never go stale.
func TestExamples(t *testing.T) {
	all, err := examples.All()
	if err != nil || len(all) < 5 {
		t.Fatalf("examples: %d %v", len(all), err)
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
	for _, ex := range all {
		t.Run(ex.Name+".graphql", func(t *testing.T) {
			as, vars := c, map[string]any{}
			switch v := ex.Role; {
			case v == "ANONYMOUS":
				as = c.As("")
			case strings.HasPrefix(v, "UNIVERSITY:"):
				as = c.As(c.NewKey(t, "UNIVERSITY", strings.TrimPrefix(v, "UNIVERSITY:")))
			default:
				as = c.As(c.NewKey(t, v, ""))
			}
			if ex.Variables != "" {
				if err := json.Unmarshal([]byte(ex.Variables), &vars); err != nil {
					t.Fatalf("test-variables: %v", err)
				}
				resolve(vars)
			}
			if !strings.Contains(ex.Query, "# Who:") || len(ex.Expect) == 0 {
				t.Fatal("an example says who asks it (# Who:) and what its answer holds (# test-expect:)")
			}
			r := as.OK(t, ex.Query, vars, nil)
			for _, e := range ex.Expect {
				if !strings.Contains(string(r.Data), e) {
					t.Errorf("answer lacks %q:\n%.600s", e, r.Data)
				}
			}
		})
	}
}
