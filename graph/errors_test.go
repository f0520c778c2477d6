package graph_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"startupgraph/graph"
	"startupgraph/internal/apperr"
	"startupgraph/internal/requestid"
)

func TestErrorPresenter(t *testing.T) {
	var logs strings.Builder
	present := graph.ErrorPresenter(slog.New(slog.NewTextHandler(&logs, nil)))
	ctx := requestid.With(context.Background(), "req-123456")
	onPath := func(err error) error {
		return gqlerror.WrapPath(ast.Path{ast.PathName("fund"), ast.PathName("size")}, err)
	}
	driver := errors.New(`pq: relation "funds" does not exist at 10.0.0.5`)

	cases := []struct {
		name     string
		err      error
		code     string
		message  string
		field    string
		logged   bool
		noLeakOf string
	}{
		{"not found", onPath(fmt.Errorf("get fund 7: %w", apperr.ErrNotFound)), "NOT_FOUND", "not found", "", false, "fund 7"},
		{"conflict", onPath(fmt.Errorf("%w: %w", apperr.ErrConflict, driver)), "CONFLICT", "", "", false, "pq:"},
		{"forbidden", onPath(apperr.ErrForbidden), "FORBIDDEN", "forbidden", "", false, ""},
		{"unauthenticated", onPath(apperr.ErrUnauthenticated), "UNAUTHENTICATED", "", "", false, ""},
		{"unavailable", onPath(fmt.Errorf("%w: %w", apperr.ErrUnavailable, driver)), "SERVICE_UNAVAILABLE", "", "", true, "10.0.0.5"},
		{"timeout", onPath(fmt.Errorf("list: %w", context.DeadlineExceeded)), "TIMEOUT", "", "", false, "list"},
		{"input with field", onPath(apperr.Invalid("input.name", "must not be empty")), "BAD_USER_INPUT", "input.name: must not be empty", "input.name", false, ""},
		{"input field from path", onPath(apperr.InvalidValue("KRW must be a whole number")), "BAD_USER_INPUT", "size: KRW must be a whole number", "size", false, ""},
		{"unknown is masked", onPath(fmt.Errorf("list funds: %w", driver)), "INTERNAL_SERVER_ERROR", "internal server error", "", true, "pq:"},
		{"plain error is masked", driver, "INTERNAL_SERVER_ERROR", "internal server error", "", true, "relation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			logs.Reset()
			got := present(ctx, tc.err)
			if got.Extensions["code"] != tc.code {
				t.Errorf("code %v, want %s", got.Extensions["code"], tc.code)
			}
			if tc.message != "" && !strings.Contains(got.Message, tc.message) {
				t.Errorf("message %q lacks %q", got.Message, tc.message)
			}
			if tc.field != "" && got.Extensions["field"] != tc.field {
				t.Errorf("field %v, want %s", got.Extensions["field"], tc.field)
			}
			if tc.noLeakOf != "" && strings.Contains(got.Message, tc.noLeakOf) {
				t.Errorf("message %q leaks %q", got.Message, tc.noLeakOf)
			}
			if tc.logged != (logs.Len() > 0) {
				t.Errorf("logged=%v, want %v: %s", logs.Len() > 0, tc.logged, logs.String())
			}
			if tc.code == "INTERNAL_SERVER_ERROR" {
				if got.Extensions["requestId"] != "req-123456" {
					t.Errorf("requestId %v", got.Extensions["requestId"])
				}
				if !strings.Contains(logs.String(), "req-123456") && !strings.Contains(logs.String(), "relation") {
					t.Errorf("real error not logged: %s", logs.String())
				}
			}
		})
	}
}

func TestErrorPresenterKeepsProtocolErrors(t *testing.T) {
	present := graph.ErrorPresenter(slog.New(slog.NewTextHandler(io.Discard, nil)))
	parse := &gqlerror.Error{Message: "Expected Name", Extensions: map[string]any{"code": "GRAPHQL_PARSE_FAILED"}}
	if got := present(context.Background(), parse); got.Extensions["code"] != "GRAPHQL_PARSE_FAILED" || got.Message != "Expected Name" {
		t.Errorf("parse error changed: %+v", got)
	}
	bare := &gqlerror.Error{Message: "transport not supported"}
	if got := present(context.Background(), bare); got.Extensions["code"] != "BAD_REQUEST" {
		t.Errorf("bare gqlgen error without code: %+v", got)
	}
}

func TestRecoverHidesPanic(t *testing.T) {
	var logs strings.Builder
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	err := graph.Recover(logger)(context.Background(), "boom: secret detail")
	got := graph.ErrorPresenter(logger)(context.Background(), err)
	if got.Extensions["code"] != "INTERNAL_SERVER_ERROR" || strings.Contains(got.Message, "secret") {
		t.Errorf("panic presented as %+v", got)
	}
	if !strings.Contains(logs.String(), "secret detail") {
		t.Errorf("panic not logged: %s", logs.String())
	}
}
