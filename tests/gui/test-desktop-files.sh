#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# test-desktop-files.sh: the launcher and AppStream metadata validate, and the icon is an SVG.
# Usage: test-desktop-files.sh DATA_DIR DESKTOP_FILE (the launcher as the build writes it)
set -u
data=$1 desktop=$2
checked=0 failures=0
if command -v desktop-file-validate >/dev/null 2>&1; then
  desktop-file-validate "$desktop" || failures=$((failures + 1))
  checked=$((checked + 1))
else
  echo "note: desktop-file-validate not installed (apt-get install desktop-file-utils): launcher not validated"
fi
if command -v appstreamcli >/dev/null 2>&1; then
  appstreamcli validate --no-net "$data/io.github.vmscope.Vmscope.metainfo.xml" || failures=$((failures + 1))
  checked=$((checked + 1))
else
  echo "note: appstreamcli not installed (apt-get install appstream): metainfo not validated"
fi
icon="$data/icons/hicolor/scalable/apps/io.github.vmscope.Vmscope.svg"
if head -c 400 "$icon" | grep -q '<svg'; then checked=$((checked + 1)); else
  echo "FAIL: $icon is not an SVG"; failures=$((failures + 1)); fi
grep -q '^Icon=io.github.vmscope.Vmscope$' "$desktop" ||
  { echo "FAIL: the launcher does not name the icon"; failures=$((failures + 1)); }
# The launcher runs the window's executable by its installed path.
grep -q '^Exec=/.*/vmscope-gui$' "$desktop" ||
  { echo "FAIL: the launcher's $(grep '^Exec=' "$desktop") is not the installed vmscope-gui"
    failures=$((failures + 1)); }
grep -q '<launchable type="desktop-id">io.github.vmscope.Vmscope.desktop</launchable>' \
  "$data/io.github.vmscope.Vmscope.metainfo.xml" ||
  { echo "FAIL: the metainfo does not name the launcher"; failures=$((failures + 1)); }
[ $failures -eq 0 ] || exit 1
echo "$checked validations passed"
