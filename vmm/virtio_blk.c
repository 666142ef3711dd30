/* virtio_blk.c: the virtio block device model (see virtio_blk.h). Pure. */
#include "vmm/virtio_blk.h"
#include "common/le.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

static uint64_t blk_features(void *dev)
{
	const struct virtio_blk *blk = dev;
	uint64_t f = 1ull << VIRTIO_BLK_F_SIZE_MAX | 1ull << VIRTIO_BLK_F_SEG_MAX |
		     1ull << VIRTIO_BLK_F_BLK_SIZE | 1ull << VIRTIO_BLK_F_FLUSH;

	if (blk->read_only)
		f |= 1ull << VIRTIO_BLK_F_RO;
	return f;
}

static void blk_config_read(void *dev, uint32_t offset, uint8_t *data, unsigned len)
{
	const struct virtio_blk *blk = dev;

	for (unsigned i = 0; i < len; i++)
		data[i] = offset + i < VIRTIO_BLK_CFG_BYTES ? blk->config[offset + i] : 0;
}

static void blk_config_write(void *dev, uint32_t offset, const uint8_t *data, unsigned len)
{
	/* Nothing is writable: `writeback` needs VIRTIO_BLK_F_CONFIG_WCE, not offered. */
	struct virtio_blk *blk = dev;

	blk->mmio.bad_accesses++;
}

static void blk_queue_notify(void *dev, unsigned queue)
{
	struct virtio_blk *blk = dev;

	if (blk->kick)
		blk->kick(blk->kick_opaque);
	else
		virtio_blk_process(blk);
}

static void blk_reset(void *dev)
{
	struct virtio_blk *blk = dev;

	blk->generation++;
}

static const struct virtio_mmio_ops blk_ops = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.num_queues = 1,
	.queue_num_max = VIRTIO_BLK_QUEUE_SIZE,
	.features = blk_features,
	.config_read = blk_config_read,
	.config_write = blk_config_write,
	.queue_notify = blk_queue_notify,
	.reset = blk_reset,
};


int virtio_blk_init(struct virtio_blk *blk, const struct virtio_blk_options *opt,
		    uint8_t *mem, uint64_t mem_size, virtio_mmio_irq_fn irq, void *irq_opaque,
		    struct isolab_error *err)
{
	const char *serial = opt->serial ? opt->serial : "isolab";

	memset(blk, 0, sizeof(*blk));
	if (opt->disk_bytes < VIRTIO_BLK_SECTOR)
		return isolab_error_set(err, -EINVAL, "virtio-blk: disk of %" PRIu64 " bytes is smaller than one %u-byte sector",
					opt->disk_bytes, VIRTIO_BLK_SECTOR);
	if (strlen(serial) > VIRTIO_BLK_ID_BYTES)
		return isolab_error_set(err, -EINVAL, "virtio-blk: serial '%s' is longer than %u bytes",
					serial, VIRTIO_BLK_ID_BYTES);
	blk->capacity = opt->disk_bytes / VIRTIO_BLK_SECTOR;
	blk->read_only = opt->read_only;
	strncpy(blk->serial, serial, VIRTIO_BLK_ID_BYTES);   /* NUL-padded, not terminated at 20 (5.2.6) */
	blk->backend = opt->backend;
	isolab_put_le64(blk->config + VIRTIO_BLK_CFG_CAPACITY, blk->capacity);
	isolab_put_le32(blk->config + VIRTIO_BLK_CFG_SIZE_MAX, VIRTIO_BLK_SIZE_MAX);
	isolab_put_le32(blk->config + VIRTIO_BLK_CFG_SEG_MAX, VIRTIO_BLK_SEG_MAX);
	isolab_put_le32(blk->config + VIRTIO_BLK_CFG_BLK_SIZE, VIRTIO_BLK_BLK_SIZE);
	virtio_mmio_init(&blk->mmio, &blk_ops, blk, mem, mem_size, irq, irq_opaque);
	return 0;
}

/* Host address of the chain's last device-writable byte, or NULL. */
static uint8_t *last_writable_byte(const struct virtq_chain *chain)
{
	for (unsigned i = chain->nseg; i-- > 0;) {
		const struct virtq_seg *s = &chain->seg[i];

		if (!s->writable)
			break;
		if (s->len)
			return s->host + s->len - 1;
	}
	return NULL;
}

/* req->iov = len bytes of the chain's readable (or writable) part from offset. */
static void data_iovecs(const struct virtq_chain *chain, bool writable, uint64_t offset, uint64_t len,
			struct virtio_blk_req *req)
{
	req->iovcnt = 0;
	req->data_len = len;
	for (unsigned i = 0; i < chain->nseg && len; i++) {
		const struct virtq_seg *s = &chain->seg[i];

		if (s->writable != writable)
			continue;
		if (offset >= s->len) {
			offset -= s->len;
			continue;
		}
		uint64_t n = s->len - offset;
		if (n > len)
			n = len;
		req->iov[req->iovcnt++] = (struct iovec){ s->host + offset, n };
		len -= n;
		offset = 0;
	}
}

/* The request's status when the parser refuses it; no data will move. */
static void refuse(struct virtio_blk *blk, struct virtio_blk_req *req, uint8_t status)
{
	req->status = status;
	req->iovcnt = 0;
	req->data_len = 0;
	if (status == VIRTIO_BLK_S_UNSUPP)
		blk->stats.unsupported++;
	else
		blk->stats.errors++;
}

static bool in_capacity(const struct virtio_blk *blk, uint64_t sector, uint64_t bytes)
{
	return sector <= blk->capacity && bytes / VIRTIO_BLK_SECTOR <= blk->capacity - sector;
}

/* Fills req from the chain; a refused request gets its status and no data. */
static void parse(struct virtio_blk *blk, const struct virtq_chain *chain, struct virtio_blk_req *req)
{
	uint8_t hdr[VIRTIO_BLK_HDR_BYTES];
	uint32_t type;
	uint64_t sector;
	/* The status byte is the last writable one; what is before it is data. */
	uint64_t in_bytes = chain->writable_bytes - 1;
	uint64_t out_bytes = chain->readable_bytes >= VIRTIO_BLK_HDR_BYTES ?
			     chain->readable_bytes - VIRTIO_BLK_HDR_BYTES : 0;
	bool ok;

	if (virtq_chain_read(chain, 0, hdr, sizeof(hdr)) < sizeof(hdr)) {
		refuse(blk, req, VIRTIO_BLK_S_IOERR);
		return;
	}
	memcpy(&type, hdr, 4);
	memcpy(&sector, hdr + 8, 8);
	req->type = type = le32toh(type);
	req->sector = sector = le64toh(sector);
	switch (type) {
	case VIRTIO_BLK_T_IN:
		ok = !out_bytes && in_bytes % VIRTIO_BLK_SECTOR == 0 && in_bytes < UINT32_MAX &&
		     in_capacity(blk, sector, in_bytes);
		if (ok)
			data_iovecs(chain, true, 0, in_bytes, req);
		break;
	case VIRTIO_BLK_T_OUT:
		ok = !blk->read_only && !in_bytes && out_bytes % VIRTIO_BLK_SECTOR == 0 &&
		     in_capacity(blk, sector, out_bytes);
		if (ok)
			data_iovecs(chain, false, VIRTIO_BLK_HDR_BYTES, out_bytes, req);
		break;
	case VIRTIO_BLK_T_FLUSH:
		ok = !out_bytes && !in_bytes;
		break;
	case VIRTIO_BLK_T_GET_ID:
		ok = !out_bytes;
		if (ok)
			data_iovecs(chain, true, 0, in_bytes < VIRTIO_BLK_ID_BYTES ? in_bytes : VIRTIO_BLK_ID_BYTES, req);
		break;
	default:
		refuse(blk, req, VIRTIO_BLK_S_UNSUPP);
		return;
	}
	if (!ok)
		refuse(blk, req, VIRTIO_BLK_S_IOERR);
}

int virtio_blk_next(struct virtio_blk *blk, struct virtio_blk_req *req, struct isolab_error *err)
{
	struct virtq *q = virtio_mmio_queue(&blk->mmio, 0);
	struct virtq_chain chain;
	int r;

	if (!q)
		return 0;
	r = virtq_pop(q, &chain, err);
	if (r == 0)
		return 0;
	if (r < 0) {
		isolab_error_wrap(err, "virtio-blk");
		virtio_mmio_needs_reset(&blk->mmio, err);
		return r;
	}
	req->type = 0;
	req->sector = 0;
	req->iovcnt = 0;
	req->data_len = 0;
	req->used_len = 0;
	req->head = chain.head;
	req->generation = blk->generation;
	req->status = VIRTIO_BLK_S_OK;
	req->write_through = !virtio_mmio_negotiated(&blk->mmio, VIRTIO_BLK_F_FLUSH);
	req->status_byte = last_writable_byte(&chain);
	if (!req->status_byte) {
		/* Nowhere to answer: the driver broke the framing (5.2.6). */
		q->broken = true;
		r = isolab_error_set(err, -EIO, "virtio-blk: request at descriptor %u has no device-writable status byte",
				     chain.head);
		virtio_mmio_needs_reset(&blk->mmio, err);
		return r;
	}
	parse(blk, &chain, req);
	return 1;
}

/* Moves the whole iovec list through fn (preadv or pwritev) at offset. */
static int transfer(ssize_t (*fn)(void *, const struct iovec *, int, uint64_t), void *handle,
		    struct iovec *iov, int iovcnt, uint64_t offset)
{
	while (iovcnt > 0) {
		ssize_t n = fn(handle, iov, iovcnt, offset);

		if (n == -EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? (int)n : -EIO;
		offset += (uint64_t)n;
		while (iovcnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

static int flush(const struct virtio_blk *blk)
{
	int r;

	if (!blk->backend.flush)
		return 0;
	while ((r = blk->backend.flush(blk->backend.handle)) == -EINTR)
		;
	return r;
}

void virtio_blk_execute(struct virtio_blk *blk, struct virtio_blk_req *req)
{
	const struct virtio_blk_backend *b = &blk->backend;
	uint64_t offset = req->sector * VIRTIO_BLK_SECTOR;
	uint64_t len = req->data_len;
	int r = 0;

	req->used_len = 1;   /* the status byte */
	if (req->status != VIRTIO_BLK_S_OK)
		goto out;
	switch (req->type) {
	case VIRTIO_BLK_T_IN:
		r = transfer(b->preadv, b->handle, req->iov, req->iovcnt, offset);
		if (r == 0) {
			blk->stats.reads++;
			blk->stats.bytes_read += len;
			req->used_len += (uint32_t)len;
		}
		break;
	case VIRTIO_BLK_T_OUT:
		r = transfer(b->pwritev, b->handle, req->iov, req->iovcnt, offset);
		if (r == 0 && req->write_through)
			r = flush(blk);
		if (r == 0) {
			blk->stats.writes++;
			blk->stats.bytes_written += len;
		}
		break;
	case VIRTIO_BLK_T_FLUSH:
		r = flush(blk);
		if (r == 0)
			blk->stats.flushes++;
		break;
	case VIRTIO_BLK_T_GET_ID: {
		size_t done = 0;

		for (int i = 0; i < req->iovcnt; i++) {
			memcpy(req->iov[i].iov_base, blk->serial + done, req->iov[i].iov_len);
			done += req->iov[i].iov_len;
		}
		blk->stats.get_ids++;
		req->used_len += (uint32_t)done;
		break;
	}
	default:
		break;
	}
	if (r < 0) {
		req->status = VIRTIO_BLK_S_IOERR;
		blk->stats.errors++;
	}
out:
	*req->status_byte = req->status;
}

void virtio_blk_complete(struct virtio_blk *blk, struct virtio_blk_req *req)
{
	struct virtq *q;

	if (req->generation != blk->generation)
		return;   /* the device was reset meanwhile: the driver forgot this request */
	q = virtio_mmio_queue(&blk->mmio, 0);
	if (!q)
		return;
	virtq_push(q, req->head, req->used_len);
	if (virtq_should_notify(q))
		virtio_mmio_notify_used(&blk->mmio);
}

unsigned virtio_blk_process(struct virtio_blk *blk)
{
	struct virtio_blk_req req;
	struct isolab_error err = { 0 };
	unsigned n = 0;

	while (virtio_blk_next(blk, &req, &err) > 0) {
		virtio_blk_execute(blk, &req);
		virtio_blk_complete(blk, &req);
		n++;
	}
	return n;
}
