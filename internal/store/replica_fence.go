package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Read your own writes: waiting for the replicas after a mutation, and
// the fence that keeps every process off a replica that lacks a write
// (see replica.go).

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
// that has not replayed it out of use. It holds mu, as judge does when it
// puts a replica in use, so no replica below the fence is in use once it
// returns.
func (rs *replicas) raiseFence(lsn uint64) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if lsn > rs.fence.Load() {
		rs.fence.Store(lsn)
	}
	for _, r := range rs.list {
		if r.replayed.Load() < lsn {
			r.usable.Store(false)
		}
	}
}

// announce sends the fence lsn to every process and waits, at most
// fenceAckWait, until every process listening (counted by their
// listeners' application_name in pg_stat_activity, this one included) has
// acknowledged it: each raises its fence before it acknowledges.
func (rs *replicas) announce(primary *sqlx.DB, lsn uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), fenceAckWait)
	defer cancel()
	acks := make(chan string, 64)
	rs.ackMu.Lock()
	rs.ackWaiters[lsn] = append(rs.ackWaiters[lsn], acks)
	rs.ackMu.Unlock()
	defer func() {
		rs.ackMu.Lock()
		delete(rs.ackWaiters, lsn)
		rs.ackMu.Unlock()
	}()
	var listeners int
	if err := primary.GetContext(ctx, &listeners, `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`, listenerName); err != nil {
		rs.logger.Warn("replica fence not announced: other processes fence the replica when they see it lag", "err", err)
		return
	}
	if _, err := primary.ExecContext(ctx, `SELECT pg_notify($1, $2)`, fenceChannel, strconv.FormatUint(lsn, 10)); err != nil {
		rs.logger.Warn("replica fence not announced: other processes fence the replica when they see it lag", "err", err)
		return
	}
	heard := map[string]bool{}
	for len(heard) < listeners {
		select {
		case <-ctx.Done():
			rs.logger.Warn("replica fence: not every process acknowledged it in time", "acknowledged", len(heard), "listening", listeners)
			return
		case id := <-acks:
			heard[id] = true
		}
	}
}

// listen takes the fences other processes (and this one) announce, and
// acknowledges each once it is raised here; and hands the
// acknowledgements to the announcers waiting for them.
func (rs *replicas) listen(ctx context.Context, primary *sqlx.DB) {
	defer rs.done.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-rs.listener.Notify:
			if n == nil {
				continue // reconnected: the event callback fenced
			}
			switch n.Channel {
			case fenceChannel:
				lsn, err := strconv.ParseUint(n.Extra, 10, 64)
				if err != nil {
					continue
				}
				rs.raiseFence(lsn)
				actx, cancel := context.WithTimeout(ctx, fenceAckWait)
				_, _ = primary.ExecContext(actx, `SELECT pg_notify($1, $2)`, fenceAckChannel, n.Extra+" "+rs.id)
				cancel()
			case fenceAckChannel:
				lsnText, id, ok := strings.Cut(n.Extra, " ")
				lsn, err := strconv.ParseUint(lsnText, 10, 64)
				if !ok || err != nil {
					continue
				}
				rs.ackMu.Lock()
				for _, w := range rs.ackWaiters[lsn] {
					select {
					case w <- id:
					default:
					}
				}
				rs.ackMu.Unlock()
			}
		}
	}
}

// outUntilSampled takes every replica out of use until the monitor's next
// sample fences at the primary's position: the listener has just
// (re)connected, and fences sent before were not heard here.
func (rs *replicas) outUntilSampled() {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.refence.Store(true)
	for _, r := range rs.list {
		r.usable.Store(false)
	}
}
