package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"startupgraph/internal/apperr"
)

// maxSynthetic bounds SeedSynthetic: a million startups is about fifteen
// million rows, already far beyond anything the city will hold.
const maxSynthetic = 1_000_000

// SyntheticCounts is how many rows SeedSynthetic inserted into each table.
// The seed command prints it and tests compare it with the database, so a
// load test knows the size of the graph it runs against.
type SyntheticCounts struct {
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

// SyntheticTableCount is one table's line in SyntheticCounts.Tables.
type SyntheticTableCount struct {
	// Table is the table's SQL name.
	Table string
	// Rows is how many rows SeedSynthetic inserted into it.
	Rows int64
}

// Tables lists the counts by table in load order, so that callers can
// print or check every table without naming each field.
func (c SyntheticCounts) Tables() []SyntheticTableCount {
	return []SyntheticTableCount{
		{"cohorts", c.Cohorts}, {"mentors", c.Mentors}, {"mentor_sectors", c.MentorSectors},
		{"startups", c.Startups}, {"funds", c.Funds}, {"stage_changes", c.StageChanges},
		{"startup_sectors", c.StartupSectors}, {"memberships", c.Memberships},
		{"assignments", c.Assignments}, {"mentorships", c.Mentorships},
		{"investments", c.Investments}, {"market_targets", c.MarketTargets}, {"outcomes", c.Outcomes},
	}
}

// SeedSynthetic replaces the synthetic load-test graph (provenance
// SYNTHETIC) with a new one of n startups and their mentors, cohorts, funds
// and edges, in one transaction. It builds on the reference data and
// markets already loaded (run SeedDemo first). The graph is a pure function
// of n, seed and that data: every entity draws from its own PCG stream
// derived from seed and its index, so the same n and seed give the same
// rows, apart from generated ids and timestamps. Rows go in with COPY, so a
// hundred thousand startups load in well under a minute on a laptop.
func (s *Store) SeedSynthetic(ctx context.Context, n int, seed int64) (SyntheticCounts, error) {
	var c SyntheticCounts
	if n < 1 || n > maxSynthetic {
		return c, apperr.Invalid("synthetic", "must be between 1 and %d startups, got %d", maxSynthetic, n)
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return c, translate(fmt.Errorf("synthetic: begin: %w", err))
	}
	defer func() { _ = tx.Rollback() }()
	// bulk loading is long by design; lift the sessions' statement limit
	if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		return c, translate(fmt.Errorf("synthetic: %w", err))
	}
	if _, err := tx.ExecContext(ctx, synDelete); err != nil {
		return c, translate(fmt.Errorf("synthetic: delete previous: %w", err))
	}
	refs, err := loadSynRefs(ctx, tx)
	if err != nil {
		return c, err
	}
	g := newSynGen(n, seed, refs)
	if err := g.load(ctx, tx, &c); err != nil {
		return SyntheticCounts{}, err
	}
	if _, err := tx.ExecContext(ctx, synAnalyze); err != nil {
		return SyntheticCounts{}, translate(fmt.Errorf("synthetic: analyze: %w", err))
	}
	if err := tx.Commit(); err != nil {
		return SyntheticCounts{}, translate(fmt.Errorf("synthetic: commit: %w", err))
	}
	return c, nil
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

// synAnalyze refreshes the planner's statistics of every table the load
// touched; autovacuum would get there, but only after the first queries.
const synAnalyze = `ANALYZE cohorts, mentors, mentor_sectors, startups, funds, stage_changes, startup_sectors,
	memberships, assignments, mentorships, investments, market_targets, outcomes`

// synRefs is the existing data the synthetic graph hangs from, each list
// ordered by key so that the graph does not depend on generated ids.
type synRefs struct {
	universities  []int64
	organizations []int64
	sectors       []int64
	markets       []int64
	offices       []int64 // facilities of kind RESIDENT_OFFICE
	programs      []synProgramRow
	expansion     []int64 // programs of kind GLOBAL_EXPANSION
	funds         []synFundRow
}

type synProgramRow struct {
	ID     int64  `db:"id"`
	Kind   string `db:"kind"`
	NameKo string `db:"name_ko"`
	NameEn string `db:"name_en"`
}

type synFundRow struct {
	ID        int64  `db:"id"`
	Kind      string `db:"kind"`
	Available int64  `db:"available"` // size minus what the fund has invested
}

func loadSynRefs(ctx context.Context, tx *sqlx.Tx) (synRefs, error) {
	var r synRefs
	ids := []struct {
		dst  *[]int64
		what string
		q    string
	}{
		{&r.universities, "universities", `SELECT id FROM universities ORDER BY key`},
		{&r.organizations, "organizations", `SELECT id FROM organizations ORDER BY key`},
		{&r.sectors, "sectors", `SELECT id FROM sectors ORDER BY key`},
		{&r.markets, "markets", `SELECT id FROM markets ORDER BY key`},
		{&r.offices, "facilities", `SELECT id FROM facilities WHERE kind = 'RESIDENT_OFFICE' ORDER BY key`},
	}
	for _, x := range ids {
		if err := tx.SelectContext(ctx, x.dst, x.q); err != nil {
			return r, translate(fmt.Errorf("synthetic: load %s: %w", x.what, err))
		}
	}
	const qPrograms = `SELECT id, kind, name_ko, name_en FROM programs ORDER BY key`
	if err := tx.SelectContext(ctx, &r.programs, qPrograms); err != nil {
		return r, translate(fmt.Errorf("synthetic: load programs: %w", err))
	}
	for _, p := range r.programs {
		if p.Kind == "GLOBAL_EXPANSION" {
			r.expansion = append(r.expansion, p.ID)
		}
	}
	const qFunds = `
SELECT f.id, f.kind, f.size_krw - COALESCE(sum(i.amount_krw), 0) AS available
FROM funds f
LEFT JOIN investments i ON i.fund_id = f.id
GROUP BY f.id
ORDER BY f.key`
	if err := tx.SelectContext(ctx, &r.funds, qFunds); err != nil {
		return r, translate(fmt.Errorf("synthetic: load funds: %w", err))
	}
	if len(r.sectors) == 0 || len(r.programs) == 0 {
		return r, fmt.Errorf("synthetic: the database has no sectors or no programs; load the demo data first")
	}
	return r, nil
}

// Value lists. Weights are percentages.
var (
	synStages       = [...]string{"IDEA", "FOUNDING", "PROTOTYPE", "R_AND_D", "MARKETING", "INVESTMENT", "FINANCING", "OVERSEAS_EXPANSION"}
	synStageWeights = []int{10, 15, 18, 15, 13, 12, 9, 8}
	// the most investments, market targets and outcomes a startup has at each stage
	synMaxInvestments = [...]int{1, 2, 2, 3, 3, 3, 3, 3}
	synMaxTargets     = [...]int{1, 1, 2, 2, 2, 3, 3, 3}
	synMaxOutcomes    = [...]int{1, 2, 3, 4, 4, 4, 4, 4}

	synPurposes       = [...]string{"JOINT_PROJECT", "OVERSEAS_STRATEGY", "INTERNSHIP"}
	synStatuses       = [...]string{"ACTIVE", "COMPLETED", "ENDED"}
	synStatusWeights  = []int{50, 35, 15}
	synVentureRounds  = [...]string{"SEED", "PRE_SERIES_A", "SERIES_A", "SERIES_B"}
	synOutcomeKinds   = [...]string{"PATENT_DOMESTIC", "PATENT_FOREIGN", "INVESTMENT_ATTRACTED", "EXPORT_CONTRACT", "JOBS_CREATED"}
	synOutcomeWeights = []int{30, 10, 20, 15, 25}
	synTargetStatuses = [...]string{"EXPLORING", "LOCALIZING", "ENTERED"}
	synLanguages      = [...]string{"{ko,en}", "{ko}", "{ko,en,zh}", "{ko,en,ja}"}
	synLangWeights    = []int{70, 20, 5, 5}
	synForeignLangs   = [...]string{"{en}", "{en,ko}"}

	synFocus = [...]string{
		"Market-entry strategy", "Prototype design", "R&D planning", "Fund raising", "Product localization",
		"Design Thinking", "Lean Startup", "Patents and IP", "Export contracts", "Smart-factory adoption",
		"ICT convergence", "Overseas marketing",
	}
)

// synAmountRange is the KRW range of an investment of each round.
var synAmountRange = map[string][2]int64{
	"GRANT": {10_000_000, 300_000_000}, "SEED": {10_000_000, 500_000_000},
	"PRE_SERIES_A": {300_000_000, 1_500_000_000}, "SERIES_A": {1_000_000_000, 3_000_000_000},
	"SERIES_B": {2_000_000_000, 5_000_000_000}, "BRIDGE": {100_000_000, 1_000_000_000},
	"LOAN": {50_000_000, 1_000_000_000},
}

// Bilingual name parts: Korean with its romanization.
type synPair struct{ ko, en string }

var (
	synSyllables = [...]synPair{
		{"한", "han"}, {"빛", "bit"}, {"누", "nu"}, {"리", "ri"}, {"솔", "sol"}, {"온", "on"}, {"다", "da"},
		{"새", "sae"}, {"별", "byeol"}, {"봄", "bom"}, {"결", "gyeol"}, {"라", "ra"}, {"미", "mi"}, {"르", "reu"},
		{"가", "ga"}, {"람", "ram"}, {"해", "hae"}, {"든", "deun"}, {"아", "a"}, {"름", "reum"}, {"도", "do"},
		{"담", "dam"}, {"바", "ba"}, {"로", "ro"}, {"이", "i"}, {"음", "eum"}, {"나", "na"}, {"래", "rae"},
		{"진", "jin"}, {"우", "u"}, {"서", "seo"}, {"연", "yeon"},
	}
	synSuffixes = [...]synPair{
		{"테크", "Tech"}, {"랩스", "Labs"}, {"로보틱스", "Robotics"}, {"바이오", "Bio"}, {"모빌리티", "Mobility"},
		{"팩토리", "Factory"}, {"솔루션즈", "Solutions"}, {"에너지", "Energy"}, {"헬스케어", "Healthcare"},
		{"시스템즈", "Systems"}, {"다이나믹스", "Dynamics"}, {"웍스", "Works"}, {"메디컬", "Medical"}, {"오토", "Auto"},
	}
	synSurnames = [...]synPair{
		{"김", "Kim"}, {"이", "Lee"}, {"박", "Park"}, {"최", "Choi"}, {"정", "Jung"}, {"강", "Kang"}, {"조", "Cho"},
		{"윤", "Yoon"}, {"장", "Jang"}, {"임", "Lim"}, {"한", "Han"}, {"오", "Oh"}, {"서", "Seo"}, {"신", "Shin"}, {"권", "Kwon"},
	}
	synGivenNames = [...]synPair{
		{"민준", "Minjun"}, {"서연", "Seoyeon"}, {"지훈", "Jihoon"}, {"하은", "Haeun"}, {"도윤", "Doyun"}, {"수아", "Sua"},
		{"현우", "Hyunwoo"}, {"지민", "Jimin"}, {"예준", "Yejun"}, {"서윤", "Seoyun"}, {"준호", "Junho"}, {"유진", "Yujin"},
		{"성민", "Sungmin"}, {"은지", "Eunji"}, {"재원", "Jaewon"}, {"혜진", "Hyejin"},
	}
	synForeignFirst = [...]synPair{
		{"데이비드", "David"}, {"사라", "Sarah"}, {"마이클", "Michael"}, {"에밀리", "Emily"}, {"토마스", "Thomas"},
		{"안나", "Anna"}, {"피터", "Pieter"}, {"리사", "Lisa"},
	}
	synForeignLast = [...]synPair{
		{"밀러", "Miller"}, {"얀선", "Janssen"}, {"존슨", "Johnson"}, {"피터스", "Peeters"}, {"브라운", "Brown"}, {"클라크", "Clark"},
	}
	synTitles = [...]synPair{
		{"교수", "Professor"}, {"대표이사", "CEO"}, {"수석연구원", "Principal researcher"}, {"변리사", "Patent attorney"},
		{"투자심사역", "Investment manager"}, {"해외마케팅 전문가", "Overseas marketing expert"},
		{"디자인 컨설턴트", "Design consultant"}, {"생산기술 전문가", "Manufacturing engineer"},
	}
)

// Dates are day numbers from synEpoch. Startups are founded 2010-2024, and
// nothing happens after synHorizon, a fixed date so the graph never
// depends on the clock.
var (
	synEpoch       = time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	synLastFounded = synDay(2024, 12, 31)
	synHorizon     = synDay(2025, 12, 31)
)

func synDay(y int, m time.Month, d int) int {
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(synEpoch).Hours() / 24)
}

func synDate(day int) string { return synEpoch.AddDate(0, 0, day).Format(time.DateOnly) }

func synYear(day int) int { return synEpoch.AddDate(0, 0, day).Year() }

// Streams: each kind of entity has its own, so that one kind's draws never
// shift another's.
const (
	synStreamStartup uint64 = iota + 1
	synStreamStartupName
	synStreamMentor
	synStreamCohort
	synStreamFund
)

// synGen generates the graph. Every entity is a function of (seed, stream,
// index), so each COPY pass regenerates what it needs instead of holding
// millions of rows in memory.
type synGen struct {
	n, mentors, cohorts, funds int
	seed                       uint64
	refs                       synRefs
	pcg                        *rand.PCG
	rnd                        *rand.Rand

	cohortYear      []int
	cohortProgram   []int
	cohortsByYear   []int   // cohort indices ordered by year
	firstCohortFrom [10]int // per year from 2015: where its cohorts start in cohortsByYear
	mentorsBySector [][]int
	budget          []int64 // what each existing fund has left during a pass
	fundSum         []int64 // what each synthetic fund invests (from the startups pass)

	p synStartup // the startup being generated, reused
	m synMentor  // the mentor being generated, reused
}

func newSynGen(n int, seed int64, refs synRefs) *synGen {
	g := &synGen{
		n: n, mentors: max(1, n/8), cohorts: max(1, n/200), funds: max(1, n/500),
		seed: uint64(seed), refs: refs, pcg: rand.NewPCG(0, 0),
	}
	g.rnd = rand.New(g.pcg)
	g.fundSum = make([]int64, g.funds)
	g.budget = make([]int64, len(refs.funds))

	g.cohortYear, g.cohortProgram = make([]int, g.cohorts), make([]int, g.cohorts)
	byYear := make([][]int, 10)
	for c := range g.cohorts {
		g.reseed(synStreamCohort, c)
		g.cohortYear[c] = 2015 + g.rnd.IntN(10)
		g.cohortProgram[c] = g.rnd.IntN(len(refs.programs))
		byYear[g.cohortYear[c]-2015] = append(byYear[g.cohortYear[c]-2015], c)
	}
	for y := range 10 {
		g.firstCohortFrom[y] = len(g.cohortsByYear)
		g.cohortsByYear = append(g.cohortsByYear, byYear[y]...)
	}

	g.mentorsBySector = make([][]int, len(refs.sectors))
	for j := range g.mentors {
		for _, s := range g.mentor(j).sectors {
			g.mentorsBySector[s] = append(g.mentorsBySector[s], j)
		}
	}
	return g
}

func (g *synGen) reseed(stream uint64, i int) {
	g.pcg.Seed(synMix(g.seed^(stream*0x9e3779b97f4a7c15)), synMix(stream<<48^uint64(i)))
}

// synMix is SplitMix64's finalizer: nearby inputs give unrelated PCG seeds.
func synMix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// pick returns an index drawn with the given weights.
func (g *synGen) pick(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	r := g.rnd.IntN(total)
	for i, w := range weights {
		if r < w {
			return i
		}
		r -= w
	}
	return len(weights) - 1
}

// after returns a day from day to at most span days later, never past the horizon.
func (g *synGen) after(day, span int) int {
	return day + g.rnd.IntN(min(span, synHorizon-day)+1)
}

// krw draws an amount in [lo, hi] in whole millions of won.
func (g *synGen) krw(lo, hi int64) int64 {
	const m = 1_000_000
	return (lo/m + g.rnd.Int64N((hi-lo)/m+1)) * m
}

// twoSectors draws one sector, or two distinct ones, as indices into refs.sectors.
func (g *synGen) twoSectors(dst []int) []int {
	k := len(g.refs.sectors)
	first := g.rnd.IntN(k)
	dst = append(dst, first)
	if k > 1 && g.rnd.IntN(100) < 30 {
		second := g.rnd.IntN(k - 1)
		if second >= first {
			second++
		}
		dst = append(dst, second)
	}
	return dst
}

func (g *synGen) brand() synPair {
	a, b := synSyllables[g.rnd.IntN(len(synSyllables))], synSyllables[g.rnd.IntN(len(synSyllables))]
	return synPair{a.ko + b.ko, strings.ToUpper(a.en[:1]) + a.en[1:] + b.en}
}

// Mentors ------------------------------------------------------------------

type synMentor struct {
	sectors                  []int
	nameKo, nameEn           string
	title                    synPair
	university, organization int64
	languages                string
}

func (g *synGen) mentor(j int) *synMentor {
	g.reseed(synStreamMentor, j)
	r, m := g.rnd, &g.m
	m.sectors = g.twoSectors(m.sectors[:0])
	num := " " + strconv.Itoa(j+1)
	if r.IntN(100) < 20 {
		first, last := synForeignFirst[r.IntN(len(synForeignFirst))], synForeignLast[r.IntN(len(synForeignLast))]
		m.nameKo, m.nameEn = first.ko+" "+last.ko+num, first.en+" "+last.en+num
		m.languages = synForeignLangs[r.IntN(len(synForeignLangs))]
	} else {
		sur, given := synSurnames[r.IntN(len(synSurnames))], synGivenNames[r.IntN(len(synGivenNames))]
		m.nameKo, m.nameEn = sur.ko+given.ko+num, given.en+" "+sur.en+num
		m.languages = synLanguages[g.pick(synLangWeights)]
	}
	m.title = synTitles[r.IntN(len(synTitles))]
	m.university, m.organization = 0, 0
	switch a := r.IntN(100); {
	case a < 45 && len(g.refs.universities) > 0:
		m.university = g.refs.universities[r.IntN(len(g.refs.universities))]
	case a >= 45 && a < 65 && len(g.refs.organizations) > 0:
		m.organization = g.refs.organizations[r.IntN(len(g.refs.organizations))]
	}
	return m
}

// Startups -----------------------------------------------------------------

type synStartup struct {
	stage       int // index into synStages
	founded     int
	facility    int64
	sectors     []int
	changes     []synChange
	cohort      int // -1: none
	joined      int
	assignments []synAssignment
	mentorships []synMentorship
	investments []synInvestment
	targets     []synTarget
	outcomes    []synOutcome
}

type synChange struct{ stage, day int }

type synAssignment struct {
	university      int64
	purpose, status string
	since, until    int // until -1: open
}

type synMentorship struct {
	mentor       int
	focus        string
	since, until int // until -1: open
}

type synInvestment struct {
	synthetic int   // index of a synthetic fund, or -1
	fund      int64 // an existing fund when synthetic is -1
	amount    int64
	day       int
	round     string
}

type synTarget struct {
	market   int64
	status   string
	priority int
	program  int64
	since    int
}

type synOutcome struct {
	kind     string
	day      int
	quantity int
	amount   int64 // 0: none
	market   int64
}

// eachStartup generates the startups in index order and calls fn with each.
// The existing funds' budgets are reset first: they are the only state
// shared between startups, so every pass sees the same graph.
func (g *synGen) eachStartup(fn func(i int, p *synStartup) error) error {
	for f, fund := range g.refs.funds {
		g.budget[f] = max(0, fund.Available)
	}
	for i := range g.n {
		if err := fn(i, g.startup(i)); err != nil {
			return err
		}
	}
	return nil
}

func (g *synGen) startup(i int) *synStartup {
	g.reseed(synStreamStartup, i)
	r, p := g.rnd, &g.p
	p.stage = g.pick(synStageWeights)
	p.founded = r.IntN(synLastFounded + 1)
	p.facility = 0
	if len(g.refs.offices) > 0 && r.IntN(100) < 15 {
		p.facility = g.refs.offices[r.IntN(len(g.refs.offices))]
	}
	p.sectors = g.twoSectors(p.sectors[:0])

	// The stage history: IDEA alone, or FOUNDING on the founding day and
	// every later stage up to the current one on strictly later days.
	p.changes = p.changes[:0]
	if p.stage == 0 {
		p.changes = append(p.changes, synChange{0, p.founded})
	} else {
		day, gap := p.founded, (synHorizon-p.founded)/max(1, p.stage-1)
		p.changes = append(p.changes, synChange{1, day})
		for s := 2; s <= p.stage; s++ {
			day += 1 + r.IntN(gap)
			p.changes = append(p.changes, synChange{s, day})
		}
	}

	// One cohort for 60%, preferably of a year the startup existed in.
	p.cohort = -1
	if r.IntN(100) < 60 {
		from := len(g.cohortsByYear)
		if y := max(2015, synYear(p.founded)); y <= 2024 {
			from = g.firstCohortFrom[y-2015]
		}
		if from == len(g.cohortsByYear) {
			from = 0
		}
		p.cohort = g.cohortsByYear[from+r.IntN(len(g.cohortsByYear)-from)]
		p.joined = g.after(max(p.founded, synDay(g.cohortYear[p.cohort], 1, 1)), 120)
	}

	// A university for 40%; a fifth of those get a second assignment with
	// another purpose.
	p.assignments = p.assignments[:0]
	if len(g.refs.universities) > 0 && r.IntN(100) < 40 {
		purpose := r.IntN(len(synPurposes))
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
		ms := synMentorship{mentor: m, focus: synFocus[r.IntN(len(synFocus))], until: -1}
		ms.since = g.after(p.founded, 1095)
		if r.IntN(100) < 50 {
			ms.until = g.after(min(ms.since+30, synHorizon), 700)
		}
		p.mentorships = append(p.mentorships, ms)
	}

	g.investmentsOf(p)
	g.targetsOf(p)
	g.outcomesOf(p)
	return p
}

func (p *synStartup) hasMentor(m int) bool {
	for _, x := range p.mentorships {
		if x.mentor == m {
			return true
		}
	}
	return false
}

func (g *synGen) assignment(founded, purpose int) synAssignment {
	r := g.rnd
	a := synAssignment{
		university: g.refs.universities[r.IntN(len(g.refs.universities))],
		purpose:    synPurposes[purpose], status: synStatuses[g.pick(synStatusWeights)], until: -1,
	}
	a.since = g.after(founded, 730)
	if a.status != "ACTIVE" {
		a.until = g.after(min(a.since+90, synHorizon), 630)
	}
	return a
}

// investmentsOf draws the startup's investments in date order. Rounds
// progress seed, pre-series A, series A, series B (later-stage startups may
// start at pre-series A), with the odd bridge or loan. An existing fund invests only while it has money left; otherwise a
// synthetic fund takes the investment.
func (g *synGen) investmentsOf(p *synStartup) {
	r := g.rnd
	p.investments = p.investments[:0]
	k := r.IntN(synMaxInvestments[p.stage] + 1)
	if k == 0 {
		return
	}
	day, gap, step := p.founded, (synHorizon-p.founded)/k, 0
	if p.stage >= 5 { // INVESTMENT and later: some raised their seed elsewhere
		step = r.IntN(2)
	}
	for range k {
		day += r.IntN(gap + 1)
		existing := -1
		if len(g.refs.funds) > 0 && r.IntN(100) < 30 {
			existing = r.IntN(len(g.refs.funds))
		}
		inv := synInvestment{synthetic: r.IntN(g.funds), day: day}
		switch {
		case existing >= 0 && g.refs.funds[existing].Kind == "GOVERNMENT_GRANT":
			inv.round = "GRANT"
		case r.IntN(100) < 15:
			inv.round = [...]string{"BRIDGE", "LOAN"}[r.IntN(2)]
		default:
			inv.round = synVentureRounds[min(step, len(synVentureRounds)-1)]
			step++
		}
		rng := synAmountRange[inv.round]
		inv.amount = g.krw(rng[0], rng[1])
		if existing >= 0 && g.budget[existing] >= inv.amount {
			g.budget[existing] -= inv.amount
			inv.synthetic, inv.fund = -1, g.refs.funds[existing].ID
		} else if inv.round == "GRANT" {
			inv.round = "SEED" // a synthetic venture fund gives no grants
		}
		p.investments = append(p.investments, inv)
	}
}

// targetsOf draws distinct markets; the further along, the more of them
// and the further the startup has got in them.
func (g *synGen) targetsOf(p *synStartup) {
	r := g.rnd
	p.targets = p.targets[:0]
	k := min(r.IntN(synMaxTargets[p.stage]+1), len(g.refs.markets))
	for len(p.targets) < k {
		market := g.refs.markets[r.IntN(len(g.refs.markets))]
		if p.hasMarket(market) {
			continue
		}
		t := synTarget{market: market, status: "EXPLORING", since: g.after(p.founded, 1460)}
		switch x := r.IntN(100); {
		case p.stage == len(synStages)-1 && x < 50, p.stage >= 4 && x < 10:
			t.status = "ENTERED"
		case p.stage == len(synStages)-1 && x < 80, p.stage >= 4 && x < 40:
			t.status = "LOCALIZING"
		}
		t.priority = 2 + r.IntN(4)
		if len(p.targets) == 0 {
			t.priority = 1 + r.IntN(2)
		}
		if len(g.refs.expansion) > 0 && r.IntN(100) < 35 {
			t.program = g.refs.expansion[r.IntN(len(g.refs.expansion))]
		}
		p.targets = append(p.targets, t)
	}
}

func (p *synStartup) hasMarket(market int64) bool {
	for _, t := range p.targets {
		if t.market == market {
			return true
		}
	}
	return false
}

// outcomesOf draws the reported figures; an export contract names one of
// the startup's markets (any market if it targets none).
func (g *synGen) outcomesOf(p *synStartup) {
	r := g.rnd
	p.outcomes = p.outcomes[:0]
	for range r.IntN(synMaxOutcomes[p.stage] + 1) {
		o := synOutcome{kind: synOutcomeKinds[g.pick(synOutcomeWeights)], day: g.after(p.founded, 1825), quantity: 1}
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
			case len(g.refs.markets) > 0:
				o.market = g.refs.markets[r.IntN(len(g.refs.markets))]
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

func (g *synGen) startupNames(i int) (ko, en string) {
	g.reseed(synStreamStartupName, i)
	b, suffix := g.brand(), synSuffixes[g.rnd.IntN(len(synSuffixes))]
	num := " " + strconv.Itoa(i+1)
	return b.ko + suffix.ko + num, b.en + " " + suffix.en + num
}

// Loading ------------------------------------------------------------------

// COPY statements, one per table, with explicit column lists.
const (
	synCopyCohorts        = `COPY cohorts (key, program_id, name_ko, name_en, year, provenance) FROM STDIN`
	synCopyMentors        = `COPY mentors (key, name_ko, name_en, title_ko, title_en, affiliated_university_id, affiliated_organization_id, languages, provenance) FROM STDIN`
	synCopyMentorSectors  = `COPY mentor_sectors (mentor_id, sector_id) FROM STDIN`
	synCopyStartups       = `COPY startups (key, name_ko, name_en, stage, founded_on, facility_id, provenance) FROM STDIN`
	synCopyFunds          = `COPY funds (key, name_ko, name_en, kind, size_krw, vintage_year, provenance) FROM STDIN`
	synCopyStageChanges   = `COPY stage_changes (startup_id, stage, changed_on) FROM STDIN`
	synCopyStartupSectors = `COPY startup_sectors (startup_id, sector_id) FROM STDIN`
	synCopyMemberships    = `COPY memberships (cohort_id, startup_id, joined_on, provenance) FROM STDIN`
	synCopyAssignments    = `COPY assignments (university_id, startup_id, purpose, status, since, until, provenance) FROM STDIN`
	synCopyMentorships    = `COPY mentorships (mentor_id, startup_id, focus, since, until, provenance) FROM STDIN`
	synCopyInvestments    = `COPY investments (fund_id, startup_id, amount_krw, invested_on, round, provenance) FROM STDIN`
	synCopyMarketTargets  = `COPY market_targets (startup_id, market_id, status, priority, program_id, since, provenance) FROM STDIN`
	synCopyOutcomes       = `COPY outcomes (startup_id, kind, reported_on, quantity, amount_krw, market_id, provenance) FROM STDIN`
)

// The ids of the nodes just copied, read back to build the edges.
const (
	synIDsCohorts  = `SELECT id, key FROM cohorts WHERE provenance = 'SYNTHETIC'`
	synIDsMentors  = `SELECT id, key FROM mentors WHERE provenance = 'SYNTHETIC'`
	synIDsStartups = `SELECT id, key FROM startups WHERE provenance = 'SYNTHETIC'`
	synIDsFunds    = `SELECT id, key FROM funds WHERE provenance = 'SYNTHETIC'`
)

// synProvenance marks every row SeedSynthetic writes.
const synProvenance = "SYNTHETIC"

// load copies the graph: the nodes first, then, with their ids read back,
// the edges.
func (g *synGen) load(ctx context.Context, tx *sqlx.Tx, c *SyntheticCounts) error {
	var err error
	cp := func(dst *int64, table, q string, fill func(emit func(...any) error) error) {
		if err == nil {
			*dst, err = synCopy(ctx, tx, table, q, fill)
		}
	}
	cp(&c.Cohorts, "cohorts", synCopyCohorts, func(emit func(...any) error) error {
		for i := range g.cohorts {
			p, y := g.refs.programs[g.cohortProgram[i]], g.cohortYear[i]
			nameKo := fmt.Sprintf("%s %d년 %d기", p.NameKo, y, i+1)
			nameEn := fmt.Sprintf("%s %d cohort %d", p.NameEn, y, i+1)
			if err := emit("syn-cohort-"+strconv.Itoa(i+1), p.ID, nameKo, nameEn, y, synProvenance); err != nil {
				return err
			}
		}
		return nil
	})
	cp(&c.Mentors, "mentors", synCopyMentors, func(emit func(...any) error) error {
		for j := range g.mentors {
			m := g.mentor(j)
			if err := emit("syn-mentor-"+strconv.Itoa(j+1), m.nameKo, m.nameEn, m.title.ko, m.title.en,
				synNullID(m.university), synNullID(m.organization), m.languages, synProvenance); err != nil {
				return err
			}
		}
		return nil
	})
	cp(&c.Startups, "startups", synCopyStartups, func(emit func(...any) error) error {
		return g.eachStartup(func(i int, p *synStartup) error {
			for _, inv := range p.investments {
				if inv.synthetic >= 0 {
					g.fundSum[inv.synthetic] += inv.amount
				}
			}
			stage, founded, facility := synStages[p.stage], synDate(p.founded), synNullID(p.facility)
			nameKo, nameEn := g.startupNames(i)
			return emit("syn-startup-"+strconv.Itoa(i+1), nameKo, nameEn, stage, founded, facility, synProvenance)
		})
	})
	cp(&c.Funds, "funds", synCopyFunds, func(emit func(...any) error) error {
		for f := range g.funds {
			g.reseed(synStreamFund, f)
			b := g.brand()
			// sized 10-60% above what it invests, in hundreds of millions
			const unit = 100_000_000
			size := int64(10_000_000_000)
			if sum := g.fundSum[f]; sum > 0 {
				size = (sum*int64(110+g.rnd.IntN(51))/100 + unit - 1) / unit * unit
			}
			num := strconv.Itoa(f + 1)
			if err := emit("syn-fund-"+num, b.ko+" 성장벤처펀드 "+num+"호", b.en+" Growth Venture Fund "+num,
				"VENTURE_FUND", size, 2010+g.rnd.IntN(5), synProvenance); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}

	cohorts, err := synReadIDs(ctx, tx, synIDsCohorts, "syn-cohort-", g.cohorts)
	if err != nil {
		return err
	}
	mentors, err := synReadIDs(ctx, tx, synIDsMentors, "syn-mentor-", g.mentors)
	if err != nil {
		return err
	}
	startups, err := synReadIDs(ctx, tx, synIDsStartups, "syn-startup-", g.n)
	if err != nil {
		return err
	}
	funds, err := synReadIDs(ctx, tx, synIDsFunds, "syn-fund-", g.funds)
	if err != nil {
		return err
	}

	cp(&c.MentorSectors, "mentor_sectors", synCopyMentorSectors, func(emit func(...any) error) error {
		for j := range g.mentors {
			for _, s := range g.mentor(j).sectors {
				if err := emit(mentors[j], g.refs.sectors[s]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	// edges of startups: one pass over the startups per table
	edges := func(dst *int64, table, q string, rows func(emit func(...any) error, id int64, p *synStartup) error) {
		cp(dst, table, q, func(emit func(...any) error) error {
			return g.eachStartup(func(i int, p *synStartup) error { return rows(emit, startups[i], p) })
		})
	}
	edges(&c.StageChanges, "stage_changes", synCopyStageChanges, func(emit func(...any) error, id int64, p *synStartup) error {
		for _, ch := range p.changes {
			if err := emit(id, synStages[ch.stage], synDate(ch.day)); err != nil {
				return err
			}
		}
		return nil
	})
	edges(&c.StartupSectors, "startup_sectors", synCopyStartupSectors, func(emit func(...any) error, id int64, p *synStartup) error {
		for _, s := range p.sectors {
			if err := emit(id, g.refs.sectors[s]); err != nil {
				return err
			}
		}
		return nil
	})
	edges(&c.Memberships, "memberships", synCopyMemberships, func(emit func(...any) error, id int64, p *synStartup) error {
		if p.cohort < 0 {
			return nil
		}
		return emit(cohorts[p.cohort], id, synDate(p.joined), synProvenance)
	})
	edges(&c.Assignments, "assignments", synCopyAssignments, func(emit func(...any) error, id int64, p *synStartup) error {
		for _, a := range p.assignments {
			if err := emit(a.university, id, a.purpose, a.status, synDate(a.since), synNullDate(a.until), synProvenance); err != nil {
				return err
			}
		}
		return nil
	})
	edges(&c.Mentorships, "mentorships", synCopyMentorships, func(emit func(...any) error, id int64, p *synStartup) error {
		for _, m := range p.mentorships {
			if err := emit(mentors[m.mentor], id, m.focus, synDate(m.since), synNullDate(m.until), synProvenance); err != nil {
				return err
			}
		}
		return nil
	})
	edges(&c.Investments, "investments", synCopyInvestments, func(emit func(...any) error, id int64, p *synStartup) error {
		for _, inv := range p.investments {
			fund := inv.fund
			if inv.synthetic >= 0 {
				fund = funds[inv.synthetic]
			}
			if err := emit(fund, id, inv.amount, synDate(inv.day), inv.round, synProvenance); err != nil {
				return err
			}
		}
		return nil
	})
	edges(&c.MarketTargets, "market_targets", synCopyMarketTargets, func(emit func(...any) error, id int64, p *synStartup) error {
		for _, t := range p.targets {
			if err := emit(id, t.market, t.status, t.priority, synNullID(t.program), synDate(t.since), synProvenance); err != nil {
				return err
			}
		}
		return nil
	})
	edges(&c.Outcomes, "outcomes", synCopyOutcomes, func(emit func(...any) error, id int64, p *synStartup) error {
		for _, o := range p.outcomes {
			var amount any
			if o.amount > 0 {
				amount = o.amount
			}
			if err := emit(id, o.kind, synDate(o.day), o.quantity, amount, synNullID(o.market), synProvenance); err != nil {
				return err
			}
		}
		return nil
	})
	return err
}

// synCopy runs one COPY ... FROM STDIN in tx, feeding it the rows fill
// emits, and returns how many there were. lib/pq streams the rows and
// reports a bad one at the latest on the final, empty Exec.
func synCopy(ctx context.Context, tx *sqlx.Tx, table, q string, fill func(emit func(...any) error) error) (int64, error) {
	stmt, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return 0, translate(fmt.Errorf("synthetic: copy %s: %w", table, err))
	}
	defer stmt.Close()
	var rows int64
	emit := func(args ...any) error {
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
		rows++
		return nil
	}
	if err := fill(emit); err != nil {
		return 0, translate(fmt.Errorf("synthetic: copy %s: %w", table, err))
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return 0, translate(fmt.Errorf("synthetic: copy %s: %w", table, err))
	}
	if err := stmt.Close(); err != nil {
		return 0, translate(fmt.Errorf("synthetic: copy %s: %w", table, err))
	}
	return rows, nil
}

// synReadIDs reads back the ids of n copied nodes, indexed by the number
// at the end of their keys (prefix<i+1>).
func synReadIDs(ctx context.Context, tx *sqlx.Tx, q, prefix string, n int) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, translate(fmt.Errorf("synthetic: read %sN ids: %w", prefix, err))
	}
	defer rows.Close()
	ids, found := make([]int64, n), 0
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return nil, translate(fmt.Errorf("synthetic: read %sN ids: %w", prefix, err))
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
		return nil, translate(fmt.Errorf("synthetic: read %sN ids: %w", prefix, err))
	}
	if found != n {
		return nil, fmt.Errorf("synthetic: read %d %sN ids, want %d", found, prefix, n)
	}
	return ids, nil
}

func synNullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func synNullDate(day int) any {
	if day < 0 {
		return nil
	}
	return synDate(day)
}
