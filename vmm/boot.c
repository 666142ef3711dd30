/*
 * boot.c: recognising a Linux kernel image and filling the zero page, as
 * the x86 boot protocol (Documentation/arch/x86/boot.rst) describes. Pure:
 * every function works on buffers; see boot.h for the layout.
 */
#include "vmm/boot.h"
#include "common/le.h"

#include <elf.h>
#include <errno.h>
#include <string.h>


/*
 * Every address and size below comes from the untrusted kernel file: sums
 * are overflow-checked (a load address near 2^64 plus init_size must not
 * wrap round to a small number) and every range is checked against guest
 * RAM with boot_range_in_ram().
 */
#define add_overflows(a, b, sum) __builtin_add_overflow((a), (b), (sum))

bool boot_range_in_ram(uint64_t addr, uint64_t len, uint64_t mem_size)
{
	return addr <= mem_size && len <= mem_size - addr;
}

static int parse_bzimage(const uint8_t *p, size_t len, uint64_t file_size,
			 uint64_t mem_size, struct kernel_info *k,
			 struct isolab_error *err)
{
	if (len < BP_HEADER + 4 || isolab_get_le16(p + BP_BOOT_FLAG) != BP_BOOT_FLAG_MAGIC ||
	    isolab_get_le32(p + BP_HEADER) != BP_HDRS_MAGIC)
		return isolab_error_set(err, -ENOEXEC, "not a Linux kernel (no bzImage header, not ELF)");
	k->protocol = isolab_get_le16(p + BP_VERSION);
	if (k->protocol < BP_MIN_VERSION)
		return isolab_error_set(err, -ENOEXEC,
					"boot protocol %u.%02u is too old (2.12 or later needed for 64-bit entry)",
					k->protocol >> 8, k->protocol & 0xff);
	/* The header ends at 0x202 + the jump's 8-bit offset (boot.rst, "LOADING THE REST"). */
	size_t hdr_end = 0x202 + p[0x201];
	if (hdr_end > len || hdr_end > 0x290 || hdr_end < BP_INIT_SIZE + 4)
		return isolab_error_set(err, -ENOEXEC, "setup header of %zu bytes does not fit", hdr_end);
	if (!(p[BP_XLOADFLAGS] & BP_XLF_KERNEL_64))
		return isolab_error_set(err, -ENOEXEC, "kernel has no 64-bit entry point (XLF_KERNEL_64 unset)");
	if (!(p[BP_LOADFLAGS] & BP_LOADED_HIGH))
		return isolab_error_set(err, -ENOEXEC, "kernel is not a bzImage (LOADED_HIGH unset)");
	unsigned setup_sects = p[BP_SETUP_SECTS] ? p[BP_SETUP_SECTS] : 4;
	uint64_t pm_offset = (uint64_t)(setup_sects + 1) * 512;
	uint64_t pm_size = (uint64_t)isolab_get_le32(p + BP_SYSSIZE) * 16;
	if (pm_size == 0)
		return isolab_error_set(err, -ENOEXEC, "kernel declares an empty protected-mode part");
	uint64_t pm_end;
	if (add_overflows(pm_offset, pm_size, &pm_end) || pm_end > file_size)
		return isolab_error_set(err, -ENOEXEC,
					"kernel is truncated: %llu bytes, the header declares %llu",
					(unsigned long long)file_size, (unsigned long long)pm_end);
	uint64_t load = p[BP_RELOCATABLE] ? BOOT_BZIMAGE_LOAD : isolab_get_le64(p + BP_PREF_ADDRESS);
	if (load < BOOT_KERNEL_MIN_ADDR)
		return isolab_error_set(err, -ENOEXEC, "kernel wants to load at %#llx, below 1 MiB",
					(unsigned long long)load);
	uint64_t init_size = isolab_get_le32(p + BP_INIT_SIZE);
	if (init_size < pm_size)
		init_size = pm_size;
	k->format = KERNEL_BZIMAGE;
	if (add_overflows(load, init_size, &k->end) || add_overflows(load, BP_ENTRY_64, &k->entry))
		return isolab_error_set(err, -ENOEXEC,
					"kernel's pref_address %#llx plus init_size %#llx wraps past 2^64",
					(unsigned long long)load, (unsigned long long)init_size);
	k->initrd_addr_max = isolab_get_le32(p + BP_INITRD_ADDR_MAX);
	k->cmdline_size = isolab_get_le32(p + BP_CMDLINE_SIZE);
	k->nsegments = 1;
	k->segments[0] = (struct kernel_segment){ pm_offset, pm_size, load, pm_size };
	k->setup_header_len = hdr_end - BP_SETUP_SECTS;
	memcpy(k->setup_header, p + BP_SETUP_SECTS, k->setup_header_len);
	if (!boot_range_in_ram(load, init_size, mem_size))
		return isolab_error_set(err, -E2BIG,
					"kernel needs %llu MiB of guest memory to decompress, --mem gives %llu MiB",
					(unsigned long long)(k->end >> 20) + 1,
					(unsigned long long)(mem_size >> 20));
	return 0;
}

static int parse_elf(const uint8_t *p, size_t len, uint64_t file_size,
		     uint64_t mem_size, struct kernel_info *k,
		     struct isolab_error *err)
{
	Elf64_Ehdr eh;

	if (len < sizeof(eh))
		return isolab_error_set(err, -ENOEXEC, "ELF file is truncated");
	memcpy(&eh, p, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_machine != EM_X86_64)
		return isolab_error_set(err, -ENOEXEC, "ELF file is not a 64-bit x86-64 kernel");
	if (eh.e_type != ET_EXEC)
		return isolab_error_set(err, -ENOEXEC, "ELF file is not an executable (vmlinux)");
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
	    eh.e_phoff > len || (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > len - eh.e_phoff)
		return isolab_error_set(err, -ENOEXEC, "ELF program headers missing or beyond the first %d bytes",
					BOOT_PROBE_BYTES);
	k->format = KERNEL_ELF;
	k->protocol = 0x020f; /* what the faked setup header claims */
	k->nsegments = 0;
	k->end = 0;
	k->entry = 0;
	k->initrd_addr_max = 0x7fffffff;
	k->cmdline_size = 2047;
	k->setup_header_len = 0;
	int entry_found = 0;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, p + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (k->nsegments == KERNEL_MAX_SEGMENTS)
			return isolab_error_set(err, -ENOEXEC, "ELF kernel has more than %d loadable segments",
						KERNEL_MAX_SEGMENTS);
		if (ph.p_filesz > ph.p_memsz)
			return isolab_error_set(err, -ENOEXEC,
						"ELF segment %u has more file bytes (%#llx) than memory bytes (%#llx)",
						i, (unsigned long long)ph.p_filesz,
						(unsigned long long)ph.p_memsz);
		if (!boot_range_in_ram(ph.p_offset, ph.p_filesz, file_size))
			return isolab_error_set(err, -ENOEXEC,
						"ELF kernel is truncated: segment %u needs %#llx bytes at offset %#llx, file has %llu",
						i, (unsigned long long)ph.p_filesz,
						(unsigned long long)ph.p_offset,
						(unsigned long long)file_size);
		if (ph.p_paddr < BOOT_KERNEL_MIN_ADDR ||
		    !boot_range_in_ram(ph.p_paddr, ph.p_memsz, mem_size))
			return isolab_error_set(err, -E2BIG,
						"ELF segment %u at %#llx (%#llx bytes) does not fit in guest memory above 1 MiB (%llu MiB)",
						i, (unsigned long long)ph.p_paddr,
						(unsigned long long)ph.p_memsz,
						(unsigned long long)(mem_size >> 20));
		k->segments[k->nsegments++] = (struct kernel_segment){
			ph.p_offset, ph.p_filesz, ph.p_paddr, ph.p_memsz };
		if (ph.p_paddr + ph.p_memsz > k->end) /* cannot wrap: checked against mem_size */
			k->end = ph.p_paddr + ph.p_memsz;
		/* e_entry is physical in vmlinux (ENTRY(phys_startup_64)); accept a virtual one too. */
		if (eh.e_entry >= ph.p_paddr && eh.e_entry - ph.p_paddr < ph.p_memsz) {
			k->entry = eh.e_entry;
			entry_found = 1;
		} else if (eh.e_entry >= ph.p_vaddr && eh.e_entry - ph.p_vaddr < ph.p_memsz) {
			k->entry = ph.p_paddr + (eh.e_entry - ph.p_vaddr);
			entry_found = 1;
		}
	}
	if (k->nsegments == 0)
		return isolab_error_set(err, -ENOEXEC, "ELF file has no loadable segment");
	if (!entry_found)
		return isolab_error_set(err, -ENOEXEC, "ELF entry point %#llx lies in no loadable segment",
					(unsigned long long)eh.e_entry);
	return 0;
}

int boot_parse_kernel(const uint8_t *probe, size_t probe_len, uint64_t file_size,
		      uint64_t mem_size, struct kernel_info *out,
		      struct isolab_error *err)
{
	memset(out, 0, sizeof(*out));
	if (probe_len > file_size)
		probe_len = file_size;
	if (probe_len >= SELFMAG && memcmp(probe, ELFMAG, SELFMAG) == 0)
		return parse_elf(probe, probe_len, file_size, mem_size, out, err);
	if (probe_len < 1024)
		return isolab_error_set(err, -ENOEXEC, "not a Linux kernel (%llu bytes, too short)",
					(unsigned long long)file_size);
	return parse_bzimage(probe, probe_len, file_size, mem_size, out, err);
}

int boot_place_initrd(const struct kernel_info *k, uint64_t mem_size,
		      uint64_t initrd_size, uint64_t *addr,
		      struct isolab_error *err)
{
	/* The zero page holds the initrd's address and size in 32 bits. */
	uint64_t top = mem_size < BOOT_ZERO_PAGE_ADDR_LIMIT ? mem_size : BOOT_ZERO_PAGE_ADDR_LIMIT;
	uint64_t low;

	if (k->initrd_addr_max && k->initrd_addr_max < top)
		top = k->initrd_addr_max + 1;
	if (add_overflows(k->end, 0xfffull, &low) || (low &= ~0xfffull) > top ||
	    initrd_size > top || ((top - initrd_size) & ~0xfffull) < low)
		return isolab_error_set(err, -E2BIG,
					"initrd of %llu bytes does not fit between the kernel's end (%#llx) and %#llx; raise --mem",
					(unsigned long long)initrd_size, (unsigned long long)low,
					(unsigned long long)top);
	*addr = (top - initrd_size) & ~0xfffull;
	return 0;
}

unsigned boot_e820_map(uint64_t mem_size, struct e820_entry *out, unsigned max)
{
	unsigned n = 0;

	if (max < 3)
		return 0;
	out[n++] = (struct e820_entry){ 0, BOOT_LOW_RAM_END, E820_RAM };
	/* EBDA (MP table), VGA hole and BIOS area: never RAM on a PC. */
	out[n++] = (struct e820_entry){ BOOT_LOW_RAM_END, BOOT_HIGH_RAM_START - BOOT_LOW_RAM_END,
					E820_RESERVED };
	if (mem_size > BOOT_HIGH_RAM_START)
		out[n++] = (struct e820_entry){ BOOT_HIGH_RAM_START, mem_size - BOOT_HIGH_RAM_START,
						E820_RAM };
	return n;
}

int boot_write_zero_page(uint8_t zp[4096], const struct kernel_info *k,
			 uint64_t mem_size, uint64_t cmdline_addr, size_t cmdline_len,
			 uint64_t initrd_addr, uint64_t initrd_size,
			 struct isolab_error *err)
{
	if (cmdline_len > k->cmdline_size || cmdline_len >= BOOT_CMDLINE_MAX)
		return isolab_error_set(err, -E2BIG, "command line of %zu bytes is longer than the kernel's %u",
					cmdline_len, k->cmdline_size);
	/* cmd_line_ptr, ramdisk_image and ramdisk_size are 32-bit fields (zero-page.rst). */
	if (!boot_range_in_ram(cmdline_addr, cmdline_len + 1, mem_size) ||
	    cmdline_addr + cmdline_len + 1 > BOOT_ZERO_PAGE_ADDR_LIMIT)
		return isolab_error_set(err, -E2BIG, "command line at %#llx does not fit in guest memory",
					(unsigned long long)cmdline_addr);
	if (initrd_size && (!boot_range_in_ram(initrd_addr, initrd_size, mem_size) ||
			    initrd_addr + initrd_size > BOOT_ZERO_PAGE_ADDR_LIMIT))
		return isolab_error_set(err, -E2BIG, "initrd at %#llx (%llu bytes) does not fit below 4 GiB of guest memory",
					(unsigned long long)initrd_addr, (unsigned long long)initrd_size);
	memset(zp, 0, 4096);
	if (k->format == KERNEL_BZIMAGE) {
		memcpy(zp + BP_SETUP_SECTS, k->setup_header, k->setup_header_len);
	} else {
		/* A vmlinux has no setup header: write the fields the kernel reads. */
		isolab_put_le16(zp + BP_BOOT_FLAG, BP_BOOT_FLAG_MAGIC);
		isolab_put_le32(zp + BP_HEADER, BP_HDRS_MAGIC);
		isolab_put_le16(zp + BP_VERSION, k->protocol);
		isolab_put_le32(zp + BP_KERNEL_ALIGN, 0x1000000);
		isolab_put_le32(zp + BP_INITRD_ADDR_MAX, (uint32_t)k->initrd_addr_max);
		isolab_put_le32(zp + BP_CMDLINE_SIZE, k->cmdline_size);
	}
	zp[BP_TYPE_OF_LOADER] = BP_LOADER_UNKNOWN;
	zp[BP_LOADFLAGS] |= BP_LOADED_HIGH;
	isolab_put_le32(zp + BP_CMD_LINE_PTR, (uint32_t)cmdline_addr);
	isolab_put_le32(zp + BP_RAMDISK_IMAGE, (uint32_t)initrd_addr);
	isolab_put_le32(zp + BP_RAMDISK_SIZE, (uint32_t)initrd_size);

	struct e820_entry map[4];
	unsigned n = boot_e820_map(mem_size, map, 4);
	zp[BP_E820_ENTRIES] = (uint8_t)n;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *e = zp + BP_E820_TABLE + i * 20;
		isolab_put_le64(e, map[i].addr);
		isolab_put_le64(e + 8, map[i].size);
		isolab_put_le32(e + 16, map[i].type);
	}
	return 0;
}
