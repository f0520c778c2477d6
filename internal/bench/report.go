package bench

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"startupgraph/examples"
)

// report renders a run as markdown.
type report struct {
	opts     options
	machine  machine
	revision string
	date     time.Time
	total    time.Duration
	sizes    []sizeResult
}

func (r report) markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	m := r.machine
	w("# startupgraph benchmark, %s\n\n", r.date.Format("2006-01-02"))
	w("Produced by `%s` (see [README.md](README.md) for how to run it and what each column means).\n\n", strings.TrimSpace(r.opts.command))
	w("| | |\n|---|---|\n")
	w("| machine | %d CPUs (GOMAXPROCS %d), %s, %s RAM, %s |\n", m.cpus, m.gomaxprocs, m.model, m.memory, m.kernel)
	w("| software | %s; PostgreSQL %s (throwaway local cluster, fsync off); startupgraph %s |\n", m.goVersion, m.postgres, r.revision)
	issue7 := r.issue7Measured()
	if issue7 {
		w("| run | %s startups; %s concurrent clients; %s warm-up, then %s per measurement (at most %s requests); in-process benchmark %s per query |\n",
			joinInts(r.opts.sizes, " and "), joinInts(r.opts.concurrency, ", "), r.opts.warmup, r.opts.duration, commas(int64(r.opts.maxRequests)), r.opts.inproc)
	} else {
		w("| run | %s startups |\n", joinInts(r.opts.sizes, " and "))
	}
	settings := "default settings"
	if len(r.opts.serverEnv) > 0 {
		settings = "default settings but `" + strings.Join(r.opts.serverEnv, "`, `") + "`"
	}
	if len(r.sizes) > 0 {
		p := r.sizes[0].pool
		settings += fmt.Sprintf(" (database pool: %d open, %d idle)", p.maxOpen, p.maxIdle)
	}
	if issue7 {
		settings += "; the floors use the same pool limits"
	}
	w("| server | `startupgraph serve` with %s |\n", settings)
	if slices.ContainsFunc(r.sizes, func(s sizeResult) bool { return len(s.questions) > 0 }) {
		w("| questions | one client, %d requests of warm-up, then at most %d requests or %s per question |\n", questionWarmup, r.opts.questionRequests, r.opts.questionTime)
	}
	if r.aggregatesMeasured() {
		w("| totals (issue 18) | one client, a few requests of warm-up, then at most %d requests or %s per query (a floor in turns with its query) |\n", r.opts.aggregateRequests, r.opts.aggregateTime)
	}
	w("| total time | %s, seeding included |\n\n", r.total.Round(time.Second))
	if issue7 {
		w("The load generator, the server, the floors and PostgreSQL share the same %d CPUs, so absolute numbers are low and noisy; "+
			"the ratios to the floors, measured minutes apart on the same data, are what to compare between runs.\n\n", m.cpus)
	} else {
		w("The client, the server and PostgreSQL share the same %d CPUs, and so does anything else running on the machine (each size's section says how busy it was): compare runs with that in mind.\n\n", m.cpus)
	}

	r.targets(w)
	for _, s := range r.sizes {
		r.size(w, s)
	}
	r.queries(w)
	return b.String()
}

// targetClients is the concurrency the targets are read at: 32 when
// measured, else the highest.
func (r report) targetClients() int { return targetClients(r.opts.concurrency) }

func targetClients(concurrency []int) int {
	if slices.Contains(concurrency, 32) {
		return 32
	}
	return slices.Max(concurrency)
}

func (s sizeResult) row(name string, clients int) (loadRow, bool) {
	for _, l := range s.loads {
		if l.name == name && l.clients == clients {
			return l, l.sum.requests > l.sum.errors
		}
	}
	return loadRow{}, false
}

func (r report) targets(w func(string, ...any)) {
	c := r.targetClients()
	w("## Targets (issues 7, 17, 18 and 22; aims, not pass/fail)\n\n")
	w("| target | aim |")
	for _, s := range r.sizes {
		w(" %s startups |", commas(int64(s.ds.size)))
	}
	w("\n|---|---|")
	for range r.sizes {
		w("---|")
	}
	w("\n")
	perSize := func(label, aim string, cell func(s sizeResult) string) {
		w("| %s | %s |", label, aim)
		for _, s := range r.sizes {
			w(" %s |", cell(s))
		}
		w("\n")
	}
	if r.issue7Measured() {
		perSize(fmt.Sprintf("nested query throughput / HTTP floor's, %d clients", c), "≥ 0.8×", func(s sizeResult) string {
			g, ok1 := s.row("nested", c)
			f, ok2 := s.row(httpFloorName, c)
			if !ok1 || !ok2 {
				return "not measured"
			}
			return verdict(g.sum.rps/f.sum.rps, 0.8, true)
		})
		perSize(fmt.Sprintf("nested query p99 / HTTP floor's, %d clients", c), fmt.Sprintf("≤ %.1f×", nestedP99Aim), func(s sizeResult) string {
			g, ok1 := s.row("nested", c)
			f, ok2 := s.row(httpFloorName, c)
			if !ok1 || !ok2 {
				return "not measured"
			}
			return verdict(ratio(g.sum.p99, f.sum.p99), nestedP99Aim, false)
		})
		perSize("nested query allocations per request, in process", "≤ "+commas(nestedAllocsAim), func(s sizeResult) string {
			ir, ok := s.inproc["nested"]
			if !ok {
				return "not measured"
			}
			mark := "met"
			if ir.allocs > nestedAllocsAim {
				mark = "missed"
			}
			return fmt.Sprintf("%s: %s", commas(int64(ir.allocs+0.5)), mark)
		})
		perSize(fmt.Sprintf("fan-out query throughput / its HTTP floor's, %d clients", c), fmt.Sprintf("≥ %.1f×", fanoutAim), func(s sizeResult) string {
			g, ok1 := s.row("fanout", c)
			f, ok2 := s.row(fanoutFloorName, c)
			if !ok1 || !ok2 {
				return "not measured"
			}
			cell := verdict(g.sum.okRPS/f.sum.okRPS, fanoutAim, true) + fmt.Sprintf(" (%s startups", commas(int64(s.fanoutStartups)))
			if g.sum.errors > 0 {
				cell += fmt.Sprintf("; %d of %d requests refused or failed", g.sum.errors, g.sum.requests)
			}
			return cell + ")"
		})
		perSize("p99 with clients disconnecting mid-request / without", fmt.Sprintf("≤ %.1f×, no connection left in use", disconnectAim), disconnectVerdict)
		perSize(fmt.Sprintf("deep page (after row N) p50 / first page's, %d clients", c), "≤ 1.5×", func(s sizeResult) string {
			d, ok1 := s.row("deep-page", c)
			f, ok2 := s.row("first-page", c)
			if !ok1 || !ok2 {
				return "not measured"
			}
			return verdict(ratio(d.sum.p50, f.sum.p50), 1.5, false) + fmt.Sprintf(" (N = %s)", commas(int64(s.fx.deepRow)))
		})
		perSize("deep page / first page, in process (one at a time)", "≤ 1.5×", func(s sizeResult) string {
			d, ok1 := s.inproc["deep-page"]
			f, ok2 := s.inproc["first-page"]
			if !ok1 || !ok2 {
				return "not measured"
			}
			return verdict(ratio(d.perRequest, f.perRequest), 1.5, false)
		})
		perSize("server RSS under load, max", "< 100 MB", func(s sizeResult) string {
			var peak int64 = -1
			for _, l := range s.loads {
				peak = max(peak, l.rssKB)
			}
			if peak < 0 {
				return "not measured"
			}
			mark := "met"
			if mb(peak) >= 100 {
				mark = "missed"
			}
			return fmt.Sprintf("%.0f MB: %s", mb(peak), mark)
		})
		perSize("SQL statements per request (in process), by query", "depth only", func(s sizeResult) string {
			var parts []string
			for _, q := range theMix {
				if ir, ok := s.inproc[q.name]; ok {
					parts = append(parts, q.name+" "+stmts(ir))
				}
			}
			return strings.Join(parts, ", ")
		})
		if len(r.sizes) >= 2 {
			first, last := r.sizes[0], r.sizes[len(r.sizes)-1]
			var diff []string
			for _, q := range theMix {
				a, ok1 := first.inproc[q.name]
				b, ok2 := last.inproc[q.name]
				if ok1 && ok2 && (a.stmtMin != b.stmtMin || a.stmtMax != b.stmtMax) {
					diff = append(diff, fmt.Sprintf("%s %s → %s", q.name, stmts(a), stmts(b)))
				}
			}
			cell := "met: the same count at every size"
			if len(diff) > 0 {
				cell = "missed: " + strings.Join(diff, "; ")
			}
			w("| statements per request independent of size (%s → %s startups) | same | %s |\n",
				commas(int64(first.ds.size)), commas(int64(last.ds.size)), cell)
			for _, cl := range r.opts.concurrency {
				a, ok1 := first.row("nested", cl)
				b, ok2 := last.row("nested", cl)
				if !ok1 || !ok2 {
					continue
				}
				w("| p99 of the nested query, %s → %s startups, %d clients (issue 22's scale point) | ≤ %.1f× | %s (%s → %s ms) |\n",
					commas(int64(first.ds.size)), commas(int64(last.ds.size)), cl, scaleAim, verdict(ratio(b.sum.p99, a.sum.p99), scaleAim, false), fms(a.sum.p99), fms(b.sum.p99))
			}
			for _, cl := range r.opts.concurrency {
				a, ok1 := first.row(mixName, cl)
				b, ok2 := last.row(mixName, cl)
				cellMix := "not measured"
				if ok1 && ok2 {
					cellMix = verdict(ratio(b.sum.p99, a.sum.p99), 1.5, false) + fmt.Sprintf(" (%.1f → %.1f ms)", ms(a.sum.p99), ms(b.sum.p99))
				}
				w("| p99 of the mix, %s → %s startups, %d clients | < 1.5× | %s |\n", commas(int64(first.ds.size)), commas(int64(last.ds.size)), cl, cellMix)
			}
		}
		w("| one write mutation | measured | see the `write` rows |\n")
	}
	perSize("issue 17's questions, one client: median of each", "< 50 ms", questionsVerdict)
	if r.aggregatesMeasured() {
		for _, q := range aggregateQueries {
			aim := "median under the guide"
			if q.floor != nil {
				aim = fmt.Sprintf("≤ %.1f× floor's median; guide %s", aggregateFloorAim, aimText(q))
			} else {
				aim = "median < " + aimText(q)
			}
			perSize("issue 18: "+q.name+", one client", aim, func(s sizeResult) string { return aggregateVerdict(s, q.name) })
		}
	}
	w("\n")
}

// Issue 22's aims: the nested query's p99 within 1.2× of its HTTP
// floor's and at most 3,000 allocations per request in process, the
// fan-out query at least half its floor's throughput, and the nested
// query's p99 at the largest size within 1.5× of the smallest's.
const (
	nestedP99Aim    = 1.2
	nestedAllocsAim = 3000
	fanoutAim       = 0.5
	scaleAim        = 1.5
)

// disconnectVerdict gives the disconnect case against its aims.
func disconnectVerdict(s sizeResult) string {
	d := s.disconnect
	if d == nil {
		return "not measured"
	}
	x := ratio(d.with.p99, d.base.p99)
	cell := verdict(x, disconnectAim, false) + fmt.Sprintf(" (%s → %s ms)", fms(d.base.p99), fms(d.with.p99))
	switch {
	case d.inUse < 0:
		cell += "; pool not read"
	case d.inUse == 0 && d.answers:
		cell += "; 0 in use after: met"
	default:
		cell += fmt.Sprintf("; %d in use after, answers after: %v: missed", d.inUse, d.answers)
	}
	return cell
}

// aggregatesMeasured reports whether any dataset has issue 18's totals.
func (r report) aggregatesMeasured() bool {
	return slices.ContainsFunc(r.sizes, func(s sizeResult) bool { return len(s.aggregates) > 0 })
}

// aimText describes q's absolute aim: "5 ms at 20,000, 20 ms at 200,000"
// for the groupings, else the one value.
func aimText(q aggregateQuery) string {
	a, b := q.aim(20000), q.aim(200000)
	if a == b {
		return fmt.Sprintf("%d ms", a.Milliseconds())
	}
	return fmt.Sprintf("%d ms at 20,000, %d ms at 200,000", a.Milliseconds(), b.Milliseconds())
}

// aggregateVerdict gives one query's median (and its ratio to its floor)
// against its aims.
func aggregateVerdict(s sizeResult, name string) string {
	for _, a := range s.aggregates {
		if a.name != name {
			continue
		}
		mark := func(ok bool) string {
			if ok {
				return "met"
			}
			return "missed"
		}
		cell := fmt.Sprintf("%s ms: %s", fms(a.p50), mark(a.p50 < a.aim))
		if a.floorRequests > 0 {
			x := ratio(a.p50, a.floorP50)
			cell = fmt.Sprintf("%.2f× (%s / %s ms): %s; %s", x, fms(a.p50), fms(a.floorP50), mark(x <= aggregateFloorAim), cell)
		}
		return cell
	}
	return "not measured"
}

// issue7Measured reports whether any dataset has load or in-process
// measurements (not with -queries questions alone).
func (r report) issue7Measured() bool {
	return slices.ContainsFunc(r.sizes, func(s sizeResult) bool { return len(s.loads) > 0 || len(s.inproc) > 0 })
}

// questionsVerdict says how many questions met the target, naming the others.
func questionsVerdict(s sizeResult) string {
	if len(s.questions) == 0 {
		return "not measured"
	}
	var missed []string
	for _, q := range s.questions {
		if !q.met {
			missed = append(missed, fmt.Sprintf("%s %s ms", questionNumber(q.name), fms(q.p50)))
		}
	}
	if len(missed) == 0 {
		return fmt.Sprintf("met: all %d", len(s.questions))
	}
	return fmt.Sprintf("missed: %d of %d (%s)", len(missed), len(s.questions), strings.Join(missed, ", "))
}

// questionNumber shortens "question-03-entered-…" to "q03".
func questionNumber(name string) string {
	parts := strings.SplitN(name, "-", 3)
	if len(parts) >= 2 && parts[0] == "question" {
		return "q" + parts[1]
	}
	return name
}

func (r report) size(w func(string, ...any), s sizeResult) {
	w("## %s startups\n\n", commas(int64(s.ds.size)))
	var counts []string
	for _, c := range s.ds.counts {
		counts = append(counts, fmt.Sprintf("%s %s", commas(c.rows), c.table))
	}
	w("Seeded with `startupgraph seed --synthetic %d` in %s (demo data plus %s), then `VACUUM (ANALYZE)` in %s.",
		s.ds.size, s.ds.seedTime.Round(100*time.Millisecond), strings.Join(counts, ", "), s.ds.vacuumTime.Round(100*time.Millisecond))
	if s.ds.seedRSSKB > 0 {
		w(" The seed process's peak RSS: %.0f MB.", mb(s.ds.seedRSSKB))
	}
	if s.ds.dbBytes > 0 {
		w(" Database size after it: %s.", sizeText(s.ds.dbBytes))
	}
	if len(s.loads) > 0 || len(s.inproc) > 0 {
		w(" The deep page starts after row %s. Server RSS when idle: %.0f MB; largest under load: %.0f MB (every server measurement starts a fresh server process).",
			commas(int64(s.fx.deepRow)), mb(s.idleRSS), mb(s.peakRSS))
	}
	w("\n\n")

	w("Machine load before seeding: %s; after the last measurement: %s.\n\n", s.before, s.after)
	if len(s.before.others) > 0 || len(s.after.others) > 0 {
		w("**Warning: another startupgraph-bench was running (pids %v before, %v after); these numbers are not clean.**\n\n", s.before.others, s.after.others)
	}
	if len(s.loads) > 0 {
		r.loadTables(w, s)
	}
	if len(s.questions) > 0 {
		r.questionTable(w, s)
	}
	if len(s.aggregates) > 0 {
		r.aggregateTable(w, s)
	}
	if len(s.inproc) > 0 {
		r.inprocTable(w, s)
	}
	if s.disconnect != nil {
		r.disconnectTable(w, s)
	}
}

func (r report) disconnectTable(w func(string, ...any), s sizeResult) {
	d := s.disconnect
	w("### Clients disconnecting mid-request (the nested query)\n\n")
	w("One fresh server, %d clients, %s each: first every client completes its requests; then %d of them cancel each request after 10-100%% of %s ms "+
		"(the median without disconnects), closing the connection, while the other %d measure. Then, after a second: the server pool's connections in use "+
		"(its `startupgraph_db_in_use_connections`), the database's sessions not idle, and one more request.\n\n",
		d.clients, r.opts.duration, d.cancelling, fms(d.maxDelay), d.clients-d.cancelling)
	w("| | measuring clients | req/s | p50 ms | p95 ms | p99 ms | errors |\n|---|--:|--:|--:|--:|--:|--:|\n")
	for _, x := range []struct {
		label string
		sum   summary
	}{{"without disconnects", d.base}, {fmt.Sprintf("with %d of %d disconnecting", d.cancelling, d.clients), d.with}} {
		w("| %s | %d | %s | %s | %s | %s | %d |\n", x.label, d.clients-d.cancelling, commas(int64(x.sum.rps+0.5)), fms(x.sum.p50), fms(x.sum.p95), fms(x.sum.p99), x.sum.errors)
	}
	unknown := func(n int) string {
		if n < 0 {
			return "unknown"
		}
		return strconv.Itoa(n)
	}
	w("\nRequests cancelled mid-flight: %s (%s answered before their deadline). p99 with / without: %.2f×. After: pool connections in use %s (open %s), "+
		"database sessions not idle %s, the server answers: %v.\n\n",
		commas(d.cancelled), commas(d.finished), ratio(d.with.p99, d.base.p99), unknown(d.inUse), unknown(d.open), unknown(d.busy), d.answers)
	if d.with.errors > 0 {
		w("- the measuring clients' first error: %s\n\n", d.with.firstErr)
	}
}

func (r report) loadTables(w func(string, ...any), s sizeResult) {
	w("### Over HTTP, closed loop\n\n")
	w("| query | clients | req/s | p50 ms | p95 ms | p99 ms | errors | bytes/resp | server RSS MB | DB sessions opened |\n")
	w("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	var notes []string
	for _, l := range s.loads {
		rss, sessions, bytes := "—", "—", "—"
		if l.rssKB >= 0 {
			rss = fmt.Sprintf("%.0f", mb(l.rssKB))
		}
		if l.sessions >= 0 {
			sessions = commas(l.sessions)
		}
		if l.name != dbFloorName {
			bytes = commas(int64(l.sum.bytesPerResp + 0.5))
		}
		w("| %s | %d | %s | %s | %s | %s | %d | %s | %s | %s |\n", l.name, l.clients, commas(int64(l.sum.rps+0.5)),
			fms(l.sum.p50), fms(l.sum.p95), fms(l.sum.p99), l.sum.errors, bytes, rss, sessions)
		if l.sum.errors > 0 {
			notes = append(notes, fmt.Sprintf("%s at %d clients: %d of %d requests failed; first error: %s", l.name, l.clients, l.sum.errors, l.sum.requests, l.sum.firstErr))
		}
	}
	w("\n")
	for _, n := range notes {
		w("- %s\n", n)
	}
	if len(notes) > 0 {
		w("\n")
	}

	w("### Against the floors (nested query)\n\n")
	w("Issue 22's aims: GraphQL / HTTP floor ≥ 0.8×, p99 / HTTP floor's ≤ %.1f×.\n\n", nestedP99Aim)
	w("| clients | GraphQL req/s | HTTP floor req/s | GraphQL / HTTP floor | DB floor req/s | GraphQL / DB floor | GraphQL p99 ms | HTTP floor p99 ms | p99 / HTTP floor's | DB floor p99 ms | p99 / DB floor's |\n")
	w("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, c := range r.opts.concurrency {
		g, ok := s.row("nested", c)
		h, okH := s.row(httpFloorName, c)
		d, okD := s.row(dbFloorName, c)
		if !ok || !okH || !okD {
			continue
		}
		w("| %d | %s | %s | %s | %s | %.2f× | %s | %s | %s | %s | %.2f× |\n", c,
			commas(int64(g.sum.rps)), commas(int64(h.sum.rps)), verdict(g.sum.rps/h.sum.rps, 0.8, true), commas(int64(d.sum.rps)), g.sum.rps/d.sum.rps,
			fms(g.sum.p99), fms(h.sum.p99), verdict(ratio(g.sum.p99, h.sum.p99), nestedP99Aim, false), fms(d.sum.p99), ratio(g.sum.p99, d.sum.p99))
	}
	w("\n")
	if !slices.ContainsFunc(s.loads, func(l loadRow) bool { return l.name == fanoutFloorName }) {
		return
	}
	w("### Against its floor (fan-out query, %s startups)\n\n", commas(int64(s.fanoutStartups)))
	w("Issue 22's aim: GraphQL / HTTP floor ≥ %.1f×. The floor (`%s`) answers the server's bytes with one statement. "+
		"Throughput counts the successful answers only: the fan-out query is costly (its cost is over `STARTUPGRAPH_HEAVY_QUERY_COST`), so the server runs "+
		"at most one per CPU and refuses one that waited 5 s with a 503 (the errors column); the floor has no such lane.\n\n", fanoutAim, fanoutFloorName)
	w("| clients | GraphQL answers/s | errors | HTTP floor answers/s | GraphQL / HTTP floor | GraphQL p99 ms | HTTP floor p99 ms | p99 / HTTP floor's |\n")
	w("|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, c := range r.opts.concurrency {
		g, ok := s.row("fanout", c)
		h, okH := s.row(fanoutFloorName, c)
		if !ok || !okH {
			continue
		}
		w("| %d | %s | %d | %s | %s | %s | %s | %.2f× |\n", c, fmt.Sprintf("%.1f", g.sum.okRPS), g.sum.errors, fmt.Sprintf("%.1f", h.sum.okRPS), verdict(g.sum.okRPS/h.sum.okRPS, fanoutAim, true),
			fms(g.sum.p99), fms(h.sum.p99), ratio(g.sum.p99, h.sum.p99))
	}
	w("\n")
}

func (r report) questionTable(w func(string, ...any), s sizeResult) {
	w("### Issue 17's questions, one client, one request at a time\n\n")
	w("Each question once to check its answer (errors fail the run), %d requests of warm-up, then at most %d requests or %s. Target: a median under %s.\n\n",
		questionWarmup, r.opts.questionRequests, r.opts.questionTime, questionTarget)
	w("| question | requests | p50 ms | p95 ms | max ms | bytes/resp | median < %d ms |\n", questionTarget.Milliseconds())
	w("|---|--:|--:|--:|--:|--:|---|\n")
	for _, q := range s.questions {
		mark := "met"
		if !q.met {
			mark = "**missed**"
		}
		w("| %s | %d | %s | %s | %s | %s | %s |\n", q.name, q.requests, fms(q.p50), fms(q.p95), fms(q.max), commas(int64(q.bytesPerResp+0.5)), mark)
	}
	w("\n")
}

func (r report) aggregateTable(w func(string, ...any), s sizeResult) {
	w("### Issue 18's totals, one client, one request at a time\n\n")
	w("Each query once to check its answer (errors fail the run, and so does a floor that answers other JSON), a few requests of warm-up, "+
		"then at most %d requests or %s; a query with a floor (net/http + lib/pq running the plain GROUP BY) in turns with it, one request each, so both see the same load.\n\n", r.opts.aggregateRequests, r.opts.aggregateTime)
	w("| query | requests | p50 ms | p95 ms | max ms | bytes/resp | floor requests | floor p50 ms | floor p95 ms | p50 / floor's | aim | verdict |\n")
	w("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|\n")
	for _, a := range s.aggregates {
		fr, fp50, fp95, x := "—", "—", "—", "—"
		aim := fmt.Sprintf("< %s ms", fms(a.aim))
		if a.floorRequests > 0 {
			fr, fp50, fp95 = strconv.Itoa(a.floorRequests), fms(a.floorP50), fms(a.floorP95)
			x = fmt.Sprintf("%.2f×", ratio(a.p50, a.floorP50))
			aim = fmt.Sprintf("≤ %.1f× floor; %s", aggregateFloorAim, aim)
		}
		mark := "met"
		if !a.met() {
			mark = "**missed**"
		}
		w("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", a.name, a.requests, fms(a.p50), fms(a.p95), fms(a.max),
			commas(int64(a.bytesPerResp+0.5)), fr, fp50, fp95, x, aim, mark)
	}
	w("\n")
}

func (r report) inprocTable(w func(string, ...any), s sizeResult) {
	w("### In process, one request at a time (the Go benchmark of the handler)\n\n")
	w("| query | SQL statements/req | allocs/req | KB allocated/req | ms/req | response bytes | iterations |\n")
	w("|---|--:|--:|--:|--:|--:|--:|\n")
	names := append(slices.Clone(queryNamesOnly()), httpFloorName, fanoutFloorName)
	for _, n := range names {
		ir, ok := s.inproc[n]
		if !ok {
			continue
		}
		w("| %s | %s | %s | %.1f | %s | %s | %d |\n", n, stmts(ir), commas(int64(ir.allocs+0.5)), ir.allocBytes/1024,
			fms(ir.perRequest), commas(int64(ir.respBytes)), ir.iterations)
	}
	w("\n")
}

func (r report) queries(w func(string, ...any)) {
	deep := "10,000"
	if len(r.sizes) > 0 {
		deep = commas(int64(r.sizes[0].fx.deepRow))
	}
	if r.issue7Measured() {
		w("## The queries\n\n")
		w("Every query runs with an ADMIN key (`Authorization: Bearer …`). `mix`: each client cycles through the queries above in turn. ")
		w("`http-floor`: a minimal net/http + lib/pq handler answering the nested query's exact JSON with one hand-written statement; `db-floor`: that statement alone over a connection pool, no HTTP.\n\n")
		w("| query | what | GraphQL |\n|---|---|---|\n")
		for _, q := range theMix {
			w("| %s | %s | `%s` |\n", q.name, strings.ReplaceAll(q.about, "{deepRow}", deep), strings.ReplaceAll(q.text, "|", "\\|"))
		}
		w("\n")
		w("The floors' statement:\n\n```sql%s\n```\n", floorSQL)
		w("\nThe fan-out floor's statement (`%s`, checked to answer the server's bytes):\n\n```sql%s\n```\n", fanoutFloorName, fanoutSQL)
	}
	if r.aggregatesMeasured() {
		w("\n## Issue 18's totals\n\nEach with an ADMIN key, no variables:\n\n")
		w("| query | what | GraphQL |\n|---|---|---|\n")
		for _, q := range aggregateQueries {
			w("| %s | %s | `%s` |\n", q.name, q.about, strings.Join(strings.Fields(strings.ReplaceAll(q.text, "|", "\\|")), " "))
		}
		w("\nThe floors' statements (count-by-stage sorts its rows in the schema's order of stages in Go):\n\n```sql\n%s;\n\n%s;\n```\n", stageCountsSQL, fundTotalsSQL)
	}
	if qs, err := examples.Questions(); err == nil && slices.ContainsFunc(r.sizes, func(s sizeResult) bool { return len(s.questions) > 0 }) {
		w("\n## The questions\n\nIssue 17's questions are the files `examples/<question>.graphql` of this revision, sent as they are (no variables):\n\n")
		w("| question | what |\n|---|---|\n")
		for _, q := range qs {
			w("| [%s](../examples/%s.graphql) | %s |\n", q.Name, q.Name, strings.ReplaceAll(q.Title, "|", "\\|"))
		}
	}
}

func stmts(ir inprocResult) string {
	if ir.stmtMin == ir.stmtMax {
		return strconv.FormatInt(ir.stmtMin, 10)
	}
	return fmt.Sprintf("%d–%d", ir.stmtMin, ir.stmtMax)
}

// verdict formats a ratio against an aim: at least aim (atLeast) or at most.
func verdict(x, aim float64, atLeast bool) string {
	ok := x <= aim
	if atLeast {
		ok = x >= aim
	}
	if ok {
		return fmt.Sprintf("%.2f×: met", x)
	}
	return fmt.Sprintf("%.2f×: missed", x)
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// sizeText writes a byte count in MB, or GB from 1 GB.
func sizeText(b int64) string {
	if b >= 1e9 {
		return fmt.Sprintf("%.1f GB", float64(b)/1e9)
	}
	return fmt.Sprintf("%.0f MB", float64(b)/1e6)
}

// mb converts kB (KiB, as /proc reports them) to MB.
func mb(kb int64) float64 { return float64(kb) * 1024 / 1e6 }

func fms(d time.Duration) string {
	v := ms(d)
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

func joinInts(ns []int, sep string) string {
	var parts []string
	for _, n := range ns {
		parts = append(parts, commas(int64(n)))
	}
	return strings.Join(parts, sep)
}

// String describes how busy the machine was.
func (q quietness) String() string {
	busy := "unknown"
	if q.busy >= 0 {
		busy = fmt.Sprintf("%.0f%% CPU busy", 100*q.busy)
	}
	if len(q.others) > 0 {
		return fmt.Sprintf("%s, other startupgraph-bench processes %v", busy, q.others)
	}
	return busy + ", no other benchmark running"
}
