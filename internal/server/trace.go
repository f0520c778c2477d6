package server

import (
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"startupgraph/internal/telemetry"
)

// W3C trace context headers (https://www.w3.org/TR/trace-context/).
const (
	traceparentHeader = "traceparent"
	tracestateHeader  = "tracestate"
)

// tracerName names the spans of requests.
const tracerName = "startupgraph/internal/server"

// traceRequests gives every request a server span, the child of the trace
// its client's traceparent header names (if any), and answers with the
// span's own traceparent so a client can find the trace of any answer.
// The loaders' batches and the SQL statements below it get spans of
// their own (internal/loader, internal/dbconn) while the span records.
// Once answered, the span is named after the operation ("query
// Dashboard") and carries its outcome code; one whose code is not OK
// ends with an error status. It is installed only when tracing is on
// (Deps.Tracer): off, requests pay nothing.
func traceRequests(tp trace.TracerProvider, next http.Handler) http.Handler {
	tracer := tp.Tracer(tracerName)
	prop := propagation.TraceContext{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := tracer.Start(ctx, r.Method+" "+r.URL.Path, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("url.path", r.URL.Path)))
		defer span.End()
		f := factsOf(ctx)
		if sc := span.SpanContext(); sc.IsValid() {
			prop.Inject(ctx, propagation.HeaderCarrier(w.Header()))
			if f != nil && sc.IsSampled() {
				f.traceID = sc.TraceID()
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
		if f == nil || !span.IsRecording() {
			return
		}
		code := f.outcome()
		span.SetAttributes(attribute.String("graphql.response.code", code),
			attribute.Int64("db.statements", f.statements.Load()))
		if f.operation != "" {
			span.SetName(f.kind + " " + logName(f.operation))
			span.SetAttributes(attribute.String("graphql.operation.name", logName(f.operation)))
		}
		if code != telemetry.CodeOK {
			span.SetStatus(codes.Error, code)
		}
	})
}
