/* ops.c: the operations the probe times (see ops.h). */
#include "bench/probe/ops.h"
#include "common/guest_ports.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Iterations of the xorshift step that make one "compute" operation. */
#define COMPUTE_STEPS 1000

static volatile uint64_t sink;

static int op_getpid(struct probe_ctx *ctx, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		sink += (uint64_t)syscall(SYS_getpid);
	return 0;
}

static int op_clock_gettime(struct probe_ctx *ctx, unsigned n)
{
	struct timespec ts;
	unsigned i;

	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		sink += (uint64_t)ts.tv_nsec;
	}
	return 0;
}

static int op_read_zero(struct probe_ctx *ctx, unsigned n)
{
	char c;
	unsigned i;

	for (i = 0; i < n; i++)
		if (read(ctx->zero_fd, &c, 1) != 1)
			return -EIO;
	return 0;
}

static int op_pipe(struct probe_ctx *ctx, unsigned n)
{
	char c = 'x';
	unsigned i;

	for (i = 0; i < n; i++) {
		if (write(ctx->pipe_fds[1], &c, 1) != 1)
			return -EIO;
		if (read(ctx->pipe_fds[0], &c, 1) != 1)
			return -EIO;
	}
	return 0;
}

static int op_open_close(struct probe_ctx *ctx, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		int fd = open(ctx->file, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return -errno;
		close(fd);
	}
	return 0;
}

static int op_mmap_touch(struct probe_ctx *ctx, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		volatile char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return -errno;
		p[0] = 1;
		munmap((void *)p, 4096);
	}
	return 0;
}

static int op_fork_wait(struct probe_ctx *ctx, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			return -errno;
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &status, 0) != pid)
			return -errno;
	}
	return 0;
}

static int op_compute(struct probe_ctx *ctx, unsigned n)
{
	uint64_t x = 88172645463325252ull;
	unsigned i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < COMPUTE_STEPS; j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
	sink += x;
	return 0;
}

/*
 * isolab-vmm answers ISOLAB_PING_REPLY; QEMU has no device there and
 * answers 0xff for an unassigned port, after the same exit to its user
 * space. Either way one IN is one exit round trip: the answer only has to
 * stay what it was at the first IN (probe_ctx_open).
 */
static int op_port_ping(struct probe_ctx *ctx, unsigned n)
{
	unsigned i;

	if (!ctx->ports)
		return -EPERM;
	for (i = 0; i < n; i++)
		if (inb(ISOLAB_PORT_PING) != ctx->ping_reply)
			return -EPROTO;
	return 0;
}

const struct probe_op probe_ops[] = {
	{ "getpid", "syscall(SYS_getpid): a raw system call", 2000, false, op_getpid },
	{ "clock_gettime", "clock_gettime(CLOCK_MONOTONIC): the vDSO path", 2000, false, op_clock_gettime },
	{ "read_dev_zero", "read() of 1 byte from /dev/zero", 1000, false, op_read_zero },
	{ "pipe_rw", "write() then read() of 1 byte through a pipe", 500, false, op_pipe },
	{ "open_close", "open(O_RDONLY) + close() of /dev/null", 100, false, op_open_close },
	{ "mmap_touch", "mmap 4 KiB anonymous, write 1 byte, munmap", 50, false, op_mmap_touch },
	{ "fork_wait", "fork(), child _exit(0), waitpid()", 4, false, op_fork_wait },
	{ "compute", "1000 xorshift64 steps (no system call)", 100, false, op_compute },
	{ "port_ping", "IN from the ping port: one VM exit round trip", 200, true, op_port_ping },
};
const size_t probe_op_count = sizeof(probe_ops) / sizeof(probe_ops[0]);

int probe_ctx_open(struct probe_ctx *ctx, bool vm)
{
	ctx->vm = vm;
	ctx->ports = false;
	ctx->zero_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (ctx->zero_fd < 0)
		return -errno;
	if (pipe2(ctx->pipe_fds, O_CLOEXEC) < 0) {
		int rc = -errno;

		close(ctx->zero_fd);
		return rc;
	}
	/*
	 * /dev/null exists in every environment on an in-memory file system;
	 * a file of the image would sit on 9p in the lab (native, containers)
	 * but in the initramfs in the VM, and compare file systems, not
	 * isolation.
	 */
	ctx->file = "/dev/null";
	if (vm && ioperm(ISOLAB_PORT_PING, 1, 1) == 0) {
		ctx->ports = true;
		ctx->ping_reply = inb(ISOLAB_PORT_PING);
	}
	return 0;
}

void probe_ctx_close(struct probe_ctx *ctx)
{
	close(ctx->zero_fd);
	close(ctx->pipe_fds[0]);
	close(ctx->pipe_fds[1]);
}
