#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# test-rules.sh: the example alerting rules pass promtool's checks and its
# unit tests (each rule fires and stays quiet where it should), and the
# systemd units are valid.
# Usage: test-rules.sh SOURCE-DATA-DIR VMSCOPE
set -u
src=$1 vmscope=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v promtool >/dev/null 2>&1 || { echo "SKIP: promtool is not installed (package prometheus)"; exit 77; }
fails=0 checks=0
run() {
  checks=$((checks + 1))
  if ! out=$("$@" 2>&1); then
    echo "FAIL: $*: $out"
    fails=$((fails + 1))
  fi
}
run promtool check rules "$src/prometheus/vmscope-alerts.yml"
(cd "$src/prometheus" && promtool test rules vmscope-alerts.test.yml) >/dev/null 2>&1 || {
  (cd "$src/prometheus" && promtool test rules vmscope-alerts.test.yml)
  fails=$((fails + 1))
}
checks=$((checks + 1))
if command -v systemd-analyze >/dev/null 2>&1; then
  # The units as meson installs them, pointing at this build's vmscope.
  sed "s|@bindir@|$(cd "$(dirname "$vmscope")" && pwd)|" "$src/systemd/vmscope-metrics.service" \
    >"$tmp/vmscope-metrics.service"
  cp "$src/systemd/vmscope-metrics.timer" "$tmp/"
  run systemd-analyze verify --man=no "$tmp/vmscope-metrics.service" "$tmp/vmscope-metrics.timer"
else
  echo "systemd-analyze is not installed: the units were not verified"
fi
echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
