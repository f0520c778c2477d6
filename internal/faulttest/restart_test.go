package faulttest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lib/pq"

	"startupgraph/internal/testdb"
)

// attempt is one write the load sent: its unique amount, when it ran and
// what the API answered.
type attempt struct {
	amount     int64
	start, end time.Time
	acked      bool   // HTTP 200, no errors, the startup's id returned
	refusal    string // extensions.code, or the transport error, when not acked
}

// probe is one /readyz call.
type probe struct {
	start, end time.Time
	status     int
}

const recordOutcome = `mutation($s: ID!, $a: KRW!) {
  recordOutcome(input: {startupId: $s, kind: INVESTMENT_ATTRACTED, amount: $a, reportedOn: "2024-01-01"}) { replayed startup { id } }
}`

// TestRestartUnderWriteLoad restarts PostgreSQL (fast shutdown, then start)
// while writers record outcomes through the API, each with an amount of
// its own, and checks that:
//   - no request hangs: every one is answered within 3 s (the deadline is
//     15 s), and every refusal is SERVICE_UNAVAILABLE;
//   - /readyz is 503 while the database is down and 200 again within 2 s
//     of it accepting connections, as are writes;
//   - every acknowledged write is in the database exactly once, and no
//     write is there twice.
func TestRestartUnderWriteLoad(t *testing.T) {
	const (
		writers    = 4
		pace       = 20 * time.Millisecond // between a writer's requests: a bounded load
		maxPerWrtr = 1500                  // bounds the load however long phases take
		answerIn   = 3 * time.Second
		resumeIn   = 2 * time.Second
	)
	svc := newService(t, dsn, 15*time.Second)
	var first struct {
		Startups struct{ Nodes []struct{ ID string } }
	}
	r, err := svc.post(`{ startups(first: 1) { nodes { id } } }`, nil, false)
	if err != nil || len(r.Errors) > 0 || json.Unmarshal(r.Data, &first) != nil || len(first.Startups.Nodes) != 1 {
		t.Fatalf("find a startup: %v %+v %s", err, r.Errors, r.Data)
	}
	startupID := first.Startups.Nodes[0].ID
	base := time.Now().UnixMilli() % 1_000_000_000 * 10_000 // amounts unique to this run, under model.MaxKRW

	var (
		mu       sync.Mutex
		attempts []attempt
		probes   []probe
		acked    atomic.Int64
		refused  atomic.Int64
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			tick := time.NewTicker(pace)
			defer tick.Stop()
			for n := range maxPerWrtr {
				a := attempt{amount: base + int64(w*maxPerWrtr+n), start: time.Now()}
				r, err := svc.post(recordOutcome, map[string]any{"s": startupID, "a": a.amount}, false)
				a.end = time.Now()
				var data struct {
					RecordOutcome struct{ Startup struct{ ID string } }
				}
				switch {
				case err != nil:
					a.refusal = "transport: " + err.Error()
				case r.Status == http.StatusOK && len(r.Errors) == 0 && json.Unmarshal(r.Data, &data) == nil &&
					data.RecordOutcome.Startup.ID == startupID:
					a.acked = true
				case r.Code() != "":
					a.refusal = r.Code()
				default:
					a.refusal = fmt.Sprintf("status %d, data %s", r.Status, r.Data)
				}
				if a.acked {
					acked.Add(1)
				} else {
					refused.Add(1)
				}
				mu.Lock()
				attempts = append(attempts, a)
				mu.Unlock()
				select {
				case <-stop:
					return
				case <-tick.C:
				}
			}
		})
	}
	wg.Go(func() { // /readyz throughout
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			p := probe{start: time.Now()}
			p.status, _, _ = svc.ready()
			p.end = time.Now()
			mu.Lock()
			probes = append(probes, p)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	finish := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer finish()

	ctx := context.Background()
	testdb.Eventually(t, 10*time.Second, "20 writes before the restart", func() bool { return acked.Load() >= 20 })
	stopAt := time.Now()
	if err := cluster.StopServer(ctx); err != nil {
		t.Fatal(err)
	}
	downAt := time.Now()
	refusedBefore := refused.Load()
	testdb.Eventually(t, 10*time.Second, "an outage of 1 s with refused writes and a 503 from /readyz", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return time.Since(downAt) >= time.Second && refused.Load() >= refusedBefore+20 &&
			len(probes) > 0 && probes[len(probes)-1].start.After(downAt) && probes[len(probes)-1].status == http.StatusServiceUnavailable
	})

	startAt := time.Now()
	acceptedAt := make(chan time.Time, 1)
	go func() { acceptedAt <- firstConnection(dsn, 30*time.Second) }()
	if err := cluster.StartServer(ctx); err != nil {
		t.Fatal(err)
	}
	upAt := <-acceptedAt
	if upAt.IsZero() {
		t.Fatal("PostgreSQL accepted no connection within 30 s of starting")
	}
	ackedAtStart := acked.Load()
	testdb.Eventually(t, 10*time.Second, "20 writes after the restart", func() bool { return acked.Load() >= ackedAtStart+20 })
	finish()

	// Answers: fast, and refusals say the service is unavailable.
	var slowest time.Duration
	refusals := map[string]int{}
	var firstAckAfter time.Time
	for _, a := range attempts {
		slowest = max(slowest, a.end.Sub(a.start))
		if a.end.Sub(a.start) > answerIn {
			t.Errorf("write of %d took %v (from %v after the stop): want an answer within %v",
				a.amount, a.end.Sub(a.start), a.start.Sub(stopAt), answerIn)
		}
		if !a.acked {
			refusals[a.refusal]++
			if a.refusal != "SERVICE_UNAVAILABLE" {
				t.Errorf("write of %d refused with %q, want SERVICE_UNAVAILABLE", a.amount, a.refusal)
			}
			continue
		}
		if a.end.After(upAt) && (firstAckAfter.IsZero() || a.end.Before(firstAckAfter)) {
			firstAckAfter = a.end
		}
		if a.start.After(downAt) && a.end.Before(startAt) {
			t.Errorf("write of %d was acknowledged while PostgreSQL was stopped", a.amount)
		}
	}
	if firstAckAfter.Sub(upAt) > resumeIn {
		t.Errorf("first acknowledged write %v after PostgreSQL accepted connections, want within %v", firstAckAfter.Sub(upAt), resumeIn)
	}

	// /readyz: 503 while down, 200 again soon after.
	var readyAgain time.Time
	var downProbes, down503 int
	for _, p := range probes {
		if p.start.After(downAt) && p.end.Before(startAt) {
			downProbes++
			if p.status == http.StatusServiceUnavailable {
				down503++
			}
		}
		if p.end.Sub(p.start) > answerIn {
			t.Errorf("/readyz took %v", p.end.Sub(p.start))
		}
		if p.start.After(upAt) && p.status == http.StatusOK && readyAgain.IsZero() {
			readyAgain = p.end
		}
	}
	if downProbes == 0 || down503 != downProbes {
		t.Errorf("/readyz while PostgreSQL was stopped: %d of %d probes were 503, want all", down503, downProbes)
	}
	if readyAgain.IsZero() || readyAgain.Sub(upAt) > resumeIn {
		t.Errorf("/readyz 200 again %v after PostgreSQL accepted connections, want within %v", readyAgain.Sub(upAt), resumeIn)
	}

	// The database: every acknowledged write once, nothing twice.
	rows := countByAmount(t, base, base+writers*maxPerWrtr)
	var ackedN, ambiguous int
	for _, a := range attempts {
		n := rows[a.amount]
		delete(rows, a.amount)
		switch {
		case n > 1:
			t.Errorf("write of %d is in the database %d times", a.amount, n)
		case a.acked && n == 0:
			t.Errorf("acknowledged write of %d is not in the database", a.amount)
		case a.acked:
			ackedN++
		case n == 1:
			ambiguous++ // refused, yet committed: a COMMIT whose answer was lost
		}
	}
	if len(rows) > 0 {
		t.Errorf("rows of writes never sent: %v", rows)
	}
	t.Logf("%d writes: %d acknowledged (all found once), %d refused %v, %d of them committed anyway; slowest answer %v",
		len(attempts), ackedN, len(attempts)-ackedN, refusals, ambiguous, slowest.Round(time.Millisecond))
	t.Logf("pg_ctl stop took %v; outage %v; PostgreSQL accepted connections %v after pg_ctl start began",
		downAt.Sub(stopAt).Round(time.Millisecond), startAt.Sub(downAt).Round(time.Millisecond), upAt.Sub(startAt).Round(time.Millisecond))
	t.Logf("after PostgreSQL accepted connections: first acknowledged write in %v, /readyz 200 in %v; %d of %d /readyz probes during the outage were 503",
		firstAckAfter.Sub(upAt).Round(time.Millisecond), readyAgain.Sub(upAt).Round(time.Millisecond), down503, downProbes)
}

// firstConnection returns when a new connection to url first completes
// its handshake, trying every 20 ms, or the zero time after within.
func firstConnection(url string, within time.Duration) time.Time {
	connector, err := pq.NewConnector(url)
	if err != nil {
		return time.Time{}
	}
	limit := time.Now().Add(within)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for time.Now().Before(limit) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := connector.Connect(ctx)
		cancel()
		if err == nil {
			at := time.Now()
			_ = conn.Close()
			return at
		}
		<-tick.C
	}
	return time.Time{}
}

// countByAmount counts the outcomes recorded with each amount in [from, to).
func countByAmount(t *testing.T, from, to int64) map[int64]int {
	t.Helper()
	connector, err := pq.NewConnector(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, `SELECT amount_krw, count(*) FROM outcomes WHERE amount_krw >= $1 AND amount_krw < $2 GROUP BY amount_krw`, from, to)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var amount int64
		var n int
		if err := rows.Scan(&amount, &n); err != nil {
			t.Fatal(err)
		}
		out[amount] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
