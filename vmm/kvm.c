/*
 * kvm.c: the VM itself (thin system layer). Opens /dev/kvm, checks the
 * API, creates the VM with kvmtool's ioctl order (TSS address, in-kernel
 * IRQ chip, PIT), maps guest RAM and hands it to KVM; and the one place a
 * stop is requested from any thread.
 */
#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "common/timing.h"

/* kvmtool's choice: three pages just below the BIOS area, never RAM here. */
#define VM_TSS_ADDR 0xfffbd000ul
#define VM_RAM_ALIGN (2ul << 20)

static const struct { int cap; const char *name; } required_caps[] = {
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
	{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
};

int vm_map_memory(struct vm *vm, uint64_t mem_size, unsigned ncpus, struct isolab_error *err)
{
	vm->kvm_fd = vm->vm_fd = vm->wake_fd = -1;
	vm->ncpus = ncpus;
	vm->mem_size = mem_size;
	pthread_mutex_init(&vm->lock, NULL);
	/*
	 * NORESERVE: RAM the guest never touches costs nothing. The mapping is
	 * aligned to 2 MiB and offered to transparent huge pages, so guest
	 * physical and host virtual addresses agree modulo 2 MiB and KVM can
	 * map guest RAM with 2 MiB pages (far fewer nested-paging faults).
	 */
	size_t span = mem_size + VM_RAM_ALIGN;
	uint8_t *raw = mmap(NULL, span, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return isolab_error_errno(err, -errno, "mmap %llu MiB of guest memory",
					  (unsigned long long)(mem_size >> 20));
	uint8_t *mem = (uint8_t *)(((uintptr_t)raw + VM_RAM_ALIGN - 1) & ~(uintptr_t)(VM_RAM_ALIGN - 1));
	if (mem > raw)
		munmap(raw, (size_t)(mem - raw));
	if (raw + span > mem + mem_size)
		munmap(mem + mem_size, (size_t)(raw + span - (mem + mem_size)));
	madvise(mem, mem_size, MADV_HUGEPAGE); /* a hint: harmless where THP is off */
	vm->mem = mem;
	vm->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->wake_fd < 0)
		return isolab_error_errno(err, -errno, "eventfd");
	return 0;
}

int vm_create(struct vm *vm, struct isolab_error *err)
{
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return isolab_error_errno(err, -errno, "open `/dev/kvm`");
	int api = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION)
		return isolab_error_set(err, -ENOTSUP, "`/dev/kvm`: API version %d, need %d", api,
					KVM_API_VERSION);
	for (size_t i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++)
		if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, required_caps[i].cap) <= 0)
			return isolab_error_set(err, -ENOTSUP, "`/dev/kvm`: lacks %s", required_caps[i].name);
	int run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size <= 0)
		return isolab_error_errno(err, -errno, "KVM_GET_VCPU_MMAP_SIZE");
	vm->run_size = (size_t)run_size;

	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return isolab_error_errno(err, -errno, "KVM_CREATE_VM");
	vm->t_vm_created = isolab_since_start_ns();
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, VM_TSS_ADDR) < 0)
		return isolab_error_errno(err, -errno, "KVM_SET_TSS_ADDR");
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return isolab_error_errno(err, -errno, "KVM_CREATE_IRQCHIP");
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return isolab_error_errno(err, -errno, "KVM_CREATE_PIT2");
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = vm->mem_size,
		.userspace_addr = (uint64_t)(uintptr_t)vm->mem,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return isolab_error_errno(err, -errno, "KVM_SET_USER_MEMORY_REGION");
	return 0;
}

void vm_close(struct vm *vm)
{
	disk_close(vm); /* the device threads first: they use guest RAM */
	net_close(vm);
	if (vm->vcpus) {
		for (unsigned i = 0; i < vm->ncpus; i++) {
			if (vm->vcpus[i].run)
				munmap(vm->vcpus[i].run, vm->run_size);
			if (vm->vcpus[i].fd >= 0)
				close(vm->vcpus[i].fd);
		}
		free(vm->vcpus);
		vm->vcpus = NULL;
	}
	free(vm->cpuid);
	vm->cpuid = NULL;
	if (vm->mem)
		munmap(vm->mem, vm->mem_size);
	vm->mem = NULL;
	if (vm->wake_fd >= 0)
		close(vm->wake_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->wake_fd = vm->vm_fd = vm->kvm_fd = -1;
}

void vm_request_stop(struct vm *vm, enum vm_stop why, int status, const char *fmt, ...)
{
	int expected = VM_RUNNING;
	char msg[sizeof(vm->stop_msg)];
	va_list ap;

	va_start(ap, fmt);
	/* The analyzer reports this only when it runs over several files at once. */
	vsnprintf(msg, sizeof(msg), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	if (!atomic_compare_exchange_strong(&vm->stop, &expected, (int)why))
		return;
	vm->t_exit = isolab_since_start_ns();
	vm->status = status;
	memcpy(vm->stop_msg, msg, sizeof(msg));
	uint64_t one = 1;
	ssize_t w = write(vm->wake_fd, &one, sizeof(one));
	(void)w;
}

int vm_irq_line(struct vm *vm, unsigned irq, bool level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level };

	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0 ? -errno : 0;
}

void vm_irq_pulse(struct vm *vm, unsigned irq)
{
	if (vm_irq_line(vm, irq, true) < 0 || vm_irq_line(vm, irq, false) < 0)
		vm_request_stop(vm, VM_STOP_VMM_ERROR, VMM_STATUS_VMM_ERROR, "KVM_IRQ_LINE %u failed",
				irq);
}
