package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lib/pq"
)

// RateTake asks a shared rate-limit bucket (migration 00029) for up to
// Want points, and for nothing unless it holds at least Need. Size and
// Window are the budget: a bucket never seen holds Size, and refills at
// Size per Window.
type RateTake struct {
	Bucket     string
	Size       float64
	Window     time.Duration
	Want, Need float64
}

// RateGrant is a bucket's answer: Granted points taken (0: refused), and
// Tokens left in it after.
type RateGrant struct {
	Granted float64 `db:"granted"`
	Tokens  float64 `db:"tokens"`
}

// TakeRateTokens reserves points from shared rate-limit buckets, in one
// statement, each bucket refilled by the database's clock first. The
// answers are in the order of takes. Buckets are locked in the order of
// their names (bytewise), whoever asks, so two processes never wait for each other
// in a circle.
func (s *Store) TakeRateTokens(ctx context.Context, takes []RateTake) ([]RateGrant, error) {
	order := make([]int, len(takes))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(takes[a].Bucket, takes[b].Bucket) })
	buckets := make([]string, len(takes))
	sizes, windows, wants, needs := make([]float64, len(takes)), make([]float64, len(takes)), make([]float64, len(takes)), make([]float64, len(takes))
	for j, i := range order {
		t := takes[i]
		buckets[j], sizes[j], windows[j], wants[j], needs[j] = t.Bucket, t.Size, t.Window.Seconds(), t.Want, t.Need
	}
	const q = `
SELECT r.granted, r.tokens
FROM unnest($1::text[], $2::float8[], $3::float8[], $4::float8[], $5::float8[]) WITH ORDINALITY AS t(bucket, size, window_secs, want, need, n)
CROSS JOIN LATERAL rate_take(t.bucket, t.size, t.window_secs, t.want, t.need) r
ORDER BY t.n`
	var rows []RateGrant
	if err := s.db.SelectContext(ctx, &rows, q, pq.Array(buckets), pq.Array(sizes), pq.Array(windows), pq.Array(wants), pq.Array(needs)); err != nil {
		return nil, translate(fmt.Errorf("take rate tokens: %w", err))
	}
	if len(rows) != len(takes) {
		return nil, fmt.Errorf("take rate tokens: %d answers to %d takes", len(rows), len(takes))
	}
	grants := make([]RateGrant, len(takes))
	for j, i := range order {
		grants[i] = rows[j]
	}
	return grants, nil
}

// RateGive is points reserved from a shared bucket and not spent.
type RateGive struct {
	Bucket string
	Points float64
	Size   float64
}

// GiveRateTokens gives unspent reserved points back to their buckets (never
// past a bucket's size), in one statement; a bucket deleted meanwhile
// (full again) takes nothing back.
func (s *Store) GiveRateTokens(ctx context.Context, gives []RateGive) error {
	if len(gives) == 0 {
		return nil
	}
	buckets, points, sizes := make([]string, len(gives)), make([]float64, len(gives)), make([]float64, len(gives))
	for i, g := range gives {
		buckets[i], points[i], sizes[i] = g.Bucket, g.Points, g.Size
	}
	// The rows are locked in the order of their names first, as
	// TakeRateTokens locks them.
	const q = `
WITH t AS (SELECT * FROM unnest($1::text[], $2::float8[], $3::float8[]) AS t(bucket, points, size)),
locked AS (SELECT b.bucket FROM rate_buckets b WHERE b.bucket IN (SELECT bucket FROM t) ORDER BY b.bucket COLLATE "C" FOR UPDATE)
UPDATE rate_buckets b SET tokens = least(t.size, b.tokens + t.points)
FROM t JOIN locked USING (bucket) WHERE b.bucket = t.bucket`
	if _, err := s.db.ExecContext(ctx, q, pq.Array(buckets), pq.Array(points), pq.Array(sizes)); err != nil {
		return translate(fmt.Errorf("give rate tokens: %w", err))
	}
	return nil
}

// PruneRateBuckets deletes the buckets untouched for longer than window
// (full again: forgetting them changes nothing), then, past keep rows, the
// least recently used (their budgets start full again). It returns how
// many rows it deleted.
func (s *Store) PruneRateBuckets(ctx context.Context, window time.Duration, keep int) (int64, error) {
	const q = `
DELETE FROM rate_buckets WHERE updated_at < now() - make_interval(secs => $1)
   OR bucket IN (SELECT bucket FROM rate_buckets ORDER BY updated_at DESC OFFSET $2)`
	res, err := s.db.ExecContext(ctx, q, window.Seconds(), keep)
	if err != nil {
		return 0, translate(fmt.Errorf("prune rate buckets: %w", err))
	}
	n, _ := res.RowsAffected()
	return n, nil
}
