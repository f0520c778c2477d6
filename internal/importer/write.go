package importer

// Writing a checked file: each kind's rows through store.Upsert, then
// stage history, sectors and the startups whose figures to recount.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"startupgraph/internal/store"
)

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
