package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
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
// the HTTP edge calls ForQuery for a GraphQL query operation (an export
// page is one), which puts a route in the context, and every read method
// asks s.reader(ctx) for its pool (a replica's reads fail over to the
// primary: replica_fallback.go). Writes, and reads under a context
// without a route (mutations, subscriptions, the commands), use the
// primary. The dataloaders run under the resolvers' contexts, so a
// request's batches read where its resolvers do.
//
// A replica is in use while it answers, has replayed at least the fence
// (below), and is not lagging: a replica lags when it has not replayed
// a WAL position the primary had reached MaxLag ago (positions, not
// timestamps: an idle primary's replicas have replayed everything and
// never lag). A monitor samples the primary's WAL position and each
// replica's replay position every Interval (replica_monitor.go).
//
// Read your writes (replica_fence.go): after a mutation, AwaitReplicas reads the primary's
// WAL position (past the mutation's commit) and waits, at most MaxLag,
// until every replica in use has replayed it. A replica that has not by
// then, or that is out of use already (lagging or down), has not got the
// write: the fence is raised to the position, here and, by a NOTIFY on
// fenceChannel, in every process, and no process reads from a replica
// below its fence. AwaitReplicas returns once every process listening
// has acknowledged the fence (each raises it before it acknowledges), or
// after fenceAckWait. A process whose listener (re)connects reads from
// no replica until its monitor has fenced at the primary's position.

// fenceChannel is the NOTIFY channel of fences: its payload is a WAL
// position (a decimal byte offset) every replica read from must have
// replayed.
const fenceChannel = "startupgraph_replica_fence"

// fenceAckChannel carries acknowledgements of fences: the position and
// the acknowledging process's id.
const fenceAckChannel = "startupgraph_replica_fence_ack"

// listenerName is the application_name of every process's fence
// listener, by which an announcer counts the processes to hear from.
const listenerName = "startupgraph-replica-fences"

// Defaults of ReplicaOptions.
const (
	DefaultReplicaMaxLag   = time.Second
	DefaultReplicaInterval = 200 * time.Millisecond
	// sampleTimeout bounds one sample of a position.
	sampleTimeout = time.Second
	// listenerWait bounds OpenReplicas' wait for the fence listener's
	// first connection.
	listenerWait = 5 * time.Second
	// fenceAckWait bounds the wait for every process to acknowledge a
	// fence.
	fenceAckWait = 250 * time.Millisecond
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
	refence   atomic.Bool // the listener (re)connected: fence at the primary's position
	// mu orders raising the fence with putting replicas in use.
	mu sync.Mutex
	// id names this process in fence acknowledgements; ackWaiters are
	// the announcers waiting for them, by position.
	id         string
	ackMu      sync.Mutex
	ackWaiters map[uint64][]chan string
	next       atomic.Uint32
	history    []walSample // monitor only
	listener   *pq.Listener
	stop       context.CancelFunc
	done       sync.WaitGroup
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
		maxLag:     cmpOr(o.MaxLag, DefaultReplicaMaxLag),
		interval:   cmpOr(o.Interval, DefaultReplicaInterval),
		logger:     o.Logger,
		id:         strconv.FormatInt(time.Now().UnixNano(), 36) + "-" + strconv.Itoa(os.Getpid()),
		ackWaiters: map[uint64][]chan string{},
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
	firstEvent := make(chan struct{})
	var once sync.Once
	rs.listener = pq.NewListener(dbconn.WithSetting(s.dsn, "application_name", listenerName), 100*time.Millisecond, 2*time.Second,
		func(ev pq.ListenerEventType, err error) {
			if ev == pq.ListenerEventConnected || ev == pq.ListenerEventReconnected {
				rs.outUntilSampled()
			}
			once.Do(func() { close(firstEvent) })
		})
	for _, ch := range []string{fenceChannel, fenceAckChannel} {
		if err := rs.listener.Listen(ch); err != nil {
			rs.logger.Warn("replica fences: cannot LISTEN yet; fencing at the primary's position when it connects", "err", err)
		}
	}
	// The first sample fences at the primary's position once the listener
	// is connected (or has failed to): from then on this process hears
	// every fence.
	select {
	case <-firstEvent:
	case <-ctx.Done():
	case <-time.After(listenerWait):
	}
	mctx, stop := context.WithCancel(context.Background())
	rs.stop = stop
	rs.sample(ctx, s.db, true)
	rs.done.Add(2)
	go rs.listen(mctx, s.db)
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
