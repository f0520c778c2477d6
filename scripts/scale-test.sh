#!/usr/bin/env bash
# make scale-test: a PostgreSQL primary, a streaming replica of it
# (pg_basebackup -R) and two `startupgraph serve` processes reading from
# the replica, all on 127.0.0.1, and HTTP requests proving what the
# README's "Several processes and read replicas" promises. Prints PASS or
# FAIL per point and exits non-zero if any fails; 10-15 s, up to a minute more to compile (bounded at
# 3 minutes). The test itself is internal/scaletest (build tag scaletest).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
start=$(date +%s)
$GO build -o bin/startupgraph ./cmd/startupgraph
set +e
STARTUPGRAPH_BIN="$PWD/bin/startupgraph" \
	$GO test -tags scaletest -count=1 -timeout 3m -v -run '^TestScale$' ./internal/scaletest/ 2>&1 \
	| grep -v -E '^(=== RUN|--- PASS|PASS$|ok )'
status=${PIPESTATUS[0]}
set -e
echo "scale-test: $(( $(date +%s) - start )) s in all (build included)"
exit "$status"
