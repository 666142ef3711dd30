/*
 * virtio_net.h: the virtio network device model (virtio 1.x section 5.1)
 * over the virtio-mmio transport (vmm/virtio_mmio.h). Pure: frames leave
 * through a backend function pointer (a tap in the VMM, a buffer in the
 * unit tests) and arrive as a (pointer, length) the system layer read.
 *
 * Two queues of VIRTIO_NET_QUEUE_SIZE: 0 receive, 1 transmit (5.1.2).
 * Offered features: VIRTIO_NET_F_MAC, VIRTIO_NET_F_STATUS (the link, up
 * from the start), VIRTIO_NET_F_MTU when an MTU is given. No offloads
 * (no CSUM, GUEST_/HOST_TSO, UFO) and no MRG_RXBUF, MQ or CTRL_VQ: every
 * frame is whole and checksummed by its sender, one receive chain holds
 * one header and one frame. This keeps the model small; the price is one
 * copy per frame and no TSO, which a lab measuring latency can pay.
 *
 * The header (5.1.6, struct virtio_net_hdr with num_buffers: 12 bytes
 * with VERSION_1) is written zero on receive except num_buffers = 1
 * (5.1.6.4: "MUST set num_buffers to 1" without MRG_RXBUF); on transmit
 * it is read once and checked: flags and gso_type must be 0, as nothing
 * that would allow others was offered; the other fields are ignored.
 *
 * Answers to the driver's mistakes, none of which stops the device:
 *   - a transmit chain with device-writable bytes, a header cut short, a
 *     header asking for an offload, a frame under 14 bytes (no Ethernet
 *     header) or over VIRTIO_NET_FRAME_MAX: the frame is dropped and
 *     counted by reason, the chain given back with 0 bytes written;
 *   - a receive chain with device-readable bytes, or too small for the
 *     header and the frame: the frame is dropped and counted, the chain
 *     given back with 0 bytes written (as Firecracker does);
 *   - a broken chain (vmm/virtq.h: loops, addresses outside RAM, ...):
 *     DEVICE_NEEDS_RESET, as for virtio-blk.
 *
 * Threads (for the system layer):
 *   - transmit: virtio_net_tx_next() and virtio_net_tx_complete() touch
 *     the rings and run under the caller's device lock;
 *     virtio_net_tx_execute() hands the frame (an iovec list over guest
 *     RAM) to the backend without the lock. A reset in between bumps
 *     net->generation and the stale completion is dropped.
 *   - receive: virtio_net_receive() under the lock, with one frame the
 *     system layer read from its backend. VIRTIO_NET_RX_NO_BUFFER means
 *     the guest posted no buffer: keep the frame, stop reading the
 *     backend, and try again after the driver notifies queue 0 (net->kick
 *     with queue VIRTIO_NET_RXQ).
 */
#ifndef ISOLAB_VMM_VIRTIO_NET_H
#define ISOLAB_VMM_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include "common/error.h"
#include "vmm/virtio_mmio.h"
#include "vmm/virtq.h"

/* Feature bits (5.1.3). */
#define VIRTIO_NET_F_MTU    3
#define VIRTIO_NET_F_MAC    5
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS 16

/* Configuration layout (5.1.4), little-endian. */
#define VIRTIO_NET_CFG_MAC        0    /* u8[6] */
#define VIRTIO_NET_CFG_STATUS     6    /* le16 */
#define VIRTIO_NET_CFG_MAX_PAIRS  8    /* le16 max_virtqueue_pairs */
#define VIRTIO_NET_CFG_MTU        10   /* le16 */
#define VIRTIO_NET_CFG_BYTES      12   /* what is readable; past it: 0 */
#define VIRTIO_NET_S_LINK_UP      1    /* status bit (5.1.4) */

/* The header before every frame (5.1.6), VERSION_1 size. */
#define VIRTIO_NET_HDR_BYTES      12   /* u8 flags, u8 gso_type, le16 hdr_len, gso_size, csum_start, csum_offset, num_buffers */
#define VIRTIO_NET_HDR_FLAGS      0
#define VIRTIO_NET_HDR_GSO_TYPE   1
#define VIRTIO_NET_HDR_NUM_BUFFERS 10

/* Frames: an Ethernet header at least; at most a 65535-byte IP packet
 * with its Ethernet header (Firecracker's bound less the virtio header). */
#define VIRTIO_NET_ETH_HLEN       14
#define VIRTIO_NET_FRAME_MAX      65550
/* The MTU range the configuration may carry (5.1.4.1: at least 68). */
#define VIRTIO_NET_MTU_MIN        68
#define VIRTIO_NET_MTU_MAX        65535

#define VIRTIO_NET_RXQ 0
#define VIRTIO_NET_TXQ 1
#define VIRTIO_NET_QUEUE_SIZE 256

/* The backend frames leave by: the frame (no virtio header) as an iovec
 * list of len bytes in all; 0, or a negative errno (the frame is then
 * dropped and counted, as a full NIC would). */
struct virtio_net_backend {
	int (*write_frame)(void *handle, const struct iovec *iov, int iovcnt, size_t len);
	void *handle;
};

struct virtio_net_options {
	uint8_t mac[6];               /* a unicast address, not all zero */
	unsigned mtu;                 /* 0: VIRTIO_NET_F_MTU not offered; else 68..65535 */
	struct virtio_net_backend backend;
};

/* One transmit chain between virtio_net_tx_next() and _complete(). */
struct virtio_net_tx {
	uint16_t head;
	uint64_t generation;
	struct iovec iov[VIRTQ_SIZE_MAX];   /* the frame, in guest RAM */
	int iovcnt;
	size_t len;                         /* frame bytes, header not counted */
	bool drop;                          /* refused by the parser (counted): nothing to send */
};

/* Results of virtio_net_receive() (errors are negative). */
enum virtio_net_rx_result {
	VIRTIO_NET_RX_NO_BUFFER = 0,  /* no buffer posted: keep the frame, wait for a queue 0 notify */
	VIRTIO_NET_RX_DELIVERED = 1,
	VIRTIO_NET_RX_DROPPED = 2,    /* gone, counted in stats */
};

struct virtio_net_stats {
	uint64_t rx_packets, rx_bytes;      /* delivered to the guest, frame bytes */
	uint64_t tx_packets, tx_bytes;      /* taken by the backend */
	/* Drops, by reason. */
	uint64_t rx_drop_bad_frame;         /* the backend's frame is under 14 or over 65550 bytes */
	uint64_t rx_drop_too_big;           /* the posted chain cannot hold header and frame */
	uint64_t rx_drop_bad_buffer;        /* a receive chain with device-readable bytes */
	uint64_t tx_drop_runt;              /* under 14 bytes */
	uint64_t tx_drop_too_big;           /* over 65550 bytes */
	uint64_t tx_drop_bad_header;        /* header cut short, or flags / gso_type set */
	uint64_t tx_drop_bad_buffer;        /* a transmit chain with device-writable bytes */
	uint64_t tx_drop_backend;           /* write_frame failed */
	uint64_t rx_waits;                  /* receive found no buffer */
};

struct virtio_net {
	struct virtio_mmio mmio;       /* the transport: the system layer sends MMIO exits here */
	uint8_t config[VIRTIO_NET_CFG_BYTES];
	bool offer_mtu;
	struct virtio_net_backend backend;
	uint64_t generation;           /* bumped at every reset */
	/* Set by the system layer: called on QueueNotify (queue
	 * VIRTIO_NET_RXQ: buffers were posted, read the backend again;
	 * VIRTIO_NET_TXQ: frames to send). NULL: frames are sent at once in
	 * the notifying thread and a receive notify is ignored. */
	void (*kick)(void *opaque, unsigned queue);
	void *kick_opaque;
	struct virtio_net_stats stats;
};

/* A network device at reset state, link up. -EINVAL for a multicast or
 * all-zero MAC, or an MTU outside 68..65535. */
int virtio_net_init(struct virtio_net *net, const struct virtio_net_options *opt,
		    uint8_t *mem, uint64_t mem_size, virtio_mmio_irq_fn irq, void *irq_opaque,
		    struct isolab_error *err);

/* The link went up or down: config status and a configuration change
 * notification when it changed. */
void virtio_net_set_link(struct virtio_net *net, bool up);

/* Under the device lock: takes and checks the next transmit chain. 1: tx
 * filled (tx->drop when refused and counted); 0: none; -EIO: the driver
 * broke the protocol, DEVICE_NEEDS_RESET is set (err says why). */
int virtio_net_tx_next(struct virtio_net *net, struct virtio_net_tx *tx, struct isolab_error *err);
/* Without the lock: hands the frame to the backend. */
void virtio_net_tx_execute(struct virtio_net *net, struct virtio_net_tx *tx);
/* Under the lock: the used ring, and the interrupt when the driver wants it. */
void virtio_net_tx_complete(struct virtio_net *net, struct virtio_net_tx *tx);
/* All three until the transmit queue is empty; returns the chains taken. */
unsigned virtio_net_tx_process(struct virtio_net *net);

/* Under the lock: one frame from the backend (no virtio header) into the
 * next receive chain; an enum virtio_net_rx_result, or -EIO when the
 * receive queue broke (DEVICE_NEEDS_RESET set; drop the frame). */
int virtio_net_receive(struct virtio_net *net, const void *frame, size_t len, struct isolab_error *err);

#endif
