/*
 * args.h: isolab-vmm's command line (pure: no file is opened here).
 */
#ifndef ISOLAB_VMM_ARGS_H
#define ISOLAB_VMM_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include "common/error.h"

/* The command line that boots quietly on the serial console and stops on reboot. */
#define VMM_DEFAULT_CMDLINE "console=ttyS0 quiet reboot=k panic=-1 nomodule"
#define VMM_DEFAULT_MEM (128ull << 20)
#define VMM_MIN_MEM (16ull << 20)
#define VMM_MAX_MEM (3ull << 30)   /* below the 32-bit PCI/APIC hole, one memory slot */
#define VMM_MAX_CPUS 64
#define VMM_CMDLINE_MAX 4096
/* --disk: a virtio-blk device at this guest-physical window and IRQ, named
 * to the guest kernel on its command line (Linux's virtio_mmio.device=). */
#define VMM_DISK_BASE 0xd0000000ull
#define VMM_DISK_IRQ 5
#define VMM_DISK_CMDLINE "virtio_mmio.device=512@0xd0000000:5"
/* --net tap=NAME: a virtio-net device in the next window, IRQ 6. */
#define VMM_NET_BASE 0xd0000200ull
#define VMM_NET_IRQ 6
#define VMM_NET_CMDLINE "virtio_mmio.device=512@0xd0000200:6"

struct vmm_args {
	const char *kernel;
	const char *initrd;       /* NULL: none */
	uint64_t mem;
	unsigned cpus;
	char cmdline[VMM_CMDLINE_MAX];
	uint64_t timeout_s;       /* 0: none */
	const char *stats;        /* NULL: none */
	const char *disk;         /* --disk FILE[,ro]: the file; NULL: none */
	bool disk_ro;
	const char *net_tap;      /* --net tap=NAME: the tap's name; NULL: no network */
};

/* vmm_args_parse's answers besides 0: print the usage, or the version. */
#define VMM_ARGS_HELP 1
#define VMM_ARGS_VERSION 2

/* Returns 0, VMM_ARGS_HELP (--help), VMM_ARGS_VERSION (--version), or
 * -EINVAL with a message (an unknown option with a "did you mean" hint).
 * Guest RAM is --memory SIZE (-m); --mem, its old spelling, is the same. */
int vmm_args_parse(int argc, char **argv, struct vmm_args *a, struct isolab_error *err);

extern const char vmm_usage[];

#endif
