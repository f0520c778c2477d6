// Package live delivers the change feed as it happens (issue 21). Every
// audit record is announced by PostgreSQL NOTIFY from the transaction
// that writes it (migration 00026); a Hub in each server process LISTENs
// with lib/pq's Listener and wakes its subscriptions, and each
// subscription reads what follows its cursor from the store, as its own
// viewer may see it (the scope stays in SQL). Reading by cursor is what
// makes it miss nothing: a notification lost while the listener
// reconnected, or several coalesced into one wake-up, only means the next
// read returns more. Several server processes on one database each
// receive every notification, so each delivers every change.
package live

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"

	"startupgraph/internal/apperr"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
	"startupgraph/internal/viewer"
)

// Channel is the NOTIFY channel migration 00026 announces records on.
const Channel = "startupgraph_changes"

// KeysChannel is the NOTIFY channel migration 00030 announces changes of
// API keys on: "<key id> <key hash in hex>".
const KeysChannel = "startupgraph_api_keys"

// Options bound what subscriptions may hold.
type Options struct {
	// MaxPerKey is how many subscriptions one API key may have open at
	// once (DefaultMaxPerKey when 0).
	MaxPerKey int
	// Buffer is how many changes a subscription holds for a client that
	// has not read them yet; one more and the client is dropped as a slow
	// consumer (DefaultBuffer when 0).
	Buffer int
	// Recheck is how often a subscription verifies that its key still
	// grants access (DefaultRecheck when 0).
	Recheck time.Duration
	// Reads bounds the store reads subscriptions run at once, so a burst
	// of wake-ups queues here and not for the pool that serves requests
	// (DefaultReads when 0).
	Reads int
	// Observe, when set, is told how late each notification arrived
	// (the NOTIFY lag) and how many subscriptions are open.
	Observe Observer
}

// Observer receives the hub's measurements (telemetry.Metrics).
type Observer interface {
	NotifyLag(time.Duration)
	Subscriptions(delta int)
}

// Defaults of Options.
const (
	DefaultMaxPerKey = 10
	DefaultBuffer    = 64
	DefaultRecheck   = 5 * time.Second
	DefaultReads     = 4
	// pageSize is how many changes one read returns.
	pageSize = 100
	// pingEvery is how often the listener's connection is checked, so a
	// connection lost without a word is noticed and re-established.
	pingEvery = 30 * time.Second
)

// Hub fans the database's announcements out to this process's
// subscriptions. Close it at shutdown.
type Hub struct {
	store    *store.Store
	logger   *slog.Logger
	opts     Options
	listener *pq.Listener
	reads    chan struct{}
	latest   atomic.Int64
	// epoch counts the notifications and reconnections received: reads
	// shared within one epoch (see read).
	epoch     atomic.Int64
	done      chan struct{}
	closeOnce sync.Once
	stopped   chan struct{}

	mu     sync.Mutex
	subs   map[*subscription]struct{}
	perKey map[int64]int
	groups map[string]*insightsGroup
	// keyChanged are told of every API key changed (OnKeyChange).
	keyChanged []func(id int64, hash []byte)

	readsMu    sync.Mutex
	readsEpoch int64
	shared     map[readKey]*sharedRead
}

// readKey is what a read's answer depends on: the viewer's scope, the
// filter, the cursor, and the epoch it was asked in.
type readKey struct {
	scope, filter string
	after, epoch  int64
}

// sharedRead is one read's answer, computed once for every subscription
// that asks the same question in the same epoch: after a change, the
// subscriptions of one scope and filter all stand at the same cursor, and
// one statement serves them all.
type sharedRead struct {
	once sync.Once
	rows []model.Change
	more bool
	err  error
}

// New starts a hub listening on the database at dsn; it returns once the
// listener is LISTENing, so no record committed after New returns goes
// unannounced.
func New(ctx context.Context, dsn string, s *store.Store, logger *slog.Logger, opts Options) (*Hub, error) {
	if opts.MaxPerKey == 0 {
		opts.MaxPerKey = DefaultMaxPerKey
	}
	if opts.Buffer == 0 {
		opts.Buffer = DefaultBuffer
	}
	if opts.Recheck == 0 {
		opts.Recheck = DefaultRecheck
	}
	if opts.Reads == 0 {
		opts.Reads = DefaultReads
	}
	h := &Hub{store: s, logger: logger, opts: opts, reads: make(chan struct{}, opts.Reads),
		done: make(chan struct{}), stopped: make(chan struct{}),
		subs: map[*subscription]struct{}{}, perKey: map[int64]int{}}
	h.listener = pq.NewListener(dsn, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventDisconnected, pq.ListenerEventConnectionAttemptFailed:
			logger.Warn("change listener lost its connection; reconnecting", "event", ev.String(), "err", err)
		case pq.ListenerEventReconnected:
			logger.Info("change listener reconnected; subscriptions read what they missed")
		}
	})
	listened := make(chan error, 1)
	go func() {
		err := h.listener.Listen(Channel)
		if err == nil {
			err = h.listener.Listen(KeysChannel)
		}
		listened <- err
	}()
	select {
	case err := <-listened:
		if err != nil {
			_ = h.listener.Close()
			return nil, err
		}
	case <-ctx.Done():
		_ = h.listener.Close()
		return nil, ctx.Err()
	}
	latest, err := s.LatestChange(ctx)
	if err != nil {
		_ = h.listener.Close()
		return nil, err
	}
	h.latest.Store(latest)
	go h.run()
	return h, nil
}

// Close stops listening and ends every subscription; closing again does
// nothing.
func (h *Hub) Close() error {
	var err error
	h.closeOnce.Do(func() {
		close(h.done)
		h.closeInsights()
		err = h.listener.Close()
		<-h.stopped
	})
	return err
}

// run receives the announcements: each wakes the subscriptions behind
// it; a reconnection (a nil notification: some may have been lost) wakes
// them all.
func (h *Hub) run() {
	defer close(h.stopped)
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-h.done:
			return
		case n, ok := <-h.listener.Notify:
			if !ok {
				return
			}
			if n == nil {
				h.epoch.Add(1)
				h.keysChanged(0, nil)
				h.wake(0)
				continue
			}
			if n.Channel == KeysChannel {
				id, hash := parseKeyPayload(n.Extra)
				h.keysChanged(id, hash)
				continue
			}
			h.epoch.Add(1)
			id, at := parsePayload(n.Extra)
			if at > 0 && h.opts.Observe != nil {
				h.opts.Observe.NotifyLag(time.Since(time.UnixMicro(at)))
			}
			for cur := h.latest.Load(); id > cur && !h.latest.CompareAndSwap(cur, id); cur = h.latest.Load() {
			}
			h.wake(id)
		case <-ping.C:
			if err := h.listener.Ping(); err != nil {
				h.logger.Warn("change listener ping failed; it reconnects", "err", err)
			}
		}
	}
}

// OnKeyChange makes fn hear of every API key created, changed, revoked or
// deleted, by whichever process or command: fn(id, hash), called in the
// hub's goroutine (keep it short). After the listener reconnected (a
// notification may have been lost) it is told fn(0, nil): forget every
// key. The subscriptions of a changed key (of every key, after a
// reconnection) check it again at once.
func (h *Hub) OnKeyChange(fn func(id int64, hash []byte)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.keyChanged = append(h.keyChanged, fn)
}

// keysChanged tells OnKeyChange's functions that key id changed (0: any
// key may have), then has its subscriptions check it again.
func (h *Hub) keysChanged(id int64, hash []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, fn := range h.keyChanged {
		fn(id, hash)
	}
	for s := range h.subs {
		if s.key != 0 && (id == 0 || s.key == id) {
			select {
			case s.recheck <- struct{}{}:
			default:
			}
		}
	}
}

// parseKeyPayload reads "<id> <hash in hex>"; 0 and nil for what is
// missing or malformed (then every key is forgotten: the caller is told
// (0, nil)).
func parseKeyPayload(s string) (id int64, hash []byte) {
	a, b, _ := strings.Cut(s, " ")
	id, err := strconv.ParseInt(a, 10, 64)
	hash, herr := hex.DecodeString(b)
	if err != nil || herr != nil || id <= 0 || len(hash) == 0 {
		return 0, nil
	}
	return id, hash
}

// parsePayload reads "<id> <unix microseconds>"; 0 for what is missing.
func parsePayload(s string) (id, micros int64) {
	a, b, _ := strings.Cut(s, " ")
	id, _ = strconv.ParseInt(a, 10, 64)
	micros, _ = strconv.ParseInt(b, 10, 64)
	return id, micros
}

// wake tells every subscription whose cursor is before id (0: all) that
// there is more to read. A subscription already told keeps one wake-up.
func (h *Hub) wake(id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.changedInsights()
	for s := range h.subs {
		if id == 0 || s.cursor.Load() < id {
			select {
			case s.wake <- struct{}{}:
			default:
			}
		}
	}
}

// subscription is one client's live feed.
type subscription struct {
	wake chan struct{}
	// recheck asks for the key to be checked now (it changed).
	recheck chan struct{}
	out     chan *model.Change
	cursor  atomic.Int64
	key     int64
}

// Stream is a subscription's changes; Err says why it ended once
// Changes is closed (nil when its context ended).
type Stream struct {
	Changes <-chan *model.Change
	err     atomic.Pointer[error]
}

// Err is why the stream ended: apperr.ErrSlowConsumer, the key's
// refusal, or a store error; nil when the subscriber left.
func (s *Stream) Err() error {
	if p := s.err.Load(); p != nil {
		return *p
	}
	return nil
}

// Subscribe streams the changes f selects that ctx's viewer may see,
// after the record with id after (nil: from now on), until ctx ends or
// the subscription is dropped. The key check ctx carries (WithKeyCheck)
// is asked every Options.Recheck whether the viewer's key still grants
// access; its error ends the stream.
func (h *Hub) Subscribe(ctx context.Context, f store.ChangeFilter, after *int64) (*Stream, error) {
	stillValid := keyCheckFrom(ctx)
	v := viewer.From(ctx)
	var from int64
	if after != nil {
		from = *after
	} else {
		// From now on: after the newest record committed, whether or not
		// its notification has arrived here yet.
		latest, err := h.store.LatestChange(ctx)
		if err != nil {
			return nil, err
		}
		from = latest
	}
	s := &subscription{wake: make(chan struct{}, 1), recheck: make(chan struct{}, 1), out: make(chan *model.Change, h.opts.Buffer), key: v.KeyID}
	s.cursor.Store(from)
	h.mu.Lock()
	if h.perKey[v.KeyID] >= h.opts.MaxPerKey {
		h.mu.Unlock()
		return nil, apperr.ErrTooManySubscriptions
	}
	h.perKey[v.KeyID]++
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	if h.opts.Observe != nil {
		h.opts.Observe.Subscriptions(1)
	}
	st := &Stream{Changes: s.out}
	s.wake <- struct{}{} // read what follows the cursor at once
	go h.serve(ctx, s, f, stillValid, st)
	return st, nil
}

func (h *Hub) unsubscribe(s *subscription) {
	h.mu.Lock()
	delete(h.subs, s)
	if h.perKey[s.key]--; h.perKey[s.key] <= 0 {
		delete(h.perKey, s.key)
	}
	h.mu.Unlock()
	if h.opts.Observe != nil {
		h.opts.Observe.Subscriptions(-1)
	}
}

// serve reads and hands over a subscription's changes whenever it is
// woken, until ctx ends, the hub closes, or it is dropped.
func (h *Hub) serve(ctx context.Context, s *subscription, f store.ChangeFilter, stillValid func(context.Context) error, st *Stream) {
	var err error
	defer func() {
		h.unsubscribe(s)
		if err != nil && ctx.Err() == nil {
			st.err.Store(&err)
		}
		close(s.out)
	}()
	recheck := time.NewTicker(h.opts.Recheck)
	defer recheck.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.done:
			return
		case <-recheck.C:
			if stillValid != nil {
				if err = stillValid(ctx); err != nil {
					return
				}
			}
		case <-s.recheck:
			if stillValid != nil {
				if err = stillValid(ctx); err != nil {
					return
				}
			}
		case <-s.wake:
			if err = h.catchUp(ctx, s, f); err != nil {
				return
			}
		}
	}
}

// catchUp reads everything after the subscription's cursor, a page at a
// time, and hands it over; a client whose buffer is full is dropped.
func (h *Hub) catchUp(ctx context.Context, s *subscription, f store.ChangeFilter) error {
	for {
		rows, more, err := h.read(ctx, f, s.cursor.Load())
		if err != nil {
			return err
		}
		for i := range rows {
			select {
			case s.out <- &rows[i]:
				s.cursor.Store(rows[i].AuditID)
			default:
				return apperr.ErrSlowConsumer
			}
		}
		if !more {
			return nil
		}
	}
}

// read returns a page of the changes after after that ctx's viewer may
// see and f selects, sharing the statement with every subscription that
// asks the same in the same epoch. A change committed after the shared
// statement ran has its own notification, which starts a new epoch and
// wakes the subscriptions again. The rows are shared: read-only.
func (h *Hub) read(ctx context.Context, f store.ChangeFilter, after int64) ([]model.Change, bool, error) {
	v := viewer.From(ctx)
	scope := "all"
	if !v.ReadsEverything() {
		scope = fmt.Sprintf("%s/%d", v.Role, v.UniversityID)
	}
	key := readKey{scope: scope, filter: fmt.Sprint(f.Types, f.Nodes, f.Kinds), after: after, epoch: h.epoch.Load()}
	h.readsMu.Lock()
	if h.shared == nil || key.epoch != h.readsEpoch {
		h.shared, h.readsEpoch = map[readKey]*sharedRead{}, key.epoch // the answers of earlier epochs go
	}
	r := h.shared[key]
	if r == nil {
		r = &sharedRead{}
		h.shared[key] = r
	}
	h.readsMu.Unlock()
	r.once.Do(func() {
		select {
		case h.reads <- struct{}{}:
		case <-ctx.Done():
			r.err = ctx.Err()
			return
		}
		defer func() { <-h.reads }()
		// The statement runs for every subscription that shares it: not
		// cancelled with the one that happened to start it.
		r.rows, r.more, r.err = h.store.Changes(context.WithoutCancel(ctx), f, after, pageSize)
	})
	if r.err != nil && ctx.Err() == nil && errors.Is(r.err, context.Canceled) {
		h.readsMu.Lock()
		delete(h.shared, key) // its starter left before it ran: ask again
		h.readsMu.Unlock()
		return h.read(ctx, f, after)
	}
	return r.rows, r.more, r.err
}

// Open reports how many subscriptions are open.
func (h *Hub) Open() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

type keyCheckKey struct{}

// WithKeyCheck gives ctx's subscriptions the check that their key still
// grants access (the HTTP edge verifies the key it was given again; a
// revoked key fails once the authenticator's cache forgets it).
func WithKeyCheck(ctx context.Context, check func(context.Context) error) context.Context {
	return context.WithValue(ctx, keyCheckKey{}, check)
}

func keyCheckFrom(ctx context.Context) func(context.Context) error {
	f, _ := ctx.Value(keyCheckKey{}).(func(context.Context) error)
	return f
}
