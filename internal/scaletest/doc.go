// Package scaletest is `make scale-test`: a PostgreSQL primary, a
// streaming replica of it (pg_basebackup -R) and two `startupgraph serve`
// processes reading from the replica (DATABASE_READ_URLS), on 127.0.0.1,
// and real HTTP requests that prove what the README's "Several processes
// and read replicas" promises: a write through one process is read
// through the other; queries read from the replica (counted by the
// startupgraph_db_reads_total metric); a lagging or stopped replica sends
// reads to the primary, and read-your-writes still holds; a killed
// primary makes writes fail fast with SERVICE_UNAVAILABLE while reads go
// on, and loses no write it acknowledged.
//
// The test is behind the scaletest build tag (it starts two clusters and
// two servers, 10-15 s): scripts/scale-test.sh runs it.
package scaletest
