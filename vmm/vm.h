/*
 * vm.h: one running virtual machine, shared by the thin system layer
 * (vmm/kvm.c: the VM and its memory; vmm/loader.c: the kernel in memory;
 * vmm/vcpu.c: vCPU threads; vmm/devices.c: the devices on the bus;
 * vmm/console.c: the terminal; vmm/stats.c: --stats).
 */
#ifndef ISOLAB_VMM_VM_H
#define ISOLAB_VMM_VM_H

#include <cjson/cJSON.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "common/error.h"
#include "vmm/banner.h"
#include "vmm/boot.h"
#include "vmm/debugport.h"
#include "vmm/i8042.h"
#include "vmm/iobus.h"
#include "vmm/serial.h"
#include "vmm/virtio_mmio.h"

/* Why the VM stopped; the order is that of vmm/README.md's exit statuses. */
enum vm_stop {
	VM_RUNNING = 0,
	VM_STOP_DEBUG_EXIT,   /* guest wrote its status to the debug-exit port */
	VM_STOP_RESET,        /* guest rebooted (i8042 reset): status 0 */
	VM_STOP_POWEROFF,     /* guest printed "reboot: Power down" / "System halted": status 0 */
	VM_STOP_PANIC,        /* guest kernel panicked, then rebooted */
	VM_STOP_SHUTDOWN,     /* triple fault */
	VM_STOP_GUEST_ERROR,  /* KVM could not run the guest (entry failure, internal error) */
	VM_STOP_VMM_ERROR,    /* an ioctl or system call failed */
	VM_STOP_TIMEOUT,
	VM_STOP_SIGNAL,
	VM_STOP_ESCAPE,       /* Ctrl-A x typed on the terminal */
};

/* Exit statuses (vmm/README.md); SIGINT/SIGTERM give 128 + the signal. */
#define VMM_STATUS_GUEST_CRASH 1
#define VMM_STATUS_USAGE 2
#define VMM_STATUS_NO_KVM 3
#define VMM_STATUS_TIMEOUT 124
#define VMM_STATUS_VMM_ERROR 125

#define VCPU_EXIT_REASONS 64
#define VM_MMIO_DEVICES 4
#define VCPU_IO_PORTS 32

struct vcpu {
	struct vm *vm;
	unsigned id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool thread_started;
	/* Statistics, written by this vCPU's thread only. */
	uint64_t exits[VCPU_EXIT_REASONS];
	uint16_t io_port[VCPU_IO_PORTS];
	uint64_t io_count[VCPU_IO_PORTS];
	unsigned nio;
	uint64_t io_other;    /* port exits beyond VCPU_IO_PORTS distinct ports */
};

struct vm {
	int kvm_fd, vm_fd;
	uint8_t *mem;
	uint64_t mem_size;
	unsigned ncpus;
	struct vcpu *vcpus;
	size_t run_size;
	struct kvm_cpuid2 *cpuid;      /* KVM_GET_SUPPORTED_CPUID, filtered per vCPU */
	bool tsc_deadline;             /* KVM_CAP_TSC_DEADLINE_TIMER: the guest may use it */
	struct kernel_info kernel;
	uint64_t initrd_size;

	/* Devices: everything under lock (vCPU threads and the console thread). */
	pthread_mutex_t lock;
	struct iobus bus;
	struct serial serial;
	bool serial_irq;               /* last level given to KVM_IRQ_LINE */
	struct banner_watch banners;   /* the guest's panic and power-off messages */
	bool panicked;
	struct i8042 i8042;
	struct debugport debug;
	uint64_t unhandled_io;
	/* virtio-mmio devices, each a VIRTIO_MMIO_WINDOW at base (under lock). */
	struct { uint64_t base; struct virtio_mmio *mmio; } mmio[VM_MMIO_DEVICES];
	unsigned n_mmio;
	uint64_t unhandled_mmio;
	struct vm_disk *disk;          /* --disk (disk.c); NULL: none */
	struct vm_net *net;            /* --net (net.c); NULL: none */

	/* Stopping: the first vm_request_stop() wins. */
	atomic_int stop;
	int status;
	char stop_msg[256];
	int wake_fd;                   /* eventfd: tells the main loop to look at stop */

	/* Phase times, ns since the process started. */
	uint64_t t_loaded, t_vm_created, t_first_entry, t_exit;
};

/* kvm.c */
/* Guest RAM (before KVM is touched, so a bad kernel is refused without it). */
int vm_map_memory(struct vm *vm, uint64_t mem_size, unsigned ncpus, struct isolab_error *err);
/* /dev/kvm, the VM, its IRQ chip, PIT and memory slot. */
int vm_create(struct vm *vm, struct isolab_error *err);
void vm_close(struct vm *vm);
void vm_request_stop(struct vm *vm, enum vm_stop why, int status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int vm_irq_line(struct vm *vm, unsigned irq, bool level);
/* An edge on an ISA line (the MP table makes them edge-triggered): a
 * virtio device's notification; a failure stops the VM. */
void vm_irq_pulse(struct vm *vm, unsigned irq);

/* loader.c */
int vm_load(struct vm *vm, const char *kernel, const char *initrd, const char *cmdline,
	    struct isolab_error *err);

/* vcpu.c */
int vcpus_create(struct vm *vm, struct isolab_error *err);
/* vCPU 0 at the kernel's entry, once it is loaded; the others wait for INIT/SIPI. */
int vcpu_boot_regs(struct vm *vm, struct isolab_error *err);
int vcpus_start(struct vm *vm, struct isolab_error *err);
void vcpus_kick(struct vm *vm);
void vcpus_join(struct vm *vm);

/* devices.c */
int devices_init(struct vm *vm, struct isolab_error *err);
void devices_io(struct vm *vm, uint16_t port, bool out, uint8_t *data);
void devices_flush_output(struct vm *vm);
/* Feeds console input; returns bytes taken (0 when the guest's buffer is full). */
size_t devices_console_input(struct vm *vm, const uint8_t *bytes, size_t n);

/* Registers a virtio-mmio device's window (before the vCPUs start). */
int devices_add_mmio(struct vm *vm, uint64_t base, struct virtio_mmio *m, struct isolab_error *err);
/* --stats: a virtio transport's bad accesses and refusals (the last one's reason). */
void devices_transport_json(const struct virtio_mmio *m, cJSON *o);
/* A KVM_EXIT_MMIO: a device's register, or nothing (reads see all ones). */
void devices_mmio(struct vm *vm, uint64_t addr, uint8_t *data, unsigned len, bool is_write);

/* disk.c: --disk FILE[,ro], a virtio-blk device served by a worker thread. */
/* Opens and checks the file (before the VM exists: a bad file is usage). */
int disk_open(struct vm *vm, const char *path, bool read_only, struct isolab_error *err);
/* The device on the bus and its worker, once guest RAM and the VM exist. */
int disk_start(struct vm *vm, struct isolab_error *err);
/* Stops the worker, closes the file. Safe without a disk. */
void disk_close(struct vm *vm);
/* --stats: the disk's requests, bytes, errors and the transport's refusals. */
void disk_stats_json(const struct vm *vm, cJSON *o);

/* net.c: --net tap=NAME, a virtio-net device and its network thread. */
/* Opens or creates the tap (before the VM exists: a bad one is usage). */
int net_open(struct vm *vm, const char *tap_name, struct isolab_error *err);
/* The device on the bus and its thread, once guest RAM and the VM exist. */
int net_start(struct vm *vm, struct isolab_error *err);
/* Stops the thread, closes the tap. Safe without a network device. */
void net_close(struct vm *vm);
/* --stats: frames, bytes, drops by reason, and which data path moved them. */
void net_stats_json(const struct vm *vm, cJSON *o);

/* stats.c */
int stats_write(const struct vm *vm, const char *path, const char *kernel_path,
		struct isolab_error *err);

#endif
