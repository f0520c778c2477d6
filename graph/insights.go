package graph

import (
	"context"

	"startupgraph/graph/generated"
	"startupgraph/internal/apperr"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
)

// insightsOf reads the slice insights totals: the shorthand filter and the
// where, both of which must hold; every problem of both is reported.
func insightsOf(ctx context.Context, filter *generated.StartupFilter, where *generated.StartupWhere) (*store.Insights, error) {
	f, ferr := startupFilter(filter)
	w, werr := readWhere("Startup", where)
	if err := apperr.Merge(ferr, werr); err != nil {
		return nil, err
	}
	include := includeArchived(filter)
	if _, err := withArchived(ctx, include); err != nil {
		return nil, err
	}
	return &store.Insights{Filter: f, Where: w, IncludeArchived: include != nil && *include}, nil
}

// shared computes an insights figure once for every subscriber that holds
// obj (see model.Memo); a query's Insights has no memo and computes it.
func shared[T any](obj *store.Insights, key string, f func() (T, error)) (T, error) {
	if obj.Memo == nil {
		return f()
	}
	v, err := obj.Memo.Do(key, func() (any, error) { return f() })
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}

// timeSeriesKey names a time series by its arguments, for shared.
func timeSeriesKey(metric generated.TimeSeriesMetric, interval *generated.Interval, from, to *model.Date) string {
	k := "TimeSeries " + string(metric)
	if interval != nil {
		k += " " + string(*interval)
	}
	for _, d := range []*model.Date{from, to} {
		k += " "
		if d != nil {
			k += d.Format("2006-01-02")
		}
	}
	return k
}

// timeSeries checks a time series' bounds (from not after to, both from
// year 1: PostgreSQL has no year 0) and computes it; the store bounds the
// number of periods.
func (r *insightsResolver) timeSeries(ctx context.Context, in *store.Insights, metric generated.TimeSeriesMetric, interval *generated.Interval, from, to *model.Date) ([]model.TimePoint, error) {
	iv := generated.IntervalQuarter
	if interval != nil {
		iv = *interval
	}
	var a args
	for _, d := range []struct {
		name string
		date *model.Date
	}{{"from", from}, {"to", to}} {
		if d.date != nil && d.date.Year() < 1 {
			a.problems.Add(d.name, "must be in year 1 or later")
		}
	}
	f, t := a.dateRange("from", from, "to", to)
	if err := a.err(); err != nil {
		return nil, err
	}
	return r.Store.TimeSeries(ctx, *in, string(metric), string(iv), f, t)
}
