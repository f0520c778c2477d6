package bench

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// options are the harness's settings, from flags.
type options struct {
	sizes       []int
	concurrency []int
	warmup      time.Duration
	duration    time.Duration
	maxRequests int
	inproc      time.Duration
	// questionRequests and questionTime bound the measurement of each
	// question (questions.go).
	questionRequests int
	questionTime     time.Duration
	// aggregateRequests and aggregateTime bound the measurement of each of
	// issue 18's queries and of each floor (aggregates.go).
	aggregateRequests int
	aggregateTime     time.Duration
	queries           []string // empty: all
	out               string   // folder of results-<date>.md; empty: print only
	cpuprofile        string   // folder for in-process pprof profiles; empty: none
	work              string   // folder for the cluster and binary; empty: a temp dir
	keep              bool
	bin               string   // an existing startupgraph binary; empty: go build
	serverEnv         []string // KEY=VALUE settings for the server process
	quick             bool
	// subscriptions, when above 0, runs only the subscription measurement
	// (subscriptions.go) with that many open subscriptions, and
	// subscriptionWrites changes delivered to all of them.
	subscriptions      int
	subscriptionWrites int
	// disconnectShare is the percentage of clients that cancel their
	// requests mid-flight in the disconnect case (disconnect.go).
	disconnectShare int
	// scale is a run of issue 22's scale point: the nested query's p99
	// at the smallest and the largest size (by default 20,000 and
	// 1,000,000 startups, the nested query alone), written to
	// results-<date>-scale.md.
	scale   bool
	command string // the command line, for the report
}

// defaults of a full run and of -quick.
var (
	fullDefaults = options{sizes: []int{20000, 200000}, concurrency: []int{16, 32}, warmup: 3 * time.Second, duration: 15 * time.Second, inproc: 2 * time.Second,
		questionRequests: 50, questionTime: 10 * time.Second, aggregateRequests: 200, aggregateTime: 10 * time.Second}
	quickDefaults = options{sizes: []int{2000}, concurrency: []int{16, 32}, warmup: time.Second, duration: 3 * time.Second, inproc: 300 * time.Millisecond,
		questionRequests: 10, questionTime: 2 * time.Second, aggregateRequests: 20, aggregateTime: 2 * time.Second}
)

// parseOptions reads args. -quick changes the defaults of the flags that
// were not given; an explicit flag always wins.
func parseOptions(args []string, output io.Writer) (options, error) {
	fs := flag.NewFlagSet("startupgraph-bench", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "startupgraph-bench: seed, serve and load-test startupgraph on 127.0.0.1; see bench/README.md.\n\nFlags:")
		fs.PrintDefaults()
	}
	sizes := fs.String("sizes", "20000,200000", "synthetic dataset sizes (startups), comma-separated")
	conc := fs.String("concurrency", "16,32", "concurrent clients per measurement, comma-separated")
	warmup := fs.Duration("warmup", fullDefaults.warmup, "warm-up before each measurement (not recorded)")
	duration := fs.Duration("duration", fullDefaults.duration, "length of each measurement")
	maxReq := fs.Int("max-requests", 500000, "at most this many requests per measurement (and per warm-up)")
	inproc := fs.Duration("inproc", fullDefaults.inproc, "time per query of the in-process handler benchmark (statements, allocations)")
	questionRequests := fs.Int("question-requests", fullDefaults.questionRequests, "at most this many timed requests of each question (one client)")
	questionTime := fs.Duration("question-time", fullDefaults.questionTime, "at most this long timing each question")
	aggregateRequests := fs.Int("aggregate-requests", fullDefaults.aggregateRequests, "at most this many timed requests of each of issue 18's queries and of each floor (one client)")
	aggregateTime := fs.Duration("aggregate-time", fullDefaults.aggregateTime, "at most this long timing each of issue 18's queries and each floor")
	queries := fs.String("queries", "", "only these queries, comma-separated (default: all; see bench/README.md)")
	out := fs.String("out", "bench", "folder for results-<date>.md (empty: print only; -quick: print only unless given)")
	cpuprofile := fs.String("cpuprofile", "", "folder for CPU and allocation profiles of the in-process handler benchmark")
	work := fs.String("work", "", "folder for the throwaway cluster and binary (default: a new temp dir)")
	keep := fs.Bool("keep", false, "keep the work folder (the cluster is stopped either way)")
	bin := fs.String("bin", "", "use this startupgraph binary instead of building ./cmd/startupgraph")
	var serverEnv multiFlag
	fs.Var(&serverEnv, "server-env", "KEY=VALUE setting for the server process, e.g. STARTUPGRAPH_DB_MAX_IDLE_CONNS=20 (repeatable)")
	subs := fs.Int("subscriptions", 0, "measure only subscriptions: open this many graphql-ws subscriptions on one server (1 to 5000), then time the delivery of -subscription-writes changes to all of them")
	subWrites := fs.Int("subscription-writes", 20, "changes written, one at a time, while -subscriptions are open (1 to 1000)")
	disconnectShare := fs.Int("disconnect-share", 20, "percentage of clients that cancel each request mid-flight in the disconnect case (1 to 50)")
	scale := fs.Bool("scale", false, "issue 22's scale point: the nested query's p99 at the smallest and largest size (default -sizes 20000,1000000 -queries nested), written to results-<date>-scale.md")
	quick := fs.Bool("quick", false, "a quick run: -sizes 2000 -duration 3s -warmup 1s -inproc 300ms, no file written")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	o := options{maxRequests: *maxReq, cpuprofile: *cpuprofile, work: *work, keep: *keep, bin: *bin, quick: *quick,
		warmup: *warmup, duration: *duration, inproc: *inproc, out: *out, serverEnv: serverEnv,
		questionRequests: *questionRequests, questionTime: *questionTime,
		aggregateRequests: *aggregateRequests, aggregateTime: *aggregateTime, disconnectShare: *disconnectShare, scale: *scale}
	var errs []error
	var err error
	if o.sizes, err = intList(*sizes, 100, 1_000_000); err != nil {
		errs = append(errs, fmt.Errorf("-sizes: %w", err))
	}
	if o.concurrency, err = intList(*conc, 1, 256); err != nil {
		errs = append(errs, fmt.Errorf("-concurrency: %w", err))
	}
	if *quick {
		d := quickDefaults
		if !given["sizes"] {
			o.sizes = d.sizes
		}
		if !given["duration"] {
			o.duration = d.duration
		}
		if !given["warmup"] {
			o.warmup = d.warmup
		}
		if !given["inproc"] {
			o.inproc = d.inproc
		}
		if !given["question-requests"] {
			o.questionRequests = d.questionRequests
		}
		if !given["question-time"] {
			o.questionTime = d.questionTime
		}
		if !given["aggregate-requests"] {
			o.aggregateRequests = d.aggregateRequests
		}
		if !given["aggregate-time"] {
			o.aggregateTime = d.aggregateTime
		}
		if !given["out"] {
			o.out = ""
		}
	}
	if *scale {
		if !given["sizes"] {
			o.sizes = []int{20000, 1_000_000}
		}
		if !given["queries"] {
			*queries = "nested"
		}
		if len(o.sizes) < 2 {
			errs = append(errs, errors.New("-scale: give at least two -sizes"))
		}
	}
	if o.disconnectShare < 1 || o.disconnectShare > 50 {
		errs = append(errs, errors.New("-disconnect-share must be 1 to 50 (percent)"))
	}
	if *queries != "" {
		for _, q := range strings.Split(*queries, ",") {
			q = strings.TrimSpace(q)
			if !slices.Contains(queryNames(), q) {
				errs = append(errs, fmt.Errorf("-queries: unknown query %q (known: %s)", q, strings.Join(queryNames(), ", ")))
			}
			o.queries = append(o.queries, q)
		}
	}
	o.subscriptions, o.subscriptionWrites = *subs, *subWrites
	if o.subscriptions < 0 || o.subscriptions > 5000 || o.subscriptionWrites < 1 || o.subscriptionWrites > 1000 {
		errs = append(errs, errors.New("-subscriptions must be 0 to 5000 and -subscription-writes 1 to 1000"))
	}
	if o.duration <= 0 || o.warmup < 0 || o.inproc <= 0 || o.questionTime <= 0 || o.aggregateTime <= 0 {
		errs = append(errs, errors.New("-duration, -inproc, -question-time and -aggregate-time must be positive, -warmup not negative"))
	}
	if o.questionRequests < 1 || o.aggregateRequests < 1 {
		errs = append(errs, errors.New("-question-requests and -aggregate-requests must be at least 1"))
	}
	if o.maxRequests < 1 {
		errs = append(errs, errors.New("-max-requests must be at least 1"))
	}
	for _, kv := range o.serverEnv {
		if k, _, ok := strings.Cut(kv, "="); !ok || !strings.HasPrefix(k, "STARTUPGRAPH_") || k == "STARTUPGRAPH_ADDR" {
			errs = append(errs, fmt.Errorf("-server-env %q: want STARTUPGRAPH_<SETTING>=value (not the address)", kv))
		}
	}
	o.serverEnv = withBenchSettings(o.serverEnv)
	o.command = "startupgraph-bench " + strings.Join(args, " ")
	return o, errors.Join(errs...)
}

func intList(s string, lo, hi int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < lo || n > hi {
			return nil, fmt.Errorf("%q: want whole numbers from %d to %d", f, lo, hi)
		}
		out = append(out, n)
	}
	return out, nil
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }

func (m *multiFlag) Set(v string) error {
	*m = append(*m, v)
	return nil
}

// benchSettings are the server settings the benchmark needs, unless
// -server-env gives them: the per-key rate limit is off, since the
// benchmark's one key spends an hour's budget in a second and would
// measure 429s.
var benchSettings = []string{"STARTUPGRAPH_RATE_LIMIT_POINTS=0"}

func withBenchSettings(given []string) []string {
	out := slices.Clone(given)
	for _, kv := range benchSettings {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.ContainsFunc(given, func(g string) bool { return strings.HasPrefix(g, k+"=") }) {
			out = append(out, kv)
		}
	}
	return out
}
