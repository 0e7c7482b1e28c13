#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-man.sh: the manual page documents every option the CLI knows (as
# --help lists them from the CLI's option table) and every exit status.
# Usage: test-cli-man.sh VMSCOPE MANPAGE
set -u
vmscope=$1 man=$2
fails=0 checks=0
opts=$("$vmscope" --help | sed -n 's/^  \(--[a-z-]*\).*/\1/p')
[ -n "$opts" ] || { echo "FAIL: vmscope --help lists no option"; exit 1; }
for o in $opts; do
  checks=$((checks + 1))
  esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
  if ! grep -q "^\.B[IR]* *$esc\b" "$man"; then
    echo "FAIL: the manual page does not document $o"
    fails=$((fails + 1))
  fi
done
for status in 0 1 2 3 4 5 6 7 8 9 10 11 12; do
  checks=$((checks + 1))
  if ! sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$man" | grep -q "^\.B $status\$"; then
    echo "FAIL: the manual page does not document exit status $status"
    fails=$((fails + 1))
  fi
done
echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
