#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks that every C file follows .clang-format (a meson test, suite style).
#   scripts/check-format.sh          check; exit 1 naming the files that differ
#   scripts/check-format.sh --fix    rewrite them in place
# Formatters differ between major versions in small ways, so the check holds
# to the one the configuration was written for and skips (77) elsewhere.
set -u
cd "$(dirname "$0")/.."
want=14
fmt=""
for c in clang-format-$want clang-format; do
  if command -v "$c" >/dev/null 2>&1 && "$c" --version | grep -q "version $want\."; then
    fmt=$c
    break
  fi
done
if [ -z "$fmt" ]; then
  echo "SKIP: clang-format $want is not installed (scripts/setup.sh --test installs it)"
  exit 77
fi
files=$(git ls-files '*.c' '*.h' 2>/dev/null)
[ -n "$files" ] || files=$(find platform src cli ui tests bench demo -name '*.[ch]')
if [ "${1:-}" = "--fix" ]; then
  # shellcheck disable=SC2086
  exec "$fmt" -i $files
fi
bad=0
for f in $files; do
  if ! "$fmt" --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f (scripts/check-format.sh --fix rewrites it)"
    bad=$((bad + 1))
  fi
done
n=$(echo "$files" | wc -w)
echo "$((n - bad)) of $n C files formatted as .clang-format says"
[ "$bad" -eq 0 ]
