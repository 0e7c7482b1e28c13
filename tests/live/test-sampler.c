/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sampler.c: the sampler thread on this very process: interval changes, pause, requests, stop.
 *
 * Every wait is for a condition with a generous deadline. The few holds are
 * where the absence of samples is the fact under test (none while paused,
 * none after stop, no second one before a 30 s interval ends). */
#include <pthread.h>
#include <unistd.h>

#include "vms-sampler.h"
#include "vms-test-wait.h"
#include "vms-test.h"

typedef struct {
  pthread_mutex_t lock;
  int samples, with_counters, errors;
  uint64_t last_serial;
  bool serial_ok;
  bool on_main_thread; /* a callback ran on the thread that started the sampler */
  pthread_t main_thread;
  /* The callback pauses the sampler itself once samples reaches pause_at:
   * it runs on the sampler's thread between two reads, so no sample is in
   * flight when the pause takes effect and the count after it is exact. */
  VmsSampler *sampler;
  int pause_at;
  bool paused_here;
  bool stopped;
  int after_stop;
} Count;

static void on_sample(VmsSnapshot *snap, const VmsError *err, void *user) {
  Count *c = user;
  pthread_mutex_lock(&c->lock);
  if (pthread_equal(pthread_self(), c->main_thread))
    c->on_main_thread = true;
  if (c->stopped)
    c->after_stop++;
  if (snap) {
    c->samples++;
    if (snap->counters)
      c->with_counters++;
    if (snap->serial <= c->last_serial)
      c->serial_ok = false;
    c->last_serial = snap->serial;
  } else {
    c->errors++;
  }
  VmsSampler *pause = NULL;
  if (c->sampler && c->pause_at > 0 && c->samples == c->pause_at) {
    pause = c->sampler;
    c->paused_here = true;
  }
  pthread_mutex_unlock(&c->lock);
  if (pause)
    vms_sampler_set_paused(pause, true);
  vms_snapshot_unref(snap);
}

static int samples(Count *c) {
  pthread_mutex_lock(&c->lock);
  int n = c->samples;
  pthread_mutex_unlock(&c->lock);
  return n;
}

typedef struct {
  Count *c;
  int at_least;
} AtLeast;

static bool has_samples(void *d) {
  AtLeast *a = d;
  return samples(a->c) >= a->at_least;
}

static bool paused_by_callback(void *d) {
  Count *c = d;
  pthread_mutex_lock(&c->lock);
  bool p = c->paused_here;
  pthread_mutex_unlock(&c->lock);
  return p;
}

static void count_init(Count *c) {
  memset(c, 0, sizeof *c);
  pthread_mutex_init(&c->lock, NULL);
  c->serial_ok = true;
  c->main_thread = pthread_self();
}

/* One sampler through a slow interval, a fast one, pause, a request and stop. */
static void test_cycle(void) {
  Count c;
  count_init(&c);
  VmsSamplerOptions o;
  vms_sampler_options_default(&o);
  o.interval = 30;
  o.max_cpu_share = 0; /* a fixed interval: this test counts samples */
  VmsSampler *s;
  VmsError err = {0};
  VMS_CHECK_U64(vms_sampler_start(getpid(), &o, on_sample, &c, &s, &err), VMS_OK);
  pthread_mutex_lock(&c.lock);
  c.sampler = s;
  pthread_mutex_unlock(&c.lock);

  /* The first sample comes at once (well before the 30 s interval ends)... */
  AtLeast one = {&c, 1};
  VMS_CHECK_MSG(vms_test_wait(has_samples, &one, 10), "no first sample within 10 s");
  /* ...and the next one not before the interval: held, as no sample is the fact. */
  vms_test_hold(0.3);
  VMS_CHECK_U64(samples(&c), 1);

  /* A shorter interval takes effect at once, not after the old wait: six
   * more samples at 50 ms come long before the 30 s wait would have ended. */
  pthread_mutex_lock(&c.lock);
  c.pause_at = c.samples + 6;
  int pause_at = c.pause_at;
  pthread_mutex_unlock(&c.lock);
  vms_sampler_set_interval(s, 0.05);
  VMS_CHECK(vms_sampler_effective_interval(s) == 0.05);
  VMS_CHECK_MSG(vms_test_wait(paused_by_callback, &c, 15), "%d samples in 15 s at a 50 ms interval",
                samples(&c));

  /* Paused: no samples over ten intervals (held: their absence is the fact),
   * but a request still samples, with counters when asked. */
  vms_test_hold(0.5);
  VMS_CHECK_U64(samples(&c), pause_at);
  vms_sampler_request(s, true);
  AtLeast req = {&c, pause_at + 1};
  VMS_CHECK_MSG(vms_test_wait(has_samples, &req, 10), "a request while paused brought no sample");
  vms_test_hold(0.3); /* still paused after the request: nothing more */
  VMS_CHECK_U64(samples(&c), pause_at + 1);
  pthread_mutex_lock(&c.lock);
  VMS_CHECK_U64(c.with_counters, 1);
  VMS_CHECK(c.serial_ok);
  VMS_CHECK_U64(c.last_serial, pause_at + 1);
  VMS_CHECK_U64(c.errors, 0);
  VMS_CHECK(!c.on_main_thread);
  pthread_mutex_unlock(&c.lock);

  /* Stop while paused returns, and no callback follows it. */
  vms_sampler_stop(s);
  pthread_mutex_lock(&c.lock);
  c.sampler = NULL;
  c.stopped = true;
  pthread_mutex_unlock(&c.lock);
  vms_test_hold(0.1);
  pthread_mutex_lock(&c.lock);
  VMS_CHECK_U64(c.after_stop, 0);
  pthread_mutex_unlock(&c.lock);
  pthread_mutex_destroy(&c.lock);
}

/* Stop while the sampler runs flat out (10 ms): it waits for the read in
 * flight, and no callback comes after it returns. */
static void test_stop_running(void) {
  Count c;
  count_init(&c);
  VmsSamplerOptions o;
  vms_sampler_options_default(&o);
  o.interval = 0.01;
  o.max_cpu_share = 0;
  VmsSampler *s;
  VmsError err = {0};
  VMS_CHECK_U64(vms_sampler_start(getpid(), &o, on_sample, &c, &s, &err), VMS_OK);
  AtLeast three = {&c, 3};
  VMS_CHECK_MSG(vms_test_wait(has_samples, &three, 10), "%d samples in 10 s at a 10 ms interval",
                samples(&c));
  vms_sampler_stop(s);
  pthread_mutex_lock(&c.lock);
  c.stopped = true;
  int final = c.samples;
  pthread_mutex_unlock(&c.lock);
  vms_test_hold(0.1); /* ten intervals: no callback may come after stop */
  VMS_CHECK_U64(samples(&c), final);
  pthread_mutex_lock(&c.lock);
  VMS_CHECK_U64(c.after_stop, 0);
  VMS_CHECK(c.serial_ok);
  VMS_CHECK_U64(c.errors, 0);
  pthread_mutex_unlock(&c.lock);
  pthread_mutex_destroy(&c.lock);
}

int main(void) {
  test_cycle();
  test_stop_running();

  /* A process that does not exist is refused at start. */
  Count c;
  count_init(&c);
  VmsSamplerOptions o;
  vms_sampler_options_default(&o);
  VmsSampler *s;
  VmsError err = {0};
  VMS_CHECK_U64(vms_sampler_start(0x7ffffff0, &o, on_sample, &c, &s, &err), VMS_ERR_NO_PROCESS);
  VMS_CHECK(s == NULL);
  pthread_mutex_destroy(&c.lock);
  return vms_test_end();
}
