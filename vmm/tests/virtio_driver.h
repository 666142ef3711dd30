/*
 * virtio_driver.h: the driver half the virtio unit tests play, shared by
 * test_virtio.c (virtio-blk) and test_virtio_net.c. Guest RAM is a
 * buffer; rings and descriptors are laid out as Linux's virtio_ring.c
 * would, the device is reached through its virtio-mmio registers.
 * Include after <cmocka.h>.
 */
#ifndef ISOLAB_VMM_TESTS_VIRTIO_DRIVER_H
#define ISOLAB_VMM_TESTS_VIRTIO_DRIVER_H

#include <endian.h>
#include <stdint.h>
#include <string.h>
#include "vmm/virtio_mmio.h"
#include "vmm/virtq.h"

/* Registers, 32 bits at a time. */
static inline uint32_t vdrv_rd(struct virtio_mmio *m, uint32_t off)
{
	uint8_t b[4];

	virtio_mmio_read(m, off, b, 4);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline void vdrv_wr(struct virtio_mmio *m, uint32_t off, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	virtio_mmio_write(m, off, b, 4);
}

/* Status handshake up to FEATURES_OK with the driver features given;
 * returns the status read back. */
static inline uint32_t vdrv_negotiate(struct virtio_mmio *m, uint64_t features)
{
	vdrv_wr(m, VIRTIO_MMIO_STATUS, 0);
	vdrv_wr(m, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	vdrv_wr(m, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vdrv_wr(m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vdrv_wr(m, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	vdrv_wr(m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vdrv_wr(m, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	vdrv_wr(m, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	return vdrv_rd(m, VIRTIO_MMIO_STATUS);
}

static inline uint64_t vdrv_device_features(struct virtio_mmio *m)
{
	uint64_t f;

	vdrv_wr(m, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f = vdrv_rd(m, VIRTIO_MMIO_DEVICE_FEATURES);
	vdrv_wr(m, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	return f | (uint64_t)vdrv_rd(m, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

/* Selects queue sel and writes its size and part addresses. */
static inline void vdrv_queue_addresses(struct virtio_mmio *m, unsigned sel, uint32_t num,
					uint64_t desc, uint64_t avail, uint64_t used)
{
	vdrv_wr(m, VIRTIO_MMIO_QUEUE_SEL, sel);
	vdrv_wr(m, VIRTIO_MMIO_QUEUE_NUM, num);
	vdrv_wr(m, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	vdrv_wr(m, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	vdrv_wr(m, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
	vdrv_wr(m, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
	vdrv_wr(m, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	vdrv_wr(m, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
}

/* Guest memory, little-endian. */
static inline void vdrv_put16(uint8_t *mem, uint64_t gpa, uint16_t v) { v = htole16(v); memcpy(mem + gpa, &v, 2); }
static inline void vdrv_put32(uint8_t *mem, uint64_t gpa, uint32_t v) { v = htole32(v); memcpy(mem + gpa, &v, 4); }
static inline void vdrv_put64(uint8_t *mem, uint64_t gpa, uint64_t v) { v = htole64(v); memcpy(mem + gpa, &v, 8); }
static inline uint16_t vdrv_get16(const uint8_t *mem, uint64_t gpa) { uint16_t v; memcpy(&v, mem + gpa, 2); return le16toh(v); }
static inline uint32_t vdrv_get32(const uint8_t *mem, uint64_t gpa) { uint32_t v; memcpy(&v, mem + gpa, 4); return le32toh(v); }

/* One queue as the driver sees it. */
struct vdrv_queue {
	unsigned num;
	uint64_t desc, avail, used;
	uint16_t avail_idx;      /* the driver's next avail->idx */
};

/* One buffer of a chain to offer. */
struct vdrv_seg {
	uint64_t gpa;
	uint32_t len;
	uint16_t flags;     /* VIRTQ_DESC_F_WRITE, _INDIRECT; NEXT is added */
};

static inline void vdrv_put_desc(uint8_t *mem, const struct vdrv_queue *q, unsigned i, uint64_t addr,
				 uint32_t len, uint16_t flags, uint16_t next)
{
	uint64_t d = q->desc + 16ull * i;

	vdrv_put64(mem, d, addr);
	vdrv_put32(mem, d + 8, len);
	vdrv_put16(mem, d + 12, flags);
	vdrv_put16(mem, d + 14, next);
}

/* Publishes head in the next avail ring entry (no notify). */
static inline void vdrv_publish(uint8_t *mem, struct vdrv_queue *q, uint16_t head)
{
	vdrv_put16(mem, q->avail + 4 + 2u * (q->avail_idx % q->num), head);
	q->avail_idx++;
	vdrv_put16(mem, q->avail + 2, q->avail_idx);
}

/* Makes descriptors first.. a chain of segs and publishes its head (no
 * notify: the caller writes QueueNotify). */
static inline void vdrv_offer_at(uint8_t *mem, struct vdrv_queue *q, unsigned first,
				 const struct vdrv_seg *segs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		vdrv_put_desc(mem, q, (first + i) % q->num, segs[i].gpa, segs[i].len,
			      (uint16_t)(segs[i].flags | (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
			      (uint16_t)((first + i + 1) % q->num));
	vdrv_publish(mem, q, (uint16_t)first);
}

static inline uint16_t vdrv_used_idx(const uint8_t *mem, const struct vdrv_queue *q)
{
	return vdrv_get16(mem, q->used + 2);
}

/* The used element the device wrote last. */
static inline uint32_t vdrv_last_used_id(const uint8_t *mem, const struct vdrv_queue *q)
{
	return vdrv_get32(mem, q->used + 4 + 8u * ((vdrv_used_idx(mem, q) - 1u) % q->num));
}

static inline uint32_t vdrv_last_used_len(const uint8_t *mem, const struct vdrv_queue *q)
{
	return vdrv_get32(mem, q->used + 4 + 8u * ((vdrv_used_idx(mem, q) - 1u) % q->num) + 4);
}

#endif
