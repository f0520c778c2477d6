package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/synthetic"
	"startupgraph/internal/testdb"
)

// insightsSlice is a slice of startups as insights takes it (filter,
// where) and as the oracle sees it: slice selects the ids of the startups
// over viewerScope's views; invested is the condition on an investment
// (i, its fund f) that the money figures count, targets the condition on
// a market target (t, its market k) that byTargetMarket counts.
type insightsSlice struct {
	name                     string
	filter, where            map[string]any
	slice, invested, targets string
}

// insightsSlices are the slices that exercise how conditions on
// investments and market targets carry over to the figures; f1, f2 are
// funds' keys, m1, m2 markets' keys.
func insightsSlices(t *testing.T, dsn, f1, f2, m1, m2 string) []insightsSlice {
	fundIDs := []string{gid(t, dsn, globalid.Fund, "funds", f1), gid(t, dsn, globalid.Fund, "funds", f2)}
	m1ID := gid(t, dsn, globalid.Market, "markets", m1)
	q := func(s string) string { return "'" + s + "'" }
	return []insightsSlice{
		{"everything", nil, nil, "SELECT id FROM vs", "true", "true"},
		{"fund filter", map[string]any{"fundIds": fundIDs}, nil,
			"SELECT id FROM vs WHERE id IN (SELECT x.startup_id FROM investments x JOIN funds xf ON xf.id = x.fund_id WHERE xf.key IN (" + q(f1) + ", " + q(f2) + "))",
			"f.key IN (" + q(f1) + ", " + q(f2) + ")", "true"},
		{"where: a fund's investments since 2019", nil,
			map[string]any{"investors": map[string]any{"some": map[string]any{"investedOn": map[string]any{"gte": "2019-01-01"}, "node": map[string]any{"key": map[string]any{"eq": f1}}}}},
			"SELECT id FROM vs WHERE id IN (SELECT x.startup_id FROM investments x JOIN funds xf ON xf.id = x.fund_id WHERE xf.key = " + q(f1) + " AND x.invested_on >= '2019-01-01')",
			"f.key = " + q(f1) + " AND i.invested_on >= '2019-01-01'", "true"},
		{"filter and where's and, both", map[string]any{"fundIds": fundIDs[1:]},
			map[string]any{"and": []any{map[string]any{"investors": map[string]any{"some": map[string]any{"round": map[string]any{"in": []string{"SEED", "SERIES_A", "GRANT"}}}}}, map[string]any{"stage": map[string]any{"ne": "IDEA"}}}},
			`SELECT id FROM vs WHERE id IN (SELECT x.startup_id FROM investments x JOIN funds xf ON xf.id = x.fund_id WHERE xf.key = ` + q(f2) + `)
			 AND id IN (SELECT x.startup_id FROM investments x WHERE x.round IN ('SEED', 'SERIES_A', 'GRANT'))
			 AND id IN (SELECT id FROM startups WHERE stage <> 'IDEA')`,
			"f.key = " + q(f2) + " AND i.round IN ('SEED', 'SERIES_A', 'GRANT')", "true"},
		{"where: investors under or narrow nothing", nil,
			map[string]any{"or": []any{map[string]any{"investors": map[string]any{"some": map[string]any{"node": map[string]any{"key": map[string]any{"eq": f1}}}}}, map[string]any{"stage": map[string]any{"eq": "IDEA"}}}},
			`SELECT id FROM vs WHERE id IN (SELECT x.startup_id FROM investments x JOIN funds xf ON xf.id = x.fund_id WHERE xf.key = ` + q(f1) + `)
			 OR id IN (SELECT id FROM startups WHERE stage = 'IDEA')`,
			"true", "true"},
		{"target statuses", map[string]any{"targetStatuses": []string{"ENTERED", "LOCALIZING"}}, nil,
			"SELECT id FROM vs WHERE id IN (SELECT startup_id FROM market_targets WHERE status IN ('ENTERED', 'LOCALIZING'))",
			"true", "t.status IN ('ENTERED', 'LOCALIZING')"},
		{"market and status", map[string]any{"marketIds": []string{m1ID}, "targetStatuses": []string{"EXPLORING"}}, nil,
			"SELECT id FROM vs WHERE id IN (SELECT x.startup_id FROM market_targets x JOIN markets xk ON xk.id = x.market_id WHERE xk.key = " + q(m1) + " AND x.status = 'EXPLORING')",
			"true", "k.key = " + q(m1) + " AND t.status = 'EXPLORING'"},
		{"where: targets", nil,
			map[string]any{"markets": map[string]any{"some": map[string]any{"status": map[string]any{"in": []string{"EXPLORING", "ENTERED"}}, "node": map[string]any{"key": map[string]any{"in": []string{m1, m2}}}}}},
			"SELECT id FROM vs WHERE id IN (SELECT x.startup_id FROM market_targets x JOIN markets xk ON xk.id = x.market_id WHERE xk.key IN (" + q(m1) + ", " + q(m2) + ") AND x.status IN ('EXPLORING', 'ENTERED'))",
			"true", "k.key IN (" + q(m1) + ", " + q(m2) + ") AND t.status IN ('EXPLORING', 'ENTERED')"},
	}
}

// seriesOracle is how the oracle finds a time-series metric's events: the
// rows joined to the slice sl, the date of each, and its KRW and quantity
// ("" for none).
type seriesOracle struct{ rows, date, amount, quantity string }

var seriesOracles = map[string]seriesOracle{
	"INVESTMENTS":          {"investments i ON i.startup_id = sl.id JOIN funds f ON f.id = i.fund_id", "i.invested_on", "sum(i.amount_krw)", ""},
	"STAGE_CHANGES":        {"stage_changes c ON c.startup_id = sl.id", "c.changed_on", "", ""},
	"PATENTS_DOMESTIC":     {"outcomes o ON o.startup_id = sl.id AND o.kind = 'PATENT_DOMESTIC'", "o.reported_on", "", "sum(o.quantity)"},
	"PATENTS_FOREIGN":      {"outcomes o ON o.startup_id = sl.id AND o.kind = 'PATENT_FOREIGN'", "o.reported_on", "", "sum(o.quantity)"},
	"INVESTMENT_ATTRACTED": {"outcomes o ON o.startup_id = sl.id AND o.kind = 'INVESTMENT_ATTRACTED'", "o.reported_on", "sum(o.amount_krw)", ""},
	"EXPORTS":              {"outcomes o ON o.startup_id = sl.id AND o.kind = 'EXPORT_CONTRACT'", "o.reported_on", "sum(o.amount_krw)", ""},
	"JOBS":                 {"outcomes o ON o.startup_id = sl.id AND o.kind = 'JOBS_CREATED'", "o.reported_on", "", "sum(o.quantity)"},
}

// seriesSQL is the oracle of a time series: every period (unit month or
// quarter) from the period of from (else the first event's) to the
// period of to (else the last event's), each "period=count/amount/quantity",
// zero where nothing happened, null where the metric has no such figure.
func seriesSQL(metric, unit, invested, from, to string) string {
	m := seriesOracles[metric]
	cond := "true"
	if metric == "INVESTMENTS" {
		cond = invested
	}
	label := "to_char(p, 'YYYY-MM')"
	step := "'1 month'"
	if unit == "quarter" {
		label, step = `to_char(p, 'YYYY-"Q"Q')`, "'3 months'"
	}
	trunc := func(d string) string { return "date_trunc('" + unit + "', " + d + ")" }
	lo, hi := "(SELECT min(p) FROM ev)", "(SELECT max(p) FROM ev)"
	if from != "" {
		lo = trunc("DATE '" + from + "'")
		cond += " AND " + trunc(m.date) + " >= " + lo
	}
	if to != "" {
		hi = trunc("DATE '" + to + "'")
		cond += " AND " + trunc(m.date) + " <= " + hi
	}
	figure := func(expr string) string {
		if expr == "" {
			return "'null'"
		}
		return "COALESCE(ev." + expr + ", 0)"
	}
	amount, quantity := m.amount, m.quantity
	if amount == "" {
		amount = "NULL::numeric"
	}
	if quantity == "" {
		quantity = "NULL::bigint"
	}
	return `, ev AS (SELECT ` + trunc(m.date) + ` AS p, count(*) AS n, ` + amount + ` AS a, ` + quantity + ` AS q
		FROM sl JOIN ` + m.rows + ` WHERE ` + cond + ` GROUP BY 1)
	SELECT ` + label + ` || '=' || COALESCE(ev.n, 0) || '/' || ` + figure(map[bool]string{true: "a"}[m.amount != ""]) + ` || '/' || ` + figure(map[bool]string{true: "q"}[m.quantity != ""]) + `
	FROM generate_series(` + lo + `, ` + hi + `, ` + step + `::interval) p LEFT JOIN ev USING (p)`
}

// TestInsightsSemanticsMatchSQL: over the demo data plus synthetic data,
// for every role (a university's key: its own teams only) and slices
// chosen by funds, investments, target statuses and markets, through
// filter and where, every figure that conditions on investments or market
// targets carry over to (investedBy*, byTargetMarket, the INVESTMENTS
// series), the investment drift, and every time series (each metric, by
// month over the events' span and by quarter over given bounds, zero
// where nothing happened) equal independent SQL.
func TestInsightsSemanticsMatchSQL(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), c.Store, 300, 23); err != nil {
		t.Fatal(err)
	}
	// the two funds with the most investments, two markets with targets
	funds := column(t, c.DSN, "SELECT key FROM funds f ORDER BY (SELECT count(*) FROM investments i WHERE i.fund_id = f.id) DESC, key LIMIT 2")
	markets := column(t, c.DSN, "SELECT key FROM markets k ORDER BY (SELECT count(*) FROM market_targets t WHERE t.market_id = k.id) DESC, key LIMIT 2")
	slicesToTry := insightsSlices(t, c.DSN, funds[0], funds[1], markets[0], markets[1])

	metrics := make([]string, 0, len(seriesOracles))
	for m := range seriesOracles {
		metrics = append(metrics, m)
	}
	sort.Strings(metrics)
	const from, to = "2016-02-10", "2021-11-30"
	var series strings.Builder
	for _, m := range metrics {
		fmt.Fprintf(&series, " %s_m: timeSeries(metric: %s, interval: MONTH) { period count amount quantity }", m, m)
		fmt.Fprintf(&series, " %s_q: timeSeries(metric: %s, interval: QUARTER, from: %q, to: %q) { period count amount quantity }", m, m, from, to)
	}
	query := `query($f: StartupFilter, $w: StartupWhere) { insights(filter: $f, where: $w) {
	  startups byTargetMarket { key count }
	  investedByFund { fund { key } invested investments startups }
	  investedBySector { key count amount } investedByRound { key count amount } investedByYear { key count amount }
	  investmentDrift { attractedOutcomes recordedInvestments difference startupsDiffering }
	  outcomes { investmentAttracted }` + series.String() + ` } }`

	checked := map[string]int{}
	for _, role := range everyRole(t, c) {
		if role.name == "anonymous" {
			continue // insights needs a key
		}
		for _, sl := range slicesToTry {
			t.Run(role.name+"/"+sl.name, func(t *testing.T) {
				var got struct{ Insights map[string]json.RawMessage }
				r := c.As(role.key).OK(t, query, map[string]any{"f": sl.filter, "w": sl.where}, nil)
				if err := json.Unmarshal(r.Data, &got); err != nil {
					t.Fatal(err)
				}
				pre := viewerScope + ", sl AS (" + sl.slice + ")\n"
				money := "FROM sl JOIN investments i ON i.startup_id = sl.id JOIN funds f ON f.id = i.fund_id WHERE " + sl.invested
				oracles := map[string]string{
					"startups":         "SELECT count(*)::text FROM sl",
					"byTargetMarket":   "SELECT k.key || '=' || count(DISTINCT t.startup_id) FROM sl JOIN market_targets t ON t.startup_id = sl.id JOIN markets k ON k.id = t.market_id WHERE " + sl.targets + " GROUP BY k.key",
					"investedByFund":   "SELECT f.key || '=' || sum(i.amount_krw) || '/' || count(*) || '/' || count(DISTINCT i.startup_id) " + money + " GROUP BY f.key",
					"investedBySector": "SELECT g.key || '=' || count(*) || '/' || sum(i.amount_krw) " + strings.Replace(money, " WHERE ", " JOIN startup_sectors x ON x.startup_id = sl.id JOIN sectors g ON g.id = x.sector_id WHERE ", 1) + " GROUP BY g.key",
					"investedByRound":  "SELECT i.round || '=' || count(*) || '/' || sum(i.amount_krw) " + money + " GROUP BY i.round",
					"investedByYear":   "SELECT to_char(i.invested_on, 'YYYY') || '=' || count(*) || '/' || sum(i.amount_krw) " + money + " GROUP BY to_char(i.invested_on, 'YYYY')",
					"investmentDrift": `SELECT a || '/' || r || '/' || (a - r) || '/' || d FROM (SELECT
						(SELECT COALESCE(sum(o.amount_krw), 0) FROM outcomes o WHERE o.startup_id IN (SELECT id FROM sl) AND o.kind = 'INVESTMENT_ATTRACTED') AS a,
						(SELECT COALESCE(sum(i.amount_krw), 0) FROM investments i WHERE i.startup_id IN (SELECT id FROM sl)) AS r,
						(SELECT count(*) FROM sl WHERE (SELECT COALESCE(sum(o.amount_krw), 0) FROM outcomes o WHERE o.startup_id = sl.id AND o.kind = 'INVESTMENT_ATTRACTED')
						   <> (SELECT COALESCE(sum(i.amount_krw), 0) FROM investments i WHERE i.startup_id = sl.id)) AS d) q`,
				}
				for field, q := range oracles {
					want := column(t, c.DSN, pre+q, role.university)
					if g := insightsFigure(t, field, got.Insights[field]); !slices.Equal(g, want) {
						t.Errorf("%s: got %v, want %v", field, g, want)
					} else if len(want) > 0 && want[0] != "0" {
						checked[field]++
					}
				}
				var attracted struct{ InvestmentAttracted json.Number }
				_ = json.Unmarshal(got.Insights["outcomes"], &attracted)
				if d := insightsFigure(t, "investmentDrift", got.Insights["investmentDrift"]); !strings.HasPrefix(d[0], attracted.InvestmentAttracted.String()+"/") {
					t.Errorf("investmentDrift %s, outcomes.investmentAttracted %s: want the same", d, attracted.InvestmentAttracted)
				}
				if sl.invested == "true" && sl.name != "everything" {
					return // the series of a slice not chosen by investments: as any other slice's
				}
				for _, m := range metrics {
					for _, s := range []struct{ alias, unit, from, to string }{{m + "_m", "month", "", ""}, {m + "_q", "quarter", from, to}} {
						want := column(t, c.DSN, pre+seriesSQL(m, s.unit, sl.invested, s.from, s.to), role.university)
						g := insightsFigure(t, "series", got.Insights[s.alias])
						if !sort.StringsAreSorted(g) {
							t.Errorf("%s: periods out of order: %v", s.alias, g)
						}
						sort.Strings(g)
						if !slices.Equal(g, want) {
							t.Errorf("%s: got %v, want %v", s.alias, g, want)
						} else if len(want) > 0 {
							checked[s.alias]++
						}
					}
				}
			})
		}
	}
	// the data exercises every figure: something counted for each
	for _, f := range []string{"byTargetMarket", "investedByFund", "investedBySector", "investedByRound", "investedByYear", "investmentDrift"} {
		if checked[f] == 0 {
			t.Errorf("%s: never anything to count", f)
		}
	}
	for _, m := range metrics {
		if checked[m+"_m"] == 0 || checked[m+"_q"] == 0 {
			t.Errorf("series %s: never a period (by month %d, by quarter %d)", m, checked[m+"_m"], checked[m+"_q"])
		}
	}
}

// insightsFigure renders a figure like the oracles do: sorted lists of
// "key=…", a series as "period=count/amount/quantity" in the answer's
// order.
func insightsFigure(t *testing.T, field string, raw json.RawMessage) []string {
	t.Helper()
	switch field {
	case "investmentDrift":
		var d struct {
			AttractedOutcomes, RecordedInvestments, Difference, StartupsDiffering json.Number
		}
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		return []string{fmt.Sprintf("%s/%s/%s/%s", d.AttractedOutcomes, d.RecordedInvestments, d.Difference, d.StartupsDiffering)}
	case "series":
		var rows []struct {
			Period           string
			Count            json.Number
			Amount, Quantity *json.Number
		}
		if err := json.Unmarshal(raw, &rows); err != nil {
			t.Fatal(err)
		}
		text := func(n *json.Number) string {
			if n == nil {
				return "null"
			}
			return n.String()
		}
		out := make([]string, len(rows))
		for i, r := range rows {
			out[i] = fmt.Sprintf("%s=%s/%s/%s", r.Period, r.Count, text(r.Amount), text(r.Quantity))
		}
		return out
	}
	return flatten(t, field, raw)
}

// TestInsightsSeriesBoundsAndInputs: from after to, a span of more than
// 600 periods, a year before 1 and a bad where are BAD_USER_INPUT naming
// the argument; 600 periods pass, every one of them present; without
// bounds, a slice whose events span more than 600 periods asks for one.
func TestInsightsSeriesBoundsAndInputs(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	series := func(args string) string {
		return `{ insights { timeSeries(metric: JOBS` + args + `) { period count quantity } } }`
	}
	for _, tc := range []struct{ name, query, field string }{
		{"to before from", series(`, from: "2020-01-01", to: "2019-12-31"`), "to"},
		{"601 quarters", series(`, from: "1900-01-01", to: "2050-01-01"`), "to"},
		{"601 months", series(`, interval: MONTH, from: "1970-01-31", to: "2020-01-01"`), "to"},
		{"year 0", series(`, from: "0000-06-01"`), "from"},
		{"a bad where", `{ insights(where: { id: { eq: "nonsense" } }) { startups } }`, "where.id.eq"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Do(t, tc.query, nil)
			if r.Code() != "BAD_USER_INPUT" || r.Field() != tc.field {
				t.Errorf("got %q on %q, want BAD_USER_INPUT on %q: %+v", r.Code(), r.Field(), tc.field, r.Errors)
			}
		})
	}
	t.Run("filter and where: every problem", func(t *testing.T) {
		r := c.Do(t, `{ insights(filter: { search: "x" }, where: { id: { eq: "nonsense" } }) { startups } }`, nil)
		problems, _ := r.Errors[0].Extensions["problems"].([]any)
		if r.Code() != "BAD_USER_INPUT" || len(problems) != 2 {
			t.Errorf("want BAD_USER_INPUT with two problems: %+v", r.Errors)
		}
	})
	t.Run("600 quarters", func(t *testing.T) {
		var data struct {
			Insights struct {
				TimeSeries []struct {
					Period   string
					Count    int
					Quantity int
				}
			}
		}
		c.OK(t, series(`, from: "1900-02-01", to: "2049-12-31"`), nil, &data)
		ts := data.Insights.TimeSeries
		jobs := count(t, c.DSN, "SELECT COALESCE(sum(quantity), 0) FROM outcomes WHERE kind = 'JOBS_CREATED'")
		total := 0
		for _, p := range ts {
			total += p.Quantity
		}
		if len(ts) != 600 || ts[0].Period != "1900-Q1" || ts[599].Period != "2049-Q4" || fmt.Sprint(total) != jobs {
			t.Errorf("%d periods %v…%v, %d jobs; want 600 from 1900-Q1 to 2049-Q4, %s jobs", len(ts), ts[0], ts[len(ts)-1], total, jobs)
		}
	})
	// One outcome reported in 1960: the jobs reported span more than 600 months.
	execPastAPI(t, c.DSN, `INSERT INTO outcomes (startup_id, kind, reported_on, quantity) SELECT min(id), 'JOBS_CREATED', DATE '1960-03-01', 4 FROM startups`)
	if r := c.Do(t, series(`, interval: MONTH`), nil); r.Code() != "BAD_USER_INPUT" || r.Field() != "from" {
		t.Errorf("events over more than 600 months, no bounds: %+v", r.Errors)
	}
	if r := c.Do(t, series(`, interval: MONTH, to: "2030-01-01"`), nil); r.Code() != "BAD_USER_INPUT" || r.Field() != "from" {
		t.Errorf("events over more than 600 months, no from: %+v", r.Errors)
	}
	var data struct {
		Insights struct {
			Q []struct{ Period string }
			M []struct{ Period string }
		}
	}
	c.OK(t, `{ insights { q: timeSeries(metric: JOBS) { period } m: timeSeries(metric: JOBS, interval: MONTH, from: "2000-01-01") { period } } }`, nil, &data)
	last := column(t, c.DSN, "SELECT to_char(max(reported_on), 'YYYY-MM') FROM outcomes WHERE kind = 'JOBS_CREATED'")[0]
	if q := data.Insights.Q; len(q) == 0 || q[0].Period != "1960-Q1" {
		t.Errorf("by quarter, from the 1960 outcome: %v", q)
	}
	if m := data.Insights.M; len(m) == 0 || m[0].Period != "2000-01" || m[len(m)-1].Period != last {
		t.Errorf("by month from 2000: %v…, want 2000-01 to %s", m[:min(len(m), 3)], last)
	}
}
