package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"startupgraph/internal/apperr"
	"startupgraph/internal/model"
)

// Field is a value a partial update may set: Set false leaves the column
// as it is; for nullable columns a nil Value sets it to NULL.
type Field[T any] struct {
	Set   bool
	Value T
}

// NewStartup is a startup to create.
type NewStartup struct {
	IdempotencyKey *string
	Key            string
	NameKo, NameEn string
	DescriptionKo  *string
	DescriptionEn  *string
	Stage          string
	FoundedOn      *time.Time
	FacilityID     *int64
	SectorIDs      []int64
	// AllowDuplicateName creates it even when a startup has its name.
	AllowDuplicateName bool
}

// StartupChanges is a partial update of a startup.
type StartupChanges struct {
	NameKo, NameEn               Field[string]
	DescriptionKo, DescriptionEn Field[*string]
	FoundedOn                    Field[*time.Time]
	FacilityID                   Field[*int64]
	SectorIDs                    Field[[]int64]
	// AllowDuplicateName renames even to another startup's name.
	AllowDuplicateName bool
}

// Written is what a mutation changed: the row id, and whether an
// idempotent retry returned an earlier result.
type Written struct {
	ID       int64
	Replayed bool
}

// CreateStartup creates a startup with its sectors and first stage.
// Replays only an earlier create by ctx's viewer's API key (idempotent).
func (s *Store) CreateStartup(ctx context.Context, in NewStartup) (Written, error) {
	var w Written
	err := s.write(ctx, func(tx *sqlx.Tx) error {
		refs := []reference{opt("input.facilityId", "facilities", in.FacilityID)}
		for i, id := range in.SectorIDs {
			refs = append(refs, ref(fmt.Sprintf("input.sectorIds[%d]", i), "sectors", id))
		}
		if err := requireRows(ctx, tx, refs...); err != nil {
			return err
		}
		var err error
		w.ID, w.Replayed, err = idempotent(ctx, tx, in.IdempotencyKey, "createStartup", "Startup", in, func() (int64, error) {
			if !in.AllowDuplicateName {
				if err := duplicateName(ctx, tx, "startups", "Startup", in.NameKo, in.NameEn); err != nil {
					return 0, err
				}
			}
			const q = `
INSERT INTO startups (key, name_ko, name_en, description_ko, description_en, stage, founded_on, facility_id, provenance)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'API') RETURNING id`
			var id int64
			if err := tx.GetContext(ctx, &id, q, in.Key, in.NameKo, in.NameEn, in.DescriptionKo, in.DescriptionEn, in.Stage, in.FoundedOn, in.FacilityID); err != nil {
				return 0, err
			}
			if err := setStartupSectors(ctx, tx, id, in.SectorIDs); err != nil {
				return 0, err
			}
			const stage = `INSERT INTO stage_changes (startup_id, stage, changed_on) VALUES ($1, $2, COALESCE($3::date, current_date))`
			if _, err := tx.ExecContext(ctx, stage, id, in.Stage, in.FoundedOn); err != nil {
				return 0, err
			}
			after, err := snapshot(ctx, tx, "startups", id)
			if err != nil {
				return 0, err
			}
			return id, audit(ctx, tx, "createStartup", "Startup", id, nil, after)
		})
		return err
	})
	return w, err
}

func setStartupSectors(ctx context.Context, tx *sqlx.Tx, startup int64, sectors []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM startup_sectors WHERE startup_id = $1 AND NOT (sector_id = ANY($2))`, startup, pq.Array(sectors)); err != nil {
		return err
	}
	const q = `INSERT INTO startup_sectors (startup_id, sector_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`
	_, err := tx.ExecContext(ctx, q, startup, pq.Array(sectors))
	return err
}

// UpdateStartup applies changes if the startup is still at version.
func (s *Store) UpdateStartup(ctx context.Context, id int64, version int, c StartupChanges) error {
	return s.write(ctx, func(tx *sqlx.Tx) error {
		refs := []reference{}
		if c.FacilityID.Set {
			refs = append(refs, opt("input.facilityId", "facilities", c.FacilityID.Value))
		}
		for i, sid := range c.SectorIDs.Value {
			refs = append(refs, ref(fmt.Sprintf("input.sectorIds[%d]", i), "sectors", sid))
		}
		if err := requireRows(ctx, tx, refs...); err != nil {
			return err
		}
		names := NameChanges{NameKo: c.NameKo, NameEn: c.NameEn, AllowDuplicateName: c.AllowDuplicateName}
		if err := duplicateRename(ctx, tx, "startups", "Startup", id, names); err != nil {
			return err
		}
		if c.FoundedOn.Set && c.FoundedOn.Value != nil {
			if err := foundedBeforeHistory(ctx, tx, id, *c.FoundedOn.Value); err != nil {
				return err
			}
		}
		return audited(ctx, tx, "updateStartup", "startups", "Startup", id, func() error {
			var set []string
			args := sqlArgs{}
			add := func(col string, f bool, v any) {
				if f {
					set = append(set, col+" = "+args.add(v))
				}
			}
			add("name_ko", c.NameKo.Set, c.NameKo.Value)
			add("name_en", c.NameEn.Set, c.NameEn.Value)
			add("description_ko", c.DescriptionKo.Set, c.DescriptionKo.Value)
			add("description_en", c.DescriptionEn.Set, c.DescriptionEn.Value)
			add("founded_on", c.FoundedOn.Set, c.FoundedOn.Value)
			add("facility_id", c.FacilityID.Set, c.FacilityID.Value)
			set = append(set, "version = version + 1", "updated_at = now()")
			q := `UPDATE startups SET ` + strings.Join(set, ", ") + ` WHERE id = ` + args.add(id) + ` AND version = ` + args.add(version)
			res, err := tx.ExecContext(ctx, q, args.list...)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			if err := versioned(ctx, tx, "startups", id, n); err != nil {
				return err
			}
			if c.SectorIDs.Set {
				return setStartupSectors(ctx, tx, id, c.SectorIDs.Value)
			}
			return nil
		})
	})
}

// ArchiveStartup marks the startup archived if it is still at version.
func (s *Store) ArchiveStartup(ctx context.Context, id int64, version int) error {
	return s.write(ctx, func(tx *sqlx.Tx) error {
		return audited(ctx, tx, "archiveStartup", "startups", "Startup", id, func() error {
			const q = `UPDATE startups SET archived_at = COALESCE(archived_at, now()), version = version + 1, updated_at = now() WHERE id = $1 AND version = $2`
			res, err := tx.ExecContext(ctx, q, id, version)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			return versioned(ctx, tx, "startups", id, n)
		})
	})
}

// MoveStartupStage sets the startup's growth stage and records the change
// in its history. The history holds: the move is to another stage than
// the current one, dated not before the founding date nor the last
// change (and not in the future, which the caller checks), and a move
// back to an earlier stage gives a reason, kept in the audit record.
func (s *Store) MoveStartupStage(ctx context.Context, id int64, version int, stage string, on time.Time, note *string, reason string) error {
	return s.write(ctx, func(tx *sqlx.Tx) error {
		var cur struct {
			Stage    string     `db:"stage"`
			Founded  *time.Time `db:"founded_on"`
			Last     *time.Time `db:"last"`
			Archived bool       `db:"archived"`
		}
		const q = `SELECT s.stage, s.founded_on, (SELECT max(c.changed_on) FROM stage_changes c WHERE c.startup_id = s.id) AS last,
  s.archived_at IS NOT NULL AS archived
FROM startups s WHERE s.id = $1 FOR UPDATE`
		if err := tx.GetContext(ctx, &cur, q, id); err != nil {
			return fmt.Errorf("startup %d: %w", id, err)
		}
		if cur.Archived {
			// a stage change is a fact attached to the startup
			return apperr.Conflict("input.id", "refers to an archived record; unarchive it first")
		}
		problems := &apperr.InputError{}
		for _, p := range StageMoveProblems(History{Stage: cur.Stage, FoundedOn: cur.Founded, LastChange: cur.Last}, stage, on, reason) {
			problems.Add("input."+p.Field, "%s", p.Message)
		}
		if err := problems.Err(); err != nil {
			return err
		}
		before, err := snapshot(ctx, tx, "startups", id)
		if err != nil {
			return err
		}
		const u = `UPDATE startups SET stage = $3, version = version + 1, updated_at = now() WHERE id = $1 AND version = $2`
		res, err := tx.ExecContext(ctx, u, id, version, stage)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		if err := versioned(ctx, tx, "startups", id, n); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, `INSERT INTO stage_changes (startup_id, stage, changed_on, note) VALUES ($1, $2, $3, $4)`, id, stage, on, note); err != nil {
			return err
		}
		after, err := snapshot(ctx, tx, "startups", id)
		if err != nil {
			return err
		}
		return auditWhy(ctx, tx, "moveStartupStage", "Startup", id, before, after, reason)
	})
}

// StartupVersion returns a startup's version and archive time.
func (s *Store) StartupVersion(ctx context.Context, id int64) (int, *time.Time, error) {
	var r struct {
		Version    int        `db:"version"`
		ArchivedAt *time.Time `db:"archived_at"`
	}
	if err := s.reader(ctx).GetContext(ctx, &r, `SELECT version, archived_at FROM startups WHERE id = $1`, id); err != nil {
		return 0, nil, translate(fmt.Errorf("startup %d: %w", id, err))
	}
	return r.Version, r.ArchivedAt, nil
}

var _ = model.Startup{}

// foundedBeforeHistory refuses a founding date after the startup's first
// stage change or after an investment not marked pre-founding: the
// history would contradict itself.
func foundedBeforeHistory(ctx context.Context, tx *sqlx.Tx, id int64, founded time.Time) error {
	var first struct {
		Stage      *time.Time `db:"stage"`
		Investment *time.Time `db:"investment"`
	}
	const q = `SELECT (SELECT min(changed_on) FROM stage_changes WHERE startup_id = $1) AS stage,
  (SELECT min(invested_on) FROM investments WHERE startup_id = $1 AND NOT pre_founding) AS investment`
	if err := tx.GetContext(ctx, &first, q, id); err != nil {
		return err
	}
	if p := FoundedProblem(History{FirstChange: first.Stage, FirstInvestment: first.Investment}, founded); p != nil {
		return apperr.Invalid("input."+p.Field, "%s", p.Message)
	}
	return nil
}
