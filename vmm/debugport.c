/* debugport.c: debug exit, boot markers, ping (see debugport.h). Pure. */
#include "vmm/debugport.h"

#include <string.h>

static void end_marker(struct debugport *d)
{
	if (d->name_len > 0) {
		if (d->nmarkers < DEBUGPORT_MAX_MARKERS) {
			struct boot_marker *m = &d->markers[d->nmarkers++];

			memcpy(m->name, d->name, d->name_len);
			m->name[d->name_len] = '\0';
			m->ns = d->name_ns;
		} else {
			d->dropped++;
		}
	}
	d->in_marker = false;
	d->name_len = 0;
}

void debugport_write(struct debugport *d, uint16_t port, uint8_t value, uint64_t now_ns)
{
	if (port == ISOLAB_PORT_DEBUG_EXIT) {
		if (!d->exit_requested) {
			d->exit_requested = true;
			d->exit_status = value;
		}
		return;
	}
	if (port != ISOLAB_PORT_MARKER)
		return;
	if (value == '\n' || value == '\0') {
		end_marker(d);
		return;
	}
	if (!d->in_marker) {
		d->in_marker = true;
		d->name_ns = now_ns;
	}
	/* Printable ASCII only; a name longer than the limit is cut. */
	if (value >= 0x20 && value < 0x7f && d->name_len < ISOLAB_MARKER_NAME_MAX)
		d->name[d->name_len++] = (char)value;
}

uint8_t debugport_read(struct debugport *d, uint16_t port)
{
	(void)d;
	return port == ISOLAB_PORT_PING ? ISOLAB_PING_REPLY : 0xff;
}
