/*
 * debugport.h: the guest <-> VMM ports of common/guest_ports.h as a pure
 * state machine: debug exit (a write ends the VM with that status), boot
 * markers (names written a byte at a time, timestamped at their first
 * byte) and ping (a read answers ISOLAB_PING_REPLY).
 */
#ifndef ISOLAB_VMM_DEBUGPORT_H
#define ISOLAB_VMM_DEBUGPORT_H

#include <stdbool.h>
#include <stdint.h>
#include "common/guest_ports.h"

#define DEBUGPORT_MAX_MARKERS 32

struct boot_marker {
	char name[ISOLAB_MARKER_NAME_MAX + 1];
	uint64_t ns;          /* ns since the VMM process started */
};

struct debugport {
	bool exit_requested;
	uint8_t exit_status;
	unsigned nmarkers;
	unsigned dropped;     /* markers beyond DEBUGPORT_MAX_MARKERS */
	bool in_marker;       /* a name is being written */
	unsigned name_len;
	char name[ISOLAB_MARKER_NAME_MAX + 1];
	uint64_t name_ns;
	struct boot_marker markers[DEBUGPORT_MAX_MARKERS];
};

/* now_ns is the time of the access (used for a marker's first byte). */
void debugport_write(struct debugport *d, uint16_t port, uint8_t value, uint64_t now_ns);
uint8_t debugport_read(struct debugport *d, uint16_t port);

#endif
