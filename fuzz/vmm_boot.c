/*
 * vmm_boot.c: libFuzzer target for isolab-vmm's boot protocol parser
 * (vmm/boot.c): the bzImage setup header and the ELF64 vmlinux headers,
 * then initrd placement and the zero page for every kernel it accepts.
 *
 * Input: a 20-byte parameter block, then the kernel file's first bytes
 * (what vmm/loader.c reads into its probe buffer):
 *   [0, 8)   file size, little-endian (at least the bytes given)
 *   [8, 12)  guest RAM in MiB, folded into --mem's range (16M to 3G)
 *   [12, 16) initrd size
 *   [16, 20) command line length
 * Whatever the parser accepts must satisfy what the loader relies on:
 * every segment inside the file and inside guest RAM above 1 MiB, the
 * initrd page-aligned between the kernel's end and the end of RAM.
 */
#include "fuzz/fuzz.h"
#include "common/le.h"

#include <string.h>
#include "vmm/args.h"
#include "vmm/boot.h"

#define PARAM_BYTES 20


static void check_kernel(const struct kernel_info *k, uint64_t file_size, uint64_t mem)
{
	FUZZ_ASSERT(k->nsegments >= 1 && k->nsegments <= KERNEL_MAX_SEGMENTS);
	FUZZ_ASSERT(k->end <= mem);
	FUZZ_ASSERT(k->setup_header_len <= sizeof(k->setup_header));
	for (unsigned i = 0; i < k->nsegments; i++) {
		const struct kernel_segment *s = &k->segments[i];

		FUZZ_ASSERT(s->file_size <= s->mem_size);
		FUZZ_ASSERT(boot_range_in_ram(s->file_offset, s->file_size, file_size));
		FUZZ_ASSERT(s->guest_addr >= BOOT_KERNEL_MIN_ADDR);
		FUZZ_ASSERT(boot_range_in_ram(s->guest_addr, s->mem_size, mem));
		FUZZ_ASSERT(s->guest_addr + s->mem_size <= k->end);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t zero_page[4096];
	struct kernel_info k;
	struct isolab_error err = { 0 };

	if (size < PARAM_BYTES)
		return 0;
	const uint8_t *probe = data + PARAM_BYTES;
	size_t len = size - PARAM_BYTES;
	uint64_t file_size = isolab_get_le(data, 8);
	if (file_size < len)
		file_size = len;
	if (len > BOOT_PROBE_BYTES)
		len = BOOT_PROBE_BYTES;
	uint64_t mem_mib = VMM_MIN_MEM / (1 << 20) +
			   isolab_get_le(data + 8, 4) % ((VMM_MAX_MEM - VMM_MIN_MEM) / (1 << 20) + 1);
	uint64_t mem = mem_mib << 20;
	uint64_t initrd_size = isolab_get_le(data + 12, 4);
	size_t cmdline_len = (size_t)isolab_get_le(data + 16, 4);

	if (boot_parse_kernel(probe, len, file_size, mem, &k, &err) < 0) {
		FUZZ_ASSERT(err.code < 0 && err.msg[0] != '\0');
		return 0;
	}
	check_kernel(&k, file_size, mem);

	uint64_t initrd_addr = 0;
	if (boot_place_initrd(&k, mem, initrd_size, &initrd_addr, &err) == 0) {
		FUZZ_ASSERT(initrd_addr % 4096 == 0);
		FUZZ_ASSERT(initrd_addr >= k.end);
		FUZZ_ASSERT(boot_range_in_ram(initrd_addr, initrd_size, mem));
	} else {
		initrd_addr = initrd_size = 0;
	}
	if (boot_write_zero_page(zero_page, &k, mem, BOOT_CMDLINE_ADDR, cmdline_len,
				 initrd_addr, initrd_size, &err) == 0)
		FUZZ_ASSERT(cmdline_len < BOOT_CMDLINE_MAX &&
			    boot_range_in_ram(BOOT_CMDLINE_ADDR, cmdline_len + 1, mem));
	return 0;
}
