package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"startupgraph/internal/apperr"
	"startupgraph/internal/store"
)

// Options say how to run an import.
type Options struct {
	// DryRun checks the file and works out what it would create, update
	// and leave unchanged, in a transaction that is rolled back.
	DryRun bool
	// Today bounds dates that must not be in the future, and dates a
	// stage move that names none; zero is today (UTC).
	Today time.Time
}

// Report is what an import found and did. It is data: a file with
// problems is a report that lists them, not an error.
type Report struct {
	DryRun bool
	// Applied: the import was written (a real run without problems).
	Applied bool
	// Checksum is the SHA-256 of the files' bytes, in order (of the
	// file, for one file).
	Checksum string
	Files    []FileSum
	Problems []Problem
	Sheets   []SheetResult
	// BatchID is the import batch's row id (0 unless Applied); its audit
	// record has entity_type ImportBatch.
	BatchID int64
}

// FileSum is a file of the import and its SHA-256.
type FileSum struct {
	Name     string `json:"name"`
	Checksum string `json:"sha256"`
}

// SheetResult is what the import did (or, dry, would do) with a sheet's
// rows, by their natural keys.
type SheetResult struct {
	Sheet                       Kind
	Rows                        int
	Created, Updated, Unchanged []string
}

// Run reads files, checks every row and, when nothing is wrong, applies
// them all in one transaction (rolled back for a dry run). An error is a
// request that cannot be read at all (apperr.InputError on "file") or a
// failure of the database; problems with rows are in the report.
func Run(ctx context.Context, st *store.Store, files []File, opts Options) (*Report, error) {
	today := opts.Today
	if today.IsZero() {
		today = time.Now().UTC()
	}
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	rep := &Report{DryRun: opts.DryRun}
	if len(files) == 0 {
		return nil, apperr.Invalid("file", "give at least one file")
	}
	b := &batch{today: today, sheets: map[Kind]*parsed{}}
	all := sha256.New()
	for _, f := range files {
		sum, err := readFile(f, b.row)
		if err != nil {
			return nil, err
		}
		raw, _ := hex.DecodeString(sum)
		all.Write(raw)
		rep.Files = append(rep.Files, FileSum{Name: f.Name, Checksum: sum})
	}
	rep.Checksum = rep.Files[0].Checksum
	if len(files) > 1 {
		rep.Checksum = hex.EncodeToString(all.Sum(nil))
	}
	if len(b.sheets) == 0 && len(b.problems) == 0 {
		b.problem(Problem{Reason: "the file has no sheet of rows to import (" + kindNames() + ")"})
	}
	err := st.Import(ctx, func(ctx context.Context, tx *store.ImportTx) (bool, error) {
		a := &apply{batch: b, tx: tx, problems: slices.Clone(b.problems)}
		if err := a.lookup(ctx); err != nil {
			return false, err
		}
		a.check()
		rep.Problems, rep.Sheets = a.problems, nil
		if len(a.problems) > 0 {
			return false, nil
		}
		if err := tx.DeferFigures(ctx); err != nil {
			return false, err
		}
		results, summary, err := a.write(ctx)
		if err != nil {
			return false, err
		}
		if err := tx.RecountFigures(ctx, a.touched, setIDs(a.touchedMentors)); err != nil {
			return false, err
		}
		if err != nil {
			return false, err
		}
		rep.Sheets = results
		if opts.DryRun {
			return false, nil
		}
		summary["checksum"] = rep.Checksum
		summary["files"] = rep.Files
		id, err := tx.RecordImport(ctx, rep.Checksum, rep.Files, summary)
		rep.BatchID, rep.Applied = id, err == nil
		return err == nil, err
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

func kindNames() string {
	var out []string
	for _, k := range Kinds {
		out = append(out, string(k))
	}
	return strings.Join(out, ", ")
}

// batch is the files as read: a parsed sheet per kind, and the problems
// reading found.
type batch struct {
	today    time.Time
	sheets   map[Kind]*parsed
	problems []Problem
	current  *parsed
	skip     string // a sheet whose rows are not read (unknown, or a repeat)
}

func (b *batch) problem(p Problem) { b.problems = append(b.problems, p) }

// row takes one row of a file as it is read.
func (b *batch) row(sheet string, n int, cells []string) {
	if b.current != nil && b.current.name == sheet {
		b.current.add(n, cells, b.today, b.problem)
		return
	}
	if b.skip == sheet {
		return
	}
	b.current, b.skip = nil, ""
	k, ok := kindOf(sheet)
	if !ok {
		b.skip = sheet
		b.problem(Problem{Sheet: sheet, Reason: "is not a kind of row an import reads (" + kindNames() + ")"})
		return
	}
	if prev, dup := b.sheets[k]; dup {
		b.skip = sheet
		b.problem(Problem{Sheet: sheet, Reason: "holds " + string(k) + ", as " + prev.name + " does; put them in one"})
		return
	}
	p := &parsed{spec: sheets[k], name: sheet, keys: map[string]int{}}
	p.header(cells, b.problem)
	b.sheets[k], b.current = p, p
}

// apply is one attempt at the import's transaction: what the lookups
// found, the problems the checks found, and the ids rows resolve to.
type apply struct {
	*batch
	tx       *store.ImportTx
	problems []Problem

	refs     store.ImportRefs
	startups map[string]store.ExistingStartup
	mentors  map[string]store.RefRow
	names    map[string]map[string]store.NameMatch // "startups.name_ko" -> name -> match
	// file's own startups and mentors, by key: their row
	fileStartups, fileMentors map[string]row
	// touched are the startups whose rows of each table the import
	// wrote (their figures are recounted), touchedMentors the mentors
	// whose mentorships it wrote.
	touched        map[string][]int64
	touchedMentors map[int64]bool
}

func (a *apply) problem(p Problem) { a.problems = append(a.problems, p) }

// lookup reads what the checks compare the file with.
func (a *apply) lookup(ctx context.Context) error {
	var err error
	if a.refs, err = a.tx.Refs(ctx); err != nil {
		return err
	}
	a.fileStartups, a.fileMentors = map[string]row{}, map[string]row{}
	startupKeys, mentorKeys := map[string]bool{}, map[string]bool{}
	for _, k := range Kinds {
		p := a.sheets[k]
		if p == nil {
			continue
		}
		for _, r := range p.rows {
			for j, c := range p.spec.columns {
				v := r.vals[j]
				if v == nil {
					continue
				}
				switch {
				case k == Startups && c.name == "key":
					startupKeys[*v] = true
					if _, seen := a.fileStartups[*v]; !seen {
						a.fileStartups[*v] = r
					}
				case k == Mentors && c.name == "key":
					mentorKeys[*v] = true
					if _, seen := a.fileMentors[*v]; !seen {
						a.fileMentors[*v] = r
					}
				case c.ref == refStartup:
					startupKeys[*v] = true
				case c.ref == refMentor:
					mentorKeys[*v] = true
				}
			}
		}
	}
	if a.startups, err = a.tx.Startups(ctx, setKeys(startupKeys)); err != nil {
		return err
	}
	if a.mentors, err = a.tx.Mentors(ctx, setKeys(mentorKeys)); err != nil {
		return err
	}
	a.names = map[string]map[string]store.NameMatch{}
	for _, x := range []struct {
		kind         Kind
		table        string
		column, from string
	}{{Startups, "startups", "name_ko", "nameKo"}, {Startups, "startups", "name_en", "nameEn"},
		{Mentors, "mentors", "name_ko", "nameKo"}, {Mentors, "mentors", "name_en", "nameEn"}} {
		p := a.sheets[x.kind]
		if p == nil {
			continue
		}
		set := map[string]bool{}
		for _, r := range p.rows {
			if v := p.val(r, x.from); v != nil {
				set[*v] = true
			}
		}
		m, err := a.tx.NameMatches(ctx, x.table, x.column, setKeys(set))
		if err != nil {
			return err
		}
		a.names[x.table+"."+x.column] = m
	}
	return nil
}

func setIDs(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func setKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// check finds every problem that needs the database: keys that name
// nothing, archived nodes, duplicate names, and history that would
// contradict itself.
func (a *apply) check() {
	for _, k := range Kinds {
		p := a.sheets[k]
		if p == nil {
			continue
		}
		for _, r := range p.rows {
			a.checkRefs(p, r)
		}
	}
	a.checkNames(Startups, "startups", "startup")
	a.checkNames(Mentors, "mentors", "mentor")
	a.checkStartups()
	if p := a.sheets[Mentors]; p != nil {
		for _, r := range p.rows {
			if u, o := p.val(r, "university"), p.val(r, "organization"); u != nil && o != nil {
				a.problem(Problem{Sheet: p.name, Row: r.n, Column: "organization", Value: *o, Reason: "cannot be given with university: a mentor belongs to one or the other"})
			}
		}
	}
	for _, k := range []Kind{Assignments, Mentorships} {
		if p := a.sheets[k]; p != nil {
			for _, r := range p.rows {
				if s, u := p.val(r, "since"), p.val(r, "until"); s != nil && u != nil && *u < *s {
					a.problem(Problem{Sheet: p.name, Row: r.n, Column: "until", Value: *u, Reason: "is before since (" + *s + ")"})
				}
			}
		}
	}
	if p := a.sheets[Outcomes]; p != nil {
		for _, r := range p.rows {
			if k := p.val(r, "kind"); k != nil && *k == "EXPORT_CONTRACT" && p.val(r, "market") == nil {
				a.problem(Problem{Sheet: p.name, Row: r.n, Column: "market", Reason: "is required for an EXPORT_CONTRACT"})
			}
		}
	}
	if p := a.sheets[Investments]; p != nil {
		for _, r := range p.rows {
			on, s := p.val(r, "investedOn"), p.val(r, "startup")
			if on == nil || parseDate(on) == nil || s == nil || deref(p.val(r, "preFounding")) == "true" {
				continue
			}
			if ip := store.InvestmentProblem(parseDate(orNil(a.foundedOn(*s))), *parseDate(on), false); ip != nil {
				a.problem(Problem{Sheet: p.name, Row: r.n, Column: ip.Field, Value: *on, Reason: "stage history: " + ip.Message})
			}
		}
	}
}

// foundedOn is a startup's founding date as the file leaves it: the
// file's, or the stored one ("" when neither says).
func (a *apply) foundedOn(key string) string {
	if r, ok := a.fileStartups[key]; ok && a.sheets[Startups].given[a.sheets[Startups].spec.col("foundedOn")] {
		return deref(a.sheets[Startups].val(r, "foundedOn"))
	}
	if ex, ok := a.startups[key]; ok && ex.FoundedOn != nil {
		return ex.FoundedOn.Format(time.DateOnly)
	}
	return ""
}

// checkRefs checks that every key of r names a node, and that nothing
// new hangs from an archived one.
func (a *apply) checkRefs(p *parsed, r row) {
	for j, c := range p.spec.columns {
		v := r.vals[j]
		if v == nil || c.ref == refNone {
			continue
		}
		keys := []string{*v}
		if c.typ == tKeys {
			keys = strings.Split(*v, ",")
		}
		for _, key := range keys {
			found, archived, what := a.resolve(c.ref, key)
			switch {
			case !found:
				a.problem(Problem{Sheet: p.name, Row: r.n, Column: c.name, Value: key, Reason: "unknown " + what + " key: no " + what + " has it, here or in the file"})
			case archived && p.spec.kind != Startups && p.spec.kind != Mentors:
				a.problem(Problem{Sheet: p.name, Row: r.n, Column: c.name, Value: key, Reason: "refers to an archived " + what + "; unarchive it first"})
			}
		}
	}
}

// resolve finds a key of kind ref: whether it names a node (stored, or a
// row of the file), whether that node is archived, and what it is called.
func (a *apply) resolve(ref ref, key string) (found, archived bool, what string) {
	var m map[string]store.RefRow
	switch ref {
	case refStartup:
		if ex, ok := a.startups[key]; ok {
			return true, ex.Archived, "startup"
		}
		_, ok := a.fileStartups[key]
		return ok, false, "startup"
	case refMentor:
		if ex, ok := a.mentors[key]; ok {
			return true, ex.Archived, "mentor"
		}
		_, ok := a.fileMentors[key]
		return ok, false, "mentor"
	case refUniversity:
		m, what = a.refs.Universities, "university"
	case refOrganization:
		m, what = a.refs.Organizations, "organization"
	case refSector:
		m, what = a.refs.Sectors, "sector"
	case refFund:
		m, what = a.refs.Funds, "fund"
	case refProgram:
		m, what = a.refs.Programs, "program"
	case refCohort:
		m, what = a.refs.Cohorts, "cohort"
	case refMarket:
		m, what = a.refs.Markets, "market"
	}
	x, ok := m[key]
	return ok, x.Archived, what
}

// id is the row id a key of kind ref names (after the file's own rows
// are written, for startups and mentors).
func (a *apply) id(ref ref, key string, created map[string]int64) int64 {
	switch ref {
	case refStartup:
		if ex, ok := a.startups[key]; ok {
			return ex.ID
		}
		return created["startup:"+key]
	case refMentor:
		if ex, ok := a.mentors[key]; ok {
			return ex.ID
		}
		return created["mentor:"+key]
	case refUniversity:
		return a.refs.Universities[key].ID
	case refOrganization:
		return a.refs.Organizations[key].ID
	case refSector:
		return a.refs.Sectors[key].ID
	case refFund:
		return a.refs.Funds[key].ID
	case refProgram:
		return a.refs.Programs[key].ID
	case refCohort:
		return a.refs.Cohorts[key].ID
	case refMarket:
		return a.refs.Markets[key].ID
	}
	return 0
}

// checkNames refuses, as createStartup and createMentor do, a new node
// whose Korean or English name matches an existing one's (name_key), and
// two new rows of the file whose names match each other, unless the row
// allows duplicate names.
func (a *apply) checkNames(k Kind, table, what string) {
	p := a.sheets[k]
	if p == nil {
		return
	}
	existing := a.startups
	for _, col := range []struct{ name, column string }{{"nameKo", "name_ko"}, {"nameEn", "name_en"}} {
		matches := a.names[table+"."+col.column]
		firstRow := map[string]row{}
		for _, r := range p.rows {
			key, name := p.val(r, "key"), p.val(r, col.name)
			if key == nil || name == nil || deref(p.val(r, "allowDuplicateName")) == "true" {
				continue
			}
			isNew := false
			if k == Startups {
				_, found := existing[*key]
				isNew = !found
			} else {
				_, found := a.mentors[*key]
				isNew = !found
			}
			if !isNew {
				continue
			}
			m := matches[*name]
			if m.Existing != "" && m.Existing != *key {
				a.problem(Problem{Sheet: p.name, Row: r.n, Column: col.name, Value: *name,
					Reason: "duplicate name: matches the name of the existing " + what + " " + m.Existing + " (ignoring case, width and spaces); set allowDuplicateName to true to create it anyway"})
				continue
			}
			if first, ok := firstRow[m.NameKey]; ok && deref(p.val(first, "key")) != *key {
				a.problem(Problem{Sheet: p.name, Row: r.n, Column: col.name, Value: *name,
					Reason: fmt.Sprintf("duplicate name: matches the name of row %d (%s)", first.n, deref(p.val(first, "key")))})
				continue
			}
			if m.NameKey != "" {
				firstRow[m.NameKey] = r
			}
		}
	}
}

// checkStartups holds each startup row to the rules of its history
// (store.StageMoveProblems, store.FoundedProblem): a stage move for an
// existing startup is to another stage, backwards only with a reason,
// dated not before its founding date nor its last change; a founding
// date is not after its first stage change or an investment.
func (a *apply) checkStartups() {
	p := a.sheets[Startups]
	if p == nil {
		return
	}
	fields := map[string]string{"stage": "stage", "reason": "stageReason", "changedOn": "stageChangedOn", "foundedOn": "foundedOn"}
	for _, r := range p.rows {
		key := p.val(r, "key")
		if key == nil {
			continue
		}
		founded := parseDate(p.val(r, "foundedOn"))
		on := parseDate(p.val(r, "stageChangedOn"))
		stage := deref(p.val(r, "stage"))
		ex, exists := a.startups[*key]
		if !exists {
			if on != nil && founded != nil && on.Before(*founded) {
				a.problem(Problem{Sheet: p.name, Row: r.n, Column: "stageChangedOn", Value: on.Format(time.DateOnly),
					Reason: "must not be before the founding date (" + founded.Format(time.DateOnly) + ")"})
			}
			continue
		}
		h := store.History{Stage: ex.Stage, FoundedOn: ex.FoundedOn, FirstChange: ex.FirstChange, LastChange: ex.LastChange, FirstInvestment: ex.FirstInvestment}
		if p.given[p.spec.col("foundedOn")] {
			h.FoundedOn = founded
			// an unchanged date is no change: the rule is a write's
			if founded != nil && (ex.FoundedOn == nil || !founded.Equal(*ex.FoundedOn)) {
				if fp := store.FoundedProblem(h, *founded); fp != nil {
					a.problem(Problem{Sheet: p.name, Row: r.n, Column: fields[fp.Field], Value: founded.Format(time.DateOnly), Reason: fp.Message})
				}
			}
		}
		if stage == "" || stage == ex.Stage {
			continue
		}
		if on == nil {
			on = &a.today
		}
		for _, sp := range store.StageMoveProblems(h, stage, *on, deref(p.val(r, "stageReason"))) {
			col := fields[sp.Field]
			val := map[string]string{"stage": stage, "stageReason": deref(p.val(r, "stageReason")), "stageChangedOn": on.Format(time.DateOnly)}[col]
			a.problem(Problem{Sheet: p.name, Row: r.n, Column: col, Value: val, Reason: "stage history: " + sp.Message})
		}
	}
}

// orNil is nil for "".
func orNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func parseDate(s *string) *time.Time {
	if s == nil {
		return nil
	}
	d, err := time.Parse(time.DateOnly, *s)
	if err != nil {
		return nil
	}
	return &d
}

// write applies the rows, kind by kind: what each created, updated and
// left unchanged, and the summary its audit record keeps.
func (a *apply) write(ctx context.Context) ([]SheetResult, map[string]any, error) {
	created := map[string]int64{}
	var results []SheetResult
	summary := map[string]any{}
	var moves []map[string]string
	for _, k := range Kinds {
		p := a.sheets[k]
		if p == nil {
			continue
		}
		tbl := store.ImportTable{Table: p.spec.table, Version: p.spec.version, Key: k == Startups || k == Mentors}
		for j, c := range p.spec.columns {
			if c.sql == "" {
				continue
			}
			col := store.ImportColumn{Name: c.sql, Type: c.sqlType, Given: p.given[j], Nullable: !c.required, Values: make([]*string, len(p.rows))}
			for i, r := range p.rows {
				v := r.vals[j]
				switch {
				case v != nil && c.ref != refNone:
					id := strconv.FormatInt(a.id(c.ref, *v, created), 10)
					v = &id
				case v == nil && c.def != "":
					d := c.def
					v = &d
				}
				col.Values[i] = v
			}
			if c.match {
				tbl.Match = append(tbl.Match, col)
			} else {
				tbl.Set = append(tbl.Set, col)
			}
		}
		if k == Startups {
			// an empty stage keeps an existing startup's stage
			st := p.spec.col("stage")
			for i := range tbl.Set {
				if tbl.Set[i].Name == "stage" {
					for ri, r := range p.rows {
						if r.vals[st] == nil {
							if ex, ok := a.startups[*r.vals[p.spec.col("key")]]; ok {
								s := ex.Stage
								tbl.Set[i].Values[ri] = &s
							}
						}
					}
				}
			}
		}
		res, err := a.tx.Upsert(ctx, tbl)
		if err != nil {
			return nil, nil, fmt.Errorf("import %s: %w", k, err)
		}
		prefix := map[Kind]string{Startups: "startup:", Mentors: "mentor:"}[k]
		for key, id := range res.IDs {
			created[prefix+key] = id
		}
		changed := map[int]bool{}
		for _, i := range res.Updated {
			changed[i] = true
		}
		isNew := map[int]bool{}
		for _, i := range res.Created {
			isNew[i] = true
		}
		switch k {
		case Startups:
			var entries []store.StageEntry
			for i, r := range p.rows {
				key := *r.vals[p.spec.col("key")]
				stage := deref(r.vals[p.spec.col("stage")])
				on := parseDate(r.vals[p.spec.col("stageChangedOn")])
				if isNew[i] {
					if stage == "" {
						stage = "IDEA"
					}
					d := a.today
					if on != nil {
						d = *on
					} else if f := parseDate(r.vals[p.spec.col("foundedOn")]); f != nil {
						d = *f
					}
					entries = append(entries, store.StageEntry{StartupID: created["startup:"+key], Stage: stage, On: d})
					continue
				}
				if ex := a.startups[key]; stage != "" && stage != ex.Stage {
					d := a.today
					if on != nil {
						d = *on
					}
					entries = append(entries, store.StageEntry{StartupID: ex.ID, Stage: stage, On: d})
					moves = append(moves, map[string]string{"startup": key, "from": ex.Stage, "to": stage, "on": d.Format(time.DateOnly), "reason": deref(r.vals[p.spec.col("stageReason")])})
				}
			}
			if err := a.tx.AddStageHistory(ctx, entries); err != nil {
				return nil, nil, err
			}
			if err := a.links(ctx, p, refStartup, store.StartupSectorLinks, "startups", created, changed, isNew); err != nil {
				return nil, nil, err
			}
		case Mentors:
			if err := a.links(ctx, p, refMentor, store.MentorSectorLinks, "mentors", created, changed, isNew); err != nil {
				return nil, nil, err
			}
		}
		var written []int
		for i := range p.rows {
			if isNew[i] || changed[i] {
				written = append(written, i)
			}
		}
		a.touch(p, k, created, written)
		sr := SheetResult{Sheet: k, Rows: len(p.rows)}
		for i, r := range p.rows {
			switch {
			case isNew[i]:
				sr.Created = append(sr.Created, r.key)
			case changed[i]:
				sr.Updated = append(sr.Updated, r.key)
			default:
				sr.Unchanged = append(sr.Unchanged, r.key)
			}
		}
		results = append(results, sr)
		summary[string(k)] = map[string]any{"created": sr.Created, "updated": sr.Updated, "unchanged": len(sr.Unchanged)}
	}
	if len(moves) > 0 {
		summary["stageMoves"] = moves
	}
	return results, summary, nil
}

// touch notes the startups (and mentors) whose rows of p's table the
// rows at idx wrote; a startup row touches its stage history and sectors.
func (a *apply) touch(p *parsed, k Kind, created map[string]int64, idx []int) {
	if a.touched == nil {
		a.touched, a.touchedMentors = map[string][]int64{}, map[int64]bool{}
	}
	table := p.spec.table
	if k == Startups {
		table = "stage_changes"
	}
	if k == Mentors {
		return // a mentor's own row moves no figure
	}
	for _, i := range idx {
		r := p.rows[i]
		if k == Startups {
			a.touched[table] = append(a.touched[table], a.id(refStartup, *p.val(r, "key"), created))
			continue
		}
		a.touched[table] = append(a.touched[table], a.id(refStartup, *p.val(r, "startup"), created))
		if k == Mentorships {
			a.touchedMentors[a.id(refMentor, *p.val(r, "mentor"), created)] = true
		}
	}
}

// links sets the sectors of a sheet's rows when the sheet gives them;
// an existing row whose sectors changed, and nothing else, is updated
// (its version moves on).
func (a *apply) links(ctx context.Context, p *parsed, owner ref, l store.Links, table string, created map[string]int64, changed, isNew map[int]bool) error {
	j := p.spec.col("sectors")
	if !p.given[j] {
		return nil
	}
	want := map[int64][]int64{}
	rowOf := map[int64]int{}
	for i, r := range p.rows {
		id := a.id(owner, *r.vals[p.spec.col("key")], created)
		rowOf[id] = i
		want[id] = []int64{}
		if v := r.vals[j]; v != nil {
			for _, key := range strings.Split(*v, ",") {
				want[id] = append(want[id], a.id(refSector, key, created))
			}
		}
	}
	ids, err := a.tx.SetLinks(ctx, l, want)
	if err != nil {
		return err
	}
	var bump []int64
	for _, id := range ids {
		if i := rowOf[id]; !changed[i] && !isNew[i] {
			bump = append(bump, id)
			changed[i] = true
		}
	}
	return a.tx.BumpVersions(ctx, table, bump)
}
