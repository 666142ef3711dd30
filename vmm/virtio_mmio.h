/*
 * virtio_mmio.h: the register model of one virtio-mmio device, version 2
 * (modern only), virtio 1.x section 4.2.2 "MMIO Device Register Layout".
 * One transport for every virtio device of the VMM (block now, network
 * next): a device plugs in with a struct virtio_mmio_ops, the way
 * kvmtool's virtio/mmio.c carries its devices. Pure: the system layer
 * turns a KVM_EXIT_MMIO inside the device's window into
 * virtio_mmio_read()/virtio_mmio_write() and the irq callback into
 * KVM_IRQ_LINE; locking is the caller's (vCPU threads and the device's
 * worker thread both come here).
 *
 * Access rules (4.2.2.2): the registers below 0x100 take 32-bit aligned
 * accesses only; the device configuration space from 0x100 takes 8-, 16-,
 * 32- and (leniently, for x86 guests' 64-bit moves) 64-bit accesses
 * aligned to their size. Anything else reads as 0, is not carried out and
 * is counted in bad_accesses (the spec leaves the device's answer open).
 */
#ifndef ISOLAB_VMM_VIRTIO_MMIO_H
#define ISOLAB_VMM_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>
#include "common/error.h"
#include "vmm/virtq.h"

/* Register offsets (virtio 1.x table 4.1). */
#define VIRTIO_MMIO_MAGIC_VALUE         0x000
#define VIRTIO_MMIO_VERSION             0x004
#define VIRTIO_MMIO_DEVICE_ID           0x008
#define VIRTIO_MMIO_VENDOR_ID           0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL           0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034
#define VIRTIO_MMIO_QUEUE_NUM           0x038
#define VIRTIO_MMIO_QUEUE_READY         0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064
#define VIRTIO_MMIO_STATUS              0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW    0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH   0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW    0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH   0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION   0x0fc
#define VIRTIO_MMIO_CONFIG              0x100
/* The window one device takes: "virtio_mmio.device=512@ADDR:IRQ" on the
 * kernel command line (Linux drivers/virtio/virtio_mmio.c). */
#define VIRTIO_MMIO_WINDOW              0x200

#define VIRTIO_MMIO_MAGIC   0x74726976u   /* "virt" */
#define VIRTIO_MMIO_VERSION_MODERN 2
#define VIRTIO_MMIO_VENDOR  0x4c4f5349u   /* "ISOL": any value will do (4.2.2.1) */

/* Interrupt status bits (4.2.2, InterruptStatus). */
#define VIRTIO_MMIO_INT_VRING  1u   /* used buffer notification */
#define VIRTIO_MMIO_INT_CONFIG 2u   /* configuration change notification */

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE        1u
#define VIRTIO_STATUS_DRIVER             2u
#define VIRTIO_STATUS_DRIVER_OK          4u
#define VIRTIO_STATUS_FEATURES_OK        8u
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED             128u

/* Reserved feature bits (6): the transport always offers VERSION_1 and
 * refuses a driver that does not accept it (modern devices only). */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX     29
#define VIRTIO_F_VERSION_1          32

/* Device IDs (5). */
#define VIRTIO_ID_NET   1
#define VIRTIO_ID_BLOCK 2

#define VIRTIO_MMIO_MAX_QUEUES 8

/* What a device model gives the transport. */
struct virtio_mmio_ops {
	const char *name;            /* "virtio-blk": for messages */
	uint32_t device_id;          /* VIRTIO_ID_* */
	unsigned num_queues;         /* <= VIRTIO_MMIO_MAX_QUEUES */
	unsigned queue_num_max;      /* QueueNumMax: a power of two <= VIRTQ_SIZE_MAX */
	/* Device-type feature bits offered (the transport adds VERSION_1). */
	uint64_t (*features)(void *dev);
	/* Device configuration space, offset from 0x100; len 1, 2, 4 or 8,
	 * aligned; data little-endian as the guest sees it. */
	void (*config_read)(void *dev, uint32_t offset, uint8_t *data, unsigned len);
	void (*config_write)(void *dev, uint32_t offset, const uint8_t *data, unsigned len);
	/* The driver wrote QueueNotify for a ready queue after DRIVER_OK. */
	void (*queue_notify)(void *dev, unsigned queue);
	/* The driver wrote 0 to Status: forget every request in flight; the
	 * transport forgets the queues and features right after. */
	void (*reset)(void *dev);
};

/* level true: raise the device's interrupt (called on every new
 * notification, even when already raised, so an edge-triggered line can
 * be pulsed); false: InterruptStatus went back to 0, lower it. */
typedef void (*virtio_mmio_irq_fn)(void *opaque, bool level);

struct virtio_mmio_queue {
	uint32_t num;                /* QueueNum as written */
	bool ready;                  /* QueueReady */
	uint64_t desc, driver, device;
	struct virtq vq;             /* set up when ready */
};

struct virtio_mmio {
	const struct virtio_mmio_ops *ops;
	void *dev;
	virtio_mmio_irq_fn irq;
	void *irq_opaque;

	uint32_t status;
	uint32_t device_features_sel, driver_features_sel;
	uint64_t driver_features;
	uint32_t queue_sel;
	uint32_t interrupt_status;
	uint32_t config_generation;
	struct virtio_mmio_queue queues[VIRTIO_MMIO_MAX_QUEUES];

	/* For the system layer's log and --stats. */
	uint64_t bad_accesses;       /* width, alignment, unknown or read-only register */
	uint64_t refusals;           /* features, queue setup or a request refused */
	struct isolab_error last_error;   /* why, the latest refusal */
};

/* A device at reset state over guest RAM [mem, mem + mem_size). */
void virtio_mmio_init(struct virtio_mmio *m, const struct virtio_mmio_ops *ops, void *dev,
		      uint8_t *mem, uint64_t mem_size, virtio_mmio_irq_fn irq, void *irq_opaque);

/* A guest access at offset (< VIRTIO_MMIO_WINDOW) of len bytes (1, 2, 4
 * or 8), data little-endian: KVM_EXIT_MMIO's run->mmio. */
void virtio_mmio_read(struct virtio_mmio *m, uint32_t offset, uint8_t *data, unsigned len);
void virtio_mmio_write(struct virtio_mmio *m, uint32_t offset, const uint8_t *data, unsigned len);

/* For device models. */
/* Queue i if the driver made it ready and the device runs (DRIVER_OK, not
 * DEVICE_NEEDS_RESET); NULL otherwise. */
struct virtq *virtio_mmio_queue(struct virtio_mmio *m, unsigned i);
/* Whether feature bit was negotiated (FEATURES_OK accepted). */
bool virtio_mmio_negotiated(const struct virtio_mmio *m, unsigned bit);
/* A used buffer notification (InterruptStatus bit 0, then irq). */
void virtio_mmio_notify_used(struct virtio_mmio *m);
/* The device's configuration changed: ConfigGeneration moves on and, once
 * the driver runs, InterruptStatus bit 1. */
void virtio_mmio_config_changed(struct virtio_mmio *m);
/* The device met an error only a reset clears (2.1.1): sets
 * DEVICE_NEEDS_RESET, notifies a running driver, keeps why in last_error. */
void virtio_mmio_needs_reset(struct virtio_mmio *m, const struct isolab_error *why);

#endif
