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

	"startupgraph/internal/apperr"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
	"startupgraph/internal/viewer"
)

// CacheTTL is how long a verified or refused key is remembered. A revoked
// key stops working within this time.
const CacheTTL = 30 * time.Second

// maxCached bounds the cache; past it, the cache starts afresh.
const maxCached = 10000

// errInvalidKey is any key that does not grant access: malformed, unknown,
// expired or revoked. Clients cannot tell these apart.
var errInvalidKey = errors.New("invalid API key")

type cached struct {
	viewer  viewer.Viewer
	valid   bool
	expires time.Time
}

// Authenticator verifies bearer keys against the store, with a short cache
// of verified and refused keys, so repeated bad keys take no database
// connection.
type Authenticator struct {
	store *store.Store
	now   func() time.Time

	mu    sync.Mutex
	cache map[[32]byte]cached
}

// NewAuthenticator verifies keys against s.
func NewAuthenticator(s *store.Store) *Authenticator {
	return &Authenticator{store: s, now: time.Now, cache: map[[32]byte]cached{}}
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
	a.mu.Lock()
	c, hit := a.cache[hash]
	a.mu.Unlock()
	if hit && now.Before(c.expires) {
		if !c.valid {
			return viewer.Viewer{}, errInvalidKey
		}
		return c.viewer, nil
	}
	key, err := a.store.UseAPIKey(ctx, hash[:])
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		a.remember(hash, cached{valid: false, expires: now.Add(CacheTTL)})
		return viewer.Viewer{}, errInvalidKey
	case err != nil:
		return viewer.Viewer{}, err
	}
	v := toViewer(key)
	if key.ExpiresAt != nil && key.ExpiresAt.Before(now.Add(CacheTTL)) {
		// never trust the cache past the key's expiry
		a.remember(hash, cached{viewer: v, valid: true, expires: *key.ExpiresAt})
	} else {
		a.remember(hash, cached{viewer: v, valid: true, expires: now.Add(CacheTTL)})
	}
	return v, nil
}

func (a *Authenticator) remember(hash [32]byte, c cached) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.cache) >= maxCached {
		a.cache = map[[32]byte]cached{}
	}
	a.cache[hash] = c
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
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"message": msg, "extensions": map[string]string{"code": string(code)},
	}}})
}
