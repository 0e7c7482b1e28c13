/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vms-format.c: human, CSV and JSON renderings of snapshots, statistics and process lists. */
#include "vms-format.h"

#include "vms-units.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- escaping ---- */

/* Table output: control bytes shown as \ooo, as the kernel and pmap do. */
static void put_text(FILE *f, const char *s) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c < 0x20 || c == 0x7f)
      fprintf(f, "\\%03o", c);
    else
      fputc(c, f);
  }
}

static void put_csv(FILE *f, const char *s) {
  if (!strpbrk(s, ",\"\n\r")) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"')
      fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

/* Length of a well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0. */
static int utf8_len(const unsigned char *s) {
  unsigned char c = s[0];
  if (c < 0x80)
    return 1;
  int n;
  unsigned char lo = 0x80, hi = 0xbf; /* the allowed range of the second byte */
  if (c >= 0xc2 && c <= 0xdf)
    n = 2;
  else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0)
      lo = 0xa0;
    if (c == 0xed)
      hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0)
      lo = 0x90;
    if (c == 0xf4)
      hi = 0x8f;
  } else {
    return 0;
  }
  if (s[1] < lo || s[1] > hi)
    return 0;
  for (int i = 2; i < n; i++)
    if ((s[i] & 0xc0) != 0x80)
      return 0;
  return n;
}

/* JSON wants UTF-8; a path is any bytes, so invalid ones become U+FFFD. */
static void put_json(FILE *f, const char *str) {
  const unsigned char *s = (const unsigned char *)str;
  fputc('"', f);
  while (*s) {
    unsigned char c = *s;
    if (c == '"' || c == '\\') {
      fputc('\\', f);
      fputc(c, f);
      s++;
    } else if (c == '\n') {
      fputs("\\n", f);
      s++;
    } else if (c == '\t') {
      fputs("\\t", f);
      s++;
    } else if (c < 0x20 || c == 0x7f) {
      fprintf(f, "\\u%04x", c);
      s++;
    } else {
      int n = utf8_len(s);
      if (n == 0) {
        fputs("\\ufffd", f);
        s++;
      } else {
        fwrite(s, 1, (size_t)n, f);
        s += n;
      }
    }
  }
  fputc('"', f);
}

void vms_write_json_string(FILE *f, const char *s) {
  put_json(f, s);
}

void vms_write_csv_field(FILE *f, const char *s) {
  put_csv(f, s);
}

static void put_time(FILE *f, double t) {
  char buf[32];
  vms_time_format(t, VMS_TIME_ISO8601, buf, sizeof buf);
  fputs(buf, f);
}

static void put_hex(FILE *f, uint64_t v) {
  fprintf(f, "0x%" PRIx64, v);
}

/* ---- regions ---- */

static void put_counter(FILE *f, const VmsCounters *c, uint32_t bit, uint64_t v, VmsFormat fmt) {
  if (c && (c->mask & bit))
    fprintf(f, "%" PRIu64, v);
  else if (fmt == VMS_FORMAT_JSON)
    fputs("null", f);
}

void vms_print_regions(FILE *f, const VmsSnapshot *snap, VmsFormat fmt, uint64_t lo, uint64_t hi) {
  char desc[4600], prot[8], size[32];
  const bool ctr = snap->counters != NULL;
  const int digits = vms_snapshot_addr_digits(snap);
  if (fmt == VMS_FORMAT_CSV) {
    fputs("start,end,size,type,state,protection,details,offset,device,inode,rss,pss,"
          "shared_clean,shared_dirty,private_clean,private_dirty,swap,locked,huge\n",
          f);
  } else if (fmt == VMS_FORMAT_JSON) {
    fprintf(f, "{\"pid\":%d,\"name\":", snap->pid);
    put_json(f, snap->name);
    fprintf(f, ",\"bits\":%d,\"counters_read\":%s,\"regions\":[", snap->bits,
            ctr ? "true" : "false");
  } else {
    fprintf(f, "%-*s %-*s %10s %-9s %-9s %-5s %s\n", digits, "START", digits, "END", "SIZE", "TYPE",
            "STATE", "PROT", "DETAILS");
  }
  bool first = true;
  for (size_t i = vms_snapshot_lower_bound(snap, lo); i < snap->n_regions; i++) {
    const VmsRegion *r = &snap->regions[i];
    if (r->start >= hi)
      break;
    const VmsCounters *c = ctr ? &snap->counters[i] : NULL;
    vms_region_describe(snap, r, desc, sizeof desc);
    if (r->state == VMS_STATE_FREE)
      strcpy(prot, "----");
    else
      vms_prot_format(r->prot, prot);
    const char *type = vms_type_name((VmsRegionType)r->type);
    const char *state = vms_state_name((VmsRegionState)r->state);
    char dev[24];
    snprintf(dev, sizeof dev, "%02x:%02x", r->dev >> 20, r->dev & 0xfffff);
    if (fmt == VMS_FORMAT_CSV) {
      fprintf(f, "0x%" PRIx64 ",0x%" PRIx64 ",%" PRIu64 ",%s,%s,%s,", r->start, r->end,
              r->end - r->start, type, state, prot);
      put_csv(f, desc);
      if (snap->fields & VMS_FIELD_OS_TYPE)
        fprintf(f, ",0x%" PRIx64 ",,", r->alloc_base);
      else
        fprintf(f, ",0x%" PRIx64 ",%s,%" PRIu64, r->offset, dev, r->inode);
      const uint32_t bits[] = {VMS_CTR_RSS,          VMS_CTR_PSS,           VMS_CTR_SHARED_CLEAN,
                               VMS_CTR_SHARED_DIRTY, VMS_CTR_PRIVATE_CLEAN, VMS_CTR_PRIVATE_DIRTY,
                               VMS_CTR_SWAP,         VMS_CTR_LOCKED,        VMS_CTR_HUGE};
      const uint64_t vals[] = {
          c ? c->rss : 0,          c ? c->pss : 0,           c ? c->shared_clean : 0,
          c ? c->shared_dirty : 0, c ? c->private_clean : 0, c ? c->private_dirty : 0,
          c ? c->swap : 0,         c ? c->locked : 0,        c ? c->huge : 0};
      for (int k = 0; k < 9; k++) {
        fputc(',', f);
        put_counter(f, c, bits[k], vals[k], fmt);
      }
      fputc('\n', f);
    } else if (fmt == VMS_FORMAT_JSON) {
      fputs(first ? "\n" : ",\n", f);
      fputs("{\"start\":\"", f);
      put_hex(f, r->start);
      fputs("\",\"end\":\"", f);
      put_hex(f, r->end);
      fprintf(f,
              "\",\"size\":%" PRIu64 ",\"type\":\"%s\",\"state\":\"%s\",\"protection\":\"%s\","
              "\"details\":",
              r->end - r->start, type, state, prot);
      put_json(f, desc);
      fputs(",\"name\":", f);
      put_json(f, vms_snapshot_name_of(snap, r));
      fprintf(f, ",\"inferred\":%s,\"named\":%s",
              (r->detail & VMS_DETAIL_INFERRED) ? "true" : "false",
              (r->detail & VMS_DETAIL_NAMED) ? "true" : "false");
      if (c) {
        fputs(",\"rss\":", f);
        put_counter(f, c, VMS_CTR_RSS, c->rss, fmt);
        fputs(",\"pss\":", f);
        put_counter(f, c, VMS_CTR_PSS, c->pss, fmt);
        fputs(",\"private_dirty\":", f);
        put_counter(f, c, VMS_CTR_PRIVATE_DIRTY, c->private_dirty, fmt);
        fputs(",\"swap\":", f);
        put_counter(f, c, VMS_CTR_SWAP, c->swap, fmt);
        fputs(",\"huge\":", f);
        put_counter(f, c, VMS_CTR_HUGE, c->huge, fmt);
      }
      fputc('}', f);
    } else {
      vms_size_format(r->end - r->start, size, sizeof size);
      fprintf(f, "%0*" PRIx64 " %0*" PRIx64 " %10s %-9s %-9s %-5s ", digits, r->start, digits,
              r->end, size, type, state, prot);
      put_text(f, desc);
      if (c && (c->mask & VMS_CTR_RSS)) {
        vms_size_format(c->rss, size, sizeof size);
        fprintf(f, "%s[rss %s]", *desc ? " " : "", size);
      }
      fputc('\n', f);
    }
    first = false;
  }
  if (fmt == VMS_FORMAT_JSON)
    fputs("\n]}\n", f);
}

/* ---- summary ---- */

static void json_type_stats(FILE *f, const VmsTypeStats *t, bool resident_known) {
  fprintf(f, "\"size\":%" PRIu64 ",\"committed\":%" PRIu64 ",\"private\":%" PRIu64 ",\"resident\":",
          t->size, t->committed, t->private_bytes);
  if (resident_known)
    fprintf(f, "%" PRIu64, t->resident);
  else
    fputs("null", f);
  fprintf(f, ",\"blocks\":%" PRIu64 ",\"largest\":%" PRIu64, t->blocks, t->largest);
}

static void json_barriers(FILE *f, const VmsSnapshot *snap, const VmsBarriers *b);

void vms_print_summary(FILE *f, const VmsSnapshot *snap, const VmsStats *st, VmsFormat fmt,
                       const VmsFitQuery *fit, const VmsBarriers *barriers) {
  uint64_t starts[16];
  size_t fits = 0;
  if (fit && fit->size)
    fits = vms_fit(snap, st->lo, st->hi, fit->size, fit->align, starts, 16);
  const size_t shown = fits < 16 ? fits : 16;
  char a[32], b[32], c[32], d[32], e[32], g[32];

  if (fmt == VMS_FORMAT_JSON) {
    fprintf(f, "{\"pid\":%d,\"name\":", snap->pid);
    put_json(f, snap->name);
    fprintf(f, ",\"bits\":%d,\"time\":\"", snap->bits);
    put_time(f, snap->taken_at);
    fputs("\",\"address_space\":{\"start\":\"", f);
    put_hex(f, snap->usable_lo);
    fputs("\",\"end\":\"", f);
    put_hex(f, snap->usable_hi);
    fputs("\"},\"window\":{\"start\":\"", f);
    put_hex(f, st->lo);
    fputs("\",\"end\":\"", f);
    put_hex(f, st->hi);
    fprintf(f, "\"},\"regions\":%zu,\"threads\":%zu,\"stacks_found\":%zu,", snap->n_regions,
            snap->n_threads, snap->n_stacks_found);
    fprintf(f, "\"free\":{\"total\":%" PRIu64 ",\"largest\":%" PRIu64 ",\"largest_start\":\"",
            st->free_total, st->free_largest);
    put_hex(f, st->free_largest_start);
    fprintf(f, "\",\"blocks\":%" PRIu64 ",\"fragmentation\":%.6f,\"histogram\":[", st->free_blocks,
            st->fragmentation);
    bool first = true;
    for (int k = 0; k < VMS_HIST_BUCKETS; k++) {
      if (!st->free_hist[k])
        continue;
      fprintf(f, "%s{\"min\":%" PRIu64 ",\"count\":%" PRIu64 "}", first ? "" : ",",
              (uint64_t)1 << k, st->free_hist[k]);
      first = false;
    }
    fputs("]},\"by_type\":[", f);
    for (int k = 0; k < VMS_TYPE_COUNT; k++) {
      fprintf(f, "%s{\"type\":\"%s\",", k ? "," : "", vms_type_name((VmsRegionType)k));
      json_type_stats(f, &st->by_type[k], st->resident_known);
      fputc('}', f);
    }
    fputs("],\"total\":{", f);
    json_type_stats(f, &st->total, st->resident_known);
    fprintf(f, "},\"vma_count\":%" PRIu64 ",\"max_map_count\":", st->vma_count);
    if (st->max_map_count)
      fprintf(f, "%" PRIu64, st->max_map_count);
    else
      fputs("null", f);
    if (snap->fields & VMS_FIELD_ROLLUP)
      fprintf(f, ",\"rollup\":{\"rss\":%" PRIu64 ",\"pss\":%" PRIu64 ",\"swap\":%" PRIu64 "}",
              snap->rollup.rss, snap->rollup.pss, snap->rollup.swap);
    if (fit && fit->size) {
      fprintf(f,
              ",\"fit\":{\"size\":%" PRIu64 ",\"align\":%" PRIu64 ",\"fits\":%s,\"blocks\":%zu,"
              "\"starts\":[",
              fit->size, vms_fit_alignment(snap, fit->align), fits ? "true" : "false", fits);
      for (size_t i = 0; i < shown; i++) {
        fputs(i ? ",\"" : "\"", f);
        put_hex(f, starts[i]);
        fputc('"', f);
      }
      fputs("]}", f);
    }
    if (barriers) {
      fputs(",\"barriers\":", f);
      json_barriers(f, snap, barriers);
    }
    fputs(",\"note\":", f);
    put_json(f, snap->note);
    fputs("}\n", f);
    return;
  }

  if (fmt == VMS_FORMAT_CSV) {
    fputs("type,size,committed,private,resident,blocks,largest\n", f);
    for (int k = 0; k < VMS_TYPE_COUNT; k++) {
      const VmsTypeStats *t = &st->by_type[k];
      fprintf(f, "%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",", vms_type_name((VmsRegionType)k),
              t->size, t->committed, t->private_bytes);
      if (st->resident_known)
        fprintf(f, "%" PRIu64, t->resident);
      fprintf(f, ",%" PRIu64 ",%" PRIu64 "\n", t->blocks, t->largest);
    }
    fprintf(f, "total,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",", st->total.size, st->total.committed,
            st->total.private_bytes);
    if (st->resident_known)
      fprintf(f, "%" PRIu64, st->total.resident);
    fprintf(f, ",%" PRIu64 ",%" PRIu64 "\n", st->total.blocks, st->total.largest);
    return;
  }

  vms_size_format(st->hi - st->lo, a, sizeof a);
  fprintf(f, "process %d (", snap->pid);
  put_text(f, snap->name);
  fprintf(f, "), %d-bit, at ", snap->bits);
  put_time(f, snap->taken_at);
  fprintf(f,
          "\naddress space 0x%" PRIx64 "-0x%" PRIx64 " (%s), %zu regions, %zu threads, %zu "
          "stacks found\n",
          st->lo, st->hi, a, snap->n_regions, snap->n_threads, snap->n_stacks_found);
  if (snap->note[0])
    fprintf(f, "note: %s\n", snap->note);
  fprintf(f, "\n%-13s %12s %12s %12s %12s %8s %12s\n", "Type", "Size", "Committed", "Private",
          "Resident", "Blocks", "Largest");
  for (int k = 0; k <= VMS_TYPE_COUNT; k++) {
    const VmsTypeStats *t = k < VMS_TYPE_COUNT ? &st->by_type[k] : &st->total;
    vms_size_format(t->size, a, sizeof a);
    vms_size_format(t->committed, b, sizeof b);
    vms_size_format(t->private_bytes, c, sizeof c);
    if (st->resident_known)
      vms_size_format(t->resident, d, sizeof d);
    else
      snprintf(d, sizeof d, "not read");
    vms_size_format(t->largest, e, sizeof e);
    fprintf(f, "%-13s %12s %12s %12s %12s %8" PRIu64 " %12s\n",
            k < VMS_TYPE_COUNT ? vms_type_title((VmsRegionType)k) : "Total", a, b, c, d, t->blocks,
            e);
  }
  vms_size_format(st->free_total, a, sizeof a);
  vms_size_format(st->free_largest, b, sizeof b);
  fprintf(f, "\nfree: %s in %" PRIu64 " blocks; largest %s at 0x%" PRIx64 "; fragmentation %.3f\n",
          a, st->free_blocks, b, st->free_largest_start, st->fragmentation);
  if (st->max_map_count)
    fprintf(f, "mappings: %" PRIu64 " of vm.max_map_count %" PRIu64 " (%.1f%%)\n", st->vma_count,
            st->max_map_count, 100.0 * (double)st->vma_count / (double)st->max_map_count);
  else
    fprintf(f, "mappings: %" PRIu64 "\n", st->vma_count);
  fputs("free block sizes:\n", f);
  for (int k = 0; k < VMS_HIST_BUCKETS; k++) {
    if (!st->free_hist[k])
      continue;
    vms_size_format((uint64_t)1 << k, a, sizeof a);
    if (k < 63)
      vms_size_format((uint64_t)1 << (k + 1), g, sizeof g);
    else
      snprintf(g, sizeof g, "16 EiB");
    fprintf(f, "  %10s - %-10s %8" PRIu64 "\n", a, g, st->free_hist[k]);
  }
  if (fit && fit->size) {
    vms_size_format(fit->size, a, sizeof a);
    if (fits) {
      fprintf(f, "fit %s: yes, in %zu free block%s; lowest at 0x%" PRIx64 "\n", a, fits,
              fits == 1 ? "" : "s", starts[0]);
    } else {
      vms_size_format(st->free_largest, b, sizeof b);
      fprintf(f, "fit %s: no; the largest free block is %s\n", a, b);
    }
  }
}

/* ---- barriers ---- */

static void json_u64_field(FILE *f, const char *key, uint64_t v, bool comma) {
  fprintf(f, "%s\"%s\":%" PRIu64, comma ? "," : "", key, v);
}

static void json_hex_field(FILE *f, const char *key, uint64_t v) {
  fprintf(f, ",\"%s\":\"0x%" PRIx64 "\"", key, v);
}

static void json_barrier(FILE *f, const VmsSnapshot *snap, const VmsBarrier *b) {
  char who[600];
  vms_barrier_describe(snap, b, who, sizeof who);
  fprintf(f, "{\"start\":\"0x%" PRIx64 "\"", b->start);
  json_hex_field(f, "end", b->end);
  json_u64_field(f, "size", b->end - b->start, true);
  fprintf(f, ",\"group\":\"%s\",\"units\":%u,\"regions\":%zu,\"owner\":",
          vms_barrier_group_name((VmsBarrierGroup)b->group), b->n_units, b->last - b->first + 1);
  put_json(f, who);
  fprintf(f, ",\"inferred\":%s", b->inferred ? "true" : "false");
  json_u64_field(f, "free_below", b->free_below, true);
  json_u64_field(f, "free_above", b->free_above, true);
  json_hex_field(f, "merged_start", b->merged_start);
  json_u64_field(f, "merged", b->merged, true);
  json_u64_field(f, "gain", b->gain, true);
  fputc('}', f);
}

static void json_barriers(FILE *f, const VmsSnapshot *snap, const VmsBarriers *b) {
  char scope[256];
  vms_barrier_scope_describe(&b->scope, scope, sizeof scope);
  fprintf(f, "{\"scope\":{\"start\":\"0x%" PRIx64 "\"", b->scope.lo);
  json_hex_field(f, "end", b->scope.hi);
  fprintf(f, ",\"kind\":\"%s\"", vms_barrier_scope_name(b->scope.kind));
  if (b->scope.kind == VMS_SCOPE_CLUSTER) {
    json_u64_field(f, "hole_below", b->scope.hole_below, true);
    json_u64_field(f, "hole_above", b->scope.hole_above, true);
    fprintf(f, ",\"below_stack\":%s", b->scope.below_stack ? "true" : "false");
  }
  fputs(",\"description\":", f);
  put_json(f, scope);
  fputc('}', f);
  json_u64_field(f, "usable_min", b->usable_min, true);
  json_u64_field(f, "largest", b->largest, true);
  json_hex_field(f, "largest_start", b->largest_start);
  json_u64_field(f, "free_blocks", b->free_blocks, true);
  json_u64_field(f, "usable_blocks", b->usable_blocks, true);
  json_u64_field(f, "count", b->n_barriers, true);
  json_u64_field(f, "splits", b->n_splits, true);
  fputs(",\"by_gain\":[", f);
  for (size_t i = 0; i < b->n_by_gain; i++) {
    fputs(i ? "," : "", f);
    json_barrier(f, snap, &b->by_gain[i]);
  }
  fputs("],\"by_split\":[", f);
  for (size_t i = 0; i < b->n_by_split; i++) {
    fputs(i ? "," : "", f);
    json_barrier(f, snap, &b->by_split[i]);
  }
  fputs("],\"groups\":[", f);
  for (int g = 0; g < VMS_BGROUP_COUNT; g++) {
    const VmsBarrierGroupStats *gs = &b->groups[g];
    fprintf(f, "%s{\"group\":\"%s\",\"title\":", g ? "," : "",
            vms_barrier_group_name((VmsBarrierGroup)g));
    put_json(f, vms_barrier_group_title((VmsBarrierGroup)g));
    json_u64_field(f, "units", gs->units, true);
    json_u64_field(f, "bytes", gs->bytes, true);
    json_u64_field(f, "unit_min", gs->unit_min, true);
    json_u64_field(f, "unit_max", gs->unit_max, true);
    json_hex_field(f, "lowest", gs->lowest);
    json_hex_field(f, "highest", gs->highest);
    json_u64_field(f, "barriers", gs->walls, true);
    json_u64_field(f, "splits", gs->splits, true);
    json_u64_field(f, "largest_without", gs->largest_without, true);
    json_hex_field(f, "largest_without_start", gs->largest_without_start);
    json_u64_field(f, "usable_without", gs->usable_without, true);
    fputc('}', f);
  }
  fprintf(f, "],\"images\":{\"count\":%zu,\"top\":[", b->n_images);
  const size_t shown = b->n_images < VMS_BARRIERS_MAX_TOP ? b->n_images : VMS_BARRIERS_MAX_TOP;
  for (size_t i = 0; i < shown; i++) {
    const VmsBarrierImage *im = &b->images[i];
    fputs(i ? ",{\"name\":" : "{\"name\":", f);
    put_json(f, vms_name_pool_get(&snap->names, im->name));
    json_hex_field(f, "lowest", im->lowest);
    json_hex_field(f, "highest", im->highest);
    json_u64_field(f, "bytes", im->bytes, true);
    json_u64_field(f, "runs", im->units, true);
    json_u64_field(f, "barriers", im->walls, true);
    json_u64_field(f, "best_merged", im->best_merged, true);
    json_u64_field(f, "best_gain", im->best_gain, true);
    fputc('}', f);
  }
  fputs("]},\"facts\":{", f);
  const VmsBarrierFacts *ft = &b->facts;
  char text[1024];
  for (int k = 0; k < VMS_FACT_COUNT; k++) {
    fprintf(f, "%s\"%s\":", k ? "," : "", vms_barrier_fact_name((VmsBarrierFact)k));
    if (!vms_barrier_fact_text(b, (VmsBarrierFact)k, text, sizeof text)) {
      fputs("null", f);
      continue;
    }
    fputs("{\"text\":", f);
    put_json(f, text);
    if (k == VMS_FACT_LAA) {
      fprintf(f, ",\"state\":\"%s\"", ft->laa == VMS_LAA_UNKNOWN ? "unknown" : "no");
      json_u64_field(f, "space", ft->space_now, true);
      json_u64_field(f, "space_laa", ft->space_laa, true);
    } else if (k == VMS_FACT_STACKS) {
      json_u64_field(f, "count", ft->thread_stacks, true);
      json_u64_field(f, "inferred", ft->thread_stacks_inferred, true);
      json_u64_field(f, "min", ft->stack_min, true);
      json_u64_field(f, "max", ft->stack_max, true);
      json_u64_field(f, "total", ft->stack_total, true);
      json_hex_field(f, "lowest", ft->stack_lowest);
      json_hex_field(f, "highest", ft->stack_highest);
      fprintf(f, ",\"setting\":{\"source\":\"%s\",\"bytes\":",
              ft->windows ? "image_stack_reserve" : "rlimit_stack");
      if (!ft->stack_setting_known || ft->stack_setting == UINT64_MAX)
        fputs("null", f);
      else
        fprintf(f, "%" PRIu64, ft->stack_setting);
      fprintf(f, ",\"known\":%s,\"unlimited\":%s}", ft->stack_setting_known ? "true" : "false",
              ft->stack_setting_known && ft->stack_setting == UINT64_MAX ? "true" : "false");
    } else if (k == VMS_FACT_ARENAS) {
      json_u64_field(f, "count", ft->arenas, true);
      json_u64_field(f, "size", ft->arena_size, true);
      json_u64_field(f, "total", ft->arena_total, true);
      json_u64_field(f, "committed", ft->arena_committed, true);
      fputs(",\"inferred\":true,\"cap\":\"MALLOC_ARENA_MAX\"", f);
    } else {
      json_u64_field(f, "count", ft->mmap_count, true);
      json_u64_field(f, "min", ft->mmap_min, true);
      json_u64_field(f, "max", ft->mmap_max, true);
      json_u64_field(f, "total", ft->mmap_total, true);
      json_u64_field(f, "barriers", ft->mmap_barriers, true);
      fputs(",\"inferred\":true", f);
    }
    fputc('}', f);
  }
  fputs("}}", f);
}

static void csv_barrier(FILE *f, const VmsSnapshot *snap, const char *section, size_t rank,
                        const VmsBarrier *b) {
  char who[600];
  vms_barrier_describe(snap, b, who, sizeof who);
  fprintf(f,
          "%s,%zu,0x%" PRIx64 ",0x%" PRIx64 ",%" PRIu64 ",%s,%u,%" PRIu64 ",%" PRIu64 ",0x%" PRIx64
          ",%" PRIu64 ",%" PRIu64 ",%s,",
          section, rank, b->start, b->end, b->end - b->start,
          vms_barrier_group_name((VmsBarrierGroup)b->group), b->n_units, b->free_below,
          b->free_above, b->merged_start, b->merged, b->gain, b->inferred ? "yes" : "no");
  put_csv(f, who);
  fputc('\n', f);
}

static void table_barrier(FILE *f, const VmsSnapshot *snap, size_t rank, const VmsBarrier *b,
                          int digits) {
  char who[600], size[32], merged[32], gain[32], below[32], above[32];
  vms_barrier_describe(snap, b, who, sizeof who);
  vms_size_format(b->end - b->start, size, sizeof size);
  vms_size_format(b->merged, merged, sizeof merged);
  vms_size_format(b->gain, gain, sizeof gain);
  vms_size_format(b->free_below, below, sizeof below);
  vms_size_format(b->free_above, above, sizeof above);
  fprintf(f, "%3zu %0*" PRIx64 " %10s %10s %10s %10s %10s  ", rank, digits, b->start, size, below,
          above, merged, gain);
  put_text(f, who);
  if (b->inferred && !strstr(who, "(inferred)"))
    fputs(" (inferred)", f);
  fputc('\n', f);
}

void vms_print_barriers(FILE *f, const VmsSnapshot *snap, const VmsBarriers *b, VmsFormat fmt) {
  char a[32], c[32], d[32], e[32], text[1024];
  if (fmt == VMS_FORMAT_JSON) {
    fprintf(f, "{\"pid\":%d,\"name\":", snap->pid);
    put_json(f, snap->name);
    fprintf(f, ",\"bits\":%d,\"time\":\"", snap->bits);
    put_time(f, snap->taken_at);
    fputs("\",\"barriers\":", f);
    json_barriers(f, snap, b);
    fputs("}\n", f);
    return;
  }
  if (fmt == VMS_FORMAT_CSV) {
    fputs("section,rank,start,end,size,group,units,free_below,free_above,merged_start,merged,"
          "gain,inferred,owner\n",
          f);
    for (size_t i = 0; i < b->n_by_gain; i++)
      csv_barrier(f, snap, "gain", i + 1, &b->by_gain[i]);
    for (size_t i = 0; i < b->n_by_split; i++)
      csv_barrier(f, snap, "split", i + 1, &b->by_split[i]);
    /* Groups: the span they sit in, their bytes, and the largest free block without them. */
    for (int g = 0; g < VMS_BGROUP_COUNT; g++) {
      const VmsBarrierGroupStats *gs = &b->groups[g];
      fprintf(f,
              "group,,0x%" PRIx64 ",0x%" PRIx64 ",%" PRIu64 ",%s,%" PRIu64 ",,,0x%" PRIx64
              ",%" PRIu64 ",%" PRIu64 ",,",
              gs->lowest, gs->highest, gs->bytes, vms_barrier_group_name((VmsBarrierGroup)g),
              gs->units, gs->largest_without_start, gs->largest_without,
              gs->largest_without > b->largest ? gs->largest_without - b->largest : 0);
      put_csv(f, vms_barrier_group_title((VmsBarrierGroup)g));
      fputc('\n', f);
    }
    for (size_t i = 0; i < b->n_images; i++) {
      const VmsBarrierImage *im = &b->images[i];
      fprintf(f,
              "image,%zu,0x%" PRIx64 ",0x%" PRIx64 ",%" PRIu64 ",images,%u,,,0x%" PRIx64 ",%" PRIu64
              ",%" PRIu64 ",,",
              i + 1, im->lowest, im->highest, im->bytes, im->units, im->best_start, im->best_merged,
              im->best_gain);
      put_csv(f, vms_name_pool_get(&snap->names, im->name));
      fputc('\n', f);
    }
    for (int k = 0; k < VMS_FACT_COUNT; k++)
      if (vms_barrier_fact_text(b, (VmsBarrierFact)k, text, sizeof text)) {
        fprintf(f, "fact,,,,,%s,,,,,,,%s,", vms_barrier_fact_name((VmsBarrierFact)k),
                k == VMS_FACT_LAA || k == VMS_FACT_STACKS ? "no" : "yes");
        put_csv(f, text);
        fputc('\n', f);
      }
    return;
  }

  const int digits = vms_snapshot_addr_digits(snap);
  vms_barrier_scope_describe(&b->scope, text, sizeof text);
  fprintf(f, "process %d (", snap->pid);
  put_text(f, snap->name);
  fprintf(f, "), %d-bit: what splits the free space in %s\n", snap->bits, text);
  vms_size_format(b->largest, a, sizeof a);
  vms_size_format(b->usable_min, c, sizeof c);
  if (b->largest)
    fprintf(f, "largest free block %s at 0x%" PRIx64, a, b->largest_start);
  else
    fputs("no free block", f);
  fprintf(f,
          "; %" PRIu64 " free block%s, %" PRIu64 " usable (at least %s); %" PRIu64
          " barrier%s, %" PRIu64 " between two usable blocks\n",
          b->free_blocks, b->free_blocks == 1 ? "" : "s", b->usable_blocks, c, b->n_barriers,
          b->n_barriers == 1 ? "" : "s", b->n_splits);
  if (!b->n_barriers) {
    vms_barrier_top_line(snap, b, text, sizeof text);
    fprintf(f, "%s\n", text);
  } else {
    fputs("\nBarriers whose removal would grow the largest free block most:\n", f);
    fprintf(f, "%3s %-*s %10s %10s %10s %10s %10s  %s\n", "#", digits, "START", "SIZE",
            "FREE BELOW", "FREE ABOVE", "WITHOUT IT", "GAIN", "OWNER");
    for (size_t i = 0; i < b->n_by_gain; i++)
      table_barrier(f, snap, i + 1, &b->by_gain[i], digits);
    fprintf(f,
            "\nBarriers splitting usable space (a free block of at least %s on each side), "
            "the larger smaller side first:\n",
            c);
    if (!b->n_by_split)
      fputs("  none\n", f);
    for (size_t i = 0; i < b->n_by_split; i++)
      table_barrier(f, snap, i + 1, &b->by_split[i], digits);
  }
  fputs("\nBy owner:\n", f);
  for (int g = 0; g < VMS_BGROUP_COUNT; g++) {
    const VmsBarrierGroupStats *gs = &b->groups[g];
    if (!gs->units)
      continue;
    vms_size_format(gs->bytes, a, sizeof a);
    vms_size_format(gs->unit_min, c, sizeof c);
    vms_size_format(gs->unit_max, d, sizeof d);
    vms_size_format(gs->largest_without, e, sizeof e);
    fprintf(f,
            "  %s: %" PRIu64 " owner%s, %s in all (%s%s%s each), at 0x%" PRIx64 "-0x%" PRIx64
            "; %" PRIu64 " barrier%s (%" PRIu64 " splitting usable space); without all of them "
            "the largest free block would be %s",
            vms_barrier_group_title((VmsBarrierGroup)g), gs->units, gs->units == 1 ? "" : "s", a, c,
            strcmp(c, d) == 0 ? "" : " to ", strcmp(c, d) == 0 ? "" : d, gs->lowest, gs->highest,
            gs->walls, gs->walls == 1 ? "" : "s", gs->splits, e);
    if (gs->largest_without)
      fprintf(f, " at 0x%" PRIx64, gs->largest_without_start);
    fputc('\n', f);
    if (g != VMS_BGROUP_IMAGES)
      continue;
    const size_t shown = b->n_images < 10 ? b->n_images : 10;
    for (size_t i = 0; i < shown; i++) {
      const VmsBarrierImage *im = &b->images[i];
      vms_size_format(im->bytes, a, sizeof a);
      fprintf(f, "    0x%" PRIx64 "-0x%" PRIx64 " %10s  ", im->lowest, im->highest, a);
      put_text(f, vms_name_pool_get(&snap->names, im->name));
      if (im->best_merged) {
        vms_size_format(im->best_merged, c, sizeof c);
        vms_size_format(im->best_gain, d, sizeof d);
        fprintf(f, "; alone a barrier: without it %s free (+%s)", c, d);
      }
      fputc('\n', f);
    }
    if (b->n_images > shown)
      fprintf(f, "    and %zu more\n", b->n_images - shown);
  }
  bool any = false;
  for (int k = 0; k < VMS_FACT_COUNT; k++) {
    if (!vms_barrier_fact_text(b, (VmsBarrierFact)k, text, sizeof text))
      continue;
    if (!any)
      fputs("\nFacts:\n", f);
    any = true;
    fputs("  - ", f);
    put_text(f, text);
    fputc('\n', f);
  }
}

/* ---- process list ---- */

void vms_print_process_list(FILE *f, const VmsProcInfo *list, size_t n, VmsFormat fmt) {
  char rss[32];
  if (fmt == VMS_FORMAT_CSV)
    fputs("pid,ppid,user,state,bits,rss,vsize,maps,name,readable,reason,cmdline,ns_pid,container\n",
          f);
  else if (fmt == VMS_FORMAT_JSON)
    fputs("[", f);
  else
    fprintf(f, "%7s %-12s %-1s %4s %10s %6s %-16s %s\n", "PID", "USER", "S", "BITS", "RSS", "MAPS",
            "NAME", "ACCESS / COMMAND");
  for (size_t i = 0; i < n; i++) {
    const VmsProcInfo *p = &list[i];
    const bool ok = p->access == VMS_OK;
    if (fmt == VMS_FORMAT_CSV) {
      fprintf(f, "%d,%d,", p->pid, p->ppid);
      put_csv(f, p->user);
      fprintf(f, ",%c,%d,%" PRIu64 ",%" PRIu64 ",%ld,", p->state, p->bits, p->rss, p->vsize,
              p->n_maps);
      put_csv(f, p->name);
      fprintf(f, ",%s,", ok ? "yes" : "no");
      put_csv(f, p->reason);
      fputc(',', f);
      put_csv(f, p->cmdline ? p->cmdline : "");
      fputc(',', f);
      if (p->ns_pid)
        fprintf(f, "%d", p->ns_pid);
      fputc(',', f);
      put_csv(f, p->container);
      fputc('\n', f);
    } else if (fmt == VMS_FORMAT_JSON) {
      fprintf(f, "%s\n{\"pid\":%d,\"ppid\":%d,\"user\":", i ? "," : "", p->pid, p->ppid);
      put_json(f, p->user);
      fprintf(f,
              ",\"state\":\"%c\",\"bits\":%d,\"rss\":%" PRIu64 ",\"vsize\":%" PRIu64
              ",\"maps\":%ld,\"name\":",
              p->state, p->bits, p->rss, p->vsize, p->n_maps);
      put_json(f, p->name);
      fprintf(f, ",\"readable\":%s,\"reason\":", ok ? "true" : "false");
      put_json(f, p->reason);
      fputs(",\"cmdline\":", f);
      put_json(f, p->cmdline ? p->cmdline : "");
      /* null: in vmscope's own namespace, or in no container. */
      if (p->ns_pid)
        fprintf(f, ",\"ns_pid\":%d", p->ns_pid);
      else
        fputs(",\"ns_pid\":null", f);
      fputs(",\"container\":", f);
      if (p->container[0])
        put_json(f, p->container);
      else
        fputs("null", f);
      fputc('}', f);
    } else {
      vms_size_format(p->rss, rss, sizeof rss);
      char maps[24];
      if (p->n_maps >= 0)
        snprintf(maps, sizeof maps, "%ld", p->n_maps);
      else
        snprintf(maps, sizeof maps, "-");
      char bits[8];
      if (p->bits)
        snprintf(bits, sizeof bits, "%d", p->bits);
      else
        snprintf(bits, sizeof bits, "-");
      fprintf(f, "%7d %-12.12s %c %4s %10s %6s %-16.16s ", p->pid, p->user, p->state, bits, rss,
              maps, p->name);
      /* A process in another PID namespace: its PID there and its container. */
      if (p->ns_pid && p->container[0])
        fprintf(f, "[PID %d in %.12s] ", p->ns_pid, p->container);
      else if (p->ns_pid)
        fprintf(f, "[PID %d in its namespace] ", p->ns_pid);
      if (ok)
        put_text(f, p->cmdline ? p->cmdline : "");
      else {
        fputs("cannot read: ", f);
        put_text(f, p->reason);
      }
      fputc('\n', f);
    }
  }
  if (fmt == VMS_FORMAT_JSON)
    fputs("\n]\n", f);
}

void vms_print_watch_line(FILE *f, const VmsSnapshot *snap, VmsFormat fmt, bool header) {
  const VmsStats *st = &snap->stats;
  if (fmt == VMS_FORMAT_JSON) {
    fprintf(f, "{\"time\":\"");
    put_time(f, snap->taken_at);
    fprintf(f,
            "\",\"pid\":%d,\"regions\":%zu,\"vma_count\":%" PRIu64 ",\"committed\":%" PRIu64
            ",\"free_total\":%" PRIu64 ",\"free_largest\":%" PRIu64 ",\"free_blocks\":%" PRIu64
            ",\"fragmentation\":%.6f,\"read_seconds\":%.6f}\n",
            snap->pid, snap->n_regions, st->vma_count, st->total.committed, st->free_total,
            st->free_largest, st->free_blocks, st->fragmentation, snap->read_seconds);
    return;
  }
  if (fmt == VMS_FORMAT_CSV) {
    if (header)
      fputs("time,pid,regions,vma_count,committed,free_total,free_largest,free_blocks,"
            "fragmentation,read_seconds\n",
            f);
    put_time(f, snap->taken_at);
    fprintf(f, ",%d,%zu,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%.6f,%.6f\n",
            snap->pid, snap->n_regions, st->vma_count, st->total.committed, st->free_total,
            st->free_largest, st->free_blocks, st->fragmentation, snap->read_seconds);
    return;
  }
  char a[32], b[32], c[32];
  if (header)
    fprintf(f, "%-20s %7s %8s %12s %12s %12s %7s %6s %9s\n", "TIME", "PID", "VMAS", "COMMITTED",
            "FREE", "LARGEST", "BLOCKS", "FRAG", "READ");
  vms_size_format(st->total.committed, a, sizeof a);
  vms_size_format(st->free_total, b, sizeof b);
  vms_size_format(st->free_largest, c, sizeof c);
  put_time(f, snap->taken_at);
  fprintf(f, " %7d %8" PRIu64 " %12s %12s %12s %7" PRIu64 " %6.3f %7.2fms\n", snap->pid,
          st->vma_count, a, b, c, st->free_blocks, st->fragmentation, snap->read_seconds * 1e3);
}
