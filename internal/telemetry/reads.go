package telemetry

import "github.com/prometheus/client_golang/prometheus"

// CountReads exports, at every scrape, the SQL reads of GraphQL queries
// by the database they went to (store.Store.ReadCounts): target
// "primary" or "replica". With DATABASE_READ_URLS set it shows that
// queries read from the replicas, and when they fell back to the primary.
func (m *Metrics) CountReads(counts func() (primary, replica uint64)) {
	if m == nil {
		return
	}
	m.registry.MustRegister(readsCollector{counts: counts, desc: prometheus.NewDesc(
		prometheus.BuildFQName(namespace, "db", "reads_total"),
		"SQL reads of GraphQL queries and exports, by the database they were sent to: the primary or a read replica (DATABASE_READ_URLS).",
		[]string{"target"}, nil)})
}

type readsCollector struct {
	counts func() (primary, replica uint64)
	desc   *prometheus.Desc
}

func (c readsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c readsCollector) Collect(ch chan<- prometheus.Metric) {
	p, r := c.counts()
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(p), "primary")
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(r), "replica")
}
