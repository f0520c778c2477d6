package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestAdmitShedsLoadFast(t *testing.T) {
	release, started := make(chan struct{}), make(chan struct{}, 1)
	h := admit(1, 50*time.Millisecond, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-release
	}))
	done := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
		done <- rec.Code
	}()
	<-started

	begin := time.Now()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("over capacity: status %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	if took := time.Since(begin); took > time.Second {
		t.Errorf("shedding took %s", took)
	}
	close(release)
	if code := <-done; code != http.StatusOK {
		t.Errorf("admitted request: %d", code)
	}
	go func() { <-started }()
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("after the slot freed: %d", rec.Code)
	}
}
