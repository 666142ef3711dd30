/*
 * virtq.h: the device side of a virtio split virtqueue over guest RAM
 * (virtio 1.x, section 2.7 "Split Virtqueues"). Pure: the guest's memory
 * is a (pointer, size) pair, guest physical address 0 at the pointer, and
 * nothing here blocks, allocates or makes a system call.
 *
 * Everything the guest wrote is hostile: the ring addresses are checked
 * once at setup (alignment, inside guest RAM, no wrap), every descriptor
 * is copied out of guest memory before it is looked at (the guest can
 * rewrite it meanwhile), every segment is checked to lie inside guest RAM,
 * and a chain longer than the queue (a loop) or otherwise broken makes
 * the queue refuse all further work: the device then sets
 * DEVICE_NEEDS_RESET (virtio_mmio_needs_reset()) rather than crashing or
 * spinning.
 *
 * Not offered, hence refused when seen: indirect descriptors
 * (VIRTIO_RING_F_INDIRECT_DESC, a descriptor with VIRTQ_DESC_F_INDIRECT
 * breaks the queue) and VIRTIO_F_EVENT_IDX (notifications follow the
 * avail ring's VIRTQ_AVAIL_F_NO_INTERRUPT flag only).
 *
 * Threads: the driver runs on a vCPU, the device (a worker thread) here.
 * The ring indices are read and written with __atomic acquire/release
 * (see virtq.c for each ordering and why); one thread at a time may call
 * the functions on one queue (the caller's lock).
 */
#ifndef ISOLAB_VMM_VIRTQ_H
#define ISOLAB_VMM_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"

/* Descriptor flags (2.7.5) and ring flags (2.7.6, 2.7.8). */
#define VIRTQ_DESC_F_NEXT      1
#define VIRTQ_DESC_F_WRITE     2
#define VIRTQ_DESC_F_INDIRECT  4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY     1

/* Layout sizes and alignments (2.7, table "Virtqueue Part Alignment"). */
#define VIRTQ_DESC_SIZE        16    /* le64 addr, le32 len, le16 flags, le16 next */
#define VIRTQ_DESC_ALIGN       16
#define VIRTQ_AVAIL_ALIGN      2
#define VIRTQ_USED_ALIGN       4
#define VIRTQ_USED_ELEM_SIZE   8     /* le32 id, le32 len */
/* Bytes of each part for a queue of num entries (the event-index fields
 * at the end are counted, as the driver allocates them). */
#define VIRTQ_DESC_BYTES(num)  ((uint64_t)(num) * VIRTQ_DESC_SIZE)
#define VIRTQ_AVAIL_BYTES(num) (6 + 2 * (uint64_t)(num))
#define VIRTQ_USED_BYTES(num)  (6 + VIRTQ_USED_ELEM_SIZE * (uint64_t)(num))

/* The largest queue this VMM offers: a power of two (2.7: split queue
 * sizes are powers of two, at most 32768); also the longest chain. */
#define VIRTQ_SIZE_MAX 256

/* One buffer of a chain: guest address, its host address (checked to lie
 * wholly inside guest RAM), length, and whether the device may write it. */
struct virtq_seg {
	uint64_t gpa;
	uint8_t *host;
	uint32_t len;
	bool writable;
};

/* A popped chain: its head (the id given back in the used ring) and its
 * segments, the device-readable ones first (2.7.4.2). */
struct virtq_chain {
	uint16_t head;
	unsigned nseg;
	uint64_t readable_bytes, writable_bytes;
	struct virtq_seg seg[VIRTQ_SIZE_MAX];
};

struct virtq {
	uint8_t *mem;          /* guest RAM */
	uint64_t mem_size;
	uint16_t num;          /* queue size, a power of two; 0: not set up */
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint16_t last_avail;   /* next avail ring entry the device will take */
	uint16_t used_idx;     /* the device's copy of used->idx */
	bool broken;           /* refused input seen: nothing more until reset */
};

/*
 * Sets the queue up from the driver's registers: num a power of two in
 * 1..num_max (num_max <= VIRTQ_SIZE_MAX), each part aligned and inside
 * guest RAM without wrapping. The indices start at 0 (a fresh queue).
 * -EINVAL with a message naming the part otherwise; q is then unusable.
 */
int virtq_setup(struct virtq *q, uint8_t *mem, uint64_t mem_size, unsigned num, unsigned num_max,
		uint64_t desc_gpa, uint64_t avail_gpa, uint64_t used_gpa, struct isolab_error *err);

/* Back to "not set up" (device reset, QueueReady 0). */
void virtq_reset(struct virtq *q);

/* A host pointer to [gpa, gpa+len) if it lies wholly inside guest RAM. */
uint8_t *virtq_guest_range(uint8_t *mem, uint64_t mem_size, uint64_t gpa, uint64_t len);

/*
 * Takes the next available chain:
 *   1       chain filled in
 *   0       nothing available (or the queue is not set up)
 *   -EIO    the driver broke the protocol (avail index ran more than num
 *           ahead, head or next out of range, a loop, a segment outside
 *           guest RAM, a readable segment after a writable one, an
 *           indirect descriptor); err says which.
 *           The queue is broken from then on (every call returns -EIO):
 *           the device should set DEVICE_NEEDS_RESET.
 */
int virtq_pop(struct virtq *q, struct virtq_chain *chain, struct isolab_error *err);

/* Gives chain head back to the driver with len bytes written into its
 * writable segments (2.7.8); release-publishes the used index. */
void virtq_push(struct virtq *q, uint16_t head, uint32_t len);

/* Whether the driver wants a used-buffer notification now (after one or
 * more virtq_push): VIRTQ_AVAIL_F_NO_INTERRUPT clear (2.7.7, no EVENT_IDX). */
bool virtq_should_notify(const struct virtq *q);

/* Copies up to len bytes of the chain's readable bytes, starting at byte
 * offset, to out (the chain seen as one stream); returns bytes copied. */
size_t virtq_chain_read(const struct virtq_chain *chain, uint64_t offset, void *out, size_t len);
/* Copies len bytes into the chain's writable bytes at offset; returns
 * bytes copied (fewer when the writable part is shorter). */
size_t virtq_chain_write(const struct virtq_chain *chain, uint64_t offset, const void *in, size_t len);

#endif
