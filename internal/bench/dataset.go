package bench

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"startupgraph/internal/config"
	"startupgraph/internal/store"
)

// dataset is one synthetic graph, seeded by the real binary into its own
// database of the throwaway cluster.
type dataset struct {
	size     int
	database string
	dsn      string
	seedTime time.Duration
	// vacuumTime is how long VACUUM (ANALYZE) took after seeding, so that
	// autovacuum does not start in the middle of the measurements and
	// index-only scans see an up-to-date visibility map, as in a database
	// in steady state.
	vacuumTime time.Duration
	counts     []tableCount // as `seed --synthetic` printed them
	key        string       // an ADMIN API key
	// seedRSSKB is the seed process's peak resident set (its rusage), in
	// kB; 0 when unknown.
	seedRSSKB int64
	// dbBytes is the database's size after seeding and vacuuming.
	dbBytes int64
}

type tableCount struct {
	table string
	rows  int64
}

// buildBinary builds ./cmd/startupgraph of the module into dir.
func buildBinary(ctx context.Context, goCmd, dir string) (string, error) {
	root, err := moduleRoot(ctx, goCmd)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "startupgraph")
	cmd := exec.CommandContext(ctx, goCmd, "build", "-o", bin, "./cmd/startupgraph")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/startupgraph: %w\n%s", err, out)
	}
	return bin, nil
}

// moduleRoot is the folder of the main module's go.mod.
func moduleRoot(ctx context.Context, goCmd string) (string, error) {
	out, err := exec.CommandContext(ctx, goCmd, "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == "/dev/null" {
		return "", fmt.Errorf("run the benchmark inside the startupgraph module")
	}
	return filepath.Dir(mod), nil
}

// seedDataset creates database bench_<size>, seeds it with `startupgraph
// seed --synthetic size` (which migrates and loads the demo data first)
// and creates an ADMIN key with `startupgraph apikey create`.
func seedDataset(ctx context.Context, bin, adminDSN string, dbURL func(string) string, size int) (dataset, error) {
	name := "bench_" + strconv.Itoa(size)
	d := dataset{size: size, database: name, dsn: dbURL(name)}
	if err := store.EnsureDatabase(ctx, adminDSN, name); err != nil {
		return d, err
	}
	start := time.Now()
	out, ru, err := runCLIUsage(ctx, bin, d.dsn, "seed", "--synthetic", strconv.Itoa(size))
	if err != nil {
		return d, err
	}
	d.seedTime = time.Since(start)
	if ru != nil {
		d.seedRSSKB = ru.Maxrss // kB on Linux
	}
	d.counts = parseCounts(out)
	start = time.Now()
	if err := vacuum(ctx, d.dsn); err != nil {
		return d, err
	}
	d.vacuumTime = time.Since(start)
	d.dbBytes, _ = databaseSize(ctx, d.dsn)
	out, err = runCLI(ctx, bin, d.dsn, "apikey", "create", "-name", "bench", "-role", "ADMIN")
	if err != nil {
		return d, err
	}
	lines := strings.Fields(strings.TrimSpace(out))
	if len(lines) == 0 || !strings.HasPrefix(lines[len(lines)-1], "sg_") {
		return d, fmt.Errorf("apikey create printed no key: %q", out)
	}
	d.key = lines[len(lines)-1]
	return d, nil
}

// parseCounts reads the "  table   rows" lines `seed --synthetic` prints.
func parseCounts(out string) []tableCount {
	var counts []tableCount
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 || !strings.HasPrefix(sc.Text(), " ") {
			continue
		}
		if n, err := strconv.ParseInt(f[1], 10, 64); err == nil {
			counts = append(counts, tableCount{f[0], n})
		}
	}
	return counts
}

// serverConfig is the configuration `serve` runs with for dsn and the
// -server-env settings: the in-process benchmark and the floors use the
// same (pool size above all).
func serverConfig(dsn string, settings []string) (config.Config, error) {
	env := map[string]string{"DATABASE_URL": dsn}
	for _, kv := range settings {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	cfg, _, err := config.Load("serve", nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		return cfg, fmt.Errorf("server settings: %w", err)
	}
	return cfg, nil
}

// poolSettings are the database pool's limits.
type poolSettings struct {
	maxOpen, maxIdle         int
	maxLifetime, maxIdleTime time.Duration
}

func poolOf(cfg config.Config) poolSettings {
	return poolSettings{cfg.DBMaxOpenConns, cfg.DBMaxIdleConns, cfg.DBConnMaxLifetime, cfg.DBConnMaxIdleTime}
}

func vacuum(ctx context.Context, dsn string) error {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	// The benchmark's cluster commits asynchronously, and VACUUM cannot mark
	// pages all-visible for transactions whose commits are not flushed yet:
	// straight after seeding it left most large tables with no visible
	// pages, so index-only scans read the heap and the filter count took
	// 46 ms instead of 19 ms at 200,000 startups. A synchronous commit
	// (of a transaction with an id, so it writes a commit record) first
	// flushes every earlier one.
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, stmt := range []string{`SET synchronous_commit = on`, `SELECT pg_current_xact_id()`} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("flush commits: %w", err)
		}
	}
	if _, err := conn.ExecContext(ctx, `VACUUM (ANALYZE)`); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	return nil
}

// databaseSize is pg_database_size of dsn's database.
func databaseSize(ctx context.Context, dsn string) (int64, error) {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&n)
	return n, err
}
