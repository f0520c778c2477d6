package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
	"time"

	"startupgraph/internal/apperr"
)

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
// JSON-array batches (400). readBody 0 means no bound. With uploads, a
// multipart/form-data POST is read as a GraphQL multipart request
// instead (upload.go).
//
// This is the one place a request's body is read, and the one place its
// Upgrade header is looked at: the body, read whole, travels on in the
// request's context (bodyOf) for the transport to decode.
func guardRequest(readBody time.Duration, uploads bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			refuse(w, http.StatusBadRequest, apperr.CodeUnsupportedTransport, "this endpoint speaks GraphQL over HTTP only (no WebSocket or other upgrades)")
			return
		}
		switch r.Method {
		case http.MethodGet, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		case http.MethodPost:
		default:
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			refuse(w, http.StatusMethodNotAllowed, apperr.CodeMethodNotAllowed, "use GET for queries or POST with a JSON body")
			return
		}
		if uploads && isMultipart(r) {
			guardUpload(w, r, readBody, next)
			return
		}
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if cs, ok := params["charset"]; err != nil || mt != "application/json" || (ok && !strings.EqualFold(cs, "utf-8")) {
			refuse(w, http.StatusUnsupportedMediaType, apperr.CodeUnsupportedMediaType, "POST bodies must be application/json in UTF-8 (or, on /graphql, multipart/form-data for file uploads)")
			return
		}
		if r.ContentLength > MaxBodyBytes {
			refuse(w, http.StatusRequestEntityTooLarge, apperr.CodeRequestTooLarge, fmt.Sprintf("the body is over %d bytes", MaxBodyBytes))
			return
		}
		body, err := readBodyWithin(w, r, readBody)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			markTimedOut(r.Context()) // net/http has cancelled the request's context
			w.Header().Set("Connection", "close")
			refuse(w, http.StatusRequestTimeout, apperr.CodeRequestTimeout, fmt.Sprintf("the body did not arrive within %s of the headers", readBody))
			return
		}
		if err != nil {
			refuse(w, http.StatusBadRequest, apperr.CodeBadRequest, "the body could not be read")
			return
		}
		if len(body) > MaxBodyBytes {
			refuse(w, http.StatusRequestEntityTooLarge, apperr.CodeRequestTooLarge, fmt.Sprintf("the body is over %d bytes", MaxBodyBytes))
			return
		}
		if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '[' {
			refuse(w, http.StatusBadRequest, apperr.CodeBatchingNotSupported, "send one operation per request, not a JSON array")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), bodyKey{}, body)))
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

type bodyKey struct{}

// bodyOf is the body guardRequest read; nil when none was read (GET, or
// a request that did not pass the guard).
func bodyOf(r *http.Request) []byte {
	b, _ := r.Context().Value(bodyKey{}).([]byte)
	return b
}
