package server

import (
	"net/http"
	"time"
)

// admit bounds the GraphQL requests that execute at once. A request that
// finds no free slot within wait is answered at once with 503 and
// Retry-After, instead of queueing for a database connection until its
// deadline: under overload the service sheds load quickly and clearly.
// limit 0 admits everything.
func admit(limit int, wait time.Duration, next http.Handler) http.Handler {
	if limit <= 0 {
		return next
	}
	slots := make(chan struct{}, limit)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
		default:
			t := time.NewTimer(wait)
			defer t.Stop()
			select {
			case slots <- struct{}{}:
			case <-t.C:
				w.Header().Set("Retry-After", "1")
				refuse(w, http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE", "the server is at capacity; retry in a moment")
				return
			case <-r.Context().Done():
				return
			}
		}
		defer func() { <-slots }()
		next.ServeHTTP(w, r)
	})
}
