package auth

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"startupgraph/internal/apperr"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
	"startupgraph/internal/viewer"
)

// CacheTTL is how long a verified or refused key is remembered. A key
// revoked, expired or changed is forgotten at once by every process that
// hears of it (Forget, told by the change feed's listener: migration
// 00030); this is how long a process that missed the news may still
// believe the cache.
const CacheTTL = 30 * time.Second

// maxCached bounds each of the two caches (verified keys, refused keys).
// Past it, the least recently used entry goes, one at a time.
const maxCached = 10000

// touchEvery is how precisely a key's last_used_at is kept: a key in use
// writes it at most this often, not on every request.
const touchEvery = time.Minute

// ErrInvalidKey is any key that does not grant access: malformed, unknown,
// expired or revoked. Clients cannot tell these apart.
var ErrInvalidKey = errors.New("invalid API key")

type cached struct {
	viewer  viewer.Viewer
	expires time.Time
}

// lookupTimeout bounds a key lookup shared by concurrent requests (it
// does not end with the request that started it) and a record of key use.
const lookupTimeout = 5 * time.Second

// Authenticator verifies bearer keys against the store, with short caches
// of verified and refused keys, so repeated keys, good or bad, take no
// database connection. The caches are bounded LRUs, and separate: a flood
// of made-up keys evicts only other made-up keys, never a key in use. An
// entry expires by its own expires time (plain LRUs: the expirable ones
// run a goroutine per cache that never ends). Concurrent misses of one
// key share one lookup.
type Authenticator struct {
	store  *store.Store
	logger *slog.Logger
	now    func() time.Time

	known   *lru.Cache[[32]byte, cached]
	refused *lru.Cache[[32]byte, cached]
	lookups singleflight.Group
	// forgetting orders Forget against a lookup's caching: a lookup
	// caches its answer only if nothing was forgotten since it read the
	// key (forgotten counts), so an answer read before a revocation is
	// not cached after the revocation was heard of.
	forgetting sync.Mutex
	forgotten  uint64

	mu      sync.Mutex
	touched *lru.Cache[int64, time.Time] // when each key's use was last recorded from here
	closed  bool
	touches sync.WaitGroup // records of key use in flight
}

// NewAuthenticator verifies keys against s; it logs to logger when it
// cannot record that a key was used. Close it before closing s.
func NewAuthenticator(s *store.Store, logger *slog.Logger) *Authenticator {
	known, _ := lru.New[[32]byte, cached](maxCached) // errors only for a size <= 0
	refused, _ := lru.New[[32]byte, cached](maxCached)
	touched, _ := lru.New[int64, time.Time](maxCached)
	return &Authenticator{store: s, logger: logger, now: time.Now, known: known, refused: refused, touched: touched}
}

// Close waits for the records of key use still being written, and starts
// no more: call it at shutdown, once requests are done and before the
// store closes.
func (a *Authenticator) Close() {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	a.touches.Wait()
}

// Authenticate returns the viewer for an Authorization header value: the
// anonymous viewer when it is empty, an error when it carries a key that
// grants nothing.
func (a *Authenticator) Authenticate(ctx context.Context, header string) (viewer.Viewer, error) {
	if header == "" {
		return viewer.AnonymousViewer, nil
	}
	scheme, secret, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || !wellFormed(strings.TrimSpace(secret)) {
		return viewer.Viewer{}, ErrInvalidKey
	}
	hash := Hash(strings.TrimSpace(secret))
	now := a.now()
	if c, hit := a.known.Get(hash); hit && now.Before(c.expires) {
		return c.viewer, nil
	}
	if c, hit := a.refused.Get(hash); hit && now.Before(c.expires) {
		return viewer.Viewer{}, ErrInvalidKey
	}
	// One lookup per key at a time, whichever requests miss it together.
	// It runs on for the others when the request that started it ends
	// (its values, such as the statement count, are kept).
	res := a.lookups.DoChan(string(hash[:]), func() (any, error) {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lookupTimeout)
		defer cancel()
		return a.lookup(lctx, hash, now)
	})
	select {
	case r := <-res:
		if r.Err != nil {
			return viewer.Viewer{}, r.Err
		}
		return r.Val.(viewer.Viewer), nil
	case <-ctx.Done():
		return viewer.Viewer{}, ctx.Err()
	}
}

// Forget drops what the caches hold of the key with hash (it was
// created, revoked, expired or changed, perhaps by another process): the
// next request with it looks it up.
func (a *Authenticator) Forget(hash []byte) {
	if len(hash) != 32 {
		a.ForgetAll()
		return
	}
	a.forgetting.Lock()
	defer a.forgetting.Unlock()
	a.forgotten++
	a.known.Remove([32]byte(hash))
	a.refused.Remove([32]byte(hash))
}

// ForgetAll empties the caches: news of changed keys may have been lost
// (the listener reconnected).
func (a *Authenticator) ForgetAll() {
	a.forgetting.Lock()
	defer a.forgetting.Unlock()
	a.forgotten++
	a.known.Purge()
	a.refused.Purge()
}

// cache remembers c for hash in to (and forgets it in from), unless
// something was forgotten since the lookup began (at forgotten).
func (a *Authenticator) cache(hash [32]byte, c cached, to, from *lru.Cache[[32]byte, cached], forgotten uint64) {
	a.forgetting.Lock()
	defer a.forgetting.Unlock()
	if a.forgotten != forgotten {
		return
	}
	from.Remove(hash)
	to.Add(hash, c)
}

// lookup verifies the key with hash in the store and caches the answer.
func (a *Authenticator) lookup(ctx context.Context, hash [32]byte, now time.Time) (viewer.Viewer, error) {
	a.forgetting.Lock()
	forgotten := a.forgotten
	a.forgetting.Unlock()
	key, err := a.store.LookupAPIKey(ctx, hash[:])
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		a.cache(hash, cached{expires: now.Add(CacheTTL)}, a.refused, a.known, forgotten)
		return viewer.Viewer{}, ErrInvalidKey
	case err != nil:
		return viewer.Viewer{}, err
	}
	a.touch(ctx, key, now)
	c := cached{viewer: toViewer(key), expires: now.Add(CacheTTL)}
	if key.ExpiresAt != nil && key.ExpiresAt.Before(c.expires) {
		c.expires = *key.ExpiresAt // never trust the cache past the key's expiry
	}
	a.cache(hash, c, a.known, a.refused, forgotten)
	return c.viewer, nil
}

// touch records that key was used, at most once per touchEvery: not when
// the store's last_used_at or this authenticator's own last record of it
// is more recent. It writes off the request's path: it is bookkeeping, so
// it neither delays the request nor refuses a valid key when it fails
// (a lookup a minute later tries again).
func (a *Authenticator) touch(ctx context.Context, key model.APIKey, now time.Time) {
	if key.LastUsedAt != nil && now.Sub(*key.LastUsedAt) < touchEvery {
		return
	}
	a.mu.Lock()
	last, seen := a.touched.Get(key.ID)
	if a.closed || seen && now.Sub(last) < touchEvery {
		a.mu.Unlock()
		return
	}
	a.touched.Add(key.ID, now)
	a.touches.Add(1)
	a.mu.Unlock()
	go func() {
		defer a.touches.Done()
		// Not under the request's context: the request may be over, and
		// its statement count is the request's own work.
		tctx, cancel := context.WithTimeout(context.Background(), lookupTimeout)
		defer cancel()
		if err := a.store.TouchAPIKey(tctx, key.ID, touchEvery); err != nil {
			a.logger.WarnContext(ctx, "could not record api key use", "key_id", key.ID, "err", err)
		}
	}()
}

func toViewer(k model.APIKey) viewer.Viewer {
	v := viewer.Viewer{Role: viewer.Role(k.Role), KeyID: k.ID, KeyName: k.Name}
	if k.UniversityID != nil {
		v.UniversityID = *k.UniversityID
	}
	return v
}
