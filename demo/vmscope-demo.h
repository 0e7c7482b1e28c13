/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vmscope-demo.h: what the demo's pattern asks of each OS (vmscope-demo-linux.c, -win.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint64_t total, largest, blocks;
} DemoFree;

typedef struct {
  uint64_t lo, hi;        /* the usable range the free figures are counted over */
  const char *alloc_name; /* what a block is allocated with, for the failure line */
  const char *how_to_end; /* what ends the wait at the end */
} DemoSpace;

/* Once, before the first allocation: fills space. With wait_at_end, also
 * gets ready to wait (a thread that reads the input starts now, so that it
 * is part of the space the figures describe). */
void demo_os_init(bool wait_at_end, DemoSpace *space);
/* A block of size bytes of address space, its first page writable; NULL
 * when it cannot be had. */
void *demo_os_alloc(size_t size);
void demo_os_free(void *p);
/* Free space inside the usable range, from the process's own view of its
 * mappings, counted as vmscope counts it; false when it cannot be read. */
bool demo_os_free_figures(const DemoSpace *space, DemoFree *out);
void demo_os_sleep_ms(unsigned long ms);
/* An interrupt or a termination request came (never, where there is none). */
bool demo_os_stop_requested(void);
unsigned long demo_os_pid(void);
/* Waits until space->how_to_end happens. */
void demo_os_wait(void);
