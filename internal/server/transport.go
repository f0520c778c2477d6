package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"startupgraph/internal/apperr"
)

// The GraphQL-over-HTTP transport. gqlgen's own GET and POST transports
// break several of the specification's SHOULDs (422 for parse and
// validation errors, `"data": null` on request errors, 406 for a mutation
// over GET, the raw body echoed back on a JSON error), so this one follows
// https://graphql.github.io/graphql-over-http/draft/ for both response
// media types:
//
//   - The response media type is negotiated from Accept (q-values honoured):
//     application/graphql-response+json or application/json, both UTF-8.
//     Without an Accept header the specification's post-2025 default,
//     application/graphql-response+json, applies; `*/*` gets
//     application/json, as legacy clients such as curl expect. Accept
//     naming neither: 406.
//   - A request that is not well-formed (the body is not a JSON object,
//     query missing or not a string, variables/extensions not objects,
//     operationName not a string): 400 with either media type.
//   - Request errors (parse, validation, unknown operation, variable
//     coercion, and our own limits): no `data` key; with
//     application/graphql-response+json 400 (403 for FORBIDDEN, 401 for
//     UNAUTHENTICATED), with application/json 200; refusals for load 429
//     (RATE_LIMITED) or 503 with either.
//   - An executed operation: 200, with `data` (null when a non-null field
//     failed at the root) and field errors beside it.
//   - GET runs queries only: a mutation is refused with 405 and
//     `Allow: POST`, before anything executes.
//
// Upgrades, method, content type, body size and batching are refused
// earlier, by guardRequest, which also reads the body; refusals for load
// are decided by admission and answered here.

// Response media types.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// httpTransport serves GraphQL over GET and POST.
type httpTransport struct{}

var _ graphql.Transport = httpTransport{}

// Supports GET and POST. Upgrades and other methods never get here:
// guardRequest refused them.
func (httpTransport) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet || r.Method == http.MethodPost
}

func (httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media, ok := negotiate(r.Header.Values("Accept"))
	if !ok {
		writeErrors(w, mediaJSON, http.StatusNotAcceptable, &gqlerror.Error{
			Message:    "the Accept header names no type this server answers in: use application/graphql-response+json or application/json",
			Extensions: map[string]any{"code": string(apperr.CodeNotAcceptable)},
		})
		return
	}
	start := graphql.Now()
	params, perr := readParams(r)
	if perr != nil {
		writeErrors(w, media, http.StatusBadRequest, perr)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	ctx := r.Context()
	oc, errs := exec.CreateOperationContext(ctx, params)
	noteOperation(ctx, oc, params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
		status := requestErrorStatus(media, resp.Errors)
		if t := signal(ctx); t != nil && t.RetryAfter > 0 {
			// admission refused it: 429 or 503, whatever the media type
			w.Header().Set("Retry-After", strconv.Itoa(max(1, int(t.RetryAfter.Seconds()))))
			status = t.Status
		}
		writeErrors(w, media, status, resp.Errors...)
		return
	}
	if oc.Operation.Operation == ast.Subscription {
		writeErrors(w, media, http.StatusBadRequest, &gqlerror.Error{
			Message:    "subscriptions are served over graphql-ws (a WebSocket, subprotocol graphql-transport-ws) or graphql-sse (a POST with Accept: text/event-stream)",
			Extensions: map[string]any{"code": string(apperr.CodeUnsupportedTransport)},
		})
		return
	}
	if r.Method == http.MethodGet && oc.Operation.Operation != ast.Query {
		w.Header().Set("Allow", http.MethodPost)
		writeErrors(w, media, http.StatusMethodNotAllowed, &gqlerror.Error{
			Message:    "GET runs queries only; send mutations with POST",
			Extensions: map[string]any{"code": string(apperr.CodeMethodNotAllowed)},
		})
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	resp := responses(ctx)
	if resp == nil {
		// gqlgen answers nothing when the context ended before the
		// operation ran: the client left, or the deadline passed, while
		// the request waited (for the heavy-query lane, say).
		err := ctx.Err()
		if err == nil {
			err = errNoResponse
		}
		resp = exec.DispatchError(ctx, gqlerror.List{gqlerror.WrapPath(nil, err)})
	}
	if resp.Data == nil {
		resp.Data = json.RawMessage("null") // executed: `data` is always present
	}
	writeResponse(w, media, http.StatusOK, resp)
}

// negotiate picks the response media type from the Accept header values.
func negotiate(accept []string) (string, bool) {
	if len(accept) == 0 || strings.TrimSpace(strings.Join(accept, "")) == "" {
		return mediaGraphQLResponse, true
	}
	// q of the most specific range matching each type; -1 when none does.
	best := map[string]preference{mediaGraphQLResponse: {-1, -1}, mediaJSON: {-1, -1}}
	for _, header := range accept {
		for part := range strings.SplitSeq(header, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			q := 1.0
			if v, ok := params["q"]; ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f <= 1 {
					q = f
				}
			}
			if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
				continue // we answer in UTF-8 only
			}
			for media, cur := range best {
				spec := matches(mt, media)
				if spec > cur.specificity {
					best[media] = preference{q, spec}
				}
			}
		}
	}
	gr, js := best[mediaGraphQLResponse], best[mediaJSON]
	switch {
	case gr.q <= 0 && js.q <= 0:
		return "", false
	case gr.q > js.q:
		return mediaGraphQLResponse, true
	case js.q > gr.q:
		return mediaJSON, true
	case gr.specificity == 2: // equal q and named exactly: the current type
		return mediaGraphQLResponse, true
	default: // equal q through a wildcard (`*/*`): the legacy type
		return mediaJSON, true
	}
}

// preference is how much a client accepts a media type (q) and how
// specifically its Accept header named it (see matches).
type preference struct {
	q           float64
	specificity int
}

// matches reports how specifically a media range names media: 2 exactly,
// 1 as type/*, 0 as */*, -1 not at all.
func matches(rng, media string) int {
	switch {
	case rng == media:
		return 2
	case rng == "application/*":
		return 1
	case rng == "*/*":
		return 0
	}
	return -1
}

// readParams decodes the GraphQL-over-HTTP request parameters from the
// URL (GET) or the JSON body (POST, as guardRequest read it), checking
// each one's JSON type.
func readParams(r *http.Request) (*graphql.RawParams, *gqlerror.Error) {
	params := &graphql.RawParams{}
	if r.Method == http.MethodGet {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return nil, badRequest("", "the URL's query string is malformed")
		}
		params.Query, params.OperationName = q.Get("query"), q.Get("operationName")
		if v := q.Get("variables"); v != "" {
			if err := decodeObject([]byte(v), &params.Variables); err != nil {
				return nil, badRequest("variables", "variables must be a JSON object")
			}
		}
		if v := q.Get("extensions"); v != "" {
			if err := decodeObject([]byte(v), &params.Extensions); err != nil {
				return nil, badRequest("extensions", "extensions must be a JSON object")
			}
		}
		return params, checkQueryPresent(params)
	}

	body := bodyOf(r)
	var raw struct {
		Query         json.RawMessage `json:"query"`
		OperationName json.RawMessage `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
		Extensions    json.RawMessage `json:"extensions"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil || dec.More() || !isJSONObject(body) {
		return nil, badRequest("", `the body must be one JSON object: {"query": "...", "variables": {...}, "operationName": "..."}`)
	}
	if err := decodeString(raw.Query, &params.Query); err != nil {
		return nil, badRequest("query", "query must be a string")
	}
	if err := decodeString(raw.OperationName, &params.OperationName); err != nil {
		return nil, badRequest("operationName", "operationName must be a string")
	}
	if err := decodeObject(raw.Variables, &params.Variables); err != nil {
		return nil, badRequest("variables", "variables must be a JSON object")
	}
	if err := decodeObject(raw.Extensions, &params.Extensions); err != nil {
		return nil, badRequest("extensions", "extensions must be a JSON object")
	}
	if err := addUploads(r, params); err != nil {
		return nil, err
	}
	return params, checkQueryPresent(params)
}

// checkQueryPresent: a request needs a query, unless it names a persisted
// one by hash (automatic persisted queries).
func checkQueryPresent(p *graphql.RawParams) *gqlerror.Error {
	if p.Query != "" {
		return nil
	}
	if _, ok := p.Extensions["persistedQuery"]; ok {
		return nil
	}
	return badRequest("query", "query is required")
}

func isJSONObject(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{'
}

var errWrongType = errors.New("wrong JSON type")

// errNoResponse: gqlgen answered nothing though the context had not ended.
var errNoResponse = errors.New("the executor returned no response")

// decodeString reads a JSON string; null or absent leaves dst empty.
func decodeString(raw json.RawMessage, dst *string) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] != '"' {
		return errWrongType
	}
	return json.Unmarshal(raw, dst)
}

// decodeObject reads a JSON object, numbers kept as json.Number (as gqlgen
// expects); null or absent leaves dst nil.
func decodeObject(raw []byte, dst *map[string]any) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] != '{' {
		return errWrongType
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil || dec.More() {
		return errWrongType
	}
	return nil
}

func badRequest(field, msg string) *gqlerror.Error {
	ext := map[string]any{"code": string(apperr.CodeBadRequest)}
	if field != "" {
		ext["field"] = field
	}
	return &gqlerror.Error{Message: msg, Extensions: ext}
}

// requestErrorStatus is the HTTP status of a response that has request
// errors and no data. Refusals for load (rate limit 429, heavy-query lane
// 503) are not decided here: Do answers those, whatever the media type,
// from the request's admission record (Throttled).
func requestErrorStatus(media string, errs gqlerror.List) int {
	code := ""
	if len(errs) > 0 {
		code, _ = errs[0].Extensions["code"].(string)
	}
	if media == mediaJSON {
		return http.StatusOK
	}
	switch code {
	case string(apperr.CodeForbidden):
		return http.StatusForbidden
	case string(apperr.CodeUnauthenticated):
		return http.StatusUnauthorized
	case string(apperr.CodeUnavailable):
		return http.StatusServiceUnavailable
	case string(apperr.CodeInternal):
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}
