package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"startupgraph/internal/store"
	"startupgraph/internal/synthetic"
	"startupgraph/internal/testdb"
	"startupgraph/internal/viewer"
)

// TestCountedPagesEqualPlainPages checks the page a filtered list reads
// when its totalCount is asked too (PageArgs.WithTotal: count first, then,
// when few rows match, the page from their ids) against the page read
// without it, for filters that keep few and many rows, several orders,
// both directions, every page, as an ADMIN and as a university: the same
// edges, cursors and page info, and a total equal to the plain count.
// fewRows is set to 0 (never by id), its default and 1e9 (always by id),
// so that both ways run on 3,000 synthetic startups; a count that found
// many rows is then counted alone (manyRows), until it finds few again.
func TestCountedPagesEqualPlainPages(t *testing.T) {
	ctx := context.Background()
	s := testdb.Store(t, testdb.Demo)
	if _, err := synthetic.Seed(ctx, s, 3000, 5); err != nil {
		t.Fatal(err)
	}
	var ghent int64
	if err := s.DB().GetContext(ctx, &ghent, "SELECT id FROM universities WHERE key = 'ghent-university'"); err != nil {
		t.Fatal(err)
	}
	viewers := map[string]context.Context{
		"admin": viewer.With(ctx, viewer.Viewer{Role: viewer.Admin}),
		"ghent": viewer.With(ctx, viewer.Viewer{Role: viewer.University, UniversityID: ghent}),
	}
	filters := map[string]store.Where{
		"has a mentor": {Rels: []store.RelPred{{Field: "mentors", Quant: "some", Edge: &store.EdgeWhere{}}}},
		"no mentor":    {Rels: []store.RelPred{{Field: "mentors", Quant: "none", Edge: &store.EdgeWhere{}}}},
		"at IDEA":      {Cmps: []store.Cmp{{Field: "stage", Op: "eq", Value: "IDEA"}}},
		"nothing":      {Cmps: []store.Cmp{{Field: "stage", Op: "in", Value: []any{}}}},
	}
	orders := map[string]store.Order{
		"default":        nil,
		"invested, name": {{Field: "INVESTED_TOTAL", Desc: true}, {Field: "NAME_EN"}},
	}
	for vname, vctx := range viewers {
		for fname, w := range filters {
			for oname, order := range orders {
				for _, backward := range []bool{false, true} {
					name := fmt.Sprintf("%s/%s/%s/backward=%v", vname, fname, oname, backward)
					want, wantTotal := walkPages(t, vctx, s, w, order, backward, false)
					for _, few := range []int{0, 2000, 1e9} {
						restore := store.SetFewRows(few)
						got, gotTotal := walkPages(t, vctx, s, w, order, backward, true)
						restore()
						if few == 0 && wantTotal > 0 && store.ManyRowsSeen() == 0 {
							t.Errorf("%s fewRows=0: %d rows matched, and no count is remembered as many", name, wantTotal)
						}
						if gotTotal != wantTotal {
							t.Errorf("%s fewRows=%d: total %d, want %d", name, few, gotTotal, wantTotal)
						}
						if !slices.Equal(got, want) {
							t.Errorf("%s fewRows=%d: pages differ:\n got %v\nwant %v", name, few, got, want)
						}
					}
					if len(want) == 0 && fname != "nothing" {
						t.Errorf("%s: no rows; the filter tests nothing", name)
					}
				}
			}
		}
	}
}

// walkPages reads every page of the startups matching w in order, 100 at
// a time, and returns one line per edge (row id and cursor) and per page
// (its page info), with the list's total (read from the first page with
// WithTotal, else counted alone).
func walkPages(t *testing.T, ctx context.Context, s *store.Store, w store.Where, order store.Order, backward, withTotal bool) ([]string, int) {
	t.Helper()
	var out []string
	total := -1
	var cur *string
	for range 200 {
		size := 100
		var page store.PageArgs
		var err error
		if backward {
			page, err = store.NewPageArgs(nil, &size, nil, cur)
		} else {
			page, err = store.NewPageArgs(&size, nil, cur, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		if withTotal {
			page = page.WithTotal()
		}
		c, err := s.ListStartups(ctx, store.StartupFilter{}, &w, order, page)
		if err != nil {
			t.Fatal(err)
		}
		if total < 0 {
			if total, err = c.TotalCount(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for _, e := range c.Edges {
			out = append(out, fmt.Sprintf("%d %s", e.Node.RowID, e.Cursor.String()))
		}
		pi := c.PageInfo
		out = append(out, fmt.Sprintf("page next=%v previous=%v", pi.HasNextPage, pi.HasPreviousPage))
		more, next := pi.HasNextPage, pi.EndCursor
		if backward {
			more, next = pi.HasPreviousPage, pi.StartCursor
		}
		if !more {
			return out, total
		}
		s := next.String()
		cur = &s
	}
	t.Fatal("more than 200 pages")
	return nil, 0
}
