package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"time"

	"startupgraph/internal/config"
	"startupgraph/internal/requestid"
	"startupgraph/internal/server"
	"startupgraph/internal/store"
)

// The in-process benchmark runs requests one after another through the
// real handler stack (the same server.NewHandler the binary serves, with
// the same configuration and a JSON logger writing nowhere), to count
// what the HTTP load cannot see: SQL statements and allocations per
// request. It is the harness's Go benchmark of the handler.

// inprocResult is one query's in-process figures.
type inprocResult struct {
	iterations       int
	stmtMin, stmtMax int64
	allocs           float64 // per request, net of the harness's own
	allocBytes       float64 // per request, net of the harness's own
	respBytes        int
	perRequest       time.Duration // wall time, one request at a time
}

// inproc is the handler under test, over its own pool.
type inproc struct {
	handler http.Handler
	store   *store.Store
	key     string
	// overhead is what the loop itself allocates per request (request,
	// recorder, counter), measured with a handler that does nothing.
	overhead inprocResult
}

func openInproc(ctx context.Context, cfg config.Config, key string) (*inproc, error) {
	s, err := store.Open(ctx, cfg.DatabaseURL, store.PoolConfig{
		MaxOpen: cfg.DBMaxOpenConns, MaxIdle: cfg.DBMaxIdleConns,
		MaxLifetime: cfg.DBConnMaxLifetime, MaxIdleTime: cfg.DBConnMaxIdleTime,
	})
	if err != nil {
		return nil, err
	}
	logger := slog.New(requestid.LogHandler{Handler: slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: cfg.LogLevel})})
	p := &inproc{handler: server.NewHandler(server.Deps{Config: cfg, Logger: logger, Store: s}), store: s, key: key}
	noop := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write([]byte(`{"data":{}}`))
	})
	if p.overhead, err = runInproc(ctx, noop, key, [][]byte{[]byte(`{"query":"{ __typename }"}`)}, 200*time.Millisecond, "", inprocResult{}); err != nil {
		_ = s.Close()
		return nil, err
	}
	return p, nil
}

func (p *inproc) close() { _ = p.store.Close() }

// measure runs bodies (rotating) through the handler for about budget.
// With profile set, it writes profile-cpu.pprof and profile-allocs.pprof.
func (p *inproc) measure(ctx context.Context, bodies [][]byte, budget time.Duration, profile string) (inprocResult, error) {
	return runInproc(ctx, p.handler, p.key, bodies, budget, profile, p.overhead)
}

func runInproc(ctx context.Context, h http.Handler, key string, bodies [][]byte, budget time.Duration, profile string, overhead inprocResult) (inprocResult, error) {
	var res inprocResult
	counting := false
	serve := func(i int) error {
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(bodies[i%len(bodies)]))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		var n atomic.Int64
		req = req.WithContext(store.CountStatements(req.Context(), &n))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if err := checkResponse(rec.Code, rec.Body.Bytes()); err != nil {
			return err
		}
		if st := n.Load(); counting {
			if res.iterations == 0 || st < res.stmtMin {
				res.stmtMin = st
			}
			res.stmtMax = max(res.stmtMax, st)
		}
		if i%len(bodies) == 0 {
			res.respBytes = rec.Body.Len()
		}
		return nil
	}
	for i := range 3 { // warm the key cache, the query cache and the pool
		if err := serve(i); err != nil {
			return res, err
		}
	}
	counting = true
	stopProfile, err := startProfile(profile)
	if err != nil {
		return res, err
	}
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start := time.Now()
	for i := 0; i < 5 || time.Since(start) < budget; i++ {
		if err := serve(i); err != nil {
			stopProfile()
			return res, err
		}
		res.iterations++
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&m1)
	if err := stopProfile(); err != nil {
		return res, err
	}
	n := float64(res.iterations)
	res.allocs = float64(m1.Mallocs-m0.Mallocs)/n - overhead.allocs
	res.allocBytes = float64(m1.TotalAlloc-m0.TotalAlloc)/n - overhead.allocBytes
	res.perRequest = elapsed / time.Duration(res.iterations)
	return res, nil
}

// startProfile starts a CPU profile to path-cpu.pprof; the returned stop
// also writes the allocation profile to path-allocs.pprof (cumulative
// since the process started: compare two with pprof -base).
func startProfile(path string) (func() error, error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(path + "-cpu.pprof")
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return err
		}
		a, err := os.Create(path + "-allocs.pprof")
		if err != nil {
			return err
		}
		if err := pprof.Lookup("allocs").WriteTo(a, 0); err != nil {
			_ = a.Close()
			return fmt.Errorf("allocs profile: %w", err)
		}
		return a.Close()
	}, nil
}
