package server

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPanicIsAnsweredAsAnInternalError: a panic outside the GraphQL
// executor is answered like every other error, in the GraphQL shape with
// INTERNAL_SERVER_ERROR, and says nothing of the panic.
func TestPanicIsAnsweredAsAnInternalError(t *testing.T) {
	h := recoverPanics(slog.New(slog.NewTextHandler(io.Discard, nil)), http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("secret detail")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/graphql", nil))
	var body struct {
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("not JSON: %q", rec.Body.String())
	}
	if rec.Code != http.StatusInternalServerError || len(body.Errors) != 1 || body.Errors[0].Extensions["code"] != "INTERNAL_SERVER_ERROR" {
		t.Errorf("status %d, body %s", rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if strings.Contains(rec.Body.String(), "secret") {
		t.Errorf("the panic leaked: %s", rec.Body.String())
	}
}
