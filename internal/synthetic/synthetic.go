// Package synthetic generates the load-test graph: n startups and their
// mentors, cohorts, funds and edges, built on the demo data and markets
// already loaded, and bulk-loaded with COPY. `startupgraph seed --synthetic
// N` runs it (so the benchmark harness does, through the binary), and so
// do tests that need a large graph.
//
// It is a tool, not a query, so it lives beside the store rather than in
// it: the store deletes the previous synthetic graph, reads the existing
// data the new one hangs from and owns the transaction
// (store.ReplaceSynthetic); this package draws the rows (generator.go,
// startup.go, from the value lists in values.go) and copies them in
// (load.go). The only SQL here is that bulk load.
package synthetic

import (
	"context"
	"database/sql"
	"fmt"

	"startupgraph/internal/apperr"
	"startupgraph/internal/store"
)

// maxStartups bounds Seed: a million startups is about fifteen
// million rows, already far beyond anything the city will hold.
const maxStartups = 1_000_000

// Counts is how many rows Seed inserted into each table.
// The seed command prints it and tests compare it with the database, so a
// load test knows the size of the graph it runs against.
type Counts struct {
	// Startups are the teams, keyed syn-startup-<i>.
	Startups int64
	// Mentors are the experts, keyed syn-mentor-<i>, about one per eight startups.
	Mentors int64
	// Cohorts are cohorts of the existing programs, keyed syn-cohort-<i>.
	Cohorts int64
	// Funds are venture funds, keyed syn-fund-<i>, sized to what they invest.
	Funds int64
	// StageChanges is each startup's stage history, ending at its stage.
	StageChanges int64
	// StartupSectors links each startup to one or two sectors.
	StartupSectors int64
	// MentorSectors links each mentor to one or two sectors.
	MentorSectors int64
	// Assignments are partner universities' assignments of teams.
	Assignments int64
	// Mentorships link mentors to startups.
	Mentorships int64
	// Investments come from the synthetic funds and, within what they have
	// left, from the existing ones.
	Investments int64
	// MarketTargets are the overseas markets startups target.
	MarketTargets int64
	// Memberships place startups in the synthetic cohorts.
	Memberships int64
	// Outcomes are the figures startups report.
	Outcomes int64
}

// TableCount is one table's line in Counts.Tables.
type TableCount struct {
	// Table is the table's SQL name.
	Table string
	// Rows is how many rows Seed inserted into it.
	Rows int64
}

// Tables lists the counts by table in load order, so that callers can
// print or check every table without naming each field.
func (c Counts) Tables() []TableCount {
	return []TableCount{
		{"cohorts", c.Cohorts}, {"mentors", c.Mentors}, {"mentor_sectors", c.MentorSectors},
		{"startups", c.Startups}, {"funds", c.Funds}, {"stage_changes", c.StageChanges},
		{"startup_sectors", c.StartupSectors}, {"memberships", c.Memberships},
		{"assignments", c.Assignments}, {"mentorships", c.Mentorships},
		{"investments", c.Investments}, {"market_targets", c.MarketTargets}, {"outcomes", c.Outcomes},
	}
}

// Seed replaces the synthetic load-test graph (provenance SYNTHETIC) in
// s with a new one of n startups and their mentors, cohorts, funds and
// edges, in one transaction. It builds on the public data (universities,
// organizations, sectors, markets, offices, programs, funds) already loaded (run SeedDemo first). The graph is a pure function of n,
// seed and that data: every entity draws from its own PCG stream derived
// from seed and its index, so the same n and seed give the same rows,
// apart from generated ids and timestamps. Rows go in with COPY, so a
// hundred thousand startups load in well under a minute on a laptop.
func Seed(ctx context.Context, s *store.Store, n int, seed int64) (Counts, error) {
	var c Counts
	if n < 1 || n > maxStartups {
		return c, apperr.Invalid("synthetic", "must be between 1 and %d startups, got %d", maxStartups, n)
	}
	err := s.ReplaceSynthetic(ctx, func(ctx context.Context, tx *sql.Tx, base store.SyntheticBase) error {
		if len(base.Sectors) == 0 || len(base.Programs) == 0 {
			return fmt.Errorf("synthetic: the database has no sectors or no programs; load the demo data first")
		}
		return newGenerator(n, seed, base).load(ctx, tx, &c)
	})
	if err != nil {
		return Counts{}, err
	}
	return c, nil
}
