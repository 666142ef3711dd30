/*
 * test_virtio.c: unit tests of isolab-vmm's virtio models (no /dev/kvm):
 * the virtio-mmio registers and FEATURES_OK handshake, the split
 * virtqueue against hostile rings and descriptors, and virtio-blk
 * requests served from an in-memory disk. Guest RAM is a malloc'd
 * buffer; the driver of virtio_driver.h lays out rings and descriptors as
 * Linux's virtio_ring.c would, and talks to the device through its
 * registers (the one-line wrappers below bind it to this test's guest).
 */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <cmocka.h>

#include "vmm/virtio_blk.h"
#include "vmm/virtio_mmio.h"
#include "vmm/virtq.h"
#include "vmm/tests/virtio_driver.h"

#define MEM_SIZE   (1u << 20)
#define DISK_SIZE  (64u * 512 + 100)   /* 64 sectors and a partial one, never visible */
#define DESC_GPA   0x1000
#define AVAIL_GPA  0x2000
#define USED_GPA   0x3000
#define HDR_GPA    0x8000
#define STATUS_GPA 0x8100
#define DATA_GPA   0x10000
#define NUM        VIRTIO_BLK_QUEUE_SIZE

/* The in-memory disk. */
struct memdisk {
	uint8_t bytes[DISK_SIZE];
	unsigned reads, writes, flushes;
	int fail;              /* next I/O returns this when negative */
	size_t max_chunk;      /* > 0: transfer at most this many bytes per call (short I/O) */
};

static ssize_t memdisk_io(struct memdisk *d, const struct iovec *iov, int iovcnt, uint64_t offset, bool write)
{
	size_t done = 0;

	if (d->fail < 0) {
		int r = d->fail;
		d->fail = 0;
		return r;
	}
	for (int i = 0; i < iovcnt; i++) {
		size_t n = iov[i].iov_len;

		if (d->max_chunk && n > d->max_chunk - done)
			n = d->max_chunk - done;
		/* the device must never ask past the capacity */
		assert_true(offset + done + n <= DISK_SIZE / 512 * 512);
		if (write)
			memcpy(d->bytes + offset + done, iov[i].iov_base, n);
		else
			memcpy(iov[i].iov_base, d->bytes + offset + done, n);
		done += n;
		if (d->max_chunk && done == d->max_chunk)
			break;
	}
	return (ssize_t)done;
}

static ssize_t memdisk_preadv(void *h, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	((struct memdisk *)h)->reads++;
	return memdisk_io(h, iov, iovcnt, offset, false);
}

static ssize_t memdisk_pwritev(void *h, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	((struct memdisk *)h)->writes++;
	return memdisk_io(h, iov, iovcnt, offset, true);
}

static int memdisk_flush(void *h)
{
	struct memdisk *d = h;

	d->flushes++;
	if (d->fail < 0) {
		int r = d->fail;
		d->fail = 0;
		return r;
	}
	return 0;
}

/* The test's guest: its RAM, the device, and the driver's state. */
struct guest {
	uint8_t *mem;
	struct memdisk disk;
	struct virtio_blk blk;
	unsigned irq_raised, irq_lowered;
	bool irq_level;
	struct vdrv_queue q;     /* the request queue, driver side */
};

static void irq(void *opaque, bool level)
{
	struct guest *g = opaque;

	if (level)
		g->irq_raised++;
	else
		g->irq_lowered++;
	g->irq_level = level;
}

static uint32_t rd(struct guest *g, uint32_t off) { return vdrv_rd(&g->blk.mmio, off); }
static void wr(struct guest *g, uint32_t off, uint32_t v) { vdrv_wr(&g->blk.mmio, off, v); }

static struct guest *new_guest(bool read_only)
{
	struct guest *g = calloc(1, sizeof(*g));
	struct isolab_error err = { 0 };
	struct virtio_blk_options opt = {
		.disk_bytes = DISK_SIZE,
		.read_only = read_only,
		.serial = "isolab-test-disk",
		.backend = { memdisk_preadv, memdisk_pwritev, memdisk_flush, NULL },
	};

	assert_non_null(g);
	g->mem = calloc(1, MEM_SIZE);
	assert_non_null(g->mem);
	opt.backend.handle = &g->disk;
	g->q = (struct vdrv_queue){ NUM, DESC_GPA, AVAIL_GPA, USED_GPA, 0 };
	for (unsigned i = 0; i < DISK_SIZE; i++)
		g->disk.bytes[i] = (uint8_t)(i * 7 + i / 512);
	assert_int_equal(virtio_blk_init(&g->blk, &opt, g->mem, MEM_SIZE, irq, g, &err), 0);
	return g;
}

static int setup_rw(void **state) { *state = new_guest(false); return 0; }
static int setup_ro(void **state) { *state = new_guest(true); return 0; }

static int teardown(void **state)
{
	struct guest *g = *state;

	free(g->mem);
	free(g);
	return 0;
}

static uint32_t negotiate(struct guest *g, uint64_t features) { return vdrv_negotiate(&g->blk.mmio, features); }
static uint64_t device_features(struct guest *g) { return vdrv_device_features(&g->blk.mmio); }

static void queue_addresses(struct guest *g, uint32_t num, uint64_t desc, uint64_t avail, uint64_t used)
{
	vdrv_queue_addresses(&g->blk.mmio, 0, num, desc, avail, used);
}

/* The whole driver initialisation (3.1.1) with these features. */
static void driver_start(struct guest *g, uint64_t features)
{
	assert_int_equal(negotiate(g, features) & VIRTIO_STATUS_FEATURES_OK, VIRTIO_STATUS_FEATURES_OK);
	queue_addresses(g, NUM, DESC_GPA, AVAIL_GPA, USED_GPA);
	assert_int_equal(rd(g, VIRTIO_MMIO_QUEUE_NUM_MAX), NUM);
	wr(g, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(g, VIRTIO_MMIO_QUEUE_READY), 1);
	wr(g, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	   VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(rd(g, VIRTIO_MMIO_STATUS), 0xf);
	g->q.avail_idx = 0;
}

#define F_DEFAULT (1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_BLK_F_FLUSH | \
		   1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE)

/* Guest memory, little-endian. */
static void put16(struct guest *g, uint64_t gpa, uint16_t v) { vdrv_put16(g->mem, gpa, v); }
static void put32(struct guest *g, uint64_t gpa, uint32_t v) { vdrv_put32(g->mem, gpa, v); }
static void put64(struct guest *g, uint64_t gpa, uint64_t v) { vdrv_put64(g->mem, gpa, v); }
static uint16_t get16(struct guest *g, uint64_t gpa) { return vdrv_get16(g->mem, gpa); }
static uint32_t get32(struct guest *g, uint64_t gpa) { return vdrv_get32(g->mem, gpa); }

static void put_desc(struct guest *g, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	vdrv_put_desc(g->mem, &g->q, i, addr, len, flags, next);
}

/* Makes descriptors first.. a chain of segs, offers its head, kicks. */
static void offer_at(struct guest *g, unsigned first, const struct vdrv_seg *segs, unsigned n)
{
	vdrv_offer_at(g->mem, &g->q, first, segs, n);
	wr(g, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

static void offer(struct guest *g, const struct vdrv_seg *segs, unsigned n)
{
	offer_at(g, 0, segs, n);
}

static void header(struct guest *g, uint32_t type, uint64_t sector)
{
	put32(g, HDR_GPA, type);
	put32(g, HDR_GPA + 4, 0);
	put64(g, HDR_GPA + 8, sector);
}

/* One request: header, optional data, status; returns the status byte. */
static uint8_t request(struct guest *g, uint32_t type, uint64_t sector, uint32_t data_len, bool data_writable)
{
	struct vdrv_seg s[3];
	unsigned n = 0;

	header(g, type, sector);
	g->mem[STATUS_GPA] = 0xee;
	s[n++] = (struct vdrv_seg){ HDR_GPA, VIRTIO_BLK_HDR_BYTES, 0 };
	if (data_len)
		s[n++] = (struct vdrv_seg){ DATA_GPA, data_len, data_writable ? VIRTQ_DESC_F_WRITE : 0 };
	s[n++] = (struct vdrv_seg){ STATUS_GPA, 1, VIRTQ_DESC_F_WRITE };
	offer(g, s, n);
	return g->mem[STATUS_GPA];
}

static uint16_t used_idx(struct guest *g) { return vdrv_used_idx(g->mem, &g->q); }
/* The used element of the request just answered. */
static uint32_t last_used_len(struct guest *g) { return vdrv_last_used_len(g->mem, &g->q); }
static uint32_t last_used_id(struct guest *g) { return vdrv_last_used_id(g->mem, &g->q); }

static void assert_needs_reset(struct guest *g, const char *msg)
{
	assert_true(rd(g, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	assert_string_equal(g->blk.mmio.last_error.msg, msg);
}

/* --- the virtqueue alone ------------------------------------------------ */

static void test_virtq_small_queue(void **state)
{
	struct guest *g = *state;
	struct virtq q;
	struct virtq_chain chain;
	struct isolab_error err = { 0 };
	uint8_t buf[8];

	assert_int_equal(virtq_setup(&q, g->mem, MEM_SIZE, 4, 4, DESC_GPA, AVAIL_GPA, USED_GPA, &err), 0);
	assert_int_equal(virtq_pop(&q, &chain, &err), 0);   /* empty */
	/* A chain through all four descriptors is the longest allowed. */
	put_desc(g, 2, 0x100, 3, VIRTQ_DESC_F_NEXT, 0);
	put_desc(g, 0, 0x200, 2, VIRTQ_DESC_F_NEXT, 3);
	put_desc(g, 3, 0x300, 4, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	put_desc(g, 1, 0x400, 5, VIRTQ_DESC_F_WRITE, 0);
	memcpy(g->mem + 0x100, "abc", 3);
	memcpy(g->mem + 0x200, "de", 2);
	put16(g, AVAIL_GPA + 4, 2);
	put16(g, AVAIL_GPA + 2, 1);
	assert_int_equal(virtq_pop(&q, &chain, &err), 1);
	assert_int_equal(chain.head, 2);
	assert_int_equal(chain.nseg, 4);
	assert_int_equal(chain.readable_bytes, 5);
	assert_int_equal(chain.writable_bytes, 9);
	assert_int_equal(chain.seg[2].gpa, 0x300);
	assert_ptr_equal(chain.seg[2].host, g->mem + 0x300);
	assert_true(chain.seg[2].writable);
	/* The chain as one stream of bytes, each way. */
	assert_int_equal(virtq_chain_read(&chain, 1, buf, 8), 4);
	assert_memory_equal(buf, "bcde", 4);
	assert_int_equal(virtq_chain_write(&chain, 2, "0123456789", 10), 7);
	assert_memory_equal(g->mem + 0x302, "01", 2);
	assert_memory_equal(g->mem + 0x400, "23456", 5);
	virtq_push(&q, chain.head, 9);
	assert_int_equal(get16(g, USED_GPA + 2), 1);
	assert_int_equal(get32(g, USED_GPA + 4), 2);
	assert_int_equal(get32(g, USED_GPA + 8), 9);
	assert_true(virtq_should_notify(&q));
	/* Five steps in a four-entry table: a loop, then the queue stays broken. */
	put_desc(g, 1, 0x400, 5, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	put16(g, AVAIL_GPA + 6, 2);
	put16(g, AVAIL_GPA + 2, 2);
	assert_int_equal(virtq_pop(&q, &chain, &err), -EIO);
	assert_string_equal(err.msg, "virtqueue: chain from descriptor 2 is longer than the queue size 4 (a loop)");
	assert_int_equal(virtq_pop(&q, &chain, &err), -EIO);
	assert_string_equal(err.msg, "virtqueue: broken by an earlier request, waiting for a reset");
	virtq_reset(&q);
	assert_int_equal(virtq_pop(&q, &chain, &err), 0);
	assert_false(virtq_should_notify(&q));
	/* Guest RAM ranges, at the edges and past 2^64. */
	assert_ptr_equal(virtq_guest_range(g->mem, MEM_SIZE, MEM_SIZE, 0), g->mem + MEM_SIZE);
	assert_null(virtq_guest_range(g->mem, MEM_SIZE, MEM_SIZE + 1, 0));
	assert_null(virtq_guest_range(g->mem, MEM_SIZE, 1, UINT64_MAX));
	assert_null(virtq_guest_range(g->mem, MEM_SIZE, UINT64_MAX, 2));
}

/* --- the transport ------------------------------------------------------ */

static void test_identity_and_features(void **state)
{
	struct guest *g = *state;
	uint64_t f = device_features(g);

	assert_int_equal(rd(g, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(rd(g, VIRTIO_MMIO_VERSION), 2);
	assert_int_equal(rd(g, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	assert_int_equal(rd(g, VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR);
	assert_int_equal(f, F_DEFAULT | 1ull << VIRTIO_BLK_F_SIZE_MAX);
	wr(g, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	assert_int_equal(rd(g, VIRTIO_MMIO_DEVICE_FEATURES), 0);
	assert_int_equal(rd(g, VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(rd(g, VIRTIO_MMIO_QUEUE_READY), 0);
	wr(g, VIRTIO_MMIO_QUEUE_SEL, 1);   /* one queue only */
	assert_int_equal(rd(g, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	wr(g, VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(g, VIRTIO_MMIO_QUEUE_NUM_MAX), NUM);
}

static void test_features_ok_handshake(void **state)
{
	struct guest *g = *state;

	/* A legacy driver (no VERSION_1) is refused: FEATURES_OK stays clear. */
	assert_int_equal(negotiate(g, 1ull << VIRTIO_BLK_F_FLUSH), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	assert_string_equal(g->blk.mmio.last_error.msg,
			    "virtio-blk: driver features 0x200 lack VIRTIO_F_VERSION_1 (a legacy driver; this device is modern only)");
	/* DRIVER_OK without FEATURES_OK is not taken either. */
	wr(g, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(rd(g, VIRTIO_MMIO_STATUS), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	assert_string_equal(g->blk.mmio.last_error.msg, "virtio-blk: DRIVER_OK without FEATURES_OK");
	/* A feature never offered: read-only on a writable disk, indirect descriptors. */
	assert_int_equal(negotiate(g, F_DEFAULT | 1ull << VIRTIO_BLK_F_RO) & VIRTIO_STATUS_FEATURES_OK, 0);
	assert_string_equal(g->blk.mmio.last_error.msg,
			    "virtio-blk: driver features 0x100000264 include 0x20, never offered");
	assert_int_equal(negotiate(g, F_DEFAULT | 1ull << VIRTIO_F_INDIRECT_DESC) & VIRTIO_STATUS_FEATURES_OK, 0);
	assert_int_equal(g->blk.mmio.refusals, 4);
	/* Accepted; the features cannot change any more. */
	assert_int_equal(negotiate(g, F_DEFAULT), 0xb);
	assert_true(virtio_mmio_negotiated(&g->blk.mmio, VIRTIO_BLK_F_FLUSH));
	assert_false(virtio_mmio_negotiated(&g->blk.mmio, VIRTIO_BLK_F_SIZE_MAX));
	wr(g, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(g, VIRTIO_MMIO_DRIVER_FEATURES, 0);
	assert_true(virtio_mmio_negotiated(&g->blk.mmio, VIRTIO_BLK_F_FLUSH));
	/* A status bit cleared without a reset is ignored; 0 resets. */
	wr(g, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	assert_int_equal(rd(g, VIRTIO_MMIO_STATUS), 0xb);
	wr(g, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(rd(g, VIRTIO_MMIO_STATUS), 0);
	assert_false(virtio_mmio_negotiated(&g->blk.mmio, VIRTIO_BLK_F_FLUSH));
}

static void test_access_widths(void **state)
{
	struct guest *g = *state;
	uint8_t b[8];
	uint64_t v;

	/* Config space: capacity as one 64-bit and as two 32-bit reads; bytes. */
	virtio_mmio_read(&g->blk.mmio, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY, b, 8);
	memcpy(&v, b, 8);
	assert_int_equal(le64toh(v), 64);
	assert_int_equal(rd(g, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY), 64);
	assert_int_equal(rd(g, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY + 4), 0);
	assert_int_equal(rd(g, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_SEG_MAX), NUM - 2);
	assert_int_equal(rd(g, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_SIZE_MAX), 1u << 20);
	assert_int_equal(rd(g, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_BLK_SIZE), 512);
	virtio_mmio_read(&g->blk.mmio, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_BLK_SIZE + 1, b, 1);
	assert_int_equal(b[0], 2);
	virtio_mmio_read(&g->blk.mmio, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_BLK_SIZE, b, 2);
	assert_int_equal(b[0] | b[1] << 8, 512);
	assert_int_equal(rd(g, VIRTIO_MMIO_CONFIG + 0xfc), 0);   /* past the fields */
	assert_int_equal(rd(g, VIRTIO_MMIO_CONFIG_GENERATION), 0);
	assert_int_equal(g->blk.mmio.bad_accesses, 0);

	/* Not allowed: unaligned config, 16-bit or unaligned registers,
	 * read-only registers written, write-only registers read, config writes. */
	memset(b, 0xaa, sizeof(b));
	virtio_mmio_read(&g->blk.mmio, VIRTIO_MMIO_CONFIG + 2, b, 4);
	assert_int_equal(b[0] | b[1] | b[2] | b[3], 0);
	virtio_mmio_read(&g->blk.mmio, VIRTIO_MMIO_MAGIC_VALUE, b, 2);
	assert_int_equal(b[0] | b[1], 0);
	virtio_mmio_read(&g->blk.mmio, VIRTIO_MMIO_MAGIC_VALUE + 1, b, 4);
	virtio_mmio_read(&g->blk.mmio, VIRTIO_MMIO_MAGIC_VALUE, b, 8);
	b[0] = 1;
	virtio_mmio_write(&g->blk.mmio, VIRTIO_MMIO_STATUS, b, 1);
	assert_int_equal(rd(g, VIRTIO_MMIO_STATUS), 0);
	wr(g, VIRTIO_MMIO_MAGIC_VALUE, 0);
	assert_int_equal(rd(g, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(rd(g, VIRTIO_MMIO_QUEUE_NOTIFY), 0);
	wr(g, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY, 1);
	assert_int_equal(rd(g, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY), 64);
	virtio_mmio_read(&g->blk.mmio, VIRTIO_MMIO_CONFIG, b, 3);
	assert_int_equal(g->blk.mmio.bad_accesses, 9);
}

static void test_queue_setup_refused(void **state)
{
	struct guest *g = *state;
	static const struct {
		uint32_t num;
		uint64_t desc, avail, used;
		const char *msg;
	} bad[] = {
		{ NUM, MEM_SIZE - 16, AVAIL_GPA, USED_GPA,
		  "virtio-blk: queue 0: virtqueue descriptor table at 0xffff0 (4096 bytes) lies outside guest RAM (0x100000 bytes)" },
		{ NUM, DESC_GPA, MEM_SIZE - 2, USED_GPA,
		  "virtio-blk: queue 0: virtqueue available ring at 0xffffe (518 bytes) lies outside guest RAM (0x100000 bytes)" },
		{ NUM, DESC_GPA, AVAIL_GPA, 0xfffffffffffffff0ull,
		  "virtio-blk: queue 0: virtqueue used ring at 0xfffffffffffffff0 (2054 bytes) lies outside guest RAM (0x100000 bytes)" },
		{ NUM, DESC_GPA + 8, AVAIL_GPA, USED_GPA,
		  "virtio-blk: queue 0: virtqueue descriptor table at 0x1008 is not 16-byte aligned" },
		{ NUM, DESC_GPA, AVAIL_GPA + 1, USED_GPA,
		  "virtio-blk: queue 0: virtqueue available ring at 0x2001 is not 2-byte aligned" },
		{ NUM, DESC_GPA, AVAIL_GPA, USED_GPA + 2,
		  "virtio-blk: queue 0: virtqueue used ring at 0x3002 is not 4-byte aligned" },
		{ 100, DESC_GPA, AVAIL_GPA, USED_GPA,
		  "virtio-blk: queue 0: virtqueue size 100 is not a power of two in 1..256" },
		{ 512, DESC_GPA, AVAIL_GPA, USED_GPA,
		  "virtio-blk: queue 0: virtqueue size 512 is not a power of two in 1..256" },
		{ 0, DESC_GPA, AVAIL_GPA, USED_GPA,
		  "virtio-blk: queue 0: virtqueue size 0 is not a power of two in 1..256" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(negotiate(g, F_DEFAULT), 0xb);
		queue_addresses(g, bad[i].num, bad[i].desc, bad[i].avail, bad[i].used);
		wr(g, VIRTIO_MMIO_QUEUE_READY, 1);
		assert_int_equal(rd(g, VIRTIO_MMIO_QUEUE_READY), 0);
		assert_needs_reset(g, bad[i].msg);
	}
	/* After a reset the same device takes a good set-up; while ready, the
	 * addresses cannot move; QueueReady 0 stops the queue. */
	driver_start(g, F_DEFAULT);
	wr(g, VIRTIO_MMIO_QUEUE_DESC_LOW, MEM_SIZE - 16);
	assert_int_equal(rd(g, VIRTIO_MMIO_QUEUE_DESC_LOW), DESC_GPA);
	assert_non_null(virtio_mmio_queue(&g->blk.mmio, 0));
	wr(g, VIRTIO_MMIO_QUEUE_READY, 0);
	assert_int_equal(rd(g, VIRTIO_MMIO_QUEUE_READY), 0);
	assert_null(virtio_mmio_queue(&g->blk.mmio, 0));
	/* A smaller power of two is fine. */
	driver_start(g, F_DEFAULT);
	wr(g, VIRTIO_MMIO_QUEUE_READY, 0);
	wr(g, VIRTIO_MMIO_QUEUE_NUM, 1);
	wr(g, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(g, VIRTIO_MMIO_QUEUE_READY), 1);
}

/* --- virtio-blk requests ------------------------------------------------ */

static void test_read_write_roundtrip(void **state)
{
	struct guest *g = *state;

	driver_start(g, F_DEFAULT);
	for (unsigned i = 0; i < 1024; i++)
		g->mem[DATA_GPA + i] = (uint8_t)(0x5a ^ i);
	assert_int_equal(request(g, VIRTIO_BLK_T_OUT, 3, 1024, false), VIRTIO_BLK_S_OK);
	assert_int_equal(used_idx(g), 1);
	assert_int_equal(last_used_id(g), 0);
	assert_int_equal(last_used_len(g), 1);
	assert_memory_equal(g->disk.bytes + 3 * 512, g->mem + DATA_GPA, 1024);
	assert_int_equal(g->disk.bytes[5 * 512], (uint8_t)(5 * 512 * 7 + 5));   /* untouched after */
	assert_int_equal(g->disk.flushes, 0);   /* FLUSH negotiated: write-back */

	memset(g->mem + DATA_GPA, 0, 2048);
	assert_int_equal(request(g, VIRTIO_BLK_T_IN, 2, 2048, true), VIRTIO_BLK_S_OK);
	assert_int_equal(used_idx(g), 2);
	assert_int_equal(last_used_len(g), 2048 + 1);
	assert_memory_equal(g->mem + DATA_GPA, g->disk.bytes + 2 * 512, 2048);
	assert_int_equal(g->mem[DATA_GPA + 512], (uint8_t)0x5a);   /* sector 3, as written */
	assert_int_equal(g->disk.reads, 1);
	assert_int_equal(g->disk.writes, 1);
	assert_int_equal(g->blk.stats.bytes_read, 2048);
	assert_int_equal(g->blk.stats.bytes_written, 1024);

	/* The last sector, exactly. */
	assert_int_equal(request(g, VIRTIO_BLK_T_IN, 63, 512, true), VIRTIO_BLK_S_OK);
	assert_memory_equal(g->mem + DATA_GPA, g->disk.bytes + 63 * 512, 512);
}

static void test_any_layout_and_short_io(void **state)
{
	struct guest *g = *state;
	struct vdrv_seg s[4];

	driver_start(g, F_DEFAULT);
	/* Header split in two; data and status in one writable descriptor;
	 * the backend moving 100 bytes a call. */
	header(g, VIRTIO_BLK_T_IN, 1);
	g->disk.max_chunk = 100;
	s[0] = (struct vdrv_seg){ HDR_GPA, 10, 0 };
	s[1] = (struct vdrv_seg){ HDR_GPA + 10, 6, 0 };
	s[2] = (struct vdrv_seg){ DATA_GPA, 300, VIRTQ_DESC_F_WRITE };
	s[3] = (struct vdrv_seg){ DATA_GPA + 300, 213, VIRTQ_DESC_F_WRITE };
	g->mem[DATA_GPA + 512] = 0xee;
	offer_at(g, 7, s, 4);
	assert_int_equal(g->mem[DATA_GPA + 512], VIRTIO_BLK_S_OK);
	assert_memory_equal(g->mem + DATA_GPA, g->disk.bytes + 512, 512);
	assert_int_equal(last_used_id(g), 7);
	assert_int_equal(last_used_len(g), 513);
	assert_int_equal(g->disk.reads, 6);
	/* Header and data in one readable descriptor. */
	g->disk.max_chunk = 0;
	header(g, VIRTIO_BLK_T_OUT, 10);
	memset(g->mem + HDR_GPA + 16, 0x33, 512);
	s[0] = (struct vdrv_seg){ HDR_GPA, 16 + 512, 0 };
	s[1] = (struct vdrv_seg){ STATUS_GPA, 1, VIRTQ_DESC_F_WRITE };
	g->mem[STATUS_GPA] = 0xee;
	offer(g, s, 2);
	assert_int_equal(g->mem[STATUS_GPA], VIRTIO_BLK_S_OK);
	assert_int_equal(g->disk.bytes[10 * 512], 0x33);
	assert_int_equal(g->disk.bytes[11 * 512 - 1], 0x33);
}

static void test_bad_requests_ioerr(void **state)
{
	struct guest *g = *state;
	struct vdrv_seg s[2];

	driver_start(g, F_DEFAULT);
	/* Past the capacity: the last sector plus one, a start past the end,
	 * a sector that overflows when turned into bytes. */
	assert_int_equal(request(g, VIRTIO_BLK_T_IN, 63, 1024, true), VIRTIO_BLK_S_IOERR);
	assert_int_equal(last_used_len(g), 1);
	assert_int_equal(request(g, VIRTIO_BLK_T_OUT, 64, 512, false), VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(g, VIRTIO_BLK_T_IN, 1ull << 55, 512, true), VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(g, VIRTIO_BLK_T_IN, UINT64_MAX, 512, true), VIRTIO_BLK_S_IOERR);
	/* Not whole sectors; data in the wrong direction. */
	assert_int_equal(request(g, VIRTIO_BLK_T_IN, 0, 100, true), VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(g, VIRTIO_BLK_T_OUT, 0, 512, true), VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(g, VIRTIO_BLK_T_IN, 0, 512, false), VIRTIO_BLK_S_IOERR);
	/* A header shorter than 16 bytes. */
	s[0] = (struct vdrv_seg){ HDR_GPA, 8, 0 };
	s[1] = (struct vdrv_seg){ STATUS_GPA, 1, VIRTQ_DESC_F_WRITE };
	offer(g, s, 2);
	assert_int_equal(g->mem[STATUS_GPA], VIRTIO_BLK_S_IOERR);
	/* A backend error. */
	g->disk.fail = -EIO;
	assert_int_equal(request(g, VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_IOERR);
	assert_int_equal(last_used_len(g), 1);
	/* An unknown type (DISCARD, never offered). */
	assert_int_equal(request(g, 11, 0, 0, false), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(g->disk.reads, 1);
	assert_int_equal(g->disk.writes, 0);
	assert_int_equal(g->blk.stats.errors, 9);
	assert_int_equal(g->blk.stats.unsupported, 1);
	/* The device still works. */
	assert_int_equal(request(g, VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_OK);
	assert_int_equal(rd(g, VIRTIO_MMIO_STATUS), 0xf);
	assert_int_equal(used_idx(g), 11);
}

static void test_read_only(void **state)
{
	struct guest *g = *state;
	uint8_t before[DISK_SIZE];

	memcpy(before, g->disk.bytes, DISK_SIZE);
	assert_true(device_features(g) & 1ull << VIRTIO_BLK_F_RO);
	driver_start(g, F_DEFAULT | 1ull << VIRTIO_BLK_F_RO);
	memset(g->mem + DATA_GPA, 0x77, 512);
	assert_int_equal(request(g, VIRTIO_BLK_T_OUT, 0, 512, false), VIRTIO_BLK_S_IOERR);
	assert_memory_equal(g->disk.bytes, before, DISK_SIZE);
	assert_int_equal(g->disk.writes, 0);
	assert_int_equal(request(g, VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_OK);
	assert_int_equal(request(g, VIRTIO_BLK_T_FLUSH, 0, 0, false), VIRTIO_BLK_S_OK);
}

static void test_flush(void **state)
{
	struct guest *g = *state;

	driver_start(g, F_DEFAULT);
	assert_int_equal(request(g, VIRTIO_BLK_T_FLUSH, 0, 0, false), VIRTIO_BLK_S_OK);
	assert_int_equal(g->disk.flushes, 1);
	assert_int_equal(last_used_len(g), 1);
	g->disk.fail = -EIO;
	assert_int_equal(request(g, VIRTIO_BLK_T_FLUSH, 0, 0, false), VIRTIO_BLK_S_IOERR);
	assert_int_equal(request(g, VIRTIO_BLK_T_FLUSH, 0, 512, true), VIRTIO_BLK_S_IOERR);   /* data */
	assert_int_equal(g->disk.flushes, 2);
	assert_int_equal(g->blk.stats.flushes, 1);
	/* Without FLUSH negotiated every write is flushed before it completes. */
	driver_start(g, F_DEFAULT & ~(1ull << VIRTIO_BLK_F_FLUSH));
	assert_int_equal(request(g, VIRTIO_BLK_T_OUT, 0, 512, false), VIRTIO_BLK_S_OK);
	assert_int_equal(g->disk.flushes, 3);
	g->disk.fail = 0;
}

static void test_get_id(void **state)
{
	struct guest *g = *state;
	static const char want[VIRTIO_BLK_ID_BYTES] = "isolab-test-disk";

	driver_start(g, F_DEFAULT);
	memset(g->mem + DATA_GPA, 0xff, 64);
	assert_int_equal(request(g, VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, true), VIRTIO_BLK_S_OK);
	assert_memory_equal(g->mem + DATA_GPA, want, VIRTIO_BLK_ID_BYTES);
	assert_int_equal(last_used_len(g), VIRTIO_BLK_ID_BYTES + 1);
	/* A longer buffer gets 20 bytes, a shorter one what fits. */
	memset(g->mem + DATA_GPA, 0xff, 64);
	assert_int_equal(request(g, VIRTIO_BLK_T_GET_ID, 0, 64, true), VIRTIO_BLK_S_OK);
	assert_int_equal(g->mem[DATA_GPA + VIRTIO_BLK_ID_BYTES], 0xff);
	assert_int_equal(last_used_len(g), VIRTIO_BLK_ID_BYTES + 1);
	memset(g->mem + DATA_GPA, 0xff, 64);
	assert_int_equal(request(g, VIRTIO_BLK_T_GET_ID, 0, 6, true), VIRTIO_BLK_S_OK);
	assert_memory_equal(g->mem + DATA_GPA, "isolab", 6);
	assert_int_equal(g->mem[DATA_GPA + 6], 0xff);
	/* Init refuses a serial that does not fit. */
	struct virtio_blk blk;
	struct virtio_blk_options opt = { .disk_bytes = 512, .serial = "123456789012345678901" };
	struct isolab_error err = { 0 };
	assert_int_equal(virtio_blk_init(&blk, &opt, g->mem, MEM_SIZE, NULL, NULL, &err), -EINVAL);
	assert_string_equal(err.msg, "virtio-blk: serial '123456789012345678901' is longer than 20 bytes");
	opt = (struct virtio_blk_options){ .disk_bytes = 511 };
	assert_int_equal(virtio_blk_init(&blk, &opt, g->mem, MEM_SIZE, NULL, NULL, &err), -EINVAL);
	assert_string_equal(err.msg, "virtio-blk: disk of 511 bytes is smaller than one 512-byte sector");
}

/* --- hostile chains ----------------------------------------------------- */

/* After a broken chain: DEVICE_NEEDS_RESET, a configuration interrupt,
 * nothing used, later kicks ignored; a reset brings the device back. */
static void expect_broken(struct guest *g, uint16_t used_before, const char *msg)
{
	assert_needs_reset(g, msg);
	assert_true(rd(g, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(used_idx(g), used_before);
	assert_int_equal(request(g, VIRTIO_BLK_T_FLUSH, 0, 0, false), 0xee);
	assert_int_equal(used_idx(g), used_before);
	driver_start(g, F_DEFAULT);
	memset(g->mem + USED_GPA, 0, VIRTQ_USED_BYTES(NUM));
	memset(g->mem + AVAIL_GPA, 0, VIRTQ_AVAIL_BYTES(NUM));
	assert_int_equal(request(g, VIRTIO_BLK_T_FLUSH, 0, 0, false), VIRTIO_BLK_S_OK);
	assert_int_equal(used_idx(g), 1);
}

static void test_chain_loop(void **state)
{
	struct guest *g = *state;

	driver_start(g, F_DEFAULT);
	header(g, VIRTIO_BLK_T_IN, 0);
	/* 0 -> 1 -> 2 -> 1 -> ... */
	put_desc(g, 0, HDR_GPA, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(g, 1, DATA_GPA, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	put_desc(g, 2, STATUS_GPA, 1, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	put16(g, AVAIL_GPA + 4, 0);
	put16(g, AVAIL_GPA + 2, ++g->q.avail_idx);
	wr(g, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_broken(g, 0, "virtio-blk: virtqueue: chain from descriptor 0 is longer than the queue size 256 (a loop)");
	/* A descriptor that points at itself. */
	put_desc(g, 5, HDR_GPA, 16, VIRTQ_DESC_F_NEXT, 5);
	put16(g, AVAIL_GPA + 4 + 2 * g->q.avail_idx, 5);
	put16(g, AVAIL_GPA + 2, ++g->q.avail_idx);
	wr(g, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_broken(g, 1, "virtio-blk: virtqueue: chain from descriptor 5 is longer than the queue size 256 (a loop)");
}

static void test_bad_descriptors(void **state)
{
	struct guest *g = *state;
	struct vdrv_seg s[3];

	/* A length that wraps the address past 2^64. */
	driver_start(g, F_DEFAULT);
	s[0] = (struct vdrv_seg){ HDR_GPA, 16, 0 };
	s[1] = (struct vdrv_seg){ 0xfffffffffffff000ull, 0x2000, VIRTQ_DESC_F_WRITE };
	s[2] = (struct vdrv_seg){ STATUS_GPA, 1, VIRTQ_DESC_F_WRITE };
	header(g, VIRTIO_BLK_T_IN, 0);
	offer(g, s, 3);
	expect_broken(g, 0, "virtio-blk: virtqueue: descriptor 1: buffer at 0xfffffffffffff000 (8192 bytes) lies outside guest RAM (0x100000 bytes)");
	/* Ending one byte past RAM; starting at its end. */
	s[1] = (struct vdrv_seg){ MEM_SIZE - 512, 513, VIRTQ_DESC_F_WRITE };
	offer(g, s, 3);
	expect_broken(g, 1, "virtio-blk: virtqueue: descriptor 1: buffer at 0xffe00 (513 bytes) lies outside guest RAM (0x100000 bytes)");
	s[1] = (struct vdrv_seg){ MEM_SIZE, 512, VIRTQ_DESC_F_WRITE };
	offer(g, s, 3);
	expect_broken(g, 1, "virtio-blk: virtqueue: descriptor 1: buffer at 0x100000 (512 bytes) lies outside guest RAM (0x100000 bytes)");
	/* The largest length at the last byte. */
	s[1] = (struct vdrv_seg){ MEM_SIZE - 1, UINT32_MAX, VIRTQ_DESC_F_WRITE };
	offer(g, s, 3);
	expect_broken(g, 1, "virtio-blk: virtqueue: descriptor 1: buffer at 0xfffff (4294967295 bytes) lies outside guest RAM (0x100000 bytes)");
	/* The last 512 bytes of RAM are fine. */
	s[1] = (struct vdrv_seg){ MEM_SIZE - 512, 512, VIRTQ_DESC_F_WRITE };
	header(g, VIRTIO_BLK_T_IN, 63);
	offer(g, s, 3);
	assert_memory_equal(g->mem + MEM_SIZE - 512, g->disk.bytes + 63 * 512, 512);
	assert_int_equal(g->mem[STATUS_GPA], VIRTIO_BLK_S_OK);
	assert_int_equal(used_idx(g), 2);
	/* An indirect descriptor (not offered). */
	s[1] = (struct vdrv_seg){ DATA_GPA, 16, VIRTQ_DESC_F_INDIRECT };
	offer(g, s, 3);
	expect_broken(g, 2, "virtio-blk: virtqueue: descriptor 1 is indirect, which was not offered");
	/* next past the queue. */
	put_desc(g, 0, HDR_GPA, 16, VIRTQ_DESC_F_NEXT, NUM);
	put16(g, AVAIL_GPA + 4 + 2 * g->q.avail_idx, 0);
	put16(g, AVAIL_GPA + 2, ++g->q.avail_idx);
	wr(g, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_broken(g, 1, "virtio-blk: virtqueue: descriptor 0: next 256 is past the queue size 256");
	/* A head past the queue. */
	put16(g, AVAIL_GPA + 4 + 2 * g->q.avail_idx, 300);
	put16(g, AVAIL_GPA + 2, ++g->q.avail_idx);
	wr(g, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_broken(g, 1, "virtio-blk: virtqueue: available ring entry 1 names descriptor 300, past the queue size 256");
	/* The available index running more than a queue ahead. */
	g->q.avail_idx = (uint16_t)(g->q.avail_idx + NUM + 1);
	put16(g, AVAIL_GPA + 2, g->q.avail_idx);
	wr(g, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_broken(g, 1, "virtio-blk: virtqueue: available index 258 is 257 entries ahead of the device's 1, more than the queue size 256");
}

static void test_status_not_writable(void **state)
{
	struct guest *g = *state;
	struct vdrv_seg s[3];

	driver_start(g, F_DEFAULT);
	/* A flush whose status byte is device-readable: nowhere to answer. */
	header(g, VIRTIO_BLK_T_FLUSH, 0);
	s[0] = (struct vdrv_seg){ HDR_GPA, 16, 0 };
	s[1] = (struct vdrv_seg){ STATUS_GPA, 1, 0 };
	g->mem[STATUS_GPA] = 0xee;
	offer(g, s, 2);
	assert_int_equal(g->mem[STATUS_GPA], 0xee);
	expect_broken(g, 0, "virtio-blk: request at descriptor 0 has no device-writable status byte");
	/* A read whose status comes after the writable data: readable after writable. */
	header(g, VIRTIO_BLK_T_IN, 0);
	s[1] = (struct vdrv_seg){ DATA_GPA, 512, VIRTQ_DESC_F_WRITE };
	s[2] = (struct vdrv_seg){ STATUS_GPA, 1, 0 };
	offer(g, s, 3);
	expect_broken(g, 1, "virtio-blk: virtqueue: descriptor 2 is device-readable after a device-writable one");
	/* A zero-length writable status. */
	s[1] = (struct vdrv_seg){ STATUS_GPA, 0, VIRTQ_DESC_F_WRITE };
	header(g, VIRTIO_BLK_T_FLUSH, 0);
	offer(g, s, 2);
	expect_broken(g, 1, "virtio-blk: request at descriptor 0 has no device-writable status byte");
}

/* --- rings and interrupts ----------------------------------------------- */

static void test_used_ring_wraparound(void **state)
{
	struct guest *g = *state;
	const unsigned total = 70000;

	driver_start(g, F_DEFAULT);
	header(g, VIRTIO_BLK_T_FLUSH, 0);
	for (unsigned i = 0; i < total; i++) {
		/* heads move around the table too */
		struct vdrv_seg s[2] = { { HDR_GPA, 16, 0 }, { STATUS_GPA, 1, VIRTQ_DESC_F_WRITE } };
		unsigned first = (i * 2) % NUM;

		g->mem[STATUS_GPA] = 0xee;
		offer_at(g, first, s, 2);
		if (g->mem[STATUS_GPA] != VIRTIO_BLK_S_OK || used_idx(g) != (uint16_t)(i + 1) ||
		    last_used_id(g) != first)
			fail_msg("request %u: status %u, used index %u, id %u", i, g->mem[STATUS_GPA],
				 used_idx(g), last_used_id(g));
		wr(g, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	}
	assert_int_equal(used_idx(g), total % 65536);
	assert_int_equal(g->blk.stats.flushes, total);
	assert_int_equal(g->irq_raised, total);
	assert_int_equal(g->irq_lowered, total);
	assert_int_equal(rd(g, VIRTIO_MMIO_STATUS), 0xf);
}

static void test_interrupts(void **state)
{
	struct guest *g = *state;

	driver_start(g, F_DEFAULT);
	assert_int_equal(rd(g, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(request(g, VIRTIO_BLK_T_FLUSH, 0, 0, false), VIRTIO_BLK_S_OK);
	assert_int_equal(rd(g, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	assert_true(g->irq_level);
	assert_int_equal(g->irq_raised, 1);
	/* Raised again for the next one, still pending. */
	assert_int_equal(request(g, VIRTIO_BLK_T_FLUSH, 0, 0, false), VIRTIO_BLK_S_OK);
	assert_int_equal(g->irq_raised, 2);
	/* Acking another bit changes nothing; acking ours lowers the line. */
	wr(g, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(rd(g, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	assert_int_equal(g->irq_lowered, 0);
	wr(g, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(rd(g, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_false(g->irq_level);
	assert_int_equal(g->irq_lowered, 1);
	/* The driver suppresses interrupts: used, but no interrupt. */
	put16(g, AVAIL_GPA, VIRTQ_AVAIL_F_NO_INTERRUPT);
	assert_int_equal(request(g, VIRTIO_BLK_T_FLUSH, 0, 0, false), VIRTIO_BLK_S_OK);
	assert_int_equal(used_idx(g), 3);
	assert_int_equal(rd(g, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(g->irq_raised, 2);
	put16(g, AVAIL_GPA, 0);
	/* A configuration change: generation moves, bit 1. */
	virtio_mmio_config_changed(&g->blk.mmio);
	assert_int_equal(rd(g, VIRTIO_MMIO_CONFIG_GENERATION), 1);
	assert_int_equal(rd(g, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	/* A reset clears the interrupt and lowers the line. */
	wr(g, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(rd(g, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_false(g->irq_level);
}

static void test_no_work_before_driver_ok(void **state)
{
	struct guest *g = *state;

	assert_int_equal(negotiate(g, F_DEFAULT), 0xb);
	queue_addresses(g, NUM, DESC_GPA, AVAIL_GPA, USED_GPA);
	wr(g, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(request(g, VIRTIO_BLK_T_FLUSH, 0, 0, false), 0xee);
	assert_int_equal(used_idx(g), 0);
	assert_int_equal(g->irq_raised, 0);
	/* DRIVER_OK, and the next kick serves both. */
	wr(g, VIRTIO_MMIO_STATUS, 0xf);
	assert_int_equal(request(g, VIRTIO_BLK_T_FLUSH, 0, 0, false), VIRTIO_BLK_S_OK);
	assert_int_equal(used_idx(g), 2);
}

static unsigned kicks;
static void count_kick(void *opaque) { (void)opaque; kicks++; }

static void test_worker_split_and_reset(void **state)
{
	struct guest *g = *state;
	struct virtio_blk_req req;
	struct isolab_error err = { 0 };

	/* With a kick hook the notify only wakes the worker. */
	g->blk.kick = count_kick;
	kicks = 0;
	driver_start(g, F_DEFAULT);
	assert_int_equal(request(g, VIRTIO_BLK_T_IN, 0, 512, true), 0xee);
	assert_int_equal(kicks, 1);
	assert_int_equal(used_idx(g), 0);
	/* The worker: next (locked), execute (unlocked), complete (locked). */
	assert_int_equal(virtio_blk_next(&g->blk, &req, &err), 1);
	assert_int_equal(virtio_blk_next(&g->blk, &req, &err), 0);
	assert_int_equal(request(g, VIRTIO_BLK_T_IN, 1, 512, true), 0xee);
	assert_int_equal(virtio_blk_next(&g->blk, &req, &err), 1);
	virtio_blk_execute(&g->blk, &req);
	assert_int_equal(g->mem[STATUS_GPA], VIRTIO_BLK_S_OK);
	virtio_blk_complete(&g->blk, &req);
	assert_int_equal(used_idx(g), 1);
	/* A reset while a request executes: its completion is dropped. */
	assert_int_equal(request(g, VIRTIO_BLK_T_IN, 2, 512, true), 0xee);
	assert_int_equal(virtio_blk_next(&g->blk, &req, &err), 1);
	wr(g, VIRTIO_MMIO_STATUS, 0);
	virtio_blk_execute(&g->blk, &req);
	virtio_blk_complete(&g->blk, &req);
	assert_int_equal(used_idx(g), 1);
	assert_int_equal(g->irq_raised, 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_rw, teardown)
	const struct CMUnitTest tests[] = {
		T(test_virtq_small_queue),
		T(test_identity_and_features),
		T(test_features_ok_handshake),
		T(test_access_widths),
		T(test_queue_setup_refused),
		T(test_read_write_roundtrip),
		T(test_any_layout_and_short_io),
		T(test_bad_requests_ioerr),
		cmocka_unit_test_setup_teardown(test_read_only, setup_ro, teardown),
		T(test_flush),
		T(test_get_id),
		T(test_chain_loop),
		T(test_bad_descriptors),
		T(test_status_not_writable),
		T(test_used_ring_wraparound),
		T(test_interrupts),
		T(test_no_work_before_driver_ok),
		T(test_worker_split_and_reset),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
