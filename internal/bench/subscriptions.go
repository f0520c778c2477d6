package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"startupgraph/internal/localpg"
	"startupgraph/internal/store"
)

// The subscription measurement (issue 21): one server, n graphql-ws
// subscriptions to the change feed held open by this process (one
// connection each), and the server's memory before and after they open;
// then writes changes one at a time and times each one's delivery to
// every subscriber, from the moment its mutation was sent. All on
// 127.0.0.1, bounded by n, the number of writes and a timeout per step.

type subscriptionResult struct {
	n, writes           int
	idleKB, openKB      int64
	openTime            time.Duration
	latencies           []time.Duration // one per subscriber per write
	missing             int             // deliveries that did not arrive within deliveryWait
	p50, p99, maxLatent time.Duration
}

// deliveryWait bounds the wait for one write's deliveries.
const deliveryWait = 10 * time.Second

func runSubscriptions(ctx context.Context, o options, bin string, cluster *localpg.Cluster, logf func(string, ...any)) (subscriptionResult, error) {
	res := subscriptionResult{n: o.subscriptions, writes: o.subscriptionWrites}
	name := "bench_subscriptions"
	dsn := cluster.URL(name)
	if err := store.EnsureDatabase(ctx, cluster.URL("postgres"), name); err != nil {
		return res, err
	}
	if _, err := runCLI(ctx, bin, dsn, "migrate"); err != nil {
		return res, err
	}
	out, err := runCLI(ctx, bin, dsn, "apikey", "create", "-name", "bench-subscriptions", "-role", "ADMIN")
	if err != nil {
		return res, err
	}
	fields := strings.Fields(strings.TrimSpace(out))
	if len(fields) == 0 || !strings.HasPrefix(fields[len(fields)-1], "sg_") {
		return res, fmt.Errorf("apikey create printed no key: %q", out)
	}
	key := fields[len(fields)-1]
	settings := append([]string{"STARTUPGRAPH_SUBSCRIPTIONS_PER_KEY=" + strconv.Itoa(o.subscriptions)}, o.serverEnv...)
	srv, err := startServer(ctx, bin, dsn, settings)
	if err != nil {
		return res, err
	}
	defer srv.stop()
	time.Sleep(time.Second) // let the fresh process settle before its idle size is read
	res.idleKB, _ = procStatusKB(srv.pid(), "VmRSS")

	logf("opening %d subscriptions", o.subscriptions)
	url := "ws://" + srv.addr + "/graphql"
	subs := make([]*subscriber, o.subscriptions)
	start := time.Now()
	for i := range subs {
		if subs[i], err = subscribe(ctx, url, key); err != nil {
			for _, s := range subs[:i] {
				s.close()
			}
			return res, fmt.Errorf("subscription %d: %w", i+1, err)
		}
	}
	defer func() {
		for _, s := range subs {
			s.close()
		}
	}()
	res.openTime = time.Since(start)
	time.Sleep(2 * time.Second) // every subscription has read from "now" once
	res.openKB, _ = procStatusKB(srv.pid(), "VmRSS")

	logf("writing %d changes, one at a time", o.subscriptionWrites)
	client := &http.Client{Timeout: 10 * time.Second}
	for w := range o.subscriptionWrites {
		sent := time.Now()
		k := fmt.Sprintf("bench-live-%d", w)
		body, _ := json.Marshal(map[string]any{"query": `mutation($k: String!) { createFund(input: {key: $k, nameKo: $k, nameEn: $k, kind: VENTURE_FUND, size: 1}) { replayed } }`, "variables": map[string]any{"k": k}})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.endpoint(), strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := client.Do(req)
		if err != nil {
			return res, err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || strings.Contains(string(b), `"errors"`) {
			return res, fmt.Errorf("write %d: %d %s", w, resp.StatusCode, b)
		}
		for _, s := range subs {
			select {
			case at := <-s.got:
				res.latencies = append(res.latencies, at.Sub(sent))
			case <-time.After(time.Until(sent.Add(deliveryWait))):
				res.missing++
			}
		}
	}
	if len(res.latencies) > 0 {
		slices.Sort(res.latencies)
		q := func(p float64) time.Duration {
			return res.latencies[min(len(res.latencies)-1, int(p*float64(len(res.latencies))))]
		}
		res.p50, res.p99, res.maxLatent = q(0.50), q(0.99), res.latencies[len(res.latencies)-1]
	}
	return res, nil
}

// subscriber is one graphql-ws connection with one subscription; got
// receives the time each change arrived.
type subscriber struct {
	conn *websocket.Conn
	got  chan time.Time
	once sync.Once
}

func subscribe(ctx context.Context, url, key string) (*subscriber, error) {
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, err
	}
	type msg struct {
		ID      string          `json:"id,omitempty"`
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload,omitempty"`
	}
	init, _ := json.Marshal(map[string]string{"Authorization": "Bearer " + key})
	if err := wsjson.Write(dctx, conn, msg{Type: "connection_init", Payload: init}); err != nil {
		_ = conn.CloseNow()
		return nil, err
	}
	var ack msg
	if err := wsjson.Read(dctx, conn, &ack); err != nil || ack.Type != "connection_ack" {
		_ = conn.CloseNow()
		return nil, fmt.Errorf("no connection_ack (%v, %+v)", err, ack)
	}
	sub, _ := json.Marshal(map[string]any{"query": "subscription { changes { cursor action } }"})
	if err := wsjson.Write(dctx, conn, msg{ID: "1", Type: "subscribe", Payload: sub}); err != nil {
		_ = conn.CloseNow()
		return nil, err
	}
	s := &subscriber{conn: conn, got: make(chan time.Time, 1024)}
	go func() {
		for {
			var m msg
			if err := wsjson.Read(context.Background(), conn, &m); err != nil {
				return
			}
			switch m.Type {
			case "next":
				s.got <- time.Now()
			case "ping":
				_ = wsjson.Write(context.Background(), conn, msg{Type: "pong"})
			}
		}
	}()
	return s, nil
}

func (s *subscriber) close() {
	if s != nil {
		s.once.Do(func() { _ = s.conn.Close(websocket.StatusNormalClosure, "") })
	}
}

// markdown is the measurement's section of the report.
func (r subscriptionResult) markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("## Subscriptions")
	w("")
	w("%d graphql-ws subscriptions to `changes` on one server process (one WebSocket each, opened by the harness in %s), then %d changes written one at a time.", r.n, r.openTime.Round(time.Millisecond), r.writes)
	w("")
	w("| measure | value |")
	w("|---|---|")
	w("| server RSS, idle | %.1f MB |", mb(r.idleKB))
	w("| server RSS, %d subscriptions open | %.1f MB |", r.n, mb(r.openKB))
	if r.n > 0 {
		w("| memory per subscription (RSS difference / n) | %.1f KB |", float64(r.openKB-r.idleKB)*1024/1000/float64(r.n))
	}
	w("| deliveries timed | %d (%d missing after %s) |", len(r.latencies), r.missing, deliveryWait)
	w("| delivery latency p50 (mutation sent to change received) | %s ms |", fms(r.p50))
	w("| delivery latency p99 | %s ms |", fms(r.p99))
	w("| delivery latency max | %s ms |", fms(r.maxLatent))
	return b.String()
}
