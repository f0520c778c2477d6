package server_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"startupgraph/internal/apitest"
	"startupgraph/internal/config"
	"startupgraph/internal/server"
	"startupgraph/internal/testdb"
)

// Clients that hang up: what the server does with their requests, over
// real connections on 127.0.0.1. The helpers (a live service, the log it
// writes, bursts and hang-ups) are in clientleave_helpers_test.go.

// TestAbandonedRequestsKeepThePool: clients that hang up while their
// statements run do not cost the pool its sessions. The pool (8) is
// filled, then 24 requests are started while the table they read is
// locked, so 8 hold a connection with a statement waiting in PostgreSQL
// and 16 wait for a connection; once all 24 are on the server, all 24
// clients hang up, and the lock is released well within the statement
// grace (30 s here, so that unwinding under -race cannot outlast it). The
// statements finish, their connections go back to the pool, and a burst
// of 24 requests is then served, all 200, by the very same 8 backends:
// before, lib/pq closed every connection whose statement was cancelled,
// and the burst ran on new backends. No hang-up is logged as a failure.
func TestAbandonedRequestsKeepThePool(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	svc := startLive(t, c, config.Config{RequestTimeout: time.Minute, StatementGrace: 30 * time.Second})
	db := testdb.Observer(t, c.DSN)
	const pool, abandoned = 8, 24 // the pool apitest opens; 3× it
	const query = `{ startups(first: 3) { nodes { name } } }`

	// Fill the pool: pool requests held on the lock at once.
	unlock := testdb.LockTable(t, db, "startups", "ACCESS EXCLUSIVE")
	var filled sync.WaitGroup
	for range pool {
		filled.Go(func() {
			if status, r, err := svc.post(context.Background(), query); err != nil || status != http.StatusOK || len(r.Errors) > 0 {
				t.Errorf("filling the pool: %d %v %+v", status, err, r.Errors)
			}
		})
	}
	testdb.Eventually(t, 5*time.Second, "the pool to fill", func() bool { return testdb.WaitingOnLock(t, db) == pool })
	unlock()
	filled.Wait()
	before := backends(t, db)
	if len(before) != pool {
		t.Fatalf("%d backends after filling the pool, want %d", len(before), pool)
	}

	// Abandon requests while their statements wait.
	unlock = testdb.LockTable(t, db, "startups", "ACCESS EXCLUSIVE")
	waited := c.Store.PoolStats().WaitCount
	hangUp := svc.abandon(abandoned, query)
	// Every request is on the server before any client hangs up: pool of
	// them with a statement waiting on the lock, the rest waiting for a
	// connection.
	testdb.Eventually(t, 10*time.Second, "the statements to wait on the lock and the rest for a connection", func() bool {
		return testdb.WaitingOnLock(t, db) == pool && c.Store.PoolStats().WaitCount-waited == abandoned-pool
	})
	hangUp()
	// The requests that held no connection end at once; then the lock goes.
	testdb.Eventually(t, 10*time.Second, "the hang-ups without a connection to be logged", func() bool {
		return len(svc.logs.entries(t, "request")) == pool+abandoned-pool
	})
	unlock()
	var ended, inUse int
	defer func() {
		if t.Failed() {
			t.Logf("%d requests logged, %d connections in use; log:\n%s", ended, inUse, svc.logs.String())
		}
	}()
	testdb.Eventually(t, 20*time.Second, "every abandoned request to end", func() bool {
		ended, inUse = len(svc.logs.entries(t, "request")), c.Store.PoolStats().InUse
		return ended == pool+abandoned && inUse == 0
	})

	svc.burst(t, abandoned, query)
	after := backends(t, db)
	opened := 0
	for pid := range after {
		if !before[pid] {
			opened++
		}
	}
	stats := c.Store.PoolStats()
	t.Logf("backends: %d before, %d after, %d new; pool open %d", len(before), len(after), opened, stats.OpenConnections)
	if opened != 0 || len(after) != pool || stats.OpenConnections != pool {
		t.Errorf("after %d hang-ups the burst opened %d new backends (%d open, pool %d); want the pool's %d kept", abandoned, opened, len(after), stats.OpenConnections, pool)
	}
	closed := 0
	for _, e := range svc.logs.entries(t, "request")[pool:] {
		if isHangUp(e) {
			closed++
		}
	}
	if closed != abandoned {
		t.Errorf("%d of %d hang-ups logged as client-closed (499)", closed, abandoned)
	}
	svc.logs.expectNoFailures(t)
}

// TestOperationOfAClientThatLeftIsNotAPanic: a client that hangs up after
// its request was read and its operation admitted, but before the
// operation runs, made gqlgen return no response, and the transport read
// resp.Data of nil: a panic, logged as "panic in resolver", and a 500.
// The request is run through the whole handler stack with a context that
// has already ended, which is where the race puts it.
func TestOperationOfAClientThatLeftIsNotAPanic(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	logs := &logLines{}
	h := server.NewHandler(server.Deps{Config: config.Config{RequestTimeout: 10 * time.Second},
		Logger: slog.New(slog.NewJSONHandler(logs, nil)), Store: c.Store})
	for _, accept := range []string{"application/json", "application/graphql-response+json"} {
		t.Run(accept, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // the client has gone
			req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ sectors { nodes { key } } }"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", accept)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			r := apitest.Decode(t, rec)
			t.Logf("%d %s %s", rec.Code, r.Code(), rec.Body.String())
			if rec.Code >= 500 || r.Code() != "TIMEOUT" {
				t.Errorf("answered %d %q; want TIMEOUT and no server error", rec.Code, r.Code())
			}
		})
	}
	logs.expectNoFailures(t)
	for _, e := range logs.entries(t, "request") {
		if !isHangUp(e) {
			t.Errorf("access log %v; want status 499 and client_closed", e)
		}
	}
}

// TestHangUpInTheHeavyLaneIsLoggedAsClientClosed: a client that hangs up
// while its costly query waits for the heavy-query lane was logged as a
// 503, a server failure. Now it is logged with status 499 and
// client_closed, and nothing is logged as a failure. The lane's one slot
// is held by a costly query waiting on a locked table.
func TestHangUpInTheHeavyLaneIsLoggedAsClientClosed(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	svc := startLive(t, c, config.Config{RequestTimeout: 10 * time.Second, HeavyQueryCost: 1000, MaxHeavyInFlight: 1, HeavyQueueWait: 5 * time.Second})
	db := testdb.Observer(t, c.DSN)
	const costly = `{ startups(first: 100) { nodes { mentors(first: 10) { nodes { name } } } } }` // 1,100 nodes

	unlock := testdb.LockTable(t, db, "startups", "ACCESS EXCLUSIVE")
	holder := make(chan int, 1)
	go func() {
		status, _, _ := svc.post(context.Background(), costly)
		holder <- status
	}()
	testdb.Eventually(t, 5*time.Second, "the first costly query to hold the lane", func() bool { return testdb.WaitingOnLock(t, db) == 1 })

	hangUp := svc.abandon(1, costly)
	testdb.Eventually(t, 5*time.Second, "the second costly query to wait for the lane", func() bool {
		return goroutinesIn("(*HeavyLane).enter") == 1
	})
	start := time.Now()
	hangUp()
	testdb.Eventually(t, 5*time.Second, "the hang-up to be logged", func() bool { return len(svc.logs.entries(t, "request")) == 1 })
	t.Logf("logged %v after the hang-up: %v", time.Since(start).Round(time.Millisecond), svc.logs.entries(t, "request")[0])
	unlock()
	if status := <-holder; status != http.StatusOK {
		t.Errorf("the query holding the lane: %d", status)
	}

	e := svc.logs.entries(t, "request")[0]
	if !isHangUp(e) {
		t.Errorf("the hang-up was logged as %v; want status 499 and client_closed", e)
	}
	svc.logs.expectNoFailures(t)
}

// one TIMEOUT, and soon after its client hangs up (logged as 499); before,
// it ran to its end either way. The time the server takes over the whole
// document is measured first, on a long deadline, and both runs must stop
// in half of what was left of it, or within stopFloor where that is more:
// bounds relative to the measured time, so a loaded (or -race) machine,
// where everything is slower, passes as well as a quick one.
func TestLargeDocumentStops(t *testing.T) {
	const stopFloor = 250 * time.Millisecond // scheduling on a busy 2-core machine
	c := apitest.New(t, testdb.Demo)
	doc := wideIntrospection()
	long := startLive(t, c, config.Config{RequestTimeout: 30 * time.Second})
	status, r, err := long.post(context.Background(), doc)
	if err != nil || status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("uninterrupted: %d %v %+v", status, err, r.Errors)
	}
	full := time.Duration(long.logs.entries(t, "request")[0]["duration_ms"].(float64)) * time.Millisecond
	t.Logf("uninterrupted: %d bytes of data, %v in the server", len(r.Data), full)

	t.Run("deadline", func(t *testing.T) {
		const deadline = 100 * time.Millisecond
		svc := startLive(t, c, config.Config{RequestTimeout: deadline})
		start := time.Now()
		status, r, err := svc.post(context.Background(), doc)
		took := time.Since(start)
		t.Logf("deadline %v: answered %d %s, %d errors, %d bytes of data, after %v", deadline, status, r.Code(), len(r.Errors), len(r.Data), took.Round(time.Millisecond))
		if err != nil || r.Code() != "TIMEOUT" || len(r.Errors) != 1 {
			t.Errorf("answered %d %v %+v; want one TIMEOUT", status, err, r.Errors)
		}
		if after, limit := took-deadline, max(stopFloor, (full-deadline)/2); after > limit {
			t.Errorf("answered %v after the %v deadline (the whole document takes %v); want at most %v", after, deadline, full, limit)
		}
	})

	t.Run("client leaves", func(t *testing.T) {
		const patience = 100 * time.Millisecond // the client's
		svc := startLive(t, c, config.Config{RequestTimeout: 30 * time.Second})
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		start := time.Now()
		if _, _, err := svc.post(ctx, doc); err == nil {
			t.Fatalf("the document was answered within the client's %v", patience)
		}
		left := time.Now()
		var ended time.Duration
		testdb.Eventually(t, 30*time.Second, "the request to end", func() bool {
			ended = time.Since(left)
			return len(svc.logs.entries(t, "request")) == 1
		})
		e := svc.logs.entries(t, "request")[0]
		t.Logf("client left after %v; the server stopped %v later: %v", left.Sub(start).Round(time.Millisecond), ended.Round(time.Millisecond), e)
		if limit := max(stopFloor, (full-left.Sub(start))/2); ended > limit {
			t.Errorf("the server worked %v after the client left (the whole document takes %v); want at most %v", ended, full, limit)
		}
		if !isHangUp(e) {
			t.Errorf("logged %v; want status 499 and client_closed", e)
		}
	})
}

// TestHangUpDuringKeyVerificationIsNotAFailure: a client that hangs up
// while its API key is being looked up was logged as a warning ("api key
// verification failed") and a 503. The lookup is held on a locked

// api_keys table.
func TestHangUpDuringKeyVerificationIsNotAFailure(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	svc := startLive(t, c, config.Config{RequestTimeout: 10 * time.Second})
	db := testdb.Observer(t, c.DSN)
	unlock := testdb.LockTable(t, db, "api_keys", "ACCESS EXCLUSIVE")
	hangUp := svc.abandon(1, `{ sectors { nodes { key } } }`)
	testdb.Eventually(t, 5*time.Second, "the key lookup to wait on the lock", func() bool { return testdb.WaitingOnLock(t, db) == 1 })
	hangUp()
	testdb.Eventually(t, 5*time.Second, "the hang-up to be logged", func() bool { return len(svc.logs.entries(t, "request")) == 1 })
	unlock()
	e := svc.logs.entries(t, "request")[0]
	t.Logf("logged %v", e)
	if !isHangUp(e) {
		t.Errorf("the hang-up was logged as %v; want status 499 and client_closed", e)
	}
	svc.logs.expectNoFailures(t)
}

// TestHangUpDuringAMutationIsNotAnError: a client that hangs up while its
// mutation's transaction runs. Its statement in flight finishes within
// the grace, but database/sql rolls the transaction back as soon as the
// request's context ends, so Commit answered sql.ErrTxDone, which was
// logged as an internal error. Now it is a hang-up like any other:
// logged as 499, nothing logged as a failure, and nothing of the
// mutation stored. The mutation's last statement (its audit record) is
// held on a locked audit_log.
func TestHangUpDuringAMutationIsNotAnError(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	svc := startLive(t, c, config.Config{RequestTimeout: time.Minute, StatementGrace: 30 * time.Second})
	db := testdb.Observer(t, c.DSN)
	var audits int
	if err := db.QueryRow(`SELECT count(*) FROM audit_log`).Scan(&audits); err != nil {
		t.Fatal(err)
	}

	unlock := testdb.LockTable(t, db, "audit_log", "ACCESS EXCLUSIVE")
	hangUp := svc.abandon(1, `mutation { createStartup(input: {key: "client-who-left", nameKo: "떠난 고객", nameEn: "Client Who Left"}) { startup { id } } }`)
	testdb.Eventually(t, 10*time.Second, "the audit record to wait on the lock", func() bool { return testdb.WaitingOnLock(t, db) == 1 })
	hangUp()
	// The server has seen the hang-up once database/sql is rolling the
	// transaction back (it waits for the statement in flight); unlocked
	// before, the mutation could commit, the client's leaving unnoticed.
	testdb.Eventually(t, 10*time.Second, "the transaction's rollback to wait for its statement", func() bool {
		return goroutinesIn("database/sql.(*Tx).rollback") == 1
	})
	unlock()
	testdb.Eventually(t, 10*time.Second, "the hang-up to be logged", func() bool { return len(svc.logs.entries(t, "request")) == 1 })

	e := svc.logs.entries(t, "request")[0]
	t.Logf("logged %v", e)
	if !isHangUp(e) {
		t.Errorf("the hang-up was logged as %v; want status 499 and client_closed", e)
	}
	svc.logs.expectNoFailures(t)
	var startups, auditsAfter int
	if err := db.QueryRow(`SELECT count(*) FROM startups WHERE name_en = 'Client Who Left'`).Scan(&startups); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM audit_log`).Scan(&auditsAfter); err != nil {
		t.Fatal(err)
	}
	if startups != 0 || auditsAfter != audits {
		t.Errorf("after the hang-up: %d startups stored, %d new audit records; want the mutation not stored at all", startups, auditsAfter-audits)
	}
}

// TestSlowBodyIsLoggedAsATimeout: a client whose body does not arrive in
// time is answered 408 by the server, which is what the access log must
// say. When the body read hits its deadline net/http cancels the
// request's context, so the log took the 408 for a client that had hung
// up: status 499, client_closed, status_written 408.
func TestSlowBodyIsLoggedAsATimeout(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	const bound = 200 * time.Millisecond
	svc := startLive(t, c, config.Config{RequestTimeout: 10 * time.Second, ReadBodyTimeout: bound})
	conn, err := net.Dial("tcp", strings.TrimPrefix(strings.TrimSuffix(svc.url, "/graphql"), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const body = `{"query":"{ sectors { nodes { key } } }"}`
	// The headers and the body's first byte; the rest never comes.
	if _, err := io.WriteString(conn, "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"+
		"Content-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body[:1]); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("answered %d, want 408", resp.StatusCode)
	}
	testdb.Eventually(t, 5*time.Second, "the request to be logged", func() bool { return len(svc.logs.entries(t, "request")) == 1 })
	e := svc.logs.entries(t, "request")[0]
	t.Logf("logged %v", e)
	if e["status"] != float64(http.StatusRequestTimeout) || e["client_closed"] != nil || e["status_written"] != nil {
		t.Errorf("logged %v; want status 408 and no client_closed", e)
	}
}
