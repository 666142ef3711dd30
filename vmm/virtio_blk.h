/*
 * virtio_blk.h: the virtio block device model (virtio 1.x section 5.2)
 * over the virtio-mmio transport (vmm/virtio_mmio.h). Pure: the disk is
 * reached through a backend of function pointers (preadv/pwritev/fsync
 * on an opaque handle), so the unit tests use a buffer in memory and the
 * system layer a file, served by a worker thread.
 *
 * One request queue of VIRTIO_BLK_QUEUE_SIZE entries. Offered features:
 * VIRTIO_BLK_F_SIZE_MAX, _SEG_MAX, _BLK_SIZE, _FLUSH, and _RO for a
 * read-only disk. Requests: IN, OUT, FLUSH, GET_ID; any other type is
 * answered VIRTIO_BLK_S_UNSUPP. The chain is read as the spec frames it
 * (2.7.4: no assumption about how the bytes are split into descriptors):
 * a 16-byte header at the start of the device-readable bytes, the status
 * byte as the last device-writable byte, the data in between.
 *
 * Answers to a driver's mistakes (5.2.6.1 says what a driver must not do):
 *   - no device-writable byte for the status: nothing can be answered, so
 *     the device sets DEVICE_NEEDS_RESET (as for a broken chain, virtq.h);
 *   - short header, data length not a multiple of 512, data or status where
 *     the type has none, sector + length past the capacity, a write to a
 *     read-only disk, a backend error: VIRTIO_BLK_S_IOERR, no data moved
 *     (5.2.6.2: "MUST set the status byte to VIRTIO_BLK_S_IOERR for a
 *     write request if the VIRTIO_BLK_F_RO feature if offered").
 *
 * Durability: when the driver did not negotiate VIRTIO_BLK_F_FLUSH,
 * every write is flushed before it completes (5.2.6.2: a completed write
 * must then be stable).
 *
 * Threads (for the system layer): virtio_blk_next() and
 * virtio_blk_complete() touch the rings and the transport and run under
 * the caller's device lock; virtio_blk_execute() does the I/O and writes
 * only into the request's own guest buffers, so it runs without the lock
 * in the worker thread. A reset while a request is executing bumps
 * blk->generation and the completion of the stale request is dropped.
 */
#ifndef ISOLAB_VMM_VIRTIO_BLK_H
#define ISOLAB_VMM_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include "common/error.h"
#include "vmm/virtio_mmio.h"
#include "vmm/virtq.h"

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX  2
#define VIRTIO_BLK_F_RO       5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH    9

/* Configuration layout (5.2.4), little-endian. */
#define VIRTIO_BLK_CFG_CAPACITY 0    /* le64, in 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX 8    /* le32 */
#define VIRTIO_BLK_CFG_SEG_MAX  12   /* le32 */
#define VIRTIO_BLK_CFG_BLK_SIZE 20   /* le32 */
#define VIRTIO_BLK_CFG_BYTES    64   /* what is readable; past the fields above: 0 */

/* Request types and status values (5.2.6). */
#define VIRTIO_BLK_T_IN     0
#define VIRTIO_BLK_T_OUT    1
#define VIRTIO_BLK_T_FLUSH  4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_BLK_HDR_BYTES 16     /* le32 type, le32 reserved, le64 sector */
#define VIRTIO_BLK_ID_BYTES  20
#define VIRTIO_BLK_SECTOR    512    /* the protocol's unit, whatever blk_size says */

#define VIRTIO_BLK_QUEUE_SIZE 256
/* Data segments per request: the queue less header and status, so the
 * largest request still fits without indirect descriptors. */
#define VIRTIO_BLK_SEG_MAX    (VIRTIO_BLK_QUEUE_SIZE - 2)
#define VIRTIO_BLK_SIZE_MAX   (1u << 20)   /* advice to the driver, not enforced */
#define VIRTIO_BLK_BLK_SIZE   512

/* The disk. Each returns bytes moved (>= 0) or a negative errno; a short
 * count is continued, 0 before the end is an I/O error, -EINTR retried. */
struct virtio_blk_backend {
	ssize_t (*preadv)(void *handle, const struct iovec *iov, int iovcnt, uint64_t offset);
	ssize_t (*pwritev)(void *handle, const struct iovec *iov, int iovcnt, uint64_t offset);
	int (*flush)(void *handle);
	void *handle;
};

struct virtio_blk_options {
	uint64_t disk_bytes;          /* capacity: the whole 512-byte sectors of it */
	bool read_only;
	const char *serial;           /* GET_ID's answer, at most 20 bytes; NULL: "isolab" */
	struct virtio_blk_backend backend;
};

/* One request between virtio_blk_next() and virtio_blk_complete(). */
struct virtio_blk_req {
	uint16_t head;
	uint32_t type;
	uint64_t sector;
	struct iovec iov[VIRTQ_SIZE_MAX];   /* the data, in guest RAM */
	int iovcnt;
	uint64_t data_len;
	uint8_t *status_byte;               /* in guest RAM */
	uint8_t status;                     /* VIRTIO_BLK_S_*: IOERR/UNSUPP already when parsing refused */
	bool write_through;                 /* FLUSH not negotiated: flush after a write */
	uint32_t used_len;                  /* bytes written into the chain, for the used ring */
	uint64_t generation;
};

struct virtio_blk_stats {
	uint64_t reads, writes, flushes, get_ids, unsupported, errors;
	uint64_t bytes_read, bytes_written;
};

struct virtio_blk {
	struct virtio_mmio mmio;       /* the transport: the system layer sends MMIO exits here */
	uint64_t capacity;             /* sectors */
	bool read_only;
	char serial[VIRTIO_BLK_ID_BYTES];
	uint8_t config[VIRTIO_BLK_CFG_BYTES];
	struct virtio_blk_backend backend;
	uint64_t generation;           /* bumped at every reset */
	/* Set by the system layer: called on QueueNotify to wake the worker.
	 * NULL: requests are served at once, in the notifying thread. */
	void (*kick)(void *opaque);
	void *kick_opaque;
	struct virtio_blk_stats stats;
};

/* A block device at reset state. -EINVAL for a disk under one sector or a
 * serial over 20 bytes. */
int virtio_blk_init(struct virtio_blk *blk, const struct virtio_blk_options *opt,
		    uint8_t *mem, uint64_t mem_size, virtio_mmio_irq_fn irq, void *irq_opaque,
		    struct isolab_error *err);

/* Under the device lock: takes and parses the next request. 1: req filled
 * (maybe already answered IOERR/UNSUPP by the parser); 0: none; -EIO: the
 * driver broke the protocol, DEVICE_NEEDS_RESET is set (err says why). */
int virtio_blk_next(struct virtio_blk *blk, struct virtio_blk_req *req, struct isolab_error *err);
/* Without the lock: the I/O, then the status byte. */
void virtio_blk_execute(struct virtio_blk *blk, struct virtio_blk_req *req);
/* Under the lock: the used ring, and the interrupt when the driver wants it. */
void virtio_blk_complete(struct virtio_blk *blk, struct virtio_blk_req *req);
/* All three until the queue is empty; returns the requests served. */
unsigned virtio_blk_process(struct virtio_blk *blk);

#endif
