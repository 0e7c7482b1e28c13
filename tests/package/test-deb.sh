#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# test-deb.sh: builds vmscope's Debian package from a clean copy of the tree
# with dpkg-buildpackage, checks lintian finds no error, checks what the
# package holds, and runs the binary from the package extracted into a
# temporary root (nothing is installed on the machine).
# Usage: test-deb.sh SOURCE-DIR
set -u
src=$(cd "$1" && pwd)
for tool in dpkg-buildpackage dpkg-deb lintian dh; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "SKIP: $tool is not installed (scripts/setup.sh --test installs it)"
    exit 77
  }
done
if ! (cd "$src" && dpkg-checkbuilddeps >/dev/null 2>&1); then
  echo "SKIP: the build dependencies are missing: $(cd "$src" && dpkg-checkbuilddeps 2>&1)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 checks=0
check() {
  checks=$((checks + 1))
  if ! eval "$1"; then
    echo "FAIL: $2"
    fails=$((fails + 1))
  fi
}

# A clean copy: what git tracks (or, outside a checkout, the tree less its
# build directories), so no build of ours leaks into the package.
mkdir "$tmp/vmscope"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
  (cd "$src" && git ls-files -z --cached --others --exclude-standard) |
    (cd "$src" && xargs -0 cp --parents -t "$tmp/vmscope" 2>/dev/null)
else
  (cd "$src" && tar --exclude='./build*' --exclude=./.git --exclude=./dist -cf - .) |
    (cd "$tmp/vmscope" && tar -xf -)
fi
t0=$(date +%s)
if ! (cd "$tmp/vmscope" && dpkg-buildpackage -us -uc -b >"$tmp/build.log" 2>&1); then
  tail -40 "$tmp/build.log"
  echo "FAIL: dpkg-buildpackage failed"
  exit 1
fi
echo "dpkg-buildpackage took $(($(date +%s) - t0)) s"
deb=$(ls "$tmp"/vmscope_*.deb 2>/dev/null | head -n 1)
check '[ -n "$deb" ] && [ -s "$deb" ]' "no vmscope_*.deb was built"
[ -n "$deb" ] || exit 1
echo "package: $(basename "$deb"), $(stat -c %s "$deb") bytes"

# lintian: no error (warnings and notes are printed for reading).
lintian --tag-display-limit 0 "$deb" >"$tmp/lintian.txt" 2>&1
cat "$tmp/lintian.txt"
check '! grep -q "^E:" "$tmp/lintian.txt"' "lintian reports errors"

# What the package must hold.
dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's|^\./|/|' >"$tmp/contents"
for f in /usr/bin/vmscope /usr/libexec/vmscope/vmscope-gui \
  /usr/share/applications/io.github.vmscope.Vmscope.desktop \
  /usr/share/metainfo/io.github.vmscope.Vmscope.metainfo.xml \
  /usr/share/icons/hicolor/scalable/apps/io.github.vmscope.Vmscope.svg \
  /usr/share/man/man1/vmscope.1.gz \
  /usr/share/doc/vmscope/copyright; do
  check 'grep -qx "$f" "$tmp/contents"' "the package lacks $f"
done
check '! grep -q vmscope-demo "$tmp/contents"' "the package installs the demo target"
check '! grep -q "^/usr/local" "$tmp/contents"' "the package installs under /usr/local"

# The binary from the package runs: its version, and a summary of this shell.
dpkg-deb -x "$deb" "$tmp/root"
want=$(sed -n "s/^ *version: '\([^']*\)'.*/\1/p" "$src/meson.build" | head -n 1)
got=$("$tmp/root/usr/bin/vmscope" --version 2>&1)
check 'echo "$got" | grep -q "$want"' "the packaged vmscope --version says '$got', not $want"
"$tmp/root/usr/bin/vmscope" $$ --summary --format json >"$tmp/summary.json" 2>"$tmp/err"
check '[ $? -eq 0 ] && grep -q "\"pid\":$$" "$tmp/summary.json"' \
  "the packaged vmscope cannot summarise PID $$: $(cat "$tmp/err")"
# The launcher runs the window the package installs.
check 'grep -qx "Exec=/usr/libexec/vmscope/vmscope-gui" "$tmp/root/usr/share/applications/io.github.vmscope.Vmscope.desktop"' \
  "the packaged launcher does not run /usr/libexec/vmscope/vmscope-gui"
check 'man -l "$tmp/root/usr/share/man/man1/vmscope.1.gz" >/dev/null 2>&1 || zcat "$tmp/root/usr/share/man/man1/vmscope.1.gz" | grep -q "^.SH EXIT STATUS"' \
  "the packaged manual page does not read"

echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
