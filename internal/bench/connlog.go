package bench

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
)

// connLog counts the database sessions opened during a measurement, from
// the throwaway cluster's log with log_connections on: exact, where the
// statistics views lag by seconds. A pool that keeps fewer idle
// connections than it has clients closes and reopens them all the time,
// and each new session costs a backend process and a SCRAM handshake.
type connLog struct {
	path string
	line []byte // what a session of the database logs once
}

// enableConnLog turns log_connections on for the cluster's new sessions.
func enableConnLog(ctx context.Context, admin *sql.DB) error {
	if _, err := admin.ExecContext(ctx, `ALTER SYSTEM SET log_connections = on`); err != nil {
		return fmt.Errorf("log_connections: %w", err)
	}
	if _, err := admin.ExecContext(ctx, `SELECT pg_reload_conf()`); err != nil {
		return fmt.Errorf("reload configuration: %w", err)
	}
	return nil
}

func newConnLog(path, database string) *connLog {
	return &connLog{path: path, line: []byte("connection authorized: user=postgres database=" + database)}
}

// offset is the log's current size, or -1 when it cannot be read.
func (c *connLog) offset() int64 {
	if c == nil {
		return -1
	}
	fi, err := os.Stat(c.path)
	if err != nil {
		return -1
	}
	return fi.Size()
}

// since counts the sessions logged after offset, or -1.
func (c *connLog) since(offset int64) int64 {
	if c == nil || offset < 0 {
		return -1
	}
	f, err := os.Open(c.path)
	if err != nil {
		return -1
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return -1
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return -1
	}
	var n int64
	for _, line := range bytes.Split(b, []byte("\n")) {
		_, rest, ok := bytes.Cut(line, c.line)
		if ok && (len(rest) == 0 || rest[0] == ' ') { // not a longer database name
			n++
		}
	}
	return n
}
