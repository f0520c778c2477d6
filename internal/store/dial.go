package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// Deadlines on the database's sockets. lib/pq reads and writes without
// deadlines, and when a context ends it only sends PostgreSQL a cancel
// request over a second connection (lib/pq #620). On a network that drops
// packets instead of refusing them, that request does not get through
// either and the statement's read never returns, so a request would wait
// for the kernel's TCP timeouts, many minutes, whatever its deadline says. Every connection of the store is therefore dialled by
// deadlineDialer, and:
//
//   - while a statement runs for a context that can end (every request
//     has a deadline), its socket is cut abortGrace after the context ends,
//     and the connection is discarded (a request's statement runs under
//     statementContext, grace.go, which ends a little after a client's
//     hang-up, or at the deadline);
//   - a read or write that no such context watches (context.Background,
//     closing a connection, lib/pq's cancel connections) must make progress
//     within PoolConfig.IOTimeout;
//   - opening a connection (TCP and handshake) is bounded by the URL's
//     connect_timeout, PoolConfig.ConnectTimeout when it sets none, and by
//     the context that asked for it.
//
// The idle bound is not applied to watched statements because a legitimate
// statement can be silent for long (up to statement_timeout, or without
// limit in SeedSynthetic); the context that started it decides when to stop.

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

// newConnector is lib/pq's connector for cfg with deadlineDialer and a
// connect timeout, wrapped so statements are bounded by their contexts.
func newConnector(cfg pq.Config, pool PoolConfig) (driver.Connector, error) {
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = pool.ConnectTimeout
		if cfg.ConnectTimeout <= 0 {
			cfg.ConnectTimeout = defaultConnectTimeout
		}
	}
	c, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, err
	}
	d := deadlineDialer{ioTimeout: pool.IOTimeout}
	if d.ioTimeout <= 0 {
		d.ioTimeout = defaultIOTimeout
	}
	c.Dialer(d)
	return deadlineConnector{c}, nil
}

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

var (
	errNotDialled       = errors.New("connect: the connection was not opened by the store's dialer")
	errNoContextSupport = errors.New("driver connection lacks a context method")
)

// deadlineConnector opens connections whose statements are bounded by
// their contexts (see the top of this file) and counted (counter.go).
type deadlineConnector struct{ *pq.Connector }

func (c deadlineConnector) Connect(ctx context.Context) (driver.Conn, error) {
	o := &opening{ctx: ctx}
	conn, err := c.Connector.Connect(context.WithValue(ctx, openingKey{}, o))
	nc, err := o.done(err)
	if err != nil {
		return nil, err
	}
	if nc == nil { // lib/pq dials every connection, TCP or Unix, through the dialer
		_ = conn.Close()
		return nil, errNotDialled
	}
	if !nc.usable() { // ctx ended just as the handshake completed
		_ = conn.Close()
		return nil, fmt.Errorf("connect: %w", ctx.Err())
	}
	return &deadlineDriverConn{Conn: conn, nc: nc}, nil
}

// deadlineDriverConn is lib/pq's connection with every statement counted
// and watched by its context. A connection whose socket was cut reports itself
// invalid, so database/sql discards it instead of pooling it.
type deadlineDriverConn struct {
	driver.Conn
	nc       *deadlineConn
	prepared preparedStatements
	inTx     bool // between BeginTx and the transaction's end
}

func (c *deadlineDriverConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	qc, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	countStatement(ctx)
	ctx, w := c.nc.watchStatement(ctx)
	rows, err := c.query(ctx, qc, q, args)
	if err != nil {
		return nil, w.end(err)
	}
	return &deadlineRows{Rows: rows, w: w}, nil
}

// query runs q through the connection's prepared statement for it
// (prepared.go) when q has parameters and no transaction is open, else as
// it is. A statement whose tables changed shape since it was prepared
// (PostgreSQL: "cached plan must not change result type", after a
// migration by another instance) or that the session no longer knows is
// run again unprepared, and prepared afresh next time.
func (c *deadlineDriverConn) query(ctx context.Context, qc driver.QueryerContext, q string, args []driver.NamedValue) (driver.Rows, error) {
	pc, ok := c.Conn.(driver.ConnPrepareContext)
	if !ok || len(args) == 0 || c.inTx {
		return qc.QueryContext(ctx, q, args)
	}
	st, err := c.prepared.get(ctx, q, pc.PrepareContext)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args)
	if err != nil {
		// PostgreSQL refuses a stale plan (0A000) or a statement the session
		// does not know (26000) before executing anything, so running q
		// unprepared cannot repeat it. Other errors from PostgreSQL leave
		// the statement usable; any other error means the connection is
		// going, statements and all.
		pqErr, fromServer := errors.AsType[*pq.Error](err)
		stale := fromServer && (pqErr.Code == "0A000" || pqErr.Code == "26000")
		if stale || !fromServer {
			c.prepared.forget(q)
		}
		if stale {
			return qc.QueryContext(ctx, q, args)
		}
	}
	return rows, err
}

func (c *deadlineDriverConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	ec, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	countStatement(ctx)
	ctx, w := c.nc.watchStatement(ctx)
	res, err := ec.ExecContext(ctx, q, args)
	return res, w.end(err)
}

// PrepareContext watches the preparation only; a prepared statement's
// executions are watched by their transaction (see BeginTx), or have the
// idle bound.
func (c *deadlineDriverConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	countStatement(ctx)
	pc, ok := c.Conn.(driver.ConnPrepareContext)
	if !ok {
		return c.Conn.Prepare(q)
	}
	ctx, w := c.nc.watchStatement(ctx)
	st, err := pc.PrepareContext(ctx, q)
	return st, w.end(err)
}

// BeginTx watches the transaction's context until it commits or rolls
// back, so a COMMIT (which database/sql sends without a context) is
// bounded too.
func (c *deadlineDriverConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	bc, ok := c.Conn.(driver.ConnBeginTx)
	if !ok {
		return nil, errNoContextSupport
	}
	ctx, w := c.nc.watchStatement(ctx)
	tx, err := bc.BeginTx(ctx, opts)
	if err != nil {
		return nil, w.end(err)
	}
	c.inTx = true
	return &deadlineTx{Tx: tx, w: w, conn: c}, nil
}

func (c *deadlineDriverConn) Ping(ctx context.Context) error {
	p, ok := c.Conn.(driver.Pinger)
	if !ok {
		return nil
	}
	ctx, w := c.nc.watchStatement(ctx)
	return w.end(p.Ping(ctx))
}

func (c *deadlineDriverConn) ResetSession(ctx context.Context) error {
	if !c.nc.usable() {
		return driver.ErrBadConn
	}
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *deadlineDriverConn) IsValid() bool {
	if !c.nc.usable() {
		return false
	}
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *deadlineDriverConn) CheckNamedValue(nv *driver.NamedValue) error {
	if nc, ok := c.Conn.(driver.NamedValueChecker); ok {
		return nc.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// deadlineTx ends its context's watch when it commits or rolls back.
type deadlineTx struct {
	driver.Tx
	w    *watch
	conn *deadlineDriverConn
}

func (t *deadlineTx) Commit() error {
	t.conn.inTx = false
	return t.w.end(t.Tx.Commit())
}

func (t *deadlineTx) Rollback() error {
	t.conn.inTx = false
	return t.w.end(t.Tx.Rollback())
}

// deadlineRows keeps its query's context watched while rows stream in,
// until Close. The optional column-type methods pass through, with
// database/sql's own defaults when the driver lacks them.
type deadlineRows struct {
	driver.Rows
	w *watch
}

func (r *deadlineRows) Close() error { return r.w.end(r.Rows.Close()) }

func (r *deadlineRows) Next(dest []driver.Value) error {
	err := r.Rows.Next(dest)
	if err == io.EOF {
		return err
	}
	return r.w.explain(err)
}

func (r *deadlineRows) HasNextResultSet() bool {
	n, ok := r.Rows.(driver.RowsNextResultSet)
	return ok && n.HasNextResultSet()
}

func (r *deadlineRows) NextResultSet() error {
	if n, ok := r.Rows.(driver.RowsNextResultSet); ok {
		return n.NextResultSet()
	}
	return io.EOF
}

func (r *deadlineRows) ColumnTypeScanType(i int) reflect.Type {
	if s, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return s.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *deadlineRows) ColumnTypeDatabaseTypeName(i int) string {
	if s, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return s.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *deadlineRows) ColumnTypeLength(i int) (int64, bool) {
	if s, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return s.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *deadlineRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if s, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return s.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}
