package graph_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"startupgraph/examples"
	"startupgraph/internal/apitest"
	"startupgraph/internal/synthetic"
	"startupgraph/internal/testdb"
)

// questionOracles answer issue #17's ten questions in independent SQL:
// the keys of every matching row, in the order the question asks for
// (ordered true) or any order.
var questionOracles = map[string]struct {
	ordered bool
	sql     string
}{
	"question-01-bio-teams-without-mentor": {false, `SELECT '', s.key FROM startups s
		WHERE EXISTS (SELECT 1 FROM startup_sectors x JOIN sectors k ON k.id = x.sector_id WHERE x.startup_id = s.id AND k.key = 'bio-convergence')
		  AND s.stage IN ('PROTOTYPE','R_AND_D','MARKETING','INVESTMENT','FINANCING','OVERSEAS_EXPANSION')
		  AND NOT EXISTS (SELECT 1 FROM mentorships x WHERE x.startup_id = s.id)`},
	"question-02-venture-billion-since-2024": {true, `SELECT '', s.key FROM startups s
		WHERE EXISTS (SELECT 1 FROM investments i JOIN funds f ON f.id = i.fund_id
		  WHERE i.startup_id = s.id AND i.amount_krw >= 1000000000 AND i.invested_on >= DATE '2024-01-01' AND f.kind = 'VENTURE_FUND')
		ORDER BY (SELECT sum(amount_krw) FROM investments i WHERE i.startup_id = s.id) DESC, s.name_en, s.id DESC`},
	"question-03-entered-vietnam-ghent-mentor": {false, `SELECT '', s.key FROM startups s
		WHERE EXISTS (SELECT 1 FROM market_targets t JOIN markets k ON k.id = t.market_id WHERE t.startup_id = s.id AND t.status = 'ENTERED' AND k.code = 'VN')
		  AND EXISTS (SELECT 1 FROM mentorships x JOIN mentors m ON m.id = x.mentor_id JOIN universities u ON u.id = m.affiliated_university_id
		    WHERE x.startup_id = s.id AND u.key = 'ghent-university')`},
	"question-04-stage-investment-in-2025": {false, `SELECT '', s.key FROM startups s
		WHERE EXISTS (SELECT 1 FROM stage_changes x WHERE x.startup_id = s.id AND x.stage = 'INVESTMENT'
		  AND x.changed_on >= DATE '2025-01-01' AND x.changed_on < DATE '2026-01-01')`},
	"question-05-mentors-of-three-none-at-idea": {false, `SELECT '', m.key FROM mentors m
		WHERE (SELECT count(*) FROM mentorships x WHERE x.mentor_id = m.id) >= 3
		  AND NOT EXISTS (SELECT 1 FROM mentorships x JOIN startups s ON s.id = x.startup_id WHERE x.mentor_id = m.id AND s.stage = 'IDEA')`},
	"question-06-funds-in-teams-targeting-us": {false, `SELECT '', f.key FROM funds f
		WHERE EXISTS (SELECT 1 FROM investments i JOIN market_targets t ON t.startup_id = i.startup_id JOIN markets k ON k.id = t.market_id
		  WHERE i.fund_id = f.id AND k.code = 'US')`},
	"question-07-assigned-to-gmu-and-suny": {false, `SELECT '', s.key FROM startups s
		WHERE EXISTS (SELECT 1 FROM assignments a JOIN universities u ON u.id = a.university_id WHERE a.startup_id = s.id AND u.key = 'george-mason-university')
		  AND EXISTS (SELECT 1 FROM assignments a JOIN universities u ON u.id = a.university_id WHERE a.startup_id = s.id AND u.key = 'suny-korea')`},
	"question-08-not-svc-or-before-2018": {false, `SELECT '', s.key FROM startups s
		WHERE NOT EXISTS (SELECT 1 FROM memberships m JOIN cohorts c ON c.id = m.cohort_id JOIN programs p ON p.id = c.program_id
		  WHERE m.startup_id = s.id AND p.key = 'smart-venture-campus') OR s.founded_on < DATE '2018-01-01'`},
	"question-09-most-jobs-created": {true, `SELECT '', s.key FROM startups s
		ORDER BY (SELECT COALESCE(sum(quantity), 0) FROM outcomes o WHERE o.startup_id = s.id AND o.kind = 'JOBS_CREATED') DESC, s.name_en, s.id DESC
		LIMIT 10`},
	"question-10-ghent-exporting-teams": {true, `SELECT '', s.key FROM assignments a JOIN universities u ON u.id = a.university_id JOIN startups s ON s.id = a.startup_id
		WHERE u.key = 'ghent-university' AND EXISTS (SELECT 1 FROM outcomes o WHERE o.startup_id = s.id AND o.kind = 'EXPORT_CONTRACT')
		ORDER BY (SELECT COALESCE(sum(amount_krw), 0) FROM outcomes o WHERE o.startup_id = s.id AND o.kind = 'EXPORT_CONTRACT') DESC, a.id DESC`},
}

// TestRelationshipQuestions runs issue #17's ten questions, the very
// text the playground offers and the benchmark times (examples/), over
// the demo data and 1,000 synthetic startups, each in one request, and
// compares its answer with independent SQL: the total count, and the
// page's rows (in the oracle's order where the question orders them).
func TestRelationshipQuestions(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	if _, err := synthetic.Seed(context.Background(), c.Store, 1000, 3); err != nil {
		t.Fatal(err)
	}
	questions, err := examples.Questions()
	if err != nil {
		t.Fatal(err)
	}
	if len(questions) != len(questionOracles) {
		t.Fatalf("%d questions in examples/, %d oracles", len(questions), len(questionOracles))
	}
	for _, q := range questions {
		t.Run(q.Name, func(t *testing.T) {
			o, ok := questionOracles[q.Name]
			if !ok {
				t.Fatal("no oracle")
			}
			want := orderedColumn(t, c.DSN, o.sql)
			if len(want) == 0 {
				t.Fatal("the oracle finds nothing: the question tests nothing here")
			}
			r := c.OK(t, q.Query, nil, nil)
			total, keys := questionAnswer(t, r.Data)
			if total >= 0 && total != len(want) {
				t.Errorf("totalCount %d, want %d", total, len(want))
			}
			switch {
			case o.ordered && !slices.Equal(keys, want[:min(len(want), len(keys))]):
				t.Errorf("got %v, want the first of %v", keys, head(want))
			case len(keys) != min(len(want), 20) && !(o.ordered && len(keys) == len(want)):
				t.Errorf("a page of %d rows for %d matches", len(keys), len(want))
			}
			for _, k := range keys {
				if !slices.Contains(want, k) {
					t.Errorf("%s does not match the question", k)
				}
			}
			t.Logf("%d rows", len(want))
		})
	}
}

// questionAnswer reads a question's answer: its one connection (the root
// list, or the startups of the one university a question names), its
// totalCount (-1 when not asked) and its nodes' keys.
func questionAnswer(t *testing.T, data json.RawMessage) (int, []string) {
	t.Helper()
	type page struct {
		TotalCount *int
		Nodes      []struct{ Key string }
	}
	var root map[string]json.RawMessage
	if err := json.Unmarshal(data, &root); err != nil || len(root) != 1 {
		t.Fatalf("one root field: %s", data)
	}
	var p page
	for _, v := range root {
		var nested []struct{ Startups page }
		if json.Unmarshal(v, &nested) == nil {
			if len(nested) != 1 {
				t.Fatalf("one university: %s", v)
			}
			p = nested[0].Startups
		} else if err := json.Unmarshal(v, &p); err != nil {
			t.Fatal(err)
		}
	}
	keys := make([]string, len(p.Nodes))
	for i, n := range p.Nodes {
		keys[i] = n.Key
	}
	if p.TotalCount == nil {
		return -1, keys
	}
	return *p.TotalCount, keys
}
