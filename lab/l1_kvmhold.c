/*
 * lab/l1_kvmhold.c: isolab-l1-kvmhold, a static helper in the lab's L1
 * initramfs (stage 2 of lab/l1-init).
 *
 *   isolab-l1-kvmhold
 *
 * Creates one KVM VM with an in-kernel IRQ chip and one vCPU that never
 * runs, then keeps it, in a background process, for L1's whole life.
 *
 * Why: the first VM L1 creates and the last it destroys flip static keys
 * in L1's kernel (preempt_notifier_key, used in __schedule(); the LAPIC's
 * apic_sw_disabled). Each flip rewrites kernel text with text_poke_bp(),
 * an int3 on the site while every CPU is synchronised. Under QEMU's TCG
 * that dance can lose a race and leave both L1 CPUs looping through
 * exc_int3 at the __schedule() site forever: the intermittent lab stall
 * (seen with QEMU 7.2, Debian 12; diagnosis in lab/README.md). With this
 * VM alive, the counts never return to zero, so the tests' VMs, started
 * and stopped by the hundred, never patch L1's kernel text.
 *
 * Exit status: 0 the VM exists and the holder runs in the background
 * (it prints its pid); 1 a KVM step failed (one line on stderr says which).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/error.h"

struct kvm_hold {
	int kvm, vm, vcpu;
};

static int hold_create(struct kvm_hold *h, struct isolab_error *err)
{
	h->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (h->kvm < 0)
		return isolab_error_errno(err, -errno, "open /dev/kvm");
	h->vm = ioctl(h->kvm, KVM_CREATE_VM, 0);
	if (h->vm < 0)
		return isolab_error_errno(err, -errno, "KVM_CREATE_VM");
	/* The in-kernel LAPIC comes with the IRQ chip; its vCPU counts as software-disabled. */
	if (ioctl(h->vm, KVM_CREATE_IRQCHIP, 0) < 0)
		return isolab_error_errno(err, -errno, "KVM_CREATE_IRQCHIP");
	h->vcpu = ioctl(h->vm, KVM_CREATE_VCPU, 0);
	if (h->vcpu < 0)
		return isolab_error_errno(err, -errno, "KVM_CREATE_VCPU");
	return 0;
}

int main(void)
{
	struct kvm_hold h = { -1, -1, -1 };
	struct isolab_error err = { 0 };

	if (hold_create(&h, &err) < 0) {
		fprintf(stderr, "isolab-l1-kvmhold: %s\n", err.msg);
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "isolab-l1-kvmhold: fork: %m\n");
		return 1;
	}
	if (pid > 0) {
		printf("%d\n", (int)pid);
		return 0;
	}
	/* The child keeps the fds (and so the VM) until L1 powers off. */
	setsid();
	signal(SIGHUP, SIG_IGN);
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	for (;;)
		pause();
}
