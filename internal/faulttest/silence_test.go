package faulttest

import (
	"net/http"
	"testing"
	"time"

	"startupgraph/internal/testdb"
)

// TestSilentNetwork: when the network to PostgreSQL drops every packet
// (nothing refused, nothing closed), a request ends with TIMEOUT at its
// deadline instead of hanging, /readyz answers 503 within its own 2 s
// bound, and both recover once the network is back.
func TestSilentNetwork(t *testing.T) {
	const deadline = 2 * time.Second
	const slack = 1500 * time.Millisecond // the store's abort grace (0.5 s) and a busy machine
	proxied, proxy := testdb.Proxied(t, dsn)
	svc := newService(t, proxied, deadline)
	const query = `{ sectors { nodes { key } } }`
	if r, err := svc.post(query, nil, true); err != nil || len(r.Errors) > 0 {
		t.Fatalf("before: %v %+v", err, r.Errors)
	}

	proxy.SetBlackhole(true)
	r, err := svc.post(query, nil, true)
	t.Logf("query on a silent network: %d %s after %v", r.Status, r.Code(), r.Took.Round(time.Millisecond))
	if err != nil || r.Code() != "TIMEOUT" {
		t.Errorf("query: err %v, status %d, errors %+v; want TIMEOUT", err, r.Status, r.Errors)
	}
	if r.Took > deadline+slack {
		t.Errorf("query took %v; want its deadline %v and at most %v more", r.Took, deadline, slack)
	}
	status, took, err := svc.ready()
	t.Logf("/readyz on a silent network: %d after %v", status, took.Round(time.Millisecond))
	if err != nil || status != http.StatusServiceUnavailable || took > 2*time.Second+slack {
		t.Errorf("/readyz: %d after %v (err %v); want 503 within %v", status, took, err, 2*time.Second+slack)
	}

	proxy.SetBlackhole(false)
	back := time.Now()
	testdb.Eventually(t, 5*time.Second, "/readyz to answer 200", func() bool {
		status, _, _ := svc.ready()
		return status == http.StatusOK
	})
	t.Logf("/readyz 200 %v after the network came back", time.Since(back).Round(time.Millisecond))
	for i := range 10 { // more than the pool holds: no cut connection was kept
		if r, err := svc.post(query, nil, true); err != nil || len(r.Errors) > 0 {
			t.Fatalf("query %d after the network came back: %v %+v", i, err, r.Errors)
		}
	}
}
