/*
 * test_vmm.c: unit tests of isolab-vmm's pure parts (no /dev/kvm): the
 * boot protocol parser and zero page, GDT/page tables/MP table bytes,
 * the UART, i8042 and guest-port state machines, the I/O bus, the
 * command line and the console escape filter. Uses the real guest
 * kernel (build/guest/{bzImage,vmlinux}) when it has been built.
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "vmm/args.h"
#include "common/le.h"
#include "vmm/banner.h"
#include "vmm/boot.h"
#include "vmm/console.h"
#include "vmm/debugport.h"
#include "vmm/i8042.h"
#include "vmm/iobus.h"
#include "vmm/serial.h"
#include "vmm/x86_setup.h"

#define MEM (128ull << 20)


/* A synthetic bzImage header: 4 setup sectors after the boot sector, 1 MiB payload. */
static void make_bzimage(uint8_t *buf)
{
	memset(buf, 0, BOOT_PROBE_BYTES);
	buf[BP_SETUP_SECTS] = 4;
	isolab_put_le32(buf + BP_SYSSIZE, (1u << 20) / 16);
	isolab_put_le16(buf + BP_BOOT_FLAG, 0xaa55);
	buf[0x200] = 0xeb;
	buf[0x201] = 0x6a; /* header ends at 0x26c */
	isolab_put_le32(buf + BP_HEADER, 0x53726448);
	isolab_put_le16(buf + BP_VERSION, 0x020f);
	buf[BP_LOADFLAGS] = BP_LOADED_HIGH;
	isolab_put_le32(buf + BP_INITRD_ADDR_MAX, 0x7fffffff);
	isolab_put_le32(buf + BP_KERNEL_ALIGN, 0x200000);
	buf[BP_RELOCATABLE] = 1;
	isolab_put_le16(buf + BP_XLOADFLAGS, 0x1);
	isolab_put_le32(buf + BP_CMDLINE_SIZE, 2047);
	isolab_put_le32(buf + BP_INIT_SIZE, 8u << 20);
}

static const uint64_t bz_size = 5 * 512 + (1u << 20);

/* k = the synthetic bzImage, parsed for MEM bytes of guest RAM. */
static void parse_good_bzimage(struct kernel_info *k)
{
	uint8_t buf[BOOT_PROBE_BYTES];
	struct isolab_error err = { 0 };

	make_bzimage(buf);
	assert_int_equal(boot_parse_kernel(buf, sizeof(buf), bz_size, MEM, k, &err), 0);
}

static void test_bzimage_good(void **state)
{
	uint8_t buf[BOOT_PROBE_BYTES];
	struct kernel_info k;
	struct isolab_error err = { 0 };

	(void)state;
	make_bzimage(buf);
	assert_int_equal(boot_parse_kernel(buf, sizeof(buf), bz_size, MEM, &k, &err), 0);
	assert_int_equal(k.format, KERNEL_BZIMAGE);
	assert_int_equal(k.entry, 0x100000 + 0x200);
	assert_int_equal(k.nsegments, 1);
	assert_int_equal(k.segments[0].file_offset, 5 * 512);
	assert_int_equal(k.segments[0].file_size, 1u << 20);
	assert_int_equal(k.end, 0x100000 + (8u << 20));
	assert_int_equal(k.setup_header_len, 0x26c - 0x1f1);
	/* setup_sects 0 means 4 (boot.rst) */
	buf[BP_SETUP_SECTS] = 0;
	assert_int_equal(boot_parse_kernel(buf, sizeof(buf), bz_size, MEM, &k, &err), 0);
	assert_int_equal(k.segments[0].file_offset, 5 * 512);
	/* a non-relocatable kernel goes to its pref_address */
	buf[BP_RELOCATABLE] = 0;
	isolab_put_le32(buf + BP_PREF_ADDRESS, 0x1000000);
	assert_int_equal(boot_parse_kernel(buf, sizeof(buf), bz_size, MEM, &k, &err), 0);
	assert_int_equal(k.entry, 0x1000200);
}

static void expect_refused(uint8_t *buf, size_t len, uint64_t file_size, uint64_t mem, const char *why)
{
	struct kernel_info k;
	struct isolab_error err = { 0 };
	int r = boot_parse_kernel(buf, len, file_size, mem, &k, &err);

	assert_true(r < 0);
	if (!strstr(err.msg, why))
		fail_msg("expected '%s' in '%s'", why, err.msg);
}

static void test_bzimage_bad(void **state)
{
	uint8_t buf[BOOT_PROBE_BYTES];

	(void)state;
	make_bzimage(buf);
	expect_refused(buf, sizeof(buf), bz_size - 1, MEM, "truncated");
	expect_refused(buf, 600, 600, MEM, "too short");
	expect_refused(buf, sizeof(buf), bz_size, 8u << 20, "guest memory");
	make_bzimage(buf);
	buf[BP_XLOADFLAGS] = 0;
	expect_refused(buf, sizeof(buf), bz_size, MEM, "64-bit");
	make_bzimage(buf);
	isolab_put_le16(buf + BP_VERSION, 0x0206);
	expect_refused(buf, sizeof(buf), bz_size, MEM, "too old");
	make_bzimage(buf);
	buf[BP_HEADER] = 'X';
	expect_refused(buf, sizeof(buf), bz_size, MEM, "not a Linux kernel");
	make_bzimage(buf);
	isolab_put_le16(buf + BP_BOOT_FLAG, 0);
	expect_refused(buf, sizeof(buf), bz_size, MEM, "not a Linux kernel");
	make_bzimage(buf);
	isolab_put_le32(buf + BP_SYSSIZE, 0);
	expect_refused(buf, sizeof(buf), bz_size, MEM, "empty");
	memset(buf, 0, sizeof(buf));
	expect_refused(buf, sizeof(buf), sizeof(buf), MEM, "not a Linux kernel");
}

/* A synthetic vmlinux: ELF header, two PT_LOADs, physical entry. */
static size_t make_elf(uint8_t *buf)
{
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr ph[2] = { 0 };

	memset(buf, 0, BOOT_PROBE_BYTES);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_entry = 0x1000000;
	eh.e_phoff = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 2;
	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = 0x200000, .p_vaddr = 0xffffffff81000000ull,
			      .p_paddr = 0x1000000, .p_filesz = 0x100000, .p_memsz = 0x100000 };
	ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = 0x300000, .p_vaddr = 0xffffffff81100000ull,
			      .p_paddr = 0x1100000, .p_filesz = 0x1000, .p_memsz = 0x200000 };
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), ph, sizeof(ph));
	return 0x301000;
}

static void test_elf(void **state)
{
	uint8_t buf[BOOT_PROBE_BYTES];
	struct kernel_info k;
	struct isolab_error err = { 0 };
	size_t size = make_elf(buf);

	(void)state;
	assert_int_equal(boot_parse_kernel(buf, sizeof(buf), size, MEM, &k, &err), 0);
	assert_int_equal(k.format, KERNEL_ELF);
	assert_int_equal(k.entry, 0x1000000);
	assert_int_equal(k.nsegments, 2);
	assert_int_equal(k.end, 0x1300000);
	assert_int_equal(k.segments[1].mem_size, 0x200000);
	/* a virtual entry point is translated through its segment */
	Elf64_Ehdr eh;
	memcpy(&eh, buf, sizeof(eh));
	eh.e_entry = 0xffffffff81000040ull;
	memcpy(buf, &eh, sizeof(eh));
	assert_int_equal(boot_parse_kernel(buf, sizeof(buf), size, MEM, &k, &err), 0);
	assert_int_equal(k.entry, 0x1000040);

	expect_refused(buf, sizeof(buf), size - 1, MEM, "truncated");
	expect_refused(buf, sizeof(buf), size, 16u << 20, "does not fit");
	eh.e_entry = 0x5000000;
	memcpy(buf, &eh, sizeof(eh));
	expect_refused(buf, sizeof(buf), size, MEM, "entry point");
	make_elf(buf);
	buf[EI_CLASS] = ELFCLASS32;
	expect_refused(buf, sizeof(buf), size, MEM, "64-bit");
	make_elf(buf);
	memcpy(&eh, buf, sizeof(eh));
	eh.e_type = ET_DYN;
	memcpy(buf, &eh, sizeof(eh));
	expect_refused(buf, sizeof(buf), size, MEM, "not an executable");
	make_elf(buf);
	expect_refused(buf, 40, 40, MEM, "truncated");
}

/* Crafted bzImage headers whose addresses wrap or leave guest RAM: refused, never loaded. */
static void test_bzimage_hostile_addresses(void **state)
{
	uint8_t buf[BOOT_PROBE_BYTES];

	(void)state;
	/* pref_address + init_size wraps past 2^64 to a small "end" that used to pass */
	make_bzimage(buf);
	buf[BP_RELOCATABLE] = 0;
	isolab_put_le64(buf + BP_PREF_ADDRESS, 0xffffffffffff0000ull);
	expect_refused(buf, sizeof(buf), bz_size, MEM, "wraps past 2^64");
	/* the entry point (pref_address + 0x200) would wrap even though init_size fits */
	isolab_put_le64(buf + BP_PREF_ADDRESS, 0xffffffffffffff00ull);
	isolab_put_le32(buf + BP_INIT_SIZE, 0);
	isolab_put_le32(buf + BP_SYSSIZE, 1);
	expect_refused(buf, sizeof(buf), 5 * 512 + 16, MEM, "wraps past 2^64");
	/* high but not wrapping: beyond guest RAM */
	make_bzimage(buf);
	buf[BP_RELOCATABLE] = 0;
	isolab_put_le64(buf + BP_PREF_ADDRESS, 0xfffffffff0000000ull);
	expect_refused(buf, sizeof(buf), bz_size, MEM, "guest memory");
	/* just past the end of guest RAM */
	isolab_put_le64(buf + BP_PREF_ADDRESS, MEM - (8u << 20) + 1);
	expect_refused(buf, sizeof(buf), bz_size, MEM, "guest memory");
	/* below 1 MiB the kernel would overwrite the MP table and the e820 hole */
	isolab_put_le64(buf + BP_PREF_ADDRESS, 0x30000);
	expect_refused(buf, sizeof(buf), bz_size, MEM, "below 1 MiB");
	/* the largest syssize cannot overflow the truncation check */
	make_bzimage(buf);
	isolab_put_le32(buf + BP_SYSSIZE, 0xffffffffu);
	expect_refused(buf, sizeof(buf), bz_size, MEM, "truncated");
	/* a jump offset pointing the header past 0x290 */
	make_bzimage(buf);
	buf[0x201] = 0xff;
	expect_refused(buf, sizeof(buf), bz_size, MEM, "does not fit");
}

static void set_phdr(uint8_t *buf, unsigned i, const Elf64_Phdr *ph)
{
	memcpy(buf + sizeof(Elf64_Ehdr) + i * sizeof(*ph), ph, sizeof(*ph));
}

static void get_phdr(const uint8_t *buf, unsigned i, Elf64_Phdr *ph)
{
	memcpy(ph, buf + sizeof(Elf64_Ehdr) + i * sizeof(*ph), sizeof(*ph));
}

/* Crafted vmlinux program headers: offsets and addresses that wrap or leave the file or RAM. */
static void test_elf_hostile_segments(void **state)
{
	uint8_t buf[BOOT_PROBE_BYTES];
	Elf64_Phdr ph;
	size_t size;

	(void)state;
	/* p_paddr + p_memsz wraps past 2^64 */
	size = make_elf(buf);
	get_phdr(buf, 1, &ph);
	ph.p_paddr = 0xfffffffffff00000ull;
	ph.p_memsz = 0x200000;
	set_phdr(buf, 1, &ph);
	expect_refused(buf, sizeof(buf), size, MEM, "does not fit in guest memory");
	/* p_offset + p_filesz wraps past 2^64 */
	size = make_elf(buf);
	get_phdr(buf, 1, &ph);
	ph.p_offset = 0xffffffffffffff00ull;
	set_phdr(buf, 1, &ph);
	expect_refused(buf, sizeof(buf), size, MEM, "truncated");
	/* more file bytes than memory bytes: the copy would overrun the segment */
	size = make_elf(buf);
	get_phdr(buf, 1, &ph);
	ph.p_filesz = ph.p_memsz + 1;
	set_phdr(buf, 1, &ph);
	expect_refused(buf, sizeof(buf), size, MEM, "more file bytes");
	/* a segment below 1 MiB */
	size = make_elf(buf);
	get_phdr(buf, 0, &ph);
	ph.p_paddr = 0x30000;
	set_phdr(buf, 0, &ph);
	expect_refused(buf, sizeof(buf), size, MEM, "above 1 MiB");
	/* program headers beyond the probed bytes */
	size = make_elf(buf);
	Elf64_Ehdr eh;
	memcpy(&eh, buf, sizeof(eh));
	eh.e_phoff = 0xfffffffffffffff0ull;
	memcpy(buf, &eh, sizeof(eh));
	expect_refused(buf, sizeof(buf), size, MEM, "program headers");
	eh.e_phoff = sizeof(eh);
	eh.e_phnum = 0xffff;
	memcpy(buf, &eh, sizeof(eh));
	expect_refused(buf, sizeof(buf), size, MEM, "program headers");
}

static void test_range_in_ram(void **state)
{
	(void)state;
	assert_true(boot_range_in_ram(0, MEM, MEM));
	assert_true(boot_range_in_ram(MEM, 0, MEM));
	assert_true(boot_range_in_ram(MEM - 1, 1, MEM));
	assert_false(boot_range_in_ram(MEM - 1, 2, MEM));
	assert_false(boot_range_in_ram(MEM + 1, 0, MEM));
	assert_false(boot_range_in_ram(0xfffffffffffff000ull, 0x2000, MEM));
	assert_false(boot_range_in_ram(0x1000, UINT64_MAX, MEM));
}

/* Initrd and command line placement against a hostile kernel_info or bad addresses. */
static void test_initrd_and_cmdline_bounds(void **state)
{
	uint8_t zp[4096];
	struct kernel_info k;
	struct isolab_error err = { 0 };
	uint64_t addr;

	(void)state;
	parse_good_bzimage(&k);
	/* a kernel end near 2^64 must not round up to page 0 */
	k.end = UINT64_MAX - 10;
	assert_int_equal(boot_place_initrd(&k, MEM, 4096, &addr, &err), -E2BIG);
	/* initrd_addr_max of 2^64 - 1 means "no limit below RAM", not a wrap to 0 */
	parse_good_bzimage(&k);
	k.initrd_addr_max = UINT64_MAX;
	assert_int_equal(boot_place_initrd(&k, MEM, 4096, &addr, &err), 0);
	assert_true(addr + 4096 <= MEM);
	/* an initrd_addr_max below the kernel's end leaves no room */
	k.initrd_addr_max = 0x200000;
	assert_int_equal(boot_place_initrd(&k, MEM, 4096, &addr, &err), -E2BIG);
	/* RAM above 4 GiB is never used: the zero page has 32-bit fields */
	k.initrd_addr_max = UINT64_MAX;
	assert_int_equal(boot_place_initrd(&k, 8ull << 30, 4096, &addr, &err), 0);
	assert_true(addr + 4096 <= (1ull << 32));

	k.initrd_addr_max = 0x7fffffff;
	assert_int_equal(boot_write_zero_page(zp, &k, MEM, MEM - 4, 10, 0, 0, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "command line"));
	assert_int_equal(boot_write_zero_page(zp, &k, MEM, 0x20000, 10, MEM - 4096, 8192, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "initrd"));
	assert_int_equal(boot_write_zero_page(zp, &k, MEM, 0x20000, 10, UINT64_MAX - 100, 200, &err), -E2BIG);
}

/* The real guest kernel, when `make kernel` has built it. */
static int read_probe(const char *path, uint8_t *buf, uint64_t *size)
{
	struct stat st;
	FILE *f = fopen(path, "rb");

	if (!f)
		return -1;
	size_t n = fread(buf, 1, BOOT_PROBE_BYTES, f);
	fclose(f);
	if (stat(path, &st) < 0 || n == 0)
		return -1;
	*size = (uint64_t)st.st_size;
	return (int)n;
}

static void test_real_kernels(void **state)
{
	uint8_t buf[BOOT_PROBE_BYTES];
	uint64_t size;
	struct kernel_info k;
	struct isolab_error err = { 0 };
	int n, seen = 0;

	(void)state;
	if ((n = read_probe("build/guest/bzImage", buf, &size)) > 0) {
		seen++;
		assert_int_equal(boot_parse_kernel(buf, (size_t)n, size, MEM, &k, &err), 0);
		assert_int_equal(k.format, KERNEL_BZIMAGE);
		assert_true(k.protocol >= 0x020c);
		/* relocatable: at 1 MiB; otherwise at its pref_address */
		assert_int_equal(k.entry, (buf[BP_RELOCATABLE] ? 0x100000 : isolab_get_le64(buf + BP_PREF_ADDRESS)) + 0x200);
		assert_true(k.segments[0].file_offset + k.segments[0].file_size <= size);
		expect_refused(buf, (size_t)n, size / 2, MEM, "truncated");
	}
	if ((n = read_probe("build/guest/vmlinux", buf, &size)) > 0) {
		seen++;
		assert_int_equal(boot_parse_kernel(buf, (size_t)n, size, MEM, &k, &err), 0);
		assert_int_equal(k.format, KERNEL_ELF);
		assert_true(k.entry >= 0x100000 && k.entry < MEM);
		expect_refused(buf, (size_t)n, size / 4, MEM, "truncated");
	}
	if (!seen)
		skip();
}

static void test_initrd_place(void **state)
{
	struct kernel_info k;
	struct isolab_error err = { 0 };
	uint64_t addr;

	(void)state;
	parse_good_bzimage(&k);
	assert_int_equal(boot_place_initrd(&k, MEM, 1000000, &addr, &err), 0);
	assert_int_equal(addr % 4096, 0);
	assert_true(addr >= k.end && addr + 1000000 <= MEM);
	assert_true(MEM - (addr + 1000000) < 4096);
	assert_int_equal(boot_place_initrd(&k, MEM, MEM - k.end + 1, &addr, &err), -E2BIG);
	assert_int_equal(boot_place_initrd(&k, MEM, MEM * 2, &addr, &err), -E2BIG);
}

static void test_zero_page(void **state)
{
	uint8_t buf[BOOT_PROBE_BYTES], zp[4096];
	struct kernel_info k;
	struct isolab_error err = { 0 };

	(void)state;
	make_bzimage(buf);
	assert_int_equal(boot_parse_kernel(buf, sizeof(buf), bz_size, MEM, &k, &err), 0);
	assert_int_equal(boot_write_zero_page(zp, &k, MEM, 0x20000, 10, 0x7000000, 12345, &err), 0);
	assert_int_equal(isolab_get_le32(zp + BP_HEADER), 0x53726448);
	assert_int_equal(zp[BP_TYPE_OF_LOADER], 0xff);
	assert_true(zp[BP_LOADFLAGS] & BP_LOADED_HIGH);
	assert_int_equal(isolab_get_le32(zp + BP_CMD_LINE_PTR), 0x20000);
	assert_int_equal(isolab_get_le32(zp + BP_RAMDISK_IMAGE), 0x7000000);
	assert_int_equal(isolab_get_le32(zp + BP_RAMDISK_SIZE), 12345);
	assert_int_equal(zp[BP_E820_ENTRIES], 3);
	assert_int_equal(isolab_get_le64(zp + BP_E820_TABLE), 0);
	assert_int_equal(isolab_get_le64(zp + BP_E820_TABLE + 8), 0x9fc00);
	assert_int_equal(isolab_get_le32(zp + BP_E820_TABLE + 16), E820_RAM);
	assert_int_equal(isolab_get_le32(zp + BP_E820_TABLE + 20 + 16), E820_RESERVED);
	assert_int_equal(isolab_get_le64(zp + BP_E820_TABLE + 40), 0x100000);
	assert_int_equal(isolab_get_le64(zp + BP_E820_TABLE + 48), MEM - 0x100000);
	/* bytes of the header beyond what the kernel declared stay zero */
	assert_int_equal(zp[0x26c], 0);
	assert_int_equal(boot_write_zero_page(zp, &k, MEM, 0x20000, 2048, 0, 0, &err), -E2BIG);

	/* vmlinux: the VMM writes the header fields itself */
	size_t size = make_elf(buf);
	assert_int_equal(boot_parse_kernel(buf, sizeof(buf), size, MEM, &k, &err), 0);
	assert_int_equal(boot_write_zero_page(zp, &k, MEM, 0x20000, 10, 0, 0, &err), 0);
	assert_int_equal(zp[BP_BOOT_FLAG], 0x55);
	assert_int_equal(zp[BP_BOOT_FLAG + 1], 0xaa);
	assert_int_equal(isolab_get_le32(zp + BP_HEADER), 0x53726448);
	assert_int_equal(isolab_get_le32(zp + BP_RAMDISK_SIZE), 0);
}

static void test_e820_small(void **state)
{
	struct e820_entry map[4];

	(void)state;
	assert_int_equal(boot_e820_map(MEM, map, 2), 0);
	assert_int_equal(boot_e820_map(MEM, map, 4), 3);
	for (unsigned i = 1; i < 3; i++)
		assert_int_equal(map[i].addr, map[i - 1].addr + map[i - 1].size);
}

static void test_gdt(void **state)
{
	uint64_t gdt[X86_GDT_ENTRIES];

	(void)state;
	x86_write_gdt(gdt);
	assert_int_equal(gdt[0], 0);
	/* the values the boot protocol's 64-bit entry was verified with (lab-recipe.md) */
	assert_int_equal(gdt[X86_SEL_CODE / 8], 0x00af9b000000ffffull);
	assert_int_equal(gdt[X86_SEL_DATA / 8], 0x00cf93000000ffffull);
	assert_int_equal((gdt[X86_SEL_TSS / 8] >> 40) & 0xff, 0x8b);
	assert_int_equal(x86_gdt_entry(0x0093, 0x12345678, 0xabcde), 0x120a93345678bcdeull);
}

static void test_page_tables(void **state)
{
	static uint8_t buf[X86_PAGE_TABLES_SIZE];

	(void)state;
	x86_write_page_tables(buf, 0x9000);
	assert_int_equal(isolab_get_le64(buf), 0xa003);
	for (unsigned g = 0; g < 4; g++)
		assert_int_equal(isolab_get_le64(buf + 4096 + g * 8), (0xb000 + g * 0x1000) | 3);
	assert_int_equal(isolab_get_le64(buf + 4096 + 4 * 8), 0);
	assert_int_equal(isolab_get_le64(buf + 2 * 4096), 0x83);
	assert_int_equal(isolab_get_le64(buf + 2 * 4096 + 8), 0x200083);
	assert_int_equal(isolab_get_le64(buf + 5 * 4096 + 511 * 8), 0xffe00083ull);
}

static void test_mptable(void **state)
{
	static uint8_t buf[1024];

	(void)state;
	for (unsigned n = 1; n <= 16; n *= 2) {
		size_t len = x86_write_mptable(buf, sizeof(buf), 0x9fc00, n);
		assert_true(len > 0);
		assert_memory_equal(buf, "_MP_", 4);
		assert_int_equal(x86_checksum(buf, 16), 0);
		assert_int_equal(isolab_get_le32(buf + 4), 0x9fc10);
		uint8_t *mpc = buf + 16;
		assert_memory_equal(mpc, "PCMP", 4);
		uint16_t mpc_len = (uint16_t)(mpc[4] | mpc[5] << 8);
		assert_int_equal(mpc_len + 16, len);
		assert_int_equal(x86_checksum(mpc, mpc_len), 0);
		uint16_t count = (uint16_t)(mpc[34] | mpc[35] << 8);
		assert_int_equal(count, n + 1 + 1 + 16 + 2);
		unsigned cpus = 0, bsp = 0;
		for (uint8_t *e = mpc + 44; e < mpc + mpc_len;) {
			if (e[0] == 0) {
				assert_int_equal(e[1], cpus);
				cpus++;
				bsp += (e[3] & 2) != 0;
				e += 20;
			} else {
				e += 8;
			}
		}
		assert_int_equal(cpus, n);
		assert_int_equal(bsp, 1);
	}
	assert_int_equal(x86_write_mptable(buf, 100, 0, 4), 0);
	assert_int_equal(x86_write_mptable(buf, sizeof(buf), 0, 0), 0);
	assert_int_equal(x86_write_mptable(buf, sizeof(buf), 0, X86_MAX_CPUS + 1), 0);
}

static void test_cpuid_fixup(void **state)
{
	(void)state;
	/* leaf 1: hypervisor bit, APIC id in EBX[31:24] (other EBX bits kept), TSC deadline */
	uint32_t ebx = 0xaa123456u, ecx = 0x00000001u, edx = 0x1234u;
	x86_cpuid_fixup(1, &ebx, &ecx, &edx, 3, true);
	assert_int_equal(ebx, 0x03123456u);
	assert_int_equal(ecx, 0x00000001u | (1u << 31) | (1u << 24));
	assert_int_equal(edx, 0x1234u);
	ebx = 0xaa123456u, ecx = 0x00000001u;
	x86_cpuid_fixup(1, &ebx, &ecx, &edx, 0, false);
	assert_int_equal(ebx, 0x00123456u);
	assert_int_equal(ecx, 0x00000001u | (1u << 31));
	/* leaves 0xb and 0x1f: the x2APIC id in EDX */
	for (uint32_t leaf = 0xb; leaf <= 0x1f; leaf += 0x14) {
		ebx = 7, ecx = 8, edx = 0xffffffffu;
		x86_cpuid_fixup(leaf, &ebx, &ecx, &edx, 5, true);
		assert_int_equal(edx, 5);
		assert_int_equal(ebx, 7);
		assert_int_equal(ecx, 8);
	}
	/* any other leaf is left alone */
	ebx = 1, ecx = 2, edx = 3;
	x86_cpuid_fixup(7, &ebx, &ecx, &edx, 9, true);
	assert_int_equal(ebx, 1);
	assert_int_equal(ecx, 2);
	assert_int_equal(edx, 3);
}

static void test_serial_registers(void **state)
{
	struct serial s;

	(void)state;
	serial_init(&s);
	/* scratch register keeps what is written (8250 probe) */
	serial_write(&s, UART_SCR, 0xa5);
	assert_int_equal(serial_read(&s, UART_SCR), 0xa5);
	/* LSR reports the transmitter empty: a console that polls never waits */
	assert_int_equal(serial_read(&s, UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT), 0x60);
	/* DLAB switches offsets 0/1 to the divisor latch */
	serial_write(&s, UART_LCR, UART_LCR_DLAB | 3);
	serial_write(&s, UART_DLL, 1);
	serial_write(&s, UART_DLM, 2);
	assert_int_equal(serial_read(&s, UART_DLL), 1);
	assert_int_equal(serial_read(&s, UART_DLM), 2);
	assert_int_equal(s.out_len, 0);
	serial_write(&s, UART_LCR, 3);
	assert_int_equal(serial_read(&s, UART_IER), 0);
	/* IER keeps its 4 defined bits */
	serial_write(&s, UART_IER, 0xff);
	assert_int_equal(serial_read(&s, UART_IER), 0x0f);
	serial_write(&s, UART_IER, 0);
	/* loopback: MSR mirrors MCR outputs (the 8250 probe writes 0x1a, expects 0x90) */
	serial_write(&s, UART_MCR, UART_MCR_LOOP | 0x0a);
	assert_int_equal(serial_read(&s, UART_MSR) & 0xf0, 0x90);
	serial_write(&s, UART_MCR, UART_MCR_LOOP | 0x05);
	assert_int_equal(serial_read(&s, UART_MSR) & 0xf0, 0x60);
	/* loopback data returns on RBR and is not output */
	serial_write(&s, UART_TX, 'Q');
	assert_int_equal(s.out_len, 0);
	assert_true(serial_read(&s, UART_LSR) & UART_LSR_DR);
	assert_int_equal(serial_read(&s, UART_RX), 'Q');
	serial_write(&s, UART_MCR, UART_MCR_OUT2 | UART_MCR_DTR | UART_MCR_RTS);
	assert_int_equal(serial_read(&s, UART_MSR) & 0xb0, 0xb0);
	/* FIFO enabled shows in IIR's top bits (16550A) */
	serial_write(&s, UART_FCR, UART_FCR_ENABLE_FIFO | 0x06);
	assert_int_equal(serial_read(&s, UART_IIR), 0xc1);
}

static void test_serial_interrupts(void **state)
{
	struct serial s;

	(void)state;
	serial_init(&s);
	assert_false(serial_irq_level(&s));
	assert_int_equal(serial_read(&s, UART_IIR) & 0x0f, UART_IIR_NO_INT);
	/* THR empty interrupt as soon as THRI is enabled, and again after each byte */
	serial_write(&s, UART_IER, UART_IER_THRI);
	assert_true(serial_irq_level(&s));
	assert_int_equal(serial_read(&s, UART_IIR) & 0x0f, UART_IIR_THRI);
	serial_write(&s, UART_TX, 'a');
	assert_true(serial_irq_level(&s));
	serial_write(&s, UART_IER, 0);
	assert_false(serial_irq_level(&s));
	/* received data: invisible until the driver enables RDI, then it has priority */
	uint8_t in[] = "hi";
	assert_int_equal(serial_rx_push(&s, in, 2), 2);
	assert_false(serial_read(&s, UART_LSR) & UART_LSR_DR);
	assert_int_equal(serial_read(&s, UART_RX), 0);
	assert_false(serial_irq_level(&s));
	serial_write(&s, UART_IER, UART_IER_RDI | UART_IER_THRI);
	assert_true(serial_irq_level(&s));
	assert_int_equal(serial_read(&s, UART_IIR) & 0x0f, UART_IIR_RDI);
	assert_int_equal(serial_read(&s, UART_RX), 'h');
	assert_int_equal(serial_read(&s, UART_RX), 'i');
	assert_false(serial_read(&s, UART_LSR) & UART_LSR_DR);
	assert_int_equal(serial_read(&s, UART_IIR) & 0x0f, UART_IIR_THRI);
}

static void test_serial_buffers(void **state)
{
	static uint8_t big[SERIAL_RX_SIZE + 100];
	struct serial s;

	(void)state;
	serial_init(&s);
	/* the input buffer is bounded */
	assert_int_equal(serial_rx_push(&s, big, sizeof(big)), SERIAL_RX_SIZE);
	assert_int_equal(serial_rx_space(&s), 0);
	assert_int_equal(serial_rx_push(&s, big, 1), 0);
	/* output is batched until a newline */
	serial_write(&s, UART_TX, 'o');
	serial_write(&s, UART_TX, 'k');
	assert_false(s.out_flush);
	serial_write(&s, UART_TX, '\n');
	assert_true(s.out_flush);
	assert_int_equal(s.out_len, 3);
	assert_memory_equal(s.out, "ok\n", 3);
	s.out_len = 0;
	s.out_flush = false;
	/* ... or an IER write (the driver ends a batch), or a full buffer */
	serial_write(&s, UART_TX, '#');
	serial_write(&s, UART_IER, UART_IER_THRI);
	assert_true(s.out_flush);
	s.out_len = 0;
	s.out_flush = false;
	for (int i = 0; i < SERIAL_OUT_SIZE; i++)
		serial_write(&s, UART_TX, 'x');
	assert_true(s.out_flush);
}

static void test_i8042(void **state)
{
	struct i8042 k = { 0 };

	(void)state;
	assert_int_equal(i8042_read(&k, I8042_COMMAND_PORT) & I8042_STR_IBF, 0);
	assert_true(i8042_read(&k, I8042_COMMAND_PORT) & I8042_STR_OBF);
	i8042_write(&k, I8042_DATA_PORT, 0xfe);
	i8042_write(&k, I8042_COMMAND_PORT, 0x20);
	assert_false(k.reset);
	i8042_write(&k, I8042_COMMAND_PORT, 0xfe);
	assert_true(k.reset);
}

static void test_debugport(void **state)
{
	struct debugport d = { 0 };

	(void)state;
	assert_int_equal(debugport_read(&d, ISOLAB_PORT_PING), ISOLAB_PING_REPLY);
	const char *name = "init";
	for (unsigned i = 0; name[i]; i++)
		debugport_write(&d, ISOLAB_PORT_MARKER, (uint8_t)name[i], 100 + i);
	assert_int_equal(d.nmarkers, 0);
	debugport_write(&d, ISOLAB_PORT_MARKER, '\n', 200);
	assert_int_equal(d.nmarkers, 1);
	assert_string_equal(d.markers[0].name, "init");
	assert_int_equal(d.markers[0].ns, 100); /* timestamped at the first byte */
	/* non-printable bytes are dropped, long names cut, empty names ignored */
	debugport_write(&d, ISOLAB_PORT_MARKER, '\0', 300);
	assert_int_equal(d.nmarkers, 1);
	for (int i = 0; i < 50; i++)
		debugport_write(&d, ISOLAB_PORT_MARKER, i == 3 ? 0x07 : 'a', 400);
	debugport_write(&d, ISOLAB_PORT_MARKER, 0, 500);
	assert_int_equal(d.nmarkers, 2);
	assert_int_equal(strlen(d.markers[1].name), ISOLAB_MARKER_NAME_MAX);
	for (int i = 0; i < DEBUGPORT_MAX_MARKERS + 3; i++) {
		debugport_write(&d, ISOLAB_PORT_MARKER, 'm', 600);
		debugport_write(&d, ISOLAB_PORT_MARKER, '\n', 600);
	}
	assert_int_equal(d.nmarkers, DEBUGPORT_MAX_MARKERS);
	assert_int_equal(d.dropped, 5);
	/* debug exit: the first status wins */
	assert_false(d.exit_requested);
	debugport_write(&d, ISOLAB_PORT_DEBUG_EXIT, 42, 700);
	debugport_write(&d, ISOLAB_PORT_DEBUG_EXIT, 7, 700);
	assert_true(d.exit_requested);
	assert_int_equal(d.exit_status, 42);
}

static uint8_t dummy_read(void *dev, uint16_t port) { (void)dev; return (uint8_t)port; }
static void dummy_write(void *dev, uint16_t port, uint8_t v) { (void)dev; (void)port; (void)v; }

static void test_iobus(void **state)
{
	struct iobus bus = { 0 };
	struct isolab_error err = { 0 };

	(void)state;
	assert_int_equal(iobus_register(&bus, 0x3f8, 8, "com1", dummy_read, dummy_write, NULL, &err), 0);
	assert_int_equal(iobus_register(&bus, 0x60, 1, "kbd", dummy_read, dummy_write, NULL, &err), 0);
	assert_int_equal(iobus_register(&bus, 0x3ff, 2, "clash", dummy_read, dummy_write, NULL, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "com1"));
	assert_int_equal(iobus_register(&bus, 0xffff, 2, "wrap", dummy_read, dummy_write, NULL, &err), -EINVAL);
	assert_string_equal(iobus_find(&bus, 0x3f8)->name, "com1");
	assert_string_equal(iobus_find(&bus, 0x3ff)->name, "com1");
	assert_null(iobus_find(&bus, 0x400));
	assert_null(iobus_find(&bus, 0x3f7));
	assert_string_equal(iobus_find(&bus, 0x60)->name, "kbd");
	for (unsigned i = 2; i < IOBUS_MAX_RANGES; i++)
		assert_int_equal(iobus_register(&bus, (uint16_t)(0x1000 + i), 1, "x", dummy_read, dummy_write, NULL, &err), 0);
	assert_int_equal(iobus_register(&bus, 0x2000, 1, "full", dummy_read, dummy_write, NULL, &err), -ENOSPC);
}

static int parse(struct vmm_args *a, struct isolab_error *err, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = "isolab-vmm";
	va_start(ap, err);
	for (char *s; (s = va_arg(ap, char *));)
		argv[argc++] = s;
	va_end(ap);
	argv[argc] = NULL;
	return vmm_args_parse(argc, argv, a, err);
}

static void test_args(void **state)
{
	struct vmm_args a;
	struct isolab_error err = { 0 };

	(void)state;
	assert_int_equal(parse(&a, &err, "--kernel", "k", NULL), 0);
	assert_string_equal(a.kernel, "k");
	assert_null(a.initrd);
	assert_int_equal(a.mem, 128u << 20);
	assert_int_equal(a.cpus, 1);
	assert_int_equal(a.timeout_s, 0);
	assert_string_equal(a.cmdline, VMM_DEFAULT_CMDLINE);
	assert_non_null(strstr(a.cmdline, "console=ttyS0"));
	assert_int_equal(parse(&a, &err, "--kernel", "k", "--initrd", "i", "--mem", "256M", "--cpus", "4",
			       "--timeout", "30", "--stats", "s.json", "--append", "isolab_run=\"true\"", NULL), 0);
	assert_string_equal(a.initrd, "i");
	assert_int_equal(a.mem, 256u << 20);
	assert_int_equal(a.cpus, 4);
	assert_int_equal(a.timeout_s, 30);
	assert_string_equal(a.stats, "s.json");
	assert_string_equal(a.cmdline, VMM_DEFAULT_CMDLINE " isolab_run=\"true\"");
	assert_int_equal(parse(&a, &err, "--kernel=k", "--cmdline=console=ttyS0", NULL), 0);
	assert_string_equal(a.cmdline, "console=ttyS0");
	assert_int_equal(parse(&a, &err, "--help", NULL), VMM_ARGS_HELP);
	assert_int_equal(parse(&a, &err, "--version", NULL), VMM_ARGS_VERSION);
	assert_int_equal(parse(&a, &err, "--kernel", "k", "--version", NULL), VMM_ARGS_VERSION);
	/* guest RAM: --memory, -m, and --mem (the old spelling) are one option */
	assert_int_equal(parse(&a, &err, "--kernel", "k", "--memory", "64M", NULL), 0);
	assert_int_equal(a.mem, 64u << 20);
	assert_int_equal(parse(&a, &err, "--kernel", "k", "--memory=96M", NULL), 0);
	assert_int_equal(a.mem, 96u << 20);
	assert_int_equal(parse(&a, &err, "--kernel", "k", "-m", "32M", NULL), 0);
	assert_int_equal(a.mem, 32u << 20);
	assert_int_equal(parse(&a, &err, "--kernel", "k", "--mem=48M", NULL), 0);
	assert_int_equal(a.mem, 48u << 20);
	assert_int_equal(parse(&a, &err, "--kernel", "k", "--mem", "1M", NULL), -EINVAL);
	assert_string_equal(err.msg, "--memory `1M`: must be a multiple of 4 KiB between 16M and 3G");
	/* a typo: the closest option */
	assert_int_equal(parse(&a, &err, "--kernel", "k", "--memroy", "64M", NULL), -EINVAL);
	assert_string_equal(err.msg, "unknown option `--memroy` (did you mean `--memory`?)");
	assert_int_equal(parse(&a, &err, "--kernal", "k", NULL), -EINVAL);
	assert_string_equal(err.msg, "unknown option `--kernal` (did you mean `--kernel`?)");
	assert_int_equal(parse(&a, &err, "--kernel", "k", "--cpu", "2", NULL), 0); /* a unique prefix */
	assert_int_equal(a.cpus, 2);
	assert_int_equal(parse(&a, &err, "--kernel", "k", "--m", "64M", NULL), 0); /* --mem and --memory: one */
	assert_int_equal(parse(&a, &err, "--kernel", "k", "--help=1", NULL), -EINVAL);
	assert_string_equal(err.msg, "option `--help` takes no value");
	assert_int_equal(parse(&a, &err, NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "--kernel"));
	assert_int_equal(parse(&a, &err, "--kernel", "k", "--cpus", "0", NULL), -EINVAL);
	assert_int_equal(parse(&a, &err, "--kernel", "k", "--cpus", "65", NULL), -EINVAL);
	assert_int_equal(parse(&a, &err, "--kernel", "k", "--mem", "1M", NULL), -EINVAL);
	assert_int_equal(parse(&a, &err, "--kernel", "k", "--mem", "4G", NULL), -EINVAL);
	assert_int_equal(parse(&a, &err, "--kernel", "k", "--mem", "lots", NULL), -EINVAL);
	assert_int_equal(parse(&a, &err, "--kernel", "k", "--timeout", "-1", NULL), -EINVAL);
	assert_int_equal(parse(&a, &err, "--kernel", "k", "--bogus", NULL), -EINVAL);
	assert_string_equal(err.msg, "unknown option `--bogus`");
	assert_int_equal(parse(&a, &err, "--kernel", "k", "extra", NULL), -EINVAL);
	assert_int_equal(parse(&a, &err, "--kernel", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "needs a value"));
}

static void test_console_filter(void **state)
{
	struct console c = { 0 };
	uint8_t out[16];
	bool quit;

	(void)state;
	assert_int_equal(console_filter(&c, (const uint8_t *)"ab", 2, out, &quit), 2);
	assert_false(quit);
	assert_int_equal(console_filter(&c, (const uint8_t *)"a\001\001b", 4, out, &quit), 3);
	assert_memory_equal(out, "a\001b", 3);
	/* the escape may straddle two reads */
	assert_int_equal(console_filter(&c, (const uint8_t *)"z\001", 2, out, &quit), 1);
	assert_false(quit);
	assert_int_equal(console_filter(&c, (const uint8_t *)"x", 1, out, &quit), 0);
	assert_true(quit);
}

static enum banner feed_all(struct banner_watch *w, const char *text)
{
	enum banner last = BANNER_NONE;

	for (; *text; text++) {
		enum banner b = banner_feed(w, *text);
		if (b != BANNER_NONE)
			last = b;
	}
	return last;
}

static void test_banners(void **state)
{
	struct banner_watch w = { 0 };

	(void)state;
	assert_int_equal(feed_all(&w, "[  1.0] Kernel panic - not syncing: Attempted to kill init!\n"), BANNER_PANIC);
	assert_int_equal(feed_all(&w, "reboot: Power down\n"), BANNER_POWER_DOWN);
	assert_int_equal(feed_all(&w, "reboot: System halted\n"), BANNER_HALTED);
	assert_int_equal(feed_all(&w, "reboot: Restarting system\n"), BANNER_NONE);
	assert_int_equal(feed_all(&w, "Kernel panic - not sync"), BANNER_NONE);
	assert_int_equal(feed_all(&w, "ing"), BANNER_PANIC); /* split across writes */
	assert_int_equal(feed_all(&w, "KKernel panic - not syncing"), BANNER_PANIC);
	assert_int_equal(feed_all(&w, "rreboot: Power dow"), BANNER_NONE);
	assert_int_equal(feed_all(&w, "n"), BANNER_POWER_DOWN);
	assert_int_equal(feed_all(&w, "Kernel: panic"), BANNER_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bzimage_good),
		cmocka_unit_test(test_bzimage_bad),
		cmocka_unit_test(test_elf),
		cmocka_unit_test(test_bzimage_hostile_addresses),
		cmocka_unit_test(test_elf_hostile_segments),
		cmocka_unit_test(test_range_in_ram),
		cmocka_unit_test(test_initrd_and_cmdline_bounds),
		cmocka_unit_test(test_real_kernels),
		cmocka_unit_test(test_initrd_place),
		cmocka_unit_test(test_zero_page),
		cmocka_unit_test(test_e820_small),
		cmocka_unit_test(test_gdt),
		cmocka_unit_test(test_page_tables),
		cmocka_unit_test(test_mptable),
		cmocka_unit_test(test_cpuid_fixup),
		cmocka_unit_test(test_serial_registers),
		cmocka_unit_test(test_serial_interrupts),
		cmocka_unit_test(test_serial_buffers),
		cmocka_unit_test(test_i8042),
		cmocka_unit_test(test_debugport),
		cmocka_unit_test(test_iobus),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_console_filter),
		cmocka_unit_test(test_banners),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
