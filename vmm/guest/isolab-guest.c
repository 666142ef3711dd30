/*
 * isolab-guest: the guest side of common/guest_ports.h, run by the guest's
 * init (image/init) inside an isolab-vmm VM.
 *
 *   isolab-guest marker NAME    record a boot marker (the VMM timestamps it)
 *   isolab-guest exit STATUS    end the VM; isolab-vmm exits with STATUS
 *   isolab-guest ping           one guest -> VMM -> guest round trip
 *
 * Static, no libc beyond ioperm(2) and outb/inb: it runs as root in the
 * guest, where port I/O is allowed after ioperm.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include "common/guest_ports.h"

static int usage(void)
{
	fputs("usage: isolab-guest marker NAME | exit STATUS | ping\n", stderr);
	return 2;
}

static int open_port(unsigned port)
{
	if (ioperm(port, 1, 1) < 0) {
		perror("isolab-guest: ioperm");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "marker") == 0) {
		size_t len = strlen(argv[2]);
		if (len == 0 || len > ISOLAB_MARKER_NAME_MAX)
			return usage();
		if (open_port(ISOLAB_PORT_MARKER) < 0)
			return 1;
		for (size_t i = 0; i < len; i++)
			outb((unsigned char)argv[2][i], ISOLAB_PORT_MARKER);
		outb('\n', ISOLAB_PORT_MARKER);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "exit") == 0) {
		char *end;
		long v = strtol(argv[2], &end, 10);
		if (*argv[2] == '\0' || *end != '\0' || v < 0 || v > 255)
			return usage();
		if (open_port(ISOLAB_PORT_DEBUG_EXIT) < 0)
			return 1;
		outb((unsigned char)v, ISOLAB_PORT_DEBUG_EXIT);
		return 1; /* not reached under isolab-vmm: the VM has ended */
	}
	if (argc == 2 && strcmp(argv[1], "ping") == 0) {
		if (open_port(ISOLAB_PORT_PING) < 0)
			return 1;
		unsigned char v = inb(ISOLAB_PORT_PING);
		printf("%s\n", v == ISOLAB_PING_REPLY ? "pong" : "no reply");
		return v == ISOLAB_PING_REPLY ? 0 : 1;
	}
	return usage();
}
