package live_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"startupgraph/internal/apitest"
	"startupgraph/internal/apperr"
	"startupgraph/internal/live"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
	"startupgraph/internal/telemetry"
	"startupgraph/internal/testdb"
	"startupgraph/internal/viewer"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func newHub(t *testing.T, c *apitest.Client, opts live.Options) *live.Hub {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h, err := live.New(ctx, c.DSN, c.Store, slog.New(slog.NewTextHandler(io.Discard, nil)), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

func createFund(t *testing.T, c *apitest.Client, key string) {
	t.Helper()
	c.OK(t, `mutation($k: String!) { createFund(input: {key: $k, nameKo: $k, nameEn: $k, kind: VENTURE_FUND, size: 1}) { replayed } }`, map[string]any{"k": key}, nil)
}

func receive(t *testing.T, st *live.Stream, d time.Duration) (*model.Change, bool) {
	t.Helper()
	select {
	case c, ok := <-st.Changes:
		return c, ok
	case <-time.After(d):
		t.Fatalf("nothing within %s", d)
		return nil, false
	}
}

// TestSlowConsumer: a subscriber that does not read is dropped with
// ErrSlowConsumer once its buffer is full; what it holds stays bounded.
func TestSlowConsumer(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	h := newHub(t, c, live.Options{Buffer: 2})
	st, err := h.Subscribe(viewer.With(context.Background(), viewer.System), store.ChangeFilter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"slow-1", "slow-2", "slow-3", "slow-4"} {
		createFund(t, c, k)
	}
	// Read only once the hub has dropped the subscription: read earlier,
	// while the hub is still catching up with the writes (a loaded
	// machine), a change taken frees a place for the next one, and more
	// than the buffer's two arrive before the drop.
	for deadline := time.Now().Add(5 * time.Second); h.Open() != 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	n := 0
	for {
		_, ok := receive(t, st, 2*time.Second)
		if !ok {
			break
		}
		n++
	}
	if !errors.Is(st.Err(), apperr.ErrSlowConsumer) || n > 2 {
		t.Errorf("got %d changes, then %v; want at most 2, then ErrSlowConsumer", n, st.Err())
	}
	if h.Open() != 0 {
		t.Errorf("%d subscriptions still open", h.Open())
	}
}

// TestListenerReconnects: when the listener's connection is killed, the
// changes written while it was down still arrive once it is back (the
// subscription reads by cursor after the reconnection).
func TestListenerReconnects(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	h := newHub(t, c, live.Options{})
	ctx, cancel := context.WithCancel(viewer.With(context.Background(), viewer.System))
	defer cancel()
	st, err := h.Subscribe(ctx, store.ChangeFilter{Types: []string{"Fund"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	createFund(t, c, "before-kill")
	if ch, _ := receive(t, st, time.Second); ch == nil || ch.Action != "createFund" {
		t.Fatalf("got %+v", ch)
	}
	db, err := sql.Open("postgres", c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var killed int
	if err := db.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND datname = current_database()`).Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("killed %d listeners (%v)", killed, err)
	}
	createFund(t, c, "while-down-1")
	createFund(t, c, "while-down-2")
	for i := range 2 {
		if ch, _ := receive(t, st, 5*time.Second); ch == nil || ch.Type != "Fund" {
			t.Fatalf("change %d after the reconnection: %+v", i, ch)
		}
	}
}

// TestHubMetrics: the open subscriptions gauge follows subscriptions, and
// every notification's lag is observed.
func TestHubMetrics(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	m := telemetry.NewMetrics(nil)
	h := newHub(t, c, live.Options{Observe: m})
	ctx, cancel := context.WithCancel(viewer.With(context.Background(), viewer.System))
	st, err := h.Subscribe(ctx, store.ChangeFilter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	createFund(t, c, "metrics-1")
	receive(t, st, time.Second)
	gauge, lags := scrape(t, m)
	if gauge != 1 || lags < 1 {
		t.Errorf("with one subscription after one change: open %v, lag observations %d", gauge, lags)
	}
	cancel()
	for _, ok := receive(t, st, time.Second); ok; _, ok = receive(t, st, time.Second) {
	}
	if gauge, _ := scrape(t, m); gauge != 0 {
		t.Errorf("after it ended: open %v", gauge)
	}
}

func scrape(t *testing.T, m *telemetry.Metrics) (open float64, lags uint64) {
	t.Helper()
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		switch f.GetName() {
		case "startupgraph_subscriptions_open":
			open = f.GetMetric()[0].GetGauge().GetValue()
		case "startupgraph_notify_lag_seconds":
			lags = f.GetMetric()[0].GetHistogram().GetSampleCount()
		}
	}
	return open, lags
}

// TestInsightsGroups: subscribers of the same slice and scope get the
// same value (one memo, so each figure is read once for all of them),
// another scope its own; a burst of changes is sent at most once per
// InsightsEvery.
func TestInsightsGroups(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	h := newHub(t, c, live.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	admin := viewer.With(ctx, viewer.Viewer{Role: viewer.Admin, KeyID: 1})
	uni := viewer.With(ctx, viewer.Viewer{Role: viewer.University, KeyID: 2, UniversityID: 1})
	a, err := h.SubscribeInsights(admin, "all", store.Insights{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := h.SubscribeInsights(admin, "all", store.Insights{})
	u, _ := h.SubscribeInsights(uni, "all", store.Insights{})
	first := func(ch <-chan *store.Insights) *store.Insights {
		t.Helper()
		select {
		case v := <-ch:
			return v
		case <-time.After(3 * time.Second):
			t.Fatal("no totals")
			return nil
		}
	}
	va, vb, vu := first(a), first(b), first(u)
	if va != vb || va.Memo == nil || va == vu {
		t.Fatalf("same scope shares %v, other scope apart %v", va == vb, va != vu)
	}
	start := time.Now()
	for _, k := range []string{"burst-1", "burst-2", "burst-3", "burst-4"} {
		createFund(t, c, k)
	}
	n1 := first(a)
	n2 := first(b)
	if n1 == va || n1 != n2 {
		t.Fatalf("after the changes: a new value %v, shared %v", n1 != va, n1 == n2)
	}
	// The burst took well under a second: at most one more update follows,
	// and not before InsightsEvery after the first.
	var more []time.Time
	deadline := time.After(start.Add(1500 * time.Millisecond).Sub(time.Now()))
	for done := false; !done; {
		select {
		case <-a:
			more = append(more, time.Now())
		case <-deadline:
			done = true
		}
	}
	if len(more) > 1 {
		t.Errorf("%d updates after the first within 1.5 s of a burst", len(more))
	}
	// Closing the hub ends them (a server's shutdown waits for no stream).
	_ = h.Close()
	for _, ch := range []<-chan *store.Insights{a, b, u} {
		for range ch {
		}
	}
}

// TestMemo: a memo computes a key once for everyone, and again after an
// error.
func TestMemo(t *testing.T) {
	var m model.Memo
	calls := 0
	for range 3 {
		v, err := m.Do("k", func() (any, error) { calls++; return 42, nil })
		if v != 42 || err != nil {
			t.Fatal(v, err)
		}
	}
	if _, err := m.Do("e", func() (any, error) { return nil, errors.New("x") }); err == nil {
		t.Fatal("no error")
	}
	v, _ := m.Do("e", func() (any, error) { calls++; return 1, nil })
	if calls != 2 || v != 1 {
		t.Errorf("calls %d, value %v", calls, v)
	}
}
