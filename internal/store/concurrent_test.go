package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// writeConcurrently runs 40 statements from write on each of 4
// connections at once, all on the rows of few, each statement its own
// READ COMMITTED transaction and each writer drawing from its own rng
// (seeded seed, seed+1, ...). A deadlock, or a unique violation between
// two statements that each checked the key free before the other wrote
// it, is a lost race, refused rather than miscounted; any other error
// fails t.
func writeConcurrently(t *testing.T, ctx context.Context, db *sqlx.DB, few []int64, seed int64,
	write func(*rand.Rand, []int64) (string, []any)) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 4 {
		wg.Add(1)
		go func(rng *rand.Rand) {
			defer wg.Done()
			for range 40 {
				q, args := write(rng, few)
				if _, err := db.ExecContext(ctx, q, args...); err != nil {
					var pe *pq.Error
					if errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "23505") {
						continue
					}
					errs <- fmt.Errorf("%s: %w", q, err)
					return
				}
			}
		}(rand.New(rand.NewSource(seed + int64(w))))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
