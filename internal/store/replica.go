package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"startupgraph/internal/apperr"
	"startupgraph/internal/dbconn"
)

// Reads from PostgreSQL streaming replicas (DATABASE_READ_URLS).
//
// The store has one primary pool (s.db) and, when replicas are opened,
// one pool per replica. Where a read goes is decided once per operation:
// the HTTP edge calls ForQuery for a GraphQL query (an export page
// included), which puts a route in the context, and every read method
// asks s.reader(ctx) for its pool. Writes, and reads under a context
// without a route (mutations, subscriptions, the commands), use the
// primary. The dataloaders run under the resolvers' contexts, so a
// request's batches read where its resolvers do.
//
// A replica is in use while it answers, has replayed at least the fence
// (below), and is not lagging: a replica lags when it has not replayed
// a WAL position the primary had reached MaxLag ago (positions, not
// timestamps: an idle primary's replicas have replayed everything and
// never lag). A monitor samples the primary's WAL position and each
// replica's replay position every Interval.
//
// Read your writes: after a mutation, AwaitReplicas reads the primary's
// WAL position (past the mutation's commit) and waits, at most MaxLag,
// until every replica in use has replayed it. A replica that has not by
// then, or that is out of use already (lagging or down), has not got the
// write: the fence is raised to the position, here and, by a NOTIFY on
// fenceChannel, in every process, and no process reads from a replica
// below its fence. AwaitReplicas returns once this process has heard its
// own NOTIFY back (at most fenceHeardWait), so the others have been sent
// it too. What is left is the NOTIFY's delivery to the other processes
// (milliseconds on one network): a read there in that window may still
// go to the replica that lacks the write. A process that starts, or
// whose listener reconnects, takes the primary's position at that moment
// as its fence.

// fenceChannel is the NOTIFY channel of fences: its payload is a WAL
// position (a decimal byte offset) every replica read from must have
// replayed.
const fenceChannel = "startupgraph_replica_fence"

// Defaults of ReplicaOptions.
const (
	DefaultReplicaMaxLag   = time.Second
	DefaultReplicaInterval = 200 * time.Millisecond
	// sampleTimeout bounds one sample of a position.
	sampleTimeout = time.Second
	// fenceHeardWait bounds the wait for this process's own fence NOTIFY.
	fenceHeardWait = 250 * time.Millisecond
)

// ReplicaOptions tune reads from replicas.
type ReplicaOptions struct {
	// MaxLag: a replica that has not replayed what the primary had
	// written this long ago is not read from; it also bounds how long a
	// write waits for the replicas to replay it (DefaultReplicaMaxLag
	// when zero).
	MaxLag time.Duration
	// Interval: how often positions are sampled (DefaultReplicaInterval
	// when zero).
	Interval time.Duration
	// Logger is told when a replica or the primary goes out of use and
	// comes back (slog.Default when nil).
	Logger *slog.Logger
}

// Read targets, the label of ReadCounts.
const (
	targetPrimary = iota
	targetReplica
)

// route is where one operation's reads go, and what counts them.
type route struct {
	store *Store
	db    readDB
	reads *atomic.Uint64
}

// readDB is what the store's reads call: the primary's *sqlx.DB, or a
// replica's fallback.
type readDB interface {
	GetContext(ctx context.Context, dest any, q string, args ...any) error
	SelectContext(ctx context.Context, dest any, q string, args ...any) error
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	BeginTxx(ctx context.Context, opts *sql.TxOptions) (*sqlx.Tx, error)
}

// fallback reads from a replica; a statement the replica does not answer
// (it stopped, or the network to it failed) takes it out of use at once
// and runs again on the primary, so a replica that fails between two
// samples costs no query; so does a statement the replica cancelled for
// a recovery conflict (the replica stays in use). Rows that fail once
// streaming are not retried.
type fallback struct {
	r       *replica
	primary *sqlx.DB
	reads   *atomic.Uint64 // the primary's count, for a retried read
}

func (f *fallback) failed(err error) bool {
	if pqErr, ok := errors.AsType[*pq.Error](err); ok && pqErr.Code == "40001" {
		// A read cannot fail to serialize: on a standby this is a
		// recovery conflict (replay needed what the statement held). The
		// replica is fine; the statement runs again on the primary.
		f.r.route.reads.Add(^uint64(0))
		f.reads.Add(1)
		return true
	}
	if !unavailable(translate(err)) {
		return false
	}
	if f.r.usable.Swap(false) {
		f.r.set.logger.Warn("read replica out of use: a read failed; retried on the primary", "replica", f.r.n, "err", err)
	}
	f.r.route.reads.Add(^uint64(0)) // counted where it is answered
	f.reads.Add(1)
	return true
}

func (f *fallback) GetContext(ctx context.Context, dest any, q string, args ...any) error {
	err := f.r.db.GetContext(ctx, dest, q, args...)
	if err != nil && f.failed(err) {
		return f.primary.GetContext(ctx, dest, q, args...)
	}
	return err
}

func (f *fallback) SelectContext(ctx context.Context, dest any, q string, args ...any) error {
	err := f.r.db.SelectContext(ctx, dest, q, args...)
	if err != nil && f.failed(err) {
		return f.primary.SelectContext(ctx, dest, q, args...)
	}
	return err
}

func (f *fallback) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := f.r.db.QueryContext(ctx, q, args...)
	if err != nil && f.failed(err) {
		return f.primary.QueryContext(ctx, q, args...)
	}
	return rows, err
}

func (f *fallback) BeginTxx(ctx context.Context, opts *sql.TxOptions) (*sqlx.Tx, error) {
	tx, err := f.r.db.BeginTxx(ctx, opts)
	if err != nil && f.failed(err) {
		return f.primary.BeginTxx(ctx, opts)
	}
	return tx, err
}

type routeKey struct{}

// replica is one of DATABASE_READ_URLS.
type replica struct {
	n        int // its place in DATABASE_READ_URLS, from 1
	db       *sqlx.DB
	set      *replicas
	read     fallback
	route    route
	usable   atomic.Bool
	replayed atomic.Uint64 // its replay position when last sampled
	why      string        // why it is out of use (monitor only)
}

// replicas is the store's replica set and its monitor.
type replicas struct {
	list      []*replica
	maxLag    time.Duration
	interval  time.Duration
	logger    *slog.Logger
	primaryUp atomic.Bool
	fence     atomic.Uint64
	heard     atomic.Uint64 // the highest fence heard by NOTIFY
	refence   atomic.Bool   // the listener reconnected: fence at the primary's position
	next      atomic.Uint32
	history   []walSample // monitor only
	listener  *pq.Listener
	stop      context.CancelFunc
	done      sync.WaitGroup
}

// walSample is the primary's WAL position at a time.
type walSample struct {
	at  time.Time
	lsn uint64
}

// OpenReplicas opens a pool on each of urls (streaming replicas of the
// primary) and starts routing the reads of ForQuery contexts to them. It
// samples every position once before it returns; a replica that does
// not answer yet is not an error (it is used once it does), an invalid
// URL is. Call it once, before serving.
func (s *Store) OpenReplicas(ctx context.Context, urls []string, o ReplicaOptions) error {
	if len(urls) == 0 {
		return nil
	}
	rs := &replicas{
		maxLag:   cmpOr(o.MaxLag, DefaultReplicaMaxLag),
		interval: cmpOr(o.Interval, DefaultReplicaInterval),
		logger:   o.Logger,
	}
	if rs.logger == nil {
		rs.logger = slog.Default()
	}
	for i, u := range urls {
		conns, err := dbconn.Open(u, s.pool)
		if err != nil {
			rs.close()
			if errors.Is(err, dbconn.ErrInvalidURL) {
				return fmt.Errorf("open replica %d: invalid DATABASE_READ_URLS entry", i+1)
			}
			return fmt.Errorf("open replica %d: %w", i+1, err)
		}
		r := &replica{n: i + 1, db: sqlx.NewDb(conns, "postgres"), set: rs, why: "not sampled yet"}
		r.read = fallback{r: r, primary: s.db, reads: &s.reads[targetPrimary]}
		r.route = route{store: s, db: &r.read, reads: &s.reads[targetReplica]}
		rs.list = append(rs.list, r)
		var standby bool
		if err := r.db.GetContext(ctx, &standby, `SELECT pg_is_in_recovery()`); err == nil && !standby {
			rs.logger.Warn("read replica is not a standby: its WAL position is its own, so lag and read-your-writes are judged against it as if it were the primary's", "replica", r.n)
		}
	}
	rs.listener = pq.NewListener(s.dsn, 100*time.Millisecond, 2*time.Second, func(ev pq.ListenerEventType, err error) {
		if ev == pq.ListenerEventConnected || ev == pq.ListenerEventReconnected {
			rs.refence.Store(true) // fences sent before we listened are lost to us
		}
	})
	if err := rs.listener.Listen(fenceChannel); err != nil {
		rs.logger.Warn("replica fences: cannot LISTEN yet; fencing at the primary's position when it connects", "err", err)
		rs.refence.Store(true)
	}
	mctx, stop := context.WithCancel(context.Background())
	rs.stop = stop
	rs.sample(ctx, s.db, true)
	rs.done.Add(2)
	go rs.listen(mctx)
	go rs.monitor(mctx, s.db)
	s.reps = rs
	return nil
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// ForQuery returns a context under which the store's reads go to a
// replica in use, or to the primary when there is none (or no replicas
// are configured), and are counted (ReadCounts). The HTTP edge calls it
// once per query operation, so all of an operation's reads, its
// dataloaders' included, see one database.
func (s *Store) ForQuery(ctx context.Context) context.Context {
	if s == nil {
		return ctx
	}
	r := &s.primaryRoute
	if s.reps != nil {
		if rep := s.reps.pick(); rep != nil {
			r = &rep.route
		}
	}
	return context.WithValue(ctx, routeKey{}, r)
}

// reader is the pool a read under ctx runs on: ForQuery's choice, else the
// primary.
func (s *Store) reader(ctx context.Context) readDB {
	if r, ok := ctx.Value(routeKey{}).(*route); ok && r.store == s {
		r.reads.Add(1)
		return r.db
	}
	return s.db
}

// ReadCounts reports the SQL reads of query operations (ForQuery
// contexts) sent to the primary and to replicas since the store opened.
func (s *Store) ReadCounts() (primary, replica uint64) {
	return s.reads[targetPrimary].Load(), s.reads[targetReplica].Load()
}

// ReadsFromReplica reports whether ForQuery would now send reads to a
// replica; /readyz uses it to stay ready while the primary is down.
func (s *Store) ReadsFromReplica() bool {
	return s.reps != nil && s.reps.pick() != nil
}

// keyReader is where API keys are verified: the primary while it
// answers (a key just created or revoked is seen at once), else a replica
// in use, so verifying keys does not stop with the primary.
func (s *Store) keyReader() (db, fallback *sqlx.DB) {
	if s.reps == nil {
		return s.db, nil
	}
	var rep *sqlx.DB
	if r := s.reps.pick(); r != nil {
		rep = r.db
	}
	if !s.reps.primaryUp.Load() && rep != nil {
		return rep, nil
	}
	return s.db, rep
}

// pick returns a replica in use, round robin, or nil.
func (rs *replicas) pick() *replica {
	n := uint32(len(rs.list))
	start := rs.next.Add(1)
	for i := range n {
		if r := rs.list[(start+i)%n]; r.usable.Load() {
			return r
		}
	}
	return nil
}

// AwaitReplicas makes a write this process has committed readable from
// every replica any process reads from: call it after a mutation, before
// answering. It waits, at most MaxLag, for the replicas in use to replay
// the primary's current WAL position; those that do not, and those out of
// use, are fenced off until they have. Without replicas, or with the
// primary unreachable (then nothing was written), it returns at once.
func (s *Store) AwaitReplicas(ctx context.Context) {
	if s == nil || s.reps == nil {
		return
	}
	rs := s.reps
	// Detached from the request's values (its statements are not the
	// request's work) but not from its end.
	wctx, cancel := context.WithTimeout(context.Background(), rs.maxLag)
	defer cancel()
	defer context.AfterFunc(ctx, cancel)()
	lsn, err := position(wctx, s.db, `SELECT pg_current_wal_lsn() - '0/0'`)
	if err != nil {
		return
	}
	behind := false
	for _, r := range rs.list {
		switch {
		case r.replayed.Load() >= lsn:
		case !r.usable.Load():
			behind = true
		case !r.await(wctx, lsn):
			r.usable.Store(false)
			behind = true
			rs.logger.Warn("read replica out of use: it did not replay a write within the lag bound", "replica", r.n, "max_lag", rs.maxLag.String())
		}
	}
	if behind {
		rs.raiseFence(lsn)
		rs.announce(s.db, lsn)
	}
}

// await polls r until it has replayed lsn, or ctx ends or r fails.
func (r *replica) await(ctx context.Context, lsn uint64) bool {
	pause := 500 * time.Microsecond
	for {
		pos, err := replayPosition(ctx, r.db)
		if err != nil {
			return false
		}
		r.replayed.Store(pos)
		if pos >= lsn {
			return true
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
		pause = min(2*pause, 20*time.Millisecond)
	}
}

// raiseFence raises this process's fence to lsn and takes every replica
// that has not replayed it out of use.
func (rs *replicas) raiseFence(lsn uint64) {
	for {
		cur := rs.fence.Load()
		if lsn <= cur || rs.fence.CompareAndSwap(cur, lsn) {
			break
		}
	}
	for _, r := range rs.list {
		if r.replayed.Load() < lsn {
			r.usable.Store(false)
		}
	}
}

// announce sends the fence lsn to every process and waits, a little, to
// hear it back.
func (rs *replicas) announce(primary *sqlx.DB, lsn uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), fenceHeardWait)
	defer cancel()
	if _, err := primary.ExecContext(ctx, `SELECT pg_notify($1, $2)`, fenceChannel, strconv.FormatUint(lsn, 10)); err != nil {
		rs.logger.Warn("replica fence not announced: other processes fence the replica when they see it lag", "err", err)
		return
	}
	for rs.heard.Load() < lsn {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Millisecond):
		}
	}
}

// listen takes the fences other processes (and this one) announce.
func (rs *replicas) listen(ctx context.Context) {
	defer rs.done.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-rs.listener.Notify:
			if n == nil {
				continue // reconnected: the event callback asked for a fence
			}
			lsn, err := strconv.ParseUint(n.Extra, 10, 64)
			if err != nil {
				continue
			}
			rs.raiseFence(lsn)
			for {
				cur := rs.heard.Load()
				if lsn <= cur || rs.heard.CompareAndSwap(cur, lsn) {
					break
				}
			}
		}
	}
}

// monitor samples the positions every interval until ctx ends.
func (rs *replicas) monitor(ctx context.Context, primary *sqlx.DB) {
	defer rs.done.Done()
	t := time.NewTicker(rs.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			rs.sample(ctx, primary, false)
		}
	}
}

// sample reads the primary's WAL position and each replica's replay
// position, and decides which replicas are in use. first fences at the
// primary's position, as after a reconnection of the listener.
func (rs *replicas) sample(ctx context.Context, primary *sqlx.DB, first bool) {
	now := time.Now()
	sctx, cancel := context.WithTimeout(ctx, sampleTimeout)
	defer cancel()
	lsn, err := position(sctx, primary, `SELECT pg_current_wal_lsn() - '0/0'`)
	up := err == nil
	if was := rs.primaryUp.Swap(up); (was != up && !first) || (first && !up) {
		if up {
			rs.logger.Info("primary database answers again")
		} else {
			rs.logger.Warn("primary database unreachable: writes fail, reads go to replicas", "err", err)
		}
	}
	if up {
		if first || rs.refence.Swap(false) {
			rs.raiseFence(lsn)
		}
		rs.history = append(rs.history, walSample{now, lsn})
		for len(rs.history) > 1 && !rs.history[1].at.After(now.Add(-rs.maxLag)) {
			rs.history = rs.history[1:] // keep one sample at or before now-maxLag
		}
	}
	var wg sync.WaitGroup
	for _, r := range rs.list {
		wg.Go(func() { rs.judge(sctx, r, now, up) })
	}
	wg.Wait()
}

// judge samples r and puts it in or out of use.
func (rs *replicas) judge(ctx context.Context, r *replica, now time.Time, primaryUp bool) {
	pos, err := replayPosition(ctx, r.db)
	why := ""
	switch {
	case err != nil:
		why = "unreachable"
	default:
		r.replayed.Store(pos)
		if pos < rs.fence.Load() {
			why = "has not replayed a write acknowledged without it"
		} else if primaryUp && rs.lagging(pos, now) {
			why = "lags more than the bound"
		}
	}
	ok := why == ""
	if ok {
		r.usable.Store(true)
		if pos < rs.fence.Load() { // a fence raised meanwhile
			r.usable.Store(false)
			ok, why = false, "has not replayed a write acknowledged without it"
		}
	} else {
		r.usable.Store(false)
	}
	switch {
	case ok && r.why != "":
		rs.logger.Info("read replica in use", "replica", r.n)
		r.why = ""
	case !ok && r.why != why:
		rs.logger.Warn("read replica out of use: reads go to the primary", "replica", r.n, "why", why)
		r.why = why
	}
}

// lagging: pos is behind the primary's position MaxLag ago.
func (rs *replicas) lagging(pos uint64, now time.Time) bool {
	old := rs.history[0]
	return !old.at.After(now.Add(-rs.maxLag)) && pos < old.lsn
}

// replayPosition is how far a replica has replayed the primary's WAL; a
// server that is not a standby (a stand-in in tests) gives its own
// position.
func replayPosition(ctx context.Context, db *sqlx.DB) (uint64, error) {
	return position(ctx, db, `SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END - '0/0'`)
}

// position runs q, a WAL position as a byte offset.
func position(ctx context.Context, db *sqlx.DB, q string) (uint64, error) {
	var s string
	if err := db.QueryRowContext(ctx, q).Scan(&s); err != nil {
		return 0, translate(err)
	}
	return strconv.ParseUint(s, 10, 64)
}

// close stops the monitor and closes the replicas' pools.
func (rs *replicas) close() {
	if rs.stop != nil {
		rs.stop()
		rs.done.Wait()
	}
	if rs.listener != nil {
		_ = rs.listener.Close()
	}
	for _, r := range rs.list {
		_ = r.db.Close()
	}
}

// unavailable: err is a database that did not answer (apperr.ErrUnavailable),
// which another database may answer instead.
func unavailable(err error) bool { return errors.Is(err, apperr.ErrUnavailable) }
