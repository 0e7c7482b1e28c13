#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench-metrics.sh: the cost of `vmscope --metrics --all` on a machine with
# at least 1,000 processes (the goal: under 0.5 s of CPU). Starts as many
# sleeping processes as it takes, runs the collection five times, and prints
# the median CPU time, the collection's own figure, and the per-process cost.
# Usage: bench-metrics.sh VMSCOPE [PROCESSES]
set -u
vmscope=$1 want=${2:-1000}
tmp=$(mktemp -d)
trap 'kill $(cat "$tmp/pids" 2>/dev/null) 2>/dev/null; rm -rf "$tmp"' EXIT
have=$(ls -d /proc/[0-9]* | wc -l)
n=$((want - have))
: >"$tmp/pids"
i=0
while [ $i -lt $n ]; do
  sleep 600 >/dev/null 2>&1 &
  echo $! >>"$tmp/pids"
  i=$((i + 1))
done
total=$(ls -d /proc/[0-9]* | wc -l)
echo "processes on the machine: $total ($n started for this run)"
# CPU seconds of one run, from the kernel's accounting of the child.
cpu_of() {
  /usr/bin/env time -f '%U %S' -o "$tmp/t" "$vmscope" --metrics --all >"$tmp/out" 2>/dev/null
  awk '{ printf "%.4f\n", $1 + $2 }' "$tmp/t"
}
if ! /usr/bin/env time -f '%U' -o /dev/null true 2>/dev/null; then
  echo "SKIP: GNU time is not installed (package time)"
  exit 77
fi
for r in 1 2 3 4 5; do
  cpu_of >>"$tmp/cpu"
  sed -n 's/^vmscope_collection_cpu_seconds //p' "$tmp/out" >>"$tmp/self"
  sed -n 's/^vmscope_processes_read //p' "$tmp/out" >>"$tmp/read"
done
med() { sort -n "$1" | sed -n 3p; }
cpu=$(med "$tmp/cpu") self=$(med "$tmp/self") read=$(med "$tmp/read")
echo "vmscope --metrics --all: median CPU $cpu s for the whole run (goal at most 0.5 s), $self s in the collection itself"
awk -v c="$cpu" -v r="$read" 'BEGIN { printf "processes read: %d, %.0f us of CPU each\n", r, c * 1e6 / (r ? r : 1) }'
awk -v c="$cpu" 'BEGIN { printf "ratio to the 0.5 s goal: %.2fx\n", c / 0.5 }'
