#!/usr/bin/env bash
# Browser test of the playground, end to end, as CI runs it:
#
#   bash e2e/run.sh
#
# On a clean Debian machine it installs what is missing (chromium and the
# PostgreSQL server binaries via apt-get, as root or with sudo; playwright-core
# via `npm ci`), builds the server, starts `startupgraph dev` on a free
# 127.0.0.1 port with a throwaway data directory, waits for /healthz, runs
# `node --test playground.test.mjs`, and always stops the server with SIGINT
# (which also stops its PostgreSQL) and removes its temp files. Needs Go and
# Node.js >= 20 on PATH. Exits with the test's status.
#
# Output: e2e/out/playground.png (the screenshot), playground-docs.png,
# playground-autocomplete.png and playground-examples.png (the Docs pane,
# autocomplete, and question 9 run from the Examples plugin with an ANALYST
# key that `startupgraph apikey create` makes in the same database),
# e2e/out/server.log and apikey.log.
#
# Environment (all optional): CHROMIUM_PATH (default /usr/bin/chromium),
# E2E_HEALTH_TIMEOUT (seconds to wait for /healthz, default 120),
# E2E_TEST_TIMEOUT (seconds for the browser test, default 300),
# E2E_SERVER_ADDR (listen address instead of a free 127.0.0.1 port; e.g. a
# bad value to check the failure path).
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)
e2e="$repo/e2e"
out="$e2e/out"

CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
health_timeout=${E2E_HEALTH_TIMEOUT:-120}
test_timeout=${E2E_TEST_TIMEOUT:-300}
stop_timeout=60 # server shutdown: 20 s for in-flight requests, then PostgreSQL stops

started=$SECONDS
say() { printf '== e2e: %s\n' "$*"; }
fail() {
  printf 'e2e: FAIL: %s\n' "$*" >&2
  exit 1
}

# --- tools -------------------------------------------------------------------

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
apt_updated=
apt_install() {
  if [ "${#sudo_cmd[@]}" -gt 0 ] && ! command -v sudo >/dev/null 2>&1; then
    fail "need to install $* with apt-get, but not root and no sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "$apt_updated" ]; then
    timeout 600 "${sudo_cmd[@]}" apt-get update -qq || fail "apt-get update failed"
    apt_updated=1
  fi
  timeout 1200 "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
    fail "apt-get install $* failed"
}

if [ ! -x "$CHROMIUM_PATH" ]; then
  [ "$CHROMIUM_PATH" = /usr/bin/chromium ] || fail "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable"
  say "installing chromium (apt-get)"
  apt_install chromium fonts-liberation
  [ -x "$CHROMIUM_PATH" ] || fail "apt-get installed chromium, but $CHROMIUM_PATH is missing"
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  say "installing the PostgreSQL server binaries (apt-get)"
  apt_install postgresql
fi

command -v go >/dev/null 2>&1 || fail "go is not on PATH"
command -v node >/dev/null 2>&1 || fail "node is not on PATH (Node.js >= 20 is needed; Debian bookworm's nodejs is 18)"
command -v npm >/dev/null 2>&1 || fail "npm is not on PATH"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
  fail "Node.js >= 20 is needed for playwright-core and node --test; found $(node --version)"

say "chromium: $("$CHROMIUM_PATH" --version 2>/dev/null | head -n1)"
say "node $(node --version), $(go version)"

say "npm ci (e2e/)"
(cd "$e2e" && timeout 300 npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) || fail "npm ci failed"

# --- the live clients ----------------------------------------------------------
# TestLiveNodeClients runs the npm graphql-ws and graphql-sse clients
# (e2e/live.test.mjs) against two servers on one database; `make test`
# skips it while e2e/node_modules is missing, as on a fresh clone before
# this script's npm ci, so it runs here and must pass, not skip.
say "graphql-ws and graphql-sse clients against two servers (go test -run TestLiveNodeClients)"
live_log="$out/live-clients.log"
mkdir -p "$out"
(cd "$repo" && timeout 300 go test -count=1 -run '^TestLiveNodeClients$' -v ./internal/server/) >"$live_log" 2>&1 ||
  { tail -n 40 "$live_log" >&2; fail "the live clients' test failed (see ${live_log#"$repo"/})"; }
grep -q -- '--- PASS: TestLiveNodeClients' "$live_log" ||
  { tail -n 20 "$live_log" >&2; fail "the live clients' test did not run (see ${live_log#"$repo"/})"; }
say "live clients: PASS"

# --- temp files and cleanup ------------------------------------------------------

bin_dir=$(mktemp -d /tmp/startupgraph-e2e-bin.XXXXXX)
# The dev command runs PostgreSQL as the postgres user when root: that user
# must be able to traverse the data directory.
data_dir=$(mktemp -d /tmp/startupgraph-e2e-data.XXXXXX)
chmod 755 "$data_dir"
mkdir -p "$out"
rm -f "$out/playground.png" "$out/playground-docs.png" "$out/playground-autocomplete.png" "$out/playground-examples.png" "$out/playground-export.png" "$out/playground-export.csv" "$out/playground-export.xlsx" \
  "$out/playground-failure.png" "$out/apikey.log"
server_log="$out/server.log"
: >"$server_log"
server_pid=

# stop_server sends SIGINT and waits (bounded) for the server to exit; the
# server then stops its PostgreSQL. If it does not exit in time, it is
# killed and its PostgreSQL is stopped directly from postmaster.pid.
stop_server() {
  [ -n "$server_pid" ] || return 0
  local pid=$server_pid
  server_pid=
  if kill -0 "$pid" 2>/dev/null; then
    say "stopping the server (SIGINT to $pid)"
    kill -INT "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + stop_timeout))
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "e2e: the server did not exit within ${stop_timeout}s of SIGINT; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
  # A PostgreSQL left behind (server killed, or it failed to stop it): stop it.
  local pmfile="$data_dir/postgres/postmaster.pid"
  if [ -f "$pmfile" ]; then
    local pg_pid
    pg_pid=$(head -n1 "$pmfile" 2>/dev/null || true)
    if [[ "$pg_pid" =~ ^[0-9]+$ ]] && kill -0 "$pg_pid" 2>/dev/null; then
      echo "e2e: PostgreSQL ($pg_pid) is still running; stopping it" >&2
      kill -INT "$pg_pid" 2>/dev/null || true # fast shutdown
      local deadline=$((SECONDS + 30))
      while kill -0 "$pg_pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
        sleep 0.2
      done
      kill -0 "$pg_pid" 2>/dev/null && kill -KILL "$pg_pid" 2>/dev/null || true
    fi
  fi
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_server
  rm -rf "$bin_dir" "$data_dir"
  local took=$((SECONDS - started))
  if [ "$status" -eq 0 ]; then
    printf 'e2e: PASS: playground browser test passed in %ss (screenshot: %s)\n' "$took" "${out#"$repo"/}/playground.png"
  else
    printf 'e2e: FAIL: playground browser test failed with status %s after %ss (server log: %s)\n' \
      "$status" "$took" "${server_log#"$repo"/}" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- server ----------------------------------------------------------------------

say "building the server"
timeout 600 go build -o "$bin_dir/startupgraph" ./cmd/startupgraph || fail "go build failed"

port=$(node -e '
  const s = require("net").createServer();
  s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });
') || fail "could not pick a free port"
addr=${E2E_SERVER_ADDR:-127.0.0.1:$port}
url="http://$addr/"

say "starting startupgraph dev on $addr (data dir $data_dir, log ${server_log#"$repo"/})"
STARTUPGRAPH_ADDR=$addr STARTUPGRAPH_DATA_DIR=$data_dir STARTUPGRAPH_LOG_FORMAT=text \
  "$bin_dir/startupgraph" dev >"$server_log" 2>&1 </dev/null &
server_pid=$!

server_died() {
  echo "---- last lines of the server log ----" >&2
  tail -n 30 "$server_log" >&2 || true
  echo "--------------------------------------" >&2
  fail "$1"
}

say "waiting for ${url}healthz (up to ${health_timeout}s)"
deadline=$((SECONDS + health_timeout))
until node -e '
  fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
    .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));
' "${url}healthz" 2>/dev/null; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    wait "$server_pid" && code=0 || code=$?
    server_pid=
    server_died "the server exited (status $code) before /healthz answered"
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    server_died "the server did not answer ${url}healthz within ${health_timeout}s"
  fi
  sleep 0.5
done
say "server is up after $((SECONDS - started))s"

# The examples need a key: an ANALYST one, made in the running server's
# database (apikey uses the same local cluster and leaves it running).
say "creating an ANALYST key (startupgraph apikey create; log ${out#"$repo"/}/apikey.log)"
api_key=$(STARTUPGRAPH_DATA_DIR=$data_dir STARTUPGRAPH_LOG_FORMAT=text \
  timeout 120 "$bin_dir/startupgraph" apikey create -name e2e-playground -role ANALYST 2>"$out/apikey.log" </dev/null | tail -n1) ||
  fail "startupgraph apikey create failed (see ${out#"$repo"/}/apikey.log)"
[[ "$api_key" == sg_* ]] || fail "startupgraph apikey create printed no key (see ${out#"$repo"/}/apikey.log)"
admin_key=$(STARTUPGRAPH_DATA_DIR=$data_dir STARTUPGRAPH_LOG_FORMAT=text \
  timeout 120 "$bin_dir/startupgraph" apikey create -name e2e-live -role ADMIN 2>>"$out/apikey.log" </dev/null | tail -n1) ||
  fail "startupgraph apikey create (ADMIN) failed (see ${out#"$repo"/}/apikey.log)"
[[ "$admin_key" == sg_* ]] || fail "startupgraph apikey create printed no ADMIN key (see ${out#"$repo"/}/apikey.log)"

# --- the browser test --------------------------------------------------------------

say "node --test playground.test.mjs"
set +e
(cd "$e2e" && PLAYGROUND_URL=$url E2E_API_KEY=$api_key E2E_ADMIN_KEY=$admin_key CHROMIUM_PATH=$CHROMIUM_PATH E2E_OUT_DIR=$out \
  timeout "$test_timeout" node --test --test-reporter=spec playground.test.mjs)
test_status=$?
set -e
if [ "$test_status" -eq 124 ]; then
  echo "e2e: the browser test did not finish within ${test_timeout}s" >&2
fi
exit "$test_status"
