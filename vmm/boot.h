/*
 * boot.h: the Linux x86 boot protocol, as pure functions over buffers.
 *
 * Recognises a kernel image (a bzImage with a 64-bit entry point, or an
 * ELF64 vmlinux), decides where each piece goes in guest memory (the
 * layout below), and fills the zero page (struct boot_params) with the
 * setup header, the command line and initrd pointers and the e820 map.
 * Nothing here touches a file or /dev/kvm; vmm/loader.c does the I/O.
 *
 * Spec: Documentation/arch/x86/boot.rst and zero-page.rst (Linux 6.1).
 */
#ifndef ISOLAB_VMM_BOOT_H
#define ISOLAB_VMM_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"

/* Guest-physical layout of what the VMM writes below 1 MiB (as Firecracker). */
#define BOOT_GDT_ADDR        0x500ull
#define BOOT_ZERO_PAGE_ADDR  0x7000ull
#define BOOT_STACK_TOP       0x8ff0ull
#define BOOT_PML4_ADDR       0x9000ull   /* then PDPT 0xa000, PDs 0xb000.. */
#define BOOT_CMDLINE_ADDR    0x20000ull
#define BOOT_CMDLINE_MAX     0x10000ull  /* room up to 0x30000 */
#define BOOT_MPTABLE_ADDR    0x9fc00ull  /* last KiB of base memory (MP spec 4) */
#define BOOT_LOW_RAM_END     0x9fc00ull  /* e820 RAM below this, then EBDA/ISA hole */
#define BOOT_HIGH_RAM_START  0x100000ull /* 1 MiB */
#define BOOT_BZIMAGE_LOAD    0x100000ull /* relocatable bzImage goes at 1 MiB */
/* No kernel byte below 1 MiB: the VMM's structures, the MP table and the e820 hole live there. */
#define BOOT_KERNEL_MIN_ADDR BOOT_HIGH_RAM_START
/* The zero page's address fields are 32-bit: what they point at must end below 4 GiB. */
#define BOOT_ZERO_PAGE_ADDR_LIMIT (1ull << 32)

/* How much of a kernel file the parsers look at (setup header, ELF headers). */
#define BOOT_PROBE_BYTES 4096

/* Boot protocol offsets into the zero page / bzImage (boot.rst, "THE REAL-MODE KERNEL HEADER"). */
#define BP_E820_ENTRIES    0x1e8
#define BP_SETUP_SECTS     0x1f1
#define BP_SYSSIZE         0x1f4
#define BP_BOOT_FLAG       0x1fe
#define BP_JUMP            0x200
#define BP_ENTRY_64        0x200       /* 64-bit entry: load address + 0x200 (boot.rst, "64-bit BOOT PROTOCOL") */
#define BP_HEADER          0x202
#define BP_VERSION         0x206
#define BP_TYPE_OF_LOADER  0x210
#define BP_LOADFLAGS       0x211
#define BP_RAMDISK_IMAGE   0x218
#define BP_RAMDISK_SIZE    0x21c
#define BP_CMD_LINE_PTR    0x228
#define BP_INITRD_ADDR_MAX 0x22c
#define BP_KERNEL_ALIGN    0x230
#define BP_RELOCATABLE     0x234
#define BP_XLOADFLAGS      0x236
#define BP_CMDLINE_SIZE    0x238
#define BP_PREF_ADDRESS    0x258
#define BP_INIT_SIZE       0x260
#define BP_E820_TABLE      0x2d0
#define BP_E820_MAX        128
#define BP_BOOT_FLAG_MAGIC 0xaa55
#define BP_HDRS_MAGIC      0x53726448u /* "HdrS" */
#define BP_MIN_VERSION     0x020c      /* 2.12: xloadflags, 64-bit entry */
#define BP_LOADED_HIGH     0x01
#define BP_CAN_USE_HEAP    0x80
#define BP_XLF_KERNEL_64   0x01
#define BP_LOADER_UNKNOWN  0xff        /* type_of_loader: "undefined" */

#define E820_RAM      1
#define E820_RESERVED 2

enum kernel_format { KERNEL_BZIMAGE, KERNEL_ELF };

/* One piece of the kernel file to copy into guest memory. */
struct kernel_segment {
	uint64_t file_offset;
	uint64_t file_size;
	uint64_t guest_addr;
	uint64_t mem_size;   /* >= file_size; the rest is zero (guest RAM starts zeroed) */
};

#define KERNEL_MAX_SEGMENTS 8

struct kernel_info {
	enum kernel_format format;
	uint16_t protocol;          /* bzImage: header version; ELF: the one we fake */
	uint64_t entry;             /* guest-physical 64-bit entry point */
	uint64_t end;               /* first byte the kernel may need after loading */
	uint64_t initrd_addr_max;   /* highest byte an initrd may occupy */
	uint32_t cmdline_size;      /* longest command line, NUL excluded */
	unsigned nsegments;
	struct kernel_segment segments[KERNEL_MAX_SEGMENTS];
	uint8_t setup_header[0x290 - BP_SETUP_SECTS]; /* bzImage: bytes from 0x1f1 */
	size_t setup_header_len;
};

/*
 * True when [addr, addr + len) lies inside [0, mem_size), without
 * overflow: the one check every copy into guest RAM goes through.
 */
bool boot_range_in_ram(uint64_t addr, uint64_t len, uint64_t mem_size);

/*
 * Recognises the kernel from its first bytes (probe, probe_len <= file_size)
 * and checks it against the file size and guest memory: on success every
 * segment lies inside the file and inside guest RAM above 1 MiB, and
 * entry and end do not wrap. -ENOEXEC for a file that is not a usable
 * kernel, -E2BIG for one that does not fit, with a message saying why.
 */
int boot_parse_kernel(const uint8_t *probe, size_t probe_len, uint64_t file_size,
		      uint64_t mem_size, struct kernel_info *out,
		      struct isolab_error *err);

/*
 * Where the initrd goes: the highest page-aligned address where it fits
 * below initrd_addr_max and guest memory, above the kernel. -E2BIG if none.
 */
int boot_place_initrd(const struct kernel_info *k, uint64_t mem_size,
		      uint64_t initrd_size, uint64_t *addr,
		      struct isolab_error *err);

/* The e820 map for mem_size bytes of RAM at 0: returns the entry count. */
struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};
unsigned boot_e820_map(uint64_t mem_size, struct e820_entry *out, unsigned max);

/*
 * Fills a 4 KiB zero page. cmdline_len excludes the NUL; initrd_size 0
 * means no initrd. -E2BIG if the command line is longer than the kernel takes.
 */
int boot_write_zero_page(uint8_t zero_page[4096], const struct kernel_info *k,
			 uint64_t mem_size, uint64_t cmdline_addr, size_t cmdline_len,
			 uint64_t initrd_addr, uint64_t initrd_size,
			 struct isolab_error *err);

#endif
