/*
 * x86_setup.c: GDT, identity page tables and MP table bytes (see
 * x86_setup.h). Layouts follow Firecracker's arch/x86_64 (GDT, page
 * tables) and kvmtool's x86/mptable.c, written from the specs they cite.
 */
#include "vmm/x86_setup.h"
#include "common/le.h"

#include <string.h>

uint64_t x86_gdt_entry(uint16_t flags, uint32_t base, uint32_t limit)
{
	return ((uint64_t)(base & 0xff000000u) << 32) | ((uint64_t)(flags & 0xf0ffu) << 40) |
	       ((uint64_t)(limit & 0x000f0000u) << 32) | ((uint64_t)(base & 0x00ffffffu) << 16) |
	       (uint64_t)(limit & 0x0000ffffu);
}

void x86_write_gdt(uint64_t gdt[X86_GDT_ENTRIES])
{
	gdt[0] = 0;
	gdt[1] = 0;
	gdt[2] = x86_gdt_entry(0xa09b, 0, 0xfffff); /* code: L, G, present, exec/read, accessed */
	gdt[3] = x86_gdt_entry(0xc093, 0, 0xfffff); /* data: D/B, G, present, read/write, accessed */
	gdt[4] = x86_gdt_entry(0x008b, 0, 0x67);    /* 64-bit TSS, busy: VMX needs a usable TR */
}

void x86_write_page_tables(uint8_t *buf, uint64_t base)
{
	uint64_t *pml4 = (uint64_t *)buf;
	uint64_t *pdpt = (uint64_t *)(buf + 4096);

	memset(buf, 0, X86_PAGE_TABLES_SIZE);
	pml4[0] = (base + 4096) | 0x3;               /* present, writable */
	for (uint64_t g = 0; g < 4; g++) {
		uint64_t *pd = (uint64_t *)(buf + (2 + g) * 4096);

		pdpt[g] = (base + (2 + g) * 4096) | 0x3;
		for (uint64_t i = 0; i < 512; i++)
			pd[i] = ((g << 30) | (i << 21)) | 0x83; /* present, writable, 2 MiB page */
	}
}

uint8_t x86_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum;
}

/* MP spec 1.4, table 4-3: entry types. */
enum { MP_PROCESSOR = 0, MP_BUS = 1, MP_IOAPIC = 2, MP_IOINTR = 3, MP_LINTR = 4 };
enum { MP_INT = 0, MP_NMI = 1, MP_EXTINT = 3 };
#define MP_APIC_VERSION 0x14
#define MP_IOAPIC_VERSION 0x11
#define MP_CPU_ENABLED 0x01
#define MP_CPU_BSP 0x02

/* Fixed-width, not NUL-terminated signature and name fields. */
static void put_chars(uint8_t *dst, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = (uint8_t)s[i];
}


size_t x86_write_mptable(uint8_t *buf, size_t len, uint64_t base, unsigned ncpus)
{
	const size_t mpf_len = 16, hdr_len = 44;
	size_t need = mpf_len + hdr_len + 20 * (size_t)ncpus + 8 /* bus */ + 8 /* ioapic */ +
		      16 * 8 /* ISA irqs */ + 2 * 8 /* lints */;
	if (ncpus == 0 || ncpus > X86_MAX_CPUS || need > len)
		return 0;
	memset(buf, 0, need);

	/* Floating pointer (4.1): "_MP_", physical address of the table, length 1 paragraph. */
	uint8_t *mpf = buf;
	put_chars(mpf, "_MP_", 4);
	isolab_put_le32(mpf + 4, (uint32_t)(base + mpf_len));
	mpf[8] = 1;
	mpf[9] = 4; /* spec revision 1.4 */

	uint8_t *mpc = buf + mpf_len, *e = mpc + hdr_len;
	uint16_t count = 0;
	unsigned ioapic_id = ncpus;
	for (unsigned i = 0; i < ncpus; i++, e += 20, count++) {
		e[0] = MP_PROCESSOR;
		e[1] = (uint8_t)i;
		e[2] = MP_APIC_VERSION;
		e[3] = MP_CPU_ENABLED | (i == 0 ? MP_CPU_BSP : 0);
		isolab_put_le32(e + 4, 0x600);        /* CPU signature: family 6 */
		isolab_put_le32(e + 8, 0x201);        /* feature flags: FPU, APIC */
	}
	e[0] = MP_BUS;
	put_chars(e + 2, "ISA   ", 6);
	e += 8, count++;
	e[0] = MP_IOAPIC;
	e[1] = (uint8_t)ioapic_id;
	e[2] = MP_IOAPIC_VERSION;
	e[3] = 1; /* enabled */
	isolab_put_le32(e + 4, X86_IOAPIC_ADDR);
	e += 8, count++;
	for (unsigned irq = 0; irq < 16; irq++, e += 8, count++) {
		e[0] = MP_IOINTR;
		e[1] = MP_INT;
		e[4] = 0;                 /* source bus: ISA */
		e[5] = (uint8_t)irq;      /* source bus IRQ */
		e[6] = (uint8_t)ioapic_id;
		e[7] = (uint8_t)irq;      /* I/O APIC pin: KVM's default GSI routing is 1:1 */
	}
	e[0] = MP_LINTR; e[1] = MP_EXTINT; e[6] = 0xff; e[7] = 0; e += 8, count++;
	e[0] = MP_LINTR; e[1] = MP_NMI;    e[6] = 0xff; e[7] = 1; e += 8, count++;

	/* Configuration table header (4.2). */
	put_chars(mpc, "PCMP", 4);
	isolab_put_le16(mpc + 4, (uint16_t)(e - mpc));
	mpc[6] = 4;
	put_chars(mpc + 8, "ISOLAB  ", 8);
	put_chars(mpc + 16, "ISOLAB-VMM  ", 12);
	isolab_put_le16(mpc + 34, count);
	isolab_put_le32(mpc + 36, X86_LAPIC_ADDR);
	mpc[7] = (uint8_t)-x86_checksum(mpc, (size_t)(e - mpc));
	mpf[10] = (uint8_t)-x86_checksum(mpf, mpf_len);
	return (size_t)(e - buf);
}

void x86_cpuid_fixup(uint32_t function, uint32_t *ebx, uint32_t *ecx, uint32_t *edx,
		     unsigned apic_id, bool tsc_deadline)
{
	switch (function) {
	case 1:
		*ecx |= X86_CPUID_1_ECX_HYPERVISOR;
		if (tsc_deadline)
			*ecx |= X86_CPUID_1_ECX_TSC_DEADLINE;
		*ebx = (*ebx & 0x00ffffffu) | ((uint32_t)apic_id << X86_CPUID_1_EBX_APIC_ID_SHIFT);
		break;
	case 0xb:
	case 0x1f:
		*edx = apic_id;
		break;
	default:
		break;
	}
}
