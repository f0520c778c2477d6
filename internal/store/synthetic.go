package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// The store's side of the synthetic load-test graph, which
// internal/synthetic generates: deleting the previous graph, reading the
// existing data the new one hangs from, and the transaction the generator
// bulk-loads the new one in.

// SyntheticBase is the existing data a synthetic graph hangs from, each
// list ordered by key so that the graph does not depend on generated ids.
type SyntheticBase struct {
	Universities  []int64
	Organizations []int64
	Sectors       []int64
	Markets       []int64
	Offices       []int64 // facilities of kind RESIDENT_OFFICE
	Programs      []SyntheticProgram
	Funds         []SyntheticFund
}

// SyntheticProgram is a program that synthetic cohorts and market targets
// may belong to.
type SyntheticProgram struct {
	ID     int64  `db:"id"`
	Kind   string `db:"kind"`
	NameKo string `db:"name_ko"`
	NameEn string `db:"name_en"`
}

// SyntheticFund is an existing fund that may invest in synthetic startups
// while it has money left.
type SyntheticFund struct {
	ID        int64  `db:"id"`
	Kind      string `db:"kind"`
	Available int64  `db:"available"` // size minus what the fund has invested
}

// ReplaceSynthetic replaces the synthetic graph (provenance SYNTHETIC) in
// one transaction without a statement timeout (bulk loading is long by
// design): it deletes the previous graph, reads the data the new one hangs
// from, lets load copy the new one in through tx, refreshes the planner's
// statistics and commits. Driver errors from load are translated like the
// store's own.
func (s *Store) ReplaceSynthetic(ctx context.Context, load func(ctx context.Context, tx *sql.Tx, base SyntheticBase) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return translate(fmt.Errorf("synthetic: begin: %w", err))
	}
	defer func() { _ = tx.Rollback() }()
	// The figures' triggers (migration 00010) would recount every
	// startup once per table the load copies into (and rewrite each
	// startup row as many times): they wait, and one recount after the
	// load checks every startup's figures, which the load writes with the
	// startups, and every mentor's count; the insights' kept totals
	// (migration 00014) are rebuilt.
	if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0; SET LOCAL startupgraph.figures_deferred = 'on'`); err != nil {
		return translate(fmt.Errorf("synthetic: %w", err))
	}
	if _, err := tx.ExecContext(ctx, synDelete); err != nil {
		return translate(fmt.Errorf("synthetic: delete previous: %w", err))
	}
	base, err := syntheticBase(ctx, tx)
	if err != nil {
		return err
	}
	if err := load(ctx, tx.Tx, base); err != nil {
		return translate(err)
	}
	// Statistics first: the recount joins every startup with aggregates
	// of the tables just loaded, and planned with the statistics of the
	// demo data (a few dozen startups per edge table) it took a nested
	// loop over a spilled aggregate, rescanned once per row: at a million
	// startups it read hundreds of GB of temp files and did not end. (ANALYZE
	// in the transaction samples its own uncommitted rows.)
	if _, err := tx.ExecContext(ctx, synAnalyzeLoaded); err != nil {
		return translate(fmt.Errorf("synthetic: analyze: %w", err))
	}
	if _, err := tx.ExecContext(ctx, `SET LOCAL startupgraph.figures_deferred = 'off'; SELECT figures_recount_all(); SELECT insight_rebuild_all()`); err != nil {
		return translate(fmt.Errorf("synthetic: recount figures: %w", err))
	}
	if _, err := tx.ExecContext(ctx, synAnalyzeRecounted); err != nil {
		return translate(fmt.Errorf("synthetic: analyze: %w", err))
	}
	if err := tx.Commit(); err != nil {
		return translate(fmt.Errorf("synthetic: commit: %w", err))
	}
	return nil
}

// synDelete removes the previous synthetic graph, children first. Edges
// that point at synthetic nodes go too, whatever their provenance, since
// their ends are about to be replaced. Stage changes and the sector links
// cascade with their startups and mentors.
const synDelete = `
DELETE FROM outcomes WHERE provenance = 'SYNTHETIC';
DELETE FROM memberships WHERE provenance = 'SYNTHETIC' OR cohort_id IN (SELECT id FROM cohorts WHERE provenance = 'SYNTHETIC');
DELETE FROM market_targets WHERE provenance = 'SYNTHETIC';
DELETE FROM investments WHERE provenance = 'SYNTHETIC' OR fund_id IN (SELECT id FROM funds WHERE provenance = 'SYNTHETIC');
DELETE FROM mentorships WHERE provenance = 'SYNTHETIC' OR mentor_id IN (SELECT id FROM mentors WHERE provenance = 'SYNTHETIC');
DELETE FROM assignments WHERE provenance = 'SYNTHETIC';
DELETE FROM startups WHERE provenance = 'SYNTHETIC';
DELETE FROM mentors WHERE provenance = 'SYNTHETIC';
DELETE FROM funds WHERE provenance = 'SYNTHETIC';
DELETE FROM cohorts WHERE provenance = 'SYNTHETIC';
DELETE FROM markets WHERE provenance = 'SYNTHETIC';
DELETE FROM facilities WHERE provenance = 'SYNTHETIC';
DELETE FROM programs WHERE provenance = 'SYNTHETIC';
DELETE FROM sectors WHERE provenance = 'SYNTHETIC';
DELETE FROM universities WHERE provenance = 'SYNTHETIC';
DELETE FROM organizations WHERE provenance = 'SYNTHETIC'`

// synAnalyzeLoaded refreshes the planner's statistics of every table the
// load wrote, before the recount reads them; synAnalyzeRecounted those of
// the tables the recount rewrote (mentors' counts, the insights' kept
// totals). Autovacuum would get there, but only after the first queries.
const (
	synAnalyzeLoaded = `ANALYZE cohorts, mentors, mentor_sectors, startups, funds, stage_changes, startup_sectors,
	memberships, assignments, mentorships, investments, market_targets, outcomes`
	synAnalyzeRecounted = `ANALYZE mentors, insight_startups, insight_totals`
)

// syntheticBase reads the data a synthetic graph hangs from.
func syntheticBase(ctx context.Context, tx *sqlx.Tx) (SyntheticBase, error) {
	var b SyntheticBase
	ids := []struct {
		dst  *[]int64
		what string
		q    string
	}{
		{&b.Universities, "universities", `SELECT id FROM universities ORDER BY key`},
		{&b.Organizations, "organizations", `SELECT id FROM organizations ORDER BY key`},
		{&b.Sectors, "sectors", `SELECT id FROM sectors ORDER BY key`},
		{&b.Markets, "markets", `SELECT id FROM markets ORDER BY key`},
		{&b.Offices, "facilities", `SELECT id FROM facilities WHERE kind = 'RESIDENT_OFFICE' ORDER BY key`},
	}
	for _, x := range ids {
		if err := tx.SelectContext(ctx, x.dst, x.q); err != nil {
			return b, translate(fmt.Errorf("synthetic: load %s: %w", x.what, err))
		}
	}
	const qPrograms = `SELECT id, kind, name_ko, name_en FROM programs ORDER BY key`
	if err := tx.SelectContext(ctx, &b.Programs, qPrograms); err != nil {
		return b, translate(fmt.Errorf("synthetic: load programs: %w", err))
	}
	const qFunds = `
SELECT f.id, f.kind, f.size_krw - COALESCE(sum(i.amount_krw), 0) AS available
FROM funds f
LEFT JOIN investments i ON i.fund_id = f.id
GROUP BY f.id
ORDER BY f.key`
	if err := tx.SelectContext(ctx, &b.Funds, qFunds); err != nil {
		return b, translate(fmt.Errorf("synthetic: load funds: %w", err))
	}
	return b, nil
}
