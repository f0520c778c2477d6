// Package config reads the server's settings from the environment and from
// command-line flags (flags win), validates them all at once, and logs them
// with secrets masked.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of the server.
type Config struct {
	Addr              string
	DatabaseURL       string
	CORSOrigins       []string
	DBMaxOpenConns    int
	DBMaxIdleConns    int
	DBConnMaxLifetime time.Duration
	DBConnMaxIdleTime time.Duration
	DBConnectTimeout  time.Duration
	RequestTimeout    time.Duration
	// ExportTimeout bounds a whole export (/export); each of its pages
	// has RequestTimeout.
	ExportTimeout time.Duration
	// StatementGrace: how long a statement running when its client hangs
	// up may still finish (server.DefaultStatementGrace when zero).
	StatementGrace    time.Duration
	MaxInFlight       int
	RateLimitPoints   int
	RateLimitWindow   time.Duration
	AnonymousPoints   int
	TrustedProxies    []netip.Prefix
	QueueWait         time.Duration
	HeavyQueryCost    int
	MaxHeavyInFlight  int
	HeavyQueueWait    time.Duration
	MemoryLimit       int64
	GCPercent         int
	ReadHeaderTimeout time.Duration
	ReadBodyTimeout   time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	ShutdownTimeout   time.Duration
	LogLevel          slog.Level
	LogFormat         string
	DataDir           string
	PprofAddr         string
	// SubsPerKey bounds the subscriptions one API key holds open at once
	// (internal/live).
	SubsPerKey int
	// MetricsAddr is where /metrics is served, apart from Addr; empty
	// when off.
	MetricsAddr string
	// DatabaseReadURLs are streaming replicas of DatabaseURL that
	// queries read from (internal/store's replica.go).
	DatabaseReadURLs []string
	// ReplicaMaxLag is how far behind a replica may be and still be read
	// from, and how long a mutation waits for the replicas to replay it.
	ReplicaMaxLag time.Duration
	// Dev is set by the `dev` command: a local database, demo data, and
	// developer conveniences.
	Dev bool
}

// Var documents one setting: its environment variable, flag, default and
// meaning. The README's configuration table lists the same.
type Var struct {
	Env, Flag, Default, Usage string
}

// Vars lists every setting.
var Vars = []Var{
	{"STARTUPGRAPH_ADDR", "addr", "127.0.0.1:8080", "host:port the HTTP server listens on"},
	{"DATABASE_URL", "database-url", "", "PostgreSQL URL; required by `serve`; unset, the other commands use the project-local cluster"},
	{"DATABASE_READ_URLS", "database-read-urls", "", "comma-separated PostgreSQL URLs of streaming replicas of DATABASE_URL: GraphQL queries and exports read from one in use, everything else uses DATABASE_URL (none by default)"},
	{"STARTUPGRAPH_REPLICA_MAX_LAG", "replica-max-lag", "1s", "a replica that has not replayed what the primary had written this long ago is not read from (queries go to the primary); also the longest a mutation waits for the replicas to replay it"},
	{"STARTUPGRAPH_CORS_ORIGINS", "cors-origins", "", "comma-separated origins allowed to call the API from a browser (none by default; `*` must be explicit)"},
	{"STARTUPGRAPH_DB_MAX_OPEN_CONNS", "db-max-open-conns", "20", "maximum open database connections"},
	{"STARTUPGRAPH_DB_MAX_IDLE_CONNS", "db-max-idle-conns", "20", "maximum idle database connections (at most the open maximum; equal to it by default, so busy periods do not open and close sessions)"},
	{"STARTUPGRAPH_DB_CONN_MAX_LIFETIME", "db-conn-max-lifetime", "30m", "recycle a connection after this long"},
	{"STARTUPGRAPH_DB_CONN_MAX_IDLE_TIME", "db-conn-max-idle-time", "5m", "close a connection idle this long"},
	{"STARTUPGRAPH_DB_CONNECT_TIMEOUT", "db-connect-timeout", "5s", "connect_timeout added to DATABASE_URL when it has none (whole seconds)"},
	{"STARTUPGRAPH_REQUEST_TIMEOUT", "request-timeout", "15s", "deadline of one GraphQL request"},
	{"STARTUPGRAPH_EXPORT_TIMEOUT", "export-timeout", "10m", "deadline of one export (/export walks every page of a list; each page has the request timeout)"},
	{"STARTUPGRAPH_STATEMENT_GRACE", "statement-grace", "1s", "how long a database statement already running when its client hangs up may finish, so its connection stays pooled (never past the request timeout)"},
	{"STARTUPGRAPH_RATE_LIMIT_POINTS", "rate-limit-points", "5000", "query budget of one API key per window; a query costs max(1, nodes/100) points (0 disables)"},
	{"STARTUPGRAPH_ANONYMOUS_RATE_LIMIT_POINTS", "anonymous-rate-limit-points", "1000", "query budget per window of one client address without a key (its IP address, an IPv6 one by /64; X-Forwarded-For only from STARTUPGRAPH_TRUSTED_PROXIES) (0 disables)"},
	{"STARTUPGRAPH_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated addresses or CIDR ranges of reverse proxies in front of the server: from them, the client address is taken from X-Forwarded-For (none by default: the connection's peer)"},
	{"STARTUPGRAPH_RATE_LIMIT_WINDOW", "rate-limit-window", "1h", "the window the budgets refill over"},
	{"STARTUPGRAPH_MAX_IN_FLIGHT", "max-in-flight", "64", "GraphQL requests executing at once; more wait up to the queue wait, then get 503"},
	{"STARTUPGRAPH_QUEUE_WAIT", "queue-wait", "250ms", "how long a request may wait for a free slot before 503"},
	{"STARTUPGRAPH_HEAVY_QUERY_COST", "heavy-query-cost", "5000", "a query that could return this many nodes or more is costly: it runs in the heavy-query lane (0: no lane)"},
	{"STARTUPGRAPH_MAX_HEAVY_IN_FLIGHT", "max-heavy-in-flight", "0", "costly queries executing at once (0: one per CPU, GOMAXPROCS); more wait up to the heavy queue wait, then get 503"},
	{"STARTUPGRAPH_SUBSCRIPTIONS_PER_KEY", "subscriptions-per-key", "10", "subscriptions one API key may hold open at once (graphql-ws and graphql-sse); more are RATE_LIMITED"},
	{"STARTUPGRAPH_HEAVY_QUEUE_WAIT", "heavy-queue-wait", "5s", "how long a costly query may wait for a slot in the heavy-query lane before 503"},
	{"STARTUPGRAPH_MEMORY_LIMIT", "memory-limit", "64MiB", "soft limit of the server's memory (Go's GOMEMLIMIT): the garbage collector works harder instead of growing past it, up to half the CPU, so raise it where the server has more memory (0: none; GOMEMLIMIT in the environment wins)"},
	{"STARTUPGRAPH_GC_PERCENT", "gc-percent", "400", "Go's GOGC: the garbage collector runs when the heap has grown by this percentage since the last collection, or at the memory limit, whichever comes first (-1: only at the memory limit; GOGC in the environment wins)"},
	{"STARTUPGRAPH_READ_HEADER_TIMEOUT", "read-header-timeout", "5s", "time allowed to read request headers"},
	{"STARTUPGRAPH_READ_BODY_TIMEOUT", "read-body-timeout", "10s", "time allowed to read a request's body once its headers are in (a client that sends its body slower gets 408)"},
	{"STARTUPGRAPH_WRITE_TIMEOUT", "write-timeout", "30s", "time allowed to write a response (longer than the request timeout)"},
	{"STARTUPGRAPH_IDLE_TIMEOUT", "idle-timeout", "60s", "keep-alive idle time"},
	{"STARTUPGRAPH_SHUTDOWN_TIMEOUT", "shutdown-timeout", "20s", "how long in-flight requests may finish after SIGTERM/Ctrl-C"},
	{"STARTUPGRAPH_METRICS_ADDR", "metrics-addr", "127.0.0.1:9464", "host:port to serve Prometheus metrics on (/metrics), apart from the API's address; `off` disables them"},
	{"STARTUPGRAPH_PPROF_ADDR", "pprof-addr", "", "loopback host:port to serve Go's pprof profiles on (off when empty)"},
	{"STARTUPGRAPH_LOG_LEVEL", "log-level", "info", "debug, info, warn or error"},
	{"STARTUPGRAPH_LOG_FORMAT", "log-format", "json", "json or text"},
	{"STARTUPGRAPH_DATA_DIR", "data-dir", ".data", "folder of the project-local PostgreSQL cluster (`dev` only)"},
}

// Load builds the configuration of command cmd from getenv and args. It
// returns the arguments left after the flags, and every problem found.
func Load(cmd string, args []string, getenv func(string) string, output io.Writer) (Config, []string, error) {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(output)
	values := make(map[string]*string, len(Vars))
	for _, v := range Vars {
		def := v.Default
		if e := getenv(v.Env); e != "" {
			def = e
		}
		values[v.Env] = fs.String(v.Flag, def, v.Usage+" ($"+v.Env+")")
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, nil, err
	}
	p := parser{values: values}
	c := Config{
		Addr:              p.str("STARTUPGRAPH_ADDR"),
		DBMaxOpenConns:    p.intIn("STARTUPGRAPH_DB_MAX_OPEN_CONNS", 1, 1000),
		DBMaxIdleConns:    p.intIn("STARTUPGRAPH_DB_MAX_IDLE_CONNS", 0, 1000),
		DBConnMaxLifetime: p.duration("STARTUPGRAPH_DB_CONN_MAX_LIFETIME"),
		DBConnMaxIdleTime: p.duration("STARTUPGRAPH_DB_CONN_MAX_IDLE_TIME"),
		DBConnectTimeout:  p.duration("STARTUPGRAPH_DB_CONNECT_TIMEOUT"),
		RequestTimeout:    p.duration("STARTUPGRAPH_REQUEST_TIMEOUT"),
		ExportTimeout:     p.duration("STARTUPGRAPH_EXPORT_TIMEOUT"),
		StatementGrace:    p.duration("STARTUPGRAPH_STATEMENT_GRACE"),
		MaxInFlight:       p.intIn("STARTUPGRAPH_MAX_IN_FLIGHT", 1, 100000),
		RateLimitPoints:   p.intIn("STARTUPGRAPH_RATE_LIMIT_POINTS", 0, 100_000_000),
		RateLimitWindow:   p.duration("STARTUPGRAPH_RATE_LIMIT_WINDOW"),
		AnonymousPoints:   p.intIn("STARTUPGRAPH_ANONYMOUS_RATE_LIMIT_POINTS", 0, 100_000_000),
		QueueWait:         p.duration("STARTUPGRAPH_QUEUE_WAIT"),
		HeavyQueryCost:    p.intIn("STARTUPGRAPH_HEAVY_QUERY_COST", 0, 100_000_000),
		MaxHeavyInFlight:  p.intIn("STARTUPGRAPH_MAX_HEAVY_IN_FLIGHT", 0, 100000),
		SubsPerKey:        p.intIn("STARTUPGRAPH_SUBSCRIPTIONS_PER_KEY", 1, 1_000_000),
		HeavyQueueWait:    p.duration("STARTUPGRAPH_HEAVY_QUEUE_WAIT"),
		MemoryLimit:       p.size("STARTUPGRAPH_MEMORY_LIMIT"),
		GCPercent:         p.intIn("STARTUPGRAPH_GC_PERCENT", -1, 10000),
		ReadHeaderTimeout: p.duration("STARTUPGRAPH_READ_HEADER_TIMEOUT"),
		ReadBodyTimeout:   p.duration("STARTUPGRAPH_READ_BODY_TIMEOUT"),
		WriteTimeout:      p.duration("STARTUPGRAPH_WRITE_TIMEOUT"),
		IdleTimeout:       p.duration("STARTUPGRAPH_IDLE_TIMEOUT"),
		ShutdownTimeout:   p.duration("STARTUPGRAPH_SHUTDOWN_TIMEOUT"),
		LogFormat:         p.str("STARTUPGRAPH_LOG_FORMAT"),
		DataDir:           p.str("STARTUPGRAPH_DATA_DIR"),
		PprofAddr:         p.str("STARTUPGRAPH_PPROF_ADDR"),
		MetricsAddr:       p.str("STARTUPGRAPH_METRICS_ADDR"),
		Dev:               cmd == "dev",
	}
	if err := c.LogLevel.UnmarshalText([]byte(p.str("STARTUPGRAPH_LOG_LEVEL"))); err != nil {
		p.fail("STARTUPGRAPH_LOG_LEVEL", "must be debug, info, warn or error")
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		p.fail("STARTUPGRAPH_LOG_FORMAT", "must be json or text")
	}
	if !validHostPort(c.Addr) {
		p.fail("STARTUPGRAPH_ADDR", "must be host:port with an IP address or localhost as host")
	}
	if c.PprofAddr != "" {
		if host, _, err := net.SplitHostPort(c.PprofAddr); err != nil || !(host == "localhost" || net.ParseIP(host).IsLoopback()) {
			p.fail("STARTUPGRAPH_PPROF_ADDR", "must be a loopback host:port such as 127.0.0.1:6060 (profiles are not for the network)")
		}
	}
	switch {
	case c.MetricsAddr == "off":
		c.MetricsAddr = ""
	case !validHostPort(c.MetricsAddr):
		p.fail("STARTUPGRAPH_METRICS_ADDR", "must be host:port with an IP address or localhost as host, or off")
	case c.MetricsAddr == c.Addr && !strings.HasSuffix(c.Addr, ":0"):
		p.fail("STARTUPGRAPH_METRICS_ADDR", "must differ from STARTUPGRAPH_ADDR: metrics are not served on the public port")
	}
	if c.GCPercent < 0 && c.MemoryLimit == 0 {
		p.fail("STARTUPGRAPH_GC_PERCENT", "-1 (collect only at the memory limit) needs a STARTUPGRAPH_MEMORY_LIMIT")
	}
	if c.DBMaxIdleConns > c.DBMaxOpenConns {
		p.fail("STARTUPGRAPH_DB_MAX_IDLE_CONNS", "must not exceed STARTUPGRAPH_DB_MAX_OPEN_CONNS")
	}
	if c.DBConnectTimeout > 0 && c.DBConnectTimeout < time.Second {
		p.fail("STARTUPGRAPH_DB_CONNECT_TIMEOUT", "must be at least 1s")
	}
	if c.StatementGrace > 0 && c.RequestTimeout > 0 && c.StatementGrace > c.RequestTimeout {
		p.fail("STARTUPGRAPH_STATEMENT_GRACE", "must not exceed STARTUPGRAPH_REQUEST_TIMEOUT (a statement never runs past the request's deadline)")
	}
	if c.WriteTimeout > 0 && c.RequestTimeout > 0 && c.WriteTimeout <= c.RequestTimeout {
		p.fail("STARTUPGRAPH_WRITE_TIMEOUT", "must be longer than STARTUPGRAPH_REQUEST_TIMEOUT so a timed-out request can still be answered")
	}
	c.CORSOrigins = p.origins("STARTUPGRAPH_CORS_ORIGINS")
	c.TrustedProxies = p.prefixes("STARTUPGRAPH_TRUSTED_PROXIES")
	if raw := p.str("DATABASE_URL"); raw != "" {
		dsn, err := NormalizeDatabaseURL(raw, c.DBConnectTimeout)
		if err != nil {
			p.fail("DATABASE_URL", err.Error())
		}
		c.DatabaseURL = dsn
	} else if cmd == "serve" {
		p.fail("DATABASE_URL", "is required (or use `startupgraph dev` for a project-local database)")
	}
	c.ReplicaMaxLag = p.duration("STARTUPGRAPH_REPLICA_MAX_LAG")
	c.DatabaseReadURLs = p.readURLs("DATABASE_READ_URLS", c.DBConnectTimeout)
	if len(c.DatabaseReadURLs) > 0 && p.str("DATABASE_URL") == "" {
		p.fail("DATABASE_READ_URLS", "needs DATABASE_URL: replicas are of the primary it names")
	}
	return c, fs.Args(), errors.Join(p.errs...)
}

// readURLs reads a comma-separated list of PostgreSQL URLs, each checked
// and normalized as DATABASE_URL is; a bad one is named by its place in
// the list, not quoted (it may hold a password).
func (p *parser) readURLs(env string, connectTimeout time.Duration) []string {
	var out []string
	for i, raw := range strings.Split(p.str(env), ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		dsn, err := NormalizeDatabaseURL(raw, connectTimeout)
		if err != nil {
			p.fail(env, fmt.Sprintf("entry %d %s", i+1, err.Error()))
			continue
		}
		out = append(out, dsn)
	}
	return out
}

// validHostPort: addr is host:port with an IP address, localhost or
// nothing as host.
func validHostPort(addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	return err == nil && port != "" && (host == "" || net.ParseIP(host) != nil || host == "localhost")
}

// NormalizeDatabaseURL checks a PostgreSQL URL and makes its sslmode and
// connect_timeout explicit: sslmode=disable for loopback hosts and require
// otherwise, unless the URL already says.
func NormalizeDatabaseURL(raw string, connectTimeout time.Duration) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", errors.New("must be a postgres:// URL")
	}
	if u.Host == "" || strings.TrimPrefix(u.Path, "/") == "" {
		return "", errors.New("must name a host and a database")
	}
	q := u.Query()
	if q.Get("sslmode") == "" {
		mode := "require"
		if h := u.Hostname(); h == "localhost" || net.ParseIP(h).IsLoopback() {
			mode = "disable"
		}
		q.Set("sslmode", mode)
	}
	if q.Get("connect_timeout") == "" {
		secs := int(connectTimeout / time.Second)
		if secs < 1 {
			secs = 5
		}
		q.Set("connect_timeout", strconv.Itoa(secs))
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// MaskURL hides the password of a database URL for logs.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

func maskAll(urls []string) []string {
	out := make([]string, len(urls))
	for i, u := range urls {
		out[i] = MaskURL(u)
	}
	return out
}

// LogValue renders the configuration for logs, with secrets masked.
func (c Config) LogValue() slog.Value {
	db := "(project-local cluster)"
	if c.DatabaseURL != "" {
		db = MaskURL(c.DatabaseURL)
	}
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("metrics_addr", c.MetricsAddr),
		slog.String("database_url", db),
		slog.Any("database_read_urls", maskAll(c.DatabaseReadURLs)),
		duration("replica_max_lag", c.ReplicaMaxLag),
		slog.Any("cors_origins", c.CORSOrigins),
		slog.Int("db_max_open_conns", c.DBMaxOpenConns),
		slog.Int("db_max_idle_conns", c.DBMaxIdleConns),
		duration("db_conn_max_lifetime", c.DBConnMaxLifetime),
		duration("db_conn_max_idle_time", c.DBConnMaxIdleTime),
		duration("db_connect_timeout", c.DBConnectTimeout),
		duration("request_timeout", c.RequestTimeout),
		duration("statement_grace", c.StatementGrace),
		slog.Int("max_in_flight", c.MaxInFlight),
		duration("queue_wait", c.QueueWait),
		slog.Int("heavy_query_cost", c.HeavyQueryCost),
		duration("heavy_queue_wait", c.HeavyQueueWait),
		slog.Int("rate_limit_points", c.RateLimitPoints),
		slog.Int("anonymous_rate_limit_points", c.AnonymousPoints),
		duration("rate_limit_window", c.RateLimitWindow),
		duration("read_header_timeout", c.ReadHeaderTimeout),
		duration("read_body_timeout", c.ReadBodyTimeout),
		duration("write_timeout", c.WriteTimeout),
		duration("idle_timeout", c.IdleTimeout),
		duration("shutdown_timeout", c.ShutdownTimeout),
		slog.String("log_level", c.LogLevel.String()),
		slog.Bool("dev", c.Dev),
	)
}

// duration logs d in human units ("15s", "1m30s"), as the settings are
// written, where slog.Duration would give JSON logs nanoseconds.
func duration(key string, d time.Duration) slog.Attr { return slog.String(key, d.String()) }

type parser struct {
	values map[string]*string
	errs   []error
}

func (p *parser) str(env string) string { return strings.TrimSpace(*p.values[env]) }

func (p *parser) fail(env, msg string) {
	flagName := env
	for _, v := range Vars {
		if v.Env == env {
			flagName = "-" + v.Flag
		}
	}
	p.errs = append(p.errs, fmt.Errorf("%s (%s): %s", env, flagName, msg))
}

func (p *parser) intIn(env string, lo, hi int) int {
	n, err := strconv.Atoi(p.str(env))
	if err != nil || n < lo || n > hi {
		p.fail(env, fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
	}
	return n
}

func (p *parser) duration(env string) time.Duration {
	d, err := time.ParseDuration(p.str(env))
	if err != nil || d <= 0 {
		p.fail(env, "must be a positive duration such as 500ms, 5s or 2m")
	}
	return d
}

// size reads a byte count: a whole number with an optional unit (B, KiB,
// MiB, GiB, or KB, MB, GB in powers of 1000), as GOMEMLIMIT takes.
func (p *parser) size(env string) int64 {
	raw := p.str(env)
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	num, mult := raw, int64(1)
	for _, u := range units {
		if strings.HasSuffix(raw, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(raw, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<50)/mult {
		p.fail(env, "must be a size such as 0, 96MiB or 1GiB")
		return 0
	}
	return n * mult
}

// prefixes reads a comma-separated list of IP addresses and CIDR ranges.
func (p *parser) prefixes(env string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range strings.Split(p.str(env), ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		pre, err := netip.ParsePrefix(s)
		if err != nil {
			addr, aerr := netip.ParseAddr(s)
			if aerr != nil {
				p.fail(env, fmt.Sprintf("%q is not an IP address or CIDR range like 10.0.0.0/8", s))
				continue
			}
			pre = netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen())
		}
		out = append(out, pre.Masked())
	}
	return out
}

func (p *parser) origins(env string) []string {
	var out []string
	for _, o := range strings.Split(p.str(env), ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if o != "*" {
			u, err := url.Parse(o)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
				p.fail(env, fmt.Sprintf("%q is not an origin like https://dashboard.example.kr", o))
				continue
			}
			o = u.Scheme + "://" + u.Host
		}
		out = append(out, o)
	}
	return out
}
