// Package apitest runs GraphQL requests through the real handler stack
// (middleware, loaders, gqlgen, store) against a throwaway database, for
// tests. Every response reports how many SQL statements it cost.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"startupgraph/internal/auth"
	"startupgraph/internal/config"
	"startupgraph/internal/globalid"
	"startupgraph/internal/server"
	"startupgraph/internal/store"
	"startupgraph/internal/testdb"
)

// Client sends requests to one handler over one test database, with an
// API key (ADMIN by default; As switches).
type Client struct {
	Handler http.Handler
	Store   *store.Store
	DSN     string
	// Key is sent as the bearer token; empty means anonymous.
	Key string
}

// New builds the service over a fresh database of the given kind, with an
// ADMIN key.
func New(t testing.TB, kind testdb.Kind) *Client {
	t.Helper()
	c := Open(t, testdb.URL(t, kind))
	c.Key = c.NewKey(t, "ADMIN", "")
	return c
}

// NewKey creates an API key of role (for UNIVERSITY, of the university with
// key universityKey) and returns its secret.
func (c *Client) NewKey(t testing.TB, role, universityKey string) string {
	t.Helper()
	ctx := context.Background()
	k, err := auth.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	nk := store.NewAPIKey{Name: "test " + role + " " + universityKey, Role: role, Hash: k.Hash, Prefix: k.Prefix}
	if universityKey != "" {
		id, err := c.Store.IDByKey(ctx, globalid.University, universityKey)
		if err != nil {
			t.Fatal(err)
		}
		nk.UniversityID = &id
	}
	if _, err := c.Store.CreateAPIKey(ctx, nk); err != nil {
		t.Fatal(err)
	}
	return k.Secret
}

// As returns a client that sends key instead ("" for anonymous).
func (c *Client) As(key string) *Client {
	cp := *c
	cp.Key = key
	return &cp
}

// Open builds the service over the database at dsn.
func Open(t testing.TB, dsn string) *Client {
	t.Helper()
	return OpenConfig(t, dsn, config.Config{CORSOrigins: []string{"https://dashboard.incheon.example"}, RequestTimeout: 10 * time.Second})
}

// OpenConfig builds the service over the database at dsn with cfg.
func OpenConfig(t testing.TB, dsn string, cfg config.Config) *Client {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, store.PoolConfig{MaxOpen: 8, MaxIdle: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return &Client{Handler: newHandler(cfg, s), Store: s, DSN: dsn}
}

// WithConfig returns a client of the same database and key whose service
// runs with cfg (a rate limit, dev mode, a small heavy-query lane).
func (c *Client) WithConfig(cfg config.Config) *Client {
	cp := *c
	cp.Handler = newHandler(cfg, c.Store)
	return &cp
}

func newHandler(cfg config.Config, s *store.Store) http.Handler {
	var logs io.Writer = io.Discard
	if os.Getenv("APITEST_LOG") != "" { // set it to see the server's logs while debugging a test
		logs = os.Stderr
	}
	return server.NewHandler(server.Deps{Config: cfg, Logger: slog.New(slog.NewTextHandler(logs, nil)), Store: s})
}

// Serve runs a raw HTTP request through the handler.
func (c *Client) Serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	c.Handler.ServeHTTP(rec, req)
	return rec
}

// Error is one GraphQL error of a response.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Response is a decoded GraphQL response.
type Response struct {
	Status     int
	Data       json.RawMessage `json:"data"`
	Errors     []Error         `json:"errors"`
	Statements int64
}

// Do posts query with variables (may be nil) and returns the response.
func (c *Client) Do(t testing.TB, query string, vars map[string]any, headers ...string) Response {
	t.Helper()
	return c.DoBody(t, map[string]any{"query": query, "variables": vars}, headers...)
}

// DoBody posts a request body of any shape (e.g. a persisted-query hash).
func (c *Client) DoBody(t testing.TB, payload map[string]any, headers ...string) Response {
	t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if c.Key != "" {
		req.Header.Set("Authorization", "Bearer "+c.Key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	var n atomic.Int64
	req = req.WithContext(store.CountStatements(req.Context(), &n))
	rec := c.Serve(req)
	out := Decode(t, rec)
	out.Statements = n.Load()
	return out
}

// Decode reads a recorded GraphQL response.
func Decode(t testing.TB, rec *httptest.ResponseRecorder) Response {
	t.Helper()
	var out Response
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("response is not JSON (%d): %s", rec.Code, rec.Body.String())
	}
	out.Status = rec.Code
	return out
}

// OK posts query, fails the test on any error, and decodes data into v.
func (c *Client) OK(t testing.TB, query string, vars map[string]any, v any) Response {
	t.Helper()
	r := c.Do(t, query, vars)
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("status %d, errors %+v\nquery: %s", r.Status, r.Errors, query)
	}
	if v != nil {
		if err := json.Unmarshal(r.Data, v); err != nil {
			t.Fatalf("decode %s: %v", r.Data, err)
		}
	}
	return r
}

// Code returns the extensions.code of the response's first error, or "".
func (r Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	code, _ := r.Errors[0].Extensions["code"].(string)
	return code
}

// Field returns the extensions.field of the response's first error, or "".
func (r Response) Field() string {
	if len(r.Errors) == 0 {
		return ""
	}
	f, _ := r.Errors[0].Extensions["field"].(string)
	return f
}

// Export posts payload (query, variables, format, …) to /export and
// returns the recorded response: the file, or the errors.
func (c *Client) Export(t testing.TB, payload map[string]any) *httptest.ResponseRecorder {
	t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/export", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if c.Key != "" {
		req.Header.Set("Authorization", "Bearer "+c.Key)
	}
	return c.Serve(req)
}

// Upload sends query as a GraphQL multipart request
// (https://github.com/jaydenseric/graphql-multipart-request-spec) with
// content as the file at variables.<fileVar>, named name, and decodes the
// answer. headers are name, value pairs.
func (c *Client) Upload(t testing.TB, query string, vars map[string]any, fileVar, name string, content []byte, headers ...string) Response {
	t.Helper()
	if vars == nil {
		vars = map[string]any{}
	}
	vars[fileVar] = nil
	ops, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("operations", string(ops))
	_ = mw.WriteField("map", `{"0": ["variables.`+fileVar+`"]}`)
	fw, err := mw.CreateFormFile("0", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/graphql", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	if c.Key != "" {
		req.Header.Set("Authorization", "Bearer "+c.Key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return Decode(t, c.Serve(req))
}
