package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"startupgraph/internal/apperr"
)

// The one writer of the service's JSON answers, errors above all. Every
// error leaves in the GraphQL shape, {"errors": [{"message", "extensions":
// {"code"}}]}, with a code from apperr: the refusals before GraphQL runs
// (refuse), request errors (writeErrors) and executed operations
// (writeResponse). Each notes the code of its first error for the access
// log and the metrics (noteCode).

// maxRequestErrors bounds how many request errors one response lists, so a
// document full of mistakes still gets a small answer.
const maxRequestErrors = 10

// refuse answers a request refused before GraphQL runs: one error with
// code, no data, as application/json.
func refuse(w http.ResponseWriter, status int, code apperr.Code, msg string) {
	writeErrors(w, mediaJSON, status, &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": string(code)}})
}

// writeJSON answers with v, a plain JSON document (the health checks'),
// as application/json.
func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONBody(w, mediaJSON, status, v)
}

// writeErrors answers with errors only: no `data` key, as the
// specification requires of request errors, and as every refusal before
// GraphQL runs is answered too.
func writeErrors(w http.ResponseWriter, media string, status int, errs ...*gqlerror.Error) {
	if len(errs) > 0 {
		noteCode(w, codeOf(errs[0]))
	}
	if len(errs) > maxRequestErrors {
		more := len(errs) - maxRequestErrors
		errs = append(errs[:maxRequestErrors:maxRequestErrors], &gqlerror.Error{
			Message:    fmt.Sprintf("and %d more errors", more),
			Extensions: errs[0].Extensions,
		})
	}
	writeJSONBody(w, media, status, struct {
		Errors []*gqlerror.Error `json:"errors"`
	}{errs})
}

// writeResponse writes an executed operation's response. Its data is
// already JSON, written by gqlgen; it is written out as is rather than run
// through encoding/json again (which would re-scan every byte of a
// response that can be hundreds of KB).
func writeResponse(w http.ResponseWriter, media string, status int, resp *graphql.Response) {
	if len(resp.Errors) > 0 {
		noteCode(w, codeOf(resp.Errors[0]))
	}
	var head, tail bytes.Buffer
	head.WriteByte('{')
	if len(resp.Errors) > 0 {
		errs, err := json.Marshal(resp.Errors)
		if err != nil {
			writeInternalError(w, media)
			return
		}
		head.WriteString(`"errors":`)
		head.Write(errs)
		head.WriteByte(',')
	}
	head.WriteString(`"data":`)
	if len(resp.Extensions) > 0 {
		ext, err := json.Marshal(resp.Extensions)
		if err != nil {
			writeInternalError(w, media)
			return
		}
		tail.WriteString(`,"extensions":`)
		tail.Write(ext)
	}
	tail.WriteByte('}')
	// the data goes out as it is, not copied into one body with the rest
	writeBody(w, media, status, head.Bytes(), resp.Data, tail.Bytes())
}

// internalErrorBody is the answer when an answer cannot be encoded, or
// the handler panicked: no detail leaves the server.
var internalErrorBody = []byte(`{"errors":[{"message":"internal server error","extensions":{"code":"` + string(apperr.CodeInternal) + `"}}]}`)

// writeInternalError answers with internalErrorBody.
func writeInternalError(w http.ResponseWriter, media string) {
	noteCode(w, string(apperr.CodeInternal))
	writeBody(w, media, http.StatusInternalServerError, internalErrorBody)
}

// codeOf is an error's extensions.code; INTERNAL_SERVER_ERROR when it has
// none (the error presenter gives every error one).
func codeOf(err *gqlerror.Error) string {
	if code, ok := err.Extensions["code"].(string); ok && code != "" {
		return code
	}
	return string(apperr.CodeInternal)
}

// writeJSONBody answers with v as JSON, in media.
func writeJSONBody(w http.ResponseWriter, media string, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeInternalError(w, media)
		return
	}
	writeBody(w, media, status, b)
}

// writeBody writes every JSON answer of the service (the playground
// serves its own pages), the concatenation of parts: in UTF-8 and saying
// so, never cached. Its length is said, so an answer longer than
// net/http's buffer goes out whole instead of in chunks.
func writeBody(w http.ResponseWriter, media string, status int, parts ...[]byte) {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	h := w.Header()
	h.Set("Content-Type", media+"; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(n))
	w.WriteHeader(status)
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			return
		}
	}
}
