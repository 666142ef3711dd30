/*
 * loader.c: puts the kernel, the initrd, the command line and the boot
 * structures (zero page, GDT, page tables, MP table) into guest memory.
 * The file I/O half of vmm/boot.c and vmm/x86_setup.c: files are read
 * straight into guest RAM, with no copy in the VMM's own memory.
 */
#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/cleanup.h"
#include "vmm/x86_setup.h"

/* Reads exactly len bytes at offset; -EIO names a file that shrank. */
static int read_at(int fd, const char *path, uint8_t *dst, uint64_t len, uint64_t offset,
		   struct isolab_error *err)
{
	while (len > 0) {
		ssize_t n = pread(fd, dst, len > (1u << 30) ? (1u << 30) : len, (off_t)offset);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return isolab_error_errno(err, -errno, "read `%s`", path);
		}
		if (n == 0)
			return isolab_error_set(err, -EIO, "read `%s`: file ended early", path);
		dst += n, len -= (uint64_t)n, offset += (uint64_t)n;
	}
	return 0;
}

static int open_regular(const char *path, uint64_t *size, struct isolab_error *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return isolab_error_errno(err, -errno, "open `%s`", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return isolab_error_set(err, -EINVAL, "`%s` is not a regular file", path);
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

int vm_load(struct vm *vm, const char *kernel, const char *initrd, const char *cmdline,
	    struct isolab_error *err)
{
	uint8_t probe[BOOT_PROBE_BYTES];
	uint64_t ksize = 0, isize = 0, initrd_addr = 0;
	int r;

	_cleanup_close_ int kfd = open_regular(kernel, &ksize, err);
	if (kfd < 0)
		return isolab_error_wrap(err, "kernel");
	uint64_t plen = ksize < sizeof(probe) ? ksize : sizeof(probe);
	r = read_at(kfd, kernel, probe, plen, 0, err);
	if (r < 0)
		return r;
	r = boot_parse_kernel(probe, plen, ksize, vm->mem_size, &vm->kernel, err);
	if (r < 0)
		return isolab_error_wrap(err, "kernel `%s`", kernel);

	_cleanup_close_ int ifd = -1;
	if (initrd) {
		ifd = open_regular(initrd, &isize, err);
		if (ifd < 0)
			return isolab_error_wrap(err, "initrd");
		r = boot_place_initrd(&vm->kernel, vm->mem_size, isize, &initrd_addr, err);
		if (r < 0)
			return r;
	}
	size_t cmdline_len = strlen(cmdline);
	r = boot_write_zero_page(vm->mem + BOOT_ZERO_PAGE_ADDR, &vm->kernel, vm->mem_size,
				 BOOT_CMDLINE_ADDR, cmdline_len, initrd_addr, isize, err);
	if (r < 0)
		return r;
	memcpy(vm->mem + BOOT_CMDLINE_ADDR, cmdline, cmdline_len + 1);

	for (unsigned i = 0; i < vm->kernel.nsegments; i++) {
		const struct kernel_segment *s = &vm->kernel.segments[i];

		r = read_at(kfd, kernel, vm->mem + s->guest_addr, s->file_size, s->file_offset, err);
		if (r < 0)
			return r;
	}
	if (initrd) {
		r = read_at(ifd, initrd, vm->mem + initrd_addr, isize, 0, err);
		if (r < 0)
			return r;
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
