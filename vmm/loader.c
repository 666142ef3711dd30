/*
 * loader.c: puts the kernel, the initrd, the command line and the boot
 * structures (zero page, GDT, page tables, MP table) into guest memory.
 * The file I/O half of vmm/boot.c and vmm/x86_setup.c: files are read
 * straight into guest RAM, with no copy in the VMM's own memory.
 */
#include "vmm/vm.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "common/cleanup.h"
#include "common/safe_open.h"
#include "vmm/x86_setup.h"

/* Reads exactly len bytes at offset; -EIO for a file that shrank. The caller names the file. */
static int read_at(int fd, uint8_t *dst, uint64_t len, uint64_t offset, struct isolab_error *err)
{
	while (len > 0) {
		ssize_t n = pread(fd, dst, len > (1u << 30) ? (1u << 30) : len, (off_t)offset);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return isolab_error_errno(err, -errno, "read");
		}
		if (n == 0)
			return isolab_error_set(err, -EIO, "file ended early");
		dst += n, len -= (uint64_t)n, offset += (uint64_t)n;
	}
	return 0;
}

/* A pointer to [addr, addr + len) of guest RAM, or NULL (-E2BIG in err) if any byte lies outside it. */
static uint8_t *guest_range(const struct vm *vm, uint64_t addr, uint64_t len, const char *what,
			    struct isolab_error *err)
{
	if (!boot_range_in_ram(addr, len, vm->mem_size)) {
		isolab_error_set(err, -E2BIG, "%s at %#llx (%llu bytes) lies outside guest memory",
				 what, (unsigned long long)addr, (unsigned long long)len);
		return NULL;
	}
	return vm->mem + addr;
}

int vm_load(struct vm *vm, const char *kernel, const char *initrd, const char *cmdline,
	    struct isolab_error *err)
{
	uint8_t probe[BOOT_PROBE_BYTES];
	uint64_t ksize = 0, isize = 0, initrd_addr = 0;
	int r;

	/* A FIFO or a device would block the open or the reads, with signals blocked. */
	_cleanup_close_ int kfd = isolab_open_regular(kernel, &ksize, err);
	if (kfd < 0)
		return isolab_error_wrap(err, "--kernel %s", kernel);
	uint64_t plen = ksize < sizeof(probe) ? ksize : sizeof(probe);
	r = read_at(kfd, probe, plen, 0, err);
	if (r == 0)
		r = boot_parse_kernel(probe, plen, ksize, vm->mem_size, &vm->kernel, err);
	if (r < 0)
		return isolab_error_wrap(err, "--kernel %s", kernel);

	_cleanup_close_ int ifd = -1;
	if (initrd) {
		ifd = isolab_open_regular(initrd, &isize, err);
		if (ifd < 0)
			return isolab_error_wrap(err, "--initrd %s", initrd);
		r = boot_place_initrd(&vm->kernel, vm->mem_size, isize, &initrd_addr, err);
		if (r < 0)
			return isolab_error_wrap(err, "--initrd %s", initrd);
	}
	size_t cmdline_len = strlen(cmdline);
	uint8_t *zero_page = guest_range(vm, BOOT_ZERO_PAGE_ADDR, 4096, "zero page", err);
	if (zero_page == NULL)
		return err->code;
	r = boot_write_zero_page(zero_page, &vm->kernel, vm->mem_size, BOOT_CMDLINE_ADDR,
				 cmdline_len, initrd_addr, isize, err);
	if (r < 0)
		return r;
	uint8_t *cmdline_dst = guest_range(vm, BOOT_CMDLINE_ADDR, cmdline_len + 1, "command line", err);
	if (cmdline_dst == NULL)
		return err->code;
	memcpy(cmdline_dst, cmdline, cmdline_len + 1);

	/* boot.c checked these ranges already; every copy is checked again where it happens. */
	for (unsigned i = 0; i < vm->kernel.nsegments; i++) {
		const struct kernel_segment *s = &vm->kernel.segments[i];
		uint8_t *dst = guest_range(vm, s->guest_addr, s->mem_size, "kernel segment", err);

		if (dst == NULL)
			return isolab_error_wrap(err, "--kernel %s", kernel);
		if (s->file_size > s->mem_size)
			return isolab_error_set(err, -E2BIG, "--kernel %s: segment larger in the file than in memory",
						kernel);
		r = read_at(kfd, dst, s->file_size, s->file_offset, err);
		if (r < 0)
			return isolab_error_wrap(err, "--kernel %s", kernel);
	}
	if (initrd) {
		uint8_t *dst = guest_range(vm, initrd_addr, isize, "initrd", err);

		if (dst == NULL)
			return isolab_error_wrap(err, "--initrd %s", initrd);
		r = read_at(ifd, dst, isize, 0, err);
		if (r < 0)
			return isolab_error_wrap(err, "--initrd %s", initrd);
	}
	vm->initrd_size = isize;

	uint64_t gdt[X86_GDT_ENTRIES];
	x86_write_gdt(gdt);
	memcpy(vm->mem + BOOT_GDT_ADDR, gdt, sizeof(gdt));
	x86_write_page_tables(vm->mem + BOOT_PML4_ADDR, BOOT_PML4_ADDR);
	if (x86_write_mptable(vm->mem + BOOT_MPTABLE_ADDR, BOOT_HIGH_RAM_START - BOOT_MPTABLE_ADDR,
			      BOOT_MPTABLE_ADDR, vm->ncpus) == 0)
		return isolab_error_set(err, -E2BIG, "MP table for %u CPUs does not fit", vm->ncpus);
	return 0;
}
