// Package app implements the startupgraph commands: serve, dev, migrate,
// seed, apikey and export. main only wires the process to Run.
package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"startupgraph/examples"
	"startupgraph/graph"
	"startupgraph/internal/auth"
	"startupgraph/internal/config"
	"startupgraph/internal/live"
	"startupgraph/internal/localpg"
	"startupgraph/internal/requestid"
	"startupgraph/internal/server"
	"startupgraph/internal/store"
	"startupgraph/internal/synthetic"
	"startupgraph/internal/telemetry"
)

const usage = `startupgraph: the GraphQL API of Incheon's Global Startup Campus network.

Usage:
  startupgraph dev      [flags]   run with a project-local PostgreSQL (unless DATABASE_URL is set), migrated and seeded with demo data
  startupgraph serve    [flags]   run against DATABASE_URL (migrations are applied on start)
  startupgraph migrate  [status]  apply pending schema migrations, or list them
  startupgraph seed     [flags]   load the demo data (idempotent);
                        --synthetic N [--synthetic-seed S] adds a deterministic scale graph of N startups
  startupgraph apikey   create|list|revoke   manage API keys (create prints the key once)
  startupgraph export   [--format csv|xlsx] --query-file FILE   export a query's connection, every page, to stdout
  startupgraph import   [--dry-run] FILE...   import a workbook or CSV files (all or nothing; every problem reported)

Without DATABASE_URL, every command but serve uses the project-local cluster
(a running dev server's, if there is one).

Every flag also reads an environment variable; run a command with -h to list them.
`

// Env is what Run reads from the process.
type Env struct {
	Args   []string
	Getenv func(string) string
	Stdout io.Writer
	Stderr io.Writer
	// Listening, when set, is called with the server's address once it
	// accepts connections (tests use it with STARTUPGRAPH_ADDR=127.0.0.1:0).
	Listening func(addr string)
	// MetricsListening, when set, is called with the metrics listener's
	// address (tests use it with STARTUPGRAPH_METRICS_ADDR=127.0.0.1:0).
	MetricsListening func(addr string)
}

// Run executes the command in env.Args until it finishes or ctx is cancelled.
func Run(ctx context.Context, env Env) error {
	if len(env.Args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return errors.New("no command given")
	}
	cmd, args := env.Args[0], env.Args[1:]
	switch cmd {
	case "serve", "dev":
		return runServer(ctx, cmd, args, env)
	case "migrate":
		return runMigrate(ctx, args, env)
	case "seed":
		return runSeed(ctx, args, env)
	case "apikey":
		return runAPIKey(ctx, args, env)
	case "export":
		return runExport(ctx, args, env)
	case "import":
		return runImport(ctx, args, env)
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return nil
	default:
		fmt.Fprint(env.Stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func load(cmd string, args []string, env Env) (config.Config, []string, *slog.Logger, error) {
	cfg, rest, err := config.Load(cmd, args, env.Getenv, env.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return cfg, nil, nil, err
	}
	if err != nil {
		return cfg, nil, nil, fmt.Errorf("invalid configuration:\n%w", err)
	}
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewJSONHandler(env.Stderr, opts)
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(env.Stderr, opts)
	}
	return cfg, rest, slog.New(requestid.LogHandler{Handler: h}), nil
}

// database opens the configured database, or (for dev without
// DATABASE_URL) starts the project-local cluster first. The returned stop
// function closes the pool and stops the cluster.
func database(ctx context.Context, cfg config.Config, logger *slog.Logger) (*store.Store, func(), error) {
	stop := func() {}
	dsn := cfg.DatabaseURL
	if dsn == "" {
		dir, err := localDataDir(cfg.DataDir, logger)
		if err != nil {
			return nil, stop, err
		}
		logger.Info("starting project-local PostgreSQL", "dir", dir)
		cluster, err := localpg.Start(ctx, localpg.Options{Dir: dir})
		if err != nil {
			return nil, stop, fmt.Errorf("local database: %w", err)
		}
		stop = func() {
			logger.Info("stopping project-local PostgreSQL")
			sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := cluster.Stop(sctx); err != nil {
				logger.Error("stop local database", "err", err)
			}
		}
		if err := store.EnsureDatabase(ctx, cluster.URL("postgres"), "startupgraph"); err != nil {
			stop()
			return nil, func() {}, err
		}
		dsn = cluster.URL("startupgraph")
	}
	octx, cancel := context.WithTimeout(ctx, cfg.DBConnectTimeout+5*time.Second)
	defer cancel()
	s, err := store.Open(octx, dsn, store.PoolConfig{
		MaxOpen: cfg.DBMaxOpenConns, MaxIdle: cfg.DBMaxIdleConns,
		MaxLifetime: cfg.DBConnMaxLifetime, MaxIdleTime: cfg.DBConnMaxIdleTime,
	})
	if err != nil {
		stop()
		return nil, func() {}, fmt.Errorf("database %s: %w", config.MaskURL(dsn), err)
	}
	return s, func() { _ = s.Close(); stop() }, nil
}

// localDataDir is where dev keeps its cluster: <data-dir>/postgres, or,
// when the server's user cannot reach that folder (running as root in a
// private home directory), a folder under the system temp dir named after it.
func localDataDir(dataDir string, logger *slog.Logger) (string, error) {
	dir, err := filepath.Abs(filepath.Join(dataDir, "postgres"))
	if err != nil {
		return "", err
	}
	if err := localpg.Reachable(dir); err != nil {
		sum := sha256.Sum256([]byte(dir))
		alt := filepath.Join(os.TempDir(), "startupgraph-"+hex.EncodeToString(sum[:6]), "postgres")
		logger.Warn("data dir not reachable by the postgres user; using the temp dir instead", "wanted", dir, "using", alt, "why", err.Error())
		return alt, nil
	}
	return dir, nil
}

func runServer(ctx context.Context, cmd string, args []string, env Env) error {
	cfg, _, logger, err := load(cmd, args, env)
	if err != nil {
		return err
	}
	ex, err := examples.All() // the playground's; embedded, so only a broken build fails here
	if err != nil {
		return err
	}
	logger.Info("starting startupgraph", "command", cmd, "config", cfg)
	if cfg.MemoryLimit > 0 && env.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(cfg.MemoryLimit)
		logger.Info("memory limit set", "bytes", cfg.MemoryLimit)
	}
	if env.Getenv("GOGC") == "" {
		debug.SetGCPercent(cfg.GCPercent)
	}
	s, closeDB, err := database(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeDB()
	applied, err := s.Migrate(ctx)
	if err != nil {
		return err
	}
	logger.Info("migrations applied", "versions", applied)
	if cfg.Dev {
		if err := s.SeedDemo(ctx); err != nil {
			return err
		}
		logger.Info("demo data loaded")
	}
	if err := s.OpenReplicas(ctx, cfg.DatabaseReadURLs, store.ReplicaOptions{MaxLag: cfg.ReplicaMaxLag, Logger: logger}); err != nil {
		return err
	}
	var metrics *telemetry.Metrics
	if cfg.MetricsAddr != "" {
		metrics = telemetry.NewMetrics(s.PoolStats)
		metrics.CountReads(s.ReadCounts)
		metrics.CountDirect(graph.DirectCounts)
		addr, stopMetrics, err := server.ServeMetrics(cfg.MetricsAddr, metrics, logger)
		if err != nil {
			return err
		}
		defer stopMetrics()
		if env.MetricsListening != nil {
			env.MetricsListening(addr)
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if env.Listening != nil {
		env.Listening(ln.Addr().String())
	}
	if cfg.Dev {
		logger.Info("playground ready", "url", "http://"+ln.Addr().String()+"/")
	}
	if cfg.PprofAddr != "" {
		stopPprof, err := server.ServePprof(cfg.PprofAddr, logger)
		if err != nil {
			return err
		}
		defer stopPprof()
	}
	tracer, stopTracing, err := telemetry.Tracing(ctx, env.Getenv)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := stopTracing(sctx); err != nil {
			logger.Warn("tracing: spans not flushed at shutdown", "err", err)
		}
	}()
	logger.Info("tracing", "on", tracer != nil)
	authn := auth.NewAuthenticator(s, logger)
	defer authn.Close() // after the last request, before closeDB
	hub, err := live.New(ctx, s.DSN(), s, logger, live.Options{MaxPerKey: cfg.SubsPerKey, Observe: metrics})
	if err != nil {
		return fmt.Errorf("change feed listener: %w", err)
	}
	handler := server.NewHandler(server.Deps{Config: cfg, Logger: logger, Store: s, Auth: authn, Examples: ex, Metrics: metrics, Tracer: tracer, Live: hub})
	srv := server.NewHTTPServer(cfg, handler, logger)
	// Shutdown waits for SSE streams like any request: end them first.
	srv.RegisterOnShutdown(func() { _ = hub.Close() })
	return server.Serve(ctx, srv, ln, cfg.ShutdownTimeout, logger)
}

// withStore loads cmd's configuration, opens the database, runs fn with
// the store and the arguments left after the flags, and closes it again.
func withStore(ctx context.Context, cmd string, args []string, env Env, fn func(s *store.Store, rest []string) error) error {
	cfg, rest, logger, err := load(cmd, args, env)
	if err != nil {
		return err
	}
	s, closeDB, err := database(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeDB()
	return fn(s, rest)
}

func runMigrate(ctx context.Context, args []string, env Env) error {
	return withStore(ctx, "migrate", args, env, func(s *store.Store, rest []string) error { return migrate(ctx, s, rest, env.Stdout) })
}

func migrate(ctx context.Context, s *store.Store, rest []string, stdout io.Writer) error {
	switch strings.Join(rest, " ") {
	case "", "up":
		applied, err := s.Migrate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "applied %d migration(s) %v\n", len(applied), applied)
		return nil
	case "status":
		statuses, err := s.MigrationStatuses(ctx)
		if err != nil {
			return err
		}
		for _, st := range statuses {
			state := "pending"
			if st.Applied {
				state = "applied"
			}
			fmt.Fprintf(stdout, "%05d  %-8s %s\n", st.Version, state, st.Source)
		}
		return nil
	default:
		return fmt.Errorf("migrate: unknown argument %q (want up or status)", strings.Join(rest, " "))
	}
}

// runSeed loads the demo data. With --synthetic N it then replaces the
// synthetic load-test graph with one of N startups built on that data;
// --synthetic-seed S picks the generator's seed, and the same N and S give
// the same graph.
func runSeed(ctx context.Context, args []string, env Env) error {
	synth, args, err := syntheticFlags(args, env.Stderr)
	if err != nil {
		return err
	}
	return withStore(ctx, "seed", args, env, func(s *store.Store, _ []string) error { return seed(ctx, s, synth, env.Stdout) })
}

func seed(ctx context.Context, s *store.Store, synth syntheticOptions, stdout io.Writer) error {
	if _, err := s.Migrate(ctx); err != nil {
		return err
	}
	if err := s.SeedDemo(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "demo data loaded")
	if !synth.enabled {
		return nil
	}
	start := time.Now()
	counts, err := synthetic.Seed(ctx, s, synth.n, synth.seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "synthetic data loaded in %s (%d startups, seed %d):\n",
		time.Since(start).Round(time.Millisecond), synth.n, synth.seed)
	for _, tc := range counts.Tables() {
		fmt.Fprintf(stdout, "  %-16s %9d\n", tc.Table, tc.Rows)
	}
	return nil
}

// syntheticOptions are seed's own flags.
type syntheticOptions struct {
	enabled bool
	n       int
	seed    int64
}

// syntheticFlags takes --synthetic N and --synthetic-seed S out of args,
// wherever they stand among the configuration flags, and returns the rest
// for config.Load, which rejects flags it does not know. Help (-h) prints
// these two flags and is passed on, so config.Load prints the others.
func syntheticFlags(args []string, stderr io.Writer) (syntheticOptions, []string, error) {
	var o syntheticOptions
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.n, "synthetic", 0, "after the demo data, generate a synthetic graph of `N` startups (1..1000000) for load tests, replacing any earlier one")
	fs.Int64Var(&o.seed, "synthetic-seed", 1, "`seed` of the synthetic graph: the same N and seed give the same graph")
	configFlags := map[string]bool{}
	for _, v := range config.Vars {
		configFlags[v.Flag] = true
	}
	var mine, rest []string
	help := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || a == "-" || !strings.HasPrefix(a, "-") {
			rest = append(rest, args[i:]...)
			break
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		dst := &rest
		if fs.Lookup(name) != nil {
			dst = &mine
		}
		*dst = append(*dst, a)
		help = help || name == "h" || name == "help"
		// every flag of ours and of config takes a value
		if !hasValue && (fs.Lookup(name) != nil || configFlags[name]) && i+1 < len(args) {
			i++
			*dst = append(*dst, args[i])
		}
	}
	if help {
		fmt.Fprintln(stderr, "Flags of seed itself:")
		fs.PrintDefaults()
		return o, rest, nil
	}
	if err := fs.Parse(mine); err != nil {
		return o, nil, fmt.Errorf("invalid seed flags: %w", err)
	}
	fs.Visit(func(f *flag.Flag) { o.enabled = o.enabled || f.Name == "synthetic" })
	if !o.enabled && len(mine) > 0 {
		return o, nil, errors.New("--synthetic-seed needs --synthetic N")
	}
	return o, rest, nil
}
