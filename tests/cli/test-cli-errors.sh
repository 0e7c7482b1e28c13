#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Bad input gets one clear line on stderr and its documented exit status,
# never a crash and never output presented as whole.
vmscope=$1
data=$2
fails=0
checks=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect STATUS PATTERN ARGS...: exit status STATUS, stderr matching PATTERN, no stdout.
expect() {
  want=$1 pattern=$2
  shift 2
  checks=$((checks + 1))
  "$vmscope" "$@" >"$tmp/out" 2>"$tmp/err"
  got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: vmscope $*: exit $got, expected $want; stderr: $(cat "$tmp/err")"
    fails=$((fails + 1))
  elif [ -n "$pattern" ] && ! grep -q -- "$pattern" "$tmp/err"; then
    echo "FAIL: vmscope $*: stderr does not say '$pattern': $(cat "$tmp/err")"
    fails=$((fails + 1))
  elif [ "$want" -ne 0 ] && [ -s "$tmp/out" ]; then
    echo "FAIL: vmscope $*: wrote output although it failed"
    fails=$((fails + 1))
  elif [ "$(wc -l <"$tmp/err")" -gt 2 ]; then
    echo "FAIL: vmscope $*: more than a line or two on stderr"
    fails=$((fails + 1))
  fi
}

# The highest PID the kernel hands out, plus one, names no process.
nopid=$(($(cat /proc/sys/kernel/pid_max) + 1))
expect 3 "no process with PID $nopid" "$nopid" --summary
expect 2 "not a process ID" abc --summary
expect 2 "not a process ID" 0 --summary
expect 2 "not a process ID" -- -5
expect 2 "unknown option" --bogus
expect 2 "which process" --summary
expect 2 "is not a size" $$ --fit 12Q
expect 2 "is not a size" $$ --fit 0
expect 2 "is not a size" $$ --fit=-1G
expect 2 "power-of-two" $$ --fit 1G --align 3000
expect 2 "unknown format" $$ --format xml
expect 2 "starts at or after its end" $$ --range 0x2000-0x1000
expect 2 "START-END" $$ --range nonsense
expect 2 "interval" $$ --watch 0
expect 2 "interval" $$ --watch soon
expect 2 "goes with --watch" $$ --count 3
expect 2 "positive count" $$ --watch 1 --count -2
expect 2 "WIDTHxHEIGHT" $$ --png "$tmp/x.png" --size 0x100
expect 2 "WIDTHxHEIGHT" $$ --png "$tmp/x.png" --size 40000x100
expect 2 "linear or compressed" $$ --png "$tmp/x.png" --layout spiral
expect 2 "one process at a time" 1 2
expect 2 "needs a value" $$ --format
expect 2 "takes no value" $$ --summary=yes
expect 2 "is not a size" $$ --fit 1.5
expect 2 "not both" $$ --maps-file "$data/jvm.maps"
expect 2 "one document each in JSON" $$ --summary --regions --format json
expect 2 "one document each in CSV" $$ --summary --regions --format csv
expect 2 "reaches past the address space" --maps-file "$data/jvm.maps" --summary --range 0x1000-0xffffffffffffffff
expect 2 "page tables, not a file" --maps-file "$data/jvm.maps" --summary --residency
expect 2 "takes no value" $$ --residency=yes

# A kernel thread (kthreadd is PID 2 wherever there is a kernel to ask).
if grep -q kthreadd /proc/2/stat 2>/dev/null; then
  expect 5 "kernel thread" 2 --summary
fi
# A zombie: a child that exited and was not reaped yet.
sh -c 'sleep 0 & exec sleep 5' &
parent=$!
sleep 0.5
zombie=$(ps -o pid= --ppid "$parent" 2>/dev/null | tr -d ' ' | head -n1)
if [ -n "$zombie" ] && grep -q ') Z ' "/proc/$zombie/stat" 2>/dev/null; then
  expect 5 "zombie" "$zombie" --summary
fi
kill "$parent" 2>/dev/null

# Malformed and missing capture files.
printf '1000-2000 r--p 00000000 00:00 0\nthis is not a mapping\n' >"$tmp/bad.maps"
expect 10 "line 2" --maps-file "$tmp/bad.maps" --summary
: >"$tmp/empty.maps"
expect 10 "no mappings" --maps-file "$tmp/empty.maps" --summary
expect 8 "cannot open" --maps-file "$tmp/missing.maps" --summary
expect 8 "cannot read" --maps-file "$tmp" --summary

# A full disk: the output cannot be written, and vmscope says so.
if [ -w /dev/full ]; then
  checks=$((checks + 1))
  "$vmscope" --maps-file "$data/jvm.maps" --regions >/dev/full 2>"$tmp/err"
  got=$?
  if [ "$got" -ne 8 ] || ! grep -q "writing the output failed" "$tmp/err"; then
    echo "FAIL: output to /dev/full: exit $got: $(cat "$tmp/err")"
    fails=$((fails + 1))
  fi
fi

# The export format follows the file's extension, in any case.
checks=$((checks + 1))
"$vmscope" --maps-file "$data/jvm.maps" --png "$tmp/MAP.SVG" 2>"$tmp/err"
got=$?
if [ "$got" -eq 0 ]; then
  if ! head -c 200 "$tmp/MAP.SVG" | grep -q "<svg"; then
    echo "FAIL: --png MAP.SVG did not write an SVG"
    fails=$((fails + 1))
  fi
elif [ "$got" -ne 11 ]; then
  echo "FAIL: --png MAP.SVG: exit $got: $(cat "$tmp/err")"
  fails=$((fails + 1))
fi

# Good input for contrast: the same file gives a summary and exit 0.
expect 0 "" --maps-file "$data/python-fragmenting.maps" --summary
# Sizes and intervals as the window writes them are good input here too.
expect 0 "" --maps-file "$data/python-fragmenting.maps" --summary --fit "1.5 GiB" --align 64K
expect 0 "" --maps-file "$data/python-fragmenting.maps" --summary --fit=1.3k
expect 0 "" $$ --watch 50ms --count 1
expect 0 "" $$ --watch "0.05 s" --count=1

echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
