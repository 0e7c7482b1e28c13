/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-win-canary.c: exits with 42, so a script can tell that Windows programs of this bitness
 * really run.
 *
 * Without wine32 a 32-bit program "exits" 0 without running a line, which
 * would make every 32-bit test look passed. */
int main(void) {
  return 42;
}
