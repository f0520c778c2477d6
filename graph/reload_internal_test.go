package graph

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"startupgraph/internal/loader"
	"startupgraph/internal/store"
	"startupgraph/internal/testdb"
	"startupgraph/internal/viewer"
)

// TestReloadAfterWriteOutlivesAShortOutage: the read-back of a committed
// write retries while the database is unreachable, and when it gives up
// the error says the change was saved, so clients do not repeat it.
func TestReloadAfterWriteOutlivesAShortOutage(t *testing.T) {
	dsn, proxy := testdb.Proxied(t, testdb.URL(t, testdb.Demo))
	s, err := store.Open(context.Background(), dsn, store.PoolConfig{MaxOpen: 2, MaxIdle: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	var ctx context.Context
	loader.Middleware(s, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { ctx = r.Context() })).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	ctx = viewer.With(ctx, viewer.Viewer{Role: viewer.Admin})

	proxy.SetDown(true)
	go func() { time.Sleep(250 * time.Millisecond); proxy.SetDown(false) }()
	if st, err := reload(ctx, startupOf, 1); err != nil || st.RowID != 1 {
		t.Fatalf("through a 250 ms outage: %+v, %v", st, err)
	}

	proxy.SetDown(true)
	start := time.Now()
	_, err = reload(ctx, startupOf, 1)
	gqlErr, ok := err.(*gqlerror.Error)
	if !ok || gqlErr.Extensions["saved"] != true || gqlErr.Extensions["code"] != "SERVICE_UNAVAILABLE" {
		t.Fatalf("through a long outage: %#v", err)
	}
	if took := time.Since(start); took < 1400*time.Millisecond {
		t.Errorf("gave up after %s, before its retries", took)
	}
}
