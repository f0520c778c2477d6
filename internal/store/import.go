package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"startupgraph/internal/requestid"
	"startupgraph/internal/viewer"
)

// Imports (issue 20): a file of rows named by natural keys is validated
// and written in one transaction (internal/importer parses and checks it;
// this file holds its SQL). Each kind of row is written by Upsert: an
// update of the rows that exist and differ (their version moves on), then
// an insert of those that do not exist; rows that exist and match are
// left alone, so importing a file twice changes nothing the second time.

// importChunk bounds the rows of one statement, so no parameter array
// or result grows with the file.
const importChunk = 5000

// errNoCommit ends an import's transaction without committing it: a
// dry run, or a file with problems.
var errNoCommit = errors.New("import: rolled back")

// ImportTx is an import's transaction: the lookups its checks read and
// the writes that apply it.
type ImportTx struct {
	tx *sqlx.Tx
}

// Import runs fn in one transaction and commits it when fn returns true;
// otherwise nothing fn wrote stays (a dry run sees what a real run would
// do, and writes nothing). Imports run one at a time (an advisory lock
// for the transaction), so one import's lookups hold until it commits.
func (s *Store) Import(ctx context.Context, fn func(context.Context, *ImportTx) (commit bool, err error)) error {
	err := s.write(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('startupgraph import', 20))`); err != nil {
			return err
		}
		commit, err := fn(ctx, &ImportTx{tx: tx})
		if err != nil {
			return err
		}
		if !commit {
			return errNoCommit
		}
		return nil
	})
	if errors.Is(err, errNoCommit) {
		return nil
	}
	return err
}

// RefRow is a reference node an import may name: its row id and whether
// it is archived (nothing new may be attached to it then).
type RefRow struct {
	ID       int64
	Archived bool
}

// ImportRefs are the nodes an import names but never writes, by key (a
// market by its code).
type ImportRefs struct {
	Universities, Organizations, Sectors, Funds, Programs, Cohorts, Markets map[string]RefRow
}

// Refs reads every reference node's key. They are few (tens to
// thousands), so one statement each reads them whole.
func (t *ImportTx) Refs(ctx context.Context) (ImportRefs, error) {
	var r ImportRefs
	for _, x := range []struct {
		into *map[string]RefRow
		q    string
	}{
		{&r.Universities, `SELECT key, id, false AS archived FROM universities`},
		{&r.Organizations, `SELECT key, id, false AS archived FROM organizations`},
		{&r.Sectors, `SELECT key, id, false AS archived FROM sectors`},
		{&r.Funds, `SELECT key, id, archived_at IS NOT NULL AS archived FROM funds`},
		{&r.Programs, `SELECT key, id, archived_at IS NOT NULL AS archived FROM programs`},
		{&r.Cohorts, `SELECT key, id, archived_at IS NOT NULL AS archived FROM cohorts`},
		{&r.Markets, `SELECT code AS key, id, archived_at IS NOT NULL AS archived FROM markets`},
	} {
		var rows []struct {
			Key      string `db:"key"`
			ID       int64  `db:"id"`
			Archived bool   `db:"archived"`
		}
		if err := t.tx.SelectContext(ctx, &rows, x.q); err != nil {
			return r, err
		}
		m := make(map[string]RefRow, len(rows))
		for _, row := range rows {
			m[row.Key] = RefRow{ID: row.ID, Archived: row.Archived}
		}
		*x.into = m
	}
	return r, nil
}

// ExistingStartup is what an import's checks need of a startup it names:
// its stage and the dates its history holds to.
type ExistingStartup struct {
	ID        int64
	Archived  bool
	Stage     string
	FoundedOn *time.Time
	// FirstChange and LastChange are its stage history's first and last
	// dates; FirstInvestment its first investment not marked pre-founding.
	FirstChange, LastChange, FirstInvestment *time.Time
}

// Startups reads the startups of keys that exist.
func (t *ImportTx) Startups(ctx context.Context, keys []string) (map[string]ExistingStartup, error) {
	out := make(map[string]ExistingStartup, len(keys))
	const q = `
SELECT s.key, s.id, s.archived_at IS NOT NULL AS archived, s.stage, s.founded_on,
  (SELECT min(c.changed_on) FROM stage_changes c WHERE c.startup_id = s.id) AS first_change,
  (SELECT max(c.changed_on) FROM stage_changes c WHERE c.startup_id = s.id) AS last_change,
  (SELECT min(i.invested_on) FROM investments i WHERE i.startup_id = s.id AND NOT i.pre_founding) AS first_investment
FROM startups s WHERE s.key = ANY($1)`
	for chunk := range chunks(keys) {
		var rows []struct {
			Key             string     `db:"key"`
			ID              int64      `db:"id"`
			Archived        bool       `db:"archived"`
			Stage           string     `db:"stage"`
			FoundedOn       *time.Time `db:"founded_on"`
			FirstChange     *time.Time `db:"first_change"`
			LastChange      *time.Time `db:"last_change"`
			FirstInvestment *time.Time `db:"first_investment"`
		}
		if err := t.tx.SelectContext(ctx, &rows, q, pq.Array(chunk)); err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.Key] = ExistingStartup{ID: r.ID, Archived: r.Archived, Stage: r.Stage, FoundedOn: r.FoundedOn,
				FirstChange: r.FirstChange, LastChange: r.LastChange, FirstInvestment: r.FirstInvestment}
		}
	}
	return out, nil
}

// Mentors reads the mentors of keys that exist.
func (t *ImportTx) Mentors(ctx context.Context, keys []string) (map[string]RefRow, error) {
	out := make(map[string]RefRow, len(keys))
	for chunk := range chunks(keys) {
		var rows []struct {
			Key      string `db:"key"`
			ID       int64  `db:"id"`
			Archived bool   `db:"archived"`
		}
		const q = `SELECT key, id, archived_at IS NOT NULL AS archived FROM mentors WHERE key = ANY($1)`
		if err := t.tx.SelectContext(ctx, &rows, q, pq.Array(chunk)); err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.Key] = RefRow{ID: r.ID, Archived: r.Archived}
		}
	}
	return out, nil
}

// NameMatch is a name as duplicate checks compare it (name_key, migration
// 00016), and the key of the first existing node of the table whose name
// in the same language matches it ("" when none does).
type NameMatch struct {
	NameKey  string
	Existing string
}

// NameMatches compares names with the column (name_ko or name_en) of
// table (startups or mentors), as duplicateName does for a create, through
// the same expression index.
func (t *ImportTx) NameMatches(ctx context.Context, table, column string, names []string) (map[string]NameMatch, error) {
	if (table != "startups" && table != "mentors") || (column != "name_ko" && column != "name_en") {
		return nil, fmt.Errorf("no name matching for %s.%s", table, column)
	}
	out := make(map[string]NameMatch, len(names))
	q := `SELECT u.n AS name, name_key(u.n) AS name_key,
  COALESCE((SELECT t.key FROM ` + table + ` t WHERE name_key(t.` + column + `) = name_key(u.n) ORDER BY t.id LIMIT 1), '') AS existing
FROM unnest($1::text[]) u(n)`
	for chunk := range chunks(names) {
		var rows []struct {
			Name     string `db:"name"`
			NameKey  string `db:"name_key"`
			Existing string `db:"existing"`
		}
		if err := t.tx.SelectContext(ctx, &rows, q, pq.Array(chunk)); err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.Name] = NameMatch{NameKey: r.NameKey, Existing: r.Existing}
		}
	}
	return out, nil
}

// ImportColumn is a column of the rows an import writes: its name and
// SQL type, one value per row as text (nil for NULL; a date as
// 2006-01-02; a text[] column as its elements joined by commas), and
// whether the file gave it: a column the file left out is written for
// new rows (the caller puts its default in Values) but keeps an existing
// row's value.
type ImportColumn struct {
	Name, Type string
	Values     []*string
	Given      bool
	// Nullable: a NULL in this Match column matches a NULL (an outcome
	// without a market).
	Nullable bool
}

// ImportTable is one kind of row to write: Match names a row (its natural
// key, compared by equality), Set is the rest. Version:
// the table's version moves on when a row changes. Key: Match's first
// column is a unique key whose created rows' ids Upsert returns.
type ImportTable struct {
	Table      string
	Match, Set []ImportColumn
	Version    bool
	Key        bool
}

// ImportResult is what Upsert did, by row index: rows created (with their
// new ids when the table has a Key) and rows updated; the others existed
// unchanged.
type ImportResult struct {
	Created, Updated []int
	IDs              map[string]int64
}

// Upsert writes the rows of tbl: existing rows that differ in a given
// column are updated, missing rows are inserted, matching rows are left
// alone (their version and updated_at stay).
func (t *ImportTx) Upsert(ctx context.Context, tbl ImportTable) (ImportResult, error) {
	res := ImportResult{IDs: map[string]int64{}}
	cols := append(append([]ImportColumn{}, tbl.Match...), tbl.Set...)
	if len(cols) == 0 || len(cols[0].Values) == 0 {
		return res, nil
	}
	n := len(cols[0].Values)
	table := pq.QuoteIdentifier(tbl.Table)
	var params, names []string
	for i, c := range cols {
		params = append(params, fmt.Sprintf("$%d::text[]", i+1))
		names = append(names, pq.QuoteIdentifier(c.Name))
	}
	with := `WITH w AS (SELECT * FROM unnest(` + strings.Join(params, ", ") + `) WITH ORDINALITY AS w(` + strings.Join(names, ", ") + `, n))`
	value := func(c ImportColumn) string {
		v := "w." + pq.QuoteIdentifier(c.Name)
		if c.Type == "text[]" {
			return "CASE WHEN COALESCE(" + v + ", '') = '' THEN '{}'::text[] ELSE string_to_array(" + v + ", ',') END"
		}
		return v + "::" + c.Type
	}
	var match []string
	for _, c := range tbl.Match {
		col := "t." + pq.QuoteIdentifier(c.Name)
		if c.Nullable {
			// IS NOT DISTINCT FROM reads no index: only where a NULL must match
			match = append(match, "("+col+" = "+value(c)+" OR ("+col+" IS NULL AND "+value(c)+" IS NULL))")
		} else {
			match = append(match, col+" = "+value(c))
		}
	}
	where := strings.Join(match, " AND ")
	var set, mine, theirs []string
	for _, c := range tbl.Set {
		if !c.Given {
			continue
		}
		set = append(set, pq.QuoteIdentifier(c.Name)+" = "+value(c))
		mine = append(mine, "t."+pq.QuoteIdentifier(c.Name))
		theirs = append(theirs, value(c))
	}
	update := ""
	if len(set) > 0 {
		if tbl.Version {
			set = append(set, "version = t.version + 1")
		}
		update = with + ` UPDATE ` + table + ` t SET ` + strings.Join(set, ", ") + ` FROM w WHERE ` + where +
			` AND (` + strings.Join(mine, ", ") + `, NULL) IS DISTINCT FROM (` + strings.Join(theirs, ", ") + `, NULL) RETURNING w.n`
	}
	missing := with + ` SELECT w.n FROM w WHERE NOT EXISTS (SELECT 1 FROM ` + table + ` t WHERE ` + where + `) ORDER BY w.n`
	var values []string
	for _, c := range cols {
		values = append(values, value(c))
	}
	returning := ""
	if tbl.Key {
		returning = ` RETURNING id, ` + pq.QuoteIdentifier(tbl.Match[0].Name) + ` AS key`
	}
	insert := with + ` INSERT INTO ` + table + ` (` + strings.Join(names, ", ") + `, provenance) SELECT ` + strings.Join(values, ", ") +
		`, 'API' FROM w WHERE NOT EXISTS (SELECT 1 FROM ` + table + ` t WHERE ` + where + `) ORDER BY w.n` + returning

	for lo := 0; lo < n; lo += importChunk {
		hi := min(lo+importChunk, n)
		args := make([]any, len(cols))
		for i, c := range cols {
			args[i] = pq.Array(nullStrings(c.Values[lo:hi]))
		}
		collect := func(q string, into *[]int) error {
			var got []int
			if err := t.tx.SelectContext(ctx, &got, q, args...); err != nil {
				return err
			}
			for _, g := range got {
				*into = append(*into, lo+g-1)
			}
			return nil
		}
		if update != "" {
			if err := collect(update, &res.Updated); err != nil {
				return res, err
			}
		}
		if err := collect(missing, &res.Created); err != nil {
			return res, err
		}
		if tbl.Key {
			var rows []struct {
				ID  int64  `db:"id"`
				Key string `db:"key"`
			}
			if err := t.tx.SelectContext(ctx, &rows, insert, args...); err != nil {
				return res, err
			}
			for _, r := range rows {
				res.IDs[r.Key] = r.ID
			}
		} else if _, err := t.tx.ExecContext(ctx, insert, args...); err != nil {
			return res, err
		}
	}
	return res, nil
}

// nullStrings turns optional texts into an array parameter's elements.
func nullStrings(vs []*string) []sql.NullString {
	out := make([]sql.NullString, len(vs))
	for i, v := range vs {
		if v != nil {
			out[i] = sql.NullString{String: *v, Valid: true}
		}
	}
	return out
}

// Links names the link table of a node's sectors: startup_sectors or
// mentor_sectors.
type Links struct{ Table, Owner, Target string }

var (
	// StartupSectorLinks are startups' sectors.
	StartupSectorLinks = Links{"startup_sectors", "startup_id", "sector_id"}
	// MentorSectorLinks are mentors' sectors.
	MentorSectorLinks = Links{"mentor_sectors", "mentor_id", "sector_id"}
)

// SetLinks makes the links of each owner exactly want[owner] and returns
// the owners whose links changed.
func (t *ImportTx) SetLinks(ctx context.Context, l Links, want map[int64][]int64) ([]int64, error) {
	owners := make([]int64, 0, len(want))
	for o := range want {
		owners = append(owners, o)
	}
	changed := map[int64]bool{}
	for lo := 0; lo < len(owners); lo += importChunk {
		part := owners[lo:min(lo+importChunk, len(owners))]
		var os, ts []int64
		for _, o := range part {
			for _, x := range want[o] {
				os, ts = append(os, o), append(ts, x)
			}
		}
		q := `WITH want AS (SELECT * FROM unnest($1::bigint[], $2::bigint[]) AS w(o, x)),
del AS (DELETE FROM ` + l.Table + ` l WHERE l.` + l.Owner + ` = ANY($3) AND NOT EXISTS
  (SELECT 1 FROM want WHERE want.o = l.` + l.Owner + ` AND want.x = l.` + l.Target + `) RETURNING l.` + l.Owner + ` AS o),
ins AS (INSERT INTO ` + l.Table + ` (` + l.Owner + `, ` + l.Target + `) SELECT o, x FROM want ON CONFLICT DO NOTHING RETURNING ` + l.Owner + ` AS o)
SELECT DISTINCT o FROM (SELECT o FROM del UNION ALL SELECT o FROM ins) c`
		var got []int64
		if err := t.tx.SelectContext(ctx, &got, q, pq.Array(os), pq.Array(ts), pq.Array(part)); err != nil {
			return nil, err
		}
		for _, o := range got {
			changed[o] = true
		}
	}
	out := make([]int64, 0, len(changed))
	for o := range changed {
		out = append(out, o)
	}
	return out, nil
}

// BumpVersions moves on the version of the rows of table (startups or
// mentors) with ids: their links changed, not their own columns.
func (t *ImportTx) BumpVersions(ctx context.Context, table string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := t.tx.ExecContext(ctx, `UPDATE `+pq.QuoteIdentifier(table)+` SET version = version + 1 WHERE id = ANY($1)`, pq.Array(ids))
	return err
}

// StageEntry is an entry of a startup's stage history an import adds.
type StageEntry struct {
	StartupID int64
	Stage     string
	On        time.Time
}

// AddStageHistory records stage entries (their startups' stage is
// already set).
func (t *ImportTx) AddStageHistory(ctx context.Context, entries []StageEntry) error {
	for lo := 0; lo < len(entries); lo += importChunk {
		part := entries[lo:min(lo+importChunk, len(entries))]
		ids, stages, dates := make([]int64, len(part)), make([]string, len(part)), make([]string, len(part))
		for i, e := range part {
			ids[i], stages[i], dates[i] = e.StartupID, e.Stage, e.On.Format(time.DateOnly)
		}
		const q = `INSERT INTO stage_changes (startup_id, stage, changed_on) SELECT * FROM unnest($1::bigint[], $2::text[], $3::date[])`
		if _, err := t.tx.ExecContext(ctx, q, pq.Array(ids), pq.Array(stages), pq.Array(dates)); err != nil {
			return err
		}
	}
	return nil
}

// RecordImport keeps the batch (its checksum, files and what it did) and
// writes its one audit record, whose after is summary. It returns the
// batch's id.
func (t *ImportTx) RecordImport(ctx context.Context, checksum string, files, summary any) (int64, error) {
	v := viewer.From(ctx)
	var keyID *int64
	if v.KeyID != 0 {
		keyID = &v.KeyID
	}
	fb, err := json.Marshal(files)
	if err != nil {
		return 0, err
	}
	sb, err := json.Marshal(summary)
	if err != nil {
		return 0, err
	}
	var id int64
	const q = `INSERT INTO import_batches (checksum, files, counts, actor_key_id, actor_name) VALUES ($1, $2, $3, $4, $5) RETURNING id`
	if err := t.tx.GetContext(ctx, &id, q, checksum, string(fb), string(sb), keyID, v.KeyName); err != nil {
		return 0, err
	}
	const a = `
INSERT INTO audit_log (actor_key_id, actor_name, actor_role, request_id, action, entity_type, entity_id, before, after, reason)
VALUES ($1, $2, $3, NULLIF($4, ''), 'importData', 'ImportBatch', $5, NULL, $6, $7)`
	_, err = t.tx.ExecContext(ctx, a, keyID, v.KeyName, string(v.Role), requestid.From(ctx), id, string(sb), "file checksum sha256:"+checksum)
	return id, err
}

// chunks yields keys in parts of at most importChunk.
func chunks(keys []string) func(func([]string) bool) {
	return func(yield func([]string) bool) {
		for lo := 0; lo < len(keys); lo += importChunk {
			if !yield(keys[lo:min(lo+importChunk, len(keys))]) {
				return
			}
		}
	}
}

// DeferFigures makes the kept figures (migration 00010) and insight
// totals (00014) wait for RecountFigures: their statement triggers would
// otherwise recount after each chunk of each table, what a bulk load
// defers (startupgraph.figures_deferred, as the synthetic load does). The
// stage days of 00012 are kept as each statement runs.
func (t *ImportTx) DeferFigures(ctx context.Context) error {
	_, err := t.tx.ExecContext(ctx, `SET LOCAL startupgraph.figures_deferred = 'on'`)
	return err
}

// RecountFigures ends DeferFigures: it recounts, with the functions the
// triggers call, the figures of the startups whose rows of each table
// (investments, mentorships, market_targets, outcomes, stage_changes) an
// import wrote, the mentors' counts, and the insight totals of every
// startup it touched.
func (t *ImportTx) RecountFigures(ctx context.Context, byTable map[string][]int64, mentors []int64) error {
	if _, err := t.tx.ExecContext(ctx, `SET LOCAL startupgraph.figures_deferred = 'off'`); err != nil {
		return err
	}
	all := map[int64]bool{}
	for table, ids := range byTable {
		slices.Sort(ids)
		ids = slices.Compact(ids)
		for _, id := range ids {
			all[id] = true
		}
		if err := t.each(ctx, `SELECT startup_figures_recount($1::bigint[], $2)`, ids, table); err != nil {
			return err
		}
	}
	if err := t.each(ctx, `SELECT mentor_figures_recount($1::bigint[])`, mentors); err != nil {
		return err
	}
	ids := make([]int64, 0, len(all))
	for id := range all {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return t.each(ctx, `SELECT insight_recount($1::bigint[])`, ids)
}

// each runs q for ids in chunks of importChunk (its first parameter),
// so no one statement nears the session's statement timeout.
func (t *ImportTx) each(ctx context.Context, q string, ids []int64, more ...any) error {
	for lo := 0; lo < len(ids); lo += importChunk {
		args := append([]any{pq.Array(ids[lo:min(lo+importChunk, len(ids))])}, more...)
		if _, err := t.tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}
