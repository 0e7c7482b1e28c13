#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench-startup.sh: what a command-line run of vmscope costs from exec to
# exit, against the floor of `cat /proc/self/maps` run the same way: wall
# time (median) and CPU time (user + system, mean), and their ratios.
# Measured with hyperfine (no shell between it and the program); prints
# figures and never fails on time.
# Usage: bench-startup.sh VMSCOPE MAPS_FILE [RUNS]
set -u
vmscope=$1 maps=$2 runs=${3:-300}
if ! command -v hyperfine >/dev/null 2>&1; then
  echo "SKIP: hyperfine is not installed (apt-get install hyperfine)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "vmscope's libraries: $(readelf -d "$vmscope" 2>/dev/null |
  sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
# $$ is this shell: a small process that stays put while it is read.
hyperfine -N --style none --warmup 20 --runs "$runs" --export-json "$tmp/t.json" \
  -n 'cat /proc/self/maps' 'cat /proc/self/maps' \
  -n 'vmscope --version' "$vmscope --version" \
  -n "vmscope --maps-file $(basename "$maps") --summary" "$vmscope --maps-file $maps --summary" \
  -n 'vmscope PID --summary' "$vmscope $$ --summary" >/dev/null 2>"$tmp/err" || {
  echo "hyperfine failed: $(cat "$tmp/err")"
  exit 1
}
# hyperfine writes one key per line; the runs' times are bare numbers.
awk '
  /"command":/ { sub(/^[^:]*: "/, ""); sub(/",?$/, ""); cmd[++n] = $0 }
  /"median":/ { gsub(/[^0-9.e-]/, "", $2); med[n] = $2 }
  /"user":/ { gsub(/[^0-9.e-]/, "", $2); usr[n] = $2 }
  /"system":/ { gsub(/[^0-9.e-]/, "", $2); sys[n] = $2 }
  END {
    printf "%-40s %10s %7s %10s %7s\n", "command", "wall", "ratio", "cpu", "ratio"
    for (i = 1; i <= n; i++) {
      cpu = usr[i] + sys[i]
      printf "%-40s %7.2f ms %6.2fx %7.2f ms %6.2fx\n", cmd[i], med[i] * 1e3, med[i] / med[1],
             cpu * 1e3, cpu / (usr[1] + sys[1])
    }
    printf "(wall: median of %d runs; cpu: mean user + system; ratios to the first line)\n", RUNS
  }' RUNS="$runs" "$tmp/t.json"
