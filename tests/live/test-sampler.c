/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sampler.c: the sampler thread on this very process: interval changes, pause, requests, stop. */
#include <pthread.h>
#include <unistd.h>

#include "vms-sampler.h"
#include "vms-test.h"

typedef struct {
  pthread_mutex_t lock;
  int samples, with_counters, errors;
  uint64_t last_serial;
  bool serial_ok;
} Count;

static void on_sample(VmsSnapshot *snap, const VmsError *err, void *user) {
  Count *c = user;
  pthread_mutex_lock(&c->lock);
  if (snap) {
    c->samples++;
    if (snap->counters) c->with_counters++;
    if (snap->serial <= c->last_serial) c->serial_ok = false;
    c->last_serial = snap->serial;
  } else {
    c->errors++;
  }
  pthread_mutex_unlock(&c->lock);
  vms_snapshot_unref(snap);
}

static int samples(Count *c) {
  pthread_mutex_lock(&c->lock);
  int n = c->samples;
  pthread_mutex_unlock(&c->lock);
  return n;
}

int main(void) {
  Count c = {.lock = PTHREAD_MUTEX_INITIALIZER, .serial_ok = true};
  VmsSamplerOptions o;
  vms_sampler_options_default(&o);
  o.interval = 30;
  o.max_cpu_share = 0; /* a fixed interval: this test counts samples */
  VmsSampler *s;
  VmsError err = {0};
  VMS_CHECK_U64(vms_sampler_start(getpid(), &o, on_sample, &c, &s, &err), VMS_OK);
  usleep(300000);
  VMS_CHECK_U64(samples(&c), 1); /* the first sample at once, the next in 30 s */

  /* A shorter interval takes effect at once, not after the old wait. */
  vms_sampler_set_interval(s, 0.05);
  usleep(1000000);
  int n = samples(&c);
  VMS_CHECK_MSG(n >= 6, "%d samples in 1 s at a 50 ms interval", n);

  /* Paused: no samples, but a request still samples, with counters when asked. */
  vms_sampler_set_paused(s, true);
  usleep(200000);
  int before = samples(&c);
  usleep(500000);
  VMS_CHECK_U64(samples(&c), before);
  vms_sampler_request(s, true);
  usleep(500000);
  VMS_CHECK_U64(samples(&c), before + 1);
  pthread_mutex_lock(&c.lock);
  VMS_CHECK_U64(c.with_counters, 1);
  VMS_CHECK(c.serial_ok);
  VMS_CHECK_U64(c.errors, 0);
  pthread_mutex_unlock(&c.lock);

  /* Stop while paused returns, and no callback follows it. */
  vms_sampler_stop(s);
  int final = samples(&c);
  usleep(200000);
  VMS_CHECK_U64(samples(&c), final);

  /* A process that does not exist is refused at start. */
  VMS_CHECK_U64(vms_sampler_start(0x7ffffff0, &o, on_sample, &c, &s, &err), VMS_ERR_NO_PROCESS);
  return vms_test_end();
}
