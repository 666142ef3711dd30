/*
 * args.h: isolab-vmm's command line (pure: no file is opened here).
 */
#ifndef ISOLAB_VMM_ARGS_H
#define ISOLAB_VMM_ARGS_H

#include <stdint.h>
#include "common/error.h"

/* The command line that boots quietly on the serial console and stops on reboot. */
#define VMM_DEFAULT_CMDLINE "console=ttyS0 quiet reboot=k panic=-1 nomodule"
#define VMM_DEFAULT_MEM (128ull << 20)
#define VMM_MIN_MEM (16ull << 20)
#define VMM_MAX_MEM (3ull << 30)   /* below the 32-bit PCI/APIC hole, one memory slot */
#define VMM_MAX_CPUS 64
#define VMM_CMDLINE_MAX 4096

struct vmm_args {
	const char *kernel;
	const char *initrd;       /* NULL: none */
	uint64_t mem;
	unsigned cpus;
	char cmdline[VMM_CMDLINE_MAX];
	uint64_t timeout_s;       /* 0: none */
	const char *stats;        /* NULL: none */
};

/* Returns 0, 1 when --help was asked for, or -EINVAL with a message. */
int vmm_args_parse(int argc, char **argv, struct vmm_args *a, struct isolab_error *err);

extern const char vmm_usage[];

#endif
