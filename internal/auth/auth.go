package auth

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"startupgraph/internal/apperr"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
	"startupgraph/internal/viewer"
)

// CacheTTL is how long a verified or refused key is remembered. A revoked
// key stops working within this time.
const CacheTTL = 30 * time.Second

// maxCached bounds each of the two caches (verified keys, refused keys).
// Past it, the least recently used entry goes, one at a time.
const maxCached = 10000

// touchEvery is how precisely a key's last_used_at is kept: a key in use
// writes it at most this often, not on every request.
const touchEvery = time.Minute

// errInvalidKey is any key that does not grant access: malformed, unknown,
// expired or revoked. Clients cannot tell these apart.
var errInvalidKey = errors.New("invalid API key")

type cached struct {
	viewer  viewer.Viewer
	expires time.Time
}

// Authenticator verifies bearer keys against the store, with short caches
// of verified and refused keys, so repeated keys, good or bad, take no
// database connection. The caches are bounded LRUs with expiry, and
// separate: a flood of made-up keys evicts only other made-up keys, never
// a key in use.
type Authenticator struct {
	store  *store.Store
	logger *slog.Logger
	now    func() time.Time

	known   *expirable.LRU[[32]byte, cached]
	refused *expirable.LRU[[32]byte, cached]
	touches sync.WaitGroup // records of key use in flight
}

// NewAuthenticator verifies keys against s; it logs to logger when it
// cannot record that a key was used.
func NewAuthenticator(s *store.Store, logger *slog.Logger) *Authenticator {
	return &Authenticator{
		store: s, logger: logger, now: time.Now,
		known:   expirable.NewLRU[[32]byte, cached](maxCached, nil, CacheTTL),
		refused: expirable.NewLRU[[32]byte, cached](maxCached, nil, CacheTTL),
	}
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
		return viewer.Viewer{}, errInvalidKey
	}
	hash := Hash(strings.TrimSpace(secret))
	now := a.now()
	if c, hit := a.known.Get(hash); hit && now.Before(c.expires) {
		return c.viewer, nil
	}
	if c, hit := a.refused.Get(hash); hit && now.Before(c.expires) {
		return viewer.Viewer{}, errInvalidKey
	}
	key, err := a.store.LookupAPIKey(ctx, hash[:])
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		a.known.Remove(hash)
		a.refused.Add(hash, cached{expires: now.Add(CacheTTL)})
		return viewer.Viewer{}, errInvalidKey
	case err != nil:
		return viewer.Viewer{}, err
	}
	if key.LastUsedAt == nil || now.Sub(*key.LastUsedAt) >= touchEvery {
		a.touch(ctx, key.ID)
	}
	c := cached{viewer: toViewer(key), expires: now.Add(CacheTTL)}
	if key.ExpiresAt != nil && key.ExpiresAt.Before(c.expires) {
		c.expires = *key.ExpiresAt // never trust the cache past the key's expiry
	}
	a.refused.Remove(hash)
	a.known.Add(hash, c)
	return c.viewer, nil
}

// touch records that key id was used, off the request's path: it is
// bookkeeping, so it neither delays the request nor refuses a valid key
// when it fails (the next lookup tries again).
func (a *Authenticator) touch(ctx context.Context, id int64) {
	a.touches.Add(1)
	go func() {
		defer a.touches.Done()
		// Not under the request's context: the request may be over, and
		// its statement count is the request's own work.
		tctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := a.store.TouchAPIKey(tctx, id, touchEvery); err != nil {
			a.logger.WarnContext(ctx, "could not record api key use", "key_id", id, "err", err)
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

// Middleware authenticates every request. A request without a key goes on
// as anonymous; a bad key is answered with 401 before any resolver runs;
// a database outage while verifying is a 503.
func (a *Authenticator) Middleware(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := a.Authenticate(r.Context(), r.Header.Get("Authorization"))
		switch {
		case errors.Is(err, errInvalidKey):
			w.Header().Set("WWW-Authenticate", `Bearer realm="startupgraph", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "the API key is malformed, unknown, expired or revoked", apperr.CodeUnauthenticated)
			return
		case err != nil && errors.Is(r.Context().Err(), context.Canceled):
			return // the client hung up: nothing failed, and no one to answer
		case err != nil:
			logger.WarnContext(r.Context(), "api key verification failed", "err", err)
			writeError(w, http.StatusServiceUnavailable, "the service is temporarily unavailable; try again shortly", apperr.CodeUnavailable)
			return
		}
		next.ServeHTTP(w, r.WithContext(viewer.With(r.Context(), v)))
	})
}

func writeError(w http.ResponseWriter, status int, msg string, code apperr.Code) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"message": msg, "extensions": map[string]string{"code": string(code)},
	}}})
}
