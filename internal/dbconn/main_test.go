package dbconn_test

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"

	"startupgraph/internal/dbconn"
	"startupgraph/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// openPool opens a pool on dsn the way the store does, checks that the
// database answers, and closes the pool when the test ends.
func openPool(t *testing.T, dsn string, cfg dbconn.Config) *sqlx.DB {
	t.Helper()
	conns, err := dbconn.Open(dsn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sqlx.NewDb(conns, "postgres")
	t.Cleanup(func() { _ = db.Close() })
	if err := db.PingContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}
