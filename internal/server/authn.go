package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"startupgraph/internal/apperr"
	"startupgraph/internal/auth"
	"startupgraph/internal/viewer"
)

// authenticate puts the viewer of every request's API key in its context.
// A request without a key goes on as anonymous; a bad key is answered with
// 401 before any resolver runs; a database outage while verifying is a
// 503.
func authenticate(a *auth.Authenticator, local *viewer.Viewer, logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if local != nil && r.Header.Get("Authorization") == "" {
			next.ServeHTTP(w, r.WithContext(viewer.With(r.Context(), *local)))
			return
		}
		v, err := a.Authenticate(r.Context(), r.Header.Get("Authorization"))
		switch {
		case errors.Is(err, auth.ErrInvalidKey):
			w.Header().Set("WWW-Authenticate", `Bearer realm="startupgraph", error="invalid_token"`)
			refuse(w, http.StatusUnauthorized, apperr.CodeUnauthenticated, "the API key is malformed, unknown, expired or revoked")
			return
		case err != nil && errors.Is(r.Context().Err(), context.Canceled):
			return // the client hung up: nothing failed, and no one to answer
		case err != nil:
			logger.WarnContext(r.Context(), "api key verification failed", "err", err)
			refuse(w, http.StatusServiceUnavailable, apperr.CodeUnavailable, "the service is temporarily unavailable; try again shortly")
			return
		}
		noteViewer(r.Context(), v)
		next.ServeHTTP(w, r.WithContext(viewer.With(r.Context(), v)))
	})
}
