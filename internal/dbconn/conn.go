package dbconn

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/lib/pq"
)

// The driver connection: lib/pq's, with every statement observed and
// traced (counter.go), run under the context it may use (grace.go), watched by
// that context on its socket (socket.go) and, for parameterised reads,
// prepared once per connection (prepared.go).

// newConnector is lib/pq's connector for cfg with deadlineDialer and a
// connect timeout, wrapped so statements are bounded by their contexts.
func newConnector(cfg pq.Config, pool Config) (driver.Connector, error) {
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

var (
	errNotDialled       = errors.New("connect: the connection was not opened by dbconn's dialer")
	errNoContextSupport = errors.New("driver connection lacks a context method")
)

// deadlineConnector opens connections whose statements are bounded by
// their contexts (see socket.go) and observed (counter.go).
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

// deadlineDriverConn is lib/pq's connection with every statement observed
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
	ctx, st := startStatement(ctx, q)
	ctx, w := c.nc.watchStatement(ctx)
	rows, err := c.query(ctx, qc, q, args)
	if err != nil {
		err = w.end(err)
		st.end(err)
		return nil, err
	}
	return &deadlineRows{Rows: rows, w: w, st: st}, nil
}

// query runs q through the connection's prepared statement for it
// (prepared.go) when q is a read (it has parameters, or is one SELECT)
// and no transaction is open, else as it is. A statement whose tables
// changed shape since it was prepared (PostgreSQL: "cached plan must not
// change result type", after a migration by another instance) or that the
// session no longer knows is run again unprepared, and prepared afresh
// next time.
func (c *deadlineDriverConn) query(ctx context.Context, qc driver.QueryerContext, q string, args []driver.NamedValue) (driver.Rows, error) {
	pc, ok := c.Conn.(driver.ConnPrepareContext)
	if !ok || c.inTx || (len(args) == 0 && !oneSelect(q)) {
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
	ctx, st := startStatement(ctx, q)
	ctx, w := c.nc.watchStatement(ctx)
	res, err := ec.ExecContext(ctx, q, args)
	err = w.end(err)
	st.end(err)
	return res, err
}

// PrepareContext watches the preparation only; a prepared statement's
// executions are watched by their transaction (see BeginTx), or have the
// idle bound.
func (c *deadlineDriverConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	ctx, obs := startStatement(ctx, q)
	pc, ok := c.Conn.(driver.ConnPrepareContext)
	if !ok {
		st, err := c.Conn.Prepare(q)
		obs.end(err)
		return st, err
	}
	ctx, w := c.nc.watchStatement(ctx)
	st, err := pc.PrepareContext(ctx, q)
	err = w.end(err)
	obs.end(err)
	return st, err
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
	w  *watch
	st statement
}

func (r *deadlineRows) Close() error {
	err := r.w.end(r.Rows.Close())
	r.st.end(err)
	r.st = statement{} // observed once, however often Close is called
	return err
}

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

// oneSelect reports whether q, a statement without parameters, is one
// SELECT, which is worth preparing like a parameterised read: the nested
// page query's list of universities was planned on every request (0.28
// ms, as long as its two other statements' execution). Anything else
// (several statements, SET, SHOW) runs as it is.
func oneSelect(q string) bool {
	return strings.HasPrefix(q, "SELECT ") && !strings.Contains(q, ";")
}
