package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"startupgraph/internal/config"
	"startupgraph/internal/localpg"
)

// Names of the floor measurements.
const (
	httpFloorName = "http-floor"
	dbFloorName   = "db-floor"
)

// sizeResult is everything measured on one dataset.
type sizeResult struct {
	ds      dataset
	fx      fixtures
	pool    poolSettings
	idleRSS int64 // kB, the server before any load
	peakRSS int64 // kB, the server's largest RSS over all measurements
	inproc  map[string]inprocResult
	loads   []loadRow
	// questions are issue 17's questions, one client; nil when not measured
	questions []questionResult
	// aggregates are issue 18's queries and floors, one client; nil when
	// not measured
	aggregates []aggregateResult
	// fanoutStartups is how many startups the fan-out query's answer
	// holds (0 when not measured)
	fanoutStartups int
	// disconnect is the disconnect case; nil when not measured
	disconnect *disconnectResult
	// before and after: how busy the machine was around the measurements
	before, after quietness
}

// loadRow is one measurement over HTTP (or, for the database floor, over
// a connection pool).
type loadRow struct {
	name     string
	clients  int
	sum      summary
	rssKB    int64 // server peak during the measurement; -1 when not the server
	sessions int64 // database sessions opened during it; -1 when unknown
}

// runSize seeds one dataset, serves it and measures every query at every
// concurrency, the floors beside them.
func runSize(ctx context.Context, o options, bin string, cluster *localpg.Cluster, conns func(database string) *connLog, size int, logf func(string, ...any)) (sizeResult, error) {
	var res sizeResult
	res.before = checkQuiet(ctx)
	if len(res.before.others) > 0 || res.before.busy > 0.2 {
		logf("warning: the machine is not quiet (%s); the numbers will show it", res.before)
	}
	logf("seeding %d startups", size)
	ds, err := seedDataset(ctx, bin, cluster.URL("postgres"), cluster.URL, size)
	if err != nil {
		return res, err
	}
	res.ds = ds
	connLog := conns(ds.database)
	logf("seeded in %s", ds.seedTime.Round(100*time.Millisecond))
	cfg, err := serverConfig(ds.dsn, o.serverEnv)
	if err != nil {
		return res, err
	}
	res.pool = poolOf(cfg)

	srv, err := startServer(ctx, bin, ds.dsn, o.serverEnv)
	if err != nil {
		return res, err
	}
	defer srv.stop() // stopping twice is harmless
	res.idleRSS, _ = procStatusKB(srv.pid(), "VmRSS")
	client := newClient(slices.Max(o.concurrency))
	defer client.CloseIdleConnections()
	if res.fx, err = loadFixtures(ctx, client, srv.endpoint(), ds.key, size); err != nil {
		return res, err
	}
	queries := selected(o)
	bodies := map[string][][]byte{}
	for _, q := range queries {
		if bodies[q.name], err = q.bodies(res.fx); err != nil {
			return res, err
		}
	}
	nestedBody, _ := json.Marshal(map[string]any{"query": nestedQuery})

	floorDB, err := openFloorDB(ctx, ds.dsn, res.pool)
	if err != nil {
		return res, err
	}
	defer floorDB.Close()
	if err := checkFloor(ctx, client, srv.endpoint(), ds.key, nestedBody, floorDB); err != nil {
		return res, err
	}
	fanout := slices.ContainsFunc(queries, func(q query) bool { return q.name == "fanout" })
	fanoutBody, _ := json.Marshal(map[string]any{"query": fanoutQuery})
	if fanout {
		if res.fanoutStartups, err = checkFanoutFloor(ctx, client, srv.endpoint(), ds.key, fanoutBody, floorDB); err != nil {
			return res, err
		}
		logf("the fan-out floor answers the server's bytes (%d startups)", res.fanoutStartups)
	}

	if wants(o, questionsName) {
		logf("issue 17's questions, one client")
		if res.questions, err = measureQuestions(ctx, o, client, srv.endpoint(), ds.key, size, logf); err != nil {
			return res, err
		}
	}

	if wants(o, aggregatesName) {
		logf("issue 18's totals, one client, each beside its floor")
		af, err := serveFloor(aggregateFloorMux(floorDB, aggregateQueries), "")
		if err != nil {
			return res, err
		}
		res.aggregates, err = measureAggregates(ctx, o, client, srv.endpoint(), ds.key, af.URL, aggregateQueries, size, logf)
		af.stop()
		if err != nil {
			return res, err
		}
	}

	if len(queries) > 0 || wants(o, floorsName) {
		logf("in-process benchmark of the handler")
		if res.inproc, err = measureInproc(ctx, o, cfg, ds.key, queries, bodies, nestedBody, floorDB, size); err != nil {
			return res, err
		}
	}

	srv.stop()
	hf, err := startHTTPFloor(floorDB)
	if err != nil {
		return res, err
	}
	defer hf.stop()
	ff, err := serveFloor(fanoutFloorHandler(floorDB), "/graphql")
	if err != nil {
		return res, err
	}
	defer ff.stop()
	l := loadPhase{o: o, bin: bin, ds: ds, client: client, conns: connLog, logf: logf}
	// the nested query first, the floors right after it, so they see the
	// same conditions; then the other queries; the mix last
	for _, q := range queries {
		if q.name == "nested" {
			l.targets = append(l.targets, serverTarget(q.name, bodies[q.name]))
		}
	}
	if wants(o, floorsName) {
		httpOp, err := postOp(client, hf.URL, "", [][]byte{nestedBody})
		if err != nil {
			return res, err
		}
		l.targets = append(l.targets, loadTarget{name: httpFloorName, fixed: httpOp}, loadTarget{name: dbFloorName, fixed: dbFloorOp(floorDB)})
	}
	// the fan-out query next, its floor right after it
	if fanout {
		fanoutOp, err := postOp(client, ff.URL, "", [][]byte{fanoutBody})
		if err != nil {
			return res, err
		}
		l.targets = append(l.targets, serverTarget("fanout", bodies["fanout"]), loadTarget{name: fanoutFloorName, fixed: fanoutOp})
	}
	for _, q := range queries {
		if q.name != "nested" && q.name != "fanout" {
			l.targets = append(l.targets, serverTarget(q.name, bodies[q.name]))
		}
	}
	if wants(o, mixName) && len(queries) > 1 {
		l.targets = append(l.targets, mixTarget(queries, bodies))
	}
	if res.loads, err = l.run(ctx); err != nil {
		return res, err
	}
	if wants(o, disconnectName) {
		c := targetClients(o.concurrency)
		logf("the disconnect case: %d clients, %d of them cancelling mid-request", c, disconnectClients(c, o.disconnectShare))
		d, err := l.measureDisconnect(ctx, nestedBody, c, floorDB)
		if err != nil {
			return res, fmt.Errorf("the disconnect case: %w", err)
		}
		res.disconnect = &d
		logf("%d startups, disconnect case: p99 %.2f ms without, %.2f ms with (%d cancelled); pool in use after: %d, busy sessions: %d",
			size, ms(d.base.p99), ms(d.with.p99), d.cancelled, d.inUse, d.busy)
	}
	for _, r := range res.loads {
		res.peakRSS = max(res.peakRSS, r.rssKB)
	}
	res.after = checkQuiet(ctx)
	return res, nil
}

// measureInproc runs the in-process benchmark of every query and of the
// HTTP floor's handler.
func measureInproc(ctx context.Context, o options, cfg config.Config, key string, queries []query, bodies map[string][][]byte,
	nestedBody []byte, floorDB *sql.DB, size int) (map[string]inprocResult, error) {
	out := map[string]inprocResult{}
	p, err := openInproc(ctx, cfg, key)
	if err != nil {
		return nil, err
	}
	defer p.close()
	profile := func(name string) string {
		if o.cpuprofile == "" {
			return ""
		}
		return filepath.Join(o.cpuprofile, strconv.Itoa(size)+"-"+name)
	}
	for _, q := range queries {
		r, err := p.measure(ctx, bodies[q.name], o.inproc, profile(q.name))
		if err != nil {
			return nil, fmt.Errorf("in process, %s: %w", q.name, err)
		}
		out[q.name] = r
	}
	r, err := runInproc(ctx, floorHandler(floorDB), key, [][]byte{nestedBody}, o.inproc, profile(httpFloorName), p.overhead)
	if err != nil {
		return nil, fmt.Errorf("in process, HTTP floor: %w", err)
	}
	r.stmtMin, r.stmtMax = 1, 1 // by construction: one statement, not counted by its pool
	out[httpFloorName] = r
	if _, ok := out["fanout"]; ok {
		fanoutBody, _ := json.Marshal(map[string]any{"query": fanoutQuery})
		r, err := runInproc(ctx, fanoutFloorHandler(floorDB), key, [][]byte{fanoutBody}, o.inproc, profile(fanoutFloorName), p.overhead)
		if err != nil {
			return nil, fmt.Errorf("in process, fan-out floor: %w", err)
		}
		r.stmtMin, r.stmtMax = 1, 1
		out[fanoutFloorName] = r
	}
	return out, nil
}

// checkFloor makes sure the HTTP floor answers exactly what the GraphQL
// server answers for nestedQuery.
func checkFloor(ctx context.Context, client *http.Client, endpoint, key string, nestedBody []byte, db *sql.DB) error {
	want, err := post(ctx, client, endpoint, key, nestedBody)
	if err != nil {
		return fmt.Errorf("nested query: %w", err)
	}
	resp, err := fetchNested(ctx, db)
	if err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	got, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	if err := sameJSON(want, got); err != nil {
		return fmt.Errorf("the floors do not return what the server returns for the nested query (%w):\nserver: %s\nfloor:  %s", err, clip(want, 400), clip(got, 400))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
