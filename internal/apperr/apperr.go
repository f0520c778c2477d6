// Package apperr defines the errors that cross layers: the store returns
// them, the GraphQL error presenter turns them into extensions.code values.
// Anything that is not one of these is an internal error and is never shown
// to a client.
package apperr

import (
	"errors"
	"fmt"
	"strings"
)

// Code is the machine-readable error class a client sees in extensions.code.
type Code string

// The codes a client can receive, every one of them: code that refuses or
// fails a request names its code by one of these constants, never by a
// string of its own. They follow the names Apollo and GitHub use, so
// GraphQL client libraries recognise them.
const (
	CodeNotFound        Code = "NOT_FOUND"
	CodeBadUserInput    Code = "BAD_USER_INPUT"
	CodeUnauthenticated Code = "UNAUTHENTICATED"
	CodeForbidden       Code = "FORBIDDEN"
	CodeConflict        Code = "CONFLICT"
	CodeTimeout         Code = "TIMEOUT"
	CodeUnavailable     Code = "SERVICE_UNAVAILABLE"
	// CodeOutOfRange: a computed figure (a total) is larger than its
	// scalar carries exactly; the rest of the response is unaffected.
	CodeOutOfRange Code = "VALUE_OUT_OF_RANGE"
	CodeInternal   Code = "INTERNAL_SERVER_ERROR"
)

// The codes of requests refused before GraphQL runs, by the HTTP edge
// (internal/server), with the HTTP status each is answered with.
const (
	// CodeBadRequest: the body is not one JSON object, or a parameter
	// (query, variables, ...) is missing or of the wrong JSON type (400).
	CodeBadRequest Code = "BAD_REQUEST"
	// CodeNotAcceptable: Accept names no type the server answers in (406).
	CodeNotAcceptable Code = "NOT_ACCEPTABLE"
	// CodeMethodNotAllowed: a method other than GET, POST and OPTIONS, or
	// a mutation over GET (405).
	CodeMethodNotAllowed Code = "METHOD_NOT_ALLOWED"
	// CodeUnsupportedTransport: a protocol upgrade such as WebSocket (400).
	CodeUnsupportedTransport Code = "UNSUPPORTED_TRANSPORT"
	// CodeUnsupportedMediaType: a POST body that is not JSON in UTF-8 (415).
	CodeUnsupportedMediaType Code = "UNSUPPORTED_MEDIA_TYPE"
	// CodeRequestTooLarge: a body over the server's bound (413).
	CodeRequestTooLarge Code = "REQUEST_TOO_LARGE"
	// CodeRequestTimeout: the body did not arrive in time (408).
	CodeRequestTimeout Code = "REQUEST_TIMEOUT"
	// CodeBatchingNotSupported: a JSON array of operations (400).
	CodeBatchingNotSupported Code = "BATCHING_NOT_SUPPORTED"
	// CodeRateLimited: the query budget of the key, or of the client
	// address without a key, is spent (429, with Retry-After).
	CodeRateLimited Code = "RATE_LIMITED"
	// CodeSlowConsumer ends a subscription whose client fell behind.
	CodeSlowConsumer Code = "SLOW_CONSUMER"
	// CodeNotExportable: /export was given a query it cannot flatten into
	// a table (no connection, two connections, one inside a list, …);
	// extensions.field names the field at fault (400).
	CodeNotExportable Code = "NOT_EXPORTABLE"
)

// The codes of documents refused for their size or shape before anything
// runs (the GraphQL layer's limits); extensions.value and
// extensions.limit give the figures.
const (
	CodeQueryTooLarge         Code = "QUERY_TOO_LARGE"
	CodeTooManyAliases        Code = "TOO_MANY_ALIASES"
	CodeTooManySelections     Code = "TOO_MANY_SELECTIONS"
	CodeTooManyDirectives     Code = "TOO_MANY_DIRECTIVES"
	CodeTooManyFields         Code = "TOO_MANY_FIELDS"
	CodeQueryTooDeep          Code = "QUERY_TOO_DEEP"
	CodeQueryTooComplex       Code = "QUERY_TOO_COMPLEX"
	CodeTooManyIntrospections Code = "TOO_MANY_INTROSPECTIONS"
)

// The codes gqlgen sets itself (graphql/errcode and its automatic
// persisted queries), listed so that every code a client can see is here.
const (
	CodeParseFailed            Code = "GRAPHQL_PARSE_FAILED"
	CodeValidationFailed       Code = "GRAPHQL_VALIDATION_FAILED"
	CodePersistedQueryNotFound Code = "PERSISTED_QUERY_NOT_FOUND"
)

// Sentinel errors for the classes that need no further detail. Wrap them
// with %w to add context; compare with errors.Is.
var (
	ErrNotFound        = errors.New("not found")
	ErrConflict        = errors.New("conflict")
	ErrUnauthenticated = errors.New("authentication required")
	ErrForbidden       = errors.New("forbidden")
	ErrUnavailable     = errors.New("service unavailable")
	// ErrOutOfRange is a computed value beyond its scalar's range, such
	// as a KRW total above 2^53-1 over data stored before amounts were
	// bounded.
	ErrOutOfRange = errors.New("value out of range")
	// ErrStoredOutOfRange is a change the database's CHECK rules refuse
	// though its input was valid: the row already holds a value beyond a
	// bound added later (a KRW amount above model.MaxKRW stored before
	// migration 00007, whose bounds are NOT VALID), and every change to
	// the row is checked whole. The client sees CONFLICT.
	ErrStoredOutOfRange = errors.New("a stored value is out of range")
	// ErrTooManySubscriptions refuses a subscription past its key's
	// limit of open subscriptions (RATE_LIMITED).
	ErrTooManySubscriptions = errors.New("too many open subscriptions")
	// ErrSlowConsumer ends a subscription whose client does not read its
	// changes as fast as they come (SLOW_CONSUMER).
	ErrSlowConsumer = errors.New("slow consumer")
)

// FieldError is one problem with one input field. Field is the path of the
// argument or input field as the client wrote it, e.g. "input.name" or "first".
type FieldError struct {
	Field   string
	Message string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// InputError collects every problem found in one request's input, so that
// a client can fix them all at once instead of one per round trip.
type InputError struct {
	Problems []FieldError
}

func (e *InputError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return "invalid input: " + strings.Join(msgs, "; ")
}

// Add records a problem with field.
func (e *InputError) Add(field, format string, args ...any) {
	e.Problems = append(e.Problems, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns e when it holds problems and nil otherwise, so validation code
// can end with `return problems.Err()`.
func (e *InputError) Err() error {
	if e == nil || len(e.Problems) == 0 {
		return nil
	}
	return e
}

// Invalid is a shortcut for an InputError with a single problem.
func Invalid(field, format string, args ...any) error {
	e := &InputError{}
	e.Add(field, format, args...)
	return e
}

// InvalidValue is an input problem whose field the GraphQL layer knows
// better than the code that found it (a scalar's parser): the error
// presenter names the field from the error's path.
func InvalidValue(format string, args ...any) error {
	return Invalid("", format, args...)
}

// Merge combines errors found while validating one request: the problems
// of every InputError go into one InputError, so the client sees them all.
// Any other error wins over input problems, as it is the more serious.
func Merge(errs ...error) error {
	merged := &InputError{}
	for _, err := range errs {
		if err == nil {
			continue
		}
		var input *InputError
		if !errors.As(err, &input) {
			return err
		}
		merged.Problems = append(merged.Problems, input.Problems...)
	}
	return merged.Err()
}

// ForbiddenError is a FORBIDDEN about one argument the viewer's role may
// not use (filter.includeArchived). It matches ErrForbidden under
// errors.Is.
type ForbiddenError struct {
	Field, Message string
}

func (e *ForbiddenError) Error() string { return "forbidden: " + e.Field + ": " + e.Message }

// Unwrap makes errors.Is(err, ErrForbidden) hold.
func (e *ForbiddenError) Unwrap() error { return ErrForbidden }

// ForbiddenField is a FORBIDDEN naming field.
func ForbiddenField(field, format string, args ...any) error {
	return &ForbiddenError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// ConflictError is a CONFLICT about one input field: the version the
// client read moved on (input.expectedVersion), a value clashes with an
// existing record (input.key, input.nameEn), or the field refers to an
// archived node. Existing is the global id of the record it clashes with,
// when there is one. It matches ErrConflict under errors.Is.
type ConflictError struct {
	Field, Message, Existing string
}

func (e *ConflictError) Error() string { return "conflict: " + e.Field + ": " + e.Message }

// Unwrap makes errors.Is(err, ErrConflict) hold.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// Conflict is a CONFLICT naming field.
func Conflict(field, format string, args ...any) error {
	return &ConflictError{Field: field, Message: fmt.Sprintf(format, args...)}
}
