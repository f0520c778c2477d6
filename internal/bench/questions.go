package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"startupgraph/examples"
)

// The questions of issue 17 (examples/question-*.graphql, the text the
// playground offers and the tests run): each one request, asked by one
// client after the other, so the figure is the latency one person at a
// dashboard sees. The target is a median under 50 ms at 200,000
// startups.

// questionsName names the measurement, for -queries.
const questionsName = "questions"

// questionTarget is the aim for each question's median.
const questionTarget = 50 * time.Millisecond

// questionWarmup is how many requests of each question run before it is
// timed (the plans, the key cache and the pool warm up).
const questionWarmup = 3

// questionResult is one question's measurement.
type questionResult struct {
	name, title   string
	requests      int
	p50, p95, max time.Duration
	bytesPerResp  float64
	elapsed       time.Duration
	met           bool // p50 under questionTarget
}

// loadQuestions reads the questions and renders their request bodies.
func loadQuestions() ([]examples.Example, [][]byte, error) {
	qs, err := examples.Questions()
	if err != nil {
		return nil, nil, err
	}
	if len(qs) == 0 {
		return nil, nil, fmt.Errorf("no questions in package examples")
	}
	bodies := make([][]byte, len(qs))
	for i, q := range qs {
		if bodies[i], err = json.Marshal(map[string]any{"query": q.Query}); err != nil {
			return nil, nil, err
		}
	}
	return qs, bodies, nil
}

// measureQuestions asks each question of the examples on the server at
// endpoint, one request at a time: once to check its answer (a question
// whose answer has errors fails the run, untimed), a warm-up, then at most
// o.questionRequests requests or o.questionTime, whichever ends first.
func measureQuestions(ctx context.Context, o options, client *http.Client, endpoint, key string, size int, logf func(string, ...any)) ([]questionResult, error) {
	qs, bodies, err := loadQuestions()
	if err != nil {
		return nil, err
	}
	var out []questionResult
	for i, q := range qs {
		if _, err := post(ctx, client, endpoint, key, bodies[i]); err != nil {
			return out, fmt.Errorf("question %s: %w", q.Name, err)
		}
		op, err := postOp(client, endpoint, key, bodies[i:i+1])
		if err != nil {
			return out, err
		}
		if w := drive(ctx, 1, time.Minute, questionWarmup, op); w.errors > 0 {
			return out, fmt.Errorf("question %s, warm-up: %s", q.Name, w.firstErr)
		}
		lr := drive(ctx, 1, o.questionTime, o.questionRequests, op)
		if err := ctx.Err(); err != nil {
			return out, err
		}
		if lr.errors > 0 {
			return out, fmt.Errorf("question %s: %d of %d requests failed: %s", q.Name, lr.errors, lr.requests, lr.firstErr)
		}
		r := summarizeQuestion(q, lr)
		out = append(out, r)
		logf("%d startups, %-45s %3d requests  p50 %7.2f ms  p95 %7.2f ms  max %7.2f ms", size, q.Name, r.requests, ms(r.p50), ms(r.p95), ms(r.max))
	}
	return out, nil
}

func summarizeQuestion(q examples.Example, lr loadResult) questionResult {
	r := questionResult{name: q.Name, title: q.Title, requests: len(lr.latencies), elapsed: lr.elapsed}
	lat := slices.Clone(lr.latencies)
	slices.Sort(lat)
	r.p50, r.p95, r.max = percentile(lat, 50), percentile(lat, 95), percentile(lat, 100)
	if n := len(lat); n > 0 {
		r.bytesPerResp = float64(lr.bytes) / float64(n)
	}
	r.met = len(lat) > 0 && r.p50 < questionTarget
	return r
}
