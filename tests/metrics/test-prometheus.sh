#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# test-prometheus.sh: vmscope's metrics through the real chain. vmscope writes
# the textfile, Debian's prometheus-node-exporter serves it, a real
# Prometheus scrapes that, and its HTTP API must give the same largest free
# block that `vmscope PID --summary --format json` gives for the same static
# process. Both servers listen on 127.0.0.1 only, with throwaway configs and
# data, and are stopped at the end.
# Usage: test-prometheus.sh VMSCOPE
set -u
vmscope=$1
for tool in prometheus prometheus-node-exporter promtool curl; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "SKIP: $tool is not installed (scripts/setup.sh --test installs it)"
    exit 77
  }
done
tmp=$(mktemp -d)
pids=""
cleanup() {
  for f in "$tmp"/*.pid; do [ -f "$f" ] && pids="$pids $(cat "$f")"; done
  for p in $pids; do kill "$p" 2>/dev/null; done
  for p in $pids; do wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fails=0 checks=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Poll until a command succeeds or $1 seconds pass.
wait_for() {
  t=$1; shift
  n=0
  while [ $n -lt $((t * 10)) ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1; n=$((n + 1))
  done
  return 1
}

# A static process: its address space does not change while it sleeps.
sleep 600 >/dev/null 2>&1 &
target=$!
pids="$target"
mkdir "$tmp/textfile" "$tmp/data"

checks=$((checks + 1))
"$vmscope" --metrics "$target" --metrics-dir "$tmp/textfile" 2>"$tmp/err" || fail "--metrics-dir: $(cat "$tmp/err")"
checks=$((checks + 1))
promtool check metrics <"$tmp/textfile/vmscope.prom" >"$tmp/lint" 2>&1 || fail "promtool check metrics: $(cat "$tmp/lint")"
want=$("$vmscope" "$target" --summary --format json | sed -n 's/.*"free":{"total":[0-9]*,"largest":\([0-9]*\),.*/\1/p')
[ -n "$want" ] || { echo "FAIL: no largest free block in the JSON summary"; exit 1; }

# start_server NAME COMMAND: runs COMMAND with @PORT@ replaced by a port
# drawn from a range of our own, again with another until one is held;
# prints the port, and leaves the server's PID in $tmp/NAME.pid (this runs
# in a command substitution, so a variable would not outlive it).
start_server() {
  name=$1 template=$2
  for _ in 1 2 3 4 5 6 7 8; do
    port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000))
    cmd=$(printf '%s' "$template" | sed "s/@PORT@/$port/g")
    (eval "exec $cmd" >"$tmp/$name.log" 2>&1) &
    pid=$!
    echo "$pid" >"$tmp/$name.pid"
    if wait_for 10 curl -sf "http://127.0.0.1:$port/metrics"; then
      echo "$port"
      return 0
    fi
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  return 1
}
ne_port=$(start_server node-exporter "prometheus-node-exporter --web.listen-address=127.0.0.1:@PORT@ \
  --collector.disable-defaults --collector.textfile \
  --collector.textfile.directory=$tmp/textfile") || {
  echo "FAIL: node_exporter did not start: $(tail -5 "$tmp/node-exporter.log")"
  exit 1
}
cat >"$tmp/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$ne_port']
CONF
prom_port=$(start_server prometheus "prometheus --config.file=$tmp/prometheus.yml \
  --storage.tsdb.path=$tmp/data --web.listen-address=127.0.0.1:@PORT@") || {
  echo "FAIL: prometheus did not start: $(tail -5 "$tmp/prometheus.log")"
  exit 1
}
echo "node_exporter on 127.0.0.1:$ne_port, prometheus on 127.0.0.1:$prom_port"

query() {
  curl -sf "http://127.0.0.1:$prom_port/api/v1/query" \
    --data-urlencode "query=vmscope_free_largest_block_bytes{pid=\"$target\"}" >"$tmp/answer" &&
    grep -q '"result":\[{' "$tmp/answer"
}
checks=$((checks + 1))
if wait_for 60 query; then
  got=$(sed -n 's/.*"value":\[[0-9.]*,"\([0-9.e+]*\)"\].*/\1/p' "$tmp/answer")
  echo "Prometheus says $got, vmscope's summary $want"
  [ "$got" = "$want" ] || fail "Prometheus has largest free block $got, the summary $want"
else
  fail "Prometheus never had vmscope_free_largest_block_bytes for PID $target: $(cat "$tmp/answer" 2>/dev/null)"
fi
# Unreadable processes are there by reason, zero or not.
checks=$((checks + 1))
curl -sf "http://127.0.0.1:$prom_port/api/v1/query" \
  --data-urlencode 'query=vmscope_processes_unreadable{reason="permission"}' >"$tmp/answer2"
grep -q '"result":\[{' "$tmp/answer2" || fail "no vmscope_processes_unreadable{reason=\"permission\"}"

echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
