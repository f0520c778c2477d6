package telemetry

import (
	"database/sql"

	"github.com/prometheus/client_golang/prometheus"
)

// poolCollector exports the connection pool's statistics (sql.DBStats)
// at every scrape. (client_golang's own DBStatsCollector wants the
// *sql.DB itself, which stays inside internal/store.)
type poolCollector struct {
	stats func() sql.DBStats
	descs []poolStat
}

type poolStat struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(sql.DBStats) float64
}

func newPoolCollector(stats func() sql.DBStats) *poolCollector {
	stat := func(name, help string, kind prometheus.ValueType, value func(sql.DBStats) float64) poolStat {
		return poolStat{prometheus.NewDesc(prometheus.BuildFQName(namespace, "db", name), help, nil, nil), kind, value}
	}
	return &poolCollector{stats: stats, descs: []poolStat{
		stat("max_open_connections", "Maximum open connections to PostgreSQL (STARTUPGRAPH_DB_MAX_OPEN_CONNS).", prometheus.GaugeValue,
			func(s sql.DBStats) float64 { return float64(s.MaxOpenConnections) }),
		stat("open_connections", "Open connections to PostgreSQL, in use and idle.", prometheus.GaugeValue,
			func(s sql.DBStats) float64 { return float64(s.OpenConnections) }),
		stat("in_use_connections", "Connections running a statement or holding a transaction.", prometheus.GaugeValue,
			func(s sql.DBStats) float64 { return float64(s.InUse) }),
		stat("idle_connections", "Idle pooled connections.", prometheus.GaugeValue,
			func(s sql.DBStats) float64 { return float64(s.Idle) }),
		stat("wait_count_total", "Times a statement waited for a free connection.", prometheus.CounterValue,
			func(s sql.DBStats) float64 { return float64(s.WaitCount) }),
		stat("wait_duration_seconds_total", "Time statements spent waiting for a free connection.", prometheus.CounterValue,
			func(s sql.DBStats) float64 { return s.WaitDuration.Seconds() }),
		stat("max_idle_closed_total", "Connections closed because the pool had STARTUPGRAPH_DB_MAX_IDLE_CONNS idle already.", prometheus.CounterValue,
			func(s sql.DBStats) float64 { return float64(s.MaxIdleClosed) }),
		stat("max_idle_time_closed_total", "Connections closed after STARTUPGRAPH_DB_CONN_MAX_IDLE_TIME idle.", prometheus.CounterValue,
			func(s sql.DBStats) float64 { return float64(s.MaxIdleTimeClosed) }),
		stat("max_lifetime_closed_total", "Connections closed at STARTUPGRAPH_DB_CONN_MAX_LIFETIME.", prometheus.CounterValue,
			func(s sql.DBStats) float64 { return float64(s.MaxLifetimeClosed) }),
	}}
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, s := range c.descs {
		ch <- s.desc
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	for _, s := range c.descs {
		ch <- prometheus.MustNewConstMetric(s.desc, s.kind, s.value(st))
	}
}
