package telemetry

import (
	"context"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Tracing builds the OpenTelemetry tracer provider the standard OTEL_*
// environment variables ask for, or nil (tracing off, no cost) when they
// ask for none. Tracing is on when OTEL_TRACES_EXPORTER is "otlp", or is
// unset and OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set; OTEL_SDK_DISABLED=true or
// OTEL_TRACES_EXPORTER=none turn it off. Spans go over OTLP/HTTP
// (protobuf); the exporter and the SDK read their other settings
// (endpoint, headers, timeout, OTEL_TRACES_SAMPLER, OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES) from the process environment themselves.
// The returned function flushes and stops the provider.
func Tracing(ctx context.Context, getenv func(string) string) (trace.TracerProvider, func(context.Context) error, error) {
	noStop := func(context.Context) error { return nil }
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return nil, noStop, nil
	}
	exporter := strings.ToLower(strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")))
	if exporter == "" && (getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "") {
		exporter = "otlp"
	}
	switch exporter {
	case "", "none":
		return nil, noStop, nil
	case "otlp":
	default:
		return nil, noStop, fmt.Errorf("OTEL_TRACES_EXPORTER=%s: this server exports traces with otlp only (or none)", exporter)
	}
	protocol := getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
	if protocol == "" {
		protocol = getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	if protocol != "" && protocol != "http/protobuf" {
		return nil, noStop, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL=%s: this server sends OTLP over http/protobuf only", protocol)
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, noStop, fmt.Errorf("tracing: %w", err)
	}
	// service.name is startupgraph unless OTEL_SERVICE_NAME or
	// OTEL_RESOURCE_ATTRIBUTES say otherwise (WithFromEnv comes last).
	res, err := resource.New(ctx, resource.WithAttributes(attribute.String("service.name", "startupgraph")),
		resource.WithTelemetrySDK(), resource.WithFromEnv())
	if err != nil {
		return nil, noStop, fmt.Errorf("tracing: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return tp, tp.Shutdown, nil
}
