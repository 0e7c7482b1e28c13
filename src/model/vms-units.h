/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-units.h: sizes, addresses, intervals and times as people read and type them.
 *
 * One grammar and one rendering for each, shared by the command line, the
 * window, the map's labels and the exports, so that what one accepts the
 * others accept too. Locale-independent: a window that called setlocale()
 * parses "1.5 GiB" the same as the CLI. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "1.5 MiB", "128 TiB", "4 KiB", "812 B": binary units, at most four
 * significant digits, whole values without decimals. */
void vms_size_format(uint64_t bytes, char *buf, size_t len);
/* "6.5 TiB", "640 KiB": at most three digits, for labels on the map. */
void vms_size_format_short(uint64_t bytes, char *buf, size_t len);

/* Parses a size: optional spaces, a decimal number with an optional
 * fraction or a 0x-prefixed hex number, optional spaces, an optional unit
 * (B, K, M, G, T, P or E, each optionally followed by "i" and/or "B", any
 * case; binary multiples), optional spaces. "512M", "1.5 GiB", "1.3k",
 * "1P", "4096", "0x1000", " 64 kib ". With a unit a fraction is rounded down
 * to a whole byte; without one it must be whole.
 * False for anything else, for more than UINT64_MAX, and for zero unless
 * allow_zero. *out is written only on success. */
bool vms_size_parse(const char *s, bool allow_zero, uint64_t *out);

/* Parses an address: hex with or without 0x, at most 16 digits. */
bool vms_addr_parse(const char *s, uint64_t *out);

/* Parses an interval: "0.5", "2 s", "250 ms", "1 min", "1.5 minutes",
 * "2h", "Every 2 s" (a decimal comma too), rounded to the millisecond.
 * False when it is not one or lies outside [min, max]. */
bool vms_interval_parse(const char *s, double min, double max, double *seconds);
/* "0.5 s", "90 s", "2 min". */
void vms_interval_format(double seconds, char *buf, size_t len);

/* Wall-clock time (seconds since the epoch) in UTC, without gmtime's shared
 * buffer: "2026-11-26T01:20:00Z" (ISO 8601) or "2026-11-26 01:20:00 UTC". */
typedef enum { VMS_TIME_ISO8601 = 0, VMS_TIME_READABLE } VmsTimeStyle;
/* Whether a time is one vmscope writes: finite, from 1970 to year 9999. */
bool vms_time_valid(double epoch_seconds);
/* Any double: "invalid time" where vms_time_valid() says no. */
void vms_time_format(double epoch_seconds, VmsTimeStyle style, char *buf, size_t len);
/* Parses an ISO 8601 date and time, "2026-11-26T01:20:00Z", with optional
 * seconds and fraction, and "Z", "+02:00" or nothing (UTC) for the zone. */
bool vms_time_parse(const char *s, double *epoch_seconds);
