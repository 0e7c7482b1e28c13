/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-container.c: the namespace PID and the container from /proc status and cgroup text. */
#include "vms-container.h"
#include "vms-test.h"

#define ID "3f4e9c1b2a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f"

static void container_is(const char *cgroup, const char *want) {
  char out[80] = "junk";
  vms_cgroup_container(cgroup, out, sizeof out);
  VMS_CHECK_STR(out, want);
}

int main(void) {
  VMS_CHECK_U64(vms_status_ns_pid("Name:\tsleep\nNSpid:\t4242\t1\nNSpgid:\t4242\t1\n"), 1);
  VMS_CHECK_U64(vms_status_ns_pid("Name:\tsleep\nNSpid:\t4242\t77\t3\n"), 3);
  VMS_CHECK_U64(vms_status_ns_pid("Name:\tbash\nNSpid:\t812\n"), 0); /* our own namespace */
  VMS_CHECK_U64(vms_status_ns_pid("Name:\told kernel\nPid:\t9\n"), 0);
  VMS_CHECK_U64(vms_status_ns_pid("Name:\tNSpid:\t1\t2\n"), 0); /* a name is not the line */
  VMS_CHECK_U64(vms_status_ns_pid(""), 0);
  VMS_CHECK_U64(vms_status_ns_pid(NULL), 0);

  /* Docker, containerd (Kubernetes), CRI-O and Podman under cgroup v2. */
  container_is("0::/system.slice/docker-" ID ".scope\n", ID);
  container_is("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/"
               "cri-containerd-" ID ".scope\n",
               ID);
  container_is("0::/kubepods/besteffort/pod1/crio-" ID "\n", ID);
  container_is("0::/user.slice/user-1000.slice/user@1000.service/app.slice/libpod-" ID ".scope\n",
               ID);
  /* cgroup v1 and a hybrid host, whose unified line is the root. */
  container_is("12:pids:/docker/" ID "\n11:memory:/docker/" ID "\n", ID);
  container_is("9:name=systemd:/\n4:memory:/docker/" ID "\n0::/\n", ID);
  /* No runtime ID: the cgroup path, the unified one first. */
  container_is("0::/system.slice/ssh.service\n", "/system.slice/ssh.service");
  container_is("4:memory:/batch/job7\n0::/system.slice/cron.service\n",
               "/system.slice/cron.service");
  container_is("9:name=systemd:/\n4:memory:/process_api/af5a\n0::/\n", "/process_api/af5a");
  /* The root, and nonsense. */
  container_is("0::/\n", "");
  container_is("9:name=systemd:/\n0::/\n", "");
  container_is("garbage without colons", "");
  container_is("", "");
  container_is(NULL, "");
  /* 63 or 65 hex digits are not an ID. */
  container_is("0::/docker-"
               "3f4e9c1b2a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2"
               ".scope\n",
               "/docker-3f4e9c1b2a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2.scope");
  char small[8];
  vms_cgroup_container("0::/docker/" ID "\n", small, sizeof small);
  VMS_CHECK_STR(small, "3f4e9c1");
  return vms_test_end();
}
