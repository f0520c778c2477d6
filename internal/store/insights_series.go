package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"startupgraph/internal/apperr"
	"startupgraph/internal/model"
)

// maxSeriesPeriods bounds a time series: 600 months is 50 years, 600
// quarters 150.
const maxSeriesPeriods = 600

// seriesMetric is what a time series counts: the events (the rows of
// table that match cond and whose startup, startup, is in the slice), the
// date that places each in a period, and the SQL of the KRW sum and of
// the quantity it reports ("" for none).
type seriesMetric struct {
	table, cond, startup, date string
	amount, quantity           string
}

// seriesMetrics are the metrics of timeSeries: investments, stage changes,
// and one per outcome kind.
var seriesMetrics = map[string]seriesMetric{
	"INVESTMENTS":          {"investments i", "true", "i.startup_id", "i.invested_on", "sum(i.amount_krw)", ""},
	"STAGE_CHANGES":        {"stage_changes c", "true", "c.startup_id", "c.changed_on", "", ""},
	"PATENTS_DOMESTIC":     {"outcomes o", "o.kind = 'PATENT_DOMESTIC'", "o.startup_id", "o.reported_on", "", "sum(o.quantity)"},
	"PATENTS_FOREIGN":      {"outcomes o", "o.kind = 'PATENT_FOREIGN'", "o.startup_id", "o.reported_on", "", "sum(o.quantity)"},
	"INVESTMENT_ATTRACTED": {"outcomes o", "o.kind = 'INVESTMENT_ATTRACTED'", "o.startup_id", "o.reported_on", "COALESCE(sum(o.amount_krw), 0)", ""},
	"EXPORTS":              {"outcomes o", "o.kind = 'EXPORT_CONTRACT'", "o.startup_id", "o.reported_on", "COALESCE(sum(o.amount_krw), 0)", ""},
	"JOBS":                 {"outcomes o", "o.kind = 'JOBS_CREATED'", "o.startup_id", "o.reported_on", "", "sum(o.quantity)"},
}

// period is a calendar month or quarter, numbered from year 0 so that
// consecutive periods differ by one.
type period struct{ quarter bool }

func (p period) unit() string {
	if p.quarter {
		return "quarter"
	}
	return "month"
}

// index numbers the period containing t.
func (p period) index(t time.Time) int {
	if p.quarter {
		return t.Year()*4 + (int(t.Month())-1)/3
	}
	return t.Year()*12 + int(t.Month()) - 1
}

// start is the first day of period number i.
func (p period) start(i int) time.Time {
	if p.quarter {
		return time.Date(i/4, time.Month(i%4*3+1), 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(i/12, time.Month(i%12+1), 1, 0, 0, 0, 0, time.UTC)
}

// label names the period that starts on t: 2017-07 or 2017-Q3.
func (p period) label(t time.Time) string {
	if p.quarter {
		return strconv.Itoa(t.Year()) + "-Q" + strconv.Itoa((int(t.Month())-1)/3+1)
	}
	return t.Format("2006-01")
}

// TimeSeries counts metric (a key of seriesMetrics) of the slice per
// "MONTH" or "QUARTER": every period from the one containing from (else
// the first period with an event) to the one containing to (else the last
// period with an event), each whole and present, a period without events
// zero (an empty list when there is no event and a bound is missing).
// Investments are the counted ones (countedInvestments). A span of more
// than maxSeriesPeriods is BAD_USER_INPUT on to, or on the bound not
// given.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) TimeSeries(ctx context.Context, in Insights, metric, interval string, from, to *time.Time) ([]model.TimePoint, error) {
	ctx = in.context(ctx)
	m, ok := seriesMetrics[metric]
	if !ok {
		return nil, fmt.Errorf("insights: unknown metric %q", metric)
	}
	per := period{quarter: interval != "MONTH"}
	if from != nil && to != nil {
		if n := per.index(*to) - per.index(*from) + 1; n > maxSeriesPeriods {
			return nil, apperr.Invalid("to", "the series from %s to %s has %d %ss; at most %d", from.Format(time.DateOnly), to.Format(time.DateOnly), n, per.unit(), maxSeriesPeriods)
		}
	}
	amount, total := "NULL::numeric", "NULL::numeric"
	if m.amount != "" {
		amount, total = m.amount, "COALESCE(ev.amount, 0)"
	}
	quantity, quantities := "NULL::bigint", "NULL::bigint"
	if m.quantity != "" {
		quantity, quantities = m.quantity, "COALESCE(ev.quantity, 0)"
	}
	// The events: the metric's rows in the slice, or its kept monthly
	// totals (insights_kept.go), each placed in its period by date.
	table, date, count, having := m.table, m.date, "count(*)", ""
	cond, args, ok := in.kept(ctx)
	var where string
	if ok {
		table, count, having = "insight_totals t", "sum(t.n)", " HAVING sum(t.n) > 0"
		where, date = keptSeries(cond, args, metric)
		amount, quantity = keptSeriesSums(m)
	} else {
		var err error
		if where, args, err = in.member(ctx, m.startup); err != nil {
			return nil, err
		}
		where += " AND " + m.cond
		if metric == "INVESTMENTS" {
			counted, err := in.countedInvestments(ctx, args, "i")
			if err != nil {
				return nil, err
			}
			where += " AND " + counted
		}
	}
	// The bounds, as first days of periods: events before the first or
	// after the last are not counted.
	lo, hi := "NULL::date", "NULL::date"
	if from != nil {
		lo = args.add(per.start(per.index(*from)).Format(time.DateOnly)) + "::date"
		where += " AND " + date + " >= " + lo
	}
	if to != nil {
		hi = args.add(per.start(per.index(*to)).Format(time.DateOnly)) + "::date"
		where += " AND " + date + " < " + args.add(per.start(per.index(*to)+1).Format(time.DateOnly)) + "::date"
	}
	events := `SELECT date_trunc('` + per.unit() + `', ` + date + `)::date AS start, ` + count + ` AS n, ` + amount + ` AS amount, ` + quantity + ` AS quantity
  FROM ` + table + ` WHERE ` + where + ` GROUP BY 1` + having
	step := "'1 " + per.unit() + "'::interval"
	if per.quarter {
		step = "'3 months'::interval"
	}
	q := `WITH ev AS (
  ` + events + `
), span AS (
  SELECT COALESCE(` + lo + `, min(start)) AS lo, COALESCE(` + hi + `, max(start)) AS hi FROM ev
)
SELECT p.start, COALESCE(ev.n, 0) AS n, ` + total + ` AS amount, ` + quantities + ` AS quantity
FROM span CROSS JOIN LATERAL (SELECT g::date AS start FROM generate_series(span.lo, span.hi, ` + step + `) g) p
LEFT JOIN ev ON ev.start = p.start
ORDER BY p.start LIMIT ` + strconv.Itoa(maxSeriesPeriods+1)
	var rows []struct {
		Start    time.Time `db:"start"`
		N        int       `db:"n"`
		Amount   *string   `db:"amount"` // numeric
		Quantity *int64    `db:"quantity"`
	}
	if err := s.reader(ctx).SelectContext(ctx, &rows, q, args.list...); err != nil {
		return nil, translate(fmt.Errorf("insights time series: %w", err))
	}
	if len(rows) > maxSeriesPeriods {
		field := "from"
		if from != nil {
			field = "to"
		}
		return nil, apperr.Invalid(field, "needed: the slice's events span more than %d %ss", maxSeriesPeriods, per.unit())
	}
	out := make([]model.TimePoint, len(rows))
	for i, r := range rows {
		p := model.TimePoint{Start: model.NewDate(r.Start), Count: r.N, Period: per.label(r.Start), Sum: (*model.Total)(r.Amount)}
		if r.Quantity != nil {
			q, err := model.IntTotal(*r.Quantity)
			if err != nil {
				return nil, fmt.Errorf("insights time series, %s: %w", p.Period, err)
			}
			p.Quantity = &q
		}
		out[i] = p
	}
	return out, nil
}
