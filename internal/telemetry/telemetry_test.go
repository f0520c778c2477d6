package telemetry

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
)

// TestOperationLabelsAreBounded: however many distinct operation names
// clients send, the metrics carry at most MaxOperationNames of them; the
// names seen first keep their label, later ones are "other", and an
// unnamed operation is "anonymous".
func TestOperationLabelsAreBounded(t *testing.T) {
	m := NewMetrics(nil)
	labels := map[string]bool{}
	for i := range MaxOperationNames + 50 {
		labels[m.OperationLabel(fmt.Sprintf("Op%d", i))] = true
	}
	if len(labels) != MaxOperationNames+1 || !labels[OtherOperation] {
		t.Errorf("%d distinct labels (other among them: %v), want %d names and %q", len(labels), labels[OtherOperation], MaxOperationNames, OtherOperation)
	}
	if got := m.OperationLabel("Op0"); got != "Op0" {
		t.Errorf("a name seen first is labelled %q later", got)
	}
	if got := m.OperationLabel(fmt.Sprintf("Op%d", MaxOperationNames+10)); got != OtherOperation {
		t.Errorf("a name past the bound is labelled %q", got)
	}
	if got := m.OperationLabel(""); got != AnonymousOperation {
		t.Errorf("an unnamed operation is labelled %q", got)
	}
	var none *Metrics
	if got := none.OperationLabel("Op"); got != "Op" {
		t.Errorf("nil metrics label %q", got)
	}
}

// TestTracingFollowsTheOTELVariables: tracing is off unless the standard
// variables ask for an exporter, on with an OTLP endpoint, and a request
// for an exporter or protocol this server lacks is an error at start, not
// silence.
func TestTracingFollowsTheOTELVariables(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		on      bool
		wantErr string
	}{
		{"unset: off", nil, false, ""},
		{"none: off", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, false, ""},
		{"SDK disabled: off", map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, false, ""},
		{"endpoint: on", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, true, ""},
		{"traces endpoint: on", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, true, ""},
		{"otlp: on", map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true, ""},
		{"zipkin: refused", map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, false, "OTEL_TRACES_EXPORTER"},
		{"grpc: refused", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, false, "OTEL_EXPORTER_OTLP_PROTOCOL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tp, stop, err := Tracing(t.Context(), func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = stop(t.Context()) }()
			if (tp != nil) != tc.on {
				t.Errorf("tracing on = %v, want %v", tp != nil, tc.on)
			}
		})
	}
}

// TestTracingExportsOverOTLP: with OTEL_EXPORTER_OTLP_ENDPOINT set,
// spans reach that endpoint over OTLP/HTTP (POST /v1/traces, protobuf)
// by the time the provider is stopped.
func TestTracingExportsOverOTLP(t *testing.T) {
	var posts atomic.Int32
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/v1/traces" && r.Header.Get("Content-Type") == "application/x-protobuf" {
			posts.Add(1)
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL) // the exporter reads the process's environment
	tp, stop, err := Tracing(t.Context(), os.Getenv)
	if err != nil || tp == nil {
		t.Fatalf("tracing not on: %v", err)
	}
	_, span := tp.Tracer("test").Start(t.Context(), "a span")
	span.End()
	if err := stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	if posts.Load() == 0 {
		t.Errorf("no OTLP export reached %s", collector.URL)
	}
}
