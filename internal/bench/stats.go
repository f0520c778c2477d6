package bench

import (
	"math"
	"slices"
	"time"
)

// summary condenses one measurement for the report.
type summary struct {
	requests      int
	errors        int
	firstErr      string
	rps           float64
	okRPS         float64 // the successful requests alone, per second
	p50, p95, p99 time.Duration
	bytesPerResp  float64
}

func summarize(r loadResult) summary {
	s := summary{requests: r.requests, errors: r.errors, firstErr: r.firstErr, rps: r.rps()}
	if r.elapsed > 0 {
		s.okRPS = float64(r.requests-r.errors) / r.elapsed.Seconds()
	}
	lat := slices.Clone(r.latencies)
	slices.Sort(lat)
	s.p50, s.p95, s.p99 = percentile(lat, 50), percentile(lat, 95), percentile(lat, 99)
	if ok := len(r.latencies); ok > 0 {
		s.bytesPerResp = float64(r.bytes) / float64(ok)
	}
	return s
}

// percentile is the nearest-rank percentile p (0-100] of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}
