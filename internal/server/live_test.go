package server_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"startupgraph/internal/apitest"
	"startupgraph/internal/auth"
	"startupgraph/internal/config"
	"startupgraph/internal/live"
	"startupgraph/internal/model"
	"startupgraph/internal/server"
	"startupgraph/internal/store"
	"startupgraph/internal/testdb"
)

// The live feed over the wire: graphql-transport-ws and graphql-sse as
// their clients speak them, against servers with their own hubs (their
// own LISTEN connections) on one database.

// liveServer is one server process's worth: a hub listening on the
// database and the HTTP service over it.
func liveServer(t *testing.T, c *apitest.Client, opts live.Options) *httptest.Server {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hub, err := live.New(ctx, c.DSN, c.Store, logger, opts)
	if err != nil {
		t.Fatal(err)
	}
	h := server.NewHandler(server.Deps{Config: config.Config{RequestTimeout: 10 * time.Second}, Logger: logger, Store: c.Store, Live: hub})
	srv := httptest.NewServer(h)
	t.Cleanup(func() { _ = hub.Close(); srv.Close() })
	return srv
}

// wsMsg is a graphql-transport-ws message.
type wsMsg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsClient opens a graphql-transport-ws connection with key in
// connection_init and waits for connection_ack.
func wsClient(t *testing.T, srv *httptest.Server, key string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	if conn.Subprotocol() != "graphql-transport-ws" {
		t.Fatalf("subprotocol %q", conn.Subprotocol())
	}
	init := map[string]string{}
	if key != "" {
		init["Authorization"] = "Bearer " + key
	}
	payload, _ := json.Marshal(init)
	wsSend(t, conn, wsMsg{Type: "connection_init", Payload: payload})
	if m := wsNext(t, conn, 5*time.Second); m.Type != "connection_ack" {
		t.Fatalf("got %+v, want connection_ack", m)
	}
	return conn
}

func wsSend(t *testing.T, conn *websocket.Conn, m wsMsg) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := wsjson.Write(ctx, conn, m); err != nil {
		t.Fatal(err)
	}
}

// next reads the next message other than ping/pong within d.
func wsNext(t *testing.T, conn *websocket.Conn, d time.Duration) wsMsg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		var m wsMsg
		if err := wsjson.Read(ctx, conn, &m); err != nil {
			t.Fatalf("read: %v", err)
		}
		if m.Type == "ping" {
			wsSend(t, conn, wsMsg{Type: "pong"})
			continue
		}
		if m.Type != "pong" {
			return m
		}
	}
}

func wsSubscribe(t *testing.T, conn *websocket.Conn, id, query string, vars map[string]any) {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	wsSend(t, conn, wsMsg{ID: id, Type: "subscribe", Payload: payload})
}

const changesSub = `subscription($after: String) { changes(after: $after) { cursor nodeId type kind action } }`

type changeEvent struct {
	Data struct {
		Changes struct{ Cursor, NodeID, Type, Kind, Action string }
	}
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

func wsEvent(t *testing.T, m wsMsg) changeEvent {
	t.Helper()
	var e changeEvent
	if err := json.Unmarshal(m.Payload, &e); err != nil {
		t.Fatalf("%s: %v", m.Payload, err)
	}
	return e
}

// fromNow is the variables of a subscription that starts after the newest
// change (writing one first when there is none): a subscription given a
// cursor misses nothing written after it, so no test waits for its
// subscribe message to arrive.
func fromNow(t *testing.T, c *apitest.Client) map[string]any {
	t.Helper()
	n := countOf(t, c.DSN, `SELECT COALESCE(max(id), 0) FROM audit_log`)
	if n == 0 {
		createFund(t, c, "from-now")
		n = countOf(t, c.DSN, `SELECT max(id) FROM audit_log`)
	}
	return map[string]any{"after": model.Cursor{Tag: model.ChangeCursorTag, ID: int64(n)}.String()}
}

// createFund writes a public change and returns when it has committed.
func createFund(t *testing.T, c *apitest.Client, key string) {
	t.Helper()
	c.OK(t, `mutation($k: String!) { createFund(input: {key: $k, nameKo: $k, nameEn: $k, kind: VENTURE_FUND, size: 1}) { replayed } }`, map[string]any{"k": key}, nil)
}

// TestLiveWebsocket: a graphql-ws subscriber gets a change within a second
// of the mutation, from each of two servers on one database; a refused
// subscribe gets error and no complete; a resumed subscription misses
// nothing.
func TestLiveWebsocket(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	a, b := liveServer(t, c, live.Options{}), liveServer(t, c, live.Options{})
	ca, cb := wsClient(t, a, c.Key), wsClient(t, b, c.Key)
	now := fromNow(t, c)
	wsSubscribe(t, ca, "1", changesSub, now)
	wsSubscribe(t, cb, "1", changesSub, now)
	start := time.Now()
	createFund(t, c, "live-one")
	var cursor string
	for name, conn := range map[string]*websocket.Conn{"server a": ca, "server b": cb} {
		m := wsNext(t, conn, time.Second)
		e := wsEvent(t, m)
		if m.Type != "next" || m.ID != "1" || e.Data.Changes.Action != "createFund" || e.Data.Changes.Kind != "CREATE" {
			t.Fatalf("%s: got %s %s", name, m.Type, m.Payload)
		}
		cursor = e.Data.Changes.Cursor
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("delivered after %s", d)
	}

	// A subscribe refused by validation: error, then nothing for its id.
	wsSubscribe(t, ca, "2", `subscription { changes { nope } }`, nil)
	if m := wsNext(t, ca, time.Second); m.Type != "error" || m.ID != "2" {
		t.Fatalf("got %+v, want error for 2", m)
	}
	createFund(t, c, "live-fence")
	if m := wsNext(t, ca, time.Second); m.Type != "next" || m.ID != "1" {
		t.Fatalf("after an error: got %s %s %s, want the next change of 1", m.Type, m.ID, m.Payload)
	}
	if m := wsNext(t, cb, time.Second); m.Type != "next" || m.ID != "1" {
		t.Fatalf("server b: got %s %s %s, want the fence", m.Type, m.ID, m.Payload)
	}

	// Resume: the writes made while no one listened arrive, in order.
	wsSend(t, cb, wsMsg{ID: "1", Type: "complete"})
	createFund(t, c, "live-missed-1")
	createFund(t, c, "live-missed-2")
	wsSubscribe(t, cb, "3", changesSub, map[string]any{"after": cursor})
	var got []string
	for range 3 {
		m := wsNext(t, cb, time.Second)
		if m.Type != "next" || m.ID != "3" {
			t.Fatalf("resumed: got %s %s %s", m.Type, m.ID, m.Payload)
		}
		got = append(got, wsEvent(t, m).Data.Changes.Action)
	}
	if strings.Join(got, " ") != "createFund createFund createFund" {
		t.Errorf("resumed: %v", got)
	}
}

// TestLiveScope: a university's subscription never receives another
// university's team; an anonymous one is refused; a key past its limit of
// subscriptions is RATE_LIMITED.
func TestLiveScope(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	srv := liveServer(t, c, live.Options{MaxPerKey: 1})
	suny := wsClient(t, srv, c.NewKey(t, "UNIVERSITY", "suny-korea"))
	wsSubscribe(t, suny, "1", changesSub, fromNow(t, c))
	var team struct {
		CreateStartup struct{ Startup struct{ ID string } }
	}
	c.OK(t, `mutation { createStartup(input: {key: "ghent-live", nameKo: "겐트", nameEn: "Ghent Live"}) { startup { id } } }`, nil, &team)
	var ghent struct {
		Universities []struct{ ID, Key string }
	}
	c.OK(t, `{ universities { id key } }`, nil, &ghent)
	for _, u := range ghent.Universities {
		if u.Key == "ghent-university" {
			c.OK(t, `mutation($u: ID!, $t: ID!) { assignTeam(input: {universityId: $u, startupId: $t, purpose: JOINT_PROJECT}) { replayed } }`, map[string]any{"u": u.ID, "t": team.CreateStartup.Startup.ID}, nil)
		}
	}
	createFund(t, c, "live-public") // visible to every key: the fence
	m := wsNext(t, suny, time.Second)
	if e := wsEvent(t, m); m.Type != "next" || e.Data.Changes.Action != "createFund" {
		t.Fatalf("SUNY Korea received %s %s before the public change", m.Type, m.Payload)
	}

	wsSubscribe(t, suny, "2", changesSub, nil)
	if m := wsNext(t, suny, time.Second); m.ID != "2" || !strings.Contains(string(m.Payload), "RATE_LIMITED") {
		t.Fatalf("second subscription of a key limited to one: %s %s", m.Type, m.Payload)
	}

	anon := wsClient(t, srv, "")
	wsSubscribe(t, anon, "1", changesSub, nil)
	if m := wsNext(t, anon, time.Second); !strings.Contains(string(m.Payload), "UNAUTHENTICATED") {
		t.Fatalf("anonymous: %s %s", m.Type, m.Payload)
	}
}

// TestLiveSSE: a graphql-sse client (distinct connections) gets the
// change as an event stream, which it is sent only when it accepts one.
func TestLiveSSE(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	srv := liveServer(t, c, live.Options{})
	resp := ssePost(t, srv, c.Key, map[string]any{"query": changesSub, "variables": fromNow(t, c)})
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	lines := bufio.NewScanner(resp.Body)
	lines.Scan() // the stream's opening comment
	start := time.Now()
	createFund(t, c, "live-sse")
	var ev, data string
	for lines.Scan() {
		l := lines.Text()
		if v, ok := strings.CutPrefix(l, "event: "); ok {
			ev = v
		}
		if v, ok := strings.CutPrefix(l, "data: "); ok {
			data = v
		}
		if l == "" && ev != "" {
			break
		}
	}
	if ev != "next" || !strings.Contains(data, `"createFund"`) || time.Since(start) > time.Second {
		t.Fatalf("got event %q data %s after %s", ev, data, time.Since(start))
	}

	// Without text/event-stream in Accept, a subscription is refused in JSON.
	plain := c.Do(t, changesSub, nil)
	if plain.Code() != "UNSUPPORTED_TRANSPORT" {
		t.Errorf("subscription over plain POST: %s %s", plain.Code(), plain.Data)
	}
}

// TestLiveNodeClients runs e2e/live.test.mjs: the npm graphql-ws and
// graphql-sse clients against two servers (two hubs, two LISTEN
// connections) on one database. It needs node and e2e's node_modules
// (npm ci in e2e/); without them it is skipped, and says so.
func TestLiveNodeClients(t *testing.T) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH")
	}
	e2e, _ := filepath.Abs("../../e2e")
	if _, err := os.Stat(filepath.Join(e2e, "node_modules", "graphql-ws")); err != nil {
		t.Skip("e2e/node_modules has no graphql-ws: run npm ci in e2e/")
	}
	c := apitest.New(t, testdb.Demo)
	a, b := liveServer(t, c, live.Options{}), liveServer(t, c, live.Options{})
	var unis struct {
		Universities []struct{ ID, Key string }
	}
	c.OK(t, `{ universities { id key } }`, nil, &unis)
	ghent := ""
	for _, u := range unis.Universities {
		if u.Key == "ghent-university" {
			ghent = u.ID
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, nodeBin, "--test", "--test-reporter=spec", "live.test.mjs")
	cmd.Dir = e2e
	cmd.Env = append(os.Environ(), "LIVE_URL_A="+a.URL, "LIVE_URL_B="+b.URL, "LIVE_ADMIN_KEY="+c.Key,
		"LIVE_SUNY_KEY="+c.NewKey(t, "UNIVERSITY", "suny-korea"), "LIVE_GHENT_ID="+ghent)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test live.test.mjs: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// TestLiveKeyStopsGranting: a subscription whose key stops granting
// access while it is open (here it expires; a revoked key takes the same
// path once the authenticator's cache forgets it, within auth.CacheTTL)
// ends with UNAUTHENTICATED within the recheck interval, and receives
// nothing after.
func TestLiveKeyStopsGranting(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	srv := liveServer(t, c, live.Options{Recheck: 100 * time.Millisecond})
	k, err := auth.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	expires := time.Now().Add(1500 * time.Millisecond)
	if _, err := c.Store.CreateAPIKey(context.Background(), store.NewAPIKey{Name: "expiring", Role: "ANALYST", Hash: k.Hash, Prefix: k.Prefix, ExpiresAt: &expires}); err != nil {
		t.Fatal(err)
	}
	conn := wsClient(t, srv, k.Secret)
	wsSubscribe(t, conn, "1", changesSub, fromNow(t, c))
	createFund(t, c, "key-alive")
	if m := wsNext(t, conn, time.Second); m.Type != "next" {
		t.Fatalf("while the key grants access: %s %s", m.Type, m.Payload)
	}
	m := wsNext(t, conn, 3*time.Second)
	if m.Type != "error" || m.ID != "1" || !strings.Contains(string(m.Payload), "UNAUTHENTICATED") {
		t.Fatalf("after the key expired: %s %s %s", m.Type, m.ID, m.Payload)
	}
	if late := time.Since(expires); late > time.Second {
		t.Errorf("ended %s after the key expired", late)
	}
}

// TestLiveSSERefusals: a subscription POST that accepts an event stream
// but whose body is not one JSON object, or whose key grants nothing, is
// refused in JSON before any stream starts.
func TestLiveSSERefusals(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	srv := liveServer(t, c, live.Options{})
	for _, tc := range []struct {
		name, body, key string
		status          int
		code            string
	}{
		{"a batch", `[{"query":"subscription { changes { cursor } }"}]`, c.Key, http.StatusBadRequest, "BAD_REQUEST"},
		{"not JSON", `{"query":`, c.Key, http.StatusBadRequest, "BAD_REQUEST"},
		{"an unknown key", `{"query":"subscription { changes { cursor } }"}`, "sg_unknown", http.StatusUnauthorized, "UNAUTHENTICATED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "text/event-stream")
			req.Header.Set("Authorization", "Bearer "+tc.key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var r struct {
				Errors []struct{ Extensions map[string]any }
			}
			_ = json.NewDecoder(resp.Body).Decode(&r)
			if resp.StatusCode != tc.status || len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != tc.code {
				t.Errorf("got %d %+v (%s), want %d %s", resp.StatusCode, r, resp.Header.Get("Content-Type"), tc.status, tc.code)
			}
		})
	}
}

// TestLiveInsights: Subscription.insights sends a university its totals at
// once, and its new count soon after a team is assigned to it.
func TestLiveInsights(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	srv := liveServer(t, c, live.Options{})
	conn := wsClient(t, srv, c.NewKey(t, "UNIVERSITY", "suny-korea"))
	wsSubscribe(t, conn, "1", `subscription { insights { startups } }`, nil)
	count := func(m wsMsg) int {
		t.Helper()
		var e struct {
			Data struct{ Insights struct{ Startups int } }
		}
		if err := json.Unmarshal(m.Payload, &e); err != nil || m.Type != "next" {
			t.Fatalf("%s %s", m.Type, m.Payload)
		}
		return e.Data.Insights.Startups
	}
	before := count(wsNext(t, conn, 2*time.Second))
	want := countOf(t, c.DSN, `SELECT count(DISTINCT startup_id) FROM assignments a JOIN universities u ON u.id = a.university_id WHERE u.key = 'suny-korea'`)
	if want != before {
		t.Fatalf("totals %d, the oracle counts %d", before, want)
	}
	var team struct {
		CreateStartup struct{ Startup struct{ ID string } }
	}
	c.OK(t, `mutation { createStartup(input: {key: "suny-live", nameKo: "수니", nameEn: "SUNY Live"}) { startup { id } } }`, nil, &team)
	var unis struct {
		Universities []struct{ ID, Key string }
	}
	c.OK(t, `{ universities { id key } }`, nil, &unis)
	for _, u := range unis.Universities {
		if u.Key == "suny-korea" {
			c.OK(t, `mutation($u: ID!, $t: ID!) { assignTeam(input: {universityId: $u, startupId: $t, purpose: JOINT_PROJECT}) { replayed } }`, map[string]any{"u": u.ID, "t": team.CreateStartup.Startup.ID}, nil)
		}
	}
	deadline := time.Now().Add(3 * time.Second)
	for got := before; got != before+1; {
		if time.Now().After(deadline) {
			t.Fatalf("the count stayed %d", got)
		}
		got = count(wsNext(t, conn, 3*time.Second))
	}
}

// countOf runs an oracle query returning one count.
func countOf(t *testing.T, dsn, q string) int {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLiveMatrix: the role matrix, extended to subscriptions. Every role
// subscribes, writes touch SUNY Korea's, Ghent's and a shared team and a
// public fund, and each subscription must receive exactly the changes an
// independent SQL oracle lets that role see, in order, ending with the
// public fence.
func TestLiveMatrix(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	srv := liveServer(t, c, live.Options{})
	var unis struct {
		Universities []struct{ ID, Key string }
	}
	c.OK(t, `{ universities { id key } }`, nil, &unis)
	uni := map[string]string{}
	for _, u := range unis.Universities {
		uni[u.Key] = u.ID
	}
	roles := []struct {
		name, key, university string
	}{
		{"ADMIN", c.Key, ""},
		{"ANALYST", c.NewKey(t, "ANALYST", ""), ""},
		{"SUNY Korea", c.NewKey(t, "UNIVERSITY", "suny-korea"), "suny-korea"},
		{"Ghent University", c.NewKey(t, "UNIVERSITY", "ghent-university"), "ghent-university"},
	}
	now := fromNow(t, c)
	start := countOf(t, c.DSN, `SELECT max(id) FROM audit_log`)
	conns := make([]*websocket.Conn, len(roles))
	for i, r := range roles {
		conns[i] = wsClient(t, srv, r.key)
		wsSubscribe(t, conns[i], "1", changesSub, now)
	}
	team := func(key string) string {
		var r struct {
			CreateStartup struct{ Startup struct{ ID string } }
		}
		c.OK(t, `mutation($k: String!) { createStartup(input: {key: $k, nameKo: $k, nameEn: $k}) { startup { id } } }`, map[string]any{"k": key}, &r)
		return r.CreateStartup.Startup.ID
	}
	assign := func(u, s string) {
		c.OK(t, `mutation($u: ID!, $t: ID!) { assignTeam(input: {universityId: $u, startupId: $t, purpose: JOINT_PROJECT}) { replayed } }`, map[string]any{"u": uni[u], "t": s}, nil)
	}
	sunyTeam, ghentTeam, shared := team("matrix-suny"), team("matrix-ghent"), team("matrix-shared")
	assign("suny-korea", sunyTeam)
	assign("ghent-university", ghentTeam)
	assign("suny-korea", shared)
	assign("ghent-university", shared)
	for _, s := range []string{sunyTeam, ghentTeam, shared} {
		c.OK(t, `mutation($t: ID!) { updateStartup(input: {id: $t, expectedVersion: 1, foundedOn: "2018-04-01"}) { replayed } }`, map[string]any{"t": s}, nil)
	}
	createFund(t, c, "matrix-fence")
	fence := countOf(t, c.DSN, `SELECT max(id) FROM audit_log`)

	for i, r := range roles {
		t.Run(r.name, func(t *testing.T) {
			// The oracle: public nodes' changes; a startup's when the role
			// reads everything or its university was assigned the startup
			// when the change was written (the assignment's created_at),
			// an assignment's only when it is the university's own.
			want := ids(t, c.DSN, `
SELECT a.id FROM audit_log a LEFT JOIN universities u ON u.key = $3
WHERE a.id > $1 AND a.id <= $2 AND (
  $3 = '' OR a.entity_type IN ('Fund', 'Market', 'Program', 'Cohort')
  OR (a.entity_type = 'Startup'
      AND EXISTS (SELECT 1 FROM assignments x WHERE x.startup_id = a.entity_id AND x.university_id = u.id AND x.created_at <= a.at)
      AND (a.action NOT IN ('assignTeam', 'unassignTeam', 'correctAssignment')
           OR (COALESCE(a.after, a.before)->>'university_id')::bigint = u.id)))
ORDER BY a.id`, start, fence, r.university)
			var got []int64
			for len(got) == 0 || got[len(got)-1] != int64(fence) {
				m := wsNext(t, conns[i], 2*time.Second)
				e := wsEvent(t, m)
				cur, err := model.ParseCursor(e.Data.Changes.Cursor)
				if err != nil || m.Type != "next" {
					t.Fatalf("%s %s", m.Type, m.Payload)
				}
				got = append(got, cur.ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
			if r.university != "" && len(want) >= fence-start {
				t.Errorf("the writes do not tell %s apart: it sees all %d", r.name, len(want))
			}
		})
	}
}

// ids runs an oracle query returning audit ids in order.
func ids(t *testing.T, dsn, q string, args ...any) []int64 {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// TestQueriesOverLiveTransports: a query (not a subscription) sent over
// graphql-ws or graphql-sse is answered with its data, through loaders
// of its own; it failed as INTERNAL_SERVER_ERROR (no loaders on the
// subscription stack).
func TestQueriesOverLiveTransports(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	srv := liveServer(t, c, live.Options{})
	const query = `{ universities { key startups(first: 2) { nodes { key mentors(first: 1) { nodes { key } } } } } }`
	want := c.Do(t, query, nil)
	if len(want.Errors) > 0 || !strings.Contains(string(want.Data), `"key"`) {
		t.Fatalf("over HTTP: %s %v", want.Data, want.Errors)
	}

	conn := wsClient(t, srv, c.Key)
	wsSubscribe(t, conn, "q1", query, nil)
	m := wsNext(t, conn, 5*time.Second)
	var got struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal(m.Payload, &got); err != nil || m.Type != "next" || len(got.Errors) > 0 || string(got.Data) != string(want.Data) {
		t.Fatalf("over graphql-ws: %s %s, want data %s", m.Type, m.Payload, want.Data)
	}

	resp := ssePost(t, srv, c.Key, map[string]any{"query": query})
	lines := bufio.NewScanner(resp.Body)
	lines.Buffer(make([]byte, 0, 1<<16), 1<<20)
	var data string
	for lines.Scan() {
		if v, ok := strings.CutPrefix(lines.Text(), "data: "); ok {
			data = v
			break
		}
	}
	if err := json.Unmarshal([]byte(data), &got); err != nil || len(got.Errors) > 0 || string(got.Data) != string(want.Data) {
		t.Fatalf("over graphql-sse: %s, want data %s", data, want.Data)
	}
}

// ssePost opens a graphql-sse stream of payload as key, for at most 5 s;
// the body is closed when the test ends.
func ssePost(t *testing.T, srv *httptest.Server, key string, payload map[string]any) *http.Response {
	t.Helper()
	body, _ := json.Marshal(payload)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}
