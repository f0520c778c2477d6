package synthetic

import (
	"strconv"
)

// Startups: everything drawn for one startup (its stage history, cohort,
// assignments, mentors, investments, market targets and outcomes), from
// the startup's own stream.

// startupPlan is one startup as drawn, before it is copied.
type startupPlan struct {
	stage       int // index into stages
	founded     int
	facility    int64
	sectors     []int
	changes     []stageChange
	cohort      int // -1: none
	joined      int
	assignments []assignment
	mentorships []mentorship
	investments []investment
	targets     []marketTarget
	outcomes    []outcome
}

type stageChange struct{ stage, day int }

type assignment struct {
	university      int64
	purpose, status string
	since, until    int // until -1: open
}

type mentorship struct {
	mentor       int
	focus        string
	since, until int // until -1: open
}

type investment struct {
	synthetic int   // index of a synthetic fund, or -1
	fund      int64 // an existing fund when synthetic is -1
	amount    int64
	day       int
	round     string
}

type marketTarget struct {
	market   int64
	status   string
	priority int
	program  int64
	since    int
}

type outcome struct {
	kind     string
	day      int
	quantity int
	amount   int64 // 0: none
	market   int64
}

// eachStartup generates the startups in index order and calls fn with each.
// The existing funds' budgets are reset first: they are the only state
// shared between startups, so every pass sees the same graph.
func (g *generator) eachStartup(fn func(i int, p *startupPlan) error) error {
	for f, fund := range g.base.Funds {
		g.budget[f] = max(0, fund.Available)
	}
	for i := range g.n {
		if err := fn(i, g.startup(i)); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) startup(i int) *startupPlan {
	g.reseed(streamStartup, i)
	r, p := g.rnd, &g.p
	p.stage = g.pick(stageWeights)
	p.founded = r.IntN(lastFounded + 1)
	p.facility = 0
	if len(g.base.Offices) > 0 && r.IntN(100) < 15 {
		p.facility = g.base.Offices[r.IntN(len(g.base.Offices))]
	}
	p.sectors = g.twoSectors(p.sectors[:0])

	// The stage history: IDEA alone, or FOUNDING on the founding day and
	// every later stage up to the current one on strictly later days.
	p.changes = p.changes[:0]
	if p.stage == 0 {
		p.changes = append(p.changes, stageChange{0, p.founded})
	} else {
		day, gap := p.founded, (horizon-p.founded)/max(1, p.stage-1)
		p.changes = append(p.changes, stageChange{1, day})
		for s := 2; s <= p.stage; s++ {
			day += 1 + r.IntN(gap)
			p.changes = append(p.changes, stageChange{s, day})
		}
	}

	// One cohort for 60%, preferably of a year the startup existed in.
	p.cohort = -1
	if r.IntN(100) < 60 {
		from := len(g.cohortsByYear)
		if y := max(2015, yearOf(p.founded)); y <= 2024 {
			from = g.firstCohortFrom[y-2015]
		}
		if from == len(g.cohortsByYear) {
			from = 0
		}
		p.cohort = g.cohortsByYear[from+r.IntN(len(g.cohortsByYear)-from)]
		p.joined = g.after(max(p.founded, dayOf(g.cohortYear[p.cohort], 1, 1)), 120)
	}

	// A university for 40%; a fifth of those get a second assignment with
	// another purpose.
	p.assignments = p.assignments[:0]
	if len(g.base.Universities) > 0 && r.IntN(100) < 40 {
		purpose := r.IntN(len(purposes))
		p.assignments = append(p.assignments, g.assignment(p.founded, purpose))
		if r.IntN(100) < 20 {
			p.assignments = append(p.assignments, g.assignment(p.founded, (purpose+1+r.IntN(2))%3))
		}
	}

	// One to three distinct mentors, mostly from the startup's first sector.
	p.mentorships = p.mentorships[:0]
	pool := g.mentorsBySector[p.sectors[0]]
	for range 1 + r.IntN(3) {
		m := r.IntN(g.mentors)
		if len(pool) > 0 && r.IntN(100) < 70 {
			m = pool[r.IntN(len(pool))]
		}
		if p.hasMentor(m) {
			continue
		}
		ms := mentorship{mentor: m, focus: focusAreas[r.IntN(len(focusAreas))], until: -1}
		ms.since = g.after(p.founded, 1095)
		if r.IntN(100) < 50 {
			ms.until = g.after(min(ms.since+30, horizon), 700)
		}
		p.mentorships = append(p.mentorships, ms)
	}

	g.investmentsOf(p)
	g.targetsOf(p)
	g.outcomesOf(p)
	// About one team in twelve has no mentor yet. Drawn last, so the
	// draws above are the same with or without it.
	if r.IntN(100) < 8 {
		p.mentorships = p.mentorships[:0]
	}
	return p
}

func (p *startupPlan) hasMentor(m int) bool {
	for _, x := range p.mentorships {
		if x.mentor == m {
			return true
		}
	}
	return false
}

func (g *generator) assignment(founded, purpose int) assignment {
	r := g.rnd
	a := assignment{
		university: g.base.Universities[r.IntN(len(g.base.Universities))],
		purpose:    purposes[purpose], status: statuses[g.pick(statusWeights)], until: -1,
	}
	a.since = g.after(founded, 730)
	if a.status != "ACTIVE" {
		a.until = g.after(min(a.since+90, horizon), 630)
	}
	return a
}

// investmentsOf draws the startup's investments in date order. Rounds
// progress seed, pre-series A, series A, series B (later-stage startups may
// start at pre-series A), with the odd bridge or loan. An existing fund invests only while it has money left; otherwise a
// synthetic fund takes the investment.
func (g *generator) investmentsOf(p *startupPlan) {
	r := g.rnd
	p.investments = p.investments[:0]
	k := r.IntN(maxInvestments[p.stage] + 1)
	if k == 0 {
		return
	}
	day, gap, step := p.founded, (horizon-p.founded)/k, 0
	if p.stage >= 5 { // INVESTMENT and later: some raised their seed elsewhere
		step = r.IntN(2)
	}
	for range k {
		day += r.IntN(gap + 1)
		existing := -1
		if len(g.base.Funds) > 0 && r.IntN(100) < 30 {
			existing = r.IntN(len(g.base.Funds))
		}
		inv := investment{synthetic: r.IntN(g.funds), day: day}
		switch {
		case existing >= 0 && g.base.Funds[existing].Kind == "GOVERNMENT_GRANT":
			inv.round = "GRANT"
		case r.IntN(100) < 15:
			inv.round = [...]string{"BRIDGE", "LOAN"}[r.IntN(2)]
		default:
			inv.round = ventureRounds[min(step, len(ventureRounds)-1)]
			step++
		}
		rng := amountRange[inv.round]
		inv.amount = g.krw(rng[0], rng[1])
		if existing >= 0 && g.budget[existing] >= inv.amount {
			g.budget[existing] -= inv.amount
			inv.synthetic, inv.fund = -1, g.base.Funds[existing].ID
		} else if inv.round == "GRANT" {
			inv.round = "SEED" // a synthetic venture fund gives no grants
		}
		p.investments = append(p.investments, inv)
	}
}

// targetsOf draws distinct markets; the further along, the more of them
// and the further the startup has got in them.
func (g *generator) targetsOf(p *startupPlan) {
	r := g.rnd
	p.targets = p.targets[:0]
	k := min(r.IntN(maxTargets[p.stage]+1), len(g.base.Markets))
	for len(p.targets) < k {
		market := g.base.Markets[r.IntN(len(g.base.Markets))]
		if p.hasMarket(market) {
			continue
		}
		t := marketTarget{market: market, status: "EXPLORING", since: g.after(p.founded, 1460)}
		switch x := r.IntN(100); {
		case p.stage == len(stages)-1 && x < 50, p.stage >= 4 && x < 10:
			t.status = "ENTERED"
		case p.stage == len(stages)-1 && x < 80, p.stage >= 4 && x < 40:
			t.status = "LOCALIZING"
		}
		t.priority = 2 + r.IntN(4)
		if len(p.targets) == 0 {
			t.priority = 1 + r.IntN(2)
		}
		if len(g.expansion) > 0 && r.IntN(100) < 35 {
			t.program = g.expansion[r.IntN(len(g.expansion))]
		}
		p.targets = append(p.targets, t)
	}
}

func (p *startupPlan) hasMarket(market int64) bool {
	for _, t := range p.targets {
		if t.market == market {
			return true
		}
	}
	return false
}

// outcomesOf draws the reported figures; an export contract names one of
// the startup's markets (any market if it targets none).
func (g *generator) outcomesOf(p *startupPlan) {
	r := g.rnd
	p.outcomes = p.outcomes[:0]
	for range r.IntN(maxOutcomes[p.stage] + 1) {
		o := outcome{kind: outcomeKinds[g.pick(outcomeWeights)], day: g.after(p.founded, 1825), quantity: 1}
		switch o.kind {
		case "PATENT_DOMESTIC":
			o.quantity = 1 + r.IntN(3)
		case "PATENT_FOREIGN":
			o.quantity = 1 + r.IntN(2)
		case "INVESTMENT_ATTRACTED":
			o.amount = g.krw(100_000_000, 3_000_000_000)
		case "EXPORT_CONTRACT":
			switch {
			case len(p.targets) > 0:
				o.market = p.targets[r.IntN(len(p.targets))].market
			case len(g.base.Markets) > 0:
				o.market = g.base.Markets[r.IntN(len(g.base.Markets))]
			default:
				o.kind = "JOBS_CREATED" // no market to export to
			}
			if o.market != 0 {
				o.amount = g.krw(10_000_000, 2_000_000_000)
			}
		}
		if o.kind == "JOBS_CREATED" {
			o.quantity = 1 + r.IntN(15)
		}
		p.outcomes = append(p.outcomes, o)
	}
}

func (g *generator) startupNames(i int) (ko, en string) {
	g.reseed(streamStartupName, i)
	b, suffix := g.brand(), suffixes[g.rnd.IntN(len(suffixes))]
	num := " " + strconv.Itoa(i+1)
	return b.ko + suffix.ko + num, b.en + " " + suffix.en + num
}
