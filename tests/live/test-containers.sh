#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# test-containers.sh: a process in its own PID namespace shows its PID there
# (ns_pid), and one in a cgroup named like a runtime's shows that container
# ID, in vmscope --list. Real namespaces and cgroups, made here and removed.
# Usage: test-containers.sh VMSCOPE [namespace|cgroup]
set -u
vmscope=$1 part=${2:-namespace}
tmp=$(mktemp -d)
pids=""
cg=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null; done
  if [ -n "$cg" ] && [ -d "$cg" ]; then
    # Emptied by the kill above; a cgroup directory goes with rmdir.
    for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$cg" 2>/dev/null && break; sleep 0.1; done
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
# The one-line JSON object of PID $1 in --list.
row_of() { "$vmscope" --list --format json | grep "^,\{0,1\}{\"pid\":$1,"; }

if [ "$part" = namespace ]; then
  command -v unshare >/dev/null || { echo "SKIP: unshare is not installed (util-linux)"; exit 77; }
  # Its output goes nowhere: a sleep holding the test's stdout would keep
  # meson waiting after the test ends.
  unshare --pid --fork --mount-proc sleep 60 >/dev/null 2>&1 &
  pids=$!
  if ! unshare --pid --fork --mount-proc true 2>"$tmp/err"; then
    echo "SKIP: cannot make a PID namespace here: $(cat "$tmp/err")"
    exit 77
  fi
  # The sleep is unshare's child, PID 1 inside.
  child=""
  for _ in $(seq 50); do
    child=$(ps -o pid= --ppid "$pids" 2>/dev/null | tr -d ' ' | head -n 1)
    [ -n "$child" ] && break
    sleep 0.1
  done
  [ -n "$child" ] || { echo "FAIL: the namespaced sleep never started"; exit 1; }
  pids="$child $pids"
  row=$(row_of "$child")
  echo "$row" | grep -q '"ns_pid":1,' || { echo "FAIL: PID $child should be 1 in its namespace: $row"; exit 1; }
  mine=$(row_of $$)
  echo "$mine" | grep -q '"ns_pid":null' || { echo "FAIL: this shell shares our namespace: $mine"; exit 1; }
  "$vmscope" --list | grep -q "^ *$child .*\[PID 1 in" || { echo "FAIL: the table does not show PID 1 inside"; exit 1; }
  echo "1 passed, 0 failed"
  exit 0
fi

# cgroup: v2 at /sys/fs/cgroup, else the v1 pids hierarchy.
id=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
if [ -f /sys/fs/cgroup/cgroup.procs ]; then root=/sys/fs/cgroup
elif [ -f /sys/fs/cgroup/pids/cgroup.procs ]; then root=/sys/fs/cgroup/pids
else echo "SKIP: no writable cgroup hierarchy is mounted"; exit 77
fi
cg="$root/vmscope-test-docker-$id.scope"
if ! mkdir "$cg" 2>"$tmp/err"; then
  cg=""
  echo "SKIP: cannot make a cgroup under $root: $(cat "$tmp/err")"
  exit 77
fi
sleep 60 >/dev/null 2>&1 &
pids=$!
if ! echo "$pids" >"$cg/cgroup.procs" 2>"$tmp/err"; then
  echo "SKIP: cannot move a process into $cg: $(cat "$tmp/err")"
  exit 77
fi
row=$(row_of "$pids")
echo "$row" | grep -q "\"container\":\"$id\"" || { echo "FAIL: PID $pids in $cg: $row"; exit 1; }
echo "1 passed, 0 failed"
