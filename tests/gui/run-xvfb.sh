#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# run-xvfb.sh: runs a GUI test under its own Xvfb server (skips when Xvfb is missing).
set -u
if ! command -v xvfb-run >/dev/null 2>&1; then
  echo "SKIP: xvfb-run is not installed (apt-get install xvfb)"
  exit 77
fi
# A fresh config and no accessibility bus: the tests must not depend on the
# developer's desktop, and there is no session bus under Xvfb.
NO_AT_BRIDGE=1
GDK_BACKEND=x11
export NO_AT_BRIDGE GDK_BACKEND
unset WAYLAND_DISPLAY
# Without -noreset the server resets when the first client leaves and later launches fail now and then.
exec xvfb-run -a -s '-screen 0 1280x800x24 -noreset' "$@"
