/*
 * test_virtio_net.c: unit tests of isolab-vmm's virtio-net model (no
 * /dev/kvm) and of its tap backend. The model runs over a malloc'd guest
 * RAM with the driver of virtio_driver.h and a fake wire that keeps the
 * last frame sent. The tap tests need root and /dev/net/tun, run in a
 * network namespace of their own (nothing is left on the host) and skip
 * otherwise; the last one sends an ARP request from the model through a
 * real tap and feeds the kernel's reply back into the guest.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <cmocka.h>

#include "vmm/tap.h"
#include "vmm/virtio_mmio.h"
#include "vmm/virtio_net.h"
#include "vmm/virtq.h"
#include "vmm/tests/virtio_driver.h"

#define MEM_SIZE    (4u << 20)
#define NUM         VIRTIO_NET_QUEUE_SIZE
#define RX_DESC     0x1000
#define RX_AVAIL    0x2000
#define RX_USED     0x3000
#define TX_DESC     0x4000
#define TX_AVAIL    0x5000
#define TX_USED     0x6000
#define RX_BUF      0x10000    /* receive buffers */
#define TX_BUF      0x100000   /* header + frame to send, contiguous */
#define BIG_BUF     0x200000   /* room for the largest frames */
#define HDR         VIRTIO_NET_HDR_BYTES
#define RX_BUF_LEN  1526       /* what Linux posts without MRG_RXBUF or offloads: 12 + 1514 */

static const uint8_t test_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

#define F_DEFAULT (1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS)

/* The other end of the cable: the last frame the device sent. */
struct wire {
	uint8_t last[VIRTIO_NET_FRAME_MAX];
	size_t last_len;
	unsigned frames;
	int fail;              /* next write returns this when negative */
};

static int wire_write(void *handle, const struct iovec *iov, int iovcnt, size_t len)
{
	struct wire *w = handle;
	size_t done = 0;

	if (w->fail < 0) {
		int r = w->fail;
		w->fail = 0;
		return r;
	}
	for (int i = 0; i < iovcnt; i++) {
		assert_true(iov[i].iov_len <= sizeof(w->last) - done);
		memcpy(w->last + done, iov[i].iov_base, iov[i].iov_len);
		done += iov[i].iov_len;
	}
	assert_int_equal(done, len);
	w->last_len = done;
	w->frames++;
	return 0;
}

/* The test's guest: its RAM, the device, the driver's two queues. */
struct guest {
	uint8_t *mem;
	struct virtio_net net;
	struct vdrv_queue rxq, txq;
	struct wire wire;
	unsigned irq_raised, irq_lowered;
	unsigned kicks[2];
};

static void irq(void *opaque, bool level)
{
	struct guest *g = opaque;

	if (level)
		g->irq_raised++;
	else
		g->irq_lowered++;
}

static void count_kick(void *opaque, unsigned queue)
{
	struct guest *g = opaque;

	assert_true(queue < 2);
	g->kicks[queue]++;
}

static int setup(void **state)
{
	struct guest *g = calloc(1, sizeof(*g));
	struct isolab_error err = { 0 };
	struct virtio_net_options opt = { .mtu = 1500, .backend = { wire_write, NULL } };

	assert_non_null(g);
	g->mem = calloc(1, MEM_SIZE);
	assert_non_null(g->mem);
	memcpy(opt.mac, test_mac, 6);
	opt.backend.handle = &g->wire;
	g->rxq = (struct vdrv_queue){ NUM, RX_DESC, RX_AVAIL, RX_USED, 0 };
	g->txq = (struct vdrv_queue){ NUM, TX_DESC, TX_AVAIL, TX_USED, 0 };
	assert_int_equal(virtio_net_init(&g->net, &opt, g->mem, MEM_SIZE, irq, g, &err), 0);
	*state = g;
	return 0;
}

static int teardown(void **state)
{
	struct guest *g = *state;

	free(g->mem);
	free(g);
	return 0;
}

static uint32_t rd(struct guest *g, uint32_t off) { return vdrv_rd(&g->net.mmio, off); }
static void wr(struct guest *g, uint32_t off, uint32_t v) { vdrv_wr(&g->net.mmio, off, v); }

/* The whole driver initialisation (3.1.1): both queues, DRIVER_OK. */
static void driver_start(struct guest *g, uint64_t features)
{
	assert_int_equal(vdrv_negotiate(&g->net.mmio, features), 0xb);
	vdrv_queue_addresses(&g->net.mmio, VIRTIO_NET_RXQ, NUM, RX_DESC, RX_AVAIL, RX_USED);
	assert_int_equal(rd(g, VIRTIO_MMIO_QUEUE_NUM_MAX), NUM);
	wr(g, VIRTIO_MMIO_QUEUE_READY, 1);
	vdrv_queue_addresses(&g->net.mmio, VIRTIO_NET_TXQ, NUM, TX_DESC, TX_AVAIL, TX_USED);
	wr(g, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(g, VIRTIO_MMIO_QUEUE_READY), 1);
	wr(g, VIRTIO_MMIO_STATUS, 0xf);
	assert_int_equal(rd(g, VIRTIO_MMIO_STATUS), 0xf);
	memset(g->mem + RX_AVAIL, 0, TX_USED + 0x1000 - RX_AVAIL);
	g->rxq.avail_idx = g->txq.avail_idx = 0;
}

static void kick(struct guest *g, unsigned queue) { wr(g, VIRTIO_MMIO_QUEUE_NOTIFY, queue); }

/* Transmits header + frame laid out at TX_BUF as a chain from
 * descriptor first: pieces[0..n-1] bytes each, the last piece whatever is
 * left; kicks queue 1. */
static void send_raw(struct guest *g, const uint8_t *hdr, const void *frame, size_t len,
		     const uint32_t *pieces, unsigned n, unsigned first)
{
	struct vdrv_seg s[16];
	size_t total = HDR + len, off = 0;
	unsigned k = 0;

	assert_true(n < 16);
	memcpy(g->mem + TX_BUF, hdr, HDR);
	memcpy(g->mem + TX_BUF + HDR, frame, len);
	for (; k < n; off += pieces[k], k++)
		s[k] = (struct vdrv_seg){ TX_BUF + off, pieces[k], 0 };
	assert_true(off <= total);
	s[k++] = (struct vdrv_seg){ TX_BUF + off, (uint32_t)(total - off), 0 };
	vdrv_offer_at(g->mem, &g->txq, first, s, k);
	kick(g, VIRTIO_NET_TXQ);
}

static const uint8_t zero_hdr[HDR];

/* Header and frame in one descriptor. */
static void send_frame(struct guest *g, const void *frame, size_t len)
{
	send_raw(g, zero_hdr, frame, len, NULL, 0, 0);
}

/* Posts one receive chain of segments (writable unless flags say) and kicks queue 0. */
static void post(struct guest *g, const struct vdrv_seg *s, unsigned n)
{
	vdrv_offer_at(g->mem, &g->rxq, (g->rxq.avail_idx * 2u) % NUM, s, n);
	kick(g, VIRTIO_NET_RXQ);
}

static void post_buffer(struct guest *g, uint64_t gpa, uint32_t len)
{
	struct vdrv_seg s = { gpa, len, VIRTQ_DESC_F_WRITE };

	post(g, &s, 1);
}

/* A recognisable frame: destination our MAC, a source, EtherType 0x88b5
 * (local experimental), then bytes from seed. */
static void make_frame(uint8_t *f, size_t len, unsigned seed)
{
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 1 };

	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)(seed + i * 13);
	if (len >= VIRTIO_NET_ETH_HLEN) {
		memcpy(f, test_mac, 6);
		memcpy(f + 6, src, 6);
		f[12] = 0x88;
		f[13] = 0xb5;
	}
}

static void assert_needs_reset(struct guest *g, const char *msg)
{
	assert_true(rd(g, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	assert_true(rd(g, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	assert_string_equal(g->net.mmio.last_error.msg, msg);
}

/* --- identity, features, configuration ---------------------------------- */

static void test_features_and_config(void **state)
{
	struct guest *g = *state;
	uint8_t b[8];

	assert_int_equal(rd(g, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_NET);
	assert_int_equal(vdrv_device_features(&g->net.mmio), F_DEFAULT | 1ull << VIRTIO_NET_F_MTU);
	/* Two queues: receive and transmit; no third. */
	wr(g, VIRTIO_MMIO_QUEUE_SEL, 1);
	assert_int_equal(rd(g, VIRTIO_MMIO_QUEUE_NUM_MAX), NUM);
	wr(g, VIRTIO_MMIO_QUEUE_SEL, 2);
	assert_int_equal(rd(g, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);

	/* Configuration: mac bytes, status (link up), max_virtqueue_pairs, mtu. */
	for (unsigned i = 0; i < 6; i++) {
		virtio_mmio_read(&g->net.mmio, VIRTIO_MMIO_CONFIG + VIRTIO_NET_CFG_MAC + i, b, 1);
		assert_int_equal(b[0], test_mac[i]);
	}
	assert_int_equal(rd(g, VIRTIO_MMIO_CONFIG + 4), 0x56 << 8 | 0x34 | VIRTIO_NET_S_LINK_UP << 16);
	virtio_mmio_read(&g->net.mmio, VIRTIO_MMIO_CONFIG + VIRTIO_NET_CFG_STATUS, b, 2);
	assert_int_equal(b[0] | b[1] << 8, VIRTIO_NET_S_LINK_UP);
	virtio_mmio_read(&g->net.mmio, VIRTIO_MMIO_CONFIG + VIRTIO_NET_CFG_MAX_PAIRS, b, 2);
	assert_int_equal(b[0] | b[1] << 8, 1);
	virtio_mmio_read(&g->net.mmio, VIRTIO_MMIO_CONFIG + VIRTIO_NET_CFG_MTU, b, 2);
	assert_int_equal(b[0] | b[1] << 8, 1500);
	virtio_mmio_read(&g->net.mmio, VIRTIO_MMIO_CONFIG + 8, b, 8);   /* pairs, mtu, then zeros */
	assert_memory_equal(b, "\x01\x00\xdc\x05\x00\x00\x00\x00", 8);
	assert_int_equal(g->net.mmio.bad_accesses, 0);
	/* The driver writes no field (the MAC needs CTRL_MAC_ADDR, not offered). */
	wr(g, VIRTIO_MMIO_CONFIG, 0xffffffff);
	assert_int_equal(rd(g, VIRTIO_MMIO_CONFIG), 0x12005452);
	assert_int_equal(g->net.mmio.bad_accesses, 1);

	/* Negotiation: offloads and merged buffers were never offered. */
	assert_int_equal(vdrv_negotiate(&g->net.mmio, F_DEFAULT | 1ull << VIRTIO_NET_F_MRG_RXBUF) &
			 VIRTIO_STATUS_FEATURES_OK, 0);
	assert_string_equal(g->net.mmio.last_error.msg,
			    "virtio-net: driver features 0x100018020 include 0x8000, never offered");
	assert_int_equal(vdrv_negotiate(&g->net.mmio, F_DEFAULT | 1ull /* CSUM */) & VIRTIO_STATUS_FEATURES_OK, 0);
	assert_string_equal(g->net.mmio.last_error.msg,
			    "virtio-net: driver features 0x100010021 include 0x1, never offered");
	assert_int_equal(vdrv_negotiate(&g->net.mmio, F_DEFAULT | 1ull << VIRTIO_NET_F_MTU), 0xb);
	assert_true(virtio_mmio_negotiated(&g->net.mmio, VIRTIO_NET_F_MTU));
	/* A driver taking nothing but VERSION_1 is fine too. */
	assert_int_equal(vdrv_negotiate(&g->net.mmio, 1ull << VIRTIO_F_VERSION_1), 0xb);
	assert_false(virtio_mmio_negotiated(&g->net.mmio, VIRTIO_NET_F_MAC));
}

static void test_link_and_init_refusals(void **state)
{
	struct guest *g = *state;
	struct virtio_net net;
	struct virtio_net_options opt = { .mac = { 0x52, 0x54, 0, 0, 0, 1 } };
	struct isolab_error err = { 0 };

	/* Link down, then up again: status and a configuration interrupt. */
	driver_start(g, F_DEFAULT);
	virtio_net_set_link(&g->net, false);
	assert_int_equal(rd(g, VIRTIO_MMIO_CONFIG + 4) >> 16, 0);
	assert_int_equal(rd(g, VIRTIO_MMIO_CONFIG_GENERATION), 1);
	assert_int_equal(rd(g, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(g->irq_raised, 1);
	virtio_net_set_link(&g->net, false);   /* no change: nothing */
	assert_int_equal(rd(g, VIRTIO_MMIO_CONFIG_GENERATION), 1);
	assert_int_equal(g->irq_raised, 1);
	virtio_net_set_link(&g->net, true);
	assert_int_equal(rd(g, VIRTIO_MMIO_CONFIG + 4) >> 16, VIRTIO_NET_S_LINK_UP);
	assert_int_equal(rd(g, VIRTIO_MMIO_CONFIG_GENERATION), 2);

	/* Without an MTU, VIRTIO_NET_F_MTU is not offered and the field is 0. */
	assert_int_equal(virtio_net_init(&net, &opt, g->mem, MEM_SIZE, NULL, NULL, &err), 0);
	assert_int_equal(vdrv_device_features(&net.mmio), F_DEFAULT);
	assert_int_equal(vdrv_rd(&net.mmio, VIRTIO_MMIO_CONFIG + 8), 1);
	/* Refused: a multicast or zero MAC, an MTU out of range. */
	opt.mac[0] = 0x01;
	assert_int_equal(virtio_net_init(&net, &opt, g->mem, MEM_SIZE, NULL, NULL, &err), -EINVAL);
	assert_string_equal(err.msg, "virtio-net: MAC 01:54:00:00:00:01 is not a unicast address");
	memset(opt.mac, 0, 6);
	assert_int_equal(virtio_net_init(&net, &opt, g->mem, MEM_SIZE, NULL, NULL, &err), -EINVAL);
	assert_string_equal(err.msg, "virtio-net: MAC 00:00:00:00:00:00 is not a unicast address");
	opt.mac[0] = 0x02;
	opt.mtu = 67;
	assert_int_equal(virtio_net_init(&net, &opt, g->mem, MEM_SIZE, NULL, NULL, &err), -EINVAL);
	assert_string_equal(err.msg, "virtio-net: MTU 67 is outside 68..65535");
	opt.mtu = 65536;
	assert_int_equal(virtio_net_init(&net, &opt, g->mem, MEM_SIZE, NULL, NULL, &err), -EINVAL);
	assert_string_equal(err.msg, "virtio-net: MTU 65536 is outside 68..65535");
	opt.mtu = 65535;
	assert_int_equal(virtio_net_init(&net, &opt, g->mem, MEM_SIZE, NULL, NULL, &err), 0);
}

/* --- transmit ------------------------------------------------------------ */

static void test_transmit(void **state)
{
	struct guest *g = *state;
	static uint8_t frame[VIRTIO_NET_FRAME_MAX + 1];
	static const uint32_t split[] = { 5, 7, 1, 100, 0, 900 };

	driver_start(g, F_DEFAULT);
	/* Header and frame in one descriptor: the frame, bytes exact, no header. */
	make_frame(frame, 60, 1);
	send_frame(g, frame, 60);
	assert_int_equal(g->wire.frames, 1);
	assert_int_equal(g->wire.last_len, 60);
	assert_memory_equal(g->wire.last, frame, 60);
	assert_int_equal(vdrv_used_idx(g->mem, &g->txq), 1);
	assert_int_equal(vdrv_last_used_id(g->mem, &g->txq), 0);
	assert_int_equal(vdrv_last_used_len(g->mem, &g->txq), 0);
	assert_int_equal(rd(g, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	assert_int_equal(g->irq_raised, 1);
	/* Any layout (2.7.4): the header cut 5 + 7, the frame over five
	 * descriptors, one of them empty; from descriptor 250, wrapping the table. */
	make_frame(frame, 1514, 2);
	send_raw(g, zero_hdr, frame, 1514, split, 6, 250);
	assert_int_equal(g->wire.frames, 2);
	assert_int_equal(g->wire.last_len, 1514);
	assert_memory_equal(g->wire.last, frame, 1514);
	assert_int_equal(vdrv_last_used_id(g->mem, &g->txq), 250);
	/* The smallest and the largest frames. */
	make_frame(frame, VIRTIO_NET_ETH_HLEN, 3);
	send_frame(g, frame, VIRTIO_NET_ETH_HLEN);
	assert_int_equal(g->wire.last_len, VIRTIO_NET_ETH_HLEN);
	assert_memory_equal(g->wire.last, frame, VIRTIO_NET_ETH_HLEN);
	make_frame(frame, VIRTIO_NET_FRAME_MAX, 4);
	send_frame(g, frame, VIRTIO_NET_FRAME_MAX);
	assert_int_equal(g->wire.frames, 4);
	assert_int_equal(g->wire.last_len, VIRTIO_NET_FRAME_MAX);
	assert_memory_equal(g->wire.last, frame, VIRTIO_NET_FRAME_MAX);
	assert_int_equal(g->net.stats.tx_packets, 4);
	assert_int_equal(g->net.stats.tx_bytes, 60 + 1514 + 14 + VIRTIO_NET_FRAME_MAX);
	assert_int_equal(vdrv_used_idx(g->mem, &g->txq), 4);
	/* Nothing crossed to the receive side. */
	assert_int_equal(vdrv_used_idx(g->mem, &g->rxq), 0);
	assert_int_equal(g->net.stats.rx_packets, 0);
}

static void test_transmit_refused(void **state)
{
	struct guest *g = *state;
	static uint8_t frame[VIRTIO_NET_FRAME_MAX + 1];
	uint8_t hdr[HDR] = { 0 };
	struct vdrv_seg s[2];

	driver_start(g, F_DEFAULT);
	make_frame(frame, sizeof(frame), 5);
	/* A runt: 13 bytes, no whole Ethernet header. */
	send_frame(g, frame, VIRTIO_NET_ETH_HLEN - 1);
	assert_int_equal(g->net.stats.tx_drop_runt, 1);
	/* One byte over the largest frame. */
	send_frame(g, frame, VIRTIO_NET_FRAME_MAX + 1);
	assert_int_equal(g->net.stats.tx_drop_too_big, 1);
	/* A header cut short (8 bytes, nothing else); a header asking for a
	 * checksum (NEEDS_CSUM) or a segmentation (GSO_TCPV4), never offered. */
	s[0] = (struct vdrv_seg){ TX_BUF, 8, 0 };
	vdrv_offer_at(g->mem, &g->txq, 0, s, 1);
	kick(g, VIRTIO_NET_TXQ);
	hdr[0] = 1;
	send_raw(g, hdr, frame, 60, NULL, 0, 0);
	hdr[0] = 0;
	hdr[1] = 1;
	send_raw(g, hdr, frame, 60, NULL, 0, 0);
	assert_int_equal(g->net.stats.tx_drop_bad_header, 3);
	/* A device-writable descriptor in a transmit chain. */
	memcpy(g->mem + TX_BUF, zero_hdr, HDR);
	s[0] = (struct vdrv_seg){ TX_BUF, HDR + 60, 0 };
	s[1] = (struct vdrv_seg){ BIG_BUF, 16, VIRTQ_DESC_F_WRITE };
	vdrv_offer_at(g->mem, &g->txq, 0, s, 2);
	kick(g, VIRTIO_NET_TXQ);
	assert_int_equal(g->net.stats.tx_drop_bad_buffer, 1);
	/* The backend refuses (a full tap queue). */
	g->wire.fail = -EAGAIN;
	send_frame(g, frame, 60);
	assert_int_equal(g->net.stats.tx_drop_backend, 1);
	/* Nothing sent, every chain given back with nothing written, and the
	 * device still runs: the next frame goes out. */
	assert_int_equal(g->wire.frames, 0);
	assert_int_equal(g->net.stats.tx_packets, 0);
	assert_int_equal(vdrv_used_idx(g->mem, &g->txq), 7);
	assert_int_equal(vdrv_last_used_len(g->mem, &g->txq), 0);
	assert_int_equal(rd(g, VIRTIO_MMIO_STATUS), 0xf);
	send_frame(g, frame, 60);
	assert_int_equal(g->wire.frames, 1);
	assert_memory_equal(g->wire.last, frame, 60);
	assert_int_equal(g->net.stats.tx_packets, 1);
	assert_int_equal(vdrv_used_idx(g->mem, &g->txq), 8);
}

/* --- receive ------------------------------------------------------------- */

static void test_receive(void **state)
{
	struct guest *g = *state;
	struct isolab_error err = { 0 };
	uint8_t frame[1514], want_hdr[HDR] = { 0 };
	struct vdrv_seg s[3];

	want_hdr[VIRTIO_NET_HDR_NUM_BUFFERS] = 1;   /* le16 1, the rest 0 */
	driver_start(g, F_DEFAULT);
	memset(g->mem + RX_BUF, 0xee, RX_BUF_LEN + 1);
	post_buffer(g, RX_BUF, RX_BUF_LEN);
	make_frame(frame, 60, 6);
	assert_int_equal(virtio_net_receive(&g->net, frame, 60, &err), VIRTIO_NET_RX_DELIVERED);
	assert_memory_equal(g->mem + RX_BUF, want_hdr, HDR);
	assert_memory_equal(g->mem + RX_BUF + HDR, frame, 60);
	assert_int_equal(g->mem[RX_BUF + HDR + 60], 0xee);   /* nothing past it */
	assert_int_equal(vdrv_used_idx(g->mem, &g->rxq), 1);
	assert_int_equal(vdrv_last_used_id(g->mem, &g->rxq), 0);
	assert_int_equal(vdrv_last_used_len(g->mem, &g->rxq), HDR + 60);
	assert_int_equal(rd(g, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	assert_int_equal(g->irq_raised, 1);
	/* A full-size frame into a buffer cut in three (header 5 + 7, frame). */
	memset(g->mem + RX_BUF, 0xee, 0x1000);
	s[0] = (struct vdrv_seg){ RX_BUF, 5, VIRTQ_DESC_F_WRITE };
	s[1] = (struct vdrv_seg){ RX_BUF + 0x100, 7, VIRTQ_DESC_F_WRITE };
	s[2] = (struct vdrv_seg){ RX_BUF + 0x200, 1514, VIRTQ_DESC_F_WRITE };
	post(g, s, 3);
	make_frame(frame, 1514, 7);
	assert_int_equal(virtio_net_receive(&g->net, frame, 1514, &err), VIRTIO_NET_RX_DELIVERED);
	assert_memory_equal(g->mem + RX_BUF, want_hdr, 5);
	assert_memory_equal(g->mem + RX_BUF + 0x100, want_hdr + 5, 7);
	assert_memory_equal(g->mem + RX_BUF + 0x200, frame, 1514);
	assert_int_equal(vdrv_last_used_id(g->mem, &g->rxq), 2);
	assert_int_equal(vdrv_last_used_len(g->mem, &g->rxq), HDR + 1514);
	assert_int_equal(g->net.stats.rx_packets, 2);
	assert_int_equal(g->net.stats.rx_bytes, 60 + 1514);
	/* The driver suppresses interrupts: used, no interrupt. */
	wr(g, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	vdrv_put16(g->mem, RX_AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT);
	post_buffer(g, RX_BUF, RX_BUF_LEN);
	assert_int_equal(virtio_net_receive(&g->net, frame, 100, &err), VIRTIO_NET_RX_DELIVERED);
	assert_int_equal(vdrv_used_idx(g->mem, &g->rxq), 3);
	assert_int_equal(rd(g, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(g->irq_raised, 2);
}

static void test_receive_waits_for_buffers(void **state)
{
	struct guest *g = *state;
	struct isolab_error err = { 0 };
	uint8_t frame[60];

	g->net.kick = count_kick;
	g->net.kick_opaque = g;
	make_frame(frame, sizeof(frame), 8);
	/* No driver yet: the frame waits. */
	assert_int_equal(virtio_net_receive(&g->net, frame, sizeof(frame), &err), VIRTIO_NET_RX_NO_BUFFER);
	/* A running driver that posted nothing: still waits. */
	driver_start(g, F_DEFAULT);
	assert_int_equal(virtio_net_receive(&g->net, frame, sizeof(frame), &err), VIRTIO_NET_RX_NO_BUFFER);
	assert_int_equal(g->net.stats.rx_waits, 2);
	assert_int_equal(vdrv_used_idx(g->mem, &g->rxq), 0);
	assert_int_equal(g->irq_raised, 0);
	assert_int_equal(g->kicks[VIRTIO_NET_RXQ], 0);
	/* The guest posts a buffer and notifies queue 0: the system layer is
	 * woken, reads again, the kept frame goes in. */
	post_buffer(g, RX_BUF, RX_BUF_LEN);
	assert_int_equal(g->kicks[VIRTIO_NET_RXQ], 1);
	assert_int_equal(g->kicks[VIRTIO_NET_TXQ], 0);
	assert_int_equal(virtio_net_receive(&g->net, frame, sizeof(frame), &err), VIRTIO_NET_RX_DELIVERED);
	assert_memory_equal(g->mem + RX_BUF + HDR, frame, sizeof(frame));
	assert_int_equal(vdrv_used_idx(g->mem, &g->rxq), 1);
	assert_int_equal(g->net.stats.rx_packets, 1);
	/* One buffer, one frame: the next waits again. */
	assert_int_equal(virtio_net_receive(&g->net, frame, sizeof(frame), &err), VIRTIO_NET_RX_NO_BUFFER);
	/* Without a kick hook a receive notify is harmless. */
	g->net.kick = NULL;
	post_buffer(g, RX_BUF, RX_BUF_LEN);
	assert_int_equal(vdrv_used_idx(g->mem, &g->rxq), 1);
	assert_int_equal(virtio_net_receive(&g->net, frame, sizeof(frame), &err), VIRTIO_NET_RX_DELIVERED);
}

static void test_receive_dropped(void **state)
{
	struct guest *g = *state;
	struct isolab_error err = { 0 };
	static uint8_t frame[VIRTIO_NET_FRAME_MAX + 1];
	struct vdrv_seg s[2];

	driver_start(g, F_DEFAULT);
	make_frame(frame, sizeof(frame), 9);
	/* A frame too big for the posted buffer: dropped, the buffer given
	 * back with nothing written. */
	memset(g->mem + RX_BUF, 0xee, 0x200);
	post_buffer(g, RX_BUF, HDR + 100);
	assert_int_equal(virtio_net_receive(&g->net, frame, 101, &err), VIRTIO_NET_RX_DROPPED);
	assert_int_equal(g->net.stats.rx_drop_too_big, 1);
	assert_int_equal(vdrv_used_idx(g->mem, &g->rxq), 1);
	assert_int_equal(vdrv_last_used_len(g->mem, &g->rxq), 0);
	assert_int_equal(g->mem[RX_BUF], 0xee);
	assert_int_equal(g->irq_raised, 1);
	/* The same buffer takes exactly 100 bytes. */
	post_buffer(g, RX_BUF, HDR + 100);
	assert_int_equal(virtio_net_receive(&g->net, frame, 100, &err), VIRTIO_NET_RX_DELIVERED);
	assert_int_equal(vdrv_last_used_len(g->mem, &g->rxq), HDR + 100);
	assert_memory_equal(g->mem + RX_BUF + HDR, frame, 100);
	/* A receive chain with a device-readable descriptor. */
	s[0] = (struct vdrv_seg){ RX_BUF, HDR, 0 };
	s[1] = (struct vdrv_seg){ RX_BUF + HDR, 1514, VIRTQ_DESC_F_WRITE };
	post(g, s, 2);
	assert_int_equal(virtio_net_receive(&g->net, frame, 60, &err), VIRTIO_NET_RX_DROPPED);
	assert_int_equal(g->net.stats.rx_drop_bad_buffer, 1);
	assert_int_equal(vdrv_used_idx(g->mem, &g->rxq), 3);
	/* Frames the backend should never give: no buffer is taken for them. */
	post_buffer(g, BIG_BUF, HDR + VIRTIO_NET_FRAME_MAX);
	assert_int_equal(virtio_net_receive(&g->net, frame, VIRTIO_NET_ETH_HLEN - 1, &err), VIRTIO_NET_RX_DROPPED);
	assert_int_equal(virtio_net_receive(&g->net, frame, VIRTIO_NET_FRAME_MAX + 1, &err), VIRTIO_NET_RX_DROPPED);
	assert_int_equal(g->net.stats.rx_drop_bad_frame, 2);
	assert_int_equal(vdrv_used_idx(g->mem, &g->rxq), 3);
	/* The largest frame fits the largest buffer. */
	assert_int_equal(virtio_net_receive(&g->net, frame, VIRTIO_NET_FRAME_MAX, &err), VIRTIO_NET_RX_DELIVERED);
	assert_memory_equal(g->mem + BIG_BUF + HDR, frame, VIRTIO_NET_FRAME_MAX);
	assert_int_equal(vdrv_last_used_len(g->mem, &g->rxq), HDR + VIRTIO_NET_FRAME_MAX);
	assert_int_equal(g->net.stats.rx_packets, 2);
	assert_int_equal(g->net.stats.rx_bytes, 100 + VIRTIO_NET_FRAME_MAX);
	assert_int_equal(rd(g, VIRTIO_MMIO_STATUS), 0xf);
}

/* --- hostile rings --------------------------------------------------------- */

/* A reset and a fresh start bring the device back after a broken chain. */
static void restart_and_check(struct guest *g)
{
	struct isolab_error err = { 0 };
	uint8_t frame[60];

	make_frame(frame, sizeof(frame), 10);
	driver_start(g, F_DEFAULT);
	post_buffer(g, RX_BUF, RX_BUF_LEN);
	assert_int_equal(virtio_net_receive(&g->net, frame, sizeof(frame), &err), VIRTIO_NET_RX_DELIVERED);
	send_frame(g, frame, sizeof(frame));
	assert_memory_equal(g->wire.last, frame, sizeof(frame));
	assert_int_equal(vdrv_used_idx(g->mem, &g->rxq), 1);
	assert_int_equal(vdrv_used_idx(g->mem, &g->txq), 1);
}

static void test_malformed_chains(void **state)
{
	struct guest *g = *state;
	struct isolab_error err = { 0 };
	uint8_t frame[60];
	unsigned sent;

	make_frame(frame, sizeof(frame), 11);
	/* A transmit loop: 0 -> 1 -> 0. */
	driver_start(g, F_DEFAULT);
	vdrv_put_desc(g->mem, &g->txq, 0, TX_BUF, HDR, VIRTQ_DESC_F_NEXT, 1);
	vdrv_put_desc(g->mem, &g->txq, 1, TX_BUF + HDR, 60, VIRTQ_DESC_F_NEXT, 0);
	vdrv_publish(g->mem, &g->txq, 0);
	kick(g, VIRTIO_NET_TXQ);
	assert_needs_reset(g, "virtio-net: transmit queue: virtqueue: chain from descriptor 0 is longer than the queue size 256 (a loop)");
	assert_int_equal(g->wire.frames, 0);
	assert_int_equal(vdrv_used_idx(g->mem, &g->txq), 0);
	/* Later kicks and frames are ignored until a reset. */
	sent = g->wire.frames;
	kick(g, VIRTIO_NET_TXQ);
	assert_int_equal(virtio_net_receive(&g->net, frame, sizeof(frame), &err), VIRTIO_NET_RX_NO_BUFFER);
	assert_int_equal(g->wire.frames, sent);
	restart_and_check(g);

	/* A receive buffer outside guest RAM, one ending one byte past it. */
	driver_start(g, F_DEFAULT);
	post_buffer(g, MEM_SIZE - 100, 101);
	assert_int_equal(virtio_net_receive(&g->net, frame, sizeof(frame), &err), -EIO);
	assert_string_equal(err.msg, "virtio-net: receive queue: virtqueue: descriptor 0: buffer at 0x3fff9c (101 bytes) lies outside guest RAM (0x400000 bytes)");
	assert_needs_reset(g, err.msg);
	assert_int_equal(vdrv_used_idx(g->mem, &g->rxq), 0);
	restart_and_check(g);
	driver_start(g, F_DEFAULT);
	post_buffer(g, 0xfffffffffffff000ull, 0x2000);
	assert_int_equal(virtio_net_receive(&g->net, frame, sizeof(frame), &err), -EIO);
	assert_string_equal(err.msg, "virtio-net: receive queue: virtqueue: descriptor 0: buffer at 0xfffffffffffff000 (8192 bytes) lies outside guest RAM (0x400000 bytes)");
	restart_and_check(g);

	/* A transmit head past the queue; next past the queue; an indirect descriptor. */
	driver_start(g, F_DEFAULT);
	vdrv_publish(g->mem, &g->txq, NUM);
	kick(g, VIRTIO_NET_TXQ);
	assert_needs_reset(g, "virtio-net: transmit queue: virtqueue: available ring entry 0 names descriptor 256, past the queue size 256");
	restart_and_check(g);
	driver_start(g, F_DEFAULT);
	vdrv_put_desc(g->mem, &g->txq, 3, TX_BUF, HDR + 60, VIRTQ_DESC_F_NEXT, NUM + 7);
	vdrv_publish(g->mem, &g->txq, 3);
	kick(g, VIRTIO_NET_TXQ);
	assert_needs_reset(g, "virtio-net: transmit queue: virtqueue: descriptor 3: next 263 is past the queue size 256");
	restart_and_check(g);
	driver_start(g, F_DEFAULT);
	vdrv_put_desc(g->mem, &g->txq, 0, TX_BUF, 16, VIRTQ_DESC_F_INDIRECT, 0);
	vdrv_publish(g->mem, &g->txq, 0);
	kick(g, VIRTIO_NET_TXQ);
	assert_needs_reset(g, "virtio-net: transmit queue: virtqueue: descriptor 0 is indirect, which was not offered");
	restart_and_check(g);

	/* The receive avail index running more than a queue ahead. */
	driver_start(g, F_DEFAULT);
	vdrv_put16(g->mem, RX_AVAIL + 2, NUM + 1);
	assert_int_equal(virtio_net_receive(&g->net, frame, sizeof(frame), &err), -EIO);
	assert_needs_reset(g, "virtio-net: receive queue: virtqueue: available index 257 is 257 entries ahead of the device's 0, more than the queue size 256");
	restart_and_check(g);
}

static void test_queue_setup_refused(void **state)
{
	struct guest *g = *state;
	static const struct {
		unsigned queue;
		uint32_t num;
		const char *msg;
	} bad[] = {
		{ VIRTIO_NET_RXQ, 100, "virtio-net: queue 0: virtqueue size 100 is not a power of two in 1..256" },
		{ VIRTIO_NET_TXQ, 255, "virtio-net: queue 1: virtqueue size 255 is not a power of two in 1..256" },
		{ VIRTIO_NET_TXQ, 512, "virtio-net: queue 1: virtqueue size 512 is not a power of two in 1..256" },
		{ VIRTIO_NET_RXQ, 0, "virtio-net: queue 0: virtqueue size 0 is not a power of two in 1..256" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(vdrv_negotiate(&g->net.mmio, F_DEFAULT), 0xb);
		vdrv_queue_addresses(&g->net.mmio, bad[i].queue, bad[i].num, RX_DESC, RX_AVAIL, RX_USED);
		wr(g, VIRTIO_MMIO_QUEUE_READY, 1);
		assert_int_equal(rd(g, VIRTIO_MMIO_QUEUE_READY), 0);
		assert_true(rd(g, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
		assert_string_equal(g->net.mmio.last_error.msg, bad[i].msg);
	}
	/* A queue that does not exist takes nothing. */
	assert_int_equal(vdrv_negotiate(&g->net.mmio, F_DEFAULT), 0xb);
	vdrv_queue_addresses(&g->net.mmio, 2, NUM, RX_DESC, RX_AVAIL, RX_USED);
	wr(g, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(g, VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(rd(g, VIRTIO_MMIO_QUEUE_NUM), 0);
	/* Smaller powers of two are fine. */
	vdrv_queue_addresses(&g->net.mmio, VIRTIO_NET_RXQ, 2, RX_DESC, RX_AVAIL, RX_USED);
	wr(g, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(g, VIRTIO_MMIO_QUEUE_READY), 1);
}

/* --- rings and threads ------------------------------------------------------ */

static void test_used_ring_wraparound(void **state)
{
	struct guest *g = *state;
	struct isolab_error err = { 0 };
	const unsigned total = 70000;
	uint8_t frame[64];

	driver_start(g, F_DEFAULT);
	for (unsigned i = 0; i < total; i++) {
		unsigned first = (i * 3) % NUM;

		make_frame(frame, sizeof(frame), i);
		frame[20] = (uint8_t)(i >> 8);
		send_raw(g, zero_hdr, frame, sizeof(frame), NULL, 0, first);
		post_buffer(g, RX_BUF, RX_BUF_LEN);
		if (virtio_net_receive(&g->net, frame, sizeof(frame), &err) != VIRTIO_NET_RX_DELIVERED ||
		    memcmp(g->wire.last, frame, sizeof(frame)) || memcmp(g->mem + RX_BUF + HDR, frame, sizeof(frame)) ||
		    vdrv_used_idx(g->mem, &g->txq) != (uint16_t)(i + 1) || vdrv_last_used_id(g->mem, &g->txq) != first ||
		    vdrv_used_idx(g->mem, &g->rxq) != (uint16_t)(i + 1) || vdrv_last_used_id(g->mem, &g->rxq) != (i * 2) % NUM)
			fail_msg("frame %u: tx used %u id %u, rx used %u id %u", i, vdrv_used_idx(g->mem, &g->txq),
				 vdrv_last_used_id(g->mem, &g->txq), vdrv_used_idx(g->mem, &g->rxq),
				 vdrv_last_used_id(g->mem, &g->rxq));
		wr(g, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	}
	assert_int_equal(vdrv_used_idx(g->mem, &g->txq), total % 65536);
	assert_int_equal(vdrv_used_idx(g->mem, &g->rxq), total % 65536);
	assert_int_equal(g->net.stats.tx_packets, total);
	assert_int_equal(g->net.stats.rx_packets, total);
	assert_int_equal(g->net.stats.rx_bytes, (uint64_t)total * sizeof(frame));
	assert_int_equal(g->irq_lowered, total);
	assert_int_equal(rd(g, VIRTIO_MMIO_STATUS), 0xf);
}

static void test_worker_split_and_reset(void **state)
{
	struct guest *g = *state;
	struct isolab_error err = { 0 };
	struct virtio_net_tx tx;
	uint8_t frame[60];

	/* With a kick hook the transmit notify only wakes the worker. */
	g->net.kick = count_kick;
	g->net.kick_opaque = g;
	driver_start(g, F_DEFAULT);
	make_frame(frame, sizeof(frame), 12);
	send_frame(g, frame, sizeof(frame));
	assert_int_equal(g->kicks[VIRTIO_NET_TXQ], 1);
	assert_int_equal(g->wire.frames, 0);
	/* The worker: next (locked), execute (unlocked), complete (locked). */
	assert_int_equal(virtio_net_tx_next(&g->net, &tx, &err), 1);
	assert_false(tx.drop);
	assert_int_equal(tx.len, sizeof(frame));
	assert_int_equal(virtio_net_tx_next(&g->net, &tx, &err), 0);
	send_frame(g, frame, sizeof(frame));
	assert_int_equal(virtio_net_tx_next(&g->net, &tx, &err), 1);
	virtio_net_tx_execute(&g->net, &tx);
	assert_int_equal(g->wire.frames, 1);
	assert_int_equal(vdrv_used_idx(g->mem, &g->txq), 0);
	virtio_net_tx_complete(&g->net, &tx);
	assert_int_equal(vdrv_used_idx(g->mem, &g->txq), 1);
	/* A reset while a frame is in the backend: its completion is dropped. */
	send_frame(g, frame, sizeof(frame));
	assert_int_equal(virtio_net_tx_next(&g->net, &tx, &err), 1);
	wr(g, VIRTIO_MMIO_STATUS, 0);
	virtio_net_tx_execute(&g->net, &tx);
	assert_int_equal(g->wire.frames, 2);
	/* ... even when the driver runs again meanwhile (fresh rings). */
	driver_start(g, F_DEFAULT);
	virtio_net_tx_complete(&g->net, &tx);
	assert_int_equal(vdrv_used_idx(g->mem, &g->txq), 0);
	assert_int_equal(g->irq_raised, 1);
	/* A broken transmit chain in the worker: -EIO and the reason. */
	driver_start(g, F_DEFAULT);
	vdrv_publish(g->mem, &g->txq, 300);
	assert_int_equal(virtio_net_tx_next(&g->net, &tx, &err), -EIO);
	assert_string_equal(err.msg, "virtio-net: transmit queue: virtqueue: available ring entry 0 names descriptor 300, past the queue size 256");
	assert_true(rd(g, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

/* --- the tap ------------------------------------------------------------- */

static void test_tap_names(void **state)
{
	static const struct {
		const char *name, *msg;
	} bad[] = {
		{ "", "tap ``: the name is empty" },
		{ "0123456789abcdef", "tap `0123456789abcdef`: the name is longer than 15 bytes" },
		{ "isolab-tap-0000000", "tap `isolab-tap-0000000`: the name is longer than 15 bytes" },
		{ ".", "tap `.`: not a name for an interface" },
		{ "..", "tap `..`: not a name for an interface" },
		{ "a/b", "tap `a/b`: an interface name has no '/', ':' or white space" },
		{ "tap:0", "tap `tap:0`: an interface name has no '/', ':' or white space" },
		{ "tap 0", "tap `tap 0`: an interface name has no '/', ':' or white space" },
	};
	struct isolab_error err = { 0 };
	struct tap tap;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tap_check_name(bad[i].name, &err), -EINVAL);
		assert_string_equal(err.msg, bad[i].msg);
		/* tap_open checks first: no /dev/net/tun needed to refuse it. */
		memset(&err, 0, sizeof(err));
		assert_int_equal(tap_open(&tap, bad[i].name, &err), -EINVAL);
		assert_string_equal(err.msg, bad[i].msg);
		assert_int_equal(tap.fd, -1);
	}
	assert_int_equal(tap_check_name("0123456789abcde", &err), 0);
	assert_int_equal(tap_check_name("tap%d", &err), 0);
	assert_int_equal(tap_check_name("isolab-t0", &err), 0);
}

/* Root, /dev/net/tun and a network namespace of our own, or skip. */
static void need_tun_netns(void)
{
	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0 || unshare(CLONE_NEWNET) != 0)
		skip();
}

static void test_tap_open_close(void **state)
{
	struct isolab_error err = { 0 };
	struct tap tap, other;
	unsigned mtu = 0;
	char buf[2048];

	need_tun_netns();
	/* Created: not there before, there while open, gone after close. */
	assert_int_equal(if_nametoindex("isolab-t0"), 0);
	assert_int_equal(tap_open(&tap, "isolab-t0", &err), 0);
	assert_true(tap.fd >= 0);
	assert_string_equal(tap.name, "isolab-t0");
	assert_true(tap.created);
	assert_true(if_nametoindex("isolab-t0") != 0);
	assert_int_equal(tap_mtu(&tap, &mtu, &err), 0);
	assert_int_equal(mtu, 1500);
	assert_int_equal(tap.vhost_net, access("/dev/vhost-net", F_OK) == 0);
	assert_non_null(strstr(tap_datapath(&tap), tap.vhost_net ? "/dev/vhost-net exists, not used yet"
								    : "no /dev/vhost-net"));
	/* Non-blocking: nothing to read. */
	assert_int_equal(tap_read_frame(&tap, buf, sizeof(buf)), -EAGAIN);
	/* Held by us: a second open of the same tap is refused, with the reason. */
	assert_int_equal(tap_open(&other, "isolab-t0", &err), -EBUSY);
	assert_string_equal(err.msg, "tap `isolab-t0`: TUNSETIFF: another process has it open: Device or resource busy");
	assert_int_equal(other.fd, -1);
	tap_close(&tap);
	assert_int_equal(tap.fd, -1);
	tap_close(&tap);   /* twice is harmless */
	assert_int_equal(if_nametoindex("isolab-t0"), 0);

	/* An interface that is not a tap. */
	assert_int_equal(tap_open(&tap, "lo", &err), -EINVAL);
	assert_string_equal(err.msg, "tap `lo`: TUNSETIFF: an interface of that name exists and is not a tap");
	assert_int_equal(tap.fd, -1);
	assert_true(if_nametoindex("lo") != 0);

	/* A template: the kernel picks the number. */
	assert_int_equal(tap_open(&tap, "isolab-t%d", &err), 0);
	assert_string_equal(tap.name, "isolab-t0");
	assert_true(tap.created);
	assert_int_equal(tap_open(&other, "isolab-t%d", &err), 0);
	assert_string_equal(other.name, "isolab-t1");
	tap_close(&other);
	tap_close(&tap);
	assert_int_equal(if_nametoindex("isolab-t0"), 0);
	assert_int_equal(if_nametoindex("isolab-t1"), 0);
}

/* Sets the interface's IPv4 address (/24) and brings it up. */
static void ifup(const char *name, const char *addr)
{
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	assert_true(sock >= 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, name);
	sin->sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
	assert_int_equal(ioctl(sock, SIOCSIFADDR, &ifr), 0);
	assert_int_equal(inet_pton(AF_INET, "255.255.255.0", &sin->sin_addr), 1);
	assert_int_equal(ioctl(sock, SIOCSIFNETMASK, &ifr), 0);
	assert_int_equal(ioctl(sock, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	assert_int_equal(ioctl(sock, SIOCSIFFLAGS, &ifr), 0);
	close(sock);
}

/* The whole path with a real kernel at the other end: the guest's ARP
 * request goes out through virtio-net and the tap, the host's ARP reply
 * comes back in through the tap into the guest's receive buffer. */
static void test_tap_arp_roundtrip(void **state)
{
	struct guest *g = *state;
	struct isolab_error err = { 0 };
	struct tap tap;
	static uint8_t buf[VIRTIO_NET_FRAME_MAX + 1];
	uint8_t req[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t arp_head[] = { 0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4 };
	static const uint8_t guest_ip[4] = { 10, 99, 0, 2 }, host_ip[4] = { 10, 99, 0, 1 };
	const uint8_t *rx = g->mem + RX_BUF + HDR;
	ssize_t n = 0;

	need_tun_netns();
	assert_int_equal(tap_open(&tap, "isolab-t0", &err), 0);
	ifup("isolab-t0", "10.99.0.1");
	g->net.backend = (struct virtio_net_backend){ tap_write_frame, &tap };
	driver_start(g, F_DEFAULT);
	post_buffer(g, RX_BUF, RX_BUF_LEN);

	/* who-has 10.99.0.1 tell 10.99.0.2 */
	memcpy(req + 6, test_mac, 6);
	memcpy(req + 12, arp_head, sizeof(arp_head));
	req[21] = 1;                              /* request */
	memcpy(req + 22, test_mac, 6);            /* sender */
	memcpy(req + 28, guest_ip, 4);
	memcpy(req + 38, host_ip, 4);             /* target */
	send_frame(g, req, sizeof(req));
	assert_int_equal(g->net.stats.tx_packets, 1);
	assert_int_equal(g->net.stats.tx_drop_backend, 0);

	/* The reply, among whatever else a new interface says (IPv6). */
	for (int tries = 0; tries < 50; tries++) {
		struct pollfd p = { tap.fd, POLLIN, 0 };

		assert_true(poll(&p, 1, 2000) >= 0);
		n = tap_read_frame(&tap, buf, sizeof(buf));
		if (n >= 42 && buf[12] == 0x08 && buf[13] == 0x06 && buf[21] == 2)
			break;
		n = 0;
	}
	assert_true(n >= 42);
	assert_int_equal(virtio_net_receive(&g->net, buf, (size_t)n, &err), VIRTIO_NET_RX_DELIVERED);
	assert_int_equal(vdrv_last_used_len(g->mem, &g->rxq), HDR + n);
	assert_memory_equal(rx, test_mac, 6);                 /* to the guest */
	assert_memory_equal(rx + 12, arp_head, sizeof(arp_head));
	assert_int_equal(rx[21], 2);                          /* is-at */
	assert_memory_equal(rx + 28, host_ip, 4);
	assert_memory_equal(rx + 32, test_mac, 6);
	assert_memory_equal(rx + 38, guest_ip, 4);
	assert_int_equal(g->net.stats.rx_packets, 1);
	tap_close(&tap);
	assert_int_equal(if_nametoindex("isolab-t0"), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_features_and_config),
		T(test_link_and_init_refusals),
		T(test_transmit),
		T(test_transmit_refused),
		T(test_receive),
		T(test_receive_waits_for_buffers),
		T(test_receive_dropped),
		T(test_malformed_chains),
		T(test_queue_setup_refused),
		T(test_used_ring_wraparound),
		T(test_worker_split_and_reset),
		cmocka_unit_test(test_tap_names),
		cmocka_unit_test(test_tap_open_close),
		T(test_tap_arp_roundtrip),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
