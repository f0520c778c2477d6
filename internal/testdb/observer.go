package testdb

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"

	_ "github.com/lib/pq" // the "postgres" driver
)

// observerName is the application_name of Observer's sessions, which
// WaitingOnLock leaves out.
const observerName = "test_observer"

// Observer opens a connection pool of the test's own to the database at
// dsn, closed when the test ends, for watching and holding up the
// service's sessions.
func Observer(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	db, err := sql.Open("postgres", dsn+sep+"application_name="+observerName)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(2)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// LockTable holds a lock of mode (for example "ACCESS EXCLUSIVE") on
// table, from one of db's sessions, until unlock is called or the test
// ends; statements of other sessions that conflict with it wait.
func LockTable(t testing.TB, db *sql.DB, table, mode string) (unlock func()) {
	t.Helper()
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`LOCK TABLE ` + table + ` IN ` + mode + ` MODE`); err != nil {
		_ = tx.Rollback()
		t.Fatal(err)
	}
	var once sync.Once
	unlock = func() { once.Do(func() { _ = tx.Commit() }) }
	t.Cleanup(unlock)
	return unlock
}

// WaitingOnLock counts the statements of db's database, other than an
// Observer's, that are waiting on a lock.
func WaitingOnLock(t testing.TB, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity
		WHERE wait_event_type = 'Lock' AND datname = current_database() AND application_name <> $1`, observerName).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
