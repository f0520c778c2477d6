package telemetry

import "github.com/prometheus/client_golang/prometheus"

// CountReads exports, at every scrape, the SQL reads of GraphQL queries
// by the database they went to (store.Store.ReadCounts): target
// "primary" or "replica". With DATABASE_READ_URLS set it shows that
// queries read from the replicas, and when they fell back to the primary.
func (m *Metrics) CountReads(counts func() (primary, replica uint64)) {
	m.countPair("db_reads_total",
		"SQL reads of GraphQL queries and exports, by the database they were sent to: the primary or a read replica (DATABASE_READ_URLS).",
		"target", "primary", "replica", counts)
}

// CountDirect exports, at every scrape, the GraphQL queries the direct
// executor answered and those it began and handed to gqlgen's generated
// code (graph.DirectCounts); the queries it does not cover at all are
// neither.
func (m *Metrics) CountDirect(counts func() (answered, handedOver uint64)) {
	m.countPair("direct_queries_total",
		"GraphQL queries the direct executor answered (answered), and those it began and handed to gqlgen after an error (handed_over).",
		"outcome", "answered", "handed_over", counts)
}

// countPair registers a counter with one label of two values, read from
// counts at every scrape.
func (m *Metrics) countPair(name, help, label, first, second string, counts func() (uint64, uint64)) {
	if m == nil {
		return
	}
	m.registry.MustRegister(pairCollector{counts: counts, values: [2]string{first, second},
		desc: prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, []string{label}, nil)})
}

type pairCollector struct {
	counts func() (uint64, uint64)
	values [2]string
	desc   *prometheus.Desc
}

func (c pairCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c pairCollector) Collect(ch chan<- prometheus.Metric) {
	a, b := c.counts()
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(a), c.values[0])
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(b), c.values[1])
}
