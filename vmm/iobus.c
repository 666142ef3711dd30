/* iobus.c: port ranges to device callbacks (see iobus.h). Pure. */
#include "vmm/iobus.h"

#include <errno.h>

int iobus_register(struct iobus *bus, uint16_t base, uint16_t len, const char *name,
		   iobus_read_fn read, iobus_write_fn write, void *dev,
		   struct isolab_error *err)
{
	if (len == 0 || (uint32_t)base + len > 0x10000)
		return isolab_error_set(err, -EINVAL, "I/O range of %s at %#x+%u is invalid", name, base, len);
	for (unsigned i = 0; i < bus->n; i++) {
		const struct iobus_range *r = &bus->ranges[i];

		if (base < r->base + r->len && r->base < base + len)
			return isolab_error_set(err, -EEXIST, "I/O range of %s at %#x overlaps %s at %#x",
						name, base, r->name, r->base);
	}
	if (bus->n == IOBUS_MAX_RANGES)
		return isolab_error_set(err, -ENOSPC, "I/O bus full, cannot add %s", name);
	bus->ranges[bus->n++] = (struct iobus_range){ base, len, name, read, write, dev };
	return 0;
}

const struct iobus_range *iobus_find(const struct iobus *bus, uint16_t port)
{
	for (unsigned i = 0; i < bus->n; i++) {
		const struct iobus_range *r = &bus->ranges[i];

		if (port >= r->base && port - r->base < r->len)
			return r;
	}
	return NULL;
}
