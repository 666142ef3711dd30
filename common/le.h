/*
 * le.h: little-endian fields in byte buffers (guest memory, boot
 * structures, file formats), one implementation for the whole tree.
 * Byte by byte: no alignment assumed, the same on any host.
 */
#ifndef ISOLAB_COMMON_LE_H
#define ISOLAB_COMMON_LE_H

#include <stdint.h>

/* The n bytes at p (n <= 8) as a little-endian number. */
static inline uint64_t isolab_get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* v's low n bytes (n <= 8) at p, little-endian. */
static inline void isolab_put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t isolab_get_le16(const uint8_t *p) { return (uint16_t)isolab_get_le(p, 2); }
static inline uint32_t isolab_get_le32(const uint8_t *p) { return (uint32_t)isolab_get_le(p, 4); }
static inline uint64_t isolab_get_le64(const uint8_t *p) { return isolab_get_le(p, 8); }
static inline void isolab_put_le16(uint8_t *p, uint16_t v) { isolab_put_le(p, v, 2); }
static inline void isolab_put_le32(uint8_t *p, uint32_t v) { isolab_put_le(p, v, 4); }
static inline void isolab_put_le64(uint8_t *p, uint64_t v) { isolab_put_le(p, v, 8); }

#endif
