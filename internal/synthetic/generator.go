package synthetic

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"startupgraph/internal/store"
)

// generator generates the graph. Every entity is a function of (seed,
// stream, index), so each COPY pass regenerates what it needs instead of
// holding millions of rows in memory.
type generator struct {
	n, mentors, cohorts, funds int
	seed                       uint64
	base                       store.SyntheticBase
	expansion                  []int64 // programs of kind GLOBAL_EXPANSION
	pcg                        *rand.PCG
	rnd                        *rand.Rand

	cohortYear      []int
	cohortProgram   []int
	cohortsByYear   []int   // cohort indices ordered by year
	firstCohortFrom [10]int // per year from 2015: where its cohorts start in cohortsByYear
	mentorsBySector [][]int
	budget          []int64 // what each existing fund has left during a pass
	fundSum         []int64 // what each synthetic fund invests (from the startups pass)

	p startupPlan // the startup being generated, reused
	m mentorPlan  // the mentor being generated, reused
}

func newGenerator(n int, seed int64, base store.SyntheticBase) *generator {
	g := &generator{
		n: n, mentors: max(1, n/8), cohorts: max(1, n/200), funds: max(1, n/500),
		seed: uint64(seed), base: base, pcg: rand.NewPCG(0, 0),
	}
	g.rnd = rand.New(g.pcg)
	for _, p := range base.Programs {
		if p.Kind == "GLOBAL_EXPANSION" {
			g.expansion = append(g.expansion, p.ID)
		}
	}
	g.fundSum = make([]int64, g.funds)
	g.budget = make([]int64, len(base.Funds))

	g.cohortYear, g.cohortProgram = make([]int, g.cohorts), make([]int, g.cohorts)
	byYear := make([][]int, 10)
	for c := range g.cohorts {
		g.reseed(streamCohort, c)
		g.cohortYear[c] = 2015 + g.rnd.IntN(10)
		g.cohortProgram[c] = g.rnd.IntN(len(base.Programs))
		byYear[g.cohortYear[c]-2015] = append(byYear[g.cohortYear[c]-2015], c)
	}
	for y := range 10 {
		g.firstCohortFrom[y] = len(g.cohortsByYear)
		g.cohortsByYear = append(g.cohortsByYear, byYear[y]...)
	}

	g.mentorsBySector = make([][]int, len(base.Sectors))
	for j := range g.mentors {
		for _, s := range g.mentor(j).sectors {
			g.mentorsBySector[s] = append(g.mentorsBySector[s], j)
		}
	}
	return g
}

func (g *generator) reseed(stream uint64, i int) {
	g.pcg.Seed(mix(g.seed^(stream*0x9e3779b97f4a7c15)), mix(stream<<48^uint64(i)))
}

// mix is SplitMix64's finalizer: nearby inputs give unrelated PCG seeds.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// pick returns an index drawn with the given weights.
func (g *generator) pick(weights []int) int {
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
func (g *generator) after(day, span int) int {
	return day + g.rnd.IntN(min(span, horizon-day)+1)
}

// krw draws an amount in [lo, hi] in whole millions of won.
func (g *generator) krw(lo, hi int64) int64 {
	const m = 1_000_000
	return (lo/m + g.rnd.Int64N((hi-lo)/m+1)) * m
}

// twoSectors draws one sector, or two distinct ones, as indices into base.Sectors.
func (g *generator) twoSectors(dst []int) []int {
	k := len(g.base.Sectors)
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

func (g *generator) brand() pair {
	a, b := syllables[g.rnd.IntN(len(syllables))], syllables[g.rnd.IntN(len(syllables))]
	return pair{a.ko + b.ko, strings.ToUpper(a.en[:1]) + a.en[1:] + b.en}
}

// Mentors ------------------------------------------------------------------

// mentorPlan is one mentor as drawn, before it is copied.
type mentorPlan struct {
	sectors                  []int
	nameKo, nameEn           string
	title                    pair
	university, organization int64
	languages                string
}

func (g *generator) mentor(j int) *mentorPlan {
	g.reseed(streamMentor, j)
	r, m := g.rnd, &g.m
	m.sectors = g.twoSectors(m.sectors[:0])
	num := " " + strconv.Itoa(j+1)
	if r.IntN(100) < 20 {
		first, last := foreignFirst[r.IntN(len(foreignFirst))], foreignLast[r.IntN(len(foreignLast))]
		m.nameKo, m.nameEn = first.ko+" "+last.ko+num, first.en+" "+last.en+num
		m.languages = foreignLangs[r.IntN(len(foreignLangs))]
	} else {
		sur, given := surnames[r.IntN(len(surnames))], givenNames[r.IntN(len(givenNames))]
		m.nameKo, m.nameEn = sur.ko+given.ko+num, given.en+" "+sur.en+num
		m.languages = languageSets[g.pick(langWeights)]
	}
	m.title = titles[r.IntN(len(titles))]
	m.university, m.organization = 0, 0
	switch a := r.IntN(100); {
	case a < 45 && len(g.base.Universities) > 0:
		m.university = g.base.Universities[r.IntN(len(g.base.Universities))]
	case a >= 45 && a < 65 && len(g.base.Organizations) > 0:
		m.organization = g.base.Organizations[r.IntN(len(g.base.Organizations))]
	}
	return m
}
