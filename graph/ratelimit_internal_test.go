package graph

import (
	"testing"
	"time"
)

func TestRateLimitRefills(t *testing.T) {
	clock := time.Unix(0, 0)
	l := &RateLimit{Points: 10, Window: 10 * time.Second, now: func() time.Time { return clock }}
	for i := 0; i < 10; i++ {
		if ok, _ := l.take(1, 1); !ok {
			t.Fatalf("point %d refused", i)
		}
	}
	ok, after := l.take(1, 1)
	if ok || after != time.Second {
		t.Fatalf("11th point: ok=%v retryAfter=%s, want refused and 1s", ok, after)
	}
	if ok, _ := l.take(2, 5); !ok {
		t.Error("another key was slowed by the first")
	}
	clock = clock.Add(3 * time.Second) // 3 points back
	for i := 0; i < 3; i++ {
		if ok, _ := l.take(1, 1); !ok {
			t.Errorf("refilled point %d refused", i)
		}
	}
	if ok, _ := l.take(1, 1); ok {
		t.Error("took more than refilled")
	}
	if ok, _ := l.take(0, 1000); !ok {
		t.Error("requests without a key are not rate limited here")
	}
}
