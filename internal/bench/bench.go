// Package bench is the reproducible benchmark of issue 7: it builds the
// server, seeds synthetic datasets of given sizes into a throwaway
// PostgreSQL cluster, starts `startupgraph serve` as a user would, drives
// it over HTTP on 127.0.0.1 at fixed concurrency for a bounded time, and
// compares it with two floors measured in the same run on the same data:
// hand-written SQL (no HTTP) and a minimal net/http + lib/pq handler (no
// GraphQL). A Go benchmark of the handler, run in process, adds SQL
// statements and allocations per request. The result is a markdown table.
package bench

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"startupgraph/internal/localpg"
)

// Env is what Run reads from the process.
type Env struct {
	Args   []string
	Getenv func(string) string
	Stdout io.Writer
	// Stderr gets the usage and progress lines.
	Stderr io.Writer
	// Now is the clock of the report's date; time.Now when nil.
	Now func() time.Time
}

// Run executes one benchmark as the flags in env.Args describe, prints the
// markdown report to Stdout and, unless -out is empty, writes it to
// <out>/results-<date>.md. It returns the path written ("" for none).
func Run(ctx context.Context, env Env) (string, error) {
	_, path, err := run(ctx, env)
	return path, err
}

// run is Run, returning the report too, for tests.
func run(ctx context.Context, env Env) (report, string, error) {
	var rep report
	o, err := parseOptions(env.Args, env.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return rep, "", err
	}
	if err != nil {
		return rep, "", fmt.Errorf("invalid flags:\n%w", err)
	}
	now := env.Now
	if now == nil {
		now = time.Now
	}
	started := now()
	logf := func(format string, args ...any) {
		fmt.Fprintf(env.Stderr, "bench %s "+format+"\n", append([]any{time.Since(started).Round(time.Second)}, args...)...)
	}
	goCmd := env.Getenv("GO")
	if goCmd == "" {
		goCmd = "go"
	}

	work := o.work
	if work == "" {
		work, err = os.MkdirTemp("", "startupgraph-bench-")
	} else {
		err = os.MkdirAll(work, 0o755)
	}
	if err != nil {
		return rep, "", err
	}
	if !o.keep && o.work == "" { // a folder we made; a given one is the user's
		defer os.RemoveAll(work)
	}
	if err := os.Chmod(work, 0o755); err != nil { // the cluster runs as postgres when we are root
		return rep, "", err
	}
	bin := o.bin
	if bin == "" {
		logf("building ./cmd/startupgraph")
		if bin, err = buildBinary(ctx, goCmd, work); err != nil {
			return rep, "", err
		}
	}
	logf("starting a throwaway PostgreSQL cluster in %s", work)
	cluster, err := localpg.Start(ctx, localpg.Options{Dir: filepath.Join(work, "pg"), BinDir: env.Getenv("PG_BINDIR"), Ephemeral: true})
	if err != nil {
		return rep, "", fmt.Errorf("local database: %w", err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = cluster.Stop(sctx)
	}()
	admin, err := sql.Open("postgres", cluster.URL("postgres"))
	if err != nil {
		return rep, "", err
	}
	defer admin.Close()
	m := describeMachine(ctx, goCmd, admin)
	// the cluster's log, where localpg's pg_ctl writes it
	logPath := filepath.Join(work, "pg", "run", "postgres.log")
	conns := func(database string) *connLog { return nil }
	if err := enableConnLog(ctx, admin); err != nil {
		logf("not counting database sessions: %v", err)
	} else {
		conns = func(database string) *connLog { return newConnLog(logPath, database) }
	}
	rev := revision(ctx, goCmd)

	if o.subscriptions > 0 {
		r, err := runSubscriptions(ctx, o, bin, cluster, logf)
		if err != nil {
			return rep, "", fmt.Errorf("subscriptions: %w", err)
		}
		fmt.Fprint(env.Stdout, r.markdown())
		return rep, "", nil
	}
	var results []sizeResult
	for _, size := range o.sizes {
		r, err := runSize(ctx, o, bin, cluster, conns, size, logf)
		if err != nil {
			return rep, "", fmt.Errorf("%d startups: %w", size, err)
		}
		results = append(results, r)
	}
	rep = report{opts: o, machine: m, revision: rev, date: started, total: now().Sub(started), sizes: results}
	text := rep.markdown()
	fmt.Fprint(env.Stdout, text)
	if o.out == "" {
		return rep, "", nil
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return rep, "", err
	}
	name := "results-" + started.Format("2006-01-02")
	if o.scale {
		name += "-scale"
	}
	path := filepath.Join(o.out, name+".md")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return rep, "", err
	}
	logf("wrote %s", path)
	return rep, path, nil
}

// selected returns the queries of the mix that -queries names (all by default).
func selected(o options) []query {
	var out []query
	for _, q := range theMix {
		if len(o.queries) == 0 || slices.Contains(o.queries, q.name) {
			out = append(out, q)
		}
	}
	return out
}

func wants(o options, name string) bool {
	return len(o.queries) == 0 || slices.Contains(o.queries, name)
}
