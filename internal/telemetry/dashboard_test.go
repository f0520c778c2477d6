package telemetry

import (
	"database/sql"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDashboardNamesExportedMetrics: every startupgraph_ metric the
// Grafana dashboard (deploy/grafana/startupgraph.json) queries is one
// the service exports, so a renamed metric cannot leave a panel empty.
func TestDashboardNamesExportedMetrics(t *testing.T) {
	raw, err := os.ReadFile("../../deploy/grafana/startupgraph.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	m := NewMetrics(func() sql.DBStats { return sql.DBStats{} })
	// labelled metrics are gathered once they have a series
	m.Request("Op", CodeOK, 0, 1, 0)
	m.RateLimited(true)
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	exported := map[string]bool{}
	for _, f := range families {
		exported[f.GetName()] = true
	}
	name := regexp.MustCompile(`\b(startupgraph_[a-z_]+)`)
	queried := 0
	for _, p := range dash.Panels {
		for _, target := range p.Targets {
			for _, m := range name.FindAllString(target.Expr, -1) {
				queried++
				base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(m, "_bucket"), "_count"), "_sum")
				if !exported[base] {
					t.Errorf("panel %q queries %s, which is not exported", p.Title, m)
				}
			}
		}
	}
	if queried < 10 {
		t.Errorf("the dashboard queries %d startupgraph metrics", queried)
	}
}
