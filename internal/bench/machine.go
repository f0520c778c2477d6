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
	"time"
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

// quietness is how busy the machine was just before a dataset was
// measured, so a report shows when something else shared the CPUs.
type quietness struct {
	busy   float64 // CPU busy over one second, 0-1, all CPUs
	others []int   // pids of other startupgraph-bench processes
}

func checkQuiet(ctx context.Context) quietness {
	q := quietness{busy: -1, others: otherBenchmarks()}
	a, okA := cpuTimes()
	select {
	case <-ctx.Done():
		return q
	case <-time.After(time.Second):
	}
	b, okB := cpuTimes()
	if okA && okB && b.total > a.total {
		q.busy = 1 - float64(b.idle-a.idle)/float64(b.total-a.total)
	}
	return q
}

type cpuSample struct{ idle, total uint64 }

// cpuTimes reads the aggregate line of /proc/stat.
func cpuTimes() (cpuSample, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuSample{}, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return cpuSample{}, false
	}
	var s cpuSample
	for i, v := range f[1:] {
		n, _ := strconv.ParseUint(v, 10, 64)
		s.total += n
		if i == 3 || i == 4 { // idle, iowait
			s.idle += n
		}
	}
	return s, true
}

// otherBenchmarks lists the pids of other running startupgraph-bench
// processes (whose comm, cut to 15 bytes, is "startupgraph-be").
func otherBenchmarks() []int {
	dirs, _ := os.ReadDir("/proc")
	var out []int
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		if b, err := os.ReadFile("/proc/" + d.Name() + "/comm"); err == nil && strings.TrimSpace(string(b)) == "startupgraph-be" {
			out = append(out, pid)
		}
	}
	return out
}
