/*
 * x86_setup.h: the x86 structures the VMM builds in guest memory before the
 * first instruction, as pure functions into buffers: the GDT, identity page
 * tables for 64-bit entry, and the MP table that tells the guest how many
 * CPUs it has (no ACPI in isolab's guest); and the CPUID leaves each vCPU
 * is given, edited from what KVM supports.
 */
#ifndef ISOLAB_VMM_X86_SETUP_H
#define ISOLAB_VMM_X86_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* GDT selectors the 64-bit boot protocol names (boot.rst: __BOOT_CS, __BOOT_DS). */
#define X86_GDT_ENTRIES 5
#define X86_SEL_CODE 0x10
#define X86_SEL_DATA 0x18
#define X86_SEL_TSS  0x20

/* Control register bits (Intel SDM vol. 3, 2.5; AMD APM vol. 2, 3.1). */
#define X86_CR0_PE (1ull << 0)
#define X86_CR0_ET (1ull << 4)
#define X86_CR0_NE (1ull << 5)
#define X86_CR0_PG (1ull << 31)
#define X86_CR4_PAE (1ull << 5)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)

/* A GDT descriptor from flags (access byte in bits 0-7, flags in 12-15), base, limit. */
uint64_t x86_gdt_entry(uint16_t flags, uint32_t base, uint32_t limit);

/* Writes X86_GDT_ENTRIES descriptors: null, null, code64, data, TSS. */
void x86_write_gdt(uint64_t gdt[X86_GDT_ENTRIES]);

/*
 * Identity page tables mapping the first 4 GiB with 2 MiB pages: a PML4 at
 * base, a PDPT at base + 0x1000 and 4 page directories after it; buf must
 * hold X86_PAGE_TABLES_SIZE bytes and base is its guest-physical address.
 */
#define X86_PAGE_TABLES_SIZE (6 * 4096)
void x86_write_page_tables(uint8_t *buf, uint64_t base);

/* Local APIC and I/O APIC addresses (Intel MP spec 1.4, 3.6.1; the PC default). */
#define X86_LAPIC_ADDR  0xfee00000u
#define X86_IOAPIC_ADDR 0xfec00000u
#define X86_MAX_CPUS 64

/*
 * The MP floating pointer and configuration table (Intel MultiProcessor
 * Specification 1.4, chapter 4) for ncpus processors (APIC ids 0..n-1), one
 * ISA bus, one I/O APIC with the 16 ISA IRQs identity-mapped, LINT0 ExtINT
 * and LINT1 NMI. base is the guest-physical address of buf. Returns the
 * bytes written, or 0 if they would not fit in len.
 */
size_t x86_write_mptable(uint8_t *buf, size_t len, uint64_t base, unsigned ncpus);

/* CPUID bits (Intel SDM vol. 2A, CPUID, tables 3-8 and 3-10; the same on AMD). */
#define X86_CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define X86_CPUID_1_ECX_HYPERVISOR   (1u << 31)
#define X86_CPUID_1_EBX_APIC_ID_SHIFT 24

/*
 * One CPUID leaf as vCPU `apic_id` should see it, from what
 * KVM_GET_SUPPORTED_CPUID answered (registers in, registers out):
 *   leaf 1: the hypervisor bit; the initial APIC id in EBX[31:24]; and
 *     the TSC-deadline timer when KVM emulates it (tsc_deadline, from
 *     KVM_CAP_TSC_DEADLINE_TIMER), which KVM before Linux 6.14 leaves for
 *     the VMM to set (api.rst, KVM_GET_SUPPORTED_CPUID). With it the guest
 *     skips calibrating its LAPIC timer against the PIT (HZ/10 ticks,
 *     100 ms of every boot at HZ=250).
 *   leaves 0xb and 0x1f: the x2APIC id in EDX.
 */
void x86_cpuid_fixup(uint32_t function, uint32_t *ebx, uint32_t *ecx, uint32_t *edx,
		     unsigned apic_id, bool tsc_deadline);

/* Sum of bytes mod 256 (the MP spec's checksums make it 0). */
uint8_t x86_checksum(const uint8_t *p, size_t len);

#endif
