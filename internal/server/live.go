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
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"startupgraph/graph"
	"startupgraph/internal/apperr"
	"startupgraph/internal/auth"
	"startupgraph/internal/live"
	"startupgraph/internal/viewer"
)

// Subscriptions (issue 21) are served on /graphql beside queries, by the
// two protocols clients use: graphql-ws (a WebSocket upgrade, subprotocol
// graphql-transport-ws, the key in connection_init's payload) and
// graphql-sse in its distinct connections mode (a POST that accepts
// text/event-stream, the key in the Authorization header). They run the
// same GraphQL handler extensions as queries (document and cost limits,
// the rate limit), and the same authentication; they bypass what bounds
// one short request (the request deadline, the in-flight slots): a
// subscription lasts, and its own bounds are the hub's (open
// subscriptions per key, a bounded buffer per subscription).

// liveKeepAlive is how often an idle subscription's connection carries
// something (a WebSocket ping, an SSE comment), so proxies keep it and a
// dead client is noticed.
const liveKeepAlive = 15 * time.Second

// liveInitTimeout bounds the wait for connection_init.
const liveInitTimeout = 10 * time.Second

// isLive reports whether r opens a subscription: a WebSocket upgrade, or
// a POST whose client accepts an event stream.
func isLive(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" {
		return true
	}
	return r.Method == http.MethodPost && acceptsEventStream(r.Header.Values("Accept"))
}

// acceptsEventStream reports whether an Accept header names
// text/event-stream with a q above 0.
func acceptsEventStream(accept []string) bool {
	for _, header := range accept {
		for part := range strings.SplitSeq(header, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil || mt != "text/event-stream" {
				continue
			}
			if q, ok := params["q"]; ok && strings.Trim(q, "0.") == "" {
				continue // q=0: refused explicitly
			}
			return true
		}
	}
	return false
}

// liveHandler serves subscriptions with gql (a handler with no transports
// yet), authenticating with a.
func liveHandler(d Deps, a *auth.Authenticator, gql *handler.Server, readBody time.Duration) http.Handler {
	var origins []string
	for _, o := range d.Config.CORSOrigins {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			origins = append(origins, u.Host)
		}
	}
	gql.AddTransport(transport.Websocket{
		Implementation:        exactWebsocket{inner: transport.CoderWebsocketImplementation{AcceptOptions: coderws.AcceptOptions{OriginPatterns: origins}}},
		InitFunc:              websocketInit(a, d.Logger),
		InitTimeout:           liveInitTimeout,
		PingPongInterval:      liveKeepAlive,
		KeepAlivePingInterval: liveKeepAlive,
	})
	gql.AddTransport(transport.SSE{KeepAlivePingInterval: liveKeepAlive})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A subscription outlives the server's write timeout, which is
		// meant for one answer.
		rc := http.NewResponseController(w)
		_ = rc.SetWriteDeadline(time.Time{})
		ctx := r.Context()
		if r.Header.Get("Upgrade") != "" {
			if !websocketHandshake(r) {
				refuse(w, http.StatusBadRequest, apperr.CodeUnsupportedTransport, "the only upgrade this endpoint takes is a WebSocket handshake (GET, Upgrade: websocket, Sec-WebSocket-Version: 13, a Sec-WebSocket-Key) for graphql-ws")
				return
			}
			gql.ServeHTTP(w, r)
			return
		}
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			refuse(w, http.StatusUnsupportedMediaType, apperr.CodeUnsupportedMediaType, "POST bodies must be application/json in UTF-8")
			return
		}
		body, err := readBodyWithin(w, r, readBody)
		if err != nil || len(body) > MaxBodyBytes {
			refuse(w, http.StatusBadRequest, apperr.CodeBadRequest, fmt.Sprintf("the body did not arrive whole within %s, or is over %d bytes", readBody, MaxBodyBytes))
			return
		}
		if trimmed := bytes.TrimSpace(body); !json.Valid(trimmed) || len(trimmed) == 0 || trimmed[0] != '{' {
			// gqlgen's SSE transport would log such a body whole, outside
			// the structured log: refuse it here.
			refuse(w, http.StatusBadRequest, apperr.CodeBadRequest, "the body must be one JSON object: {\"query\", \"variables\", \"operationName\"}")
			return
		}
		header := r.Header.Get("Authorization")
		ctx = live.WithKeyCheck(ctx, keyCheck(a, header))
		sw := &sseEnd{ResponseWriter: w}
		ctx = graph.WithSubscriptionEnd(ctx, sw.end)
		r = r.WithContext(ctx)
		r.Body = io.NopCloser(bytes.NewReader(body))
		gql.ServeHTTP(sw, r)
	})
}

// websocketHandshake reports whether r is a well-formed WebSocket opening
// handshake; anything else that asks for an upgrade is refused in JSON
// before the WebSocket library answers it in its own words.
func websocketHandshake(r *http.Request) bool {
	return r.Method == http.MethodGet &&
		strings.EqualFold(r.Header.Get("Upgrade"), "websocket") &&
		strings.Contains(strings.ToLower(r.Header.Get("Connection")), "upgrade") &&
		r.Header.Get("Sec-WebSocket-Version") == "13" &&
		r.Header.Get("Sec-WebSocket-Key") != ""
}

// keyCheck verifies header's key again: an error once it no longer grants
// access (revoked, expired), nil while it does or while the database
// cannot say (an outage ends no subscription).
func keyCheck(a *auth.Authenticator, header string) func(context.Context) error {
	if header == "" {
		return nil
	}
	return func(ctx context.Context) error {
		v, err := a.Authenticate(ctx, header)
		if errors.Is(err, auth.ErrInvalidKey) {
			return fmt.Errorf("the API key no longer grants access: %w", apperr.ErrUnauthenticated)
		}
		if was := viewer.From(ctx); err == nil && (v.Role != was.Role || v.UniversityID != was.UniversityID) {
			// what the subscription may see was judged by the old role
			return fmt.Errorf("the API key's role changed; subscribe again: %w", apperr.ErrUnauthenticated)
		}
		return nil
	}
}

// websocketInit authenticates a graphql-ws connection by the key in its
// connection_init payload (Authorization: "Bearer <key>", as a header
// would say it). A key that grants nothing closes the connection with
// 4403 Forbidden, as graphql-transport-ws says; no key is anonymous.
func websocketInit(a *auth.Authenticator, logger *slog.Logger) transport.WebsocketInitFunc {
	return func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		header := payload.Authorization()
		v, err := a.Authenticate(ctx, header)
		switch {
		case errors.Is(err, auth.ErrInvalidKey):
			ctx = transport.WithWebsocketCloseCode(ctx, 4403)
			return transport.AppendCloseReason(ctx, "Forbidden: the API key is malformed, unknown, expired or revoked"), nil, err
		case err != nil:
			logger.WarnContext(ctx, "api key verification failed", "err", err)
			ctx = transport.WithWebsocketCloseCode(ctx, 4503)
			return transport.AppendCloseReason(ctx, "the service is temporarily unavailable; try again shortly"), nil, err
		}
		noteViewer(ctx, v)
		ctx = viewer.With(ctx, v)
		ctx = live.WithKeyCheck(ctx, keyCheck(a, header))
		ctx = graph.WithSubscriptionEnd(ctx, func(ctx context.Context, err *gqlerror.Error) {
			transport.AddSubscriptionError(ctx, err)
		})
		return ctx, nil, nil
	}
}

// sseEnd writes a graphql-sse stream, and says why a subscription ended
// before its complete event: a last next event with the reason as its
// error (gqlgen's SSE transport has no other way to carry one).
type sseEnd struct {
	http.ResponseWriter
	mu     sync.Mutex
	reason *gqlerror.Error
}

func (s *sseEnd) end(_ context.Context, err *gqlerror.Error) {
	s.mu.Lock()
	s.reason = err
	s.mu.Unlock()
}

func (s *sseEnd) Write(b []byte) (int, error) {
	var reason *gqlerror.Error
	if bytes.HasPrefix(b, []byte("event: complete")) {
		s.mu.Lock()
		reason, s.reason = s.reason, nil
		s.mu.Unlock()
	}
	if reason != nil {
		payload, _ := json.Marshal(map[string]any{"errors": []*gqlerror.Error{reason}})
		if _, err := fmt.Fprintf(s.ResponseWriter, "event: next\ndata: %s\n\n", payload); err != nil {
			return 0, err
		}
	}
	return s.ResponseWriter.Write(b)
}

// Flush flushes the stream.
func (s *sseEnd) Flush() { _ = http.NewResponseController(s.ResponseWriter).Flush() }

// Unwrap lets http.ResponseController reach the connection.
func (s *sseEnd) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// exactWebsocket keeps gqlgen's graphql-transport-ws exact. The protocol
// allows nothing more for an operation after the server's error message
// for it, nor after the client's complete; gqlgen sends complete in both
// cases: after the error where it refuses a subscribe message (malformed
// payload, parse and validation errors) and after a resolver's panic, and
// in answer to the client's complete. Clients then see an operation they
// have already closed complete. Every message gqlgen sends goes through
// WriteJSON, and every one it reads through NextReader, so the connection
// drops a complete for an id that is already over.
type exactWebsocket struct {
	inner transport.WebsocketImplementation
}

func (e exactWebsocket) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	c, err := e.inner.Accept(w, r, o)
	if err != nil {
		return nil, err
	}
	return &exactConn{WebsocketConn: c, errored: map[string]bool{}}, nil
}

// maxErrored bounds the ids exactConn remembers: past it, it forgets
// them all (a client with that many failed operations on one connection
// may see a complete too many; memory stays bounded).
const maxErrored = 256

type exactConn struct {
	transport.WebsocketConn
	mu sync.Mutex
	// errored are the ids that are over: an error was sent for them, or
	// the client completed them.
	errored map[string]bool
}

// over marks id as over, keeping at most maxErrored ids.
func (c *exactConn) over(id string) {
	if len(c.errored) >= maxErrored {
		clear(c.errored)
	}
	c.errored[id] = true
}

// NextReader reads the client's next message whole (gqlgen reads it
// whole too, within its read limit) to note a complete or a new
// subscribe.
func (c *exactConn) NextReader() (int, io.Reader, error) {
	typ, r, err := c.WebsocketConn.NextReader()
	if err != nil {
		return typ, r, err
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return typ, nil, err
	}
	var m struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	if json.Unmarshal(b, &m) == nil && m.ID != "" {
		c.mu.Lock()
		switch m.Type {
		case "complete":
			c.over(m.ID)
		case "subscribe":
			delete(c.errored, m.ID)
		}
		c.mu.Unlock()
	}
	return typ, bytes.NewReader(b), nil
}

func (c *exactConn) WriteJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var m struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	if err := json.Unmarshal(b, &m); err == nil && m.ID != "" {
		c.mu.Lock()
		switch m.Type {
		case "error":
			c.over(m.ID)
		case "complete", "next":
			if c.errored[m.ID] {
				delete(c.errored, m.ID)
				c.mu.Unlock()
				return nil
			}
		}
		c.mu.Unlock()
	}
	return c.WebsocketConn.WriteJSON(json.RawMessage(b))
}

// SetReadLimit passes gqlgen's read limit on.
func (c *exactConn) SetReadLimit(n int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(n)
	}
}

// SetReadDeadline passes gqlgen's pong deadline on.
func (c *exactConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}
