#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Bad input gets one clear line on stderr and its documented exit status,
# never a crash and never output presented as whole.
# Usage: test-cli-errors.sh VMSCOPE DATA [kernel-thread|full-disk]
# The last two need what a machine may lack (a visible kernel thread,
# /dev/full), so they run alone and exit 77 with the reason without it.
vmscope=$1
data=$2
# $3: the tool that rewrites a recording's version; $4: one part alone
# (kernel-thread, full-disk), which SKIPs where the machine lacks it.
patch=$3
part=${4:-}
fails=0
checks=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect STATUS PATTERN ARGS...: exit status STATUS, stderr matching PATTERN,
# no stdout and, for a failure, one line on stderr.
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
  elif [ "$want" -ne 0 ] && [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
    echo "FAIL: vmscope $*: not one line on stderr: $(cat "$tmp/err")"
    fails=$((fails + 1))
  elif [ "$(wc -l <"$tmp/err")" -gt 2 ]; then
    echo "FAIL: vmscope $*: more than a line or two on stderr"
    fails=$((fails + 1))
  fi
}

# A kernel thread: kthreadd is PID 2 wherever the kernel's threads are
# visible (not in a PID namespace of a container).
if [ "$part" = kernel-thread ]; then
  if ! grep -q '(kthreadd)' /proc/2/stat 2>/dev/null; then
    echo "SKIP: no kernel thread is visible here (PID 2 is not kthreadd)"
    exit 77
  fi
  expect 5 "kernel thread" 2 --summary
  echo "$((checks - fails)) passed, $fails failed"
  [ "$fails" -eq 0 ]
  exit
fi

# A full disk: the output cannot be written, and vmscope says so.
if [ "$part" = full-disk ]; then
  if [ ! -w /dev/full ]; then
    echo "SKIP: /dev/full is missing or not writable here"
    exit 77
  fi
  checks=$((checks + 1))
  "$vmscope" --maps-file "$data/jvm.maps" --regions >/dev/full 2>"$tmp/err"
  got=$?
  if [ "$got" -ne 8 ] || ! grep -q "writing the output failed" "$tmp/err"; then
    echo "FAIL: output to /dev/full: exit $got: $(cat "$tmp/err")"
    fails=$((fails + 1))
  fi
  echo "$((checks - fails)) passed, $fails failed"
  [ "$fails" -eq 0 ]
  exit
fi

# The highest PID the kernel hands out, plus one, names no process.
nopid=$(($(cat /proc/sys/kernel/pid_max) + 1))
expect 3 "no process with PID $nopid" "$nopid" --summary
expect 2 "not a process ID" abc --summary
expect 2 "nor a recording" ./no-such.vmsrec --summary
expect 2 "not a process ID" 0 --summary
expect 2 "not a process ID" -- -5
expect 2 "unknown option" --bogus
# A usage error is one line: what is wrong, then where the options are.
expect 2 "^vmscope: unknown option '--bogus'; see vmscope --help\$" --bogus
expect 2 "^vmscope: --fit: 'x' is not a size (like 512M, 1.5G or 4096); see vmscope --help\$" \
  --maps-file "$data/jvm.maps" --summary --fit x
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
expect 2 "one process or file at a time" 1 2
expect 2 "needs a value" $$ --format
expect 2 "takes no value" $$ --summary=yes
expect 2 "not never, always or auto" $$ --map --color sometimes
expect 2 "too small for the map" --maps-file "$data/jvm.maps" --map --size 20x5
expect 2 "is not a size" $$ --fit 1.5
expect 2 "not both" $$ --maps-file "$data/jvm.maps"
expect 2 "one document each in JSON" $$ --summary --regions --format json
expect 2 "one document each in CSV" $$ --summary --regions --format csv
expect 2 "reaches past the address space" --maps-file "$data/jvm.maps" --summary --range 0x1000-0xffffffffffffffff
expect 2 "page tables, not a file" --maps-file "$data/jvm.maps" --summary --residency
expect 2 "takes no value" $$ --residency=yes

# A zombie: a child that exited and was not reaped yet (its parent became a
# sleep that never waits). Polled for with a deadline, and a failure when it
# never shows: Linux makes one this way every time.
sh -c 'true & exec sleep 30' &
parent=$!
zombie=
i=0
while [ $i -lt 100 ]; do
  zombie=$(ps -o pid= --ppid "$parent" 2>/dev/null | tr -d ' ' | head -n1)
  [ -n "$zombie" ] && grep -q ') Z ' "/proc/$zombie/stat" 2>/dev/null && break
  zombie=
  sleep 0.1; i=$((i + 1))
done
if [ -n "$zombie" ]; then
  expect 5 "zombie" "$zombie" --summary
else
  checks=$((checks + 1))
  echo "FAIL: no zombie child of $parent appeared within 10 s"
  fails=$((fails + 1))
fi
kill "$parent" 2>/dev/null

# Malformed and missing capture files.
printf '1000-2000 r--p 00000000 00:00 0\nthis is not a mapping\n' >"$tmp/bad.maps"
expect 10 "line 2" --maps-file "$tmp/bad.maps" --summary
# A counter in kB whose byte count does not fit in 64 bits.
printf '1000-2000 r--p 00000000 00:00 0\nRss: 4 kB\nSwap: 18014398509481984 kB\n' >"$tmp/huge.smaps"
expect 10 "line 3: counter too large" --maps-file "$tmp/huge.smaps" --summary
: >"$tmp/empty.maps"
expect 10 "no mappings" --maps-file "$tmp/empty.maps" --summary
expect 8 "cannot open" --maps-file "$tmp/missing.maps" --summary
expect 8 "cannot read" --maps-file "$tmp" --summary

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

# --barriers: bad combinations fail; odd input answers honestly, never crashes.
expect 2 "one document each" --maps-file "$data/jvm.maps" --barriers --summary --format json
expect 2 "one document each" --maps-file "$data/jvm.maps" --barriers --regions --format csv
expect 2 "reaches past the address space" --maps-file "$data/jvm.maps" --barriers --range 0x1000-0xffffffffffffffff
expect 10 "no mappings" --maps-file /dev/null --barriers
# barrier_out ARGS...: exit 0, and stdout holds PATTERN (first argument).
barrier_out() {
  pattern=$1
  shift
  checks=$((checks + 1))
  "$vmscope" "$@" >"$tmp/out" 2>"$tmp/err"
  got=$?
  if [ "$got" -ne 0 ] || ! grep -q -- "$pattern" "$tmp/out"; then
    echo "FAIL: vmscope $*: exit $got, stdout without '$pattern': $(head -c 300 "$tmp/out") $(cat "$tmp/err")"
    fails=$((fails + 1))
  fi
}
# One region (a barrier between the two free blocks around it), a range
# with no free block, a 32-bit space full to the brim.
printf '00400000-00401000 r--p 00000000 00:00 0 \n' >"$tmp/one.maps"
barrier_out "2 free blocks, 2 usable (at least 1 MiB); 1 barrier," --maps-file "$tmp/one.maps" --barriers
barrier_out '"count":1' --maps-file "$tmp/one.maps" --barriers --format json
barrier_out "no free block" --maps-file "$tmp/one.maps" --barriers --range 0x400000-0x401000
barrier_out "no barrier" --maps-file "$tmp/one.maps" --barriers --range 0x400000-0x401000
printf '00010000-ffffe000 rw-p 00000000 00:00 0 \n' >"$tmp/full.maps"
barrier_out "nothing is free" --maps-file "$tmp/full.maps" --barriers
# A 47-bit space: ranked in its busiest cluster, and the output says so; a
# range given is ranked within it and says that instead.
barrier_out "busiest cluster" --maps-file "$data/jvm.maps" --barriers
barrier_out '"kind":"cluster"' --maps-file "$data/jvm.maps" --summary --format json
barrier_out "the range given" --maps-file "$data/jvm.maps" --barriers --range 0x7f4200000000-0x7f42a740a000
barrier_out "^gain,1," --maps-file "$data/python-fragmenting.maps" --barriers --format csv
# The capture has no /proc/PID/limits: the stack setting is unknown, not guessed.
barrier_out "RLIMIT_STACK) is unknown" --maps-file "$data/python-fragmenting.maps" --barriers
# Recordings and saved snapshots. A good one first, then every way it can be bad.
rec=$tmp/good.vmsrec
expect 0 "" $$ --record "$rec" --interval 0.05 --count 6
expect 0 "" "$rec" --summary
expect 0 "" "$rec" --at 2 --regions --format csv
expect 0 "" "$rec" --timeline --format json
expect 0 "" "$rec" --diff 0 last
expect 2 "past the end" "$rec" --at 6
expect 2 "past the end" "$rec" --at +1h
expect 2 "before the first frame" "$rec" --at 2001-01-01T00:00:00Z
expect 2 "is not a frame" "$rec" --at soon
expect 2 "past the end" "$rec" --diff 0 99
expect 2 "needs two values" "$rec" --diff 0
expect 2 "needs a live process" "$rec" --watch 1
expect 2 "needs a live process" "$rec" --smaps
expect 2 "reads a recording" $$ --timeline
expect 2 "reads a recording" $$ --at 3
expect 2 "go with --record" $$ --interval 1
expect 2 "give one" $$ --record "$tmp/x.vmsrec" --count 2 --duration 5s
expect 2 "duration" $$ --record "$tmp/x.vmsrec" --duration forever
size=$(wc -c <"$rec")
# Cut short inside its last frames: what is whole opens, and it says so.
head -c $((size - 40)) "$rec" >"$tmp/cut.vmsrec"
expect 0 "truncated after frame 4; showing up to it" "$tmp/cut.vmsrec" --summary
head -c $((size - 1)) "$rec" >"$tmp/cut1.vmsrec"
expect 0 "truncated after frame 5" "$tmp/cut1.vmsrec" --timeline
head -c 20 "$rec" >"$tmp/cut0.vmsrec"
expect 10 "truncated before its first complete frame" "$tmp/cut0.vmsrec" --summary
# One flipped bit in the middle of the first frame.
dd if="$rec" bs=1 count=200 of="$tmp/flip.vmsrec" 2>/dev/null
printf '\377' >>"$tmp/flip.vmsrec"
dd if="$rec" bs=1 skip=201 of="$tmp/flip.vmsrec" oflag=append conv=notrunc 2>/dev/null
expect 10 "damaged" "$tmp/flip.vmsrec" --summary
printf 'VMSREC but not really, just text\n' >"$tmp/magic.vmsrec"
expect 10 "not a vmscope recording" "$tmp/magic.vmsrec" --summary
printf '\211PNG\r\n\032\n\000\000\000\015IHDR' >"$tmp/map.png"
expect 10 "a PNG image" "$tmp/map.png" --summary
expect 10 "text, not a vmscope recording" "$data/jvm.maps" --summary
if "$patch" "$rec" "$tmp/newer.vmsrec" 2 0; then
  expect 11 "newer vmscope" "$tmp/newer.vmsrec" --summary
fi
checks=$((checks + 1))
: | "$vmscope" - --timeline >"$tmp/out" 2>"$tmp/err"
got=$?
if [ "$got" -ne 10 ] || ! grep -q "standard input: empty" "$tmp/err"; then
  echo "FAIL: an empty standard input: exit $got: $(cat "$tmp/err")"
  fails=$((fails + 1))
fi
checks=$((checks + 1))
"$vmscope" - --summary <"$tmp/cut.vmsrec" >"$tmp/out" 2>"$tmp/err"
got=$?
if [ "$got" -ne 0 ] || ! grep -q "standard input: truncated after frame 4" "$tmp/err"; then
  echo "FAIL: a cut recording on standard input: exit $got: $(cat "$tmp/err")"
  fails=$((fails + 1))
fi
# --save is atomic: a failure leaves nothing, not even a temporary file.
expect 0 "" $$ --save "$tmp/snap.vmsrec"
expect 8 "not a regular file" $$ --save /dev/full
expect 8 "cannot write" $$ --save "$tmp/no-such-dir/snap.vmsrec"
if [ -n "$(find "$tmp" -name '*.tmp')" ]; then
  echo "FAIL: --save left a temporary file: $(find "$tmp" -name '*.tmp')"
  fails=$((fails + 1))
fi
# Recording into a full disk and past a file-size limit stops with a message
# and leaves a file that opens up to its last complete frame.
if [ -w /dev/full ]; then
  expect 8 "writing frame 0 failed" $$ --record /dev/full --interval 0.05 --count 3
fi
checks=$((checks + 1))
(ulimit -f 8 && exec "$vmscope" $$ --record "$tmp/limit.vmsrec" --interval 0.02 --count 200) \
  >/dev/null 2>"$tmp/err"
got=$?
if [ "$got" -ne 8 ] || ! grep -q "File too large; it opens up to frame" "$tmp/err"; then
  echo "FAIL: recording past a size limit: exit $got: $(cat "$tmp/err")"
  fails=$((fails + 1))
else
  last=$(sed -n 's/.*it opens up to frame \([0-9]*\).*/\1/p' "$tmp/err")
  expect 0 "truncated after frame $last; showing up to it" "$tmp/limit.vmsrec" --summary
fi

# Good input for contrast: the same file gives a summary and exit 0.
expect 0 "" --maps-file "$data/python-fragmenting.maps" --summary
# Sizes and intervals as the window writes them are good input here too.
expect 0 "" --maps-file "$data/python-fragmenting.maps" --summary --fit "1.5 GiB" --align 64K
expect 0 "" --maps-file "$data/python-fragmenting.maps" --summary --fit=1.3k
expect 0 "" $$ --watch 50ms --count 1
expect 0 "" --maps-file "$data/jvm.maps" --map --size 100x20
# NO_COLOR and a pipe keep escapes out; --color=always puts them in.
checks=$((checks + 1))
NO_COLOR=1 "$vmscope" --maps-file "$data/jvm.maps" --map --color always >"$tmp/c1" 2>&1
"$vmscope" --maps-file "$data/jvm.maps" --map >"$tmp/c2" 2>&1
if ! grep -q "$(printf '\033')\[" "$tmp/c1" || grep -q "$(printf '\033')" "$tmp/c2"; then
  echo "FAIL: --map colour: --color always gave no escape, or a pipe got one"
  fails=$((fails + 1))
fi
expect 0 "" $$ --watch "0.05 s" --count=1

echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
