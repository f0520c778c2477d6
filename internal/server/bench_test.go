package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/testdb"
)

// BenchmarkReferenceQuery measures the whole handler stack (middleware,
// gqlgen, store, PostgreSQL) for a small query of public data, in process,
// so allocations per request are visible.
func BenchmarkReferenceQuery(b *testing.B) {
	c := apitest.New(b, testdb.Demo)
	body := `{"query":"{ universities { id name nameKo shortName } funds { nodes { name size } } }"}`
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := c.Serve(req)
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"errors"`) {
			b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	}
}
