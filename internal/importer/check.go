package importer

// The checks that need the database, in the import's transaction: what
// the lookups read, and the rules of keys, names and stage history.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"startupgraph/internal/store"
)

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
