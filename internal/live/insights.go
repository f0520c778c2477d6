package live

import (
	"context"
	"fmt"
	"time"

	"startupgraph/internal/apperr"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
	"startupgraph/internal/viewer"
)

// Live insights (Subscription.insights): the subscribers of the same
// slice (filter and where) in the same scope form a group. When the data
// changes, the group makes one new Insights value with a fresh memo and
// hands it to every member, at most once per InsightsEvery: the first
// member to resolve a figure reads it, the others get the same answer
// (model.Memo). As Hasura multiplexes its live queries.

// InsightsEvery is the least time between two updates of one group.
const InsightsEvery = time.Second

type insightsGroup struct {
	key     string
	slice   store.Insights
	members map[chan *store.Insights]int64
	current *store.Insights
	last    time.Time
	timer   *time.Timer
}

// SubscribeInsights streams slice's totals to ctx's viewer: the current
// ones at once, then new ones after each change, at most once per
// InsightsEvery. key names the slice (the same key, the same filter and
// where); the viewer's scope is added to it. A client that reads slowly
// gets the latest totals, never a backlog.
func (h *Hub) SubscribeInsights(ctx context.Context, key string, slice store.Insights) (<-chan *store.Insights, error) {
	v := viewer.From(ctx)
	scope := "all"
	if !v.ReadsEverything() {
		scope = fmt.Sprintf("%s/%d", v.Role, v.UniversityID)
	}
	key = scope + "|" + key
	ch := make(chan *store.Insights, 1)
	h.mu.Lock()
	if h.perKey[v.KeyID] >= h.opts.MaxPerKey {
		h.mu.Unlock()
		return nil, apperr.ErrTooManySubscriptions
	}
	h.perKey[v.KeyID]++
	if h.groups == nil {
		h.groups = map[string]*insightsGroup{}
	}
	g := h.groups[key]
	if g == nil {
		g = &insightsGroup{key: key, slice: slice, members: map[chan *store.Insights]int64{}}
		g.current = g.fresh()
		h.groups[key] = g
	}
	g.members[ch] = v.KeyID
	ch <- g.current // the totals as they stand (computed once for the group)
	h.mu.Unlock()
	if h.opts.Observe != nil {
		h.opts.Observe.Subscriptions(1)
	}
	context.AfterFunc(ctx, func() {
		h.mu.Lock()
		left := h.leave(g, ch, v.KeyID)
		h.mu.Unlock()
		if left && h.opts.Observe != nil {
			h.opts.Observe.Subscriptions(-1)
		}
	})
	return ch, nil
}

// leave ends member ch of g (false when it had already ended: the hub
// closed). Called with h.mu held.
func (h *Hub) leave(g *insightsGroup, ch chan *store.Insights, key int64) bool {
	if _, ok := g.members[ch]; !ok {
		return false
	}
	delete(g.members, ch)
	close(ch)
	if len(g.members) == 0 {
		if g.timer != nil {
			g.timer.Stop()
		}
		delete(h.groups, g.key)
	}
	if h.perKey[key]--; h.perKey[key] <= 0 {
		delete(h.perKey, key)
	}
	return true
}

// closeInsights ends every live insights subscription (the hub closes).
func (h *Hub) closeInsights() {
	h.mu.Lock()
	n := 0
	for _, g := range h.groups {
		for ch, key := range g.members {
			if h.leave(g, ch, key) {
				n++
			}
		}
	}
	h.mu.Unlock()
	if h.opts.Observe != nil && n > 0 {
		h.opts.Observe.Subscriptions(-n)
	}
}

// fresh is a new value of the group's totals, with a memo of its own.
func (g *insightsGroup) fresh() *store.Insights {
	in := g.slice
	in.Memo = &model.Memo{}
	return &in
}

// changedInsights updates every group now, or, for a group updated less
// than InsightsEvery ago, when that time has passed. Called with h.mu
// held.
func (h *Hub) changedInsights() {
	now := time.Now()
	for _, g := range h.groups {
		if g.timer != nil {
			continue // an update is already due
		}
		if wait := g.last.Add(InsightsEvery).Sub(now); wait > 0 {
			g.timer = time.AfterFunc(wait, func() {
				h.mu.Lock()
				defer h.mu.Unlock()
				g.timer = nil
				if h.groups[g.key] == g {
					h.publish(g)
				}
			})
			continue
		}
		h.publish(g)
	}
}

// publish hands every member of g a new value of its totals, replacing
// one the member has not read yet. Called with h.mu held.
func (h *Hub) publish(g *insightsGroup) {
	g.current, g.last = g.fresh(), time.Now()
	for ch := range g.members {
		select {
		case <-ch:
		default:
		}
		ch <- g.current
	}
}
