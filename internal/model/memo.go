package model

import "sync"

// Memo computes a value once per key for everyone who asks for it while
// the memo lives: the live insights (internal/live) hand one Insights
// value, with one Memo, to every subscriber of the same totals and scope,
// so each figure is read once per update however many are subscribed.
// An error is not kept: the next to ask tries again.
type Memo struct {
	mu sync.Mutex
	m  map[string]*memoEntry
}

type memoEntry struct {
	done chan struct{}
	v    any
	err  error
}

// Do returns key's value, computing it with f if no one has (and waiting
// for whoever is computing it).
func (m *Memo) Do(key string, f func() (any, error)) (any, error) {
	m.mu.Lock()
	if m.m == nil {
		m.m = map[string]*memoEntry{}
	}
	if e, ok := m.m[key]; ok {
		m.mu.Unlock()
		<-e.done
		if e.err == nil {
			return e.v, nil
		}
		return m.Do(key, f) // it failed for the one who computed it: try again
	}
	e := &memoEntry{done: make(chan struct{})}
	m.m[key] = e
	m.mu.Unlock()
	e.v, e.err = f()
	if e.err != nil {
		m.mu.Lock()
		delete(m.m, key)
		m.mu.Unlock()
	}
	close(e.done)
	return e.v, e.err
}
