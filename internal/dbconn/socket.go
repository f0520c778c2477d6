package dbconn

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Deadlines on the database's sockets. lib/pq reads and writes without
// deadlines, and when a context ends it only sends PostgreSQL a cancel
// request over a second connection (lib/pq #620). On a network that drops
// packets instead of refusing them, that request does not get through
// either and the statement's read never returns, so a request would wait
// for the kernel's TCP timeouts, many minutes, whatever its deadline
// says. Every connection Open makes is therefore dialled by deadlineDialer,
// and:
//
//   - while a statement runs for a context that can end (every request
//     has a deadline), its socket is cut abortGrace after the context ends,
//     and the connection is discarded (a request's statement runs under
//     statementContext, grace.go, which ends a little after a client's
//     hang-up, or at the deadline);
//   - a read or write that no such context watches (context.Background,
//     closing a connection, lib/pq's cancel connections) must make progress
//     within Config.IOTimeout;
//   - opening a connection (TCP and handshake) is bounded by the URL's
//     connect_timeout, Config.ConnectTimeout when it sets none, and by
//     the context that asked for it.
//
// The idle bound is not applied to watched statements because a legitimate
// statement can be silent for long (up to statement_timeout, or without
// limit in the synthetic data load); the context that started it decides
// when to stop.

const (
	// defaultIOTimeout is above the sessions' statement_timeout (30 s, see
	// sessionDefaults), so it never cuts a statement PostgreSQL would still
	// let run.
	defaultIOTimeout = 35 * time.Second
	// defaultConnectTimeout applies when the URL has no connect_timeout;
	// a PostgreSQL that answers at all completes a handshake in far less.
	defaultConnectTimeout = 5 * time.Second
	// abortGrace is how long a statement whose context ended may still
	// wait for PostgreSQL to answer lib/pq's cancel request (milliseconds on
	// a working network) before its socket is cut. It is what a request on
	// a silent network waits past its deadline.
	abortGrace = 500 * time.Millisecond
)

// deadlineDialer dials connections that have deadlines (deadlineConn).
// It implements lib/pq's Dialer and DialerContext.
type deadlineDialer struct {
	dialer    net.Dialer
	ioTimeout time.Duration
}

func (d deadlineDialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

func (d deadlineDialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return d.DialContext(ctx, network, address)
}

// DialContext dials for Connect (the context carries the opening) or, for
// anything else, for lib/pq's cancel request, which it sends when a
// statement's context ends. The statement's socket is cut abortGrace after
// that, and lib/pq waits for the cancel request before it returns a
// prepared statement's result, so the cancel connection, dial included,
// gets abortGrace too and a statement returns as soon on a silent network
// as on a refusing one.
func (d deadlineDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	o, opening := ctx.Value(openingKey{}).(*opening)
	var cutAt time.Time
	if !opening {
		cutAt = time.Now().Add(abortGrace)
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, cutAt)
		defer cancel()
	}
	c, err := d.dialer.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	dc := &deadlineConn{Conn: c, ioTimeout: d.ioTimeout, abortAt: cutAt}
	if opening {
		o.dialled(dc)
	}
	return dc, nil
}

// deadlineConn is a socket whose every Read and Write has the earliest of
// these deadlines: the one lib/pq set (connect_timeout during the
// handshake), the idle bound when no context watches it, and the abort
// time once a watching context ended. After an abort it is unusable.
type deadlineConn struct {
	net.Conn
	ioTimeout time.Duration

	mu       sync.Mutex
	watchers int          // statements running under contexts that can end
	set      [2]time.Time // deadlines lib/pq set: read, write
	abortAt  time.Time    // when the socket was cut; zero while usable
}

func (c *deadlineConn) Read(b []byte) (int, error) {
	if err := c.arm(0, c.Conn.SetReadDeadline); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

func (c *deadlineConn) Write(b []byte) (int, error) {
	if err := c.arm(1, c.Conn.SetWriteDeadline); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}

// arm sets the deadline of the read (0) or write (1) about to start.
func (c *deadlineConn) arm(i int, set func(time.Time) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.set[i]
	switch {
	case !c.abortAt.IsZero():
		d = earliest(d, c.abortAt)
	case c.watchers == 0:
		d = earliest(d, time.Now().Add(c.ioTimeout))
	}
	return set(d)
}

func (c *deadlineConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.set = [2]time.Time{t, t}
	return c.Conn.SetDeadline(earliest(t, c.abortAt))
}

func (c *deadlineConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.set[0] = t
	return c.Conn.SetReadDeadline(earliest(t, c.abortAt))
}

func (c *deadlineConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.set[1] = t
	return c.Conn.SetWriteDeadline(earliest(t, c.abortAt))
}

// abort cuts the socket abortGrace from now, also under a read or write
// already waiting.
func (c *deadlineConn) abort() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.abortAt.IsZero() {
		return
	}
	c.abortAt = time.Now().Add(abortGrace)
	_ = c.Conn.SetReadDeadline(earliest(c.set[0], c.abortAt))
	_ = c.Conn.SetWriteDeadline(earliest(c.set[1], c.abortAt))
}

func (c *deadlineConn) usable() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.abortAt.IsZero()
}

// watch makes the socket abort when ctx ends, until the returned watch is
// ended. A context that cannot end (no Done channel) is not watched, and
// the idle bound applies instead.
func (c *deadlineConn) watch(ctx context.Context) *watch {
	w := &watch{ctx: ctx}
	if ctx.Done() == nil {
		return w
	}
	c.mu.Lock()
	c.watchers++
	c.mu.Unlock()
	aborted := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		c.abort()
		w.cut.Store(true)
		close(aborted)
	})
	w.stop = func() {
		if !stop() {
			<-aborted // the abort is complete before the connection can be reused
		}
		c.mu.Lock()
		c.watchers--
		c.mu.Unlock()
	}
	return w
}

// watchStatement watches a statement's connection under the context the
// statement runs with (statementContext: a request's statement may finish
// briefly after its client left, see grace.go), which it returns; lib/pq
// must be given that context too.
func (c *deadlineConn) watchStatement(ctx context.Context) (context.Context, *watch) {
	sctx, release := statementContext(ctx)
	w := c.watch(sctx)
	w.release = release
	return sctx, w
}

// watch is one context watching a connection.
type watch struct {
	ctx     context.Context
	once    sync.Once
	stop    func()      // nil when ctx cannot end
	release func()      // frees the statement's context; nil when none
	cut     atomic.Bool // ctx ended while watched: the socket is cut
}

// end stops watching and returns err (see explain).
func (w *watch) end(err error) error {
	w.once.Do(func() {
		if w.stop != nil {
			w.stop()
		}
		if w.release != nil {
			w.release()
		}
	})
	return w.explain(err)
}

// explain says that the context's end caused err when it ended during the
// statement, so callers see a timeout or a cancellation rather than a
// network failure.
func (w *watch) explain(err error) error {
	if err != nil && w.cut.Load() {
		return fmt.Errorf("%w during the statement: %w", w.ctx.Err(), err)
	}
	return err
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// opening carries the context of a Connect call to the dialer, so the
// handshake is cut when that context ends.
type opening struct {
	ctx     context.Context
	mu      sync.Mutex
	watches []*watch
	last    *deadlineConn
}

type openingKey struct{}

func (o *opening) dialled(c *deadlineConn) {
	w := c.watch(o.ctx)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.watches = append(o.watches, w)
	o.last = c
}

// done stops watching every socket dialled for the Connect; err is what
// Connect returned.
func (o *opening) done(err error) (*deadlineConn, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, w := range o.watches {
		err = w.end(err)
	}
	return o.last, err
}
