// Package server assembles the HTTP service: routes (/graphql, the
// playground, health checks), middleware (request id, access log, panic
// recovery, CORS, locale, request deadline) and graceful shutdown.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/rs/cors"

	"startupgraph/graph"
	"startupgraph/internal/auth"
	"startupgraph/internal/config"
	"startupgraph/internal/i18n"
	"startupgraph/internal/loader"
	"startupgraph/internal/playground"
	"startupgraph/internal/requestid"
	"startupgraph/internal/store"
)

// Deps are what the HTTP service needs, built once at start-up.
type Deps struct {
	Config config.Config
	Logger *slog.Logger
	Store  *store.Store
}

// NewHandler returns the root handler of the service.
func NewHandler(d Deps) http.Handler {
	gql := graph.NewHandler(&graph.Resolver{Store: d.Store, Logger: d.Logger}, graph.Options{Dev: d.Config.Dev})
	authn := auth.NewAuthenticator(d.Store)
	corsMW := cors.New(cors.Options{
		AllowedOrigins: d.Config.CORSOrigins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders: []string{"Content-Type", "Authorization", "Accept", "Accept-Language", requestid.Header},
		ExposedHeaders: []string{requestid.Header},
		MaxAge:         600,
	})

	mux := http.NewServeMux()
	mux.Handle("/graphql", corsMW.Handler(onlyMethods(withDeadline(d.Config.RequestTimeout, authn.Middleware(d.Logger, loader.Middleware(d.Store, gql))))))
	mux.Handle("GET /{$}", playground.Handler("startupgraph", "/graphql"))
	mux.Handle("GET /assets/", playground.Handler("startupgraph", "/graphql"))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", readyz(d.Store, d.Logger))

	var h http.Handler = mux
	h = i18n.Middleware(h)
	h = recoverPanics(d.Logger, h)
	h = accessLog(d.Logger, h)
	h = requestid.Middleware(h)
	return h
}

// readyz reports whether the database answers, within a short deadline, so
// a load balancer stops sending traffic while it does not.
func readyz(s *store.Store, logger *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.Ping(ctx); err != nil {
			logger.WarnContext(ctx, "not ready", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
	}
}

// withDeadline bounds every GraphQL request; resolvers and the database
// driver see the deadline through the context.
func withDeadline(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// onlyMethods answers methods the GraphQL endpoint does not speak with a
// 405 in the GraphQL error shape, with a code like every other error.
func onlyMethods(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodPost, http.MethodOptions:
			next.ServeHTTP(w, r)
		default:
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"errors": []map[string]any{{
				"message":    "use GET for queries or POST with a JSON body",
				"extensions": map[string]string{"code": "METHOD_NOT_ALLOWED"},
			}}})
		}
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Serve runs srv on ln until ctx is cancelled, then stops accepting
// connections and lets in-flight requests finish within shutdownTimeout.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, shutdownTimeout time.Duration, logger *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests", "timeout", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// NewHTTPServer applies the configured timeouts to handler.
func NewHTTPServer(cfg config.Config, handler http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}
