package bench

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// machine describes where the numbers were measured.
type machine struct {
	cpus       int
	model      string
	memory     string
	kernel     string
	goVersion  string
	postgres   string
	gomaxprocs int
}

func describeMachine(ctx context.Context, goCmd string, db *sql.DB) machine {
	m := machine{cpus: runtime.NumCPU(), gomaxprocs: runtime.GOMAXPROCS(0), model: "unknown", memory: "unknown", goVersion: runtime.Version()}
	if v := firstField("/proc/cpuinfo", "model name"); v != "" {
		m.model = v
	}
	if v := firstField("/proc/meminfo", "MemTotal"); v != "" {
		m.memory = humanKB(v)
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = "Linux " + strings.TrimSpace(string(b))
	}
	if out, err := exec.CommandContext(ctx, goCmd, "env", "GOVERSION").Output(); err == nil {
		m.goVersion = strings.TrimSpace(string(out))
	}
	if db != nil {
		_ = db.QueryRowContext(ctx, `SHOW server_version`).Scan(&m.postgres)
	}
	return m
}

// firstField returns the value of the first "key : value" line of path.
func firstField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// humanKB turns "24576000 kB" into "23.4 GiB".
func humanKB(v string) string {
	var kb float64
	for _, f := range strings.Fields(v) {
		var n float64
		if _, err := fmt.Sscan(f, &n); err == nil {
			kb = n
			break
		}
	}
	if kb == 0 {
		return v
	}
	return strconv.FormatFloat(kb/(1<<20), 'f', 1, 64) + " GiB"
}

// revision names the commit measured, marking uncommitted changes.
func revision(ctx context.Context, goCmd string) string {
	root, err := moduleRoot(ctx, goCmd)
	if err != nil {
		return "unknown"
	}
	out, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	rev := strings.TrimSpace(string(out))
	if st, err := exec.CommandContext(ctx, "git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(strings.TrimSpace(string(st))) > 0 {
		rev += " with uncommitted changes"
	}
	return rev
}
