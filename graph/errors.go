package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"startupgraph/internal/apperr"
	"startupgraph/internal/requestid"
)

// ErrorPresenter is the one place where errors become what a client sees.
// Errors gqlgen made itself (parse, validation) keep their code. Errors
// from resolvers are classified by their wrapped cause into an
// extensions.code; anything unknown is logged with its path and request id
// and shown only as a generic internal error, so no driver text, SQL or
// host name leaves the server.
func ErrorPresenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var gqlErr *gqlerror.Error
		if !errors.As(err, &gqlErr) {
			gqlErr = gqlerror.WrapPath(graphql.GetPath(ctx), err)
		}
		cause := gqlErr.Unwrap()
		if cause == nil {
			if gqlErr.Extensions == nil || gqlErr.Extensions["code"] == nil {
				gqlErr.Extensions = withCode(gqlErr.Extensions, apperr.CodeBadRequest)
			}
			return gqlErr
		}
		out := &gqlerror.Error{Path: gqlErr.Path, Locations: gqlErr.Locations}
		var input *apperr.InputError
		switch {
		case errors.As(cause, &input):
			presentInput(out, input, argumentPath(ctx, gqlErr.Path))
		case errors.Is(cause, apperr.ErrNotFound):
			out.Message, out.Extensions = "not found", withCode(nil, apperr.CodeNotFound)
		case errors.Is(cause, apperr.ErrConflict):
			presentConflict(out, cause)
		case errors.Is(cause, apperr.ErrStoredOutOfRange):
			logger.WarnContext(ctx, "stored value out of range", "path", out.Path.String(), "err", cause)
			out.Message = "this record holds a value outside its allowed range, such as a KRW amount above 1000000000000000 stored before amounts were bounded; correct that value in the same change"
			out.Extensions = withCode(nil, apperr.CodeConflict)
			out.Extensions["field"] = "input"
		case errors.Is(cause, apperr.ErrUnauthenticated):
			out.Message, out.Extensions = "authentication required", withCode(nil, apperr.CodeUnauthenticated)
		case errors.Is(cause, apperr.ErrForbidden):
			out.Message, out.Extensions = "forbidden", withCode(nil, apperr.CodeForbidden)
			var f *apperr.ForbiddenError
			if errors.As(cause, &f) {
				out.Message = f.Field + ": " + f.Message
				out.Extensions["field"] = f.Field
			}
		case errors.Is(cause, apperr.ErrOutOfRange):
			logger.WarnContext(ctx, "value out of range", "path", out.Path.String(), "err", cause)
			out.Message = "this total is larger than its type carries exactly (KRW: 9007199254740991, Int: 2147483647); narrow the filter"
			out.Extensions = withCode(nil, apperr.CodeOutOfRange)
		case errors.Is(cause, apperr.ErrUnavailable):
			logger.WarnContext(ctx, "database unavailable", "path", out.Path.String(), "err", cause)
			out.Message, out.Extensions = "the service is temporarily unavailable; try again shortly", withCode(nil, apperr.CodeUnavailable)
		case errors.Is(cause, apperr.ErrTooManySubscriptions):
			out.Message, out.Extensions = "this API key has as many subscriptions open as it may; close one first", withCode(nil, apperr.CodeRateLimited)
		case errors.Is(cause, apperr.ErrSlowConsumer):
			out.Message = "the subscription was closed: the client did not read its changes as fast as they came; resubscribe with the last cursor it received to miss nothing"
			out.Extensions = withCode(nil, apperr.CodeSlowConsumer)
		case errors.Is(cause, context.DeadlineExceeded), errors.Is(cause, context.Canceled):
			out.Message, out.Extensions = "the request took too long and was stopped", withCode(nil, apperr.CodeTimeout)
		default:
			logger.ErrorContext(ctx, "internal error", "path", out.Path.String(), "err", cause)
			out.Message = "internal server error"
			out.Extensions = withCode(nil, apperr.CodeInternal)
			if id := requestid.From(ctx); id != "" {
				out.Extensions["requestId"] = id
			}
		}
		return out
	}
}

// presentInput names the offending fields: extensions.field is the first,
// extensions.problems lists them all so a client can fix everything at once.
// A problem found by a scalar's parser, which does not know its field, is
// named by arg, the argument the error's path points into.
func presentInput(out *gqlerror.Error, input *apperr.InputError, arg string) {
	problems := make([]map[string]any, 0, len(input.Problems))
	msgs := make([]string, 0, len(input.Problems))
	for _, p := range input.Problems {
		field := p.Field
		if field == "" {
			field = arg
		}
		problems = append(problems, map[string]any{"field": field, "message": p.Message})
		msgs = append(msgs, field+": "+p.Message)
	}
	out.Message = "invalid input: " + strings.Join(msgs, "; ")
	out.Extensions = withCode(nil, apperr.CodeBadUserInput)
	if len(problems) > 0 {
		out.Extensions["field"] = problems[0]["field"]
	}
	out.Extensions["problems"] = problems
}

// presentConflict names the field of a CONFLICT (extensions.field) and,
// for a clash with an existing record, that record's id
// (extensions.existingId). A conflict that names no field of its own (a
// serialization failure that outlasted its retries) names the input.
func presentConflict(out *gqlerror.Error, cause error) {
	out.Message, out.Extensions = "the record changed or already exists; reload and try again", withCode(nil, apperr.CodeConflict)
	out.Extensions["field"] = "input"
	var c *apperr.ConflictError
	if errors.As(cause, &c) {
		out.Message = "conflict: " + c.Field + ": " + c.Message
		out.Extensions["field"] = c.Field
		if c.Existing != "" {
			out.Extensions["existingId"] = c.Existing
		}
	}
}

// argumentPath names what an argument error's path points into, as
// validation names it: the path below the field being resolved
// (input.amount, filter.sectorIds[2], first). Outside a field, the path's
// last element.
func argumentPath(ctx context.Context, path ast.Path) string {
	var field ast.Path
	if graphql.GetFieldContext(ctx) != nil {
		field = graphql.GetPath(ctx)
	}
	if len(path) > len(field) && slices.Equal(path[:len(field)], field) {
		var b strings.Builder
		for _, el := range path[len(field):] {
			if i, ok := el.(ast.PathIndex); ok {
				fmt.Fprintf(&b, "[%d]", int(i))
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(fmt.Sprint(el))
		}
		if len(field) > 0 {
			return b.String()
		}
	}
	if len(path) == 0 {
		return ""
	}
	return fmt.Sprint(path[len(path)-1])
}

func withCode[C ~string](ext map[string]any, code C) map[string]any {
	if ext == nil {
		ext = map[string]any{}
	}
	ext["code"] = string(code)
	return ext
}

// Recover turns a resolver panic into an internal error: the panic and its
// stack go to the log, the client sees the generic message.
func Recover(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return fmt.Errorf("panic: %v", p)
	}
}
