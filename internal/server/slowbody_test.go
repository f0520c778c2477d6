package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"startupgraph/internal/apitest"
	"startupgraph/internal/config"
	"startupgraph/internal/server"
	"startupgraph/internal/testdb"
)

// Slow request bodies over real connections on 127.0.0.1.

// TestSlowBodyIsCutOff: a client that sends its headers and then dribbles
// its body, or stops sending it, gets 408 once the body read timeout has
// passed, and the connection is closed; a body that arrives in time is
// served.
func TestSlowBodyIsCutOff(t *testing.T) {
	keys := apitest.New(t, testdb.Demo)
	const bound = 300 * time.Millisecond
	cfg := config.Config{RequestTimeout: 10 * time.Second, ReadHeaderTimeout: time.Second, ReadBodyTimeout: bound}
	url := listen(t, keys.WithConfig(cfg), cfg)
	addr := strings.TrimPrefix(url, "http://")
	body := `{"query":"{ sectors { nodes { key } } }"}`

	cases := []struct {
		name string
		// every is how often one more byte of the body is sent; 0: the
		// body stops after its first byte; -1: the rest follows at once,
		// in one write.
		every  time.Duration
		status int
	}{
		{"dribbled body", 50 * time.Millisecond, http.StatusRequestTimeout},
		{"stalled body", 0, http.StatusRequestTimeout},
		{"body in time", -1, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			start := time.Now()
			head := "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
				"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
			if _, err := io.WriteString(conn, head+body[:1]); err != nil {
				t.Fatal(err)
			}
			stop := make(chan struct{})
			defer close(stop)
			if tc.every < 0 {
				if _, err := io.WriteString(conn, body[1:]); err != nil {
					t.Fatal(err)
				}
			}
			if tc.every > 0 {
				go func() {
					for i := 1; i < len(body); i++ {
						select {
						case <-stop:
							return
						case <-time.After(tc.every):
						}
						if _, err := conn.Write([]byte{body[i]}); err != nil {
							return
						}
					}
				}()
			}
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer after %s: %v", time.Since(start).Round(time.Millisecond), err)
			}
			resp.Body.Close()
			took := time.Since(start)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d after %s, want %d", resp.StatusCode, took.Round(time.Millisecond), tc.status)
			}
			if tc.status == http.StatusRequestTimeout {
				if took < bound || took > bound+time.Second {
					t.Errorf("cut off after %s, want just after %s", took.Round(time.Millisecond), bound)
				}
				if !resp.Close {
					t.Error("the connection is kept open")
				}
				// Saying so is not enough: the server must close it, even
				// while the client goes on dribbling or stalls.
				if err := closedWithin(conn, time.Second); err != nil {
					t.Error(err)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Errorf("Content-Type %q", ct)
				}
				t.Logf("cut off after %s", took.Round(time.Millisecond))
			}
		})
	}

	t.Run("shutdown is not held by a cut-off body", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		c := keys.WithConfig(cfg)
		srv := server.NewHTTPServer(cfg, c.Handler, slog.New(slog.NewTextHandler(io.Discard, nil)))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		served := make(chan error, 1)
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		go func() { served <- server.Serve(ctx, srv, ln, 20*time.Second, logger) }()
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		head := "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
			"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
		if _, err := io.WriteString(conn, head+body[:1]); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestTimeout {
			t.Fatalf("status %d, want 408", resp.StatusCode)
		}
		// The client stays connected and silent; shutdown has a 20 s grace
		// and must not need it.
		start := time.Now()
		cancel()
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("shutdown: %v", err)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("shutdown took %s", took.Round(time.Millisecond))
			}
		case <-time.After(5 * time.Second):
			_ = srv.Close()
			t.Fatal("shutdown waited more than 5 s on a connection whose body was cut off")
		}
	})

	t.Run("a request running past the bound is not cut", func(t *testing.T) {
		// The body is in at once; the query then waits on a lock until
		// well past the bound, and must still be waiting then (a read
		// deadline left on the connection would have ended the request,
		// and its statement). The deadline must not outlive the body.
		db := testdb.Observer(t, keys.DSN)
		unlock := testdb.LockTable(t, db, "sectors", "ACCESS EXCLUSIVE")
		start := time.Now()
		res := postInBackground("POST", url, "application/json", body, "Authorization", "Bearer "+keys.Key)
		waiting := func() bool { return testdb.WaitingOnLock(t, db) > 0 }
		testdb.Eventually(t, 5*time.Second, "the query to wait on the lock", waiting)
		testdb.Eventually(t, 5*time.Second, "three times the bound to pass with the query waiting", func() bool {
			if !waiting() {
				t.Fatalf("the query stopped waiting on the lock after %s", time.Since(start).Round(time.Millisecond))
			}
			return time.Since(start) > 3*bound
		})
		unlock()
		if r := <-res; r.err != nil || r.status != http.StatusOK || r.code != "" {
			t.Errorf("status %d code %q: %v", r.status, r.code, r.err)
		}
	})
}

// closedWithin reports an error unless the peer closes conn within d
// (whatever it sends before that is read and dropped).
func closedWithin(conn net.Conn, d time.Duration) error {
	_ = conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return fmt.Errorf("the server had not closed the connection %s after its answer", d)
	}
	return nil // EOF (io.Copy returns nil) or a reset: closed
}

// TestAnonymousRateLimit: requests without a key spend a budget per client
// address: over it they get 429 with Retry-After (a forged
// X-Forwarded-For does not help); keys from the same address and
