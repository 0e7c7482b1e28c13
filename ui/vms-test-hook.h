/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-test-hook.h: what the window shows, written to a file for tests that
 * drive the real window from outside (under Wine, where no accessibility
 * tree reaches the test). Linked into vmscope-gui-test only, never into
 * the installed window. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* When VMS_TEST_HOOK_FILE names a file, writes it (atomically, every half
 * second while the main loop runs) with one line per fact:
 *   banner TEXT          the first window's banner ("banner" alone when hidden)
 *   status TEXT          its status line
 *   glyphs FONT N        glyphs the default and the monospace font lack for
 *                        an address and a size ("0x00007ff0deadbeef 1.5 GiB")
 *   row START\tEND\tTYPE\tSTATE\tPROT\tDETAILS   each region table row, as drawn
 *   widget TITLE\tKIND\tLABEL\tX\tY\tW\tH   each visible button and entry of
 *                        every mapped window, in screen coordinates
 * Does nothing when the variable is unset. */
void vms_test_hook_install(void);

G_END_DECLS
