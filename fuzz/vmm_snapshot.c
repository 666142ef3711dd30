/*
 * vmm_snapshot.c: libFuzzer target for the snapshot state file reader
 * (vmm/snapshot_format.c) and the load of every section it accepts into
 * the device models.
 *
 * Input: a mode byte, then
 *   mode bit 0 set:   the state file itself;
 *   mode bit 0 clear: edits to a valid file this target builds (two vCPUs,
 *                     every required section, a virtio-blk and a virtio-net
 *                     device with queues set up): 3-byte groups (le16
 *                     offset, modulo the file's length; a byte XORed in);
 *                     with mode bit 1, the checksums are then made right
 *                     again, so the edits reach the payload checks a
 *                     forged file meets; with mode bit 2, the file is also
 *                     cut to the length the first two edit bytes give.
 * The CRCs would otherwise stop nearly every mutation at the checksum.
 *
 * Invariants: the unedited file is accepted; an accepted file walks to its section count; every section
 * it holds loads or is refused with a message naming the file; what loads
 * is inside the models' bounds (ring addresses inside guest RAM, buffers
 * within their arrays); the loaded models saved again load to the same
 * state; and the accepted file, rewritten section by section, is the same
 * bytes.
 */
#include "fuzz/fuzz.h"
#include "common/le.h"

#include <string.h>
#include <linux/kvm.h>
#include "vmm/snapshot_format.h"

#define FILE_NAME "fuzz/state"
#define GUEST_RAM (64u << 10)
#define NCPUS 2

static uint8_t guest[GUEST_RAM];
static uint8_t scratch[SNAP_MAX_PAYLOAD];

static struct snap_identity identity(void)
{
	struct snap_identity id = { .vmm_version = "0.1", .mem_size = 1u << 20, .vcpus = NCPUS };

	memcpy(id.cpu.vendor, "AuthenticAMD", SNAP_CPU_VENDOR_BYTES);
	id.cpu.family = 25;
	id.cpu.model = 1;
	id.cpu.stepping = 1;
	return id;
}

static ssize_t no_io(void *h, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	(void)h, (void)iov, (void)iovcnt, (void)offset;
	return -5;
}

static int no_flush(void *h)
{
	(void)h;
	return 0;
}

static int no_frame(void *h, const struct iovec *iov, int iovcnt, size_t len)
{
	(void)h, (void)iov, (void)iovcnt, (void)len;
	return 0;
}

static void new_blk(struct virtio_blk *blk)
{
	struct virtio_blk_options opt = { .disk_bytes = 1u << 20,
					  .backend = { no_io, no_io, no_flush, NULL } };
	struct isolab_error err = { 0 };

	FUZZ_ASSERT(virtio_blk_init(blk, &opt, guest, GUEST_RAM, NULL, NULL, &err) == 0);
}

static void new_net(struct virtio_net *net)
{
	struct virtio_net_options opt = { .mac = { 0x52, 0x54, 0, 1, 2, 3 }, .mtu = 1500,
					  .backend = { no_frame, NULL } };
	struct isolab_error err = { 0 };

	FUZZ_ASSERT(virtio_net_init(net, &opt, guest, GUEST_RAM, NULL, NULL, &err) == 0);
}

static void wr32(struct virtio_mmio *m, uint32_t off, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	virtio_mmio_write(m, off, b, 4);
}

/* A driver's set-up: features, then queue q at base. */
static void drive(struct virtio_mmio *m, uint64_t features, unsigned nq, uint32_t base)
{
	wr32(m, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr32(m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr32(m, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	wr32(m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr32(m, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr32(m, VIRTIO_MMIO_STATUS, 0xb);
	for (unsigned q = 0; q < nq; q++) {
		uint32_t at = base + q * 0x2000;

		wr32(m, VIRTIO_MMIO_QUEUE_SEL, q);
		wr32(m, VIRTIO_MMIO_QUEUE_NUM, 64);
		wr32(m, VIRTIO_MMIO_QUEUE_DESC_LOW, at);
		wr32(m, VIRTIO_MMIO_QUEUE_DRIVER_LOW, at + 0x400);
		wr32(m, VIRTIO_MMIO_QUEUE_DEVICE_LOW, at + 0x800);
		wr32(m, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	wr32(m, VIRTIO_MMIO_STATUS, 0xf);
}

/* The valid file the edits start from. */
static uint8_t *base_file(size_t *len)
{
	static uint8_t *file;
	static size_t file_len;
	static const uint32_t vm_types[] = { SNAP_SEC_CLOCK, SNAP_SEC_PIC_MASTER, SNAP_SEC_PIC_SLAVE,
					     SNAP_SEC_IOAPIC, SNAP_SEC_PIT };
	static const size_t vm_sizes[] = { sizeof(struct kvm_clock_data), sizeof(struct kvm_irqchip),
					   sizeof(struct kvm_irqchip), sizeof(struct kvm_irqchip),
					   sizeof(struct kvm_pit_state2) };
	static const uint32_t vcpu_types[] = { SNAP_SEC_REGS, SNAP_SEC_SREGS, SNAP_SEC_XSAVE, SNAP_SEC_XCRS,
					       SNAP_SEC_LAPIC, SNAP_SEC_MP_STATE, SNAP_SEC_DEBUGREGS,
					       SNAP_SEC_EVENTS };
	static const size_t vcpu_sizes[] = { sizeof(struct kvm_regs), sizeof(struct kvm_sregs),
					     sizeof(struct kvm_xsave), sizeof(struct kvm_xcrs),
					     sizeof(struct kvm_lapic_state), sizeof(struct kvm_mp_state),
					     sizeof(struct kvm_debugregs), sizeof(struct kvm_vcpu_events) };
	static struct virtio_blk blk;
	static struct virtio_net net;
	struct snap_identity id = identity();
	struct snap_writer w;
	struct serial s;
	struct i8042 k = { true };
	struct debugport d = { 0 };
	struct kvm_msr_entry msrs[3] = { { 0x10, 0, 12345 }, { 0x174, 0, 16 }, { 0xc0000080, 0, 0xd01 } };
	struct kvm_cpuid_entry2 cpuid[2] = { { 0 } };
	struct isolab_error err = { 0 };

	if (file) {
		*len = file_len;
		return file;
	}
	serial_init(&s);
	serial_write(&s, UART_IER, UART_IER_RDI);
	serial_rx_push(&s, (const uint8_t *)"ls\n", 3);
	serial_write(&s, UART_TX, '$');
	for (const char *p = "boot\nrea"; *p; p++)
		debugport_write(&d, ISOLAB_PORT_MARKER, (uint8_t)*p, 7);
	new_blk(&blk);
	drive(&blk.mmio, 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_BLK_F_FLUSH, 1, 0x1000);
	new_net(&net);
	drive(&net.mmio, 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_NET_F_MAC, 2, 0x4000);

	snap_writer_init(&w, &id);
	memset(scratch, 0x5a, sizeof(struct kvm_xsave));
	for (unsigned i = 0; i < 5; i++)
		snap_put_kvm(&w, vm_types[i], 0, scratch, vm_sizes[i]);
	for (uint32_t v = 0; v < NCPUS; v++) {
		snap_put_kvm_array(&w, SNAP_SEC_CPUID, v, cpuid, sizeof(cpuid[0]), 2);
		snap_put_kvm_array(&w, SNAP_SEC_MSRS, v, msrs, sizeof(msrs[0]), 3);
		for (unsigned i = 0; i < sizeof(vcpu_types) / sizeof(vcpu_types[0]); i++)
			snap_put_kvm(&w, vcpu_types[i], v, scratch, vcpu_sizes[i]);
	}
	snap_put_serial(&w, &s);
	snap_put_i8042(&w, &k);
	snap_put_debugport(&w, &d);
	snap_put_virtio_blk(&w, 0, &blk);
	snap_put_virtio_net(&w, 1, &net);
	FUZZ_ASSERT(snap_writer_finish(&w, &file, &file_len, &err) == 0);
	*len = file_len;
	return file;
}


/* Checksums made right for whatever the edits left (bounds are checked
 * here too: the lengths may be anything). */
static void reseal(uint8_t *b, size_t len)
{
	size_t off = SNAP_HEADER_BYTES, end;

	if (len < SNAP_HEADER_BYTES + SNAP_TRAILER_BYTES)
		return;
	isolab_put_le32(b + 132, snap_crc32c(0, b, 132));
	end = len - SNAP_TRAILER_BYTES;
	while (end - off >= SNAP_SECTION_HEADER_BYTES) {
		uint32_t n = isolab_get_le32(b + off + 12);

		if (n > end - off - SNAP_SECTION_HEADER_BYTES)
			break;
		isolab_put_le32(b + off + 16, snap_crc32c(snap_crc32c(0, b + off, 16), b + off + SNAP_SECTION_HEADER_BYTES, n));
		off += SNAP_SECTION_HEADER_BYTES + n;
	}
	isolab_put_le32(b + len - 4, snap_crc32c(0, b, len - 4));
}

/* A refusal names the file. */
static void refused_ok(int rc, const struct isolab_error *err)
{
	FUZZ_ASSERT(rc < 0);
	FUZZ_ASSERT(strncmp(err->msg, "snapshot `" FILE_NAME "`: ", strlen("snapshot `" FILE_NAME "`: ")) == 0);
}

static void check_virtq(const struct virtio_mmio *m)
{
	for (unsigned i = 0; i < m->ops->num_queues; i++) {
		const struct virtq *q = &m->queues[i].vq;

		if (!m->queues[i].ready)
			continue;
		FUZZ_ASSERT(q->num && !(q->num & (q->num - 1)) && q->num <= m->ops->queue_num_max);
		FUZZ_ASSERT(virtq_guest_range(guest, GUEST_RAM, q->desc_gpa, VIRTQ_DESC_BYTES(q->num)));
		FUZZ_ASSERT(virtq_guest_range(guest, GUEST_RAM, q->avail_gpa, VIRTQ_AVAIL_BYTES(q->num)));
		FUZZ_ASSERT(virtq_guest_range(guest, GUEST_RAM, q->used_gpa, VIRTQ_USED_BYTES(q->num)));
	}
}

/* Saved again, a loaded model loads to the same fields. */
static void serial_again(const struct serial *s)
{
	struct snap_identity id = identity();
	struct snap_writer w;
	struct snap_section sec;
	struct serial t;
	struct isolab_error err = { 0 };
	uint8_t *buf;
	size_t len;

	snap_writer_init(&w, &id);
	snap_put_serial(&w, s);
	if (snap_writer_finish(&w, &buf, &len, &err) < 0)
		return;
	sec = (struct snap_section){ SNAP_SEC_SERIAL, 1, 0, 0, buf + SNAP_HEADER_BYTES + SNAP_SECTION_HEADER_BYTES,
				     isolab_get_le32(buf + SNAP_HEADER_BYTES + 12), FILE_NAME };
	FUZZ_ASSERT(snap_get_serial(&sec, &t, &err) == 0);
	FUZZ_ASSERT(t.rx_count == s->rx_count && t.out_len == s->out_len && t.ier == s->ier && t.lcr == s->lcr);
	FUZZ_ASSERT(memcmp(t.rx, s->rx, s->rx_count) == 0 && memcmp(t.out, s->out, s->out_len) == 0);
	free(buf);
}

/* Every section of an accepted file: loaded, or refused with a message. */
static void load_all(const struct snap_reader *r)
{
	static struct virtio_blk blk;
	static struct virtio_net net;
	struct snap_section s;
	struct isolab_error err = { 0 };
	size_t off = 0;
	uint32_t count = 0, n;
	int rc;

	while (snap_next(r, &off, &s)) {
		count++;
		switch (s.type) {
		case SNAP_SEC_SERIAL: {
			struct serial u;

			serial_init(&u);
			rc = snap_get_serial(&s, &u, &err);
			if (rc == 0) {
				FUZZ_ASSERT(u.rx_count <= SERIAL_RX_SIZE && u.out_len <= SERIAL_OUT_SIZE);
				serial_again(&u);
			} else {
				refused_ok(rc, &err);
			}
			break;
		}
		case SNAP_SEC_I8042: {
			struct i8042 k;

			rc = snap_get_i8042(&s, &k, &err);
			if (rc < 0)
				refused_ok(rc, &err);
			break;
		}
		case SNAP_SEC_DEBUGPORT: {
			struct debugport d;

			rc = snap_get_debugport(&s, &d, &err);
			if (rc == 0) {
				FUZZ_ASSERT(d.nmarkers <= DEBUGPORT_MAX_MARKERS && d.name_len <= ISOLAB_MARKER_NAME_MAX);
				for (unsigned i = 0; i < d.nmarkers; i++)
					FUZZ_ASSERT(strlen(d.markers[i].name) <= ISOLAB_MARKER_NAME_MAX);
			} else {
				refused_ok(rc, &err);
			}
			break;
		}
		case SNAP_SEC_VIRTIO_BLK:
			new_blk(&blk);
			rc = snap_get_virtio_blk(r, s.index, &blk, &err);
			if (rc == 0)
				check_virtq(&blk.mmio);
			else
				refused_ok(rc, &err);
			break;
		case SNAP_SEC_VIRTIO_NET:
			new_net(&net);
			rc = snap_get_virtio_net(r, s.index, &net, &err);
			if (rc == 0)
				check_virtq(&net.mmio);
			else
				refused_ok(rc, &err);
			break;
		case SNAP_SEC_VIRTIO_MMIO:
			break;   /* with its device */
		case SNAP_SEC_MSRS:
		case SNAP_SEC_CPUID:
			rc = snap_get_kvm_array(&s, scratch, s.type == SNAP_SEC_MSRS ? sizeof(struct kvm_msr_entry)
						: sizeof(struct kvm_cpuid_entry2), SNAP_MAX_MSRS, &n, &err);
			FUZZ_ASSERT(rc == 0);   /* the reader checked its layout */
			break;
		default:
			if (s.type >= SNAP_SEC_CLOCK && s.type <= SNAP_SEC_EVENTS && strcmp(snap_section_name(s.type), "unknown") != 0)
				FUZZ_ASSERT(snap_get_kvm(&s, scratch, s.len, &err) == 0);
			break;
		}
	}
	FUZZ_ASSERT(count == r->nsections);
}

/* The accepted file rewritten section by section is the same bytes. */
static void rewrite_same(const struct snap_reader *r, const uint8_t *data, size_t size)
{
	struct snap_writer w;
	struct snap_section s;
	struct isolab_error err = { 0 };
	size_t off = 0, len;
	uint8_t *buf;

	snap_writer_init(&w, &r->id);
	while (snap_next(r, &off, &s))
		snap_put_section(&w, s.type, s.version, s.flags, s.index, s.payload, s.len);
	if (snap_writer_finish(&w, &buf, &len, &err) < 0)
		return;
	FUZZ_ASSERT(len == size && memcmp(buf, data, size) == 0);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snap_identity expect = identity();
	struct snap_reader r;
	struct isolab_error err = { 0 };
	uint8_t *file;
	size_t len;
	int rc;

	if (size && (data[0] & 1)) {
		len = size - 1;
		file = malloc(len ? len : 1);
		if (!file)
			return 0;
		memcpy(file, data + 1, len);
	} else {
		size_t base_len;
		const uint8_t *base = base_file(&base_len);
		uint8_t mode = size ? data[0] : 0;

		len = base_len;
		file = malloc(len);
		if (!file)
			return 0;
		memcpy(file, base, len);
		for (size_t i = 1; i + 3 <= size; i += 3)
			file[(data[i] | (size_t)data[i + 1] << 8) % len] ^= data[i + 2];
		if (mode & 4 && size >= 3)
			len = (data[1] | (size_t)data[2] << 8) % len;
		if (mode & 2)
			reseal(file, len);
	}
	/* Any memory size and vCPU count: the reader takes the snapshot's. */
	expect.mem_size = 0;
	expect.vcpus = 0;
	rc = snap_reader_open(&r, file, len, FILE_NAME, &expect, &err);
	if (size <= 1 && !(size && (data[0] & 1)))
		FUZZ_ASSERT(rc == 0);   /* the valid file, unedited */
	if (rc == 0) {
		load_all(&r);
		rewrite_same(&r, file, len);
	} else {
		refused_ok(rc, &err);
	}
	free(file);
	return 0;
}
