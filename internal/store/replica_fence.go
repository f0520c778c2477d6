package store

import (
	"context"
	"strconv"
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
