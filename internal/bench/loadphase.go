package bench

import (
	"context"
	"fmt"
	"net/http"
)

// loadTarget is one thing to measure under load: a query of the server,
// the mix, or a floor.
type loadTarget struct {
	name string
	// build makes the op against a freshly started server's endpoint; nil
	// for the floors, which use fixed.
	build func(client *http.Client, endpoint, key string) (op, error)
	fixed op
}

func serverTarget(name string, bodies [][]byte) loadTarget {
	return loadTarget{name: name, build: func(client *http.Client, endpoint, key string) (op, error) {
		return postOp(client, endpoint, key, bodies)
	}}
}

// mixTarget cycles each client through the queries in turn.
func mixTarget(queries []query, bodies map[string][][]byte) loadTarget {
	return loadTarget{name: mixName, build: func(client *http.Client, endpoint, key string) (op, error) {
		ops := make([]op, len(queries))
		for i, q := range queries {
			var err error
			if ops[i], err = postOp(client, endpoint, key, bodies[q.name]); err != nil {
				return nil, err
			}
		}
		return func(ctx context.Context, w, seq int) (int, error) {
			return ops[(w+seq)%len(ops)](ctx, w, seq/len(ops))
		}, nil
	}}
}

// loadPhase measures every target at every concurrency. Each server
// measurement gets a fresh server process, so its RSS is its own and not
// what the Go runtime kept from the measurement before.
type loadPhase struct {
	o       options
	bin     string
	ds      dataset
	client  *http.Client
	conns   *connLog
	targets []loadTarget
	logf    func(string, ...any)
}

func (l *loadPhase) run(ctx context.Context) ([]loadRow, error) {
	var rows []loadRow
	for _, c := range l.o.concurrency {
		for _, t := range l.targets {
			row, err := l.measure(ctx, t, c)
			if err != nil {
				return rows, fmt.Errorf("%s at %d clients: %w", t.name, c, err)
			}
			rows = append(rows, row)
			l.logf("%d startups, %2d clients, %-10s %8.0f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %d",
				l.ds.size, c, t.name, row.sum.rps, ms(row.sum.p50), ms(row.sum.p99), row.sum.errors)
		}
	}
	return rows, nil
}

func (l *loadPhase) measure(ctx context.Context, t loadTarget, clients int) (loadRow, error) {
	row := loadRow{name: t.name, clients: clients, rssKB: -1, sessions: -1}
	o := t.fixed
	var srv *serverProc
	if t.build != nil {
		var err error
		if srv, err = startServer(ctx, l.bin, l.ds.dsn, l.o.serverEnv); err != nil {
			return row, err
		}
		defer srv.stop()
		if o, err = t.build(l.client, srv.endpoint(), l.ds.key); err != nil {
			return row, err
		}
	}
	if l.o.warmup > 0 {
		drive(ctx, clients, l.o.warmup, l.o.maxRequests, o)
	}
	s0 := l.conns.offset()
	var rss *rssSampler
	if srv != nil {
		rss = sampleRSS(srv.pid())
	}
	lr := drive(ctx, clients, l.o.duration, l.o.maxRequests, o)
	if rss != nil {
		row.rssKB = rss.stop()
	}
	if err := ctx.Err(); err != nil {
		return row, err
	}
	row.sessions = l.conns.since(s0)
	row.sum = summarize(lr)
	l.client.CloseIdleConnections()
	return row, nil
}
