// Package server assembles the HTTP service: routes (/graphql, the
// playground, health checks), middleware (request id, access log, panic
// recovery, CORS, locale, request deadline) and graceful shutdown.
package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
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
	// Auth verifies API keys; nil builds one on Store. Give one to close
	// it at shutdown (Close), before the store.
	Auth *auth.Authenticator
}

// NewHandler returns the root handler of the service.
func NewHandler(d Deps) http.Handler {
	var rate *graph.RateLimit
	if d.Config.RateLimitPoints > 0 || d.Config.AnonymousPoints > 0 {
		rate = &graph.RateLimit{Points: d.Config.RateLimitPoints, AnonymousPoints: d.Config.AnonymousPoints, Window: d.Config.RateLimitWindow}
	}
	heavy := graph.NewHeavyLane(d.Config.HeavyQueryCost, d.Config.MaxHeavyInFlight, d.Config.HeavyQueueWait)
	gql := graph.NewHandler(&graph.Resolver{Store: d.Store, Logger: d.Logger}, graph.Options{Dev: d.Config.Dev, RateLimit: rate, Heavy: heavy})
	authn := d.Auth
	if authn == nil {
		authn = auth.NewAuthenticator(d.Store, d.Logger)
	}
	corsOpts := cors.Options{
		AllowedOrigins: d.Config.CORSOrigins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders: []string{"Content-Type", "Authorization", "Accept", "Accept-Language", requestid.Header},
		ExposedHeaders: []string{requestid.Header},
		MaxAge:         600,
	}
	if len(d.Config.CORSOrigins) == 0 {
		// rs/cors reads an empty list as "every origin"; ours means none.
		corsOpts.AllowOriginFunc = func(string) bool { return false }
	}
	corsMW := cors.New(corsOpts)

	mux := http.NewServeMux()
	mux.Handle("/graphql", corsMW.Handler(guardRequest(d.Config.ReadBodyTimeout, admit(d.Config.MaxInFlight, d.Config.QueueWait, withDeadline(d.Config.RequestTimeout, d.Config.StatementGrace, authn.Middleware(d.Logger, loader.Middleware(d.Store, throttle(d.Config.TrustedProxies, gql))))))))
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

// DefaultStatementGrace is how long a database statement already running
// when its client hangs up may still run (never past the request's
// deadline), when Config.StatementGrace does not say
// (STARTUPGRAPH_STATEMENT_GRACE). Nearly every statement of a request
// takes milliseconds: it finishes and its connection goes back to the
// pool, where cancelling it would make lib/pq close the connection and the
// next request open a new backend. A statement that needs longer is
// cancelled, so nothing works for long for a client that left.
const DefaultStatementGrace = time.Second

// withDeadline bounds every GraphQL request; resolvers and the database
// driver see the deadline through the context.
//
// The request's context ends at its deadline or as soon as the client
// hangs up (net/http cancels it when the connection closes). Everything
// the request does stops then: the GraphQL executor resolves no further
// field (graph's stopWhenDone), no new statement starts, and the
// answer is not written. The one exception is a database statement
// already running when the client left: it may finish within grace
// (store.WithStatementGrace) so its connection stays pooled. At the
// deadline nothing is let finish.
func withDeadline(d, grace time.Duration, next http.Handler) http.Handler {
	if grace <= 0 {
		grace = DefaultStatementGrace
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		ctx = store.WithStatementGrace(ctx, grace)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// MaxBodyBytes bounds a POST body (Apollo Router's default is 2 MB; our
// largest legitimate queries are a few KB).
const MaxBodyBytes = 512 << 10

// guardRequest refuses, before anything is parsed: protocol upgrades
// (WebSocket: there are no subscriptions) with 400; methods other than
// GET, POST and OPTIONS (405); POST bodies that are not JSON (415: form,
// multipart and text/plain bodies skip CORS preflight, so they are CSRF
// vectors); bodies over MaxBodyBytes (413); bodies not in within
// readBody of the headers (408: the server's ReadHeaderTimeout bounds only
// the headers, so a client could otherwise dribble a body for ever); and
// JSON-array batches (400). readBody 0 means no bound.
func guardRequest(readBody time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			refuse(w, http.StatusBadRequest, "UNSUPPORTED_TRANSPORT", "this endpoint speaks GraphQL over HTTP only (no WebSocket or other upgrades)")
			return
		}
		switch r.Method {
		case http.MethodGet, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		case http.MethodPost:
		default:
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			refuse(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "use GET for queries or POST with a JSON body")
			return
		}
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if cs, ok := params["charset"]; err != nil || mt != "application/json" || (ok && !strings.EqualFold(cs, "utf-8")) {
			refuse(w, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "POST bodies must be application/json in UTF-8")
			return
		}
		if r.ContentLength > MaxBodyBytes {
			refuse(w, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE", fmt.Sprintf("the body is over %d bytes", MaxBodyBytes))
			return
		}
		body, err := readBodyWithin(w, r, readBody)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			markTimedOut(r.Context()) // net/http has cancelled the request's context
			w.Header().Set("Connection", "close")
			refuse(w, http.StatusRequestTimeout, "REQUEST_TIMEOUT", fmt.Sprintf("the body did not arrive within %s of the headers", readBody))
			return
		}
		if err != nil {
			refuse(w, http.StatusBadRequest, "BAD_REQUEST", "the body could not be read")
			return
		}
		if len(body) > MaxBodyBytes {
			refuse(w, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE", fmt.Sprintf("the body is over %d bytes", MaxBodyBytes))
			return
		}
		if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '[' {
			refuse(w, http.StatusBadRequest, "BATCHING_NOT_SUPPORTED", "send one operation per request, not a JSON array")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// readBodyWithin reads up to MaxBodyBytes+1 of r's body with a read
// deadline on the connection of d from now. A body read in time lifts the
// deadline: the request runs on (its own deadline is the request timeout),
// and net/http keeps reading the connection in the background meanwhile to
// notice a client that leaves. (net/http lifts it too once a body is read
// to its end; this covers a body we stop reading early.) A body that timed
// out keeps it: after the handler returns, net/http reads what is left of
// the body (up to 256 KiB) before closing the connection, and with no
// deadline a client that keeps dribbling, or stalls, would hold the
// connection open, and shutdown with it.
func readBodyWithin(w http.ResponseWriter, r *http.Request, d time.Duration) ([]byte, error) {
	rc := http.NewResponseController(w)
	limited := d > 0 && rc.SetReadDeadline(time.Now().Add(d)) == nil
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if limited && !errors.Is(err, os.ErrDeadlineExceeded) {
		_ = rc.SetReadDeadline(time.Time{})
	}
	return body, err
}

// refuse answers in the GraphQL error shape, with a code, without data.
func refuse(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{
		"message": msg, "extensions": map[string]string{"code": code},
	}}})
}

// writeJSON answers with v as JSON, in UTF-8 and saying so, never cached.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
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

// throttle tells the GraphQL layer the client's address (see clientAddr),
// for the rate limit of requests without a key, and answers requests it
// refused for their rate limit (429) or shed because too many costly
// queries were running (503), with Retry-After; once the response is
// written it gives back the heavy-query slot the request held.
func throttle(trusted []netip.Prefix, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, signal := graph.WithThrottleSignal(r.Context())
		if addr, name, ok := clientAddr(r, trusted); ok && addr.IsValid() {
			ctx = graph.WithClientAddr(ctx, addr)
		} else if ok {
			ctx = graph.WithClientName(ctx, name)
		}
		defer signal.Release()
		next.ServeHTTP(&throttleWriter{ResponseWriter: w, signal: signal}, r.WithContext(ctx))
	})
}

// maxClientName bounds the name kept for a client a proxy did not name by
// an address (RFC 7239's obfuscated identifiers are short).
const maxClientName = 64

// clientAddr is the address of the client a request came from: the
// connection's peer, unless the peer is one of the trusted reverse
// proxies; then X-Forwarded-For is read from the right (the entry the
// proxy added) past the trusted proxies, to the first address that is not
// one. Entries further left are the client's own claims and are not used.
// Without trusted proxies X-Forwarded-For is ignored: any client can send it.
// An entry may carry a port (1.2.3.4:5678, [2001:db8::1]:443). One that is
// not an address at all (unknown, an obfuscated name) is a client of its
// own, not trusted: it comes back as name (at most maxClientName bytes),
// with no address, rather than falling back to the proxy's address, which
// would put every such client in one bucket.
func clientAddr(r *http.Request, trusted []netip.Prefix) (addr netip.Addr, name string, ok bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, "", false
	}
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	addr = ap.Addr().Unmap()
	if len(trusted) == 0 || !isTrusted(addr) {
		return addr, "", true
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0 && isTrusted(addr); i-- {
		hop := strings.TrimSpace(hops[i])
		a, err := parseHop(hop)
		if err != nil { // the prefix keeps an empty entry a name, too
			return netip.Addr{}, "forwarded:" + hop[:min(len(hop), maxClientName)], true
		}
		addr = a.Unmap()
	}
	return addr, "", true
}

// parseHop reads one X-Forwarded-For entry: an address, with or without
// a port, an IPv6 one with or without brackets.
func parseHop(hop string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(hop); err == nil {
		return a, nil
	}
	if ap, err := netip.ParseAddrPort(hop); err == nil {
		return ap.Addr(), nil
	}
	if inner, ok := strings.CutPrefix(hop, "["); ok {
		if inner, ok := strings.CutSuffix(inner, "]"); ok {
			return netip.ParseAddr(inner)
		}
	}
	return netip.Addr{}, fmt.Errorf("not an address: %q", hop)
}

type throttleWriter struct {
	http.ResponseWriter
	signal *graph.Throttled
}

func (w *throttleWriter) WriteHeader(code int) {
	if w.signal.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(w.signal.RetryAfter.Seconds()))))
		code = w.signal.Status
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *throttleWriter) Write(b []byte) (int, error) {
	if w.signal.RetryAfter > 0 && w.Header().Get("Retry-After") == "" {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *throttleWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
