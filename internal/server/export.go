package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"startupgraph/internal/apperr"
	"startupgraph/internal/export"
	"startupgraph/internal/loader"
)

// Export: GET or POST /export with a GraphQL query (or a persisted
// query's hash) and its variables, as /graphql takes them, plus format
// (csv or xlsx; csv when absent), in the URL or the JSON body. The
// query's one connection is walked page by page and written as a table
// (internal/export). /export is mounted on the same stack as /graphql
// (CORS, the request guard, admission, authentication, loaders, rate
// limits) and every page is one operation through the same gqlgen
// server, so each page is validated, costed, rate-limited, admitted to
// the heavy-query lane and scoped exactly as the same query sent to
// /graphql; only the page's own cursor differs. A query that cannot be
// exported, or whose first page fails, is answered with the GraphQL
// error shape and a 4xx/5xx status before the first byte of the file.

// DefaultExportTimeout bounds one export when Config.ExportTimeout does
// not say (STARTUPGRAPH_EXPORT_TIMEOUT).
const DefaultExportTimeout = 10 * time.Minute

// Export formats.
const (
	formatCSV  = "csv"
	formatXLSX = "xlsx"
)

const mediaXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// exportState marks a request to /export, so the GraphQL server hands it
// to exportTransport, and carries back whether the export failed after
// its first byte (the connection is then cut, so the client sees a
// failed download rather than a short file).
type exportState struct {
	abort bool
}

type exportKey struct{}

func exportOf(ctx context.Context) *exportState {
	s, _ := ctx.Value(exportKey{}).(*exportState)
	return s
}

// markExport marks the requests of the /export route.
func markExport(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &exportState{}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), exportKey{}, st)))
		if st.abort {
			panic(http.ErrAbortHandler) // net/http closes the connection mid-body
		}
	})
}

// MaxExportsInFlight bounds the exports that run at once, whoever asks.
// An export holds its request's in-flight slot for as long as it runs (up
// to STARTUPGRAPH_EXPORT_TIMEOUT, however slowly its client reads), and
// a page of public reference data costs an anonymous client two points:
// without this lane, a few dozen slow downloads could hold every slot
// /graphql needs.
const MaxExportsInFlight = 4

// exportLane refuses an export at once, with 503 and Retry-After, while
// limit others run.
func exportLane(limit int, next http.Handler) http.Handler {
	slots := make(chan struct{}, limit)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions { // a CORS preflight runs nothing
			next.ServeHTTP(w, r)
			return
		}
		select {
		case slots <- struct{}{}:
		default:
			w.Header().Set("Retry-After", "5")
			refuse(w, http.StatusServiceUnavailable, apperr.CodeUnavailable, fmt.Sprintf("%d exports are running, the most at once; retry in a moment", limit))
			return
		}
		defer func() { <-slots }()
		next.ServeHTTP(w, r)
	})
}

type planningKey struct{}

// planning reports whether ctx is the one exportTransport validates a
// query in before running its pages: admission spends nothing for it
// (each page spends its own).
func planning(ctx context.Context) bool { return ctx.Value(planningKey{}) != nil }

// exportTransport serves /export: it plans the export from the validated
// query, then runs it page by page through the executor.
type exportTransport struct {
	pageTimeout   time.Duration
	exportTimeout time.Duration
	logger        *slog.Logger
}

var _ graphql.Transport = exportTransport{}

func (exportTransport) Supports(r *http.Request) bool {
	return exportOf(r.Context()) != nil && (r.Method == http.MethodGet || r.Method == http.MethodPost)
}

func (t exportTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := time.Now()
	params, perr := readParams(r)
	if perr != nil {
		writeErrors(w, mediaJSON, http.StatusBadRequest, perr)
		return
	}
	format, perr := exportFormat(r)
	if perr != nil {
		writeErrors(w, mediaJSON, http.StatusBadRequest, perr)
		return
	}
	params.Headers = r.Header
	ctx := r.Context()

	// Validate and cost the query as sent (its persisted text resolved),
	// and plan the export from it; nothing runs yet.
	oc, errs := exec.CreateOperationContext(context.WithValue(ctx, planningKey{}, true), params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
		t.fail(w, ctx, resp.Errors)
		return
	}
	plan, err := export.NewPlan(oc.Doc, oc.Operation)
	if err != nil {
		t.fail(w, ctx, gqlerror.List{notExportable(err)})
		return
	}
	text, afterVar, initial, err := plan.Rewrite(oc.RawQuery)
	if err != nil {
		t.fail(w, ctx, exec.DispatchError(ctx, gqlerror.List{gqlerror.WrapPath(nil, err)}).Errors)
		return
	}

	if c, ok := params.Variables[afterVar].(string); ok && initial == nil {
		initial = &c // the query's own after variable: the walk starts there
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(t.exportTimeout + time.Minute))
	out := &sentWriter{w: w}
	name := strings.Join(plan.Path, "-")
	rc := http.NewResponseController(w)
	flush := func() error {
		if !out.sent {
			return nil // flushing would commit a 200 with no byte of the file yet
		}
		if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		return nil
	}
	var sheet export.Writer
	switch format {
	case formatXLSX:
		sheet = export.NewXLSX(out, name, flush)
		w.Header().Set("Content-Type", mediaXLSX)
	default:
		sheet = export.NewCSV(out, flush)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8; header=present")
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, format))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")

	pages := 0
	fetch := func(ctx context.Context, after *string) (json.RawMessage, error) {
		pages++
		return t.page(ctx, exec, params, text, afterVar, after)
	}
	rows, err := plan.Walk(ctx, fetch, initial, sheet)
	if err != nil {
		if !out.sent {
			w.Header().Del("Content-Disposition")
			var pe *pageErrors
			if errors.As(err, &pe) {
				t.fail(w, ctx, pe.errs)
			} else if ne := (*export.NotExportable)(nil); errors.As(err, &ne) {
				t.fail(w, ctx, gqlerror.List{notExportable(err)})
			} else {
				t.fail(w, ctx, exec.DispatchError(ctx, gqlerror.List{gqlerror.WrapPath(nil, err)}).Errors)
			}
			return
		}
		t.logger.WarnContext(ctx, "export cut short", "format", format, "rows", rows, "pages", pages, "err", err)
		exportOf(ctx).abort = true
		return
	}
	t.logger.InfoContext(ctx, "export", "format", format, "list", strings.Join(plan.Path, "."), "rows", rows, "pages", pages,
		"bytes", out.n, "duration_ms", time.Since(start).Milliseconds())
}

// page runs the rewritten query for the page after the cursor after, as
// one operation of its own: validated (from the query cache), costed and
// admitted, then executed with fresh loaders, so memory holds one page
// at a time.
func (t exportTransport) page(ctx context.Context, exec graphql.GraphExecutor, params *graphql.RawParams, text, afterVar string, after *string) (json.RawMessage, error) {
	if t.pageTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.pageTimeout)
		defer cancel()
	}
	if th := signal(ctx); th != nil {
		defer th.Release() // a page's heavy-query slot is held for that page only
	}
	loader.For(ctx).Reset()
	vars := maps.Clone(params.Variables)
	if vars == nil {
		vars = map[string]any{}
	}
	if after != nil {
		vars[afterVar] = *after
	} else {
		vars[afterVar] = nil
	}
	p := &graphql.RawParams{Query: text, OperationName: params.OperationName, Variables: vars, Headers: params.Headers,
		ReadTime: graphql.TraceTiming{Start: graphql.Now(), End: graphql.Now()}}
	oc, errs := exec.CreateOperationContext(ctx, p)
	if errs != nil {
		return nil, &pageErrors{exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs).Errors}
	}
	responses, rctx := exec.DispatchOperation(ctx, oc)
	resp := responses(rctx)
	if resp == nil {
		err := ctx.Err()
		if err == nil {
			err = errNoResponse
		}
		resp = exec.DispatchError(ctx, gqlerror.List{gqlerror.WrapPath(nil, err)})
	}
	if len(resp.Errors) > 0 {
		return nil, &pageErrors{resp.Errors}
	}
	return resp.Data, nil
}

// fail answers an export that has not sent a byte yet with errors, in
// the GraphQL shape, as application/json: 400 for the request's own
// faults, 401/403 for its key, 429/503 (with Retry-After) for load, 504
// for a page past its deadline, 500 for the server's.
func (t exportTransport) fail(w http.ResponseWriter, ctx context.Context, errs gqlerror.List) {
	status := requestErrorStatus(mediaGraphQLResponse, errs)
	if len(errs) > 0 && errs[0].Extensions["code"] == string(apperr.CodeTimeout) {
		status = http.StatusGatewayTimeout
	}
	if th := signal(ctx); th != nil && th.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(th.RetryAfter.Seconds()))))
		status = th.Status
	}
	writeErrors(w, mediaJSON, status, errs...)
}

// pageErrors are the errors of a page's operation: they stop the export.
type pageErrors struct{ errs gqlerror.List }

func (e *pageErrors) Error() string { return e.errs.Error() }

func notExportable(err error) *gqlerror.Error {
	ext := map[string]any{"code": string(apperr.CodeNotExportable)}
	var ne *export.NotExportable
	if errors.As(err, &ne) && ne.Field != "" {
		ext["field"] = ne.Field
	}
	return &gqlerror.Error{Message: err.Error(), Extensions: ext}
}

// exportFormat reads format from the URL, or else the JSON body: csv
// (the default) or xlsx.
func exportFormat(r *http.Request) (string, *gqlerror.Error) {
	f := r.URL.Query().Get("format")
	if f == "" && r.Method == http.MethodPost {
		var body struct {
			Format json.RawMessage `json:"format"`
		}
		_ = json.Unmarshal(bodyOf(r), &body) // readParams checked the body
		if err := decodeString(body.Format, &f); err != nil {
			return "", badRequest("format", "format must be a string: csv or xlsx")
		}
	}
	switch f = strings.ToLower(f); f {
	case "", formatCSV:
		return formatCSV, nil
	case formatXLSX:
		return formatXLSX, nil
	}
	return "", badRequest("format", fmt.Sprintf("format %q is not one this server writes: use csv or xlsx", f))
}

// sentWriter records whether the response has sent a byte of the file.
type sentWriter struct {
	w    io.Writer
	sent bool
	n    int64
}

func (s *sentWriter) Write(b []byte) (int, error) {
	if len(b) > 0 {
		s.sent = true
	}
	n, err := s.w.Write(b)
	s.n += int64(n)
	return n, err
}
