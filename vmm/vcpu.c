/*
 * vcpu.c: vCPUs (thin system layer). Sets each vCPU up as kvmtool and
 * Firecracker do (CPUID from KVM_GET_SUPPORTED_CPUID with the hypervisor
 * bit and the vCPU's APIC id, MSRs, FPU, LAPIC LINT0/LINT1; the boot vCPU
 * in 64-bit mode at the kernel's entry), runs each in its own small
 * thread, and turns VM exits into device calls or a stop.
 */
#include "vmm/vm.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "common/timing.h"
#include "vmm/x86_setup.h"

#define VCPU_STACK_SIZE (64 * 1024)
#define VCPU_KICK_SIGNAL SIGUSR1
#define CPUID_MAX_ENTRIES 256

/* Architectural MSRs (no vendor-specific ones: the VMM runs on Intel and AMD). */
#define MSR_IA32_SYSENTER_CS  0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_STAR              0xc0000081
#define MSR_LSTAR             0xc0000082
#define MSR_CSTAR             0xc0000083
#define MSR_SYSCALL_MASK      0xc0000084
#define MSR_KERNEL_GS_BASE    0xc0000102
#define MSR_IA32_TSC          0x10
#define MSR_MTRR_DEF_TYPE     0x2ff
#define MTRR_ENABLE_WB        ((1u << 11) | 6)   /* MTRRs on, default type write-back */

/* Local APIC registers and delivery modes (Intel SDM vol. 3A, 10.5.1). */
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_MODE_NMI    0x4
#define APIC_MODE_EXTINT 0x7

static void kick_handler(int sig)
{
	(void)sig;
}

static int get_supported_cpuid(struct vm *vm, struct isolab_error *err)
{
	vm->cpuid = calloc(1, sizeof(*vm->cpuid) + CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2));
	if (!vm->cpuid)
		return isolab_error_set(err, -ENOMEM, "CPUID table: out of memory");
	vm->cpuid->nent = CPUID_MAX_ENTRIES;
	if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, vm->cpuid) < 0)
		return isolab_error_errno(err, -errno, "KVM_GET_SUPPORTED_CPUID");
	vm->tsc_deadline = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	return 0;
}

static int setup_cpuid(struct vcpu *c, struct isolab_error *err)
{
	struct kvm_cpuid2 *t = c->vm->cpuid;

	for (unsigned i = 0; i < t->nent; i++) {
		struct kvm_cpuid_entry2 *e = &t->entries[i];

		x86_cpuid_fixup(e->function, &e->ebx, &e->ecx, &e->edx, c->id, c->vm->tsc_deadline);
	}
	if (ioctl(c->fd, KVM_SET_CPUID2, t) < 0)
		return isolab_error_errno(err, -errno, "vCPU %u: KVM_SET_CPUID2", c->id);
	return 0;
}

static int setup_msrs(struct vcpu *c, struct isolab_error *err)
{
	static const uint32_t zeroed[] = {
		MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_STAR,
		MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE, MSR_IA32_TSC,
	};
	enum { N = sizeof(zeroed) / sizeof(zeroed[0]) + 1 };
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[N];
	} m;

	memset(&m, 0, sizeof(m));
	for (unsigned i = 0; i < N - 1; i++)
		m.e[i].index = zeroed[i];
	m.e[N - 1].index = MSR_MTRR_DEF_TYPE;
	m.e[N - 1].data = MTRR_ENABLE_WB;
	m.hdr.nmsrs = N;
	int r = ioctl(c->fd, KVM_SET_MSRS, &m);
	if (r < 0)
		return isolab_error_errno(err, -errno, "vCPU %u: KVM_SET_MSRS", c->id);
	if (r != N)
		return isolab_error_set(err, -EINVAL, "vCPU %u: KVM_SET_MSRS refused MSR %#x", c->id,
					m.e[r].index);
	return 0;
}

static int setup_fpu_lapic(struct vcpu *c, struct isolab_error *err)
{
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 }; /* the x87 and SSE reset values */
	if (ioctl(c->fd, KVM_SET_FPU, &fpu) < 0)
		return isolab_error_errno(err, -errno, "vCPU %u: KVM_SET_FPU", c->id);

	struct kvm_lapic_state lapic;
	if (ioctl(c->fd, KVM_GET_LAPIC, &lapic) < 0)
		return isolab_error_errno(err, -errno, "vCPU %u: KVM_GET_LAPIC", c->id);
	uint32_t lint0, lint1;
	memcpy(&lint0, lapic.regs + APIC_LVT_LINT0, 4);
	memcpy(&lint1, lapic.regs + APIC_LVT_LINT1, 4);
	lint0 = (lint0 & ~0x700u) | (APIC_MODE_EXTINT << 8); /* the PIC, as on a PC */
	lint1 = (lint1 & ~0x700u) | (APIC_MODE_NMI << 8);
	memcpy(lapic.regs + APIC_LVT_LINT0, &lint0, 4);
	memcpy(lapic.regs + APIC_LVT_LINT1, &lint1, 4);
	if (ioctl(c->fd, KVM_SET_LAPIC, &lapic) < 0)
		return isolab_error_errno(err, -errno, "vCPU %u: KVM_SET_LAPIC", c->id);
	return 0;
}

static void set_segment(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = code ? 0 : 1, .s = 1, .l = code ? 1 : 0, .g = 1,
	};
}

/* The boot vCPU: 64-bit mode at the kernel's entry (boot.rst, "64-bit BOOT PROTOCOL"). */
int vcpu_boot_regs(struct vm *vm, struct isolab_error *err)
{
	struct vcpu *c = &vm->vcpus[0];
	struct kvm_sregs sregs;

	if (ioctl(c->fd, KVM_GET_SREGS, &sregs) < 0)
		return isolab_error_errno(err, -errno, "vCPU 0: KVM_GET_SREGS");
	set_segment(&sregs.cs, X86_SEL_CODE, 0xb, true);
	set_segment(&sregs.ds, X86_SEL_DATA, 0x3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.tr = (struct kvm_segment){ .base = 0, .limit = 0x67, .selector = X86_SEL_TSS,
					 .type = 0xb, .present = 1, .s = 0 };
	sregs.gdt.base = BOOT_GDT_ADDR;
	sregs.gdt.limit = X86_GDT_ENTRIES * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr3 = BOOT_PML4_ADDR;
	sregs.cr4 = X86_CR4_PAE;
	sregs.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_PG;
	sregs.efer = X86_EFER_LME | X86_EFER_LMA;
	if (ioctl(c->fd, KVM_SET_SREGS, &sregs) < 0)
		return isolab_error_errno(err, -errno, "vCPU 0: KVM_SET_SREGS");

	struct kvm_regs regs = {
		.rflags = 0x2, .rip = c->vm->kernel.entry, .rsi = BOOT_ZERO_PAGE_ADDR,
		.rsp = BOOT_STACK_TOP, .rbp = BOOT_STACK_TOP,
	};
	if (ioctl(c->fd, KVM_SET_REGS, &regs) < 0)
		return isolab_error_errno(err, -errno, "vCPU 0: KVM_SET_REGS");
	return 0;
}

int vcpus_create(struct vm *vm, struct isolab_error *err)
{
	int r = get_supported_cpuid(vm, err);
	if (r < 0)
		return r;
	vm->vcpus = calloc(vm->ncpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return isolab_error_set(err, -ENOMEM, "vCPUs: out of memory");
	for (unsigned i = 0; i < vm->ncpus; i++)
		vm->vcpus[i].fd = -1;
	for (unsigned i = 0; i < vm->ncpus; i++) {
		struct vcpu *c = &vm->vcpus[i];

		c->vm = vm;
		c->id = i;
		c->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, i);
		if (c->fd < 0)
			return isolab_error_errno(err, -errno, "vCPU %u: KVM_CREATE_VCPU", i);
		void *run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
		if (run == MAP_FAILED)
			return isolab_error_errno(err, -errno, "vCPU %u: mmap kvm_run", i);
		c->run = run;
		r = setup_cpuid(c, err);
		if (r == 0)
			r = setup_msrs(c, err);
		if (r == 0)
			r = setup_fpu_lapic(c, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static void count_io(struct vcpu *c, uint16_t port)
{
	for (unsigned i = 0; i < c->nio; i++)
		if (c->io_port[i] == port) {
			c->io_count[i]++;
			return;
		}
	if (c->nio < VCPU_IO_PORTS) {
		c->io_port[c->nio] = port;
		c->io_count[c->nio++] = 1;
	} else {
		c->io_other++;
	}
}

static void handle_io(struct vcpu *c)
{
	struct kvm_run *run = c->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;

	count_io(c, run->io.port);
	/* Bytes one at a time: every isolab device is 8-bit; wider accesses see bytes at port+i. */
	for (uint32_t n = 0; n < run->io.count; n++)
		for (unsigned b = 0; b < run->io.size; b++, data++)
			devices_io(c->vm, (uint16_t)(run->io.port + b), out, data);
}

static void dump_regs(struct vcpu *c)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(c->fd, KVM_GET_REGS, &r) < 0 || ioctl(c->fd, KVM_GET_SREGS, &s) < 0)
		return;
	fprintf(stderr,
		"isolab-vmm: vCPU %u: rip=%016llx rsp=%016llx rflags=%08llx\n"
		"  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n"
		"  rsi=%016llx rdi=%016llx rbp=%016llx\n"
		"  cr0=%016llx cr2=%016llx cr3=%016llx cr4=%016llx efer=%llx cs=%04x\n",
		c->id, r.rip, r.rsp, r.rflags, r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp,
		s.cr0, s.cr2, s.cr3, s.cr4, s.efer, s.cs.selector);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *c = arg;
	struct vm *vm = c->vm;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (c->id == 0)
		vm->t_first_entry = isolab_since_start_ns();
	while (atomic_load(&vm->stop) == VM_RUNNING) {
		if (ioctl(c->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				c->exits[KVM_EXIT_INTR]++;
				continue;
			}
			vm_request_stop(vm, VM_STOP_VMM_ERROR, VMM_STATUS_VMM_ERROR,
					"vCPU %u: KVM_RUN: %s", c->id, strerror(errno));
			break;
		}
		struct kvm_run *run = c->run;
		if (run->exit_reason < VCPU_EXIT_REASONS)
			c->exits[run->exit_reason]++;
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			handle_io(c);
			break;
		case KVM_EXIT_MMIO:
			devices_mmio(vm, run->mmio.phys_addr, run->mmio.data,
				     run->mmio.len <= sizeof(run->mmio.data) ? run->mmio.len : 8,
				     run->mmio.is_write);
			break;
		case KVM_EXIT_HLT:
		case KVM_EXIT_INTR:
		case KVM_EXIT_IRQ_WINDOW_OPEN:
			break;
		case KVM_EXIT_SHUTDOWN:
			dump_regs(c);
			vm_request_stop(vm, VM_STOP_SHUTDOWN, VMM_STATUS_GUEST_CRASH,
					"guest triple-faulted on vCPU %u (KVM_EXIT_SHUTDOWN)", c->id);
			break;
		case KVM_EXIT_FAIL_ENTRY:
			dump_regs(c);
			vm_request_stop(vm, VM_STOP_GUEST_ERROR, VMM_STATUS_GUEST_CRASH,
					"vCPU %u: KVM could not enter the guest (hardware reason %#llx)",
					c->id, (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			break;
		case KVM_EXIT_INTERNAL_ERROR:
			dump_regs(c);
			vm_request_stop(vm, VM_STOP_GUEST_ERROR, VMM_STATUS_GUEST_CRASH,
					"vCPU %u: KVM internal error (suberror %u)", c->id,
					run->internal.suberror);
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			vm_request_stop(vm, VM_STOP_RESET, 0, "guest system event %u", run->system_event.type);
			break;
		default:
			dump_regs(c);
			vm_request_stop(vm, VM_STOP_GUEST_ERROR, VMM_STATUS_GUEST_CRASH,
					"vCPU %u: unexpected VM exit reason %u", c->id, run->exit_reason);
			break;
		}
	}
	return NULL;
}

int vcpus_start(struct vm *vm, struct isolab_error *err)
{
	struct sigaction sa;
	pthread_attr_t attr;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler; /* no SA_RESTART: KVM_RUN returns EINTR */
	sigaction(VCPU_KICK_SIGNAL, &sa, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, VCPU_STACK_SIZE);
	for (unsigned i = 0; i < vm->ncpus; i++) {
		int r = pthread_create(&vm->vcpus[i].thread, &attr, vcpu_thread, &vm->vcpus[i]);
		if (r != 0) {
			pthread_attr_destroy(&attr);
			return isolab_error_errno(err, -r, "vCPU %u: pthread_create", i);
		}
		vm->vcpus[i].thread_started = true;
	}
	pthread_attr_destroy(&attr);
	return 0;
}

void vcpus_kick(struct vm *vm)
{
	for (unsigned i = 0; i < vm->ncpus; i++) {
		struct vcpu *c = &vm->vcpus[i];

		if (!c->thread_started)
			continue;
		c->run->immediate_exit = 1;
		pthread_kill(c->thread, VCPU_KICK_SIGNAL);
	}
}

void vcpus_join(struct vm *vm)
{
	for (unsigned i = 0; vm->vcpus && i < vm->ncpus; i++)
		if (vm->vcpus[i].thread_started) {
			pthread_join(vm->vcpus[i].thread, NULL);
			vm->vcpus[i].thread_started = false;
		}
}
