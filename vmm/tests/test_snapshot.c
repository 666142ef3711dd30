/*
 * test_snapshot.c: unit tests of the snapshot state file
 * (vmm/snapshot_format.c), no /dev/kvm: each device's section saved from
 * a model in a non-trivial state and loaded into a fresh one (virtio: a
 * queue mid-use that goes on serving after the load), a whole file with
 * every required section, and the refusals of a hostile or mismatched
 * file with their exact messages, including a file cut at every length.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <cmocka.h>

#include "vmm/debugport.h"
#include "common/le.h"
#include "vmm/i8042.h"
#include "vmm/serial.h"
#include "vmm/snapshot_format.h"
#include "vmm/virtio_blk.h"
#include "vmm/virtio_mmio.h"
#include "vmm/virtio_net.h"
#include "vmm/virtq.h"
#include "vmm/tests/virtio_driver.h"

#define FILE_NAME "snap/state"
#define PREFIX    "snapshot `" FILE_NAME "`: "
#define GUEST_MEM (256ull << 20)
#define NCPUS     2
#define XSAVE2_SIZE (sizeof(struct kvm_xsave) + 64)   /* as KVM_GET_XSAVE2 may hand */
#define NMSRS     4
#define NCPUID    3

/* --- helpers ------------------------------------------------------------ */

static struct snap_identity identity(void)
{
	struct snap_identity id = { .vmm_version = "0.1", .mem_size = GUEST_MEM, .vcpus = NCPUS };

	memcpy(id.cpu.vendor, "GenuineIntel", SNAP_CPU_VENDOR_BYTES);
	id.cpu.family = 6;
	id.cpu.model = 85;
	id.cpu.stepping = 7;
	for (unsigned i = 0; i < SNAP_CPUID_HASH_BYTES; i++)
		id.cpu.cpuid_hash[i] = (uint8_t)(0xa0 + i);
	return id;
}

/* The bytes every KVM section of (type, index) carries in these tests. */
static void fill(void *p, size_t n, uint32_t type, uint32_t index)
{
	uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(type * 31 + index * 7 + i * 13 + 1);
}

static size_t kvm_size(uint32_t type)
{
	switch (type) {
	case SNAP_SEC_CLOCK: return sizeof(struct kvm_clock_data);
	case SNAP_SEC_PIC_MASTER: case SNAP_SEC_PIC_SLAVE: case SNAP_SEC_IOAPIC: return sizeof(struct kvm_irqchip);
	case SNAP_SEC_PIT: return sizeof(struct kvm_pit_state2);
	case SNAP_SEC_REGS: return sizeof(struct kvm_regs);
	case SNAP_SEC_SREGS: return sizeof(struct kvm_sregs);
	case SNAP_SEC_XSAVE: return XSAVE2_SIZE;
	case SNAP_SEC_XCRS: return sizeof(struct kvm_xcrs);
	case SNAP_SEC_LAPIC: return sizeof(struct kvm_lapic_state);
	case SNAP_SEC_MP_STATE: return sizeof(struct kvm_mp_state);
	case SNAP_SEC_DEBUGREGS: return sizeof(struct kvm_debugregs);
	case SNAP_SEC_EVENTS: return sizeof(struct kvm_vcpu_events);
	default: fail(); return 0;
	}
}

/* The pure devices of a VM in some state. */
struct devices {
	struct serial serial;
	struct i8042 i8042;
	struct debugport debug;
};

static void marker(struct debugport *d, const char *text, uint64_t ns)
{
	for (const char *p = text; *p; p++)
		debugport_write(d, ISOLAB_PORT_MARKER, (uint8_t)*p, ns);
}

static void devices_in_use(struct devices *d)
{
	uint8_t in[1000];

	memset(d, 0, sizeof(*d));
	serial_init(&d->serial);
	serial_write(&d->serial, UART_LCR, UART_LCR_DLAB | 3);
	serial_write(&d->serial, UART_DLL, 1);     /* 115200 baud */
	serial_write(&d->serial, UART_DLM, 0);
	serial_write(&d->serial, UART_LCR, 3);     /* 8N1 */
	serial_write(&d->serial, UART_IER, UART_IER_RDI);
	serial_write(&d->serial, UART_FCR, UART_FCR_ENABLE_FIFO);
	serial_write(&d->serial, UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	serial_write(&d->serial, UART_SCR, 0x5a);
	/* Input that wrapped around the ring, some of it read. */
	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 3);
	assert_int_equal(serial_rx_push(&d->serial, in, sizeof(in)), sizeof(in));
	for (unsigned i = 0; i < 900; i++)
		assert_int_equal(serial_read(&d->serial, UART_RX), (uint8_t)(i * 3));
	assert_int_equal(serial_rx_push(&d->serial, in, 500), 500);
	assert_true(d->serial.rx_head + d->serial.rx_count > SERIAL_RX_SIZE);
	/* Output not yet written. */
	for (const char *p = "login: "; *p; p++)
		serial_write(&d->serial, UART_TX, (uint8_t)*p);

	d->i8042.reset = true;

	marker(&d->debug, "kernel\n", 1000);
	marker(&d->debug, "init\n", 2000);
	marker(&d->debug, "rea", 3000);            /* being written */
	debugport_write(&d->debug, ISOLAB_PORT_DEBUG_EXIT, 42, 4000);
}

/* Every section a snapshot needs, but (skip_type, skip_index). */
static void put_vm(struct snap_writer *w, const struct devices *d, uint32_t vcpus, uint32_t skip_type,
		   uint32_t skip_index)
{
	static const uint32_t vm_types[] = { SNAP_SEC_CLOCK, SNAP_SEC_PIC_MASTER, SNAP_SEC_PIC_SLAVE,
					     SNAP_SEC_IOAPIC, SNAP_SEC_PIT };
	static const uint32_t vcpu_types[] = { SNAP_SEC_CPUID, SNAP_SEC_REGS, SNAP_SEC_SREGS, SNAP_SEC_XSAVE,
					       SNAP_SEC_XCRS, SNAP_SEC_MSRS, SNAP_SEC_LAPIC, SNAP_SEC_MP_STATE,
					       SNAP_SEC_DEBUGREGS, SNAP_SEC_EVENTS };
	uint8_t buf[8192];

	for (size_t i = 0; i < sizeof(vm_types) / sizeof(vm_types[0]); i++) {
		if (vm_types[i] == skip_type && skip_index == 0)
			continue;
		fill(buf, kvm_size(vm_types[i]), vm_types[i], 0);
		snap_put_kvm(w, vm_types[i], 0, buf, kvm_size(vm_types[i]));
	}
	for (uint32_t v = 0; v < vcpus; v++) {
		for (size_t i = 0; i < sizeof(vcpu_types) / sizeof(vcpu_types[0]); i++) {
			uint32_t t = vcpu_types[i];

			if (t == skip_type && v == skip_index)
				continue;
			if (t == SNAP_SEC_MSRS) {
				fill(buf, NMSRS * sizeof(struct kvm_msr_entry), t, v);
				snap_put_kvm_array(w, t, v, buf, sizeof(struct kvm_msr_entry), NMSRS);
			} else if (t == SNAP_SEC_CPUID) {
				fill(buf, NCPUID * sizeof(struct kvm_cpuid_entry2), t, v);
				snap_put_kvm_array(w, t, v, buf, sizeof(struct kvm_cpuid_entry2), NCPUID);
			} else {
				fill(buf, kvm_size(t), t, v);
				snap_put_kvm(w, t, v, buf, kvm_size(t));
			}
		}
	}
	if (skip_type != SNAP_SEC_SERIAL)
		snap_put_serial(w, &d->serial);
	if (skip_type != SNAP_SEC_I8042)
		snap_put_i8042(w, &d->i8042);
	if (skip_type != SNAP_SEC_DEBUGPORT)
		snap_put_debugport(w, &d->debug);
}

static void finish(struct snap_writer *w, uint8_t **buf, size_t *len)
{
	struct isolab_error err = { 0 };

	assert_int_equal(snap_writer_finish(w, buf, len, &err), 0);
	assert_non_null(*buf);
}

/* A whole valid file of the test VM. */
static uint8_t *good_file(size_t *len)
{
	struct snap_identity id = identity();
	struct snap_writer w;
	struct devices d;
	uint8_t *buf;

	devices_in_use(&d);
	snap_writer_init(&w, &id);
	put_vm(&w, &d, NCPUS, 0, 0);
	finish(&w, &buf, len);
	return buf;
}

static void open_ok(struct snap_reader *r, const uint8_t *buf, size_t len)
{
	struct snap_identity id = identity();
	struct isolab_error err = { 0 };

	if (snap_reader_open(r, buf, len, FILE_NAME, &id, &err) < 0)
		fail_msg("refused: %s", err.msg);
}

/* The reader refuses buf with exactly msg. */
static void refused_as(const uint8_t *buf, size_t len, const struct snap_identity *id, const char *msg)
{
	struct snap_reader r;
	struct isolab_error err = { 0 };

	assert_true(snap_reader_open(&r, buf, len, FILE_NAME, id, &err) < 0);
	assert_string_equal(err.msg, msg);
}

static void refused(const uint8_t *buf, size_t len, const char *msg)
{
	struct snap_identity id = identity();

	refused_as(buf, len, &id, msg);
}

/* Where section (type, index) of a valid file is: its number and offset. */
static void locate(const uint8_t *buf, size_t len, uint32_t type, uint32_t index, unsigned *ordinal,
		   size_t *offset)
{
	struct snap_reader r;
	struct snap_section s;
	size_t off = 0, at;
	unsigned i = 0;

	open_ok(&r, buf, len);
	for (at = SNAP_HEADER_BYTES; snap_next(&r, &off, &s); at = off, i++) {
		if (s.type == type && s.index == index) {
			*ordinal = i;
			*offset = at;
			return;
		}
	}
	fail_msg("no section %u/%u", type, index);
}


/* After editing a header field: the header's checksum and the file's
 * made right again, so the edit itself is what the reader sees. */
static void reseal(uint8_t *buf, size_t len)
{
	isolab_put_le32(buf + 132, snap_crc32c(0, buf, 132));
	isolab_put_le32(buf + len - 4, snap_crc32c(0, buf, len - 4));
}

/* --- CRC32C ---------------------------------------------------------------- */

static void test_crc32c(void **state)
{
	(void)state;
	/* The check value of CRC-32C (RFC 3720 B.4; the "123456789" test). */
	assert_int_equal(snap_crc32c(0, "123456789", 9), 0xe3069283);
	assert_int_equal(snap_crc32c(snap_crc32c(0, "1234", 4), "56789", 5), 0xe3069283);
	assert_int_equal(snap_crc32c(0, "", 0), 0);
	/* 32 bytes of zeros (RFC 3720 B.4). */
	static const uint8_t zeros[32];
	assert_int_equal(snap_crc32c(0, zeros, 32), 0x8a9136aa);
}

/* --- device sections ---------------------------------------------------- */

static void test_serial_roundtrip(void **state)
{
	struct devices d;
	struct serial fresh;
	struct snap_reader r;
	struct snap_section s;
	struct isolab_error err = { 0 };
	size_t len;
	uint8_t *buf;

	(void)state;
	devices_in_use(&d);
	buf = good_file(&len);
	open_ok(&r, buf, len);
	assert_int_equal(snap_find(&r, SNAP_SEC_SERIAL, 0, &s, &err), 0);
	serial_init(&fresh);
	assert_int_equal(snap_get_serial(&s, &fresh, &err), 0);
	assert_int_equal(fresh.ier, UART_IER_RDI);
	assert_int_equal(fresh.lcr, 3);
	assert_int_equal(fresh.mcr, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	assert_int_equal(fresh.scr, 0x5a);
	assert_int_equal(fresh.dll, 1);
	assert_int_equal(fresh.dlm, 0);
	assert_int_equal(fresh.fcr, d.serial.fcr);
	assert_int_equal(fresh.rx_count, d.serial.rx_count);
	assert_int_equal(fresh.rx_count, 600);
	assert_int_equal(fresh.out_len, 7);
	assert_memory_equal(fresh.out, "login: ", 7);
	assert_int_equal(fresh.out_flush, d.serial.out_flush);
	assert_int_equal(serial_irq_level(&fresh), serial_irq_level(&d.serial));
	/* Same registers, same input in the same order. */
	for (unsigned off = 1; off < SERIAL_NPORTS; off++)
		if (off != UART_IIR)
			assert_int_equal(serial_read(&fresh, off), serial_read(&d.serial, off));
	for (unsigned i = 0; i < 600; i++)
		assert_int_equal(serial_read(&fresh, UART_RX), serial_read(&d.serial, UART_RX));
	assert_int_equal(fresh.rx_count, 0);
	free(buf);
}

static void test_i8042_and_debugport_roundtrip(void **state)
{
	struct devices d;
	struct i8042 k = { false };
	struct debugport dp;
	struct snap_reader r;
	struct snap_section s;
	struct isolab_error err = { 0 };
	size_t len;
	uint8_t *buf;

	(void)state;
	devices_in_use(&d);
	buf = good_file(&len);
	open_ok(&r, buf, len);
	assert_int_equal(snap_find(&r, SNAP_SEC_I8042, 0, &s, &err), 0);
	assert_int_equal(snap_get_i8042(&s, &k, &err), 0);
	assert_true(k.reset);

	memset(&dp, 0x77, sizeof(dp));
	assert_int_equal(snap_find(&r, SNAP_SEC_DEBUGPORT, 0, &s, &err), 0);
	assert_int_equal(snap_get_debugport(&s, &dp, &err), 0);
	assert_true(dp.exit_requested);
	assert_int_equal(dp.exit_status, 42);
	assert_int_equal(dp.nmarkers, 2);
	assert_int_equal(dp.dropped, 0);
	assert_string_equal(dp.markers[0].name, "kernel");
	assert_int_equal(dp.markers[0].ns, 1000);
	assert_string_equal(dp.markers[1].name, "init");
	assert_int_equal(dp.markers[1].ns, 2000);
	assert_true(dp.in_marker);
	assert_int_equal(dp.name_len, 3);
	assert_int_equal(dp.name_ns, 3000);
	assert_memory_equal(dp.name, "rea", 3);
	/* The marker being written goes on after the load. */
	marker(&dp, "dy\n", 5000);
	marker(&d.debug, "dy\n", 5000);
	assert_int_equal(dp.nmarkers, 3);
	assert_string_equal(dp.markers[2].name, "ready");
	assert_int_equal(dp.markers[2].ns, 3000);
	assert_memory_equal(&dp.markers[2], &d.debug.markers[2], sizeof(dp.markers[2]));
	free(buf);
}

/* Hostile payloads the checksums let through (a forged file): each field
 * is checked, nothing is loaded. */
static void test_device_payloads_refused(void **state)
{
	struct serial u;
	struct debugport dp;
	struct i8042 k = { false };
	struct isolab_error err = { 0 };
	uint8_t p[64] = { 0 };
	struct snap_section s = { SNAP_SEC_SERIAL, 1, 0, 0, p, 12, FILE_NAME };

	(void)state;
	serial_init(&u);
	u.scr = 0x11;
	p[8] = 0xd0, p[9] = 0x07;     /* 2000 bytes of input */
	assert_int_equal(snap_get_serial(&s, &u, &err), -EINVAL);
	assert_string_equal(err.msg, PREFIX "section serial: 2000 bytes of input, the UART holds 1024");
	p[8] = 2, p[9] = 0;           /* 2 bytes of input that are not there */
	assert_int_equal(snap_get_serial(&s, &u, &err), -EINVAL);
	assert_string_equal(err.msg, PREFIX "section serial: payload of 12 bytes cut short");
	s.len = 20;
	assert_int_equal(snap_get_serial(&s, &u, &err), -EINVAL);
	assert_string_equal(err.msg, PREFIX "section serial: 6 bytes after its fields");
	s.version = 2;
	assert_int_equal(snap_get_serial(&s, &u, &err), -EINVAL);
	assert_string_equal(err.msg, PREFIX "section serial: version 2, this isolab-vmm reads 1");
	assert_int_equal(u.scr, 0x11);   /* untouched */

	s = (struct snap_section){ SNAP_SEC_I8042, 1, 0, 0, p, 1, FILE_NAME };
	p[0] = 2;
	assert_int_equal(snap_get_i8042(&s, &k, &err), -EINVAL);
	assert_string_equal(err.msg, PREFIX "section i8042: reset is 2, not 0 or 1");
	assert_int_equal(snap_get_serial(&s, &u, &err), -EINVAL);
	assert_string_equal(err.msg, PREFIX "section i8042: not a serial section");

	/* debugport: a marker name with a control character in it. */
	memset(p, 0, sizeof(p));
	p[3] = 0;                      /* name_len */
	p[16] = 1;                     /* nmarkers */
	p[20] = 2, p[21] = 'o', p[22] = '\n';
	s = (struct snap_section){ SNAP_SEC_DEBUGPORT, 1, 0, 0, p, 31, FILE_NAME };
	assert_int_equal(snap_get_debugport(&s, &dp, &err), -EINVAL);
	assert_string_equal(err.msg, PREFIX "section debugport: marker 0: the name is not printable text");
	p[20] = 40;
	assert_int_equal(snap_get_debugport(&s, &dp, &err), -EINVAL);
	assert_string_equal(err.msg, PREFIX "section debugport: marker 0: a name of 40 bytes, 1 to 31 expected");
	p[16] = 33;
	assert_int_equal(snap_get_debugport(&s, &dp, &err), -EINVAL);
	assert_string_equal(err.msg, PREFIX "section debugport: 33 markers, at most 32");
}

/* --- virtio: a queue mid-use --------------------------------------------- */

#define VMEM      (1u << 20)
#define DESC_GPA  0x1000
#define AVAIL_GPA 0x2000
#define USED_GPA  0x3000
#define REQ_GPA   0x8000     /* request i: header at +0x100*i, status at +0x100*i+0x80 */
#define DATA_GPA  0x10000    /* request i: 512 bytes at +0x1000*i */
#define DISK_SECTORS 16

struct memdisk {
	uint8_t bytes[DISK_SECTORS * 512];
};

static ssize_t memdisk_preadv(void *h, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	struct memdisk *d = h;
	size_t done = 0;

	for (int i = 0; i < iovcnt; i++) {
		memcpy(iov[i].iov_base, d->bytes + offset + done, iov[i].iov_len);
		done += iov[i].iov_len;
	}
	return (ssize_t)done;
}

static ssize_t memdisk_pwritev(void *h, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	(void)h, (void)iov, (void)iovcnt, (void)offset;
	return -EIO;
}

static int memdisk_flush(void *h)
{
	(void)h;
	return 0;
}

static void blk_new(struct virtio_blk *blk, struct memdisk *disk, uint8_t *mem, uint64_t mem_size,
		    uint64_t disk_bytes)
{
	struct isolab_error err = { 0 };
	struct virtio_blk_options opt = {
		.disk_bytes = disk_bytes,
		.serial = "snap-disk",
		.backend = { memdisk_preadv, memdisk_pwritev, memdisk_flush, disk },
	};

	assert_int_equal(virtio_blk_init(blk, &opt, mem, mem_size, NULL, NULL, &err), 0);
}

/* Offers a read of sector i into DATA_GPA + 0x1000 * i (no notify). */
static void blk_offer_read(uint8_t *mem, struct vdrv_queue *q, unsigned i)
{
	uint64_t hdr = REQ_GPA + 0x100ull * i;
	struct vdrv_seg segs[3] = {
		{ hdr, VIRTIO_BLK_HDR_BYTES, 0 },
		{ DATA_GPA + 0x1000ull * i, 512, VIRTQ_DESC_F_WRITE },
		{ hdr + 0x80, 1, VIRTQ_DESC_F_WRITE },
	};

	vdrv_put32(mem, hdr, VIRTIO_BLK_T_IN);
	vdrv_put32(mem, hdr + 4, 0);
	vdrv_put64(mem, hdr + 8, i);
	mem[hdr + 0x80] = 0xee;
	vdrv_offer_at(mem, q, 3 * i, segs, 3);
}

/* A driver set up the block device and offered three reads; the device
 * served one. Snapshot; a fresh device over the same guest memory loads
 * it and serves the other two. */
static void test_virtio_blk_mid_queue(void **state)
{
	uint8_t *mem = calloc(1, VMEM);
	struct memdisk *disk = calloc(1, sizeof(*disk));
	struct virtio_blk *blk = calloc(1, sizeof(*blk)), *fresh = calloc(1, sizeof(*fresh));
	struct virtio_blk_req *req = calloc(1, sizeof(*req));
	struct vdrv_queue q = { VIRTIO_BLK_QUEUE_SIZE, DESC_GPA, AVAIL_GPA, USED_GPA, 0 };
	struct snap_identity id = identity();
	struct snap_writer w;
	struct snap_reader r;
	struct devices d;
	struct isolab_error err = { 0 };
	uint64_t features = 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_BLK_F_FLUSH;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_non_null(mem), assert_non_null(disk), assert_non_null(blk), assert_non_null(fresh);
	assert_non_null(req);
	for (unsigned i = 0; i < sizeof(disk->bytes); i++)
		disk->bytes[i] = (uint8_t)(i / 512 + 1);
	blk_new(blk, disk, mem, VMEM, sizeof(disk->bytes));
	assert_true(vdrv_negotiate(&blk->mmio, features) & VIRTIO_STATUS_FEATURES_OK);
	vdrv_queue_addresses(&blk->mmio, 0, q.num, q.desc, q.avail, q.used);
	vdrv_wr(&blk->mmio, VIRTIO_MMIO_QUEUE_READY, 1);
	vdrv_wr(&blk->mmio, VIRTIO_MMIO_STATUS, 0xf);
	for (unsigned i = 0; i < 3; i++)
		blk_offer_read(mem, &q, i);
	assert_int_equal(virtio_blk_next(blk, req, &err), 1);
	virtio_blk_execute(blk, req);
	virtio_blk_complete(blk, req);
	assert_int_equal(vdrv_used_idx(mem, &q), 1);
	assert_int_equal(mem[DATA_GPA], 1);
	blk->mmio.config_generation = 5;
	blk->mmio.queue_sel = 0;

	devices_in_use(&d);
	snap_writer_init(&w, &id);
	put_vm(&w, &d, NCPUS, 0, 0);
	snap_put_virtio_blk(&w, 1, blk);
	finish(&w, &buf, &len);
	open_ok(&r, buf, len);

	blk_new(fresh, disk, mem, VMEM, sizeof(disk->bytes));
	assert_int_equal(snap_get_virtio_blk(&r, 1, fresh, &err), 0);
	/* Field by field: transport, queue, device. */
	assert_int_equal(fresh->mmio.status, 0xf);
	assert_int_equal(fresh->mmio.driver_features, features);
	assert_int_equal(fresh->mmio.device_features_sel, blk->mmio.device_features_sel);
	assert_int_equal(fresh->mmio.driver_features_sel, 1);
	assert_int_equal(fresh->mmio.queue_sel, 0);
	assert_int_equal(fresh->mmio.interrupt_status, blk->mmio.interrupt_status);
	assert_int_equal(fresh->mmio.interrupt_status, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(fresh->mmio.config_generation, 5);
	assert_int_equal(fresh->mmio.queues[0].num, VIRTIO_BLK_QUEUE_SIZE);
	assert_true(fresh->mmio.queues[0].ready);
	assert_int_equal(fresh->mmio.queues[0].desc, DESC_GPA);
	assert_int_equal(fresh->mmio.queues[0].driver, AVAIL_GPA);
	assert_int_equal(fresh->mmio.queues[0].device, USED_GPA);
	assert_int_equal(fresh->mmio.queues[0].vq.num, VIRTIO_BLK_QUEUE_SIZE);
	assert_int_equal(fresh->mmio.queues[0].vq.last_avail, 1);
	assert_int_equal(fresh->mmio.queues[0].vq.used_idx, 1);
	assert_false(fresh->mmio.queues[0].vq.broken);
	assert_ptr_equal(fresh->mmio.queues[0].vq.mem, mem);
	assert_int_equal(fresh->capacity, DISK_SECTORS);
	assert_memory_equal(fresh->serial, blk->serial, VIRTIO_BLK_ID_BYTES);
	assert_int_equal(fresh->generation, blk->generation);
	assert_true(virtio_mmio_negotiated(&fresh->mmio, VIRTIO_BLK_F_FLUSH));
	/* The restored device serves the two requests left, in order. */
	assert_int_equal(virtio_blk_process(fresh), 2);
	assert_int_equal(vdrv_used_idx(mem, &q), 3);
	assert_int_equal(vdrv_last_used_id(mem, &q), 6);
	assert_int_equal(mem[DATA_GPA + 0x1000], 2);
	assert_int_equal(mem[DATA_GPA + 0x2000 + 511], 3);
	assert_int_equal(mem[REQ_GPA + 0x180], VIRTIO_BLK_S_OK);
	assert_int_equal(mem[REQ_GPA + 0x280], VIRTIO_BLK_S_OK);
	assert_int_equal(virtio_blk_process(fresh), 0);

	/* Another disk, or less guest RAM than the rings need, is refused. */
	blk_new(fresh, disk, mem, VMEM, sizeof(disk->bytes) - 512);
	assert_int_equal(snap_get_virtio_blk(&r, 1, fresh, &err), -EINVAL);
	assert_string_equal(err.msg, PREFIX "section virtio-blk of device 1: a disk of 16 sectors, this one has 15");
	assert_int_equal(fresh->mmio.status, 0);
	blk_new(fresh, disk, mem, 0x2800, sizeof(disk->bytes));
	assert_int_equal(snap_get_virtio_blk(&r, 1, fresh, &err), -EINVAL);
	assert_string_equal(err.msg, PREFIX "section virtio-mmio of device 1: queue 0: virtqueue used ring "
			    "at 0x3000 (2054 bytes) lies outside guest RAM (0x2800 bytes)");
	assert_int_equal(fresh->mmio.status, 0);
	assert_false(fresh->mmio.queues[0].ready);
	/* Device 0 was never saved. */
	assert_int_equal(snap_get_virtio_blk(&r, 0, fresh, &err), -ENOENT);
	assert_string_equal(err.msg, PREFIX "missing section virtio-blk of device 0");

	free(buf), free(req), free(fresh), free(blk), free(disk), free(mem);
}

/* virtio-net: frames to receive */
#define RX_DESC  0x1000
#define RX_AVAIL 0x2000
#define RX_USED  0x3000
#define TX_DESC  0x4000
#define TX_AVAIL 0x5000
#define TX_USED  0x6000
#define RX_BUF   0x10000
#define RX_LEN   1526

static int no_frames(void *h, const struct iovec *iov, int iovcnt, size_t len)
{
	(void)h, (void)iov, (void)iovcnt, (void)len;
	return 0;
}

static void net_new(struct virtio_net *net, uint8_t *mem, unsigned mtu, uint8_t mac_last)
{
	struct isolab_error err = { 0 };
	struct virtio_net_options opt = { .mac = { 0x52, 0x54, 0, 0x12, 0x34, mac_last }, .mtu = mtu,
					  .backend = { no_frames, NULL } };

	assert_int_equal(virtio_net_init(net, &opt, mem, VMEM, NULL, NULL, &err), 0);
}

static void test_virtio_net_mid_queue(void **state)
{
	uint8_t *mem = calloc(1, VMEM);
	struct virtio_net *net = calloc(1, sizeof(*net)), *fresh = calloc(1, sizeof(*fresh));
	struct vdrv_queue rxq = { VIRTIO_NET_QUEUE_SIZE, RX_DESC, RX_AVAIL, RX_USED, 0 };
	struct snap_identity id = identity();
	struct snap_writer w;
	struct snap_reader r;
	struct devices d;
	struct isolab_error err = { 0 };
	uint64_t features = 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS |
			    1ull << VIRTIO_NET_F_MTU;
	uint8_t frame[60], *buf;
	size_t len;

	(void)state;
	assert_non_null(mem), assert_non_null(net), assert_non_null(fresh);
	net_new(net, mem, 1500, 0x56);
	assert_true(vdrv_negotiate(&net->mmio, features) & VIRTIO_STATUS_FEATURES_OK);
	vdrv_queue_addresses(&net->mmio, VIRTIO_NET_RXQ, rxq.num, rxq.desc, rxq.avail, rxq.used);
	vdrv_wr(&net->mmio, VIRTIO_MMIO_QUEUE_READY, 1);
	vdrv_queue_addresses(&net->mmio, VIRTIO_NET_TXQ, 64, TX_DESC, TX_AVAIL, TX_USED);
	vdrv_wr(&net->mmio, VIRTIO_MMIO_QUEUE_READY, 1);
	vdrv_wr(&net->mmio, VIRTIO_MMIO_STATUS, 0xf);
	for (unsigned i = 0; i < 2; i++) {
		struct vdrv_seg seg = { RX_BUF + 0x1000ull * i, RX_LEN, VIRTQ_DESC_F_WRITE };

		vdrv_offer_at(mem, &rxq, i, &seg, 1);
	}
	memset(frame, 0xab, sizeof(frame));
	assert_int_equal(virtio_net_receive(net, frame, sizeof(frame), &err), VIRTIO_NET_RX_DELIVERED);
	virtio_net_set_link(net, false);   /* config changed: generation 1 */

	devices_in_use(&d);
	snap_writer_init(&w, &id);
	put_vm(&w, &d, NCPUS, 0, 0);
	snap_put_virtio_net(&w, 0, net);
	finish(&w, &buf, &len);
	open_ok(&r, buf, len);

	net_new(fresh, mem, 1500, 0x99);    /* another MAC on the command line: the snapshot's wins */
	assert_int_equal(snap_get_virtio_net(&r, 0, fresh, &err), 0);
	assert_memory_equal(fresh->config, net->config, VIRTIO_NET_CFG_BYTES);
	assert_int_equal(fresh->config[5], 0x56);
	assert_int_equal(fresh->config[VIRTIO_NET_CFG_STATUS], 0);
	assert_int_equal(fresh->generation, net->generation);
	assert_int_equal(fresh->mmio.config_generation, 1);
	assert_int_equal(fresh->mmio.interrupt_status, VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(fresh->mmio.driver_features, features);
	assert_int_equal(fresh->mmio.queues[0].vq.last_avail, 1);
	assert_int_equal(fresh->mmio.queues[0].vq.used_idx, 1);
	assert_int_equal(fresh->mmio.queues[1].num, 64);
	assert_int_equal(fresh->mmio.queues[1].desc, TX_DESC);
	assert_int_equal(fresh->mmio.queues[1].vq.num, 64);
	assert_int_equal(fresh->mmio.queues[1].vq.last_avail, 0);
	/* The next frame lands in the second buffer. */
	memset(frame, 0xcd, sizeof(frame));
	assert_int_equal(virtio_net_receive(fresh, frame, sizeof(frame), &err), VIRTIO_NET_RX_DELIVERED);
	assert_int_equal(vdrv_used_idx(mem, &rxq), 2);
	assert_int_equal(vdrv_last_used_id(mem, &rxq), 1);
	assert_int_equal(mem[RX_BUF + 0x1000 + VIRTIO_NET_HDR_BYTES], 0xcd);
	assert_int_equal(mem[RX_BUF + VIRTIO_NET_HDR_BYTES], 0xab);

	/* Without an MTU offered the negotiated features could not stand. */
	net_new(fresh, mem, 0, 0x56);
	assert_int_equal(snap_get_virtio_net(&r, 0, fresh, &err), -EINVAL);
	assert_string_equal(err.msg, PREFIX "section virtio-net of device 0: the device offered an MTU, this one does not");
	/* A net device's transport into a block device is refused. */
	{
		struct memdisk disk = { { 0 } };
		struct virtio_blk *blk = calloc(1, sizeof(*blk));
		struct snap_section s;

		assert_non_null(blk);
		blk_new(blk, &disk, mem, VMEM, sizeof(disk.bytes));
		assert_int_equal(snap_find(&r, SNAP_SEC_VIRTIO_MMIO, 0, &s, &err), 0);
		assert_int_equal(snap_get_virtio_mmio(&s, &blk->mmio, &err), -EINVAL);
		assert_string_equal(err.msg, PREFIX "section virtio-mmio of device 0: virtio device type 1, "
				    "this device is virtio-blk (type 2)");
		free(blk);
	}
	free(buf), free(fresh), free(net), free(mem);
}

/* --- the whole file ------------------------------------------------------- */

static void test_whole_file(void **state)
{
	struct snap_identity any = identity();
	struct snap_reader r;
	struct snap_section s;
	struct isolab_error err = { 0 };
	struct kvm_regs regs, want_regs;
	struct kvm_msr_entry msrs[8], want_msrs[NMSRS];
	struct kvm_cpuid_entry2 cpuid[NCPUID];
	uint8_t xsave[XSAVE2_SIZE], want_xsave[XSAVE2_SIZE];
	uint32_t n = 0;
	unsigned count = 0;
	size_t len, off = 0;
	uint8_t *buf = good_file(&len);

	(void)state;
	assert_memory_equal(buf, "ISOLABSN", 8);
	assert_memory_equal(buf + len - 16, "ISOLABEN", 8);
	/* Memory size and vCPU count 0: the snapshot's are taken. */
	any.mem_size = 0;
	any.vcpus = 0;
	assert_int_equal(snap_reader_open(&r, buf, len, FILE_NAME, &any, &err), 0);
	assert_int_equal(r.id.mem_size, GUEST_MEM);
	assert_int_equal(r.id.vcpus, NCPUS);
	assert_string_equal(r.id.vmm_version, "0.1");
	assert_int_equal(r.nsections, 5 + 10 * NCPUS + 3);
	while (snap_next(&r, &off, &s))
		count++;
	assert_int_equal(count, r.nsections);

	/* KVM structs come back byte for byte. */
	assert_int_equal(snap_find(&r, SNAP_SEC_REGS, 1, &s, &err), 0);
	assert_int_equal(snap_get_kvm(&s, &regs, sizeof(regs), &err), 0);
	fill(&want_regs, sizeof(want_regs), SNAP_SEC_REGS, 1);
	assert_memory_equal(&regs, &want_regs, sizeof(regs));
	assert_int_equal(snap_find(&r, SNAP_SEC_XSAVE, 0, &s, &err), 0);
	assert_int_equal(snap_get_kvm(&s, xsave, sizeof(xsave), &err), 0);
	fill(want_xsave, sizeof(want_xsave), SNAP_SEC_XSAVE, 0);
	assert_memory_equal(xsave, want_xsave, sizeof(xsave));
	assert_int_equal(snap_get_kvm(&s, xsave, sizeof(struct kvm_xsave), &err), -EINVAL);
	assert_string_equal(err.msg, PREFIX "section xsave of vCPU 0: 4160 bytes, 4096 expected");
	assert_int_equal(snap_find(&r, SNAP_SEC_MSRS, 1, &s, &err), 0);
	assert_int_equal(snap_get_kvm_array(&s, msrs, sizeof(msrs[0]), 8, &n, &err), 0);
	assert_int_equal(n, NMSRS);
	fill(want_msrs, sizeof(want_msrs), SNAP_SEC_MSRS, 1);
	assert_memory_equal(msrs, want_msrs, sizeof(want_msrs));
	assert_int_equal(snap_get_kvm_array(&s, msrs, sizeof(msrs[0]), 2, &n, &err), -EINVAL);
	assert_string_equal(err.msg, PREFIX "section msrs of vCPU 1: 4 entries, room for 2");
	assert_int_equal(snap_get_kvm(&s, msrs, sizeof(msrs), &err), -EINVAL);
	assert_string_equal(err.msg, PREFIX "section msrs of vCPU 1: not a KVM struct section");
	assert_int_equal(snap_find(&r, SNAP_SEC_CPUID, 0, &s, &err), 0);
	assert_int_equal(snap_get_kvm_array(&s, cpuid, sizeof(cpuid[0]), NCPUID, &n, &err), 0);
	assert_int_equal(n, NCPUID);
	/* Not there. */
	assert_int_equal(snap_find(&r, SNAP_SEC_FPU, 0, &s, &err), -ENOENT);
	assert_string_equal(err.msg, PREFIX "missing section fpu of vCPU 0");
	free(buf);
}

/* Names, for messages. */
static void test_section_names(void **state)
{
	(void)state;
	assert_string_equal(snap_section_name(SNAP_SEC_REGS), "regs");
	assert_string_equal(snap_section_name(SNAP_SEC_VIRTIO_MMIO), "virtio-mmio");
	assert_string_equal(snap_section_name(999), "unknown");
}

/* --- refusals --------------------------------------------------------------- */

static void test_refuse_magic_and_version(void **state)
{
	size_t len;
	uint8_t *buf = good_file(&len);

	(void)state;
	buf[0] = 'X';
	refused(buf, len, PREFIX "not an isolab snapshot (no ISOLABSN magic)");
	buf[0] = 'I';
	isolab_put_le32(buf + 8, 2);
	refused(buf, len, PREFIX "format version 2, this isolab-vmm reads version 1");
	isolab_put_le32(buf + 8, 1);
	{
		struct snap_reader r;

		open_ok(&r, buf, len);   /* and back as it was */
	}
	free(buf);
}

static void test_refuse_header_checksum(void **state)
{
	size_t len;
	uint8_t *buf = good_file(&len);
	char want[200];
	uint32_t stored;

	(void)state;
	stored = isolab_get_le32(buf + 132);
	buf[112] ^= 1;
	snprintf(want, sizeof(want), PREFIX "header checksum mismatch (stored %08x, computed %08x)", stored,
		 snap_crc32c(0, buf, 132));
	refused(buf, len, want);
	free(buf);
}

static void test_refuse_other_vmm_and_cpu(void **state)
{
	struct snap_identity other = identity(), here = identity();
	struct snap_writer w;
	struct devices d;
	uint8_t *buf;
	size_t len;

	(void)state;
	devices_in_use(&d);
	snprintf(other.vmm_version, sizeof(other.vmm_version), "0.2");
	snap_writer_init(&w, &other);
	put_vm(&w, &d, NCPUS, 0, 0);
	finish(&w, &buf, &len);
	refused(buf, len, PREFIX "made by isolab-vmm 0.2, this is 0.1");
	free(buf);

	other = identity();
	other.cpu.stepping = 4;
	snap_writer_init(&w, &other);
	put_vm(&w, &d, NCPUS, 0, 0);
	finish(&w, &buf, &len);
	refused(buf, len, PREFIX "made on another CPU (GenuineIntel family 6 model 85 stepping 4), "
		"this host has GenuineIntel family 6 model 85 stepping 7");
	free(buf);

	/* Same model, other CPUID leaves given to the VM (another feature set). */
	other = identity();
	other.cpu.cpuid_hash[31] ^= 0xff;
	snap_writer_init(&w, &other);
	put_vm(&w, &d, NCPUS, 0, 0);
	finish(&w, &buf, &len);
	refused(buf, len, PREFIX "made with other CPUID features (CPUID hash "
		"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbe40), this host gives "
		"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf");
	free(buf);

	/* Another memory size or vCPU count asked for. */
	buf = good_file(&len);
	here.mem_size = 512ull << 20;
	refused_as(buf, len, &here, PREFIX "guest memory is 256 MiB (268435456 bytes), not the 512 MiB asked for");
	here = identity();
	here.vcpus = 4;
	refused_as(buf, len, &here, PREFIX "2 vCPUs, not the 4 asked for");
	free(buf);
}

/* Cut at every length: each refused, with the message that length earns. */
static void test_refuse_truncated_everywhere(void **state)
{
	size_t len;
	uint8_t *buf = good_file(&len);
	char want[200];

	(void)state;
	for (size_t cut = 0; cut < len; cut++) {
		/* A copy of just that many bytes, so a read past it is caught (valgrind, ASan). */
		uint8_t *part = malloc(cut ? cut : 1);

		assert_non_null(part);
		memcpy(part, buf, cut);
		if (cut < SNAP_HEADER_BYTES)
			snprintf(want, sizeof(want), PREFIX "truncated: %zu bytes, less than the 136-byte header", cut);
		else
			snprintf(want, sizeof(want), PREFIX "truncated: %zu of the %zu bytes the header announces", cut,
				 len);
		refused(part, cut, want);
		free(part);
	}
	/* And one byte too many. */
	{
		uint8_t *longer = calloc(1, len + 1);

		assert_non_null(longer);
		memcpy(longer, buf, len);
		snprintf(want, sizeof(want), PREFIX "%zu bytes, the header announces %zu (data after the end)", len + 1,
			 len);
		refused(longer, len + 1, want);
		free(longer);
	}
	free(buf);
}

static void test_refuse_flipped_payload_byte(void **state)
{
	size_t len, at;
	unsigned ordinal;
	uint8_t *buf = good_file(&len);
	char want[200];
	uint32_t stored, crc;

	(void)state;
	locate(buf, len, SNAP_SEC_LAPIC, 1, &ordinal, &at);
	buf[at + SNAP_SECTION_HEADER_BYTES + 100] ^= 0x10;
	stored = isolab_get_le32(buf + at + 16);
	crc = snap_crc32c(snap_crc32c(0, buf + at, 16), buf + at + SNAP_SECTION_HEADER_BYTES,
			  sizeof(struct kvm_lapic_state));
	snprintf(want, sizeof(want), PREFIX "section %u (lapic of vCPU 1): checksum mismatch (stored %08x, computed %08x)",
		 ordinal, stored, crc);
	refused(buf, len, want);
	free(buf);
}

/* Sections swapped: each intact, the file's checksum is what catches it. */
static void test_refuse_file_checksum(void **state)
{
	size_t len, a, b;
	unsigned oa, ob;
	uint8_t *buf = good_file(&len), *copy = malloc(len);
	char want[200];

	(void)state;
	assert_non_null(copy);
	locate(buf, len, SNAP_SEC_I8042, 0, &oa, &a);
	locate(buf, len, SNAP_SEC_DEBUGPORT, 0, &ob, &b);
	assert_int_equal(ob, oa + 1);
	memcpy(copy, buf, len);
	size_t la = b - a, lb = len - SNAP_TRAILER_BYTES - b;
	memcpy(copy + a, buf + b, lb);
	memcpy(copy + a + lb, buf + a, la);
	snprintf(want, sizeof(want), PREFIX "file checksum mismatch (stored %08x, computed %08x)", isolab_get_le32(buf + len - 4),
		 snap_crc32c(0, copy, len - 4));
	refused(copy, len, want);
	free(copy);
	free(buf);
}

static void test_refuse_length_past_end(void **state)
{
	size_t len, at;
	unsigned ordinal;
	uint8_t *buf = good_file(&len);
	char want[200];

	(void)state;
	locate(buf, len, SNAP_SEC_REGS, 0, &ordinal, &at);
	isolab_put_le32(buf + at + 12, 0xffffff00);
	snprintf(want, sizeof(want), PREFIX "section %u (regs of vCPU 0) at offset %zu: its 4294967040-byte payload "
		 "runs past the end of the sections", ordinal, at);
	refused(buf, len, want);
	free(buf);

	/* The last section reaching into the trailer is past the end too. */

	buf = good_file(&len);
	locate(buf, len, SNAP_SEC_DEBUGPORT, 0, &ordinal, &at);
	isolab_put_le32(buf + at + 12, isolab_get_le32(buf + at + 12) + 1);
	snprintf(want, sizeof(want), PREFIX "section %u (debugport) at offset %zu: its %u-byte payload "
		 "runs past the end of the sections", ordinal, at, isolab_get_le32(buf + at + 12));
	refused(buf, len, want);
	free(buf);
}

/* Files built with one thing wrong. */
static void build(uint32_t skip_type, uint32_t skip_index,
		  void (*extra)(struct snap_writer *w), uint8_t **buf, size_t *len)
{
	struct snap_identity id = identity();
	struct snap_writer w;
	struct devices d;

	devices_in_use(&d);
	snap_writer_init(&w, &id);
	put_vm(&w, &d, NCPUS, skip_type, skip_index);
	if (extra)
		extra(&w);
	finish(&w, buf, len);
}

static void extra_duplicate(struct snap_writer *w)
{
	struct i8042 k = { true };

	snap_put_i8042(w, &k);
}

static void extra_short_regs(struct snap_writer *w)
{
	uint8_t b[sizeof(struct kvm_regs)] = { 0 };

	snap_put_kvm(w, SNAP_SEC_REGS, 1, b, sizeof(b) - 8);
}

static void extra_unknown(struct snap_writer *w)
{
	snap_put_section(w, 999, 1, 0, 0, "x", 1);
}

static void extra_unknown_optional(struct snap_writer *w)
{
	snap_put_section(w, 999, 1, SNAP_SECTION_OPTIONAL, 0, "x", 1);
}

static void extra_new_version(struct snap_writer *w)
{
	snap_put_section(w, SNAP_SEC_I8042, 2, 0, 0, "\1", 1);
}

static void extra_vcpu_out_of_range(struct snap_writer *w)
{
	struct kvm_fpu fpu = { 0 };

	snap_put_kvm(w, SNAP_SEC_FPU, NCPUS, &fpu, sizeof(fpu));
}

static void extra_lonely_blk(struct snap_writer *w)
{
	snap_put_section(w, SNAP_SEC_VIRTIO_BLK, 1, 0, 3, "", 0);
}

static void extra_array_into_struct(struct snap_writer *w)
{
	struct kvm_cpuid_entry2 e[2] = { 0 };

	snap_put_kvm_array(w, SNAP_SEC_FPU, 0, e, sizeof(e[0]), 0);
}

static void test_refuse_structure(void **state)
{
	uint8_t *buf;
	size_t len;
	unsigned base = 5 + 10 * NCPUS + 3;   /* the sections put_vm writes */

	(void)state;
	build(0, 0, extra_duplicate, &buf, &len);
	refused(buf, len, PREFIX "section 28 (i8042): a duplicate of section 26");
	free(buf);

	build(SNAP_SEC_LAPIC, 1, NULL, &buf, &len);
	refused(buf, len, PREFIX "missing section lapic of vCPU 1");
	free(buf);
	build(SNAP_SEC_PIT, 0, NULL, &buf, &len);
	refused(buf, len, PREFIX "missing section pit");
	free(buf);
	build(SNAP_SEC_SERIAL, 0, NULL, &buf, &len);
	refused(buf, len, PREFIX "missing section serial");
	free(buf);

	/* A KVM struct of another size: the kernel headers differ. */
	build(SNAP_SEC_REGS, 1, extra_short_regs, &buf, &len);
	refused(buf, len, PREFIX "section 27 (regs of vCPU 1): 136 bytes, this isolab-vmm's struct kvm_regs has 144");
	free(buf);
	build(0, 0, extra_array_into_struct, &buf, &len);
	refused(buf, len, PREFIX "section 28 (fpu of vCPU 0): 8 bytes, this isolab-vmm's struct kvm_fpu has 416");
	free(buf);

	build(0, 0, extra_unknown, &buf, &len);
	refused(buf, len, PREFIX "section 28: unknown type 999 (not marked optional)");
	free(buf);
	build(0, 0, extra_unknown_optional, &buf, &len);
	{
		struct snap_reader r;

		open_ok(&r, buf, len);
		assert_int_equal(r.nsections, base + 1);
	}
	free(buf);
	build(0, 0, extra_new_version, &buf, &len);
	refused(buf, len, PREFIX "section 28 (i8042): version 2, this isolab-vmm reads 1");
	free(buf);
	build(0, 0, extra_vcpu_out_of_range, &buf, &len);
	refused(buf, len, PREFIX "section 28 (fpu of vCPU 2): the snapshot has 2 vCPUs");
	free(buf);
	build(0, 0, extra_lonely_blk, &buf, &len);
	refused(buf, len, PREFIX "section virtio-blk of device 3 has no virtio-mmio section of device 3");
	free(buf);
}

/* Header fields a forger could set with the checksums made right. */
static void test_refuse_header_fields(void **state)
{
	size_t len;
	uint8_t *buf = good_file(&len);

	(void)state;
	isolab_put_le32(buf + 120, 0);
	reseal(buf, len);
	refused(buf, len, PREFIX "0 vCPUs, outside 1..256");
	free(buf);

	buf = good_file(&len);
	buf[112] = 1;     /* memory size not page-aligned */
	reseal(buf, len);
	refused(buf, len, PREFIX "guest memory of 268435457 bytes is not a whole number of 4 KiB pages");
	free(buf);

	buf = good_file(&len);
	isolab_put_le32(buf + 124, 5000);
	reseal(buf, len);
	refused(buf, len, PREFIX "5000 sections, at most 4096");
	free(buf);

	buf = good_file(&len);
	{
		char want[200];
		size_t at = 0;
		unsigned ordinal = 0;

		/* One section fewer counted than there are: the last is left over. */
		locate(buf, len, SNAP_SEC_DEBUGPORT, 0, &ordinal, &at);
		isolab_put_le32(buf + 124, isolab_get_le32(buf + 124) - 1);
		reseal(buf, len);
		snprintf(want, sizeof(want), PREFIX "%zu bytes between the last of the %u sections and the trailer",
			 len - SNAP_TRAILER_BYTES - at, ordinal);
		refused(buf, len, want);
	}
	free(buf);

	buf = good_file(&len);
	memset(buf + 24, 'v', 32);    /* version text without its NUL */
	reseal(buf, len);
	refused(buf, len, PREFIX "the VMM version field is not text");
	free(buf);

	buf = good_file(&len);
	buf[len - 16 + 7] = 'X';     /* ISOLABEX */
	reseal(buf, len);
	refused(buf, len, PREFIX "no ISOLABEN trailer after the sections");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c),
		cmocka_unit_test(test_section_names),
		cmocka_unit_test(test_serial_roundtrip),
		cmocka_unit_test(test_i8042_and_debugport_roundtrip),
		cmocka_unit_test(test_device_payloads_refused),
		cmocka_unit_test(test_virtio_blk_mid_queue),
		cmocka_unit_test(test_virtio_net_mid_queue),
		cmocka_unit_test(test_whole_file),
		cmocka_unit_test(test_refuse_magic_and_version),
		cmocka_unit_test(test_refuse_header_checksum),
		cmocka_unit_test(test_refuse_other_vmm_and_cpu),
		cmocka_unit_test(test_refuse_truncated_everywhere),
		cmocka_unit_test(test_refuse_flipped_payload_byte),
		cmocka_unit_test(test_refuse_file_checksum),
		cmocka_unit_test(test_refuse_length_past_end),
		cmocka_unit_test(test_refuse_structure),
		cmocka_unit_test(test_refuse_header_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
