/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-test.h: the few assertion macros vmscope's C tests share.
 *
 * A failed check prints file:line and both values and the test goes on, so
 * one run shows every broken fact; vms_test_end() turns the count into the
 * exit status meson reads (0 pass, 1 fail, 77 skip). */
#pragma once

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int vms_test_failures_;
static int vms_test_checks_;

#define VMS_CHECK(cond)                                                        \
  do {                                                                         \
    vms_test_checks_++;                                                        \
    if (!(cond)) {                                                             \
      vms_test_failures_++;                                                    \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

#define VMS_CHECK_MSG(cond, ...)                                               \
  do {                                                                         \
    vms_test_checks_++;                                                        \
    if (!(cond)) {                                                             \
      vms_test_failures_++;                                                    \
      fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                            \
      fputc('\n', stderr);                                                     \
    }                                                                          \
  } while (0)

#define VMS_CHECK_U64(a, b)                                                                    \
  do {                                                                                         \
    uint64_t va_ = (uint64_t)(a), vb_ = (uint64_t)(b);                                         \
    vms_test_checks_++;                                                                        \
    if (va_ != vb_) {                                                                          \
      vms_test_failures_++;                                                                    \
      fprintf(stderr,                                                                          \
              "%s:%d: %s == %s: 0x%" PRIx64 " (%" PRIu64 ") != 0x%" PRIx64 " (%" PRIu64 ")\n", \
              __FILE__, __LINE__, #a, #b, va_, va_, vb_, vb_);                                 \
    }                                                                                          \
  } while (0)

#define VMS_CHECK_STR(a, b)                                                              \
  do {                                                                                   \
    const char *sa_ = (a), *sb_ = (b);                                                   \
    vms_test_checks_++;                                                                  \
    if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) {                                         \
      vms_test_failures_++;                                                              \
      fprintf(stderr, "%s:%d: %s == %s: \"%s\" != \"%s\"\n", __FILE__, __LINE__, #a, #b, \
              sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");                               \
    }                                                                                    \
  } while (0)

/* Stops the test as skipped (meson shows SKIP) with a visible reason. */
#define VMS_SKIP(...)    \
  do {                   \
    printf("SKIP: ");    \
    printf(__VA_ARGS__); \
    printf("\n");        \
    exit(77);            \
  } while (0)

static inline int vms_test_end(void) {
  printf("%d checks, %d failed\n", vms_test_checks_, vms_test_failures_);
  if (vms_test_checks_ == 0) {
    fprintf(stderr, "no check ran: a test that asserts nothing is a failure\n");
    return 1;
  }
  return vms_test_failures_ ? 1 : 0;
}
