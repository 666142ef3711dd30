/*
 * virtq.c: the device side of a split virtqueue (see virtq.h). Pure.
 *
 * Memory ordering, device side (virtio 1.x 2.7.13, and Linux's
 * virtio_ring.c for the driver's half):
 *  - avail->idx is loaded with acquire: it pairs with the driver's write
 *    barrier between filling a ring entry and descriptors and bumping
 *    avail->idx, so what we read after it is what the driver published.
 *  - a used element is stored first, then used->idx with release: the
 *    driver, which reads used->idx and then the element, sees it whole.
 *  - before deciding whether to notify, a full fence orders our used->idx
 *    store before the load of avail->flags (a store-load pair: the
 *    driver does the mirror, set its flag, full barrier, re-read
 *    used->idx), so a notification is never lost between the two.
 * Descriptors and ring entries are copied out once, then checked: the
 * guest may rewrite them while we look, but we never read a field twice.
 */
#include "vmm/virtq.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Offsets inside the parts (2.7.5, 2.7.6, 2.7.8). */
#define AVAIL_FLAGS  0
#define AVAIL_IDX    2
#define AVAIL_RING   4
#define USED_FLAGS   0
#define USED_IDX     2
#define USED_RING    4

uint8_t *virtq_guest_range(uint8_t *mem, uint64_t mem_size, uint64_t gpa, uint64_t len)
{
	if (gpa > mem_size || len > mem_size - gpa)
		return NULL;
	return mem + gpa;
}

void virtq_reset(struct virtq *q)
{
	uint8_t *mem = q->mem;
	uint64_t mem_size = q->mem_size;

	memset(q, 0, sizeof(*q));
	q->mem = mem;
	q->mem_size = mem_size;
}

static int check_part(const struct virtq *q, const char *part, uint64_t gpa, uint64_t bytes,
		      uint64_t align, struct isolab_error *err)
{
	if (gpa % align)
		return isolab_error_set(err, -EINVAL, "virtqueue %s at %#" PRIx64 " is not %" PRIu64 "-byte aligned",
					part, gpa, align);
	if (!virtq_guest_range(q->mem, q->mem_size, gpa, bytes))
		return isolab_error_set(err, -EINVAL,
					"virtqueue %s at %#" PRIx64 " (%" PRIu64 " bytes) lies outside guest RAM (%#" PRIx64 " bytes)",
					part, gpa, bytes, q->mem_size);
	return 0;
}

int virtq_setup(struct virtq *q, uint8_t *mem, uint64_t mem_size, unsigned num, unsigned num_max,
		uint64_t desc_gpa, uint64_t avail_gpa, uint64_t used_gpa, struct isolab_error *err)
{
	int r;

	memset(q, 0, sizeof(*q));
	q->mem = mem;
	q->mem_size = mem_size;
	if (num_max > VIRTQ_SIZE_MAX)
		num_max = VIRTQ_SIZE_MAX;
	if (num == 0 || num > num_max || (num & (num - 1)))
		return isolab_error_set(err, -EINVAL, "virtqueue size %u is not a power of two in 1..%u", num, num_max);
	if ((r = check_part(q, "descriptor table", desc_gpa, VIRTQ_DESC_BYTES(num), VIRTQ_DESC_ALIGN, err)) < 0 ||
	    (r = check_part(q, "available ring", avail_gpa, VIRTQ_AVAIL_BYTES(num), VIRTQ_AVAIL_ALIGN, err)) < 0 ||
	    (r = check_part(q, "used ring", used_gpa, VIRTQ_USED_BYTES(num), VIRTQ_USED_ALIGN, err)) < 0)
		return r;
	q->num = (uint16_t)num;
	q->desc_gpa = desc_gpa;
	q->avail_gpa = avail_gpa;
	q->used_gpa = used_gpa;
	return 0;
}

/* 16-bit ring fields: aligned (checked at setup), little-endian. */
static uint16_t load16(const struct virtq *q, uint64_t gpa, int order)
{
	return le16toh(__atomic_load_n((const uint16_t *)(q->mem + gpa), order));
}

static int broken(struct virtq *q, struct isolab_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int broken(struct virtq *q, struct isolab_error *err, const char *fmt, ...)
{
	char msg[ISOLAB_ERROR_MSG_MAX];
	va_list ap;

	/* clang-tidy 14 calls ap uninitialized when it checks several files
	 * in one run: a false positive, va_start is here. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	q->broken = true;
	return isolab_error_set(err, -EIO, "virtqueue: %s", msg);
}

int virtq_pop(struct virtq *q, struct virtq_chain *chain, struct isolab_error *err)
{
	if (q->broken)
		return isolab_error_set(err, -EIO, "virtqueue: broken by an earlier request, waiting for a reset");
	if (q->num == 0)
		return 0;

	uint16_t avail_idx = load16(q, q->avail_gpa + AVAIL_IDX, __ATOMIC_ACQUIRE);
	uint16_t pending = (uint16_t)(avail_idx - q->last_avail);

	if (pending == 0)
		return 0;
	if (pending > q->num)
		return broken(q, err, "available index %u is %u entries ahead of the device's %u, more than the queue size %u",
			      avail_idx, pending, q->last_avail, q->num);

	uint16_t slot = q->last_avail & (uint16_t)(q->num - 1);
	uint16_t head = load16(q, q->avail_gpa + AVAIL_RING + 2u * slot, __ATOMIC_RELAXED);

	if (head >= q->num)
		return broken(q, err, "available ring entry %u names descriptor %u, past the queue size %u",
			      slot, head, q->num);

	chain->head = head;
	chain->nseg = 0;
	chain->readable_bytes = chain->writable_bytes = 0;
	for (uint16_t i = head;;) {
		uint8_t d[VIRTQ_DESC_SIZE];
		uint64_t addr;
		uint32_t len;
		uint16_t flags, next;

		if (chain->nseg == q->num)
			return broken(q, err, "chain from descriptor %u is longer than the queue size %u (a loop)",
				      head, q->num);
		/* One copy of the descriptor; only the copy is looked at. */
		memcpy(d, q->mem + q->desc_gpa + (uint64_t)i * VIRTQ_DESC_SIZE, sizeof(d));
		memcpy(&addr, d, 8);
		memcpy(&len, d + 8, 4);
		memcpy(&flags, d + 12, 2);
		memcpy(&next, d + 14, 2);
		addr = le64toh(addr);
		len = le32toh(len);
		flags = le16toh(flags);
		next = le16toh(next);

		if (flags & VIRTQ_DESC_F_INDIRECT)
			return broken(q, err, "descriptor %u is indirect, which was not offered", i);
		uint8_t *host = virtq_guest_range(q->mem, q->mem_size, addr, len);
		if (!host)
			return broken(q, err, "descriptor %u: buffer at %#" PRIx64 " (%" PRIu32 " bytes) lies outside guest RAM (%#" PRIx64 " bytes)",
				      i, addr, len, q->mem_size);
		bool writable = flags & VIRTQ_DESC_F_WRITE;
		if (!writable && chain->nseg && chain->seg[chain->nseg - 1].writable)
			return broken(q, err, "descriptor %u is device-readable after a device-writable one", i);
		chain->seg[chain->nseg++] = (struct virtq_seg){ addr, host, len, writable };
		if (writable)
			chain->writable_bytes += len;
		else
			chain->readable_bytes += len;
		if (!(flags & VIRTQ_DESC_F_NEXT))
			break;
		if (next >= q->num)
			return broken(q, err, "descriptor %u: next %u is past the queue size %u", i, next, q->num);
		i = next;
	}
	q->last_avail++;
	return 1;
}

void virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
	uint16_t slot = q->used_idx & (uint16_t)(q->num - 1);
	uint8_t *elem = q->mem + q->used_gpa + USED_RING + (uint64_t)slot * VIRTQ_USED_ELEM_SIZE;
	uint32_t id_le = htole32(head), len_le = htole32(len);

	memcpy(elem, &id_le, 4);
	memcpy(elem + 4, &len_le, 4);
	q->used_idx++;
	/* The element above is visible to the driver before the new index. */
	__atomic_store_n((uint16_t *)(q->mem + q->used_gpa + USED_IDX), htole16(q->used_idx), __ATOMIC_RELEASE);
}

bool virtq_should_notify(const struct virtq *q)
{
	if (q->num == 0)
		return false;
	/* Our used->idx store before the driver's flags: store-load needs a full fence. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !(load16(q, q->avail_gpa + AVAIL_FLAGS, __ATOMIC_RELAXED) & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

size_t virtq_chain_read(const struct virtq_chain *chain, uint64_t offset, void *out, size_t len)
{
	size_t done = 0;

	for (unsigned i = 0; i < chain->nseg && done < len; i++) {
		const struct virtq_seg *s = &chain->seg[i];

		if (s->writable)
			break;
		if (offset >= s->len) {
			offset -= s->len;
			continue;
		}
		size_t n = s->len - offset;
		if (n > len - done)
			n = len - done;
		memcpy((uint8_t *)out + done, s->host + offset, n);
		done += n;
		offset = 0;
	}
	return done;
}

size_t virtq_chain_write(const struct virtq_chain *chain, uint64_t offset, const void *in, size_t len)
{
	size_t done = 0;

	for (unsigned i = 0; i < chain->nseg && done < len; i++) {
		const struct virtq_seg *s = &chain->seg[i];

		if (!s->writable)
			continue;
		if (offset >= s->len) {
			offset -= s->len;
			continue;
		}
		size_t n = s->len - offset;
		if (n > len - done)
			n = len - done;
		memcpy(s->host + offset, (const uint8_t *)in + done, n);
		done += n;
		offset = 0;
	}
	return done;
}
