/*
 * net.c: `--net tap=NAME`, the guest's eth0: the virtio-net model
 * (virtio_net.c) on the virtio-mmio window VMM_NET_BASE, IRQ VMM_NET_IRQ,
 * backed by a tap (tap.c). One thread moves the frames: it polls the tap
 * and an eventfd that the guest's QueueNotify writes (a vCPU thread,
 * under vm->lock). Transmit: each chain taken under the lock, written to
 * the tap without it (writev straight from guest RAM), given back under
 * the lock. Receive: a frame read from the tap goes into the next posted
 * buffer under the lock; when the guest has posted none, the frame waits
 * and the tap is not read again until the guest notifies queue 0.
 * Completions pulse the IRQ line (edge-triggered, as the disk's).
 */
#include "vmm/vm.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "common/cleanup.h"
#include "vmm/args.h"
#include "vmm/tap.h"
#include "vmm/virtio_net.h"

/* One byte over the largest frame: tun cuts a longer one to the buffer
 * silently, so a full read is a frame too long, which the model drops. */
#define NET_RX_BUF (VIRTIO_NET_FRAME_MAX + 1)

struct vm_net {
	struct virtio_net net;
	struct virtio_net_tx tx;     /* the thread's frame in flight (4 KiB of iovecs) */
	struct vm *vm;
	struct tap tap;
	int kick_fd;                 /* eventfd: a queue notify, or stop */
	atomic_bool rx_kicked;       /* the guest posted receive buffers */
	atomic_bool stopping;
	uint8_t frame[NET_RX_BUF];   /* a received frame that waits for a buffer */
	ssize_t pending;             /* its length; 0: none waits */
	pthread_t thread;
	bool thread_started;
};

static void net_irq(void *opaque, bool level)
{
	struct vm_net *n = opaque;

	if (level)
		vm_irq_pulse(n->vm, VMM_NET_IRQ);
}

/* QueueNotify, in a vCPU thread under vm->lock: wake the thread. */
static void net_kick(void *opaque, unsigned queue)
{
	struct vm_net *n = opaque;
	uint64_t one = 1;

	if (queue == VIRTIO_NET_RXQ)
		atomic_store(&n->rx_kicked, true);
	if (write(n->kick_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		vm_request_stop(n->vm, VM_STOP_VMM_ERROR, VMM_STATUS_VMM_ERROR,
				"--net: wake the network thread: %s", strerror(errno));
}

/* Every frame the guest queued, out through the tap. */
static void net_transmit(struct vm_net *n)
{
	struct vm *vm = n->vm;
	struct isolab_error err = { 0 };

	for (;;) {
		int rc;

		pthread_mutex_lock(&vm->lock);
		rc = virtio_net_tx_next(&n->net, &n->tx, &err);
		pthread_mutex_unlock(&vm->lock);
		if (rc <= 0)
			return; /* empty, or the driver broke the queue: it must reset */
		virtio_net_tx_execute(&n->net, &n->tx);
		pthread_mutex_lock(&vm->lock);
		virtio_net_tx_complete(&n->net, &n->tx);
		pthread_mutex_unlock(&vm->lock);
	}
}

/* The waiting frame into the guest; false while it still has no buffer. */
static bool net_deliver(struct vm_net *n)
{
	struct isolab_error err = { 0 };
	int rc;

	pthread_mutex_lock(&n->vm->lock);
	rc = virtio_net_receive(&n->net, n->frame, (size_t)n->pending, &err);
	pthread_mutex_unlock(&n->vm->lock);
	if (rc == VIRTIO_NET_RX_NO_BUFFER)
		return false;
	n->pending = 0; /* delivered, dropped and counted, or the queue broke */
	return true;
}

/* Frames from the tap into the guest until none waits or it has no buffer. */
static void net_receive(struct vm_net *n)
{
	for (;;) {
		if (n->pending == 0) {
			ssize_t len = tap_read_frame(&n->tap, n->frame, sizeof(n->frame));

			if (len <= 0)
				return; /* -EAGAIN: none; an error: the next poll says */
			n->pending = len;
		}
		if (!net_deliver(n))
			return;
	}
}

static void *net_thread(void *arg)
{
	struct vm_net *n = arg;
	uint64_t count;

	while (!atomic_load(&n->stopping)) {
		/* While a frame waits for a buffer, the tap is not read. */
		struct pollfd p[2] = { { .fd = n->kick_fd, .events = POLLIN },
				       { .fd = n->pending ? -1 : n->tap.fd, .events = POLLIN } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			vm_request_stop(n->vm, VM_STOP_VMM_ERROR, VMM_STATUS_VMM_ERROR,
					"--net: poll: %s", strerror(errno));
			break;
		}
		if (p[0].revents & POLLIN) {
			if (read(n->kick_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
				break;
			if (atomic_load(&n->stopping))
				break;
			net_transmit(n);
			if (atomic_exchange(&n->rx_kicked, false) && n->pending)
				net_deliver(n);
		}
		if (n->pending == 0 && (p[1].revents & (POLLIN | POLLERR | POLLHUP)))
			net_receive(n);
	}
	return NULL;
}

int net_open(struct vm *vm, const char *tap_name, struct isolab_error *err)
{
	_cleanup_free_ struct vm_net *n = calloc(1, sizeof(*n));
	int rc;

	if (n == NULL)
		return isolab_error_set(err, -ENOMEM, "--net: out of memory");
	n->tap.fd = -1;
	n->kick_fd = -1;
	rc = tap_open(&n->tap, tap_name, err);
	if (rc < 0)
		return isolab_error_wrap(err, "--net");
	n->vm = vm;
	vm->net = n;
	n = NULL;
	return 0;
}

int net_start(struct vm *vm, struct isolab_error *err)
{
	struct vm_net *n = vm->net;
	struct virtio_net_options opt = { .backend = { tap_write_frame, NULL } };
	pid_t pid = getpid();
	unsigned mtu = 0;
	int rc;

	if (n == NULL)
		return 0;
	/* A locally administered unicast address (QEMU's prefix), unique per VMM. */
	memcpy(opt.mac, (const uint8_t[]){ 0x52, 0x54, 0x00, (uint8_t)(pid >> 16),
					  (uint8_t)(pid >> 8), (uint8_t)pid }, 6);
	if (tap_mtu(&n->tap, &mtu, err) < 0)
		return isolab_error_wrap(err, "--net");
	opt.mtu = mtu >= VIRTIO_NET_MTU_MIN && mtu <= VIRTIO_NET_MTU_MAX ? mtu : 0;
	opt.backend.handle = &n->tap;
	rc = virtio_net_init(&n->net, &opt, vm->mem, vm->mem_size, net_irq, n, err);
	if (rc < 0)
		return isolab_error_wrap(err, "--net");
	n->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (n->kick_fd < 0)
		return isolab_error_errno(err, -errno, "--net: eventfd");
	n->net.kick = net_kick;
	n->net.kick_opaque = n;
	rc = devices_add_mmio(vm, VMM_NET_BASE, &n->net.mmio, err);
	if (rc < 0)
		return rc;
	rc = pthread_create(&n->thread, NULL, net_thread, n);
	if (rc != 0)
		return isolab_error_errno(err, -rc, "--net: start the network thread");
	n->thread_started = true;
	return 0;
}

void net_close(struct vm *vm)
{
	struct vm_net *n = vm->net;
	uint64_t one = 1;

	if (n == NULL)
		return;
	if (n->thread_started) {
		atomic_store(&n->stopping, true);
		if (write(n->kick_fd, &one, sizeof(one)) == sizeof(one))
			pthread_join(n->thread, NULL);
	}
	if (n->kick_fd >= 0)
		close(n->kick_fd);
	tap_close(&n->tap);
	free(n);
	vm->net = NULL;
}

void net_stats_json(const struct vm *vm, cJSON *o)
{
	const struct vm_net *n = vm->net;
	const struct virtio_net_stats *st = &n->net.stats;
	cJSON *drops;

	cJSON_AddStringToObject(o, "device", "virtio-net");
	cJSON_AddStringToObject(o, "tap", n->tap.name);
	cJSON_AddStringToObject(o, "datapath", tap_datapath(&n->tap));
	cJSON_AddNumberToObject(o, "rx_packets", (double)st->rx_packets);
	cJSON_AddNumberToObject(o, "rx_bytes", (double)st->rx_bytes);
	cJSON_AddNumberToObject(o, "tx_packets", (double)st->tx_packets);
	cJSON_AddNumberToObject(o, "tx_bytes", (double)st->tx_bytes);
	cJSON_AddNumberToObject(o, "rx_waits", (double)st->rx_waits);
	drops = cJSON_AddObjectToObject(o, "drops");
	cJSON_AddNumberToObject(drops, "rx_bad_frame", (double)st->rx_drop_bad_frame);
	cJSON_AddNumberToObject(drops, "rx_too_big", (double)st->rx_drop_too_big);
	cJSON_AddNumberToObject(drops, "rx_bad_buffer", (double)st->rx_drop_bad_buffer);
	cJSON_AddNumberToObject(drops, "tx_runt", (double)st->tx_drop_runt);
	cJSON_AddNumberToObject(drops, "tx_too_big", (double)st->tx_drop_too_big);
	cJSON_AddNumberToObject(drops, "tx_bad_header", (double)st->tx_drop_bad_header);
	cJSON_AddNumberToObject(drops, "tx_bad_buffer", (double)st->tx_drop_bad_buffer);
	cJSON_AddNumberToObject(drops, "tx_backend", (double)st->tx_drop_backend);
	devices_transport_json(&n->net.mmio, o);
}
