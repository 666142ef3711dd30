/*
 * lab/kvmcheck.c: build/lab-kvmcheck, the lab's /dev/kvm probe.
 *
 * Opens /dev/kvm (or the path given as the only argument), asks
 * KVM_GET_API_VERSION (must be KVM_API_VERSION, 12: the stable API, see
 * Documentation/virt/kvm/api.rst section 4.1), a few capabilities, and
 * creates a VM with one vCPU, which proves KVM usable and not just present.
 *
 * Output, one "key value" per line:
 *   api_version 12
 *   cap_user_memory 1
 *   cap_irqchip 1
 *   cap_nr_vcpus N
 *   cap_max_vcpus N
 *   vcpu_mmap_size N
 *   vm ok
 * Exit status: 0 all good; 1 a step failed (one line on stderr says which).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/error.h"

struct kvm_caps {
	int api_version;
	int user_memory;
	int irqchip;
	int nr_vcpus;
	int max_vcpus;
	int vcpu_mmap_size;
};

static int kvm_probe(const char *path, struct kvm_caps *caps, struct isolab_error *err)
{
	_cleanup_close_ int kvm = -1;
	_cleanup_close_ int vm = -1;
	_cleanup_close_ int vcpu = -1;

	kvm = open(path, O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return isolab_error_errno(err, -errno, "open %s", path);
	caps->api_version = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (caps->api_version < 0)
		return isolab_error_errno(err, -errno, "KVM_GET_API_VERSION on %s", path);
	if (caps->api_version != KVM_API_VERSION)
		return isolab_error_set(err, -EPROTO, "%s: KVM API version %d, expected %d", path,
					caps->api_version, KVM_API_VERSION);
	caps->user_memory = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY);
	caps->irqchip = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP);
	caps->nr_vcpus = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	caps->max_vcpus = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	caps->vcpu_mmap_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (caps->vcpu_mmap_size <= 0)
		return isolab_error_errno(err, -errno, "KVM_GET_VCPU_MMAP_SIZE on %s", path);
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return isolab_error_errno(err, -errno, "KVM_CREATE_VM on %s", path);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return isolab_error_errno(err, -errno, "KVM_CREATE_VCPU on %s", path);
	return 0;
}

int main(int argc, char **argv)
{
	struct isolab_error err = { 0 };
	struct kvm_caps caps = { 0 };
	const char *path = argc > 1 ? argv[1] : "/dev/kvm";

	if (argc > 2) {
		fprintf(stderr, "usage: lab-kvmcheck [/dev/kvm]\n");
		return 1;
	}
	if (kvm_probe(path, &caps, &err) < 0) {
		fprintf(stderr, "lab-kvmcheck: %s\n", err.msg);
		return 1;
	}
	printf("api_version %d\n", caps.api_version);
	printf("cap_user_memory %d\n", caps.user_memory);
	printf("cap_irqchip %d\n", caps.irqchip);
	printf("cap_nr_vcpus %d\n", caps.nr_vcpus);
	printf("cap_max_vcpus %d\n", caps.max_vcpus);
	printf("vcpu_mmap_size %d\n", caps.vcpu_mmap_size);
	printf("vm ok\n");
	return 0;
}
