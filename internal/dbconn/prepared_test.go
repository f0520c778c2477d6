package dbconn_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"

	"startupgraph/internal/dbconn"
	"startupgraph/internal/testdb"
)

// onePooledConnection opens a pool of one connection on a fresh empty
// database, so every statement runs in the same session.
func onePooledConnection(t *testing.T) *sqlx.DB {
	t.Helper()
	return openPool(t, testdb.URL(t, testdb.Empty), dbconn.Config{MaxOpen: 1, MaxIdle: 1})
}

// preparedInSession lists the session's prepared statements (this query
// is not one SELECT, so it is not prepared itself).
func preparedInSession(t *testing.T, s *sqlx.DB) []string {
	t.Helper()
	var texts []string
	if err := s.SelectContext(context.Background(), &texts, `WITH p AS (SELECT statement, prepare_time FROM pg_prepared_statements) SELECT statement FROM p ORDER BY prepare_time`); err != nil {
		t.Fatal(err)
	}
	return texts
}

// TestQueriesArePreparedOncePerConnection: a parameterised query, and one
// SELECT without parameters, are prepared on first use and reused after;
// another statement without parameters and a query inside a transaction
// are not prepared; a connection holds at most 128 statements, dropping
// the least recently used.
func TestQueriesArePreparedOncePerConnection(t *testing.T) {
	ctx := context.Background()
	s := onePooledConnection(t)
	var n int
	for i := range 3 {
		if err := s.GetContext(ctx, &n, `SELECT $1::int + 1`, i); err != nil {
			t.Fatal(err)
		}
		if n != i+1 {
			t.Fatalf("got %d, want %d", n, i+1)
		}
	}
	for range 2 {
		if err := s.GetContext(ctx, &n, `SELECT 41 + 1`); err != nil || n != 42 {
			t.Fatalf("got %d, %v; want 42", n, err)
		}
	}
	var mem string
	if err := s.GetContext(ctx, &mem, `SHOW work_mem`); err != nil {
		t.Fatal(err)
	}
	tx, err := s.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.GetContext(ctx, &n, `SELECT $1::int + 2`, 1); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := s.GetContext(ctx, &n, `SELECT $1::int + 1`, "not a number"); err == nil {
		t.Fatal("a bad argument was accepted")
	}
	if got := preparedInSession(t, s); len(got) != 2 || got[0] != `SELECT $1::int + 1` || got[1] != `SELECT 41 + 1` {
		t.Fatalf("prepared %q, want the parameterised query outside the transaction, kept after a bad argument, and the SELECT without parameters", got)
	}

	for i := range 200 {
		if err := s.GetContext(ctx, &n, fmt.Sprintf(`SELECT $1::int + %d`, i+10), 1); err != nil {
			t.Fatal(err)
		}
	}
	got := preparedInSession(t, s)
	if len(got) != 128 {
		t.Fatalf("%d statements prepared in the session, want 128", len(got))
	}
	if got[0] != `SELECT $1::int + 82` || got[127] != `SELECT $1::int + 209` {
		t.Errorf("kept %q … %q, want the 128 most recent", got[0], got[127])
	}
}

// TestPreparedStatementSurvivesATableChange: when a table changes shape
// under a prepared statement (a migration by another instance),
// PostgreSQL refuses the cached plan; the query is answered anyway and
// prepared afresh.
func TestPreparedStatementSurvivesATableChange(t *testing.T) {
	ctx := context.Background()
	s := onePooledConnection(t)
	if _, err := s.ExecContext(ctx, `CREATE TABLE shapes (a int); INSERT INTO shapes VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	const q = `SELECT * FROM shapes WHERE a = $1`
	type row struct {
		A int
		B *int
	}
	var before []row
	if err := s.SelectContext(ctx, &before, q, 1); err != nil || len(before) != 1 {
		t.Fatalf("before: %v %v", before, err)
	}
	if _, err := s.ExecContext(ctx, `ALTER TABLE shapes ADD COLUMN b int DEFAULT 7`); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		var after []row
		if err := s.SelectContext(ctx, &after, q, 1); err != nil {
			t.Fatalf("query %d after the change: %v", i, err)
		}
		if len(after) != 1 || after[0].B == nil || *after[0].B != 7 {
			t.Fatalf("query %d after the change: %+v", i, after)
		}
	}
}

// TestPreparedStatementSurvivesDeallocation: a statement the session no
// longer knows (DEALLOCATE, a pooler resetting sessions) is answered
// anyway and prepared afresh.
func TestPreparedStatementSurvivesDeallocation(t *testing.T) {
	ctx := context.Background()
	s := onePooledConnection(t)
	var n int
	for i, step := range []string{"prepare", "DEALLOCATE ALL", "after", "again"} {
		if step == "DEALLOCATE ALL" {
			if _, err := s.ExecContext(ctx, step); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := s.GetContext(ctx, &n, `SELECT $1::int * 2`, i); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if n != 2*i {
			t.Fatalf("%s: got %d, want %d", step, n, 2*i)
		}
	}
	if got := preparedInSession(t, s); len(got) != 1 {
		t.Errorf("prepared %q after deallocation, want the statement prepared again", got)
	}
}
