// Package faulttest holds the tests of the service under database faults:
// PostgreSQL restarted under write load, a network that goes silent, and a
// streaming replica of it whose replay pauses.
// They run against a PostgreSQL cluster of their own, because restarting
// the server would disturb the tests of any package sharing it.
package faulttest
