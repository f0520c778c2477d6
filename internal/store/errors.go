package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/lib/pq"

	"startupgraph/internal/apperr"
)

// translate is the one place where driver errors become the application's
// sentinel errors. The driver error stays wrapped, so logs keep its detail,
// while the GraphQL layer only ever looks at the sentinel.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", apperr.ErrNotFound, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch {
		case pqErr.Code == "23505":
			// unique violation: the field is the constraint's column
			return fmt.Errorf("%w: %w", &apperr.ConflictError{Field: uniqueField(pqErr.Constraint), Message: "already exists"}, err)
		case pqErr.Code == "23P01", pqErr.Code == "40001", pqErr.Code == "40P01":
			// exclusion violation, serialization failure, deadlock
			return fmt.Errorf("%w: %w", apperr.ErrConflict, err)
		case pqErr.Code == "23514":
			// check_violation: the API validates every input against the
			// same rules, so the row held a value beyond a bound added
			// later (migration 00007's NOT VALID KRW bounds).
			return fmt.Errorf("%w: %w", apperr.ErrStoredOutOfRange, err)
		case pqErr.Code == "57014":
			// query_canceled: statement_timeout or a cancelled context
			return fmt.Errorf("%w: %w", context.DeadlineExceeded, err)
		case pqErr.Code.Class() == "08", pqErr.Code.Class() == "57", pqErr.Code.Class() == "53":
			// connection exceptions, operator intervention (shutdown), insufficient resources
			return fmt.Errorf("%w: %w", apperr.ErrUnavailable, err)
		}
		return err
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, sql.ErrConnDone) || errors.Is(err, net.ErrClosed) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		// lib/pq reports a connection the server or network dropped as a
		// bare EOF.
		return fmt.Errorf("%w: %w", apperr.ErrUnavailable, err)
	}
	return err
}

// uniqueFields name the input field of each unique constraint a write may
// clash with (the columns the client chose); others name the input.
var uniqueFields = map[string]string{
	"markets_code_key": "input.code",
	"assignments_university_id_startup_id_purpose_key": "input.purpose",
	"memberships_cohort_id_startup_id_key":             "input.cohortId",
	"market_targets_startup_id_market_id_key":          "input.marketId",
}

func uniqueField(constraint string) string {
	if f, ok := uniqueFields[constraint]; ok {
		return f
	}
	if strings.HasSuffix(constraint, "_key_key") {
		return "input.key"
	}
	return "input"
}
