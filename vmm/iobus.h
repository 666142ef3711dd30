/*
 * iobus.h: the port-I/O bus (after kvmtool's ioport.c). A device is one
 * file with a read and a write function and one iobus_register() line in
 * vmm/devices.c; a VM exit on a port is dispatched to the device whose
 * range holds it. Pure: locking is the caller's.
 */
#ifndef ISOLAB_VMM_IOBUS_H
#define ISOLAB_VMM_IOBUS_H

#include <stdint.h>
#include "common/error.h"

typedef uint8_t (*iobus_read_fn)(void *dev, uint16_t port);
typedef void (*iobus_write_fn)(void *dev, uint16_t port, uint8_t value);

struct iobus_range {
	uint16_t base, len;
	const char *name;
	iobus_read_fn read;
	iobus_write_fn write;
	void *dev;
};

#define IOBUS_MAX_RANGES 16

struct iobus {
	unsigned n;
	struct iobus_range ranges[IOBUS_MAX_RANGES];
};

/* -EEXIST if the range overlaps one already there, -ENOSPC if the bus is full. */
int iobus_register(struct iobus *bus, uint16_t base, uint16_t len, const char *name,
		   iobus_read_fn read, iobus_write_fn write, void *dev,
		   struct isolab_error *err);

/* The range holding port, or NULL (reads then see 0xff, writes vanish). */
const struct iobus_range *iobus_find(const struct iobus *bus, uint16_t port);

#endif
