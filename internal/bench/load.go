package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// op is one request of a load: it returns how many response bytes it read.
// worker numbers the client (0 to concurrency-1) and seq counts its
// requests, so an op can rotate through variants without sharing state.
type op func(ctx context.Context, worker, seq int) (int, error)

// loadResult is what one measurement recorded.
type loadResult struct {
	requests  int
	errors    int
	firstErr  string
	elapsed   time.Duration
	latencies []time.Duration // of the successful requests
	bytes     int64           // response bytes of the successful requests
}

func (r loadResult) rps() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

// drive runs op from concurrency clients in a closed loop: each sends its
// next request when the previous one is answered. It stops at the deadline
// or after maxRequests requests, whichever comes first, and waits for the
// requests in flight.
func drive(ctx context.Context, concurrency int, d time.Duration, maxRequests int, o op) loadResult {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var issued atomic.Int64
	var mu sync.Mutex
	var res loadResult
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for w := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1024)
			var n, errs int
			var b int64
			var firstErr string
			for seq := 0; ; seq++ {
				if time.Now().After(deadline) || issued.Add(1) > int64(maxRequests) || ctx.Err() != nil {
					break
				}
				t0 := time.Now()
				nb, err := o(ctx, w, seq)
				el := time.Since(t0)
				n++
				if err != nil {
					errs++
					if firstErr == "" {
						firstErr = err.Error()
					}
					continue
				}
				lat = append(lat, el)
				b += int64(nb)
			}
			mu.Lock()
			res.requests += n
			res.errors += errs
			res.bytes += b
			res.latencies = append(res.latencies, lat...)
			if res.firstErr == "" {
				res.firstErr = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// errNotLoopback refuses a load aimed anywhere but this machine.
var errNotLoopback = errors.New("load tests target 127.0.0.1 only")

// newClient returns an HTTP client with keep-alive connections for
// concurrency clients, that dials 127.0.0.1 and nothing else and ignores
// proxy settings.
func newClient(concurrency int) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			Proxy: nil,
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				host, _, err := net.SplitHostPort(addr)
				if err != nil || host != "127.0.0.1" {
					return nil, fmt.Errorf("dial %s: %w", addr, errNotLoopback)
				}
				return dialer.DialContext(ctx, network, addr)
			},
			MaxIdleConns:        2 * concurrency,
			MaxIdleConnsPerHost: 2 * concurrency,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
}

// postOp posts one of bodies (rotating per worker) to endpoint and checks
// that the answer is a 200 without GraphQL errors. It reads the whole
// body, so keep-alive connections are reused.
func postOp(client *http.Client, endpoint, key string, bodies [][]byte) (op, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Hostname() != "127.0.0.1" {
		return nil, fmt.Errorf("%s: %w", endpoint, errNotLoopback)
	}
	if len(bodies) == 0 {
		return nil, errors.New("no request bodies")
	}
	bufs := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	return func(ctx context.Context, worker, seq int) (int, error) {
		body := bodies[(worker+seq)%len(bodies)]
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		buf := bufs.Get().(*bytes.Buffer)
		defer bufs.Put(buf)
		buf.Reset()
		if _, err := io.Copy(buf, resp.Body); err != nil {
			return 0, err
		}
		if err := checkResponse(resp.StatusCode, buf.Bytes()); err != nil {
			return 0, err
		}
		return buf.Len(), nil
	}, nil
}

// checkResponse accepts a 200 with a data object and no errors.
func checkResponse(status int, body []byte) error {
	if status != http.StatusOK {
		return fmt.Errorf("status %d: %s", status, clip(body, 300))
	}
	if bytes.Contains(body, []byte(`"errors":`)) || !bytes.HasPrefix(body, []byte(`{"data":`)) {
		return fmt.Errorf("GraphQL errors: %s", clip(body, 300))
	}
	return nil
}

func clip(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
