package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"startupgraph/internal/localpg"
)

// The server runs as a user runs it: the built binary, `serve`, with
// DATABASE_URL and STARTUPGRAPH_ADDR on 127.0.0.1, default settings unless
// -server-env says otherwise.

// serverProc is a running `startupgraph serve`.
type serverProc struct {
	cmd      *exec.Cmd
	addr     string
	log      *tailBuffer
	done     chan error
	stopOnce sync.Once
}

// childEnv is the process environment without settings that would change
// what the child does (any STARTUPGRAPH_* or DATABASE_URL), plus extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "STARTUPGRAPH_") || k == "DATABASE_URL" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// runCLI runs the binary with args and returns its stdout.
func runCLI(ctx context.Context, bin, dsn string, args ...string) (string, error) {
	out, _, err := runCLIUsage(ctx, bin, dsn, args...)
	return out, err
}

// runCLIUsage is runCLI, returning the process's resource usage too (nil
// when unknown).
func runCLIUsage(ctx context.Context, bin, dsn string, args ...string) (string, *syscall.Rusage, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = childEnv("DATABASE_URL="+dsn, "STARTUPGRAPH_LOG_LEVEL=warn")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ru *syscall.Rusage
	if cmd.ProcessState != nil {
		ru, _ = cmd.ProcessState.SysUsage().(*syscall.Rusage)
	}
	if err != nil {
		return out.String(), ru, fmt.Errorf("startupgraph %s: %w: %s", strings.Join(args, " "), err, clip(errb.Bytes(), 2000))
	}
	return out.String(), ru, nil
}

// startServer starts `bin serve` on a free 127.0.0.1 port and waits until
// /readyz answers 200.
func startServer(ctx context.Context, bin, dsn string, settings []string) (*serverProc, error) {
	port, err := localpg.FreePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cmd := exec.Command(bin, "serve")
	// metrics on a free port, so a bench beside a running server does not
	// collide with its metrics listener (a setting can say otherwise)
	cmd.Env = childEnv(append([]string{"DATABASE_URL=" + dsn, "STARTUPGRAPH_ADDR=" + addr, "STARTUPGRAPH_METRICS_ADDR=127.0.0.1:0"}, settings...)...)
	// Its own process group, so a Ctrl-C reaches the harness, which then
	// stops it in order; and SIGTERM should the harness die first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	logs := &tailBuffer{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &serverProc{cmd: cmd, addr: addr, log: logs, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/readyz", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		select {
		case err := <-p.done:
			p.done <- err
			return nil, fmt.Errorf("server exited before it was ready: %v\n%s", err, logs.String())
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("server not ready within a minute\n%s", logs.String())
		}
	}
}

func (p *serverProc) endpoint() string { return "http://" + p.addr + "/graphql" }

func (p *serverProc) pid() int { return p.cmd.Process.Pid }

// stop sends SIGTERM, waits for the graceful shutdown, then kills. Only
// the first call does anything.
func (p *serverProc) stop() {
	p.stopOnce.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
}

// tailBuffer keeps the last max bytes written to it: the server's log,
// kept only to explain a failure.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

// rssSampler records the largest resident set size of a process while it
// runs, reading /proc/<pid>/status every 50 ms.
type rssSampler struct {
	stopc chan struct{}
	done  chan int64
}

func sampleRSS(pid int) *rssSampler {
	s := &rssSampler{stopc: make(chan struct{}), done: make(chan int64, 1)}
	go func() {
		var peak int64
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if kb, err := procStatusKB(pid, "VmRSS"); err == nil {
				peak = max(peak, kb)
			}
			select {
			case <-s.stopc:
				s.done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// stop returns the peak in kB.
func (s *rssSampler) stop() int64 {
	close(s.stopc)
	return <-s.done
}

// procStatusKB reads a "Name: N kB" line of /proc/<pid>/status.
func procStatusKB(pid int, field string) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && k == field {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, errors.New(field + " not found")
}
