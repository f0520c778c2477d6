package dbconn

import (
	"container/list"
	"context"
	"database/sql/driver"
)

// Prepared statements. Every parameterised query read outside a
// transaction is prepared once per connection and then only bound and
// executed: at 200,000 startups PostgreSQL spent, per nested-page
// statement, 0.11 ms parsing and 0.32 ms planning against 0.40 ms
// executing, so parsing every time (and, once PostgreSQL settles on a
// generic plan, planning every time) was half of the database's work for
// the nested query.
//
// The cache lives in the driver connection (deadlineDriverConn), so it
// dies with it: a connection cut by a deadline takes its statements along,
// and database/sql never sees a statement it must re-prepare elsewhere.
// Statements are prepared by their SQL text; internal/store builds texts
// from a bounded set of shapes (page, filter and sort variants), and the
// least recently used statement is closed when a connection holds
// maxPreparedPerConn. Queries inside transactions (most writes) stay
// unprepared: a statement refused for a changed table would abort the
// transaction, where outside one it is simply run again unprepared (the
// refusal comes before anything is executed).
//
// lib/pq waits, before returning a prepared statement's result, for the
// cancel request it sends when the statement's context ends; the dialer
// bounds that request by abortGrace (deadlineDialer.DialContext), so a
// prepared statement on a silent network returns as soon as a plain one.

// maxPreparedPerConn bounds each connection's prepared statements (and so
// PostgreSQL's plan cache per session).
const maxPreparedPerConn = 128

// preparedStatements is one connection's statements by SQL text, most
// recently used first. Like the connection, it is used by one goroutine at
// a time.
type preparedStatements struct {
	byText map[string]*list.Element
	order  list.List // of *preparedStatement
}

type preparedStatement struct {
	text string
	stmt stmtQueryer
}

// stmtQueryer is a prepared statement that runs queries with a context
// (lib/pq's does).
type stmtQueryer interface {
	driver.Stmt
	driver.StmtQueryContext
}

// get returns the statement prepared for text, preparing it with prepare
// on first use.
func (p *preparedStatements) get(ctx context.Context, text string,
	prepare func(context.Context, string) (driver.Stmt, error)) (stmtQueryer, error) {
	if e, found := p.byText[text]; found {
		p.order.MoveToFront(e)
		return e.Value.(*preparedStatement).stmt, nil
	}
	s, err := prepare(ctx, text)
	if err != nil {
		return nil, err
	}
	q, ok := s.(stmtQueryer)
	if !ok {
		_ = s.Close()
		return nil, errNoContextSupport
	}
	if p.byText == nil {
		p.byText = map[string]*list.Element{}
	}
	p.byText[text] = p.order.PushFront(&preparedStatement{text: text, stmt: q})
	if p.order.Len() > maxPreparedPerConn {
		p.drop(p.order.Back())
	}
	return q, nil
}

// forget closes the statement prepared for text, if any: after an error
// it is prepared afresh on its next use.
func (p *preparedStatements) forget(text string) {
	if e, found := p.byText[text]; found {
		p.drop(e)
	}
}

func (p *preparedStatements) drop(e *list.Element) {
	ps := p.order.Remove(e).(*preparedStatement)
	delete(p.byText, ps.text)
	_ = ps.stmt.Close()
}
