/*
 * probe.c: isolab's one workload, the same static binary as a host
 * process, as a container's command and as the VM guest's program.
 *
 *   probe start [--vm]      start-up: print PROBE_START_LINE and exit
 *   probe hold [--vm] [--ms N] [--stdin]
 *                           memory: print PROBE_READY_LINE, then wait N ms
 *                           (default 60000) or, with --stdin, until EOF on
 *                           stdin if that comes first; exit
 *   probe ops [--vm] [--samples N] [--raw N] [--scale N]
 *                           per-operation costs: one JSON line on stdout
 *   probe net-serve [--vm] --port P
 *                           network: the suite's TCP server on 0.0.0.0:P
 *                           (netserve.h), PROBE_NET_READY_LINE once listening
 *
 * --vm: running inside isolab-vmm or QEMU with isa-debug-exit. `start`
 * then writes the boot marker "probe" before its line, and every mode ends
 * the VM itself through the debug-exit port (common/guest_ports.h), so the
 * guest's shell epilogue is not part of the figures. `ops` measures the
 * port_ping operation only with --vm.
 *
 * Output is kept small on purpose: in a VM every console byte is a VM
 * exit (about 39 us inside the lab).
 *
 * Exit status: 0 done, 2 bad usage, 1 an operation failed.
 */
#include "bench/probe/netserve.h"
#include "bench/probe/ops.h"
#include "bench/probe/probe.h"
#include "bench/stats.h"
#include "common/guest_ports.h"
#include "common/timing.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/utsname.h>
#include <unistd.h>

#define PROBE_MAX_SAMPLES 1000

struct probe_opts {
	const char *mode;
	int vm;
	int watch_stdin;
	long hold_ms;
	long samples;
	long raw;
	long scale;
	long port;
};

static void write_str(const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

/* Writes a boot marker name, one byte per OUT (guest_ports.h). */
static void vm_marker(const char *name)
{
	if (ioperm(ISOLAB_PORT_MARKER, 1, 1) != 0)
		return;
	for (; *name; name++)
		outb((unsigned char)*name, ISOLAB_PORT_MARKER);
	outb('\n', ISOLAB_PORT_MARKER);
}

/* Ends the VM with status (guest_ports.h); returns if the port is absent. */
static void vm_exit(int status)
{
	if (ioperm(ISOLAB_PORT_DEBUG_EXIT, 1, 1) != 0)
		return;
	outb((unsigned char)status, ISOLAB_PORT_DEBUG_EXIT);
}

static int finish(const struct probe_opts *o, int status)
{
	if (o->vm)
		vm_exit(status);
	return status;
}

static long parse_long(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	return v;
}

static int parse_opts(int argc, char **argv, struct probe_opts *o)
{
	int i;

	o->mode = argc > 1 ? argv[1] : NULL;
	o->vm = 0;
	o->watch_stdin = 0;
	o->hold_ms = 60000;
	o->samples = 31;
	o->raw = 16;
	o->scale = 1;
	o->port = -1;
	if (o->mode == NULL)
		return -1;
	for (i = 2; i < argc; i++) {
		long *dst = NULL, min = 0, max = 0;

		if (strcmp(argv[i], "--vm") == 0) {
			o->vm = 1;
			continue;
		}
		if (strcmp(argv[i], "--stdin") == 0) {
			o->watch_stdin = 1;
			continue;
		}
		if (strcmp(argv[i], "--ms") == 0)
			dst = &o->hold_ms, min = 0, max = 86400000;
		else if (strcmp(argv[i], "--samples") == 0)
			dst = &o->samples, min = 1, max = PROBE_MAX_SAMPLES;
		else if (strcmp(argv[i], "--raw") == 0)
			dst = &o->raw, min = 0, max = PROBE_MAX_SAMPLES;
		else if (strcmp(argv[i], "--scale") == 0)
			dst = &o->scale, min = 1, max = 1000;
		else if (strcmp(argv[i], "--port") == 0)
			dst = &o->port, min = 1, max = 65535;
		if (dst == NULL || i + 1 >= argc)
			return -1;
		*dst = parse_long(argv[++i], min, max);
		if (*dst < 0)
			return -1;
	}
	return 0;
}

static int mode_hold(const struct probe_opts *o)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	uint64_t deadline = isolab_now_ns() + (uint64_t)o->hold_ms * 1000000ull;
	char buf[64];

	write_str(PROBE_READY_LINE "\n");
	for (;;) {
		uint64_t now = isolab_now_ns();
		int rc;

		if (now >= deadline)
			break;
		/* Without --stdin (always in a VM) only the deadline ends the wait. */
		if (!o->watch_stdin) {
			usleep(10000);
			continue;
		}
		rc = poll(&pfd, 1, (int)((deadline - now) / 1000000ull) + 1);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc > 0 && read(STDIN_FILENO, buf, sizeof(buf)) <= 0)
			break;
	}
	return finish(o, 0);
}

__attribute__((format(printf, 3, 0)))
static int vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	/*
	 * clang-tidy 14 reports an "uninitialized va_list" here when it checks
	 * this file after another one in the same run (a false positive: the
	 * caller did va_start); alone the file is clean.
	 */
	return vsnprintf(buf, size, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
}

/* Appends to a fixed buffer; output is truncated, never overflowed. */
__attribute__((format(printf, 4, 5)))
static void appendf(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= size)
		return;
	va_start(ap, fmt);
	n = vformat(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n;
}

static void append(char *buf, size_t size, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n >= size)
		return;
	memcpy(buf + *len, s, n + 1);
	*len += n;
}

/* A sysfs line as a JSON string's content: up to its first ';' (the
 * mitigation's name, without its sub-options), at most 48 bytes, quotes,
 * backslashes and control characters replaced. */
static void append_vuln(char *buf, size_t size, size_t *len, const char *text)
{
	char v[49];
	size_t i;

	for (i = 0; i < sizeof(v) - 1 && text[i] && text[i] != '\n' && text[i] != ';'; i++)
		v[i] = (text[i] == '"' || text[i] == '\\' || (unsigned char)text[i] < 0x20) ? '?' : text[i];
	v[i] = '\0';
	append(buf, size, len, v);
}

/*
 * "kernel" (uname -r) and "mitigations" (each file of
 * /sys/devices/system/cpu/vulnerabilities): which kernel this system's
 * figures come from, and what it does against the CPU's flaws, so that a
 * ratio between two kernels is never read as the cost of an isolation.
 */
static void append_kernel(char *buf, size_t size, size_t *len)
{
	static const char dir[] = "/sys/devices/system/cpu/vulnerabilities";
	struct utsname u;
	struct dirent *de;
	DIR *d;
	bool first = true;

	if (uname(&u) == 0) {
		append(buf, size, len, ",\"kernel\":\"");
		append_vuln(buf, size, len, u.release);
		append(buf, size, len, "\"");
	}
	d = opendir(dir);
	if (d == NULL)
		return;
	append(buf, size, len, ",\"mitigations\":{");
	while ((de = readdir(d)) != NULL) {
		char path[320], text[256];
		ssize_t n;
		int fd;

		if (de->d_name[0] == '.' || strlen(de->d_name) > 64)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
		if (n <= 0)
			continue;
		text[n] = '\0';
		appendf(buf, size, len, "%s\"%s\":\"", first ? "" : ",", de->d_name);
		append_vuln(buf, size, len, text);
		append(buf, size, len, "\"");
		first = false;
	}
	closedir(d);
	append(buf, size, len, "}");
}

static int mode_ops(const struct probe_opts *o)
{
	static double samples[PROBE_MAX_SAMPLES], scratch[PROBE_MAX_SAMPLES];
	static char out[65536];
	struct probe_ctx ctx;
	size_t len = 0, k;
	int rc, failed = 0;

	rc = probe_ctx_open(&ctx, o->vm);
	if (rc < 0) {
		fprintf(stderr, "probe: setup: %s\n", strerror(-rc));
		return finish(o, 1);
	}
	appendf(out, sizeof(out), &len, "{\"" PROBE_JSON_KEY "\":%d", PROBE_FORMAT_VERSION);
	append(out, sizeof(out), &len, o->vm ? ",\"vm\":true" : ",\"vm\":false");
	if (ctx.ports)
		appendf(out, sizeof(out), &len, ",\"ping_reply\":%u", ctx.ping_reply);
	append_kernel(out, sizeof(out), &len);
	appendf(out, sizeof(out), &len, ",\"samples\":%ld,\"ops\":[", o->samples);
	for (k = 0; k < probe_op_count; k++) {
		const struct probe_op *op = &probe_ops[k];
		unsigned batch = op->batch * (unsigned)o->scale;
		struct bench_summary sum;
		long i;

		if (op->vm_only && !ctx.ports)
			continue;
		rc = op->run(&ctx, batch); /* warm-up, not recorded */
		for (i = 0; rc == 0 && i < o->samples; i++) {
			uint64_t t0 = isolab_now_ns();

			rc = op->run(&ctx, batch);
			samples[i] = (double)(isolab_now_ns() - t0) / (double)batch;
		}
		if (rc < 0) {
			fprintf(stderr, "probe: %s: %s\n", op->name, strerror(-rc));
			failed = 1;
			continue;
		}
		bench_summarize(samples, (size_t)o->samples, scratch, &sum);
		append(out, sizeof(out), &len, len && out[len - 1] == '[' ? "{\"name\":\"" : ",{\"name\":\"");
		append(out, sizeof(out), &len, op->name);
		appendf(out, sizeof(out), &len, "\",\"batch\":%u", batch);
		appendf(out, sizeof(out), &len, ",\"median\":%.2f", sum.median);
		appendf(out, sizeof(out), &len, ",\"p5\":%.2f", sum.p5);
		appendf(out, sizeof(out), &len, ",\"p95\":%.2f", sum.p95);
		append(out, sizeof(out), &len, ",\"raw\":[");
		for (i = 0; i < o->samples && i < o->raw; i++)
			appendf(out, sizeof(out), &len, i ? ",%.1f" : "%.1f", samples[i]);
		append(out, sizeof(out), &len, "]}");
	}
	append(out, sizeof(out), &len, "]}\n");
	probe_ctx_close(&ctx);
	write_str(out);
	return finish(o, failed);
}

static int mode_net_serve(const struct probe_opts *o)
{
	int rc;

	if (o->port < 0) {
		fprintf(stderr, "probe: net-serve: --port is required\n");
		return finish(o, 2);
	}
	rc = probe_net_serve((unsigned)o->port);
	if (rc < 0) {
		fprintf(stderr, "probe: net-serve: port %ld: %s\n", o->port, strerror(-rc));
		return finish(o, 1);
	}
	return finish(o, 0);
}

int main(int argc, char **argv)
{
	struct probe_opts o;

	/* start: the first thing the program does, before any parsing cost. */
	if (argc >= 2 && strcmp(argv[1], "start") == 0) {
		int vm = argc >= 3 && strcmp(argv[2], "--vm") == 0;

		if (vm)
			vm_marker(PROBE_MARKER);
		write_str(PROBE_START_LINE "\n");
		if (vm)
			vm_exit(0);
		return 0;
	}
	if (parse_opts(argc, argv, &o) < 0) {
		fprintf(stderr, "usage: probe start [--vm] | hold [--vm] [--ms N] [--stdin] | "
			"ops [--vm] [--samples N] [--raw N] [--scale N] | net-serve [--vm] --port P\n");
		return 2;
	}
	if (strcmp(o.mode, "hold") == 0)
		return mode_hold(&o);
	if (strcmp(o.mode, "ops") == 0)
		return mode_ops(&o);
	if (strcmp(o.mode, "net-serve") == 0)
		return mode_net_serve(&o);
	fprintf(stderr, "probe: unknown mode `%s`\n", o.mode);
	return 2;
}
