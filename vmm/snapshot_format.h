/*
 * snapshot_format.h: the VM state file of a snapshot (`DIR/state`, issue
 * 15) as pure code over a buffer: a writer that builds the file in memory
 * (the caller writes it atomically), a reader that checks a whole file as
 * hostile input before anything is restored, and the save/load of each
 * piece of state to and from its section. Guest memory is not here: it is
 * the separate sparse file `DIR/memory`, mapped by the system layer.
 *
 * Layout (all integers little-endian; vmm/README.md "Snapshots" has the
 * table of sections):
 *
 *   header   SNAP_HEADER_BYTES: magic "ISOLABSN", format version, header
 *            size, file size, VMM version, CPU fingerprint, guest memory
 *            size, vCPU count, section count, CRC32C of the header
 *   sections each SNAP_SECTION_HEADER_BYTES (type, payload version, flags,
 *            index: the vCPU or device, payload length, CRC32C of these
 *            fields and the payload) then the payload
 *   trailer  SNAP_TRAILER_BYTES: magic "ISOLABEN", CRC32C of every byte
 *            before the checksum
 *
 * Checksums: CRC32C (Castagnoli) per section, of the header and of the
 * whole file. They guard against accidental damage (a truncated copy, a
 * flipped bit, a file cut by a full disk), which CRC32C detects reliably
 * at these sizes (every burst of up to 32 bits, every 1- to 3-bit error),
 * and a per-section CRC names the damaged piece. They are not a defence
 * against a deliberate forger: no unkeyed hash is (SHA-256 would only cost
 * libcrypto in the VMM), and a snapshot is trusted as much as the guest
 * memory beside it, as in Firecracker, whose state file carries a CRC64.
 * The reader still treats every byte as hostile: it never reads past the
 * buffer, whatever the checksums say.
 *
 * Section types: one the reader does not know is refused, unless its
 * flags carry SNAP_SECTION_OPTIONAL (then it is skipped): a later VMM may
 * add a hint an older one can ignore, but never state it must restore.
 * A known section with a payload version other than the one this VMM
 * writes is refused. Device payloads are explicit little-endian fields;
 * KVM's structs from <linux/kvm.h> are stored as their bytes, the length
 * checked against this VMM's sizeof so a kernel header change is refused
 * rather than misread.
 *
 * Messages: every refusal is one line "snapshot `FILE`: what: why", FILE
 * being the name the caller gave the reader (normally DIR/state).
 */
#ifndef ISOLAB_VMM_SNAPSHOT_FORMAT_H
#define ISOLAB_VMM_SNAPSHOT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"
#include "vmm/debugport.h"
#include "vmm/i8042.h"
#include "vmm/serial.h"
#include "vmm/virtio_blk.h"
#include "vmm/virtio_mmio.h"
#include "vmm/virtio_net.h"

#define SNAP_MAGIC              "ISOLABSN"
#define SNAP_END_MAGIC          "ISOLABEN"
#define SNAP_MAGIC_BYTES        8
#define SNAP_FORMAT_VERSION     1
#define SNAP_HEADER_BYTES       136
#define SNAP_SECTION_HEADER_BYTES 20
#define SNAP_TRAILER_BYTES      16
#define SNAP_VMM_VERSION_BYTES  32    /* NUL-padded text, at most 31 characters */
#define SNAP_CPU_VENDOR_BYTES   12    /* CPUID leaf 0: EBX, EDX, ECX ("GenuineIntel") */
#define SNAP_CPUID_HASH_BYTES   32    /* e.g. SHA-256 of the CPUID entries given to the VM */

/* Bounds the reader enforces on hostile input. */
#define SNAP_MAX_VCPUS          256
#define SNAP_MAX_DEVICES        16    /* device ids 0..15 */
#define SNAP_MAX_SECTIONS       4096
#define SNAP_MAX_PAYLOAD        (1u << 20)
#define SNAP_MAX_MSRS           1024
#define SNAP_MAX_CPUID          256   /* KVM_MAX_CPUID_ENTRIES */

/* Section flags. */
#define SNAP_SECTION_OPTIONAL   1u    /* a reader that does not know the type skips it */

/* Section types. The index is 0 for the VM-wide ones, the vCPU for the
 * per-vCPU ones, the device id for the devices (serial, i8042 and debug
 * port: 0). A virtio device is two sections of one device id: the
 * transport (SNAP_SEC_VIRTIO_MMIO) and the device (_BLK or _NET). */
enum snap_section_type {
	/* The VM (KVM structs). */
	SNAP_SEC_CLOCK = 1,        /* struct kvm_clock_data: KVM_GET_CLOCK */
	SNAP_SEC_PIC_MASTER,       /* struct kvm_irqchip, chip_id KVM_IRQCHIP_PIC_MASTER */
	SNAP_SEC_PIC_SLAVE,        /* struct kvm_irqchip, chip_id KVM_IRQCHIP_PIC_SLAVE */
	SNAP_SEC_IOAPIC,           /* struct kvm_irqchip, chip_id KVM_IRQCHIP_IOAPIC */
	SNAP_SEC_PIT,              /* struct kvm_pit_state2: KVM_GET_PIT2 */
	/* Each vCPU (KVM structs). */
	SNAP_SEC_CPUID = 16,       /* entries of struct kvm_cpuid_entry2 (array) */
	SNAP_SEC_REGS,             /* struct kvm_regs */
	SNAP_SEC_SREGS,            /* struct kvm_sregs */
	SNAP_SEC_FPU,              /* struct kvm_fpu: not required (XSAVE holds it) */
	SNAP_SEC_XSAVE,            /* struct kvm_xsave, or KVM_GET_XSAVE2's larger size */
	SNAP_SEC_XCRS,             /* struct kvm_xcrs */
	SNAP_SEC_MSRS,             /* entries of struct kvm_msr_entry (array) */
	SNAP_SEC_LAPIC,            /* struct kvm_lapic_state */
	SNAP_SEC_MP_STATE,         /* struct kvm_mp_state */
	SNAP_SEC_DEBUGREGS,        /* struct kvm_debugregs */
	SNAP_SEC_EVENTS,           /* struct kvm_vcpu_events */
	/* The devices (explicit fields). */
	SNAP_SEC_SERIAL = 32,
	SNAP_SEC_I8042,
	SNAP_SEC_DEBUGPORT,
	SNAP_SEC_VIRTIO_MMIO,
	SNAP_SEC_VIRTIO_BLK,
	SNAP_SEC_VIRTIO_NET,
};

/* What the VM was made on; the caller fills it (the format stores and
 * compares the bytes). A snapshot is restored only where all of it is
 * equal, as Firecracker refuses a snapshot across CPU models. */
struct snap_cpu {
	char vendor[SNAP_CPU_VENDOR_BYTES];            /* not NUL-terminated */
	uint32_t family, model, stepping;              /* display values of CPUID leaf 1 */
	uint8_t cpuid_hash[SNAP_CPUID_HASH_BYTES];
};

/* The header's facts: written by the writer, compared by the reader. */
struct snap_identity {
	char vmm_version[SNAP_VMM_VERSION_BYTES];      /* ISOLAB_VERSION */
	struct snap_cpu cpu;
	uint64_t mem_size;                             /* reader: 0 takes the snapshot's */
	uint32_t vcpus;                                /* reader: 0 takes the snapshot's */
};

/* CRC32C (Castagnoli, reflected 0x82f63b78); crc 0 to start, the result
 * of one call continues into the next. crc32c("123456789") = 0xe3069283. */
uint32_t snap_crc32c(uint32_t crc, const void *data, size_t len);

/* "regs", "virtio-mmio": the type's name, "unknown" for others. */
const char *snap_section_name(uint32_t type);

/* --- writing --------------------------------------------------------- */

/*
 * The file grows in memory. Out of memory is remembered and reported by
 * snap_writer_finish(), so the snap_put_* calls return nothing. The
 * writer checks nothing else: the reader is the one that refuses.
 */
struct snap_writer {
	uint8_t *buf;
	size_t len, cap;
	uint32_t nsections;
	size_t open;         /* offset of the section being written; SIZE_MAX: none */
	int error;           /* 0 or -ENOMEM */
};

/* Starts a file with this header. */
void snap_writer_init(struct snap_writer *w, const struct snap_identity *id);
/* Frees what snap_writer_finish() did not hand over. */
void snap_writer_release(struct snap_writer *w);
/* Completes header and trailer and hands the buffer over (*buf: free()
 * it). -ENOMEM, with a message, when memory ran out on the way. */
int snap_writer_finish(struct snap_writer *w, uint8_t **buf, size_t *len, struct isolab_error *err);

/* One section of raw payload bytes (for new piece of state and tests). */
void snap_put_section(struct snap_writer *w, uint32_t type, uint16_t version, uint16_t flags,
		      uint32_t index, const void *payload, size_t len);
/* A KVM struct as its bytes: type SNAP_SEC_CLOCK.. (not an array type),
 * index 0 or the vCPU, size its sizeof (XSAVE: the size KVM gave). */
void snap_put_kvm(struct snap_writer *w, uint32_t type, uint32_t index, const void *data, size_t size);
/* SNAP_SEC_MSRS or SNAP_SEC_CPUID: n entries of entry_size bytes. */
void snap_put_kvm_array(struct snap_writer *w, uint32_t type, uint32_t vcpu, const void *entries,
			size_t entry_size, uint32_t n);

void snap_put_serial(struct snap_writer *w, const struct serial *s);
void snap_put_i8042(struct snap_writer *w, const struct i8042 *k);
void snap_put_debugport(struct snap_writer *w, const struct debugport *d);
/* The transport and its queues (what resumes a queue: size, addresses,
 * indices; the rings themselves are in guest memory). */
void snap_put_virtio_mmio(struct snap_writer *w, uint32_t device, const struct virtio_mmio *m);
/* Transport and device sections of one virtio device. Requests in flight
 * must have completed (the system layer drains its workers first). */
void snap_put_virtio_blk(struct snap_writer *w, uint32_t device, const struct virtio_blk *blk);
void snap_put_virtio_net(struct snap_writer *w, uint32_t device, const struct virtio_net *net);

/* --- reading --------------------------------------------------------- */

struct snap_reader {
	const uint8_t *buf;
	size_t len;
	const char *file;           /* for messages */
	struct snap_identity id;    /* the snapshot's header */
	uint32_t nsections;
};

/* One section inside the reader's buffer. */
struct snap_section {
	uint32_t type;
	uint16_t version, flags;
	uint32_t index;
	const uint8_t *payload;
	uint32_t len;
	const char *file;
};

/*
 * Checks a whole state file: structure, every length against the
 * buffer, checksums, section types, versions, indices, KVM struct sizes,
 * duplicates, the sections every snapshot needs (per VM, per vCPU, serial,
 * i8042, debug port; both halves of each virtio device), and the header
 * against expect: same VMM version and CPU fingerprint, and the memory
 * size and vCPU count when expect's are not 0. 0, or -EINVAL with one
 * line naming file. buf must outlive r.
 */
int snap_reader_open(struct snap_reader *r, const uint8_t *buf, size_t len, const char *file,
		     const struct snap_identity *expect, struct isolab_error *err);

/* Section (type, index): 0, or -ENOENT "snapshot `F`: no regs section for vCPU 1". */
int snap_find(const struct snap_reader *r, uint32_t type, uint32_t index, struct snap_section *s,
	      struct isolab_error *err);
/* Every section in file order: start with *offset 0; 1 while one is
 * returned, 0 at the end. Only after snap_reader_open() succeeded. */
int snap_next(const struct snap_reader *r, size_t *offset, struct snap_section *s);

/* A KVM struct of exactly size bytes into out. */
int snap_get_kvm(const struct snap_section *s, void *out, size_t size, struct isolab_error *err);
/* An array section: at most max entries of entry_size bytes into out, *n
 * set to their number. */
int snap_get_kvm_array(const struct snap_section *s, void *out, size_t entry_size, uint32_t max,
		       uint32_t *n, struct isolab_error *err);

/* Each load fills the model only when the whole payload is valid. */
int snap_get_serial(const struct snap_section *s, struct serial *out, struct isolab_error *err);
int snap_get_i8042(const struct snap_section *s, struct i8042 *out, struct isolab_error *err);
int snap_get_debugport(const struct snap_section *s, struct debugport *out, struct isolab_error *err);
/* Into a transport virtio_mmio_init() set up for the same device type
 * (ops, guest RAM, irq): the device type and queue count must match, the
 * negotiated features be among those offered now, and each ready queue's
 * addresses pass virtq_setup() over this guest RAM again. The caller
 * raises the interrupt line again when m->interrupt_status is not 0. */
int snap_get_virtio_mmio(const struct snap_section *s, struct virtio_mmio *m, struct isolab_error *err);
/* Into a device virtio_blk_init() made from the same disk: the capacity
 * and read-only must match; transport and queues as above. */
int snap_get_virtio_blk(const struct snap_reader *r, uint32_t device, struct virtio_blk *blk,
			struct isolab_error *err);
/* Into a device virtio_net_init() made: the configuration space (MAC,
 * link, MTU) is the snapshot's; whether an MTU is offered must match. */
int snap_get_virtio_net(const struct snap_reader *r, uint32_t device, struct virtio_net *net,
			struct isolab_error *err);

#endif
