#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# test-ssh.sh: recordings carried through a real ssh connection. Debian's
# sshd runs on 127.0.0.1 on a port of our own range, with a host key, a user
# key and a config made here for this run; a static helper is recorded on
# the far side of ssh and read on this side as the frames arrive, and every
# frame's figures must equal a local `vmscope PID --summary --format json`
# of the same helper. sshd is stopped at the end.
# Usage: test-ssh.sh VMSCOPE VMS-HELPER [PART [GUI-TEST RUN-XVFB]]
#   PART: stream (default): ssh ... vmscope PID --record - | vmscope -
#         url: vmscope ssh://127.0.0.1:PORT/PID, ssh given the keys by VMSCOPE_SSH
#         window: the window on ssh://127.0.0.1:PORT/PID (GUI-TEST remote, under
#         RUN-XVFB), ssh given the keys by VMSCOPE_SSH
set -u
vmscope=$1 helper=$2 part=${3:-stream} gui_test=${4:-} run_xvfb=${5:-}
sshd=/usr/sbin/sshd
for tool in "$sshd" ssh ssh-keygen; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "SKIP: $tool is not installed (scripts/setup.sh --test installs openssh-server and" \
      "openssh-client)"
    exit 77
  }
done
tmp=$(mktemp -d)
sshd_pid="" helper_pid="" made_privsep=""
cleanup() {
  exec 3>&- 2>/dev/null
  for p in $sshd_pid $helper_pid; do kill "$p" 2>/dev/null; done
  for p in $sshd_pid $helper_pid; do wait "$p" 2>/dev/null; done
  [ -n "$made_privsep" ] && rmdir /run/sshd 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fails=0 checks=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# The keys and the config: nothing of the machine's own sshd is used.
ssh-keygen -q -t ed25519 -N '' -C vmscope-test-host -f "$tmp/host_key" || exit 1
ssh-keygen -q -t ed25519 -N '' -C vmscope-test-user -f "$tmp/user_key" || exit 1
cp "$tmp/user_key.pub" "$tmp/authorized_keys"
# sshd refuses to start without its privilege separation directory, which
# the package's service makes at boot; a machine that never ran it lacks it.
if [ ! -d /run/sshd ]; then
  if mkdir -m 755 /run/sshd 2>/dev/null; then
    made_privsep=1
  else
    echo "SKIP: sshd needs /run/sshd, which is missing and cannot be made here (not root)"
    exit 77
  fi
fi

# start_sshd: on a port drawn from a range of our own, again with another
# until one is held; sets $port and $sshd_pid.
start_sshd() {
  for _ in 1 2 3 4 5 6 7 8; do
    port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000))
    cat >"$tmp/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $port
HostKey $tmp/host_key
PidFile $tmp/sshd.pid
AuthorizedKeysFile $tmp/authorized_keys
# No PAM: the session needs none, and a container has no PAM stack for sshd.
UsePAM no
# The test's directory is root's and world-readable, as mktemp makes it.
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
# vmscope on the far side is the one under test.
SetEnv PATH=$(dirname "$vmscope"):/usr/bin:/bin
CONF
    if ! "$sshd" -t -f "$tmp/sshd_config" >"$tmp/sshd.log" 2>&1; then
      echo "SKIP: sshd rejects its test configuration: $(tail -1 "$tmp/sshd.log")"
      exit 77
    fi
    "$sshd" -D -e -f "$tmp/sshd_config" >"$tmp/sshd.log" 2>&1 &
    sshd_pid=$!
    n=0
    while [ $n -lt 100 ]; do
      grep -q "Server listening on 127.0.0.1 port $port" "$tmp/sshd.log" && return 0
      kill -0 "$sshd_pid" 2>/dev/null || break
      sleep 0.1; n=$((n + 1))
    done
    kill "$sshd_pid" 2>/dev/null
    wait "$sshd_pid" 2>/dev/null
    sshd_pid=""
    # Another port only when this one was taken.
    grep -q "Address already in use" "$tmp/sshd.log" || break
  done
  return 1
}
if ! start_sshd; then
  echo "SKIP: sshd did not start on 127.0.0.1: $(grep -v '^$' "$tmp/sshd.log" | tail -1)"
  exit 77
fi
ssh_cmd="ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=$tmp/known_hosts -o BatchMode=yes \
-o LogLevel=ERROR -i $tmp/user_key -p $port"
# shellcheck disable=SC2086
if ! $ssh_cmd -- 127.0.0.1 true 2>"$tmp/ssh.err"; then
  echo "SKIP: sshd runs on 127.0.0.1:$port but ssh cannot log in: $(tail -1 "$tmp/ssh.err");" \
    "sshd said: $(grep -v '^$' "$tmp/sshd.log" | tail -1)"
  exit 77
fi
echo "sshd on 127.0.0.1:$port"

# A static helper: its address space holds still until its stdin closes.
mkfifo "$tmp/hold"
"$helper" layout <"$tmp/hold" >"$tmp/helper.out" 2>&1 &
helper_pid=$!
exec 3>"$tmp/hold"
n=0
while ! grep -q '^ready$' "$tmp/helper.out" && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
grep -q '^ready$' "$tmp/helper.out" || {
  echo "FAIL: the helper did not start: $(cat "$tmp/helper.out")"
  exit 1
}
json=$("$vmscope" "$helper_pid" --summary --format json)
free_re='.*"free":{"total":\([0-9]*\),"largest":\([0-9]*\),.*'
want_total=$(printf '%s' "$json" | sed -n "s/$free_re/\\1/p")
want_largest=$(printf '%s' "$json" | sed -n "s/$free_re/\\2/p")
[ -n "$want_total" ] && [ -n "$want_largest" ] || {
  echo "FAIL: no free figures in the JSON summary"
  exit 1
}
echo "helper $helper_pid: free total $want_total, largest $want_largest"

# check_rows FILE WHAT PIDCOL TOTALCOL LARGESTCOL: a CSV with a header and
# five rows, each naming the helper and holding the local figures.
check_rows() {
  file=$1 what=$2
  checks=$((checks + 1))
  rows=$(($(wc -l <"$file") - 1))
  if [ "$rows" -ne 5 ]; then
    fail "$what: $rows rows, expected 5: $(cat "$file")"
    return
  fi
  bad=$(awk -F, -v p="$3" -v t="$4" -v l="$5" -v pid="$helper_pid" -v wt="$want_total" \
    -v wl="$want_largest" 'NR > 1 && ($p != pid || $t != wt || $l != wl) { print }' "$file")
  [ -z "$bad" ] || fail "$what: rows whose figures differ from the local summary's: $bad"
}

if [ "$part" = stream ]; then
  # --timeline as the frames arrive: index,time,seconds,kind,exited,pid,
  # regions,vma_count,free_total,free_largest,...
  # shellcheck disable=SC2086
  $ssh_cmd -- 127.0.0.1 vmscope "$helper_pid" --record - --interval 0.2 --count 5 2>"$tmp/rec.err" |
    "$vmscope" - --timeline --format csv >"$tmp/timeline.csv" 2>"$tmp/read.err"
  checks=$((checks + 1))
  [ -s "$tmp/read.err" ] && fail "vmscope - --timeline said: $(cat "$tmp/read.err")"
  grep -q "recorded 5 frames to standard output (count reached)" "$tmp/rec.err" ||
    fail "the far side did not say it recorded 5 frames: $(cat "$tmp/rec.err")"
  check_rows "$tmp/timeline.csv" "ssh | vmscope - --timeline --format csv" 6 9 10
  # vmscope - alone without a display: a summary line per frame (time,pid,
  # regions,vma_count,committed,free_total,free_largest,...); with one it
  # is the window.
  # shellcheck disable=SC2086
  $ssh_cmd -- 127.0.0.1 vmscope "$helper_pid" --record - --interval 0.2 --count 5 2>/dev/null |
    "$vmscope" - --format csv >"$tmp/watch.csv" 2>"$tmp/read.err"
  check_rows "$tmp/watch.csv" "ssh | vmscope - --format csv" 2 6 7
  # shellcheck disable=SC2086
  $ssh_cmd -- 127.0.0.1 vmscope "$helper_pid" --record - --interval 0.2 --count 5 2>/dev/null |
    env -u DISPLAY -u WAYLAND_DISPLAY "$vmscope" - >"$tmp/watch.txt" 2>"$tmp/read.err"
  checks=$((checks + 1))
  lines=$(awk -v pid="$helper_pid" 'NR > 1 && $2 == pid' "$tmp/watch.txt" | wc -l)
  [ "$lines" -eq 5 ] && head -1 "$tmp/watch.txt" | grep -q LARGEST ||
    fail "ssh | vmscope -: not a header and 5 lines of process $helper_pid: $(cat "$tmp/watch.txt")"
fi

if [ "$part" = url ]; then
  VMSCOPE_SSH=$ssh_cmd
  export VMSCOPE_SSH
  url=ssh://127.0.0.1:$port/$helper_pid
  # ssh_run NAME ARGS...: vmscope ARGS, its stdout in $tmp/NAME, and a
  # failure when it fails or says anything on stderr.
  ssh_run() {
    name=$1; shift
    checks=$((checks + 1))
    "$vmscope" "$@" >"$tmp/$name" 2>"$tmp/$name.err"
    got=$?
    if [ "$got" -ne 0 ] || [ -s "$tmp/$name.err" ]; then
      fail "vmscope $*: exit $got: $(cat "$tmp/$name.err")"
    fi
  }
  ssh_run timeline.csv "$url" --timeline --format csv --interval 0.2 --count 5
  check_rows "$tmp/timeline.csv" "vmscope ssh://... --timeline --format csv" 6 9 10
  ssh_run watch.csv "$url" --format csv --interval 0.2 --count 5
  check_rows "$tmp/watch.csv" "vmscope ssh://... --format csv" 2 6 7
  ssh_run watch.txt "$url" --interval 0.2 --count 5
  checks=$((checks + 1))
  lines=$(awk -v pid="$helper_pid" 'NR > 1 && $2 == pid' "$tmp/watch.txt" | wc -l)
  [ "$lines" -eq 5 ] ||
    fail "vmscope ssh://...: not 5 lines of process $helper_pid: $(cat "$tmp/watch.txt")"
  # The first frame's summary, user named: the same figures as here.
  ssh_run summary.json "ssh://$(id -un)@127.0.0.1:$port/$helper_pid" --summary --format json
  checks=$((checks + 1))
  got=$(sed -n "s/$free_re/\\1 \\2/p" "$tmp/summary.json")
  [ "$got" = "$want_total $want_largest" ] ||
    fail "vmscope ssh://.../PID --summary --format json: free '$got'," \
      "here '$want_total $want_largest'"
  ssh_run list.csv "ssh://127.0.0.1:$port" --list --format csv
  checks=$((checks + 1))
  grep -q "^$helper_pid," "$tmp/list.csv" ||
    fail "vmscope ssh://HOST --list: no row for $helper_pid"
  # The far side's failure, with its own exit status and its line.
  nopid=$(($(cat /proc/sys/kernel/pid_max) + 1))
  checks=$((checks + 1))
  "$vmscope" "ssh://127.0.0.1:$port/$nopid" --count 1 >"$tmp/out" 2>"$tmp/err"
  got=$?
  [ "$got" -eq 3 ] && grep -q "127.0.0.1: no process with PID $nopid" "$tmp/err" &&
    [ ! -s "$tmp/out" ] ||
    fail "a PID that does not exist there: exit $got: $(cat "$tmp/err")"
  # A key sshd does not know: ssh's own failure, said (exit 12).
  ssh-keygen -q -t ed25519 -N '' -f "$tmp/stranger_key" || exit 1
  checks=$((checks + 1))
  VMSCOPE_SSH="ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=$tmp/known_hosts \
-o BatchMode=yes -i $tmp/stranger_key -o IdentitiesOnly=yes" \
    "$vmscope" "$url" --count 1 >"$tmp/out" 2>"$tmp/err"
  got=$?
  [ "$got" -eq 12 ] && grep -q "ssh to 127.0.0.1:$port failed: .*Permission denied" "$tmp/err" &&
    [ ! -s "$tmp/out" ] || fail "a key sshd does not know: exit $got: $(cat "$tmp/err")"
  # Nothing listens on the port any more once sshd is gone.
  kill "$sshd_pid"
  wait "$sshd_pid" 2>/dev/null
  sshd_pid=""
  checks=$((checks + 1))
  "$vmscope" "$url" --count 1 >"$tmp/out" 2>"$tmp/err"
  got=$?
  [ "$got" -eq 12 ] && grep -q "ssh to 127.0.0.1:$port failed: .*Connection refused" "$tmp/err" ||
    fail "sshd stopped: exit $got: $(cat "$tmp/err")"
fi

if [ "$part" = window ]; then
  VMSCOPE_SSH=$ssh_cmd
  export VMSCOPE_SSH
  checks=$((checks + 1))
  "$run_xvfb" "$gui_test" remote "$vmscope" "$helper" "127.0.0.1:$port" >"$tmp/gui.out" 2>&1
  got=$?
  cat "$tmp/gui.out"
  [ "$got" -eq 77 ] && { echo "SKIP: the window test skipped: $(tail -1 "$tmp/gui.out")"; exit 77; }
  [ "$got" -eq 0 ] || fail "the window on ssh://127.0.0.1:$port/PID: exit $got"
fi

exec 3>&-
echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
