package store_test

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"

	"startupgraph/internal/store"
	"startupgraph/internal/testdb"
	"startupgraph/internal/viewer"
)

// TestChildPagesApart checks the child pages' statement (childPages),
// which reads each parent's rows in the order they arrive, on both of its
// ways: one statement when every parent's rows arrive together, and, when
// one parent's rows arrive apart (a parent asked twice makes them), the
// statement run again ordered by parent, with the same pages.
func TestChildPagesApart(t *testing.T) {
	ctx := viewer.With(context.Background(), viewer.Viewer{Role: viewer.Admin})
	s := testdb.Store(t, testdb.Demo)
	var parents []int64
	if err := s.DB().SelectContext(ctx, &parents,
		`SELECT startup_id FROM mentorships GROUP BY startup_id HAVING count(*) >= 2 ORDER BY startup_id LIMIT 3`); err != nil {
		t.Fatal(err)
	}
	if len(parents) < 3 {
		t.Fatalf("the demo data has %d startups with two mentors or more, want 3", len(parents))
	}
	for _, first := range []int{1, 20} {
		page, err := store.NewPageArgs(&first, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		var together, apart atomic.Int64
		want, err := store.StartupMentors.Pages(store.CountStatements(ctx, &together), s, parents, page, nil)
		if err != nil {
			t.Fatal(err)
		}
		asked := append(append([]int64{}, parents...), parents[0])
		got, err := store.StartupMentors.Pages(store.CountStatements(ctx, &apart), s, asked, page, nil)
		if err != nil {
			t.Fatal(err)
		}
		if together.Load() != 1 || apart.Load() != 2 {
			t.Errorf("first %d: %d statements for distinct parents (want 1), %d with a parent asked twice (want 2: the second ordered)",
				first, together.Load(), apart.Load())
		}
		for _, p := range parents {
			w, g := want[p], got[p]
			if len(w.Edges) == 0 || len(w.Edges) > first {
				t.Errorf("first %d: startup %d has %d mentors on its page", first, p, len(w.Edges))
			}
			if !reflect.DeepEqual(w.Edges, g.Edges) || !reflect.DeepEqual(w.PageInfo, g.PageInfo) {
				t.Errorf("first %d: startup %d's page differs when its rows arrive apart:\n%+v\n%+v", first, p, w, g)
			}
		}
		if first == 1 && !want[parents[0]].PageInfo.HasNextPage {
			t.Errorf("first 1: startup %d's page of its 2+ mentors has no next page", parents[0])
		}
	}
}
