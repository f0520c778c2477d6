package store

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/lib/pq"

	"startupgraph/internal/model"
)

// Scores of recommendations. They are simple and explained: every point a
// mentor or startup earns comes with a reason.
const (
	pointsPerSharedSector = 3.0
	pointsPerMarket       = 1.5
	pointsPerLanguage     = 1.0
	pointsPerSharedMentor = 2.0
	pointsSameStage       = 2.0
	loadFree              = 2 // teams a mentor can take before load counts against them
	pointsPerExtraTeam    = 0.5
)

// marketLanguages is the working language of each market code the demo
// and synthetic data use.
var marketLanguages = map[string]string{"US": "en", "SG": "en", "EUR": "en", "CN": "zh", "JP": "ja", "VN": "vi", "BE": "nl", "DE": "de", "NL": "nl", "SEA": "en"}

// RecommendMentors ranks mentors the viewer may see who do not already
// mentor startup, by sector expertise, experience with its target markets
// and their languages, minus their current load.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) RecommendMentors(ctx context.Context, startup int64, first int) ([]model.MentorRecommendation, error) {
	args := &sqlArgs{}
	id := args.add(startup)
	visibleMentor := scoped(ctx, args, mentorGuard("m.id"), archivedGuard("mentors", "m.id"))
	visibleTeam := scoped(ctx, args, startupGuard("ms.startup_id"), archivedGuard("startups", "ms.startup_id"))
	q := `WITH ss AS (SELECT sector_id FROM startup_sectors WHERE startup_id = ` + id + `),
sm AS (SELECT t.market_id, k.code FROM market_targets t JOIN markets k ON k.id = t.market_id WHERE t.startup_id = ` + id + `)
SELECT m.id, m.languages,
  ARRAY(SELECT g.name_en FROM mentor_sectors x JOIN sectors g ON g.id = x.sector_id
        WHERE x.mentor_id = m.id AND x.sector_id IN (SELECT sector_id FROM ss) ORDER BY g.name_en) AS sectors,
  ARRAY(SELECT DISTINCT k.code FROM mentorships ms JOIN market_targets t ON t.startup_id = ms.startup_id JOIN markets k ON k.id = t.market_id
        WHERE ms.mentor_id = m.id AND t.market_id IN (SELECT market_id FROM sm)` + visibleTeam + ` ORDER BY k.code) AS markets,
  (SELECT count(*) FROM mentorships ms WHERE ms.mentor_id = m.id AND (ms.until IS NULL OR ms.until >= current_date)` + visibleTeam + `) AS load,
  ARRAY(SELECT code FROM sm) AS target_codes
FROM mentors m
WHERE NOT EXISTS (SELECT 1 FROM mentorships x WHERE x.mentor_id = m.id AND x.startup_id = ` + id + `)` + visibleMentor + `
  AND (EXISTS (SELECT 1 FROM mentor_sectors x WHERE x.mentor_id = m.id AND x.sector_id IN (SELECT sector_id FROM ss))
       OR EXISTS (SELECT 1 FROM mentorships ms JOIN market_targets t ON t.startup_id = ms.startup_id
                  WHERE ms.mentor_id = m.id AND t.market_id IN (SELECT market_id FROM sm)` + visibleTeam + `))`
	var rows []struct {
		ID          int64          `db:"id"`
		Languages   pq.StringArray `db:"languages"`
		Sectors     pq.StringArray `db:"sectors"`
		Markets     pq.StringArray `db:"markets"`
		Load        int            `db:"load"`
		TargetCodes pq.StringArray `db:"target_codes"`
	}
	if err := s.reader(ctx).SelectContext(ctx, &rows, q, args.list...); err != nil {
		return nil, translate(fmt.Errorf("recommend mentors: %w", err))
	}
	out := make([]model.MentorRecommendation, 0, len(rows))
	for _, r := range rows {
		rec := model.MentorRecommendation{MentorID: r.ID}
		for _, sec := range r.Sectors {
			rec.Score += pointsPerSharedSector
			rec.Reasons = append(rec.Reasons, fmt.Sprintf("+%.1f expertise in %s, the startup's sector", pointsPerSharedSector, sec))
		}
		for _, code := range r.Markets {
			rec.Score += pointsPerMarket
			rec.Reasons = append(rec.Reasons, fmt.Sprintf("+%.1f has mentored teams targeting %s", pointsPerMarket, code))
		}
		spoken := map[string]bool{}
		for _, l := range r.Languages {
			spoken[l] = true
		}
		for _, code := range r.TargetCodes {
			if lang := marketLanguages[code]; lang != "" && lang != "ko" && spoken[lang] {
				rec.Score += pointsPerLanguage
				rec.Reasons = append(rec.Reasons, fmt.Sprintf("+%.1f speaks %s, the language of target market %s", pointsPerLanguage, lang, code))
			}
		}
		if extra := r.Load - loadFree; extra > 0 {
			rec.Score -= float64(extra) * pointsPerExtraTeam
			rec.Reasons = append(rec.Reasons, fmt.Sprintf("-%.1f already mentors %d teams", float64(extra)*pointsPerExtraTeam, r.Load))
		} else {
			rec.Reasons = append(rec.Reasons, fmt.Sprintf("+0.0 mentors %d teams now, room for more", r.Load))
		}
		out = append(out, rec)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].MentorID < out[j].MentorID
	})
	if len(out) > first {
		out = out[:first]
	}
	return out, nil
}

// SimilarStartups ranks the startups the viewer may see by what they share
// with startup: sectors, stage, target markets and mentors.
// Scoped: only what ctx's viewer may see (scope.go).
func (s *Store) SimilarStartups(ctx context.Context, startup int64, first int) ([]model.SimilarStartup, error) {
	args := &sqlArgs{}
	id := args.add(startup)
	visible := scoped(ctx, args, startupGuard("n.id"), archivedGuard("startups", "n.id"))
	q := `WITH me AS (SELECT stage FROM startups WHERE id = ` + id + `),
ss AS (SELECT sector_id FROM startup_sectors WHERE startup_id = ` + id + `),
sm AS (SELECT market_id FROM market_targets WHERE startup_id = ` + id + `),
sx AS (SELECT mentor_id FROM mentorships WHERE startup_id = ` + id + `)
SELECT n.id, n.stage = (SELECT stage FROM me) AS same_stage, n.stage,
  ARRAY(SELECT g.name_en FROM startup_sectors x JOIN sectors g ON g.id = x.sector_id WHERE x.startup_id = n.id AND x.sector_id IN (SELECT sector_id FROM ss) ORDER BY 1) AS sectors,
  ARRAY(SELECT k.code FROM market_targets x JOIN markets k ON k.id = x.market_id WHERE x.startup_id = n.id AND x.market_id IN (SELECT market_id FROM sm) ORDER BY 1) AS markets,
  ARRAY(SELECT DISTINCT m.name_en FROM mentorships x JOIN mentors m ON m.id = x.mentor_id WHERE x.startup_id = n.id AND x.mentor_id IN (SELECT mentor_id FROM sx) ORDER BY 1) AS mentors
FROM startups n
WHERE n.id <> ` + id + visible + `
  AND (EXISTS (SELECT 1 FROM startup_sectors x WHERE x.startup_id = n.id AND x.sector_id IN (SELECT sector_id FROM ss))
    OR EXISTS (SELECT 1 FROM mentorships x WHERE x.startup_id = n.id AND x.mentor_id IN (SELECT mentor_id FROM sx))
    OR EXISTS (SELECT 1 FROM market_targets x WHERE x.startup_id = n.id AND x.market_id IN (SELECT market_id FROM sm)))`
	var rows []struct {
		ID        int64          `db:"id"`
		SameStage bool           `db:"same_stage"`
		Stage     string         `db:"stage"`
		Sectors   pq.StringArray `db:"sectors"`
		Markets   pq.StringArray `db:"markets"`
		Mentors   pq.StringArray `db:"mentors"`
	}
	if err := s.reader(ctx).SelectContext(ctx, &rows, q, args.list...); err != nil {
		return nil, translate(fmt.Errorf("similar startups: %w", err))
	}
	out := make([]model.SimilarStartup, 0, len(rows))
	for _, r := range rows {
		sim := model.SimilarStartup{StartupID: r.ID}
		add := func(points float64, format string, a ...any) {
			sim.Score += points
			sim.Reasons = append(sim.Reasons, fmt.Sprintf("+%.1f ", points)+fmt.Sprintf(format, a...))
		}
		for _, sec := range r.Sectors {
			add(pointsPerSharedSector, "same sector: %s", sec)
		}
		if r.SameStage {
			add(pointsSameStage, "same growth stage: %s", r.Stage)
		}
		if len(r.Markets) > 0 {
			add(pointsPerMarket*float64(len(r.Markets)), "shared target markets: %s", strings.Join(r.Markets, ", "))
		}
		if len(r.Mentors) > 0 {
			add(pointsPerSharedMentor*float64(len(r.Mentors)), "shared mentors: %s", strings.Join(r.Mentors, ", "))
		}
		out = append(out, sim)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].StartupID < out[j].StartupID
	})
	if len(out) > first {
		out = out[:first]
	}
	return out, nil
}
