#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# test-remote-errors.sh: vmscope ssh://... on every bad input. A URL that is
# not one is a usage error naming the part that is wrong; the rest runs a
# fake ssh, first on PATH, that fails as ssh and remote shells do (255 with
# ssh's message, 127 for a command not found) or answers --version with
# another format, and otherwise runs the real vmscope here in place of the
# far side's. Each gets one clear line and its documented exit status.
# Usage: test-remote-errors.sh VMSCOPE
set -u
vmscope=$1
fails=0 checks=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin" "$tmp/empty"

# The fake: it logs its arguments, then does what FAKE_SSH says. After
# "--" come the destination and the remote command.
cat >"$tmp/bin/ssh" <<'FAKE'
#!/bin/sh
printf '%s\n' "$*" >>"$FAKE_SSH_LOG"
while [ $# -gt 0 ] && [ "$1" != "--" ]; do shift; done
[ $# -ge 2 ] || { echo "fake ssh: no '--' and destination in its arguments" >&2; exit 255; }
host=$2
shift 2
[ "$1" = vmscope ] || { echo "fake ssh: the remote command is not vmscope: $*" >&2; exit 255; }
shift
case $FAKE_SSH in
  refused) echo "ssh: connect to host $host port 22: Connection refused" >&2; exit 255 ;;
  silent) exit 255 ;;
  missing) echo "bash: line 1: vmscope: command not found" >&2; exit 127 ;;
esac
if [ "$1" = --version ]; then
  case $FAKE_SSH in
    garbage) echo "Welcome to $host!"; exit 0 ;;
    old) echo "vmscope 0.0.9"; exit 0 ;;
    major) echo "vmscope 9.0.0 (recording format 2.0)"; exit 0 ;;
    minor) echo "vmscope 0.9.0 (recording format 1.7)"; exit 0 ;;
  esac
fi
case $FAKE_SSH in
  drop)
    # A frame or so, then the connection goes.
    "$FAKE_VMSCOPE" "$@" 2>/dev/null | head -c 300
    echo "Connection to $host closed by remote host." >&2
    exit 255 ;;
esac
exec "$FAKE_VMSCOPE" "$@"
FAKE
chmod +x "$tmp/bin/ssh"
FAKE_SSH_LOG=$tmp/ssh.log FAKE_VMSCOPE=$vmscope FAKE_SSH=ok
export FAKE_SSH_LOG FAKE_VMSCOPE FAKE_SSH
unset VMSCOPE_SSH
PATH=$tmp/bin:$PATH

# expect STATUS PATTERN ARGS...: exit status STATUS, stderr matching PATTERN,
# no stdout when it fails, at most two lines on stderr ($run_path: vmscope's
# PATH instead of ours).
expect() {
  want=$1 pattern=$2
  shift 2
  checks=$((checks + 1))
  if [ -n "${run_path:-}" ]; then
    PATH=$run_path "$vmscope" "$@" >"$tmp/out" 2>"$tmp/err"
  else
    "$vmscope" "$@" >"$tmp/out" 2>"$tmp/err"
  fi
  got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: [$FAKE_SSH] vmscope $*: exit $got, expected $want; stderr: $(cat "$tmp/err")"
    fails=$((fails + 1))
  elif [ -n "$pattern" ] && ! grep -q -- "$pattern" "$tmp/err"; then
    echo "FAIL: [$FAKE_SSH] vmscope $*: stderr does not say '$pattern': $(cat "$tmp/err")"
    fails=$((fails + 1))
  elif [ "$want" -ne 0 ] && [ -s "$tmp/out" ]; then
    echo "FAIL: [$FAKE_SSH] vmscope $*: wrote output although it failed"
    fails=$((fails + 1))
  elif [ "$(wc -l <"$tmp/err")" -gt 2 ]; then
    echo "FAIL: [$FAKE_SSH] vmscope $*: more than a line or two on stderr: $(cat "$tmp/err")"
    fails=$((fails + 1))
  fi
}

# Malformed URLs: exit 2, saying which part is wrong; ssh never runs.
expect 2 "no host after ssh://" ssh://
expect 2 "no host after ssh://" ssh:///1
expect 2 "the user before '@' is empty" ssh://@host/1
expect 2 "the user 'a;b' is not a plain user name" "ssh://a;b@host/1"
expect 2 "the host is empty" ssh://me@:22/1
expect 2 "the host '-oProxyCommand=x' is not" ssh://-oProxyCommand=x/1
expect 2 "the host 'ho st' is not" "ssh://ho st/1"
expect 2 "the port 'abc' is not a number from 1 to 65535" ssh://host:abc/1
expect 2 "the port '0' is not a number" ssh://host:0/1
expect 2 "the port '70000' is not a number" ssh://host:70000/1
expect 2 "the port '' is not a number" ssh://host:/1
expect 2 "the IPv6 address has no closing" "ssh://[::1/1"
expect 2 "'zz' is not an IPv6 address" "ssh://[zz]/1"
expect 2 "after the IPv6 address comes" "ssh://[::1]x/1"
expect 2 "'abc' after the host is not a process ID" ssh://host/abc
expect 2 "'1/2' after the host is not a process ID" ssh://host/1/2
expect 2 "'0' after the host is not a process ID" ssh://host/0
expect 2 "which process on host?" ssh://host
expect 2 "which process on host?" ssh://host/ --summary
expect 2 "--list takes ssh://HOST without a process ID" ssh://host/1 --list
expect 2 "--watch .* does not go with ssh://" ssh://host/1 --watch 1
expect 2 "--record .* does not go with ssh://" ssh://host/1 --record x.vmsrec
expect 2 "--at does not go with ssh://" ssh://host/1 --at 0
expect 2 "--smaps does not go with ssh://" ssh://host/1 --smaps
expect 2 "no --count or --duration" ssh://host/1 --summary --count 2
expect 2 "give one" ssh://host/1 --count 2 --duration 5s
expect 2 "--metrics reads processes here" ssh://host/1 --metrics
expect 2 "one process or file at a time" ssh://host/1 ssh://host/2
expect 2 "one process or file at a time" 1 ssh://host/2
checks=$((checks + 1))
if [ -s "$tmp/ssh.log" ]; then
  echo "FAIL: ssh ran for a malformed URL: $(cat "$tmp/ssh.log")"
  fails=$((fails + 1))
fi

# ssh is not installed; VMSCOPE_SSH names a program that is not there.
run_path=$tmp/empty expect 12 \
  "cannot reach host: 'ssh' is not installed: no such program on PATH; install OpenSSH" \
  ssh://host/1
VMSCOPE_SSH="$tmp/no-such-ssh -v" expect 12 "'$tmp/no-such-ssh' is not installed" ssh://host/1

# ssh fails: its own line, said with the destination (exit 12).
FAKE_SSH=refused
expect 12 "ssh to me@host:2222 failed: ssh: connect to host me@host port 22: Connection refused" \
  ssh://me@host:2222/1
expect 12 "ssh to host failed: ssh: connect to host host port 22: Connection refused" \
  ssh://host --list
FAKE_SSH=silent expect 12 "ssh to host failed: it exited with status 255 and said nothing" \
  ssh://host/1
# vmscope is not on the far side: the remote shell's 127.
FAKE_SSH=missing
expect 12 "vmscope is not installed on host (bash: line 1: vmscope: command not found)" \
  ssh://host/1
expect 12 "vmscope is not installed on host" ssh://host --list
# Its version cannot be read, or its recording format is another major version.
FAKE_SSH=garbage expect 12 \
  "cannot read the version of vmscope on host: 'vmscope --version' said 'Welcome to host!'" \
  ssh://host/1
FAKE_SSH=old expect 12 "cannot read the version of vmscope on host: .* said 'vmscope 0.0.9'" \
  ssh://host/1
FAKE_SSH=major expect 11 \
  "host runs vmscope 9.0.0, which writes recording format 2.0; this vmscope .* reads format 1" \
  ssh://host/1
FAKE_SSH=major expect 11 "reads format 1 only" ssh://host --list

# The far side's vmscope fails: its status and its line, with the host.
FAKE_SSH=ok
nopid=$(($(cat /proc/sys/kernel/pid_max) + 1))
expect 3 "host: no process with PID $nopid" "ssh://host/$nopid"
expect 3 "host: no process with PID $nopid" "ssh://host/$nopid" --summary
# The connection goes in the middle: ssh's line, exit 12.
sleep 60 &
target=$!
FAKE_SSH=drop expect 12 "ssh to host failed: Connection to host closed by remote host." \
  "ssh://host/$target" --interval 0.05 --count 20

# The good path through the fake (the real one is remote-ssh-url): the
# arguments ssh gets, and a note for another version of the same format.
: >"$tmp/ssh.log"
FAKE_SSH=ok expect 0 "" "ssh://me@host:2222/$target" --interval 0.05 --count 2 --format csv
checks=$((checks + 1))
rows=$(($(wc -l <"$tmp/out") - 1))
if [ "$rows" -ne 2 ] || ! grep -q "^[^,]*,$target," "$tmp/out"; then
  echo "FAIL: ssh://me@host:2222/$target --count 2: $rows rows: $(cat "$tmp/out")"
  fails=$((fails + 1))
fi
checks=$((checks + 1))
want_args="-p 2222 -- me@host vmscope --version
-p 2222 -- me@host vmscope $target --record - --interval 0.05 --count 2"
if [ "$(cat "$tmp/ssh.log")" != "$want_args" ]; then
  echo "FAIL: ssh's arguments: $(cat "$tmp/ssh.log"), expected: $want_args"
  fails=$((fails + 1))
fi
: >"$tmp/ssh.log"
VMSCOPE_SSH="ssh -o BatchMode=yes -i key" expect 0 "" "ssh://[::1]/$target" --summary
checks=$((checks + 1))
if ! grep -q "^-o BatchMode=yes -i key -- ::1 vmscope $target --record - --interval 1 --count 1$" \
  "$tmp/ssh.log"; then
  echo "FAIL: VMSCOPE_SSH's words and [::1]: $(cat "$tmp/ssh.log")"
  fails=$((fails + 1))
fi
FAKE_SSH=minor expect 0 "note: host runs vmscope 0.9.0, this is .*; both use recording format 1" \
  "ssh://host/$target" --count 1
kill "$target"
wait "$target" 2>/dev/null

echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
