/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-win-helper-dll.c: a DLL of vmscope's own for the Windows helper to load, so the test knows
 * its path. */
__declspec(dllexport) int vms_win_helper_dll_answer(void);
__declspec(dllexport) int vms_win_helper_dll_answer(void) {
  return 42;
}
