/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-win-cli.c: vmscope.exe, run as another process, must type every region of the Windows helper
 * right.
 *
 * Usage: test-win-cli VMSCOPE.exe HELPER.exe HELPER-DLL.dll */
#include "vms-test.h"
#include "vms-win-spawn.h"

#include <ctype.h>
#include <inttypes.h>

typedef struct {
  uint64_t start, end;
  char type[16], state[16], prot[8];
  char details[1024];
  char rss[24]; /* empty: not read */
} Row;

static Row rows[8192];
static size_t n_rows;

/* One CSV field at *p (quoted or not) into out; advances past the comma. */
static void csv_field(const char **p, char *out, size_t cap) {
  const char *s = *p;
  size_t n = 0;
  if (*s == '"') {
    s++;
    while (*s && !(*s == '"' && s[1] != '"')) {
      if (*s == '"')
        s++;
      if (n + 1 < cap)
        out[n++] = *s;
      s++;
    }
    if (*s == '"')
      s++;
  } else {
    while (*s && *s != ',' && *s != '\n' && *s != '\r') {
      if (n + 1 < cap)
        out[n++] = *s;
      s++;
    }
  }
  out[n] = '\0';
  if (*s == ',')
    s++;
  *p = s;
}

static bool parse_csv(const char *text) {
  n_rows = 0;
  const char *p = text;
  const char *header = "start,end,size,type,state,protection,details";
  if (strncmp(p, header, strlen(header)) != 0)
    return false;
  p = strchr(p, '\n');
  while (p && *++p && n_rows < sizeof rows / sizeof rows[0]) {
    Row *r = &rows[n_rows];
    char f[1024];
    csv_field(&p, f, sizeof f);
    r->start = strtoull(f, NULL, 16);
    csv_field(&p, f, sizeof f);
    r->end = strtoull(f, NULL, 16);
    csv_field(&p, f, sizeof f); /* size */
    csv_field(&p, r->type, sizeof r->type);
    csv_field(&p, r->state, sizeof r->state);
    csv_field(&p, r->prot, sizeof r->prot);
    csv_field(&p, r->details, sizeof r->details);
    for (int k = 0; k < 3; k++)
      csv_field(&p, f, sizeof f); /* offset or allocation base, device, inode */
    csv_field(&p, r->rss, sizeof r->rss);
    n_rows++;
    p = strchr(p, '\n');
  }
  return n_rows > 0;
}

static const Row *row_at(uint64_t addr) {
  for (size_t i = 0; i < n_rows; i++)
    if (rows[i].start <= addr && addr < rows[i].end)
      return &rows[i];
  fprintf(stderr, "no row holds 0x%" PRIx64 "\n", addr);
  return NULL;
}

static bool path_eq(const char *a, const char *b) {
  for (; *a && *b; a++, b++) {
    char ca = *a == '/' ? '\\' : *a, cb = *b == '/' ? '\\' : *b;
    if (tolower((unsigned char)ca) != tolower((unsigned char)cb))
      return false;
  }
  return *a == *b;
}

/* Checks the row at addr: type, state, protection (NULL: any), and optionally exact bounds. */
#define CHECK_ROW(addr, want_type, want_state, want_prot) \
  do {                                                    \
    const Row *r_ = row_at(addr);                         \
    VMS_CHECK_MSG(r_ != NULL, "no row for %s", #addr);    \
    if (r_) {                                             \
      VMS_CHECK_STR(r_->type, want_type);                 \
      VMS_CHECK_STR(r_->state, want_state);               \
      if (want_prot)                                      \
        VMS_CHECK_STR(r_->prot, (const char *)want_prot); \
    }                                                     \
  } while (0)

static char *run_vmscope(const char *vmscope, const char *args, DWORD *code) {
  char cmd[4096] = "";
  vms_win_quote(cmd, sizeof cmd, vmscope);
  strncat(cmd, args, sizeof cmd - strlen(cmd) - 1);
  *code = 0xffffffff;
  char *out = vms_win_run(cmd, code);
  return out ? out : calloc(1, 1);
}

static uint64_t json_u64(const char *json, const char *key) {
  const char *p = strstr(json, key);
  VMS_CHECK_MSG(p != NULL, "the JSON has no %s", key);
  return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

/* PAGE_* as vmscope's protection column writes it, worked out here on its
 * own: r, w (c for copy-on-write), x, then s for a shared view or p. */
static void prot_text(uint32_t state, uint32_t type, uint32_t p, char out[8]) {
  uint32_t base = state == MEM_COMMIT ? (p & 0xffu) : PAGE_NOACCESS;
  bool r = base != PAGE_NOACCESS && base != PAGE_EXECUTE;
  bool w = base == PAGE_READWRITE || base == PAGE_EXECUTE_READWRITE;
  bool c = base == PAGE_WRITECOPY || base == PAGE_EXECUTE_WRITECOPY;
  bool x = base == PAGE_EXECUTE || base == PAGE_EXECUTE_READ || base == PAGE_EXECUTE_READWRITE ||
           base == PAGE_EXECUTE_WRITECOPY;
  int k = 0;
  out[k++] = r ? 'r' : '-';
  out[k++] = w ? 'w' : c ? 'c' : '-';
  out[k++] = x ? 'x' : '-';
  out[k++] = state == MEM_COMMIT && type == MEM_MAPPED && !c ? 's' : 'p';
  if (state == MEM_COMMIT && (p & PAGE_GUARD))
    out[k++] = 'g';
  if (state == MEM_COMMIT && (p & PAGE_NOCACHE))
    out[k++] = 'n';
  out[k] = '\0';
}

/* vmscope's rows against the helper's own VirtualQuery walk of itself:
 * every region it holds is one row with its bounds, state, protection and
 * a type of its kind (MEM_PRIVATE may be heap, stack or system too), and
 * each free stretch up to the top of the usable range is tiled by free
 * rows, the first unusable up to the next 64 KiB boundary when it starts
 * off one. */
static void check_walk(const VmsHelper *h, uint64_t usable_hi) {
  size_t mismatches = 0;
  VMS_CHECK_MSG(h->n_walk > 10, "the helper printed %zu regions of its walk", h->n_walk);
  for (size_t k = 0; k < h->n_walk; k++) {
    const VmsWalkRegion *w = &h->walk[k];
    uint64_t start = w->base, end = w->base + w->size;
    char why[160] = "";
    if (w->state == MEM_FREE) {
      /* Wine may answer free space in pieces; a gap is one free stretch. */
      while (k + 1 < h->n_walk && h->walk[k + 1].state == MEM_FREE && h->walk[k + 1].base == end)
        end += h->walk[++k].size;
      if (end > usable_hi)
        end = usable_hi;
      if (start >= end)
        continue;
      uint64_t at = start;
      while (at < end && !why[0]) {
        const Row *r = row_at(at);
        uint64_t next_boundary = (at | 0xffff) + 1;
        if (!r || r->start != at)
          snprintf(why, sizeof why, "no row starts at 0x%" PRIx64, at);
        else if (strcmp(r->state, "free") != 0)
          snprintf(why, sizeof why, "a %s row", r->state);
        else if (r->end > end)
          snprintf(why, sizeof why, "a row past its end (0x%" PRIx64 ")", r->end);
        else if (at == start && (at & 0xffff) && at >= 0x10000 &&
                 (strcmp(r->type, "unusable") != 0 ||
                  r->end != (next_boundary < end ? next_boundary : end)))
          snprintf(why, sizeof why, "its start is a %s row to 0x%" PRIx64, r->type, r->end);
        else
          at = r->end;
      }
    } else {
      const Row *r = row_at(start);
      char prot[8];
      prot_text(w->state, w->type, w->protect, prot);
      const char *state = w->state == MEM_COMMIT ? "committed" : "reserved";
      bool type_ok = false;
      if (r && w->type == MEM_IMAGE)
        type_ok = strcmp(r->type, "image") == 0;
      else if (r && w->type == MEM_MAPPED)
        type_ok = strcmp(r->type, "mapped") == 0 || strcmp(r->type, "shareable") == 0;
      else if (r)
        type_ok = strcmp(r->type, "private") == 0 || strcmp(r->type, "heap") == 0 ||
                  strcmp(r->type, "stack") == 0 || strcmp(r->type, "system") == 0;
      if (!r || r->start != start || r->end != end)
        snprintf(why, sizeof why, "the row is [0x%" PRIx64 ", 0x%" PRIx64 ")", r ? r->start : 0,
                 r ? r->end : 0);
      else if (strcmp(r->state, state) != 0)
        snprintf(why, sizeof why, "the row is %s, not %s", r->state, state);
      else if (strcmp(r->prot, prot) != 0)
        snprintf(why, sizeof why, "the row is %s, not %s", r->prot, prot);
      else if (!type_ok)
        snprintf(why, sizeof why, "the row is typed %s (type 0x%x)", r->type, (unsigned)w->type);
    }
    if (why[0] && mismatches++ < 5)
      VMS_CHECK_MSG(
          false, "the helper's region [0x%" PRIx64 ", 0x%" PRIx64 ") state 0x%x protect 0x%x: %s",
          start, end, (unsigned)w->state, (unsigned)w->protect, why);
  }
  VMS_CHECK_MSG(mismatches == 0, "%zu of the helper's regions shown otherwise", mismatches);
}

static void check_regions(const char *vmscope, const VmsHelper *h) {
  char args[64];
  DWORD code;
  snprintf(args, sizeof args, "%lu --regions --format csv", (unsigned long)h->pid);
  char *csv = run_vmscope(vmscope, args, &code);
  VMS_CHECK_U64(code, 0);
  VMS_CHECK_MSG(parse_csv(csv), "not the CSV expected: %.200s", csv);

  /* Whole: sorted, and no hole between rows. */
  for (size_t i = 1; i < n_rows; i++)
    VMS_CHECK_MSG(rows[i - 1].end == rows[i].start,
                  "hole or overlap at row %zu (0x%" PRIx64 " / 0x%" PRIx64 ")", i, rows[i - 1].end,
                  rows[i].start);

  uint64_t a = vms_helper_addr(h, "reserved");
  CHECK_ROW(a, "private", "reserved", NULL);
  const Row *r = row_at(a);
  VMS_CHECK(r && r->start == a && r->end == a + (1 << 20));

  a = vms_helper_addr(h, "committed");
  CHECK_ROW(a, "private", "committed", "rw-p");
  CHECK_ROW(vms_helper_addr(h, "guard"), "private", "committed", "rw-pg");
  CHECK_ROW(a + 0x20000, "private", "committed", "rw-p");

  a = vms_helper_addr(h, "partial");
  CHECK_ROW(a, "private", "committed", "r--p");
  CHECK_ROW(a + 0x10000, "private", "reserved", NULL);
  r = row_at(a + 0x10000);
  VMS_CHECK(r && r->end == a + (1 << 20));

  CHECK_ROW(vms_helper_addr(h, "rwx"), "private", "committed", "rwxp");

  /* One page reserved where the system put it: the rest of its granule
   * is free but unusable where the helper's walk says MEM_FREE there (on
   * Windows always; 32-bit Wine reports free space outside its own
   * reserved areas as reserved, and check_walk holds vmscope to that). */
  a = vms_helper_addr(h, "small");
  CHECK_ROW(a, "private", "reserved", "---p");
  r = row_at(a);
  VMS_CHECK(r && r->start == a && r->end == a + 0x1000);
  bool rest_free = false;
  for (size_t k = 0; k < h->n_walk; k++)
    if (h->walk[k].base == a + 0x1000)
      rest_free = h->walk[k].state == MEM_FREE;
  if (rest_free) {
    CHECK_ROW(a + 0x1000, "unusable", "free", NULL);
    r = row_at(a + 0x1000);
    VMS_CHECK(r && r->start == a + 0x1000 && r->end == a + 0x10000);
  } else {
    printf("the rest of the one-page reservation's granule is not MEM_FREE in the helper's own "
           "walk\n");
  }
  uint64_t usable_hi = strtoull(vms_helper_get(h, "max_app"), NULL, 0) + 1;
  check_walk(h, usable_hi);

  a = vms_helper_addr(h, "mapped");
  CHECK_ROW(a, "mapped", "committed", "r--s");
  r = row_at(a);
  VMS_CHECK_MSG(r && path_eq(r->details, vms_helper_get(h, "mapped_path")), "mapped details \"%s\"",
                r ? r->details : "?");

  CHECK_ROW(vms_helper_addr(h, "shareable"), "shareable", "committed", "rw-s");

  a = vms_helper_addr(h, "dll");
  CHECK_ROW(a, "image", "committed", "r--p");
  r = row_at(a);
  VMS_CHECK_MSG(r && path_eq(r->details, vms_helper_get(h, "dll_path")), "dll details \"%s\"",
                r ? r->details : "?");
  bool dll_text = false, exe_seen = false;
  for (size_t i = 0; i < n_rows; i++) {
    if (path_eq(rows[i].details, vms_helper_get(h, "dll_path")) &&
        strcmp(rows[i].prot, "r-xp") == 0)
      dll_text = strcmp(rows[i].type, "image") == 0;
    size_t dl = strlen(rows[i].details);
    if (dl > 18 && strcmp(rows[i].details + dl - 18, "vms-win-helper.exe") == 0)
      exe_seen = strcmp(rows[i].type, "image") == 0;
  }
  VMS_CHECK_MSG(dll_text, "the DLL's code is not an r-x image row");
  VMS_CHECK_MSG(exe_seen, "the helper's own image is not listed");

  /* KUSER_SHARED_DATA, at one address in every process: System. */
  CHECK_ROW(0x7ffe0000u, "system", "committed", "r--p");

  CHECK_ROW(vms_helper_addr(h, "heap"), "heap", "committed", NULL);
  CHECK_ROW(vms_helper_addr(h, "heap_block"), "heap", "committed", "rw-p");

  int n_seg = atoi(vms_helper_get(h, "heap_segments"));
  VMS_CHECK(n_seg >= 2);
  for (int k = 0; k < n_seg; k++) {
    char key[32];
    snprintf(key, sizeof key, "heap_segment%d", k);
    CHECK_ROW(vms_helper_addr(h, key), "heap", "committed", "rw-p");
  }
  CHECK_ROW(vms_helper_addr(h, "heap_large"), "heap", "committed", "rw-p");

  CHECK_ROW(vms_helper_addr(h, "peb"), "private", "committed", NULL);
  r = row_at(vms_helper_addr(h, "peb"));
  VMS_CHECK_MSG(r && strstr(r->details, "PEB"), "the PEB's row says \"%s\"", r ? r->details : "?");
  char want[48];
  snprintf(want, sizeof want, "TEB of thread %s", vms_helper_get(h, "thread_tid1"));
  r = row_at(vms_helper_addr(h, "thread_teb1"));
  VMS_CHECK_MSG(r && strstr(r->details, want), "a TEB's row says \"%s\"", r ? r->details : "?");

  CHECK_ROW(vms_helper_addr(h, "main_stack"), "stack", "committed", "rw-p");
  for (int i = 0; i < 3; i++) {
    char key[32];
    snprintf(key, sizeof key, "thread_stack%d", i);
    uint64_t s = vms_helper_addr(h, key);
    CHECK_ROW(s, "stack", "committed", "rw-p");
    r = row_at(s);
    VMS_CHECK(r && strncmp(r->details, "thread stack", 12) == 0);
  }
  /* Each stack's guard page is typed Stack with its guard protection. */
  size_t guards = 0;
  for (size_t i = 0; i < n_rows; i++)
    if (strcmp(rows[i].type, "stack") == 0 && strcmp(rows[i].prot, "rw-pg") == 0)
      guards++;
  VMS_CHECK_MSG(guards >= 4, "%zu stack guard pages", guards);
  free(csv);
}

static void check_summary(const char *vmscope, const VmsHelper *h) {
  char args[64];
  DWORD code;
  snprintf(args, sizeof args, "%lu --summary --format json", (unsigned long)h->pid);
  char *json = run_vmscope(vmscope, args, &code);
  VMS_CHECK_U64(code, 0);
  VMS_CHECK_U64(json_u64(json, "\"pid\":"), h->pid);
  VMS_CHECK_U64(json_u64(json, "\"bits\":"), strtoul(vms_helper_get(h, "bits"), NULL, 10));
  VMS_CHECK(strstr(json, "\"name\":\"vms-win-helper.exe\"") != NULL);
  VMS_CHECK(json_u64(json, "\"threads\":") >= 4);
  VMS_CHECK(json_u64(json, "\"stacks_found\":") >= 4);
  /* By type: the helper's own blocks are at least this big (Wine adds more). */
  VMS_CHECK(json_u64(json, "{\"type\":\"shareable\",\"size\":") >= 192 * 1024);
  VMS_CHECK(json_u64(json, "{\"type\":\"mapped\",\"size\":") >= 128 * 1024);
  VMS_CHECK(json_u64(json, "{\"type\":\"private\",\"size\":") >= 2 * (1 << 20) + 256 * 1024);
  VMS_CHECK(json_u64(json, "{\"type\":\"stack\",\"size\":") >= 4 * 256 * 1024);
  VMS_CHECK(json_u64(json, "{\"type\":\"heap\",\"size\":") > 0);
  VMS_CHECK(json_u64(json, "{\"type\":\"unusable\",\"size\":") >= 0xf000);
  free(json);
}

/* The helper in `vmscope --list --format csv`: named, readable, its bitness and owner. */
static void check_list(const char *vmscope, const VmsHelper *h) {
  DWORD code;
  char *csv = run_vmscope(vmscope, "--list --format csv", &code);
  VMS_CHECK_U64(code, 0);
  VMS_CHECK(strncmp(csv, "pid,ppid,user,state,bits,rss,vsize,maps,name,readable,reason,cmdline",
                    68) == 0);
  char want[32];
  snprintf(want, sizeof want, "\n%lu,", (unsigned long)h->pid);
  const char *line = strstr(csv, want);
  VMS_CHECK_MSG(line != NULL, "the helper (PID %lu) is not listed", (unsigned long)h->pid);
  if (line) {
    const char *p = line + 1;
    char f[12][1024];
    for (int i = 0; i < 12; i++)
      csv_field(&p, f[i], sizeof f[i]);
    VMS_CHECK(f[2][0] != '\0'); /* user */
    VMS_CHECK_STR(f[4], vms_helper_get(h, "bits"));
    VMS_CHECK(strtoull(f[7], NULL, 10) > 10); /* maps */
    VMS_CHECK_STR(f[8], "vms-win-helper.exe");
    VMS_CHECK_STR(f[9], "yes");
    VMS_CHECK(strstr(f[11], "vms-win-helper-dll") != NULL);
  }
  free(csv);
}

/* vmscope writing into a pipe whose reader has gone: exit 8 and one clear
 * line on stderr. Windows fails the write with ERROR_NO_DATA, which the C
 * runtime reports as EINVAL ("Invalid argument") unless told otherwise. */
static void check_broken_pipe(const char *vmscope) {
  SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
  HANDLE out_r, out_w, err_r, err_w;
  if (!CreatePipe(&out_r, &out_w, &sa, 0) || !CreatePipe(&err_r, &err_w, &sa, 0)) {
    VMS_CHECK_MSG(false, "CreatePipe failed");
    return;
  }
  SetHandleInformation(out_r, HANDLE_FLAG_INHERIT, 0);
  SetHandleInformation(err_r, HANDLE_FLAG_INHERIT, 0);
  CloseHandle(out_r); /* the reader is gone before the first write */
  HANDLE p = vms_win_start_std(vmscope, "--list --format csv", out_w, err_w);
  CloseHandle(out_w);
  CloseHandle(err_w);
  VMS_CHECK_MSG(p != NULL, "cannot start %s", vmscope);
  if (!p) {
    CloseHandle(err_r);
    return;
  }
  char msg[1024];
  DWORD len = 0, got;
  while (len + 1 < sizeof msg &&
         ReadFile(err_r, msg + len, (DWORD)(sizeof msg - 1 - len), &got, NULL) && got)
    len += got;
  msg[len] = '\0';
  WaitForSingleObject(p, 30000);
  DWORD code = 0xffffffff;
  GetExitCodeProcess(p, &code);
  VMS_CHECK_U64(code, 8);
  VMS_CHECK_MSG(strstr(msg, "Invalid argument") == NULL && strstr(msg, "closed") != NULL,
                "the message for a closed pipe is \"%s\"", msg);
  CloseHandle(p);
  CloseHandle(err_r);
}

/* --residency: the rss column of the helper's partly written reservation
 * is what the helper's own QueryWorkingSetEx says, where this system
 * answers for another process; elsewhere (Wine) it is empty, the summary's
 * resident figures null and its note says why, and the run succeeds. */
static void check_residency(const char *vmscope, const VmsHelper *h) {
  char args[96];
  DWORD code, refused;
  const uint64_t addr = vms_helper_addr(h, "resident");
  const bool answers = vms_win_answers_working_set(h->pid, addr, &refused);
  snprintf(args, sizeof args, "%lu --regions --residency --format csv", (unsigned long)h->pid);
  char *csv = run_vmscope(vmscope, args, &code);
  VMS_CHECK_U64(code, 0);
  VMS_CHECK_MSG(parse_csv(csv), "not the CSV expected: %.200s", csv);
  const Row *r = row_at(addr);
  VMS_CHECK(r && r->start == addr && r->end == addr + 256 * 4096);
  if (r && answers)
    VMS_CHECK_STR(r->rss, vms_helper_get(h, "resident_self"));
  else if (r)
    VMS_CHECK_MSG(r->rss[0] == '\0', "rss '%s' where QueryWorkingSetEx is refused", r->rss);
  free(csv);

  snprintf(args, sizeof args, "%lu --summary --residency --format json", (unsigned long)h->pid);
  char *json = run_vmscope(vmscope, args, &code);
  VMS_CHECK_U64(code, 0);
  if (answers) {
    VMS_CHECK(json_u64(json, "{\"type\":\"private\",\"size\":") > 0);
    VMS_CHECK(strstr(json, "\"resident\":null") == NULL);
  } else {
    VMS_CHECK_MSG(strstr(json, "resident pages not read: QueryWorkingSetEx refused"),
                  "no reason in %.300s", json);
    VMS_CHECK_MSG(strstr(json, "\"resident\":null") != NULL, "resident figures in %.300s", json);
  }
  free(json);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: test-win-cli VMSCOPE.exe HELPER.exe HELPER-DLL.dll\n");
    return 1;
  }
  const char *vmscope = argv[1];
  VmsHelper h;
  if (!vms_helper_start(&h, argv[2], argv[3])) {
    VMS_CHECK_MSG(false, "cannot start %s", argv[2]);
    return vms_test_end();
  }
  check_regions(vmscope, &h);
  check_summary(vmscope, &h);
  check_residency(vmscope, &h);
  check_list(vmscope, &h);
  check_broken_pipe(vmscope);

  /* A process that exited while its handle is still held: exit 6, no map. */
  HANDLE keep;
  DuplicateHandle(GetCurrentProcess(), h.process, GetCurrentProcess(), &keep, 0, FALSE,
                  DUPLICATE_SAME_ACCESS);
  DWORD pid = h.pid;
  vms_helper_stop(&h);
  char args[64];
  DWORD code;
  snprintf(args, sizeof args, "%lu --regions --format csv", (unsigned long)pid);
  char *out = run_vmscope(vmscope, args, &code);
  VMS_CHECK_U64(code, 6);
  VMS_CHECK_MSG(out[0] == '\0', "a map was printed for an exited process: %.100s", out);
  free(out);
  CloseHandle(keep);

  /* A 64-bit process seen from a 32-bit vmscope: exit 11 and a message.
   * scripts/wine-test.sh names the 64-bit helper when it runs the 32-bit tests. */
  const char *helper64 = getenv("VMS_WIN64_HELPER"), *dll64 = getenv("VMS_WIN64_HELPER_DLL");
  if (sizeof(void *) == 4 && helper64 && dll64 && *helper64 && *dll64) {
    VmsHelper h64;
    VMS_CHECK_MSG(vms_helper_start(&h64, helper64, dll64), "cannot start %s", helper64);
    snprintf(args, sizeof args, "%lu --summary", (unsigned long)h64.pid);
    out = run_vmscope(vmscope, args, &code);
    VMS_CHECK_U64(code, 11);
    VMS_CHECK(out[0] == '\0');
    free(out);
    vms_helper_stop(&h64);
  } else if (sizeof(void *) == 4) {
    printf("not checked: a 64-bit target from this 32-bit build (VMS_WIN64_HELPER not set)\n");
  }

  /* A PID no process has (Windows PIDs are multiples of 4): exit 3, no map. */
  out = run_vmscope(vmscope, "2147483641 --summary --format json", &code);
  VMS_CHECK_U64(code, 3);
  VMS_CHECK(out[0] == '\0');
  free(out);
  out = run_vmscope(vmscope, "0 --summary", &code);
  VMS_CHECK(code == 2 || code == 5);
  free(out);
  return vms_test_end();
}
