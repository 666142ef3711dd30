/*
 * disk.c: `--disk FILE[,ro]`, the guest's /dev/vda: the virtio-blk model
 * (virtio_blk.c) on the virtio-mmio window VMM_DISK_BASE, IRQ
 * VMM_DISK_IRQ, backed by a host file. The guest's QueueNotify (a vCPU
 * thread, under vm->lock) only wakes a worker thread through an eventfd;
 * the worker takes each request under the lock, does its preadv/pwritev
 * without it, and completes it under the lock again (virtio_blk.h).
 * Completions pulse the IRQ line: the MP table makes ISA IRQs
 * edge-triggered, and the guest's handler reads InterruptStatus anyway.
 */
#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>
#include "common/cleanup.h"
#include "common/safe_open.h"
#include "vmm/args.h"
#include "vmm/virtio_blk.h"

struct vm_disk {
	struct virtio_blk blk;
	struct virtio_blk_req req;   /* the worker's request in flight (4 KiB of iovecs) */
	struct vm *vm;
	int fd;
	bool read_only;
	uint64_t size;
	int kick_fd;                 /* eventfd: the guest notified, or stop */
	atomic_bool stopping;
	pthread_t thread;
	bool thread_started;
};

static ssize_t disk_preadv(void *handle, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	ssize_t n = preadv(*(int *)handle, iov, iovcnt, (off_t)offset);

	return n < 0 ? -errno : n;
}

static ssize_t disk_pwritev(void *handle, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	ssize_t n = pwritev(*(int *)handle, iov, iovcnt, (off_t)offset);

	return n < 0 ? -errno : n;
}

static int disk_flush(void *handle)
{
	return fdatasync(*(int *)handle) < 0 ? -errno : 0;
}

/* The transport's interrupt: a pulse on the edge-triggered line. */
static void disk_irq(void *opaque, bool level)
{
	struct vm_disk *d = opaque;

	if (level)
		vm_irq_pulse(d->vm, VMM_DISK_IRQ);
}

/* QueueNotify, in a vCPU thread under vm->lock: wake the worker. */
static void disk_kick(void *opaque)
{
	struct vm_disk *d = opaque;
	uint64_t one = 1;

	if (write(d->kick_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		vm_request_stop(d->vm, VM_STOP_VMM_ERROR, VMM_STATUS_VMM_ERROR,
				"--disk: wake the worker: %s", strerror(errno));
}

/* Serves requests until the queue is empty. */
static void disk_drain(struct vm_disk *d)
{
	struct vm *vm = d->vm;
	struct isolab_error err = { 0 };

	for (;;) {
		int rc;

		pthread_mutex_lock(&vm->lock);
		rc = virtio_blk_next(&d->blk, &d->req, &err);
		pthread_mutex_unlock(&vm->lock);
		if (rc <= 0)
			return; /* empty, or the driver broke the queue: it must reset */
		virtio_blk_execute(&d->blk, &d->req);
		pthread_mutex_lock(&vm->lock);
		virtio_blk_complete(&d->blk, &d->req);
		pthread_mutex_unlock(&vm->lock);
	}
}

static void *disk_worker(void *arg)
{
	struct vm_disk *d = arg;
	uint64_t n;

	while (!atomic_load(&d->stopping)) {
		if (read(d->kick_fd, &n, sizeof(n)) < 0) {
			if (errno == EINTR)
				continue;
			vm_request_stop(d->vm, VM_STOP_VMM_ERROR, VMM_STATUS_VMM_ERROR,
					"--disk: the worker's eventfd: %s", strerror(errno));
			break;
		}
		if (!atomic_load(&d->stopping))
			disk_drain(d);
	}
	return NULL;
}

int disk_open(struct vm *vm, const char *path, bool read_only, struct isolab_error *err)
{
	_cleanup_free_ struct vm_disk *d = calloc(1, sizeof(*d));
	int fd;

	if (d == NULL)
		return isolab_error_set(err, -ENOMEM, "--disk: out of memory");
	fd = isolab_open_regular_as(path, read_only ? O_RDONLY : O_RDWR, &d->size, err);
	if (fd < 0)
		return isolab_error_wrap(err, "--disk `%s`", path);
	d->fd = fd;
	d->kick_fd = -1;
	d->read_only = read_only;
	d->vm = vm;
	if (d->size < VIRTIO_BLK_SECTOR) {
		close(fd);
		return isolab_error_set(err, -EINVAL, "--disk `%s`: %llu bytes, less than one %d-byte sector",
					path, (unsigned long long)d->size, VIRTIO_BLK_SECTOR);
	}
	vm->disk = d;
	d = NULL;
	return 0;
}

int disk_start(struct vm *vm, struct isolab_error *err)
{
	struct vm_disk *d = vm->disk;
	struct virtio_blk_options opt = {
		.backend = { disk_preadv, disk_pwritev, disk_flush, NULL },
	};
	int rc;

	if (d == NULL)
		return 0;
	opt.disk_bytes = d->size;
	opt.read_only = d->read_only;
	opt.backend.handle = &d->fd;
	rc = virtio_blk_init(&d->blk, &opt, vm->mem, vm->mem_size, disk_irq, d, err);
	if (rc < 0)
		return isolab_error_wrap(err, "--disk");
	d->kick_fd = eventfd(0, EFD_CLOEXEC);
	if (d->kick_fd < 0)
		return isolab_error_errno(err, -errno, "--disk: eventfd");
	d->blk.kick = disk_kick;
	d->blk.kick_opaque = d;
	rc = devices_add_mmio(vm, VMM_DISK_BASE, &d->blk.mmio, err);
	if (rc < 0)
		return rc;
	rc = pthread_create(&d->thread, NULL, disk_worker, d);
	if (rc != 0)
		return isolab_error_errno(err, -rc, "--disk: start the worker thread");
	d->thread_started = true;
	return 0;
}

void disk_close(struct vm *vm)
{
	struct vm_disk *d = vm->disk;
	uint64_t one = 1;

	if (d == NULL)
		return;
	if (d->thread_started) {
		atomic_store(&d->stopping, true);
		if (write(d->kick_fd, &one, sizeof(one)) == sizeof(one))
			pthread_join(d->thread, NULL);
	}
	if (d->kick_fd >= 0)
		close(d->kick_fd);
	close(d->fd);
	free(d);
	vm->disk = NULL;
}

void disk_stats_json(const struct vm *vm, cJSON *o)
{
	const struct vm_disk *d = vm->disk;
	const struct virtio_blk_stats *st = &d->blk.stats;

	cJSON_AddStringToObject(o, "device", "virtio-blk");
	cJSON_AddBoolToObject(o, "read_only", d->read_only);
	cJSON_AddNumberToObject(o, "bytes", (double)d->size);
	cJSON_AddNumberToObject(o, "reads", (double)st->reads);
	cJSON_AddNumberToObject(o, "writes", (double)st->writes);
	cJSON_AddNumberToObject(o, "flushes", (double)st->flushes);
	cJSON_AddNumberToObject(o, "bytes_read", (double)st->bytes_read);
	cJSON_AddNumberToObject(o, "bytes_written", (double)st->bytes_written);
	cJSON_AddNumberToObject(o, "errors", (double)st->errors);
	cJSON_AddNumberToObject(o, "unsupported", (double)st->unsupported);
	devices_transport_json(&d->blk.mmio, o);
}
