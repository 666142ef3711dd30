/* virtio_net.c: the virtio network device model (see virtio_net.h). Pure. */
#include "vmm/virtio_net.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

static uint64_t net_features(void *dev)
{
	const struct virtio_net *net = dev;
	uint64_t f = 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS;

	if (net->offer_mtu)
		f |= 1ull << VIRTIO_NET_F_MTU;
	return f;
}

static void net_config_read(void *dev, uint32_t offset, uint8_t *data, unsigned len)
{
	const struct virtio_net *net = dev;

	for (unsigned i = 0; i < len; i++)
		data[i] = offset + i < VIRTIO_NET_CFG_BYTES ? net->config[offset + i] : 0;
}

static void net_queue_notify(void *dev, unsigned queue)
{
	struct virtio_net *net = dev;

	if (net->kick)
		net->kick(net->kick_opaque, queue);
	else if (queue == VIRTIO_NET_TXQ)
		virtio_net_tx_process(net);
}

static void net_reset(void *dev)
{
	struct virtio_net *net = dev;

	net->generation++;
}

static const struct virtio_mmio_ops net_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.num_queues = 2,
	.queue_num_max = VIRTIO_NET_QUEUE_SIZE,
	.features = net_features,
	.config_read = net_config_read,
	/* No config_write: with VERSION_1 the driver writes no field (5.1.4.2;
	 * the MAC would need VIRTIO_NET_F_CTRL_MAC_ADDR, not offered); the
	 * transport counts such a write in bad_accesses. */
	.queue_notify = net_queue_notify,
	.reset = net_reset,
};

static void put_le16(uint8_t *p, uint16_t v) { v = htole16(v); memcpy(p, &v, 2); }

int virtio_net_init(struct virtio_net *net, const struct virtio_net_options *opt,
		    uint8_t *mem, uint64_t mem_size, virtio_mmio_irq_fn irq, void *irq_opaque,
		    struct isolab_error *err)
{
	static const uint8_t zero[6];
	const uint8_t *mac = opt->mac;

	memset(net, 0, sizeof(*net));
	if (mac[0] & 1 || !memcmp(mac, zero, sizeof(zero)))
		return isolab_error_set(err, -EINVAL,
					"virtio-net: MAC %02x:%02x:%02x:%02x:%02x:%02x is not a unicast address",
					mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	if (opt->mtu && (opt->mtu < VIRTIO_NET_MTU_MIN || opt->mtu > VIRTIO_NET_MTU_MAX))
		return isolab_error_set(err, -EINVAL, "virtio-net: MTU %u is outside %u..%u",
					opt->mtu, VIRTIO_NET_MTU_MIN, VIRTIO_NET_MTU_MAX);
	memcpy(net->config + VIRTIO_NET_CFG_MAC, mac, 6);
	put_le16(net->config + VIRTIO_NET_CFG_STATUS, VIRTIO_NET_S_LINK_UP);
	put_le16(net->config + VIRTIO_NET_CFG_MAX_PAIRS, 1);
	put_le16(net->config + VIRTIO_NET_CFG_MTU, (uint16_t)opt->mtu);
	net->offer_mtu = opt->mtu != 0;
	net->backend = opt->backend;
	virtio_mmio_init(&net->mmio, &net_ops, net, mem, mem_size, irq, irq_opaque);
	return 0;
}

void virtio_net_set_link(struct virtio_net *net, bool up)
{
	uint16_t status = up ? VIRTIO_NET_S_LINK_UP : 0;
	uint16_t old;

	memcpy(&old, net->config + VIRTIO_NET_CFG_STATUS, 2);
	if (le16toh(old) == status)
		return;
	put_le16(net->config + VIRTIO_NET_CFG_STATUS, status);
	virtio_mmio_config_changed(&net->mmio);
}

/* The queue broke (virtq_pop's -EIO in err): DEVICE_NEEDS_RESET with the reason. */
static int queue_broken(struct virtio_net *net, const char *queue, struct isolab_error *err)
{
	isolab_error_wrap(err, "virtio-net: %s queue", queue);
	virtio_mmio_needs_reset(&net->mmio, err);
	return -EIO;
}

/* Gives a chain back and interrupts when the driver wants it. */
static void give_back(struct virtio_net *net, struct virtq *q, uint16_t head, uint32_t len)
{
	virtq_push(q, head, len);
	if (virtq_should_notify(q))
		virtio_mmio_notify_used(&net->mmio);
}

/* tx->iov = the chain's readable bytes from offset on. */
static void frame_iovecs(const struct virtq_chain *chain, uint64_t offset, struct virtio_net_tx *tx)
{
	tx->iovcnt = 0;
	for (unsigned i = 0; i < chain->nseg; i++) {
		const struct virtq_seg *s = &chain->seg[i];

		if (offset >= s->len) {
			offset -= s->len;
			continue;
		}
		tx->iov[tx->iovcnt++] = (struct iovec){ s->host + offset, s->len - offset };
		offset = 0;
	}
}

/* Whether the chain is a frame to send; counts the reason when not. */
static bool tx_check(struct virtio_net *net, const struct virtq_chain *chain)
{
	uint8_t hdr[VIRTIO_NET_HDR_BYTES];
	uint64_t frame_len;

	if (chain->writable_bytes) {
		net->stats.tx_drop_bad_buffer++;
		return false;
	}
	/* One copy of the header; only the copy is looked at. */
	if (virtq_chain_read(chain, 0, hdr, sizeof(hdr)) < sizeof(hdr) ||
	    hdr[VIRTIO_NET_HDR_FLAGS] || hdr[VIRTIO_NET_HDR_GSO_TYPE]) {
		net->stats.tx_drop_bad_header++;
		return false;
	}
	frame_len = chain->readable_bytes - VIRTIO_NET_HDR_BYTES;
	if (frame_len < VIRTIO_NET_ETH_HLEN) {
		net->stats.tx_drop_runt++;
		return false;
	}
	if (frame_len > VIRTIO_NET_FRAME_MAX) {
		net->stats.tx_drop_too_big++;
		return false;
	}
	return true;
}

int virtio_net_tx_next(struct virtio_net *net, struct virtio_net_tx *tx, struct isolab_error *err)
{
	struct virtq *q = virtio_mmio_queue(&net->mmio, VIRTIO_NET_TXQ);
	struct virtq_chain chain;
	struct isolab_error local = { 0 };
	int r;

	if (!err)
		err = &local;
	if (!q)
		return 0;
	r = virtq_pop(q, &chain, err);
	if (r == 0)
		return 0;
	if (r < 0)
		return queue_broken(net, "transmit", err);
	tx->head = chain.head;
	tx->generation = net->generation;
	tx->iovcnt = 0;
	tx->len = 0;
	tx->drop = !tx_check(net, &chain);
	if (!tx->drop) {
		tx->len = chain.readable_bytes - VIRTIO_NET_HDR_BYTES;
		frame_iovecs(&chain, VIRTIO_NET_HDR_BYTES, tx);
	}
	return 1;
}

void virtio_net_tx_execute(struct virtio_net *net, struct virtio_net_tx *tx)
{
	int r;

	if (tx->drop)
		return;
	r = net->backend.write_frame ? net->backend.write_frame(net->backend.handle, tx->iov, tx->iovcnt, tx->len)
				     : -ENODEV;
	if (r < 0) {
		net->stats.tx_drop_backend++;
		return;
	}
	net->stats.tx_packets++;
	net->stats.tx_bytes += tx->len;
}

void virtio_net_tx_complete(struct virtio_net *net, struct virtio_net_tx *tx)
{
	struct virtq *q;

	if (tx->generation != net->generation)
		return;   /* the device was reset meanwhile: the driver forgot this chain */
	q = virtio_mmio_queue(&net->mmio, VIRTIO_NET_TXQ);
	if (q)
		give_back(net, q, tx->head, 0);   /* 2.7.8: nothing written into a transmit chain */
}

unsigned virtio_net_tx_process(struct virtio_net *net)
{
	struct virtio_net_tx tx;
	struct isolab_error err = { 0 };
	unsigned n = 0;

	while (virtio_net_tx_next(net, &tx, &err) > 0) {
		virtio_net_tx_execute(net, &tx);
		virtio_net_tx_complete(net, &tx);
		n++;
	}
	return n;
}

int virtio_net_receive(struct virtio_net *net, const void *frame, size_t len, struct isolab_error *err)
{
	struct virtq *q;
	struct virtq_chain chain;
	uint8_t hdr[VIRTIO_NET_HDR_BYTES] = { 0 };
	struct isolab_error local = { 0 };
	int r;

	if (!err)
		err = &local;
	if (len < VIRTIO_NET_ETH_HLEN || len > VIRTIO_NET_FRAME_MAX) {
		net->stats.rx_drop_bad_frame++;
		return VIRTIO_NET_RX_DROPPED;
	}
	q = virtio_mmio_queue(&net->mmio, VIRTIO_NET_RXQ);
	r = q ? virtq_pop(q, &chain, err) : 0;
	if (r < 0)
		return queue_broken(net, "receive", err);
	if (r == 0) {
		/* The driver notifies queue 0 when it posts buffers (we never set
		 * VIRTQ_USED_F_NO_NOTIFY), or sets DRIVER_OK and then posts them. */
		net->stats.rx_waits++;
		return VIRTIO_NET_RX_NO_BUFFER;
	}
	if (chain.readable_bytes) {
		net->stats.rx_drop_bad_buffer++;
		give_back(net, q, chain.head, 0);
		return VIRTIO_NET_RX_DROPPED;
	}
	if (chain.writable_bytes < VIRTIO_NET_HDR_BYTES + len) {
		/* Without MRG_RXBUF one chain holds it all (5.1.6.3.1). */
		net->stats.rx_drop_too_big++;
		give_back(net, q, chain.head, 0);
		return VIRTIO_NET_RX_DROPPED;
	}
	put_le16(hdr + VIRTIO_NET_HDR_NUM_BUFFERS, 1);   /* 5.1.6.4: 1 without MRG_RXBUF */
	virtq_chain_write(&chain, 0, hdr, sizeof(hdr));
	virtq_chain_write(&chain, VIRTIO_NET_HDR_BYTES, frame, len);
	net->stats.rx_packets++;
	net->stats.rx_bytes += len;
	give_back(net, q, chain.head, (uint32_t)(VIRTIO_NET_HDR_BYTES + len));
	return VIRTIO_NET_RX_DELIVERED;
}
