/* virtio_mmio.c: the virtio-mmio version 2 register model (see virtio_mmio.h). Pure. */
#include "vmm/virtio_mmio.h"
#include "common/le.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

void virtio_mmio_init(struct virtio_mmio *m, const struct virtio_mmio_ops *ops, void *dev,
		      uint8_t *mem, uint64_t mem_size, virtio_mmio_irq_fn irq, void *irq_opaque)
{
	memset(m, 0, sizeof(*m));
	m->ops = ops;
	m->dev = dev;
	m->irq = irq;
	m->irq_opaque = irq_opaque;
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		m->queues[i].vq.mem = mem;
		m->queues[i].vq.mem_size = mem_size;
	}
}

static uint64_t device_features(const struct virtio_mmio *m)
{
	uint64_t f = m->ops->features ? m->ops->features(m->dev) : 0;

	/* Neither indirect descriptors nor event indices are implemented (virtq.h). */
	f &= ~((1ull << VIRTIO_F_INDIRECT_DESC) | (1ull << VIRTIO_F_EVENT_IDX));
	return f | 1ull << VIRTIO_F_VERSION_1;
}

static void set_interrupt(struct virtio_mmio *m, uint32_t bit)
{
	m->interrupt_status |= bit;
	if (m->irq)
		m->irq(m->irq_opaque, true);
}

static void refuse(struct virtio_mmio *m, const struct isolab_error *why)
{
	m->refusals++;
	m->last_error = *why;
}

static void device_reset(struct virtio_mmio *m)
{
	bool raised = m->interrupt_status != 0;

	if (m->ops->reset)
		m->ops->reset(m->dev);
	m->status = 0;
	m->device_features_sel = m->driver_features_sel = 0;
	m->driver_features = 0;
	m->queue_sel = 0;
	m->interrupt_status = 0;
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		struct virtio_mmio_queue *q = &m->queues[i];

		q->num = 0;
		q->ready = false;
		q->desc = q->driver = q->device = 0;
		virtq_reset(&q->vq);
	}
	if (raised && m->irq)
		m->irq(m->irq_opaque, false);
}

bool virtio_mmio_negotiated(const struct virtio_mmio *m, unsigned bit)
{
	return (m->status & VIRTIO_STATUS_FEATURES_OK) && bit < 64 && (m->driver_features >> bit & 1);
}

struct virtq *virtio_mmio_queue(struct virtio_mmio *m, unsigned i)
{
	if (i >= m->ops->num_queues || !m->queues[i].ready ||
	    (m->status & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_DEVICE_NEEDS_RESET)) != VIRTIO_STATUS_DRIVER_OK)
		return NULL;
	return &m->queues[i].vq;
}

void virtio_mmio_notify_used(struct virtio_mmio *m)
{
	set_interrupt(m, VIRTIO_MMIO_INT_VRING);
}

void virtio_mmio_config_changed(struct virtio_mmio *m)
{
	m->config_generation++;
	if (m->status & VIRTIO_STATUS_DRIVER_OK)
		set_interrupt(m, VIRTIO_MMIO_INT_CONFIG);
}

void virtio_mmio_needs_reset(struct virtio_mmio *m, const struct isolab_error *why)
{
	refuse(m, why);
	if (m->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		return;
	m->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	/* 2.1.2: a running driver learns it through a configuration change. */
	if (m->status & VIRTIO_STATUS_DRIVER_OK)
		set_interrupt(m, VIRTIO_MMIO_INT_CONFIG);
}

/* The driver's features are acceptable: a subset of ours, VERSION_1 among them. */
static int check_features(struct virtio_mmio *m, struct isolab_error *err)
{
	uint64_t offered = device_features(m);

	if (m->driver_features & ~offered)
		return isolab_error_set(err, -EINVAL, "%s: driver features %#" PRIx64 " include %#" PRIx64 ", never offered",
					m->ops->name, m->driver_features, m->driver_features & ~offered);
	if (!(m->driver_features >> VIRTIO_F_VERSION_1 & 1))
		return isolab_error_set(err, -EINVAL,
					"%s: driver features %#" PRIx64 " lack VIRTIO_F_VERSION_1 (a legacy driver; this device is modern only)",
					m->ops->name, m->driver_features);
	return 0;
}

static void write_status(struct virtio_mmio *m, uint32_t v)
{
	struct isolab_error err = { 0 };
	uint32_t old = m->status & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET;

	if (v == 0) {
		device_reset(m);
		return;
	}
	v &= ~VIRTIO_STATUS_DEVICE_NEEDS_RESET & 0xff;   /* the device's bit */
	if ((v & old) != old) {
		/* 2.1.1: the driver never clears a bit, except by writing 0. */
		m->bad_accesses++;
		return;
	}
	if ((v & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK) && check_features(m, &err) < 0) {
		/* 3.1.1 step 6: FEATURES_OK left clear tells the driver no. */
		refuse(m, &err);
		v &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	if ((v & VIRTIO_STATUS_DRIVER_OK) && !(v & VIRTIO_STATUS_FEATURES_OK)) {
		isolab_error_set(&err, -EINVAL, "%s: DRIVER_OK without FEATURES_OK", m->ops->name);
		refuse(m, &err);
		v &= ~VIRTIO_STATUS_DRIVER_OK;
	}
	m->status = v | (m->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
}

static struct virtio_mmio_queue *selected(struct virtio_mmio *m)
{
	return m->queue_sel < m->ops->num_queues ? &m->queues[m->queue_sel] : NULL;
}

static void write_queue_ready(struct virtio_mmio *m, struct virtio_mmio_queue *q, uint32_t v)
{
	struct isolab_error err = { 0 };

	if (!v) {
		q->ready = false;
		virtq_reset(&q->vq);
		return;
	}
	if (q->ready)
		return;
	if (virtq_setup(&q->vq, q->vq.mem, q->vq.mem_size, q->num, m->ops->queue_num_max,
			q->desc, q->driver, q->device, &err) < 0) {
		/* QueueReady keeps reading 0; the device needs a reset. */
		isolab_error_wrap(&err, "%s: queue %u", m->ops->name, m->queue_sel);
		virtio_mmio_needs_reset(m, &err);
		return;
	}
	q->ready = true;
}

static void set_low(uint64_t *r, uint32_t v) { *r = (*r & ~0xffffffffull) | v; }
static void set_high(uint64_t *r, uint32_t v) { *r = (*r & 0xffffffffull) | (uint64_t)v << 32; }

static uint32_t read_register(struct virtio_mmio *m, uint32_t offset)
{
	struct virtio_mmio_queue *q = selected(m);

	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return VIRTIO_MMIO_VERSION_MODERN;
	case VIRTIO_MMIO_DEVICE_ID:
		return m->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (m->device_features_sel > 1)
			return 0;
		return (uint32_t)(device_features(m) >> (32 * m->device_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? m->ops->queue_num_max : 0;
	case VIRTIO_MMIO_QUEUE_NUM:
		return q ? q->num : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return m->interrupt_status;
	case VIRTIO_MMIO_STATUS:
		return m->status;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		return q ? (uint32_t)q->desc : 0;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		return q ? (uint32_t)(q->desc >> 32) : 0;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
		return q ? (uint32_t)q->driver : 0;
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		return q ? (uint32_t)(q->driver >> 32) : 0;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
		return q ? (uint32_t)q->device : 0;
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		return q ? (uint32_t)(q->device >> 32) : 0;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return m->config_generation;
	default:
		/* Write-only registers (features selectors, QueueSel, QueueNotify,
		 * InterruptACK) and holes. */
		m->bad_accesses++;
		return 0;
	}
}

static void write_register(struct virtio_mmio *m, uint32_t offset, uint32_t v)
{
	struct virtio_mmio_queue *q = selected(m);

	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		m->device_features_sel = v;
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		m->driver_features_sel = v;
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* Fixed once FEATURES_OK is set; only words 0 and 1 exist. */
		if ((m->status & VIRTIO_STATUS_FEATURES_OK) || m->driver_features_sel > 1)
			break;
		if (m->driver_features_sel == 0)
			set_low(&m->driver_features, v);
		else
			set_high(&m->driver_features, v);
		return;
	case VIRTIO_MMIO_QUEUE_SEL:
		m->queue_sel = v;
		return;
	case VIRTIO_MMIO_QUEUE_READY:
		if (!q)
			break;
		write_queue_ready(m, q, v);
		return;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/* 2.1.2/3.1.1: no buffer is used before DRIVER_OK; a device in error waits for a reset. */
		if (v < m->ops->num_queues && virtio_mmio_queue(m, v) && m->ops->queue_notify)
			m->ops->queue_notify(m->dev, v);
		return;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		if (m->interrupt_status && !(m->interrupt_status &= ~v) && m->irq)
			m->irq(m->irq_opaque, false);
		return;
	case VIRTIO_MMIO_STATUS:
		write_status(m, v);
		return;
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		/* A queue's set-up is fixed while it is ready (4.2.3.2). */
		if (!q || q->ready)
			break;
		switch (offset) {
		case VIRTIO_MMIO_QUEUE_NUM: q->num = v; break;
		case VIRTIO_MMIO_QUEUE_DESC_LOW: set_low(&q->desc, v); break;
		case VIRTIO_MMIO_QUEUE_DESC_HIGH: set_high(&q->desc, v); break;
		case VIRTIO_MMIO_QUEUE_DRIVER_LOW: set_low(&q->driver, v); break;
		case VIRTIO_MMIO_QUEUE_DRIVER_HIGH: set_high(&q->driver, v); break;
		case VIRTIO_MMIO_QUEUE_DEVICE_LOW: set_low(&q->device, v); break;
		default: set_high(&q->device, v); break;
		}
		return;
	default:
		break;   /* read-only registers and holes */
	}
	m->bad_accesses++;
}

static bool config_access_ok(uint32_t offset, unsigned len)
{
	return offset >= VIRTIO_MMIO_CONFIG && offset < VIRTIO_MMIO_WINDOW &&
	       (len == 1 || len == 2 || len == 4 || len == 8) && offset % len == 0 &&
	       offset + len <= VIRTIO_MMIO_WINDOW;
}

void virtio_mmio_read(struct virtio_mmio *m, uint32_t offset, uint8_t *data, unsigned len)
{
	if (len <= 8)
		memset(data, 0, len);
	if (offset < VIRTIO_MMIO_CONFIG && len == 4 && offset % 4 == 0) {
		uint32_t v = read_register(m, offset);

		isolab_put_le32(data, v);
	} else if (config_access_ok(offset, len)) {
		if (m->ops->config_read)
			m->ops->config_read(m->dev, offset - VIRTIO_MMIO_CONFIG, data, len);
	} else {
		m->bad_accesses++;
	}
}

void virtio_mmio_write(struct virtio_mmio *m, uint32_t offset, const uint8_t *data, unsigned len)
{
	if (offset < VIRTIO_MMIO_CONFIG && len == 4 && offset % 4 == 0)
		write_register(m, offset, isolab_get_le32(data));
	else if (config_access_ok(offset, len) && m->ops->config_write)
		m->ops->config_write(m->dev, offset - VIRTIO_MMIO_CONFIG, data, len);
	else
		m->bad_accesses++;
}
