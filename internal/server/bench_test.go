package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"startupgraph/internal/server"
	"startupgraph/internal/store"
	"startupgraph/internal/testdb"
)

// BenchmarkReferenceQuery measures the whole handler stack (middleware,
// gqlgen, store, PostgreSQL) for a small reference-data query, in process,
// so allocations per request are visible.
func BenchmarkReferenceQuery(b *testing.B) {
	s, err := store.Open(context.Background(), testdb.URL(b, testdb.Demo), store.PoolConfig{MaxOpen: 4, MaxIdle: 4})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	h := server.NewHandler(server.Deps{Config: testConfig(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Store: s})
	body := `{"query":"{ universities { id name nameKo shortName } funds { nodes { name size } } }"}`
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"errors"`) {
			b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	}
}
