package export_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"startupgraph/internal/apitest"
	"startupgraph/internal/synthetic"
	"startupgraph/internal/testdb"
)

// TestExportFigures measures an export of every startup (with a nested
// object and a nested list) as CSV and as XLSX: rows, time, bytes, and
// the peak of the Go heap while it runs (sampled every 5 ms), for
// EXPORT_FIGURES synthetic startups (skipped when unset), to show that
// memory does not grow with the rows:
//
//	EXPORT_FIGURES=20000 go test -count=1 -run TestExportFigures -v ./internal/export/
func TestExportFigures(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("EXPORT_FIGURES"))
	if n <= 0 {
		t.Skip("set EXPORT_FIGURES=N to measure an export of N synthetic startups")
	}
	c := apitest.New(t, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), c.Store, n, 11); err != nil {
		t.Fatal(err)
	}
	q := `{ startups { nodes { key name: nameEn stage foundedOn facility { name: nameEn } sectors { nodes { key } } } } }`
	for _, format := range []string{"csv", "xlsx"} {
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		var peak atomic.Uint64
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			for {
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > peak.Load() {
					peak.Store(m.HeapAlloc)
				}
				select {
				case <-stop:
					return
				case <-tick.C:
				}
			}
		}()
		w := &countingResponse{header: http.Header{}}
		req, _ := http.NewRequest(http.MethodPost, "/export", bytes.NewReader([]byte(mustJSON(t, map[string]any{"query": q, "format": format}))))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+c.Key)
		start := time.Now()
		c.Handler.ServeHTTP(w, req)
		took := time.Since(start)
		close(stop)
		<-done
		if w.status != http.StatusOK {
			t.Fatalf("%s: status %d", format, w.status)
		}
		t.Logf("%s: %d startups, %d bytes in %s; Go heap peak %.1f MiB (%.1f MiB before)",
			format, n, w.n, took.Round(time.Millisecond), float64(peak.Load())/(1<<20), float64(base.HeapAlloc)/(1<<20))
	}
}

// countingResponse counts the bytes of a response and drops them.
type countingResponse struct {
	header http.Header
	status int
	n      int64
}

func (w *countingResponse) Header() http.Header { return w.header }
func (w *countingResponse) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
}
func (w *countingResponse) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += int64(len(b))
	return len(b), nil
}
func (w *countingResponse) Flush() {}
