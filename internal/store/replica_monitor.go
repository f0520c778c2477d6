package store

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// The monitor: which replicas are in use, from WAL positions sampled
// every interval (see replica.go).

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
	// Taken before the primary's position is read, so that position is
	// at least every fence announced before the listener connected.
	refence := rs.refence.Swap(false) || first
	lsn, err := position(sctx, primary, `SELECT pg_current_wal_lsn() - '0/0'`)
	up := err == nil
	if was := rs.primaryUp.Swap(up); (was != up && !first) || (first && !up) {
		if up {
			rs.logger.Info("primary database answers again")
		} else {
			rs.logger.Warn("primary database unreachable: writes fail, reads go to replicas", "err", err)
		}
	}
	if !up && refence && !first {
		rs.refence.Store(true) // fence once the primary answers
	}
	if up {
		if refence {
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
	rs.mu.Lock() // against a fence raised meanwhile
	switch {
	case why != "":
	case pos < rs.fence.Load():
		why = "has not replayed a write acknowledged without it"
	case primaryUp && rs.refence.Load():
		why = "waiting for the fence of a listener that just connected"
	}
	ok := why == ""
	r.usable.Store(ok)
	rs.mu.Unlock()
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
