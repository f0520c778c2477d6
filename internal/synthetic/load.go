package synthetic

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// Loading: the rows the generator draws go in with COPY, the nodes first,
// then the edges between them. Errors go back to store.ReplaceSynthetic,
// which translates driver errors and rolls the transaction back.

// COPY statements, one per table, with explicit column lists.
const (
	copyCohorts       = `COPY cohorts (key, program_id, name_ko, name_en, year, provenance) FROM STDIN`
	copyMentors       = `COPY mentors (key, name_ko, name_en, title_ko, title_en, affiliated_university_id, affiliated_organization_id, languages, provenance) FROM STDIN`
	copyMentorSectors = `COPY mentor_sectors (mentor_id, sector_id) FROM STDIN`
	copyStartups      = `COPY startups (key, name_ko, name_en, stage, founded_on, facility_id, provenance,
		invested_total, mentor_count, market_target_count, jobs_created, patents, export_value, last_stage_change) FROM STDIN`
	copyFunds          = `COPY funds (key, name_ko, name_en, kind, size_krw, vintage_year, provenance) FROM STDIN`
	copyStageChanges   = `COPY stage_changes (startup_id, stage, changed_on) FROM STDIN`
	copyStartupSectors = `COPY startup_sectors (startup_id, sector_id) FROM STDIN`
	copyMemberships    = `COPY memberships (cohort_id, startup_id, joined_on, provenance) FROM STDIN`
	copyAssignments    = `COPY assignments (university_id, startup_id, purpose, status, since, until, provenance) FROM STDIN`
	copyMentorships    = `COPY mentorships (mentor_id, startup_id, focus, since, until, provenance) FROM STDIN`
	copyInvestments    = `COPY investments (fund_id, startup_id, amount_krw, invested_on, round, provenance) FROM STDIN`
	copyMarketTargets  = `COPY market_targets (startup_id, market_id, status, priority, program_id, since, provenance) FROM STDIN`
	copyOutcomes       = `COPY outcomes (startup_id, kind, reported_on, quantity, amount_krw, market_id, provenance) FROM STDIN`
)

// The ids of the nodes just copied, read back to build the edges.
const (
	idsCohorts  = `SELECT id, key FROM cohorts WHERE provenance = 'SYNTHETIC'`
	idsMentors  = `SELECT id, key FROM mentors WHERE provenance = 'SYNTHETIC'`
	idsStartups = `SELECT id, key FROM startups WHERE provenance = 'SYNTHETIC'`
	idsFunds    = `SELECT id, key FROM funds WHERE provenance = 'SYNTHETIC'`
)

// provenance marks every row Seed writes.
const provenance = "SYNTHETIC"

// load copies the graph: the nodes first, then, with their ids read back,
// the edges.
func (g *generator) load(ctx context.Context, tx *sql.Tx, c *Counts) error {
	var err error
	cp := func(dst *int64, table, q string, fill func(emit func(...any) error) error) {
		if err == nil {
			*dst, err = copyRows(ctx, tx, table, q, fill)
		}
	}
	cp(&c.Cohorts, "cohorts", copyCohorts, func(emit func(...any) error) error {
		for i := range g.cohorts {
			p, y := g.base.Programs[g.cohortProgram[i]], g.cohortYear[i]
			nameKo := fmt.Sprintf("%s %d년 %d기", p.NameKo, y, i+1)
			nameEn := fmt.Sprintf("%s %d cohort %d", p.NameEn, y, i+1)
			if err := emit("syn-cohort-"+strconv.Itoa(i+1), p.ID, nameKo, nameEn, y, provenance); err != nil {
				return err
			}
		}
		return nil
	})
	cp(&c.Mentors, "mentors", copyMentors, func(emit func(...any) error) error {
		for j := range g.mentors {
			m := g.mentor(j)
			if err := emit("syn-mentor-"+strconv.Itoa(j+1), m.nameKo, m.nameEn, m.title.ko, m.title.en,
				nullID(m.university), nullID(m.organization), m.languages, provenance); err != nil {
				return err
			}
		}
		return nil
	})
	cp(&c.Startups, "startups", copyStartups, func(emit func(...any) error) error {
		return g.eachStartup(func(i int, p *startupPlan) error {
			for _, inv := range p.investments {
				if inv.synthetic >= 0 {
					g.fundSum[inv.synthetic] += inv.amount
				}
			}
			stage, founded, facility := stages[p.stage], dateOf(p.founded), nullID(p.facility)
			nameKo, nameEn := g.startupNames(i)
			f := p.figures()
			return emit("syn-startup-"+strconv.Itoa(i+1), nameKo, nameEn, stage, founded, facility, provenance,
				f.invested, f.mentors, f.targets, f.jobs, f.patents, f.export, f.lastChange)
		})
	})
	cp(&c.Funds, "funds", copyFunds, func(emit func(...any) error) error {
		for f := range g.funds {
			g.reseed(streamFund, f)
			b := g.brand()
			// sized 10-60% above what it invests, in hundreds of millions
			const unit = 100_000_000
			size := int64(10_000_000_000)
			if sum := g.fundSum[f]; sum > 0 {
				size = (sum*int64(110+g.rnd.IntN(51))/100 + unit - 1) / unit * unit
			}
			num := strconv.Itoa(f + 1)
			if err := emit("syn-fund-"+num, b.ko+" 성장벤처펀드 "+num+"호", b.en+" Growth Venture Fund "+num,
				"VENTURE_FUND", size, 2010+g.rnd.IntN(5), provenance); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}

	cohorts, err := readIDs(ctx, tx, idsCohorts, "syn-cohort-", g.cohorts)
	if err != nil {
		return err
	}
	mentors, err := readIDs(ctx, tx, idsMentors, "syn-mentor-", g.mentors)
	if err != nil {
		return err
	}
	startups, err := readIDs(ctx, tx, idsStartups, "syn-startup-", g.n)
	if err != nil {
		return err
	}
	funds, err := readIDs(ctx, tx, idsFunds, "syn-fund-", g.funds)
	if err != nil {
		return err
	}

	cp(&c.MentorSectors, "mentor_sectors", copyMentorSectors, func(emit func(...any) error) error {
		for j := range g.mentors {
			for _, s := range g.mentor(j).sectors {
				if err := emit(mentors[j], g.base.Sectors[s]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	// edges of startups: one pass over the startups per table
	edges := func(dst *int64, table, q string, rows func(emit func(...any) error, id int64, p *startupPlan) error) {
		cp(dst, table, q, func(emit func(...any) error) error {
			return g.eachStartup(func(i int, p *startupPlan) error { return rows(emit, startups[i], p) })
		})
	}
	edges(&c.StageChanges, "stage_changes", copyStageChanges, func(emit func(...any) error, id int64, p *startupPlan) error {
		for _, ch := range p.changes {
			if err := emit(id, stages[ch.stage], dateOf(ch.day)); err != nil {
				return err
			}
		}
		return nil
	})
	edges(&c.StartupSectors, "startup_sectors", copyStartupSectors, func(emit func(...any) error, id int64, p *startupPlan) error {
		for _, s := range p.sectors {
			if err := emit(id, g.base.Sectors[s]); err != nil {
				return err
			}
		}
		return nil
	})
	edges(&c.Memberships, "memberships", copyMemberships, func(emit func(...any) error, id int64, p *startupPlan) error {
		if p.cohort < 0 {
			return nil
		}
		return emit(cohorts[p.cohort], id, dateOf(p.joined), provenance)
	})
	edges(&c.Assignments, "assignments", copyAssignments, func(emit func(...any) error, id int64, p *startupPlan) error {
		for _, a := range p.assignments {
			if err := emit(a.university, id, a.purpose, a.status, dateOf(a.since), nullDate(a.until), provenance); err != nil {
				return err
			}
		}
		return nil
	})
	edges(&c.Mentorships, "mentorships", copyMentorships, func(emit func(...any) error, id int64, p *startupPlan) error {
		for _, m := range p.mentorships {
			if err := emit(mentors[m.mentor], id, m.focus, dateOf(m.since), nullDate(m.until), provenance); err != nil {
				return err
			}
		}
		return nil
	})
	edges(&c.Investments, "investments", copyInvestments, func(emit func(...any) error, id int64, p *startupPlan) error {
		for _, inv := range p.investments {
			fund := inv.fund
			if inv.synthetic >= 0 {
				fund = funds[inv.synthetic]
			}
			if err := emit(fund, id, inv.amount, dateOf(inv.day), inv.round, provenance); err != nil {
				return err
			}
		}
		return nil
	})
	edges(&c.MarketTargets, "market_targets", copyMarketTargets, func(emit func(...any) error, id int64, p *startupPlan) error {
		for _, t := range p.targets {
			if err := emit(id, t.market, t.status, t.priority, nullID(t.program), dateOf(t.since), provenance); err != nil {
				return err
			}
		}
		return nil
	})
	edges(&c.Outcomes, "outcomes", copyOutcomes, func(emit func(...any) error, id int64, p *startupPlan) error {
		for _, o := range p.outcomes {
			var amount any
			if o.amount > 0 {
				amount = o.amount
			}
			if err := emit(id, o.kind, dateOf(o.day), o.quantity, amount, nullID(o.market), provenance); err != nil {
				return err
			}
		}
		return nil
	})
	return err
}

// copyChunk is how many rows one COPY statement takes. PostgreSQL queues
// the after-row triggers' events (the foreign keys' checks, the figures'
// triggers) of a statement in the backend's memory until the statement
// ends, so one COPY of a whole table held them for every row: about
// 130 MB of transaction memory at a million startups. A new statement
// every copyChunk rows bounds that. (A variable for the tests.)
var copyChunk int64 = 50_000

// copyRows copies the rows fill emits into a table in tx, with a COPY ...
// FROM STDIN statement per copyChunk rows, and returns how many there
// were. lib/pq streams the rows and reports a bad one at the latest on a
// statement's final, empty Exec.
func copyRows(ctx context.Context, tx *sql.Tx, table, q string, fill func(emit func(...any) error) error) (int64, error) {
	var rows int64
	var stmt *sql.Stmt
	finish := func() error {
		if stmt == nil {
			return nil
		}
		s := stmt
		stmt = nil
		if _, err := s.ExecContext(ctx); err != nil {
			_ = s.Close()
			return err
		}
		return s.Close()
	}
	defer func() {
		if stmt != nil {
			_ = stmt.Close()
		}
	}()
	emit := func(args ...any) error {
		if stmt == nil {
			var err error
			if stmt, err = tx.PrepareContext(ctx, q); err != nil {
				return err
			}
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
		rows++
		if rows%copyChunk == 0 {
			return finish()
		}
		return nil
	}
	if err := fill(emit); err != nil {
		return 0, fmt.Errorf("synthetic: copy %s: %w", table, err)
	}
	if err := finish(); err != nil {
		return 0, fmt.Errorf("synthetic: copy %s: %w", table, err)
	}
	return rows, nil
}

// readIDs reads back the ids of n copied nodes, indexed by the number
// at the end of their keys (prefix<i+1>).
func readIDs(ctx context.Context, tx *sql.Tx, q, prefix string, n int) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("synthetic: read %sN ids: %w", prefix, err)
	}
	defer rows.Close()
	ids, found := make([]int64, n), 0
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return nil, fmt.Errorf("synthetic: read %sN ids: %w", prefix, err)
		}
		num, ok := strings.CutPrefix(key, prefix)
		i, err := strconv.Atoi(num)
		if !ok || err != nil || i < 1 || i > n || ids[i-1] != 0 {
			return nil, fmt.Errorf("synthetic: unexpected synthetic key %q", key)
		}
		ids[i-1] = id
		found++
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("synthetic: read %sN ids: %w", prefix, err)
	}
	if found != n {
		return nil, fmt.Errorf("synthetic: read %d %sN ids, want %d", found, prefix, n)
	}
	return ids, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullDate(day int) any {
	if day < 0 {
		return nil
	}
	return dateOf(day)
}

// startupFigures are a startup's figures (migration 00010) as its planned
// edges make them, written with the startup so that the recount after the
// load (store.ReplaceSynthetic) finds them equal and rewrites no row.
type startupFigures struct {
	invested, export                int64
	mentors, targets, jobs, patents int
	lastChange                      string
}

func (p *startupPlan) figures() startupFigures {
	f := startupFigures{mentors: len(p.mentorships), targets: len(p.targets), lastChange: "0001-01-01"}
	for _, inv := range p.investments {
		f.invested += inv.amount
	}
	for _, o := range p.outcomes {
		switch o.kind {
		case "JOBS_CREATED":
			f.jobs += o.quantity
		case "PATENT_DOMESTIC", "PATENT_FOREIGN":
			f.patents += o.quantity
		case "EXPORT_CONTRACT":
			f.export += o.amount
		}
	}
	last := -1 << 31
	for _, ch := range p.changes {
		last = max(last, ch.day)
	}
	if len(p.changes) > 0 {
		f.lastChange = dateOf(last)
	}
	return f
}
