package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestExportLane: while limit exports run, another is refused at once
// with 503 and Retry-After; once one ends, the next runs.
func TestExportLane(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	h := exportLane(2, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-release
	}))
	done := make(chan struct{})
	for range 2 {
		go func() {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/export", nil))
			done <- struct{}{}
		}()
	}
	<-started
	<-started
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/export", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("a third export: status %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	release <- struct{}{}
	<-done
	go func() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/export", nil))
		done <- struct{}{}
	}()
	<-started // it ran
	close(release)
	<-done
	<-done
}
