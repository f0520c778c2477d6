// Package localpg runs a project-local PostgreSQL cluster with the
// installed server binaries (initdb, pg_ctl): the embedded default database
// of `startupgraph dev` and the throwaway server of the tests. It listens on
// 127.0.0.1 only, on a free port, with password authentication. When the
// process runs as root the cluster runs as the `postgres` user, because
// initdb refuses to run as root.
package localpg

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// Options configure a cluster.
type Options struct {
	// Dir holds the cluster: data/ (PGDATA), run/ (log) and the password.
	Dir string
	// BinDir holds initdb and pg_ctl; found automatically when empty.
	BinDir string
	// Ephemeral trades durability for speed (fsync off) and removes Dir on
	// Stop. Tests use it; dev does not.
	Ephemeral bool
	// Settings are server settings (name=value) given after the others,
	// so they win: the scale test keeps synchronous_commit on.
	Settings []string
}

// Cluster is a running local PostgreSQL server.
type Cluster struct {
	opts     Options
	binDir   string
	dataDir  string
	runDir   string
	port     int
	password string
	cred     *syscall.Credential // set when the server runs as another user
	// shared is set when the server was already running (started by
	// another process, such as a running `dev`): it is used, not stopped.
	shared bool
}

// Superuser is the name of the cluster's superuser.
const Superuser = "postgres"

// FindBinDir returns the directory of the newest installed PostgreSQL
// server binaries: $PG_BINDIR, /usr/lib/postgresql/<version>/bin, the output
// of pg_config --bindir, or initdb on the PATH.
func FindBinDir() (string, error) {
	if d := os.Getenv("PG_BINDIR"); d != "" {
		return d, checkBinDir(d)
	}
	if dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin"); len(dirs) > 0 {
		sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
		for _, d := range dirs {
			if checkBinDir(d) == nil {
				return d, nil
			}
		}
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); checkBinDir(d) == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found: install them (Debian: apt-get install postgresql), set PG_BINDIR, or set DATABASE_URL to use an existing database")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func checkBinDir(d string) error {
	for _, b := range []string{"initdb", "pg_ctl", "postgres"} {
		if _, err := os.Stat(filepath.Join(d, b)); err != nil {
			return fmt.Errorf("%s has no %s", d, b)
		}
	}
	return nil
}

// Start initialises the cluster in opts.Dir when it is new, then starts
// the server and waits until it accepts connections. A server left running
// on the same data directory by an earlier crash is stopped first.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	binDir := opts.BinDir
	if binDir == "" {
		var err error
		if binDir, err = FindBinDir(); err != nil {
			return nil, err
		}
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{opts: opts, binDir: binDir, dataDir: filepath.Join(dir, "data"), runDir: filepath.Join(dir, "run")}
	c.opts.Dir = dir
	if os.Geteuid() == 0 {
		if c.cred, err = postgresCredential(); err != nil {
			return nil, err
		}
		if err := Reachable(dir); err != nil {
			return nil, err
		}
	}
	if err := c.prepareDirs(); err != nil {
		return nil, err
	}
	if err := c.loadOrCreatePassword(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(c.dataDir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := c.initdb(ctx); err != nil {
			return nil, err
		}
	}
	if c.run(ctx, "pg_ctl", "status", "-D", c.dataDir) == nil {
		if port, err := runningPort(c.dataDir); err == nil {
			c.port, c.shared = port, true
			return c, nil
		}
		_ = c.stop(ctx)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // a free port can be taken between probe and bind
		if c.port, err = FreePort(); err != nil {
			return nil, err
		}
		if lastErr = c.start(ctx); lastErr == nil {
			if opts.Ephemeral {
				c.watch()
			}
			return c, nil
		}
	}
	return nil, lastErr
}

// URL returns a connection URL for database db, with an explicit sslmode
// and connect_timeout.
func (c *Cluster) URL(db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(Superuser, c.password),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable&connect_timeout=5",
	}
	return u.String()
}

// Stop shuts the server down (fast mode: open sessions are ended) and, for
// an ephemeral cluster, removes its directory. A server that was already
// running when Start was called is left running for its owner.
func (c *Cluster) Stop(ctx context.Context) error {
	if c.shared {
		return nil
	}
	err := c.stop(ctx)
	if c.opts.Ephemeral {
		if rmErr := os.RemoveAll(c.opts.Dir); err == nil {
			err = rmErr
		}
	}
	return err
}

// errShared refuses to stop a server that another process started.
var errShared = errors.New("localpg: the server was started by another process")

// StopServer shuts the server down (fast mode: open sessions are ended)
// but keeps the cluster, so StartServer can bring it back on the same port
// and clients keep their URLs. Fault tests restart PostgreSQL this way.
func (c *Cluster) StopServer(ctx context.Context) error {
	if c.shared {
		return errShared
	}
	return c.stop(ctx)
}

// StartServer starts a server stopped by StopServer again, on the same
// port, and waits until it accepts connections.
func (c *Cluster) StartServer(ctx context.Context) error {
	if c.shared {
		return errShared
	}
	return c.start(ctx)
}

// Kill stops the server at once (immediate mode: no checkpoint, as in
// a crash; the next start recovers from the WAL). StartServer brings it
// back. The scale test kills the primary so.
func (c *Cluster) Kill(ctx context.Context) error {
	if c.shared {
		return errShared
	}
	return c.run(ctx, "pg_ctl", "stop", "-D", c.dataDir, "-m", "immediate", "-w", "-t", "60")
}

// Replica makes a streaming replica of c in dir (pg_basebackup -R: a
// copy of c's data that then follows its WAL, read-only) and starts it,
// with opts' other settings, on a port of its own.
func (c *Cluster) Replica(ctx context.Context, dir string, opts Options) (*Cluster, error) {
	r := &Cluster{opts: opts, binDir: c.binDir, cred: c.cred}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	r.opts.Dir, r.dataDir, r.runDir = dir, filepath.Join(dir, "data"), filepath.Join(dir, "run")
	if err := r.prepareDirs(); err != nil { // data/ empty, the server user's: pg_basebackup fills it
		return nil, err
	}
	r.password = c.password
	if err := os.WriteFile(filepath.Join(dir, "password"), []byte(c.password+"\n"), 0o600); err != nil {
		return nil, err
	}
	// as the server's user, so the copy is its; the password from a file
	// only that user reads, kept: the replica's primary_conninfo names it
	pass := filepath.Join(r.runDir, "pgpass")
	if err := os.WriteFile(pass, []byte(fmt.Sprintf("127.0.0.1:%d:*:%s:%s\n", c.port, Superuser, c.password)), 0o600); err != nil {
		return nil, err
	}
	if err := r.chown(pass); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, "pg_basebackup"), "-h", "127.0.0.1", "-p", strconv.Itoa(c.port),
		"-U", Superuser, "-D", r.dataDir, "-R", "-X", "stream", "-c", "fast", "-w")
	cmd.Dir = r.runDir
	cmd.Env = []string{"PATH=" + c.binDir + ":/usr/bin:/bin", "LC_ALL=C", "TZ=UTC", "PGPASSFILE=" + pass}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: c.cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pg_basebackup: %w: %s", err, strings.TrimSpace(string(out)))
	}
	if r.port, err = FreePort(); err != nil {
		return nil, err
	}
	if err := r.start(ctx); err != nil {
		return nil, err
	}
	if opts.Ephemeral {
		r.watch()
	}
	return r, nil
}

func (c *Cluster) stop(ctx context.Context) error {
	return c.run(ctx, "pg_ctl", "stop", "-D", c.dataDir, "-m", "fast", "-w", "-t", "60")
}

func (c *Cluster) start(ctx context.Context) error {
	settings := []string{
		"-p", strconv.Itoa(c.port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=''",
		"-c", "max_connections=200",
	}
	if c.opts.Ephemeral {
		settings = append(settings, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	for _, kv := range c.opts.Settings {
		settings = append(settings, "-c", kv)
	}
	logFile := filepath.Join(c.runDir, "postgres.log")
	err := c.run(ctx, "pg_ctl", "start", "-D", c.dataDir, "-w", "-t", "60", "-l", logFile, "-o", strings.Join(settings, " "))
	if err != nil {
		return fmt.Errorf("%w\n%s", err, tail(logFile, 2048))
	}
	return nil
}

// watch starts a watchdog that stops an ephemeral server once this
// process is gone, even if it dies without running its cleanup (a test
// that panics, a killed test binary).
func (c *Cluster) watch() {
	script := fmt.Sprintf(`while [ -d /proc/%d ]; do sleep 1; done; exec %s stop -D %s -m immediate`,
		os.Getpid(), filepath.Join(c.binDir, "pg_ctl"), c.dataDir)
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Dir = c.runDir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: c.cred}
	if err := cmd.Start(); err == nil {
		go func() { _ = cmd.Wait() }()
	}
}

func (c *Cluster) initdb(ctx context.Context) error {
	pwfile := filepath.Join(c.runDir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(c.password+"\n"), 0o600); err != nil {
		return err
	}
	defer os.Remove(pwfile)
	if err := c.chown(pwfile); err != nil {
		return err
	}
	return c.run(ctx, "initdb", "-D", c.dataDir, "-U", Superuser, "--pwfile", pwfile,
		"--auth", "scram-sha-256", "--encoding", "UTF8", "--locale", "C", "--no-instructions")
}

// prepareDirs creates Dir (readable by the server's user), data/ and run/
// (owned by it).
func (c *Cluster) prepareDirs() error {
	if err := os.MkdirAll(c.opts.Dir, 0o755); err != nil {
		return err
	}
	if err := os.Chmod(c.opts.Dir, 0o755); err != nil {
		return err
	}
	for _, d := range []string{c.dataDir, c.runDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
		if err := c.chown(d); err != nil {
			return err
		}
	}
	return nil
}

// loadOrCreatePassword keeps the superuser password beside the cluster,
// readable only by the process that owns the project.
func (c *Cluster) loadOrCreatePassword() error {
	path := filepath.Join(c.opts.Dir, "password")
	if b, err := os.ReadFile(path); err == nil && len(bytes.TrimSpace(b)) > 0 {
		c.password = string(bytes.TrimSpace(b))
		return nil
	}
	if _, err := os.Stat(filepath.Join(c.dataDir, "PG_VERSION")); err == nil {
		return fmt.Errorf("cluster in %s exists but its password file is missing: remove the folder to start afresh", c.opts.Dir)
	}
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	c.password = hex.EncodeToString(b[:])
	return os.WriteFile(path, []byte(c.password+"\n"), 0o600)
}

func (c *Cluster) chown(path string) error {
	if c.cred == nil {
		return nil
	}
	return os.Chown(path, int(c.cred.Uid), int(c.cred.Gid))
}

// run executes a server binary as the server's user, in its own process
// group so that a Ctrl-C in the terminal reaches only our process, which
// then shuts the server down in order.
func (c *Cluster) run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, name), args...)
	cmd.Dir = c.runDir
	cmd.Env = []string{"PATH=" + c.binDir + ":/usr/bin:/bin", "LC_ALL=C", "TZ=UTC"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: c.cred}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, args[0], err, strings.TrimSpace(out.String()))
	}
	return nil
}

func postgresCredential() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, errors.New("running as root, but there is no `postgres` user to run PostgreSQL as (initdb refuses root); install the postgresql package, which creates it")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// Reachable reports whether the server's user can reach dir. When the
// process runs as root the server runs as `postgres`, so every existing
// ancestor of dir must be searchable by others (or owned by postgres).
func Reachable(dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	cred, err := postgresCredential()
	if err != nil {
		return err
	}
	uid := int(cred.Uid)
	dir, err = filepath.Abs(dir)
	if err != nil {
		return err
	}
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err == nil {
			st, ok := fi.Sys().(*syscall.Stat_t)
			if fi.Mode().Perm()&0o001 == 0 && !(ok && int(st.Uid) == uid) {
				return fmt.Errorf("%s is not searchable by the postgres user, so it cannot hold the local database; pass a data directory elsewhere (e.g. under /tmp) or set DATABASE_URL", d)
			}
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

// runningPort reads the port of a running server from postmaster.pid,
// whose fourth line is the port.
func runningPort(dataDir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		return 0, errors.New("postmaster.pid has no port")
	}
	return strconv.Atoi(strings.TrimSpace(lines[3]))
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(path string, n int64) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if int64(len(b)) > n {
		b = b[int64(len(b))-n:]
	}
	return string(b)
}
