package bench

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"startupgraph/internal/model"
)

// Issue 18's speed targets for totals (aggregate, groupBy, insights):
// each query one request at a time by one client, like the questions,
// so the figure is the latency one person at a dashboard sees. The two
// plain groupings have a hand-written floor (net/http + lib/pq running the
// plain GROUP BY and writing the same JSON), timed in turns with them so
// both see the same load; the issue asks them to be within 1.2× of it.

// aggregatesName names the measurement, for -queries.
const aggregatesName = "aggregates"

// aggregateFloorAim is the aim for a grouping's median over its
// floor's.
const aggregateFloorAim = 1.2

// aggregateQuery is one measured query of issue 18.
type aggregateQuery struct {
	name, about, text string
	// aim is the median the issue aims at for a dataset of size startups.
	aim func(size int) time.Duration
	// floor answers the same JSON by hand (nil: no floor).
	floor func(ctx context.Context, db *sql.DB) (any, error)
	// warmup is how many requests run before the query is timed.
	warmup int
}

// groupingAim is the absolute guide for the two groupings: under
// 5 ms at 20,000 startups (and below), under 20 ms above.
func groupingAim(size int) time.Duration {
	if size <= 20000 {
		return 5 * time.Millisecond
	}
	return 20 * time.Millisecond
}

func constAim(d time.Duration) func(int) time.Duration { return func(int) time.Duration { return d } }

// insightsQuery is the README's full insights query (section "Insights").
const insightsQuery = `{
  insights(filter: { stages: [PROTOTYPE, R_AND_D] }) {
    startups
    byStage { key name count }
    bySector { name count } byCohort { name count } byUniversity { name count } byTargetMarket { name count }
    investedByFund { fund { name size } invested investments startups }
    investedByRound { name count amount } investedByYear { key amount }
    outcomes { patentsDomestic patentsForeign investmentAttracted exportContracts exportValue jobsCreated }
    exportsByMarket { name count amount }
    funnel { stage reached medianDaysFromPrevious }
    timeSeries(metric: INVESTMENTS, interval: QUARTER) { period count amount }
    taskForceExperts taskForceBySector { name count }
  }
}`

// aggregateQueries are issue 18's measured queries, in report order.
var aggregateQueries = []aggregateQuery{
	{name: "count-by-stage", about: "count of all startups by stage (the floor: `GROUP BY stage`)",
		text: `{ startups { groupBy(by: [STAGE]) { stage count } } }`,
		aim:  groupingAim, floor: stageCountsFloor, warmup: 5},
	{name: "krw-by-fund", about: "investments by fund: count and KRW, the first 100 funds (groupBy's default `first`; the floor: `GROUP BY fund_id`, then the funds' names)",
		text: `{ investments { groupBy(by: [FUND]) { fund { name } count sum { amount } } } }`,
		aim:  groupingAim, floor: fundTotalsFloor, warmup: 5},
	{name: "no-mentor-totals", about: "aggregate of the startups without a mentor (one relationship predicate)",
		text: `{ startups(where: { mentors: { none: {} } }) { aggregate { count sum { investedTotal } } } }`,
		aim:  constAim(50 * time.Millisecond), warmup: 3},
	{name: "robotics-totals", about: "aggregate of the startups in the robotics sector (one relationship predicate)",
		text: `{ startups(where: { sectors: { some: { node: { key: { eq: "robotics" } } } } }) { aggregate { count sum { investedTotal } } } }`,
		aim:  constAim(50 * time.Millisecond), warmup: 3},
	{name: "insights", about: "the README's full `insights` query (section Insights)",
		text: insightsQuery, aim: constAim(300 * time.Millisecond), warmup: 1},
}

// aggregateResult is one query's measurement, with its floor's.
type aggregateResult struct {
	name               string
	requests           int
	p50, p95, max      time.Duration
	bytesPerResp       float64
	aim                time.Duration
	floorRequests      int // 0: no floor
	floorP50, floorP95 time.Duration
}

// met reports whether the median is under the aim and, with a floor,
// within aggregateFloorAim of the floor's median.
func (r aggregateResult) met() bool {
	if r.requests == 0 || r.p50 >= r.aim {
		return false
	}
	return r.floorRequests == 0 || ratio(r.p50, r.floorP50) <= aggregateFloorAim
}

// The floors' statements: the plain GROUP BY, with the order, the names
// and the number of groups the API gives (enums in the schema's order;
// funds by id, no fund first, the first 100 as groupBy's first defaults
// to; English names, as `name` gives without Accept-Language).
const (
	stageCountsSQL = `SELECT stage, count(*) FROM startups GROUP BY stage`
	fundTotalsSQL  = `SELECT i.fund_id, f.name_en, i.n, i.amount
FROM (SELECT fund_id, count(*) AS n, sum(amount_krw) AS amount FROM investments GROUP BY fund_id) i
LEFT JOIN funds f ON f.id = i.fund_id
ORDER BY i.fund_id NULLS FIRST LIMIT 100`
)

type (
	stageCount struct {
		Stage string `json:"stage"`
		Count int64  `json:"count"`
	}
	stageCountsResponse struct {
		Data struct {
			Startups struct {
				GroupBy []stageCount `json:"groupBy"`
			} `json:"startups"`
		} `json:"data"`
	}
	fundName struct {
		Name string `json:"name"`
	}
	fundTotal struct {
		Fund  *fundName `json:"fund"`
		Count int64     `json:"count"`
		Sum   struct {
			Amount int64 `json:"amount"`
		} `json:"sum"`
	}
	fundTotalsResponse struct {
		Data struct {
			Investments struct {
				GroupBy []fundTotal `json:"groupBy"`
			} `json:"investments"`
		} `json:"data"`
	}
)

// stageCountsFloor answers count-by-stage with stageCountsSQL, sorting
// its few rows in the schema's order of stages.
func stageCountsFloor(ctx context.Context, db *sql.DB) (any, error) {
	rows, err := db.QueryContext(ctx, stageCountsSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &stageCountsResponse{}
	g := []stageCount{}
	for rows.Next() {
		var s stageCount
		if err := rows.Scan(&s.Stage, &s.Count); err != nil {
			return nil, err
		}
		g = append(g, s)
	}
	order := model.EnumOrder["GrowthStage"]
	if len(order) == 0 {
		return nil, fmt.Errorf("no order of stages")
	}
	slices.SortFunc(g, func(a, b stageCount) int {
		return cmp.Compare(slices.Index(order, a.Stage), slices.Index(order, b.Stage))
	})
	out.Data.Startups.GroupBy = g
	return out, rows.Err()
}

// fundTotalsFloor answers krw-by-fund with fundTotalsSQL.
func fundTotalsFloor(ctx context.Context, db *sql.DB) (any, error) {
	rows, err := db.QueryContext(ctx, fundTotalsSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &fundTotalsResponse{}
	g := []fundTotal{}
	for rows.Next() {
		var id sql.NullInt64
		var name sql.NullString
		var t fundTotal
		if err := rows.Scan(&id, &name, &t.Count, &t.Sum.Amount); err != nil {
			return nil, err
		}
		if id.Valid {
			t.Fund = &fundName{Name: name.String}
		}
		g = append(g, t)
	}
	out.Data.Investments.GroupBy = g
	return out, rows.Err()
}

// jsonFloorHandler serves what fetch answers as JSON, like the nested
// query's HTTP floor: it reads the request body and ignores it.
func jsonFloorHandler(db *sql.DB, fetch func(context.Context, *sql.DB) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		resp, err := fetch(r.Context(), db)
		if err != nil {
			http.Error(w, `{"errors":[{"message":"floor failed"}]}`, http.StatusInternalServerError)
			return
		}
		b, err := json.Marshal(resp)
		if err != nil {
			http.Error(w, `{"errors":[{"message":"floor failed"}]}`, http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	})
}

// aggregateFloorMux routes /<query name> to each query's floor.
func aggregateFloorMux(db *sql.DB, qs []aggregateQuery) http.Handler {
	mux := http.NewServeMux()
	for _, q := range qs {
		if q.floor != nil {
			mux.Handle("/"+q.name, jsonFloorHandler(db, q.floor))
		}
	}
	return mux
}

// measureAggregates asks each of qs on the server at endpoint, one
// request at a time: once to check its answer (errors fail the run, and
// so does a floor, on floorBase, that answers other JSON), a warm-up, then
// at most o.aggregateRequests requests or o.aggregateTime, whichever ends
// first; a query with a floor in turns with it (timePair).
func measureAggregates(ctx context.Context, o options, client *http.Client, endpoint, key, floorBase string, qs []aggregateQuery, size int,
	logf func(string, ...any)) ([]aggregateResult, error) {
	var out []aggregateResult
	for _, q := range qs {
		body, err := json.Marshal(map[string]any{"query": q.text})
		if err != nil {
			return out, err
		}
		want, err := post(ctx, client, endpoint, key, body)
		if err != nil {
			return out, fmt.Errorf("%s: %w", q.name, err)
		}
		r := aggregateResult{name: q.name, aim: q.aim(size)}
		if q.floor == nil {
			lr, err := timeOne(ctx, o, client, endpoint, key, body, q.warmup)
			if err != nil {
				return out, fmt.Errorf("%s: %w", q.name, err)
			}
			r.requests, r.p50, r.p95, r.max, r.bytesPerResp = sortedLatencies(lr)
			logf("%d startups, %-18s %3d requests  p50 %7.2f ms  p95 %7.2f ms  max %7.2f ms", size, q.name, r.requests, ms(r.p50), ms(r.p95), ms(r.max))
			out = append(out, r)
			continue
		}
		url := floorBase + "/" + q.name
		got, err := post(ctx, client, url, "", body)
		if err != nil {
			return out, fmt.Errorf("%s, floor: %w", q.name, err)
		}
		if err := sameJSON(want, got); err != nil {
			return out, fmt.Errorf("the floor of %s does not return what the server returns (%w):\nserver: %s\nfloor:  %s", q.name, err, clip(want, 400), clip(got, 400))
		}
		lr, flr, err := timePair(ctx, o, client, endpoint, key, url, body, q.warmup)
		if err != nil {
			return out, fmt.Errorf("%s: %w", q.name, err)
		}
		r.requests, r.p50, r.p95, r.max, r.bytesPerResp = sortedLatencies(lr)
		r.floorRequests, r.floorP50, r.floorP95, _, _ = sortedLatencies(flr)
		logf("%d startups, %-18s %3d requests  p50 %7.2f ms  p95 %7.2f ms; floor p50 %7.2f ms  p95 %7.2f ms (%.2f×)", size, q.name, r.requests,
			ms(r.p50), ms(r.p95), ms(r.floorP50), ms(r.floorP95), ratio(r.p50, r.floorP50))
		out = append(out, r)
	}
	return out, nil
}

// timeOne warms body up on endpoint with warmup requests, then times it
// for at most o.aggregateRequests requests or o.aggregateTime, one client;
// any failed request fails it.
func timeOne(ctx context.Context, o options, client *http.Client, endpoint, key string, body []byte, warmup int) (loadResult, error) {
	op, err := postOp(client, endpoint, key, [][]byte{body})
	if err != nil {
		return loadResult{}, err
	}
	if w := drive(ctx, 1, time.Minute, warmup, op); w.errors > 0 {
		return loadResult{}, fmt.Errorf("warm-up: %s", w.firstErr)
	}
	lr := drive(ctx, 1, o.aggregateTime, o.aggregateRequests, op)
	if err := ctx.Err(); err != nil {
		return lr, err
	}
	if lr.errors > 0 {
		return lr, fmt.Errorf("%d of %d requests failed: %s", lr.errors, lr.requests, lr.firstErr)
	}
	return lr, nil
}

// timePair warms body up on the server and on its floor with warmup
// requests each, then times them in turns, one request to the server, one
// to the floor, for at most o.aggregateRequests turns or o.aggregateTime:
// on a shared machine both see the same conditions. Any failed request
// fails it.
func timePair(ctx context.Context, o options, client *http.Client, endpoint, key, floorURL string, body []byte, warmup int) (server, floor loadResult, err error) {
	sop, err := postOp(client, endpoint, key, [][]byte{body})
	if err != nil {
		return server, floor, err
	}
	fop, err := postOp(client, floorURL, "", [][]byte{body})
	if err != nil {
		return server, floor, err
	}
	for range warmup {
		if _, err := sop(ctx, 0, 0); err != nil {
			return server, floor, fmt.Errorf("warm-up: %w", err)
		}
		if _, err := fop(ctx, 0, 0); err != nil {
			return server, floor, fmt.Errorf("floor, warm-up: %w", err)
		}
	}
	timed := func(o op, r *loadResult) error {
		t0 := time.Now()
		n, err := o(ctx, 0, r.requests)
		r.requests++
		if err != nil {
			return err
		}
		r.latencies = append(r.latencies, time.Since(t0))
		r.bytes += int64(n)
		return nil
	}
	start := time.Now()
	for i := 0; i < o.aggregateRequests && time.Since(start) < o.aggregateTime; i++ {
		if err := timed(sop, &server); err != nil {
			return server, floor, err
		}
		if err := timed(fop, &floor); err != nil {
			return server, floor, fmt.Errorf("floor: %w", err)
		}
	}
	server.elapsed = time.Since(start)
	floor.elapsed = server.elapsed
	return server, floor, ctx.Err()
}

// sortedLatencies summarizes lr: requests, p50, p95, max and mean
// response bytes.
func sortedLatencies(lr loadResult) (int, time.Duration, time.Duration, time.Duration, float64) {
	lat := slices.Clone(lr.latencies)
	slices.Sort(lat)
	var b float64
	if n := len(lat); n > 0 {
		b = float64(lr.bytes) / float64(n)
	}
	return len(lat), percentile(lat, 50), percentile(lat, 95), percentile(lat, 100), b
}
