/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-units.c: sizes, addresses, intervals and times as people read and type them. */
#include "vms-units.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const size_units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

/* v scaled down to its unit, u the unit's index. */
static double scale_size(uint64_t bytes, int *u) {
  double v = (double)bytes;
  *u = 0;
  while (v >= 1024.0 && *u < 6) {
    v /= 1024.0;
    (*u)++;
  }
  return v;
}

void vms_size_format(uint64_t bytes, char *buf, size_t len) {
  int u;
  double v = scale_size(bytes, &u);
  if (u == 0)
    snprintf(buf, len, "%" PRIu64 " B", bytes);
  else if (v >= 100.0 || fabs(v - round(v)) < 0.005)
    snprintf(buf, len, "%.0f %s", v, size_units[u]);
  else if (v >= 10.0)
    snprintf(buf, len, "%.1f %s", v, size_units[u]);
  else
    snprintf(buf, len, "%.2f %s", v, size_units[u]);
}

void vms_size_format_short(uint64_t bytes, char *buf, size_t len) {
  int u;
  double v = scale_size(bytes, &u);
  if (u == 0)
    snprintf(buf, len, "%" PRIu64 " B", bytes);
  else
    snprintf(buf, len, v < 10 ? "%.1f %s" : "%.0f %s", v, size_units[u]);
}

static bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static const char *skip_space(const char *s) {
  while (is_space(*s))
    s++;
  return s;
}

static char lower(char c) {
  return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c = lower(c);
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* A decimal number "123", "1.5", ".5", "2." (a decimal comma when comma):
 * its whole part exactly (false past UINT64_MAX) and its fraction. */
static bool parse_decimal(const char **sp, bool comma, uint64_t *whole, double *frac) {
  const char *s = *sp;
  uint64_t w = 0;
  bool digits = false;
  for (; *s >= '0' && *s <= '9'; s++) {
    unsigned d = (unsigned)(*s - '0');
    if (w > (UINT64_MAX - d) / 10)
      return false;
    w = w * 10 + d;
    digits = true;
  }
  double f = 0;
  if (*s == '.' || (comma && *s == ',')) {
    const char *p = s + 1;
    double scale = 0.1;
    for (; *p >= '0' && *p <= '9'; p++) {
      f += (*p - '0') * scale;
      scale /= 10;
      digits = true;
    }
    if (p > s + 1 || digits)
      s = p;
  }
  if (!digits)
    return false;
  *whole = w;
  *frac = f;
  *sp = s;
  return true;
}

bool vms_size_parse(const char *s, bool allow_zero, uint64_t *out) {
  if (!s)
    return false;
  s = skip_space(s);
  uint64_t whole = 0;
  double frac = 0;
  bool hex = s[0] == '0' && lower(s[1]) == 'x';
  if (hex) {
    s += 2;
    if (hex_digit(*s) < 0)
      return false;
    for (; hex_digit(*s) >= 0; s++) {
      if (whole >> 60)
        return false;
      whole = whole << 4 | (uint64_t)hex_digit(*s);
    }
  } else if (!parse_decimal(&s, false, &whole, &frac)) {
    return false;
  }
  s = skip_space(s);
  static const char prefixes[] = "kmgtpe";
  int shift = 0;
  const char *p = *s ? strchr(prefixes, lower(*s)) : NULL;
  if (p) {
    shift = 10 * (int)(p - prefixes + 1);
    s++;
    if (lower(*s) == 'i')
      s++;
    if (lower(*s) == 'b')
      s++;
  } else if (lower(*s) == 'b') {
    s++;
  }
  if (*skip_space(s))
    return false;
  if (hex && shift)
    return false; /* hex counts bytes: "0x10M" is not a size */
  uint64_t bytes;
  if (shift) {
    if (whole > (UINT64_MAX >> shift))
      return false;
    bytes = whole << shift;
    double extra = floor(frac * (double)((uint64_t)1 << shift));
    if (bytes > UINT64_MAX - (uint64_t)extra)
      return false;
    bytes += (uint64_t)extra;
  } else if (frac > 0) {
    return false; /* "1.5" bytes: a fraction of a byte is a typo */
  } else {
    bytes = whole;
  }
  if (bytes == 0 && !allow_zero)
    return false;
  *out = bytes;
  return true;
}

bool vms_addr_parse(const char *s, uint64_t *out) {
  if (!s || !*s)
    return false;
  if (s[0] == '0' && lower(s[1]) == 'x')
    s += 2;
  uint64_t v = 0;
  int n = 0;
  for (; *s; s++, n++) {
    int d = hex_digit(*s);
    if (d < 0 || n == 16)
      return false;
    v = v << 4 | (uint64_t)d;
  }
  if (n == 0)
    return false;
  *out = v;
  return true;
}

bool vms_interval_parse(const char *s, double min, double max, double *seconds) {
  if (!s)
    return false;
  s = skip_space(s);
  static const char every[] = "every";
  size_t i = 0;
  while (i < 5 && lower(s[i]) == every[i])
    i++;
  if (i == 5)
    s = skip_space(s + 5);
  uint64_t whole;
  double frac;
  if (!parse_decimal(&s, true, &whole, &frac))
    return false;
  double v = (double)whole + frac;
  s = skip_space(s);
  char unit[16];
  size_t n = 0;
  while (*s && !is_space(*s)) {
    if (n + 1 >= sizeof unit)
      return false;
    unit[n++] = lower(*s++);
  }
  unit[n] = '\0';
  if (*skip_space(s))
    return false;
  static const struct {
    const char *name;
    double scale;
  } units[] = {{"", 1},        {"s", 1},        {"sec", 1},  {"secs", 1},    {"second", 1},
               {"seconds", 1}, {"ms", 0.001},   {"m", 60},   {"min", 60},    {"mins", 60},
               {"minute", 60}, {"minutes", 60}, {"h", 3600}, {"hour", 3600}, {"hours", 3600}};
  for (size_t k = 0; k < sizeof units / sizeof units[0]; k++) {
    if (strcmp(unit, units[k].name) != 0)
      continue;
    v = round(v * units[k].scale * 1000) / 1000;
    if (!isfinite(v) || v < min || v > max)
      return false;
    *seconds = v;
    return true;
  }
  return false;
}

void vms_interval_format(double seconds, char *buf, size_t len) {
  if (seconds >= 60 && fmod(seconds, 60) == 0)
    snprintf(buf, len, "%g min", seconds / 60);
  else
    snprintf(buf, len, "%g s", seconds);
}

/* Years 1970 to 9999: what four-digit ISO 8601 dates and an int64 hold. */
bool vms_time_valid(double epoch_seconds) {
  return isfinite(epoch_seconds) && epoch_seconds >= 0 && epoch_seconds < 253402300800.0;
}

void vms_time_format(double when, VmsTimeStyle style, char *buf, size_t len) {
  if (!vms_time_valid(when)) {
    snprintf(buf, len, "invalid time");
    return;
  }
  int64_t secs = (int64_t)floor(when), days = secs / 86400, rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days--;
  }
  /* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
  int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
  int64_t y = yoe + era * 400 + (m <= 2);
  snprintf(buf, len,
           style == VMS_TIME_ISO8601 ? "%04" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02d:%02d:%02dZ"
                                     : "%04" PRId64 "-%02" PRId64 "-%02" PRId64
                                       " %02d:%02d:%02d UTC",
           y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static bool digits(const char **s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    char c = (*s)[i];
    if (c < '0' || c > '9')
      return false;
    v = v * 10 + (c - '0');
  }
  *s += n;
  *out = v;
  return true;
}

bool vms_time_parse(const char *s, double *epoch_seconds) {
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' || !digits(&s, 2, &d))
    return false;
  double frac = 0;
  if (*s == 'T' || *s == 't' || *s == ' ') {
    s++;
    if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi))
      return false;
    if (*s == ':') {
      s++;
      if (!digits(&s, 2, &sec))
        return false;
      if (*s == '.' || *s == ',') {
        s++;
        double scale = 0.1;
        if (*s < '0' || *s > '9')
          return false;
        for (; *s >= '0' && *s <= '9'; s++, scale /= 10)
          frac += (*s - '0') * scale;
      }
    }
  }
  int offset = 0;
  if (*s == 'Z' || *s == 'z') {
    s++;
  } else if (*s == '+' || *s == '-') {
    int sign = *s++ == '-' ? -1 : 1, oh, om = 0;
    if (!digits(&s, 2, &oh))
      return false;
    if (*s == ':')
      s++;
    if (*s && !digits(&s, 2, &om))
      return false;
    offset = sign * (oh * 3600 + om * 60);
  }
  if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
    return false;
  int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
  *epoch_seconds = (double)t + frac;
  return true;
}
