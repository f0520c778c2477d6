package config_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"startupgraph/internal/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoad(t *testing.T) {
	cases := []struct {
		name    string
		cmd     string
		env     map[string]string
		args    []string
		wantErr []string // substrings that must all appear
		check   func(t *testing.T, c config.Config)
	}{
		{
			name: "dev needs nothing",
			cmd:  "dev",
			check: func(t *testing.T, c config.Config) {
				if c.Addr != "127.0.0.1:8080" || !c.Dev || c.DatabaseURL != "" || len(c.CORSOrigins) != 0 {
					t.Errorf("defaults: %+v", c)
				}
				if c.RequestTimeout != 15*time.Second || c.DBMaxOpenConns != 20 || c.ReadHeaderTimeout != 5*time.Second || c.ReadBodyTimeout != 10*time.Second || c.AnonymousPoints != 1000 || c.StatementGrace != time.Second {
					t.Errorf("defaults: %+v", c)
				}
			},
		},
		{
			name:    "serve needs DATABASE_URL",
			cmd:     "serve",
			wantErr: []string{"DATABASE_URL", "is required"},
		},
		{
			name: "read replicas are checked and normalized like DATABASE_URL",
			cmd:  "serve",
			env: map[string]string{"DATABASE_URL": "postgres://u:p@127.0.0.1/sg",
				"DATABASE_READ_URLS": " postgres://u:p@127.0.0.1:5433/sg , postgres://u:p@replica.internal/sg,", "STARTUPGRAPH_REPLICA_MAX_LAG": "500ms"},
			check: func(t *testing.T, c config.Config) {
				if len(c.DatabaseReadURLs) != 2 || !strings.Contains(c.DatabaseReadURLs[0], "sslmode=disable") || !strings.Contains(c.DatabaseReadURLs[1], "sslmode=require") {
					t.Errorf("read URLs: %v", c.DatabaseReadURLs)
				}
				if c.ReplicaMaxLag != 500*time.Millisecond {
					t.Errorf("replica max lag %s", c.ReplicaMaxLag)
				}
			},
		},
		{
			name: "no read replicas by default, lag bound 1s",
			cmd:  "serve",
			env:  map[string]string{"DATABASE_URL": "postgres://u:p@127.0.0.1/sg"},
			check: func(t *testing.T, c config.Config) {
				if len(c.DatabaseReadURLs) != 0 || c.ReplicaMaxLag != time.Second {
					t.Errorf("read URLs %v, max lag %s", c.DatabaseReadURLs, c.ReplicaMaxLag)
				}
			},
		},
		{
			name:    "a bad read URL is named by its place, not quoted",
			cmd:     "serve",
			env:     map[string]string{"DATABASE_URL": "postgres://u:p@127.0.0.1/sg", "DATABASE_READ_URLS": "postgres://u:p@127.0.0.1/sg,mysql://u:secret@h/x", "STARTUPGRAPH_REPLICA_MAX_LAG": "0s"},
			wantErr: []string{"DATABASE_READ_URLS (-database-read-urls): entry 2 must be a postgres:// URL", "STARTUPGRAPH_REPLICA_MAX_LAG"},
		},
		{
			name:    "read replicas need DATABASE_URL",
			cmd:     "dev",
			env:     map[string]string{"DATABASE_READ_URLS": "postgres://u:p@127.0.0.1/sg"},
			wantErr: []string{"DATABASE_READ_URLS", "needs DATABASE_URL"},
		},
		{
			name: "flags beat environment",
			cmd:  "serve",
			env:  map[string]string{"DATABASE_URL": "postgres://u:p@db.internal/sg", "STARTUPGRAPH_ADDR": "127.0.0.1:9000"},
			args: []string{"-addr", "0.0.0.0:9100"},
			check: func(t *testing.T, c config.Config) {
				if c.Addr != "0.0.0.0:9100" {
					t.Errorf("addr %s", c.Addr)
				}
				if !strings.Contains(c.DatabaseURL, "sslmode=require") || !strings.Contains(c.DatabaseURL, "connect_timeout=5") {
					t.Errorf("remote URL not made explicit: %s", c.DatabaseURL)
				}
			},
		},
		{
			name: "loopback database gets sslmode=disable, explicit values are kept",
			cmd:  "serve",
			env:  map[string]string{"DATABASE_URL": "postgres://u@127.0.0.1:5432/sg?connect_timeout=3"},
			check: func(t *testing.T, c config.Config) {
				if !strings.Contains(c.DatabaseURL, "sslmode=disable") || !strings.Contains(c.DatabaseURL, "connect_timeout=3") {
					t.Errorf("URL %s", c.DatabaseURL)
				}
			},
		},
		{
			name: "memory limit sizes",
			cmd:  "dev",
			env:  map[string]string{"STARTUPGRAPH_MEMORY_LIMIT": "96MiB"},
			check: func(t *testing.T, c config.Config) {
				if c.MemoryLimit != 96<<20 {
					t.Errorf("memory limit %d", c.MemoryLimit)
				}
			},
		},
		{
			name:    "memory limit must be a size",
			cmd:     "dev",
			env:     map[string]string{"STARTUPGRAPH_MEMORY_LIMIT": "lots"},
			wantErr: []string{"STARTUPGRAPH_MEMORY_LIMIT", "-memory-limit", "must be a size"},
		},
		{
			name: "garbage collector percent, -1 for off",
			cmd:  "serve",
			env:  map[string]string{"DATABASE_URL": "postgres://u@127.0.0.1/sg", "STARTUPGRAPH_GC_PERCENT": "-1"},
			check: func(t *testing.T, c config.Config) {
				if c.GCPercent != -1 {
					t.Errorf("gc percent %d", c.GCPercent)
				}
			},
		},
		{
			name:    "garbage collector percent must be a whole number from -1",
			cmd:     "dev",
			env:     map[string]string{"STARTUPGRAPH_GC_PERCENT": "-5"},
			wantErr: []string{"STARTUPGRAPH_GC_PERCENT", "-gc-percent", "from -1 to 10000"},
		},
		{
			name:    "no garbage collection without a memory limit",
			cmd:     "dev",
			env:     map[string]string{"STARTUPGRAPH_GC_PERCENT": "-1", "STARTUPGRAPH_MEMORY_LIMIT": "0"},
			wantErr: []string{"STARTUPGRAPH_GC_PERCENT", "needs a STARTUPGRAPH_MEMORY_LIMIT"},
		},
		{
			name: "trusted proxies are addresses or ranges",
			cmd:  "dev",
			env:  map[string]string{"STARTUPGRAPH_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1, ::1"},
			check: func(t *testing.T, c config.Config) {
				if fmt.Sprint(c.TrustedProxies) != "[10.0.0.0/8 127.0.0.1/32 ::1/128]" {
					t.Errorf("trusted proxies %v", c.TrustedProxies)
				}
			},
		},
		{
			name:    "a trusted proxy must be an address",
			cmd:     "dev",
			env:     map[string]string{"STARTUPGRAPH_TRUSTED_PROXIES": "proxy.internal"},
			wantErr: []string{"STARTUPGRAPH_TRUSTED_PROXIES", "-trusted-proxies", "proxy.internal"},
		},
		{
			name: "CORS origins are normalised",
			cmd:  "dev",
			env:  map[string]string{"STARTUPGRAPH_CORS_ORIGINS": "https://a.example/, http://localhost:3000"},
			check: func(t *testing.T, c config.Config) {
				if strings.Join(c.CORSOrigins, " ") != "https://a.example http://localhost:3000" {
					t.Errorf("origins %v", c.CORSOrigins)
				}
			},
		},
		{
			name: "every problem is reported at once",
			cmd:  "serve",
			env: map[string]string{
				"DATABASE_URL":                   "mysql://x/y",
				"STARTUPGRAPH_ADDR":              "nowhere",
				"STARTUPGRAPH_DB_MAX_OPEN_CONNS": "0",
				"STARTUPGRAPH_REQUEST_TIMEOUT":   "soon",
				"STARTUPGRAPH_CORS_ORIGINS":      "ftp://files.example",
				"STARTUPGRAPH_LOG_LEVEL":         "loud",
				"STARTUPGRAPH_LOG_FORMAT":        "xml",
				"STARTUPGRAPH_READ_BODY_TIMEOUT": "0",
			},
			wantErr: []string{"DATABASE_URL", "STARTUPGRAPH_ADDR", "STARTUPGRAPH_DB_MAX_OPEN_CONNS", "STARTUPGRAPH_REQUEST_TIMEOUT",
				"STARTUPGRAPH_CORS_ORIGINS", "STARTUPGRAPH_LOG_LEVEL", "STARTUPGRAPH_LOG_FORMAT", "-db-max-open-conns", "STARTUPGRAPH_READ_BODY_TIMEOUT"},
		},
		{
			name:    "idle above open",
			cmd:     "dev",
			env:     map[string]string{"STARTUPGRAPH_DB_MAX_OPEN_CONNS": "5", "STARTUPGRAPH_DB_MAX_IDLE_CONNS": "6"},
			wantErr: []string{"STARTUPGRAPH_DB_MAX_IDLE_CONNS"},
		},
		{
			name: "statement grace",
			cmd:  "dev",
			env:  map[string]string{"STARTUPGRAPH_STATEMENT_GRACE": "2500ms"},
			check: func(t *testing.T, c config.Config) {
				if c.StatementGrace != 2500*time.Millisecond {
					t.Errorf("statement grace %v", c.StatementGrace)
				}
			},
		},
		{
			name:    "statement grace must be positive",
			cmd:     "dev",
			env:     map[string]string{"STARTUPGRAPH_STATEMENT_GRACE": "0"},
			wantErr: []string{"STARTUPGRAPH_STATEMENT_GRACE", "-statement-grace", "positive duration"},
		},
		{
			name:    "statement grace within the request timeout",
			cmd:     "dev",
			env:     map[string]string{"STARTUPGRAPH_REQUEST_TIMEOUT": "5s", "STARTUPGRAPH_STATEMENT_GRACE": "6s"},
			wantErr: []string{"STARTUPGRAPH_STATEMENT_GRACE", "must not exceed STARTUPGRAPH_REQUEST_TIMEOUT"},
		},
		{
			name:    "write timeout must exceed request timeout",
			cmd:     "dev",
			env:     map[string]string{"STARTUPGRAPH_REQUEST_TIMEOUT": "30s", "STARTUPGRAPH_WRITE_TIMEOUT": "30s"},
			wantErr: []string{"STARTUPGRAPH_WRITE_TIMEOUT"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := config.Load(tc.cmd, tc.args, env(tc.env), io.Discard)
			if len(tc.wantErr) > 0 {
				if err == nil {
					t.Fatal("no error")
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error lacks %q:\n%v", w, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestSecretsMaskedInLogs(t *testing.T) {
	c, _, err := config.Load("serve", nil, env(map[string]string{"DATABASE_URL": "postgres://app:s3cr3t-pw@db.internal:5432/sg",
		"DATABASE_READ_URLS": "postgres://app:r3plica-pw@replica.internal:5432/sg"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
	if strings.Contains(buf.String(), "s3cr3t-pw") || strings.Contains(buf.String(), "r3plica-pw") {
		t.Errorf("password leaked: %s", buf.String())
	}
	if !strings.Contains(buf.String(), "db.internal") || !strings.Contains(buf.String(), "replica.internal") {
		t.Errorf("database host missing from config log: %s", buf.String())
	}
	_, _, err = config.Load("serve", nil, env(map[string]string{"DATABASE_URL": "postgres://app:s3cr3t-pw@db.internal:5432/sg",
		"DATABASE_READ_URLS": "postgres://app:r3plica-pw@/"}), io.Discard)
	if err == nil || strings.Contains(err.Error(), "r3plica-pw") {
		t.Errorf("a bad read URL: %v", err)
	}
}

func TestPprofOnlyOnLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{"127.0.0.1:6060": true, "localhost:6060": true, "0.0.0.0:6060": false, "10.0.0.5:6060": false, "6060": false} {
		_, _, err := config.Load("dev", nil, env(map[string]string{"STARTUPGRAPH_PPROF_ADDR": addr}), io.Discard)
		if (err == nil) != ok {
			t.Errorf("%s: err %v", addr, err)
		}
	}
}

// TestDurationsLoggedInHumanUnits: the configuration log gives durations
// as they are written ("15s"), not as nanoseconds, which is what
// slog.Duration gives a JSON log.
func TestDurationsLoggedInHumanUnits(t *testing.T) {
	c, _, err := config.Load("dev", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
	var line struct{ Config map[string]any }
	if err := json.Unmarshal([]byte(buf.String()), &line); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"request_timeout": "15s", "queue_wait": "250ms", "db_conn_max_lifetime": "30m0s", "shutdown_timeout": "20s"} {
		if got := line.Config[key]; got != want {
			t.Errorf("%s logged as %v, want %q", key, got, want)
		}
	}
}

// TestMetricsAddr: metrics are served on loopback by default, never on
// the API's own address, and can be switched off.
func TestMetricsAddr(t *testing.T) {
	cases := []struct {
		vars map[string]string
		want string
		ok   bool
	}{
		{nil, "127.0.0.1:9464", true},
		{map[string]string{"STARTUPGRAPH_METRICS_ADDR": "off"}, "", true},
		{map[string]string{"STARTUPGRAPH_METRICS_ADDR": "0.0.0.0:9464"}, "0.0.0.0:9464", true},
		{map[string]string{"STARTUPGRAPH_METRICS_ADDR": "127.0.0.1:8080"}, "", false}, // the API's default address
		{map[string]string{"STARTUPGRAPH_METRICS_ADDR": "metrics.example:9464"}, "", false},
	}
	for _, tc := range cases {
		c, _, err := config.Load("dev", nil, env(tc.vars), io.Discard)
		if (err == nil) != tc.ok || (tc.ok && c.MetricsAddr != tc.want) {
			t.Errorf("%v: addr %q, err %v; want %q, ok %v", tc.vars, c.MetricsAddr, err, tc.want, tc.ok)
		}
	}
}
