package bench

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"startupgraph/internal/localpg"
)

// The disconnect case of issue 22: the p99 must stay flat when clients
// disconnect mid-request. On one fresh server, at the target concurrency,
// the nested query is measured twice for the same time: first with every
// client completing its requests, then with a share of the clients
// cancelling each request mid-flight (closing its connection) while the
// others measure. Afterwards the server's pool must have no connection in
// use, and PostgreSQL no session of its database still busy.

const disconnectName = "disconnect"

// disconnectAim is how much the measuring clients' p99 may grow when the
// others disconnect: "flat", read as the bound on the p99 against
// the floor.
const disconnectAim = 1.2

// disconnectResult is the disconnect case's measurement.
type disconnectResult struct {
	clients    int // all clients
	cancelling int // of which cancel their requests mid-flight
	// base and with are the measuring clients' figures without and with
	// the disconnects (the same clients, the same time each).
	base, with summary
	// cancelled counts requests abandoned mid-flight; finished, those of
	// the cancelling clients answered before their deadline.
	cancelled, finished int64
	maxDelay            time.Duration // cancellation after 10-100% of this (the p50 without disconnects)
	// inUse and open are the server pool's connections (its metrics) a
	// second after the load; busy counts the database's sessions not idle
	// then; -1 when unknown.
	inUse, open, busy int
	// answers reports whether the server still answered the query after.
	answers bool
}

// disconnectClients is how many of clients cancel their requests: share
// percent, at least one.
func disconnectClients(clients, share int) int {
	return max(1, clients*share/100)
}

// measureDisconnect runs the disconnect case on a fresh server.
func (l *loadPhase) measureDisconnect(ctx context.Context, body []byte, clients int, floorDB *sql.DB) (disconnectResult, error) {
	res := disconnectResult{clients: clients, cancelling: disconnectClients(clients, l.o.disconnectShare), inUse: -1, open: -1, busy: -1}
	measuring := clients - res.cancelling
	if measuring < 1 {
		return res, fmt.Errorf("the disconnect case needs at least 2 clients, got %d", clients)
	}
	port, err := localpg.FreePort()
	if err != nil {
		return res, err
	}
	metrics := "127.0.0.1:" + strconv.Itoa(port)
	srv, err := startServer(ctx, l.bin, l.ds.dsn, append(append([]string{}, l.o.serverEnv...), "STARTUPGRAPH_METRICS_ADDR="+metrics))
	if err != nil {
		return res, err
	}
	defer srv.stop()
	full, err := postOp(l.client, srv.endpoint(), l.ds.key, [][]byte{body})
	if err != nil {
		return res, err
	}
	if l.o.warmup > 0 {
		drive(ctx, clients, l.o.warmup, l.o.maxRequests, full)
	}
	// without disconnects: every client completes its requests
	others := newClient(res.cancelling)
	defer others.CloseIdleConnections()
	otherFull, err := postOp(others, srv.endpoint(), l.ds.key, [][]byte{body})
	if err != nil {
		return res, err
	}
	base, _ := driveTwo(ctx, measuring, res.cancelling, l.o.duration, l.o.maxRequests, full, otherFull)
	res.base = summarize(base)
	if res.base.errors > 0 {
		return res, fmt.Errorf("without disconnects: %d of %d requests failed: %s", res.base.errors, res.base.requests, res.base.firstErr)
	}
	// with disconnects: the others cancel each request after 10-100% of
	// the median a request took without them
	res.maxDelay = max(res.base.p50, time.Millisecond)
	cancel := cancellingOp(otherFull, res.maxDelay, &res.cancelled, &res.finished)
	with, other := driveTwo(ctx, measuring, res.cancelling, l.o.duration, l.o.maxRequests, full, cancel)
	res.with = summarize(with)
	if other.errors > 0 {
		return res, fmt.Errorf("a cancelling client failed otherwise: %s", other.firstErr)
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	// what the cancelled requests left behind, once the server has had a
	// second to finish them
	time.Sleep(time.Second)
	if st, err := poolMetrics(ctx, metrics); err == nil {
		res.inUse, res.open = st["in_use_connections"], st["open_connections"]
	}
	if err := floorDB.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle' AND backend_type = 'client backend'`).Scan(&res.busy); err != nil {
		res.busy = -1
	}
	_, err = full(ctx, 0, 0)
	res.answers = err == nil
	l.client.CloseIdleConnections()
	return res, nil
}

// driveTwo runs a clients with op a and b clients with op b at the same
// time, for d (and at most maxRequests each), and returns both results.
func driveTwo(ctx context.Context, a, b int, d time.Duration, maxRequests int, opA, opB op) (loadResult, loadResult) {
	var ra, rb loadResult
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); ra = drive(ctx, a, d, maxRequests, opA) }()
	go func() { defer wg.Done(); rb = drive(ctx, b, d, maxRequests, opB) }()
	wg.Wait()
	return ra, rb
}

// cancellingOp wraps o: each request is cancelled after a delay drawn
// from 10-100% of maxDelay, which closes its connection mid-request; then
// the client waits out the rest of maxDelay, so that it sends about as
// many requests as a client that completes them. A cancelled request
// counts in cancelled, one answered in time in finished; neither is an
// error.
func cancellingOp(o op, maxDelay time.Duration, cancelled, finished *int64) op {
	return func(ctx context.Context, worker, seq int) (int, error) {
		r := rand.New(rand.NewPCG(uint64(worker), uint64(seq)))
		delay := maxDelay/10 + time.Duration(r.Int64N(int64(maxDelay)*9/10+1))
		rctx, cancel := context.WithTimeout(ctx, delay)
		defer cancel()
		start := time.Now()
		_, err := o(rctx, worker, seq)
		switch {
		case err == nil:
			atomic.AddInt64(finished, 1)
		case errors.Is(err, context.DeadlineExceeded) || rctx.Err() != nil:
			atomic.AddInt64(cancelled, 1)
		case ctx.Err() != nil:
			return 0, nil
		default:
			return 0, err
		}
		if rest := maxDelay - time.Since(start); rest > 0 {
			select {
			case <-time.After(rest):
			case <-ctx.Done():
			}
		}
		return 0, nil
	}
}

// poolMetrics scrapes the server's startupgraph_db_* gauges from its
// metrics listener on 127.0.0.1.
func poolMetrics(ctx context.Context, addr string) (map[string]int, error) {
	if host, _, err := net.SplitHostPort(addr); err != nil || host != "127.0.0.1" {
		return nil, fmt.Errorf("%s: %w", addr, errNotLoopback)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := newClient(1).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("metrics: status %d", resp.StatusCode)
	}
	return parsePoolMetrics(bufio.NewScanner(resp.Body))
}

// parsePoolMetrics reads `startupgraph_db_<name> <value>` lines.
func parsePoolMetrics(sc *bufio.Scanner) (map[string]int, error) {
	out := map[string]int{}
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		name, found := strings.CutPrefix(name, "startupgraph_db_")
		if !ok || !found || strings.ContainsAny(name, "{") {
			continue
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(value), 64); err == nil {
			out[name] = int(f)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if _, ok := out["in_use_connections"]; !ok {
		return nil, errors.New("metrics: no startupgraph_db_in_use_connections")
	}
	return out, nil
}
