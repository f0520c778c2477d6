package graph_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/globalid"
	"startupgraph/internal/testdb"
)

// TestArticleFiguresInInsights: the dashboard returns the article's figures
// from the demo data.
func TestArticleFiguresInInsights(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	var data struct {
		Insights struct {
			ByCohort []struct {
				Key   string
				Count int
			}
			InvestedByFund []struct {
				Fund struct {
					Key  string
					Size int64
				}
				Invested    int64
				Investments int
			}
			TaskForceExperts  int
			TaskForceBySector []struct {
				Key   string
				Count int
			}
		}
	}
	c.OK(t, `{ insights { byCohort { key count } investedByFund { fund { key size } invested investments }
		taskForceExperts taskForceBySector { key count } } }`, nil, &data)
	in := data.Insights
	cohorts := map[string]int{}
	for _, g := range in.ByCohort {
		cohorts[g.Key] = g.Count
	}
	if cohorts["smart-venture-campus-2017"] != 25 {
		t.Errorf("Smart Venture Campus 2017: %d teams, want 25", cohorts["smart-venture-campus-2017"])
	}
	funds := map[string]int64{}
	for _, f := range in.InvestedByFund {
		funds[f.Fund.Key+"/size"] = f.Fund.Size
		funds[f.Fund.Key+"/invested"] = f.Invested
	}
	if funds["creative-growth-venture-fund/size"] != 36_500_000_000 {
		t.Errorf("Creative Growth Venture Fund size %d, want 36,500,000,000", funds["creative-growth-venture-fund/size"])
	}
	if funds["smart-venture-campus-national-grant/invested"] != 1_950_000_000 {
		t.Errorf("national grant given %d, want 1,950,000,000", funds["smart-venture-campus-national-grant/invested"])
	}
	total := 0
	for _, g := range in.TaskForceBySector {
		total += g.Count
	}
	if in.TaskForceExperts != 26 || len(in.TaskForceBySector) != 4 || total != 26 {
		t.Errorf("task force: %d experts, %d fields, %d across fields; want 26 across 4", in.TaskForceExperts, len(in.TaskForceBySector), total)
	}
}

const insightsQuery = `query($f: StartupFilter) { insights(filter: $f) {
  startups
  byStage { key count } bySector { key count } byProgram { key count } byCohort { key count }
  byUniversity { key count } byTargetMarket { key count }
  investedByFund { fund { key } invested investments startups }
  investedBySector { key count amount } investedByRound { key count amount } investedByYear { key count amount }
  outcomes { patentsDomestic patentsForeign investmentAttracted exportContracts exportValue jobsCreated }
  exportsByMarket { key count amount }
  timeSeries(metric: INVESTMENTS, interval: MONTH) { period count amount }
  taskForceExperts
} }`

// TestInsightsEqualSQL: every figure equals independent SQL over the same
// rows, for a reader of everything and for a university, with and without
// a filter.
func TestInsightsEqualSQL(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	smartFactory := gid(t, c.DSN, globalid.Sector, "sectors", "smart-factory")
	cases := []struct {
		name, key, university string
		filter                map[string]any
		sliceSQL              string
	}{
		{"admin, everything", c.Key, "", nil, "SELECT id FROM startups"},
		{"admin, smart factory", c.Key, "", map[string]any{"sectorIds": []string{smartFactory}},
			"SELECT s.id FROM startups s JOIN startup_sectors x ON x.startup_id = s.id JOIN sectors g ON g.id = x.sector_id WHERE g.key = 'smart-factory'"},
		{"SUNY Korea", c.NewKey(t, "UNIVERSITY", "suny-korea"), "suny-korea", nil,
			"SELECT DISTINCT a.startup_id AS id FROM assignments a JOIN universities u ON u.id = a.university_id WHERE u.key = 'suny-korea'"},
		{"George Mason, smart factory", c.NewKey(t, "UNIVERSITY", "george-mason-university"), "george-mason-university",
			map[string]any{"sectorIds": []string{smartFactory}},
			`SELECT DISTINCT a.startup_id AS id FROM assignments a JOIN universities u ON u.id = a.university_id
			 JOIN startup_sectors x ON x.startup_id = a.startup_id JOIN sectors g ON g.id = x.sector_id
			 WHERE u.key = 'george-mason-university' AND g.key = 'smart-factory'`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.As(tc.key).OK(t, insightsQuery, map[string]any{"f": tc.filter}, nil)
			// one statement per figure, one for the funds' names, one to
			// verify the key on its first use
			if r.Statements > 17 {
				t.Errorf("%d statements for 15 figures", r.Statements)
			}
			var got struct{ Insights map[string]json.RawMessage }
			if err := json.Unmarshal(r.Data, &got); err != nil {
				t.Fatal(err)
			}
			sl := "WITH sl AS (" + tc.sliceSQL + ") "
			uniFilter := ""
			if tc.university != "" {
				uniFilter = " AND u.key = '" + tc.university + "'"
			}
			oracles := map[string]string{
				"startups":         sl + "SELECT count(*)::text FROM sl",
				"bySector":         sl + "SELECT g.key || '=' || count(DISTINCT x.startup_id) FROM sl JOIN startup_sectors x ON x.startup_id = sl.id JOIN sectors g ON g.id = x.sector_id GROUP BY g.key",
				"byProgram":        sl + "SELECT p.key || '=' || count(DISTINCT m.startup_id) FROM sl JOIN memberships m ON m.startup_id = sl.id JOIN cohorts c ON c.id = m.cohort_id JOIN programs p ON p.id = c.program_id GROUP BY p.key",
				"byCohort":         sl + "SELECT c.key || '=' || count(*) FROM sl JOIN memberships m ON m.startup_id = sl.id JOIN cohorts c ON c.id = m.cohort_id GROUP BY c.key",
				"byUniversity":     sl + "SELECT u.key || '=' || count(DISTINCT a.startup_id) FROM sl JOIN assignments a ON a.startup_id = sl.id JOIN universities u ON u.id = a.university_id WHERE true" + uniFilter + " GROUP BY u.key",
				"byTargetMarket":   sl + "SELECT k.key || '=' || count(*) FROM sl JOIN market_targets t ON t.startup_id = sl.id JOIN markets k ON k.id = t.market_id GROUP BY k.key",
				"investedByFund":   sl + "SELECT f.key || '=' || sum(i.amount_krw) || '/' || count(*) || '/' || count(DISTINCT i.startup_id) FROM sl JOIN investments i ON i.startup_id = sl.id JOIN funds f ON f.id = i.fund_id GROUP BY f.key",
				"investedBySector": sl + "SELECT g.key || '=' || count(*) || '/' || sum(i.amount_krw) FROM sl JOIN investments i ON i.startup_id = sl.id JOIN startup_sectors x ON x.startup_id = sl.id JOIN sectors g ON g.id = x.sector_id GROUP BY g.key",
				"investedByRound":  sl + "SELECT i.round || '=' || count(*) || '/' || sum(i.amount_krw) FROM sl JOIN investments i ON i.startup_id = sl.id GROUP BY i.round",
				"investedByYear":   sl + "SELECT k || '=' || n || '/' || a FROM (SELECT to_char(i.invested_on, 'YYYY') AS k, count(*) AS n, sum(i.amount_krw) AS a FROM sl JOIN investments i ON i.startup_id = sl.id GROUP BY 1) q",
				"exportsByMarket":  sl + "SELECT k.key || '=' || count(*) || '/' || sum(o.amount_krw) FROM sl JOIN outcomes o ON o.startup_id = sl.id JOIN markets k ON k.id = o.market_id WHERE o.kind = 'EXPORT_CONTRACT' GROUP BY k.key",
				// every month from the first to the last investment, a month without any zero
				"timeSeries": sl + `, q AS (SELECT to_char(i.invested_on, 'YYYY-MM') AS k, count(*) AS n, sum(i.amount_krw) AS a FROM sl JOIN investments i ON i.startup_id = sl.id GROUP BY 1)
					SELECT to_char(m, 'YYYY-MM') || '=' || COALESCE(q.n, 0) || '/' || COALESCE(q.a, 0)
					FROM generate_series((SELECT min(k) || '-01' FROM q)::date, (SELECT max(k) || '-01' FROM q)::date, '1 month') m LEFT JOIN q ON q.k = to_char(m, 'YYYY-MM')`,
				"outcomes": sl + `SELECT COALESCE(sum(quantity) FILTER (WHERE kind = 'PATENT_DOMESTIC'), 0) || '/' || COALESCE(sum(quantity) FILTER (WHERE kind = 'PATENT_FOREIGN'), 0) || '/' ||
					COALESCE(sum(amount_krw) FILTER (WHERE kind = 'INVESTMENT_ATTRACTED'), 0) || '/' || count(*) FILTER (WHERE kind = 'EXPORT_CONTRACT') || '/' ||
					COALESCE(sum(amount_krw) FILTER (WHERE kind = 'EXPORT_CONTRACT'), 0) || '/' || COALESCE(sum(quantity) FILTER (WHERE kind = 'JOBS_CREATED'), 0)
					FROM sl JOIN outcomes o ON o.startup_id = sl.id`,
			}
			for field, q := range oracles {
				want := column(t, c.DSN, q)
				sort.Strings(want)
				gotList := flatten(t, field, got.Insights[field])
				if !slices.Equal(gotList, want) {
					t.Errorf("%s: got %v, want %v", field, gotList, want)
				}
			}
			var stages []struct {
				Key   string
				Count int
			}
			_ = json.Unmarshal(got.Insights["byStage"], &stages)
			stageWant := map[string]string{}
			for _, kv := range column(t, c.DSN, sl+"SELECT s.stage || '=' || count(*) FROM sl JOIN startups s ON s.id = sl.id GROUP BY s.stage") {
				k, v, _ := strings.Cut(kv, "=")
				stageWant[k] = v
			}
			if len(stages) != 8 {
				t.Errorf("byStage lists %d stages, want all 8", len(stages))
			}
			for _, st := range stages {
				if w := stageWant[st.Key]; fmt.Sprint(st.Count) != w && !(w == "" && st.Count == 0) {
					t.Errorf("byStage %s: %d, want %s", st.Key, st.Count, w)
				}
			}
		})
	}
}

// flatten renders an insights field like the oracle queries do.
func flatten(t *testing.T, field string, raw json.RawMessage) []string {
	t.Helper()
	var out []string
	switch field {
	case "startups":
		return []string{string(raw)}
	case "outcomes":
		var o map[string]json.Number
		_ = json.Unmarshal(raw, &o)
		return []string{fmt.Sprintf("%s/%s/%s/%s/%s/%s", o["patentsDomestic"], o["patentsForeign"], o["investmentAttracted"], o["exportContracts"], o["exportValue"], o["jobsCreated"])}
	case "investedByFund":
		var rows []struct {
			Fund                            struct{ Key string }
			Invested, Investments, Startups json.Number
		}
		_ = json.Unmarshal(raw, &rows)
		for _, r := range rows {
			out = append(out, fmt.Sprintf("%s=%s/%s/%s", r.Fund.Key, r.Invested, r.Investments, r.Startups))
		}
	case "timeSeries":
		var rows []struct {
			Period        string
			Count, Amount json.Number
		}
		_ = json.Unmarshal(raw, &rows)
		for _, r := range rows {
			out = append(out, fmt.Sprintf("%s=%s/%s", r.Period, r.Count, r.Amount))
		}
	default:
		var rows []struct {
			Key    string
			Count  json.Number
			Amount *json.Number
		}
		_ = json.Unmarshal(raw, &rows)
		for _, r := range rows {
			if r.Amount != nil {
				out = append(out, fmt.Sprintf("%s=%s/%s", r.Key, r.Count, *r.Amount))
			} else {
				out = append(out, fmt.Sprintf("%s=%s", r.Key, r.Count))
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestInsightsNeedAKeyAndValidFilters(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	if r := c.As("").Do(t, `{ insights { startups } }`, nil); r.Code() != "UNAUTHENTICATED" {
		t.Errorf("anonymous insights: %+v", r.Errors)
	}
	if r := c.Do(t, `{ insights(filter: {search: "x"}) { startups } }`, nil); r.Code() != "BAD_USER_INPUT" || r.Field() != "filter.search" {
		t.Errorf("bad filter: %+v", r.Errors)
	}
}
