/* snapshot_format.c: the snapshot state file, writer and hostile-input
 * reader, and each piece of state's section (see snapshot_format.h). Pure. */
#include "vmm/snapshot_format.h"
#include "common/le.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/size.h"

/* --- CRC32C ------------------------------------------------------------ */

/* Four bits at a time: the table is crc32c of each nibble (reflected
 * polynomial 0x82f63b78, RFC 3720 appendix B.4). */
static const uint32_t crc32c_nibble[16] = {
	0x00000000, 0x105ec76f, 0x20bd8ede, 0x30e349b1, 0x417b1dbc, 0x5125dad3, 0x61c69362, 0x7198540d,
	0x82f63b78, 0x92a8fc17, 0xa24bb5a6, 0xb21572c9, 0xc38d26c4, 0xd3d3e1ab, 0xe330a81a, 0xf36e6f75,
};

uint32_t snap_crc32c(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ crc32c_nibble[crc & 15];
		crc = (crc >> 4) ^ crc32c_nibble[crc & 15];
	}
	return ~crc;
}

/* --- the sections this VMM knows ---------------------------------------- */

enum snap_scope {
	SCOPE_VM,          /* index 0 */
	SCOPE_VCPU,        /* index < vCPU count */
	SCOPE_SINGLETON,   /* a device there is one of: index 0 */
	SCOPE_DEVICE,      /* index < SNAP_MAX_DEVICES */
};

/* Payload versions this VMM writes and reads. */
#define SNAP_KVM_VERSION        1
#define SNAP_SERIAL_VERSION     1
#define SNAP_I8042_VERSION      1
#define SNAP_DEBUGPORT_VERSION  1
#define SNAP_VIRTIO_MMIO_VERSION 1
#define SNAP_VIRTIO_BLK_VERSION 1
#define SNAP_VIRTIO_NET_VERSION 1

struct snap_type_info {
	const char *name;
	/* KVM structs: the C type, the payload's size range (min == max:
	 * exactly sizeof), or for an array the entry's size and most entries.
	 * NULL and 0 for devices (explicit fields). */
	const char *c_struct;
	size_t size_min, size_max;
	size_t entry_size;
	uint32_t max_entries;
	uint32_t type;
	enum snap_scope scope;
	uint16_t version;
	bool required;
};

/* NOLINTBEGIN(bugprone-macro-parentheses): st is a struct tag */
#define KVM_FIXED(t, n, sc, req, st) \
	{ .type = (t), .name = (n), .scope = (sc), .required = (req), .version = SNAP_KVM_VERSION, \
	  .size_min = sizeof(struct st), .size_max = sizeof(struct st), .c_struct = "struct " #st }
#define KVM_ARRAY(t, n, st, max) \
	{ .type = (t), .name = (n), .scope = SCOPE_VCPU, .required = true, .version = SNAP_KVM_VERSION, \
	  .entry_size = sizeof(struct st), .max_entries = (max), .c_struct = "struct " #st }
/* NOLINTEND(bugprone-macro-parentheses) */
#define DEV(t, n, sc, req, v) { .type = (t), .name = (n), .scope = (sc), .required = (req), .version = (v) }

static const struct snap_type_info snap_types[] = {
	KVM_FIXED(SNAP_SEC_CLOCK, "clock", SCOPE_VM, true, kvm_clock_data),
	KVM_FIXED(SNAP_SEC_PIC_MASTER, "pic-master", SCOPE_VM, true, kvm_irqchip),
	KVM_FIXED(SNAP_SEC_PIC_SLAVE, "pic-slave", SCOPE_VM, true, kvm_irqchip),
	KVM_FIXED(SNAP_SEC_IOAPIC, "ioapic", SCOPE_VM, true, kvm_irqchip),
	KVM_FIXED(SNAP_SEC_PIT, "pit", SCOPE_VM, true, kvm_pit_state2),
	KVM_ARRAY(SNAP_SEC_CPUID, "cpuid", kvm_cpuid_entry2, SNAP_MAX_CPUID),
	KVM_FIXED(SNAP_SEC_REGS, "regs", SCOPE_VCPU, true, kvm_regs),
	KVM_FIXED(SNAP_SEC_SREGS, "sregs", SCOPE_VCPU, true, kvm_sregs),
	KVM_FIXED(SNAP_SEC_FPU, "fpu", SCOPE_VCPU, false, kvm_fpu),
	/* KVM_GET_XSAVE2 (KVM_CAP_XSAVE2) may hand more than sizeof. */
	{ .type = SNAP_SEC_XSAVE, .name = "xsave", .scope = SCOPE_VCPU, .required = true,
	  .version = SNAP_KVM_VERSION, .size_min = sizeof(struct kvm_xsave), .size_max = SNAP_MAX_PAYLOAD,
	  .c_struct = "struct kvm_xsave" },
	KVM_FIXED(SNAP_SEC_XCRS, "xcrs", SCOPE_VCPU, true, kvm_xcrs),
	KVM_ARRAY(SNAP_SEC_MSRS, "msrs", kvm_msr_entry, SNAP_MAX_MSRS),
	KVM_FIXED(SNAP_SEC_LAPIC, "lapic", SCOPE_VCPU, true, kvm_lapic_state),
	KVM_FIXED(SNAP_SEC_MP_STATE, "mp-state", SCOPE_VCPU, true, kvm_mp_state),
	KVM_FIXED(SNAP_SEC_DEBUGREGS, "debugregs", SCOPE_VCPU, true, kvm_debugregs),
	KVM_FIXED(SNAP_SEC_EVENTS, "events", SCOPE_VCPU, true, kvm_vcpu_events),
	DEV(SNAP_SEC_SERIAL, "serial", SCOPE_SINGLETON, true, SNAP_SERIAL_VERSION),
	DEV(SNAP_SEC_I8042, "i8042", SCOPE_SINGLETON, true, SNAP_I8042_VERSION),
	DEV(SNAP_SEC_DEBUGPORT, "debugport", SCOPE_SINGLETON, true, SNAP_DEBUGPORT_VERSION),
	DEV(SNAP_SEC_VIRTIO_MMIO, "virtio-mmio", SCOPE_DEVICE, false, SNAP_VIRTIO_MMIO_VERSION),
	DEV(SNAP_SEC_VIRTIO_BLK, "virtio-blk", SCOPE_DEVICE, false, SNAP_VIRTIO_BLK_VERSION),
	DEV(SNAP_SEC_VIRTIO_NET, "virtio-net", SCOPE_DEVICE, false, SNAP_VIRTIO_NET_VERSION),
};

#define NTYPES (sizeof(snap_types) / sizeof(snap_types[0]))

static const struct snap_type_info *type_info(uint32_t type)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (snap_types[i].type == type)
			return &snap_types[i];
	return NULL;
}

const char *snap_section_name(uint32_t type)
{
	const struct snap_type_info *t = type_info(type);

	return t ? t->name : "unknown";
}

/* "regs of vCPU 1", "virtio-mmio of device 0", "clock". */
static void section_label(char *buf, size_t size, uint32_t type, uint32_t index)
{
	const struct snap_type_info *t = type_info(type);

	if (!t)
		snprintf(buf, size, "type %" PRIu32 " index %" PRIu32, type, index);
	else if (t->scope == SCOPE_VCPU)
		snprintf(buf, size, "%s of vCPU %" PRIu32, t->name, index);
	else if (t->scope == SCOPE_DEVICE)
		snprintf(buf, size, "%s of device %" PRIu32, t->name, index);
	else
		snprintf(buf, size, "%s", t->name);
}

#define LABEL_MAX 64

/* Little-endian fields: common/le.h. */

/* Header field offsets (vmm/README.md has the same table). */
#define HDR_MAGIC       0
#define HDR_FORMAT      8
#define HDR_HEADER_LEN  12
#define HDR_FILE_LEN    16
#define HDR_VMM_VERSION 24
#define HDR_CPU_VENDOR  56
#define HDR_CPU_FAMILY  68
#define HDR_CPU_MODEL   72
#define HDR_CPU_STEPPING 76
#define HDR_CPUID_HASH  80
#define HDR_MEM_SIZE    112
#define HDR_VCPUS       120
#define HDR_SECTIONS    124
#define HDR_RESERVED    128
#define HDR_CRC         132

/* Section header field offsets. */
#define SEC_TYPE        0
#define SEC_VERSION     4
#define SEC_FLAGS       6
#define SEC_INDEX       8
#define SEC_LEN         12
#define SEC_CRC         16

/* Trailer field offsets. */
#define TRL_MAGIC       0
#define TRL_RESERVED    8
#define TRL_CRC         12

/* --- writing ----------------------------------------------------------- */

static bool grow(struct snap_writer *w, size_t more)
{
	size_t cap;
	uint8_t *p;

	if (w->error)
		return false;
	if (more <= w->cap - w->len)
		return true;
	if (more > SIZE_MAX / 2 - w->len) {
		w->error = -ENOMEM;
		return false;
	}
	cap = w->cap ? w->cap : 4096;
	while (cap - w->len < more)
		cap *= 2;
	p = realloc(w->buf, cap);
	if (!p) {
		w->error = -ENOMEM;
		return false;
	}
	w->buf = p;
	w->cap = cap;
	return true;
}

static void put_bytes(struct snap_writer *w, const void *p, size_t n)
{
	if (!grow(w, n))
		return;
	if (n)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void put_le(struct snap_writer *w, uint64_t v, unsigned n)
{
	if (!grow(w, n))
		return;
	isolab_put_le(w->buf + w->len, v, n);
	w->len += n;
}

static void put_u8(struct snap_writer *w, uint8_t v) { put_le(w, v, 1); }
static void put_u16(struct snap_writer *w, uint16_t v) { put_le(w, v, 2); }
static void put_u32(struct snap_writer *w, uint32_t v) { put_le(w, v, 4); }
static void put_u64(struct snap_writer *w, uint64_t v) { put_le(w, v, 8); }

void snap_writer_init(struct snap_writer *w, const struct snap_identity *id)
{
	uint8_t h[SNAP_HEADER_BYTES] = { 0 };

	memset(w, 0, sizeof(*w));
	w->open = SIZE_MAX;
	memcpy(h + HDR_MAGIC, SNAP_MAGIC, SNAP_MAGIC_BYTES);
	isolab_put_le(h + HDR_FORMAT, SNAP_FORMAT_VERSION, 4);
	isolab_put_le(h + HDR_HEADER_LEN, SNAP_HEADER_BYTES, 4);
	/* At most 31 characters and a NUL. */
	memcpy(h + HDR_VMM_VERSION, id->vmm_version, strnlen(id->vmm_version, SNAP_VMM_VERSION_BYTES - 1));
	memcpy(h + HDR_CPU_VENDOR, id->cpu.vendor, SNAP_CPU_VENDOR_BYTES);
	isolab_put_le(h + HDR_CPU_FAMILY, id->cpu.family, 4);
	isolab_put_le(h + HDR_CPU_MODEL, id->cpu.model, 4);
	isolab_put_le(h + HDR_CPU_STEPPING, id->cpu.stepping, 4);
	memcpy(h + HDR_CPUID_HASH, id->cpu.cpuid_hash, SNAP_CPUID_HASH_BYTES);
	isolab_put_le(h + HDR_MEM_SIZE, id->mem_size, 8);
	isolab_put_le(h + HDR_VCPUS, id->vcpus, 4);
	put_bytes(w, h, sizeof(h));
}

void snap_writer_release(struct snap_writer *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}

static void section_begin(struct snap_writer *w, uint32_t type, uint16_t version, uint16_t flags,
			  uint32_t index)
{
	uint8_t h[SNAP_SECTION_HEADER_BYTES] = { 0 };

	isolab_put_le(h + SEC_TYPE, type, 4);
	isolab_put_le(h + SEC_VERSION, version, 2);
	isolab_put_le(h + SEC_FLAGS, flags, 2);
	isolab_put_le(h + SEC_INDEX, index, 4);
	w->open = w->len;
	put_bytes(w, h, sizeof(h));
}

static void section_end(struct snap_writer *w)
{
	size_t start = w->open;
	uint8_t *h;
	uint32_t crc;

	w->open = SIZE_MAX;
	if (w->error)
		return;
	h = w->buf + start;
	isolab_put_le(h + SEC_LEN, w->len - start - SNAP_SECTION_HEADER_BYTES, 4);
	crc = snap_crc32c(0, h, SEC_CRC);
	crc = snap_crc32c(crc, h + SNAP_SECTION_HEADER_BYTES, w->len - start - SNAP_SECTION_HEADER_BYTES);
	isolab_put_le(h + SEC_CRC, crc, 4);
	w->nsections++;
}

int snap_writer_finish(struct snap_writer *w, uint8_t **buf, size_t *len, struct isolab_error *err)
{
	uint8_t end[SNAP_TRAILER_BYTES - 4] = { 0 };

	if (w->open != SIZE_MAX)
		section_end(w);
	memcpy(end + TRL_MAGIC, SNAP_END_MAGIC, SNAP_MAGIC_BYTES);
	put_bytes(w, end, sizeof(end));
	if (grow(w, 4)) {
		/* The header is final before the whole file's checksum covers it. */
		isolab_put_le(w->buf + HDR_FILE_LEN, w->len + 4, 8);
		isolab_put_le(w->buf + HDR_SECTIONS, w->nsections, 4);
		isolab_put_le(w->buf + HDR_CRC, snap_crc32c(0, w->buf, HDR_CRC), 4);
		put_u32(w, snap_crc32c(0, w->buf, w->len));
	}
	if (w->error) {
		snap_writer_release(w);
		return isolab_error_set(err, w->error, "snapshot state: out of memory building it");
	}
	*buf = w->buf;
	*len = w->len;
	w->buf = NULL;
	w->len = w->cap = 0;
	return 0;
}

void snap_put_section(struct snap_writer *w, uint32_t type, uint16_t version, uint16_t flags,
		      uint32_t index, const void *payload, size_t len)
{
	section_begin(w, type, version, flags, index);
	put_bytes(w, payload, len);
	section_end(w);
}

void snap_put_kvm(struct snap_writer *w, uint32_t type, uint32_t index, const void *data, size_t size)
{
	snap_put_section(w, type, SNAP_KVM_VERSION, 0, index, data, size);
}

void snap_put_kvm_array(struct snap_writer *w, uint32_t type, uint32_t vcpu, const void *entries,
			size_t entry_size, uint32_t n)
{
	section_begin(w, type, SNAP_KVM_VERSION, 0, vcpu);
	put_u32(w, (uint32_t)entry_size);
	put_u32(w, n);
	put_bytes(w, entries, entry_size * n);
	section_end(w);
}

/* --- reading: messages and payload cursor ------------------------------ */

/* "snapshot `F`: section LABEL: why". */
__attribute__((format(printf, 3, 4)))
static int section_error(const struct snap_section *s, struct isolab_error *err, const char *fmt, ...)
{
	char label[LABEL_MAX], why[ISOLAB_ERROR_MSG_MAX];
	va_list ap;

	/* clang-tidy 14 calls ap uninitialized when it checks several files
	 * in one run: a false positive, va_start is here. */
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	section_label(label, sizeof(label), s->type, s->index);
	isolab_error_set(err, -EINVAL, "snapshot `%s`: section %s: %s", s->file, label, why);
	return -EINVAL;
}

/* A payload read field by field; running short is remembered. */
struct cursor {
	const uint8_t *p;
	size_t left;
	bool short_read;
};

static const uint8_t *take(struct cursor *c, size_t n)
{
	const uint8_t *p = c->p;

	if (c->short_read || n > c->left) {
		c->short_read = true;
		c->left = 0;
		return NULL;
	}
	c->p += n;
	c->left -= n;
	return p;
}

static uint64_t take_le(struct cursor *c, unsigned n)
{
	const uint8_t *p = take(c, n);

	return p ? isolab_get_le(p, n) : 0;
}

static uint8_t take_u8(struct cursor *c) { return (uint8_t)take_le(c, 1); }
static uint16_t take_u16(struct cursor *c) { return (uint16_t)take_le(c, 2); }
static uint32_t take_u32(struct cursor *c) { return (uint32_t)take_le(c, 4); }
static uint64_t take_u64(struct cursor *c) { return take_le(c, 8); }

/* The payload was exactly its fields. */
static int cursor_done(const struct cursor *c, const struct snap_section *s, struct isolab_error *err)
{
	if (c->short_read)
		return section_error(s, err, "payload of %" PRIu32 " bytes cut short", s->len);
	if (c->left)
		return section_error(s, err, "%zu bytes after its fields", c->left);
	return 0;
}

/* The section is of this type and this VMM's payload version. */
static int check_kind(const struct snap_section *s, uint32_t type, struct isolab_error *err)
{
	const struct snap_type_info *t = type_info(type);

	if (s->type != type)
		return section_error(s, err, "not a %s section", t->name);
	if (s->version != t->version)
		return section_error(s, err, "version %u, this isolab-vmm reads %u", s->version, t->version);
	return 0;
}

static bool is_bool(uint8_t v) { return v <= 1; }

/* A marker or version text: printable ASCII. */
static bool printable(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

/* --- KVM structs ------------------------------------------------------- */

/* Whether a KVM payload fits this VMM's struct; why says how not. */
static bool kvm_payload_ok(const struct snap_type_info *t, const uint8_t *payload, uint32_t len,
			   char *why, size_t size)
{
	if (t->entry_size) {
		uint32_t entry, n;

		if (len < 8) {
			snprintf(why, size, "%" PRIu32 " bytes, under the 8-byte count", len);
			return false;
		}
		entry = (uint32_t)isolab_get_le(payload, 4);
		n = (uint32_t)isolab_get_le(payload + 4, 4);
		if (entry != t->entry_size) {
			snprintf(why, size, "entries of %" PRIu32 " bytes, this isolab-vmm's %s has %zu",
				 entry, t->c_struct, t->entry_size);
			return false;
		}
		if (n > t->max_entries) {
			snprintf(why, size, "%" PRIu32 " entries, at most %" PRIu32, n, t->max_entries);
			return false;
		}
		if (len != 8 + (uint64_t)n * entry) {
			snprintf(why, size, "%" PRIu32 " bytes for %" PRIu32 " entries of %" PRIu32, len, n, entry);
			return false;
		}
		return true;
	}
	if (t->size_min && (len < t->size_min || len > t->size_max)) {
		if (t->size_min == t->size_max)
			snprintf(why, size, "%" PRIu32 " bytes, this isolab-vmm's %s has %zu", len, t->c_struct,
				 t->size_min);
		else
			snprintf(why, size, "%" PRIu32 " bytes, this isolab-vmm's %s has at least %zu", len,
				 t->c_struct, t->size_min);
		return false;
	}
	return true;
}

int snap_get_kvm(const struct snap_section *s, void *out, size_t size, struct isolab_error *err)
{
	const struct snap_type_info *t = type_info(s->type);
	char why[128];

	if (!t || !t->c_struct || t->entry_size)
		return section_error(s, err, "not a KVM struct section");
	if (s->version != t->version)
		return section_error(s, err, "version %u, this isolab-vmm reads %u", s->version, t->version);
	if (!kvm_payload_ok(t, s->payload, s->len, why, sizeof(why)))
		return section_error(s, err, "%s", why);
	if (s->len != size)
		return section_error(s, err, "%" PRIu32 " bytes, %zu expected", s->len, size);
	memcpy(out, s->payload, size);
	return 0;
}

int snap_get_kvm_array(const struct snap_section *s, void *out, size_t entry_size, uint32_t max,
		       uint32_t *n, struct isolab_error *err)
{
	const struct snap_type_info *t = type_info(s->type);
	char why[128];
	uint32_t count;

	if (!t || !t->entry_size)
		return section_error(s, err, "not a KVM array section");
	if (s->version != t->version)
		return section_error(s, err, "version %u, this isolab-vmm reads %u", s->version, t->version);
	if (!kvm_payload_ok(t, s->payload, s->len, why, sizeof(why)))
		return section_error(s, err, "%s", why);
	count = (uint32_t)isolab_get_le(s->payload + 4, 4);
	if (entry_size != t->entry_size)
		return section_error(s, err, "entries of %zu bytes asked, %zu stored", entry_size, t->entry_size);
	if (count > max)
		return section_error(s, err, "%" PRIu32 " entries, room for %" PRIu32, count, max);
	memcpy(out, s->payload + 8, (size_t)count * entry_size);
	*n = count;
	return 0;
}

/* --- the header and the whole file ------------------------------------- */

/* Printable text of a hostile fixed-size field ('?' for the rest). */
static void field_text(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = printable(p + i, 1) ? (char)p[i] : '?';
	out[n] = '\0';
}

static void cpu_text(char *buf, size_t size, const struct snap_cpu *c)
{
	char vendor[SNAP_CPU_VENDOR_BYTES + 1];

	field_text(vendor, (const uint8_t *)c->vendor, SNAP_CPU_VENDOR_BYTES);
	snprintf(buf, size, "%s family %" PRIu32 " model %" PRIu32 " stepping %" PRIu32, vendor, c->family,
		 c->model, c->stepping);
}

static void hash_text(char *buf, const uint8_t *hash)
{
	for (unsigned i = 0; i < SNAP_CPUID_HASH_BYTES; i++)
		snprintf(buf + 2 * i, 3, "%02x", hash[i]);
}

static bool same_model(const struct snap_cpu *a, const struct snap_cpu *b)
{
	return memcmp(a->vendor, b->vendor, SNAP_CPU_VENDOR_BYTES) == 0 && a->family == b->family &&
	       a->model == b->model && a->stepping == b->stepping;
}

/* Printable text, then NUL bytes to the end of the field (one way to
 * write each version, so an accepted file rewrites to the same bytes). */
static bool version_field_ok(const uint8_t *p)
{
	size_t n = strnlen((const char *)p, SNAP_VMM_VERSION_BYTES);

	if (n == SNAP_VMM_VERSION_BYTES || !printable(p, n))
		return false;
	for (size_t i = n; i < SNAP_VMM_VERSION_BYTES; i++)
		if (p[i])
			return false;
	return true;
}

/* "snapshot `F`: why". */
__attribute__((format(printf, 3, 4)))
static int file_error(const struct snap_reader *r, struct isolab_error *err, const char *fmt, ...)
{
	char why[ISOLAB_ERROR_MSG_MAX];
	va_list ap;

	/* clang-tidy 14 calls ap uninitialized when it checks several files
	 * in one run: a false positive, va_start is here. */
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	isolab_error_set(err, -EINVAL, "snapshot `%s`: %s", r->file, why);
	return -EINVAL;
}

static void parse_section_header(const uint8_t *h, struct snap_section *s, const char *file)
{
	s->type = (uint32_t)isolab_get_le(h + SEC_TYPE, 4);
	s->version = (uint16_t)isolab_get_le(h + SEC_VERSION, 2);
	s->flags = (uint16_t)isolab_get_le(h + SEC_FLAGS, 2);
	s->index = (uint32_t)isolab_get_le(h + SEC_INDEX, 4);
	s->len = (uint32_t)isolab_get_le(h + SEC_LEN, 4);
	s->payload = h + SNAP_SECTION_HEADER_BYTES;
	s->file = file;
}

int snap_next(const struct snap_reader *r, size_t *offset, struct snap_section *s)
{
	if (*offset == 0)
		*offset = SNAP_HEADER_BYTES;
	if (*offset + SNAP_SECTION_HEADER_BYTES > r->len - SNAP_TRAILER_BYTES)
		return 0;
	parse_section_header(r->buf + *offset, s, r->file);
	*offset += SNAP_SECTION_HEADER_BYTES + (size_t)s->len;
	return 1;
}

/* Finds (type, index) among the sections before offset end (SIZE_MAX: all). */
static bool find_before(const struct snap_reader *r, uint32_t type, uint32_t index, size_t end,
			struct snap_section *s, unsigned *ordinal)
{
	size_t off = SNAP_HEADER_BYTES;
	unsigned i = 0;

	while (off < end && snap_next(r, &off, s)) {
		if (s->type == type && s->index == index) {
			if (ordinal)
				*ordinal = i;
			return true;
		}
		i++;
	}
	return false;
}

int snap_find(const struct snap_reader *r, uint32_t type, uint32_t index, struct snap_section *s,
	      struct isolab_error *err)
{
	char label[LABEL_MAX];

	if (find_before(r, type, index, SIZE_MAX, s, NULL))
		return 0;
	section_label(label, sizeof(label), type, index);
	isolab_error_set(err, -ENOENT, "snapshot `%s`: missing section %s", r->file, label);
	return -ENOENT;
}

static int check_header(struct snap_reader *r, const struct snap_identity *expect, struct isolab_error *err)
{
	const uint8_t *b = r->buf;
	size_t len = r->len;
	uint32_t crc, stored;
	uint64_t file_len;
	struct snap_identity *id = &r->id;
	char have[160], want[160];

	if (len >= SNAP_MAGIC_BYTES && memcmp(b + HDR_MAGIC, SNAP_MAGIC, SNAP_MAGIC_BYTES) != 0)
		return file_error(r, err, "not an isolab snapshot (no %s magic)", SNAP_MAGIC);
	if (len >= HDR_FORMAT + 4 && isolab_get_le(b + HDR_FORMAT, 4) != SNAP_FORMAT_VERSION)
		return file_error(r, err, "format version %" PRIu64 ", this isolab-vmm reads version %u",
				  isolab_get_le(b + HDR_FORMAT, 4), SNAP_FORMAT_VERSION);
	if (len < SNAP_HEADER_BYTES)
		return file_error(r, err, "truncated: %zu bytes, less than the %u-byte header", len,
				  SNAP_HEADER_BYTES);
	if (isolab_get_le(b + HDR_HEADER_LEN, 4) != SNAP_HEADER_BYTES)
		return file_error(r, err, "header of %" PRIu64 " bytes, format version %u has %u",
				  isolab_get_le(b + HDR_HEADER_LEN, 4), SNAP_FORMAT_VERSION, SNAP_HEADER_BYTES);
	stored = (uint32_t)isolab_get_le(b + HDR_CRC, 4);
	crc = snap_crc32c(0, b, HDR_CRC);
	if (crc != stored)
		return file_error(r, err, "header checksum mismatch (stored %08" PRIx32 ", computed %08" PRIx32 ")",
				  stored, crc);
	file_len = isolab_get_le(b + HDR_FILE_LEN, 8);
	if (file_len > len)
		return file_error(r, err, "truncated: %zu of the %" PRIu64 " bytes the header announces", len,
				  file_len);
	if (file_len < len)
		return file_error(r, err, "%zu bytes, the header announces %" PRIu64 " (data after the end)", len,
				  file_len);
	if (len < SNAP_HEADER_BYTES + SNAP_TRAILER_BYTES)
		return file_error(r, err, "%zu bytes, less than a header and a trailer", len);

	/* Who made it, and on what. */
	memset(id, 0, sizeof(*id));
	if (!version_field_ok(b + HDR_VMM_VERSION))
		return file_error(r, err, "the VMM version field is not text");
	memcpy(id->vmm_version, b + HDR_VMM_VERSION, SNAP_VMM_VERSION_BYTES);
	memcpy(id->cpu.vendor, b + HDR_CPU_VENDOR, SNAP_CPU_VENDOR_BYTES);
	id->cpu.family = (uint32_t)isolab_get_le(b + HDR_CPU_FAMILY, 4);
	id->cpu.model = (uint32_t)isolab_get_le(b + HDR_CPU_MODEL, 4);
	id->cpu.stepping = (uint32_t)isolab_get_le(b + HDR_CPU_STEPPING, 4);
	memcpy(id->cpu.cpuid_hash, b + HDR_CPUID_HASH, SNAP_CPUID_HASH_BYTES);
	id->mem_size = isolab_get_le(b + HDR_MEM_SIZE, 8);
	id->vcpus = (uint32_t)isolab_get_le(b + HDR_VCPUS, 4);
	r->nsections = (uint32_t)isolab_get_le(b + HDR_SECTIONS, 4);

	if (strncmp(id->vmm_version, expect->vmm_version, SNAP_VMM_VERSION_BYTES) != 0)
		return file_error(r, err, "made by isolab-vmm %s, this is %.*s", id->vmm_version,
				  SNAP_VMM_VERSION_BYTES, expect->vmm_version);
	if (!same_model(&id->cpu, &expect->cpu)) {
		cpu_text(have, sizeof(have), &id->cpu);
		cpu_text(want, sizeof(want), &expect->cpu);
		return file_error(r, err, "made on another CPU (%s), this host has %s", have, want);
	}
	if (memcmp(id->cpu.cpuid_hash, expect->cpu.cpuid_hash, SNAP_CPUID_HASH_BYTES) != 0) {
		hash_text(have, id->cpu.cpuid_hash);
		hash_text(want, expect->cpu.cpuid_hash);
		return file_error(r, err, "made with other CPUID features (CPUID hash %s), this host gives %s", have,
				  want);
	}
	if (isolab_get_le(b + HDR_RESERVED, 4))
		return file_error(r, err, "reserved header field is not 0");
	if (id->vcpus == 0 || id->vcpus > SNAP_MAX_VCPUS)
		return file_error(r, err, "%" PRIu32 " vCPUs, outside 1..%u", id->vcpus, SNAP_MAX_VCPUS);
	if (id->mem_size == 0 || id->mem_size % 4096)
		return file_error(r, err, "guest memory of %" PRIu64 " bytes is not a whole number of 4 KiB pages",
				  id->mem_size);
	if (expect->mem_size && expect->mem_size != id->mem_size) {
		isolab_format_size(id->mem_size, have, sizeof(have));
		isolab_format_size(expect->mem_size, want, sizeof(want));
		return file_error(r, err, "guest memory is %s (%" PRIu64 " bytes), not the %s asked for", have,
				  id->mem_size, want);
	}
	if (expect->vcpus && expect->vcpus != id->vcpus)
		return file_error(r, err, "%" PRIu32 " vCPUs, not the %" PRIu32 " asked for", id->vcpus,
				  expect->vcpus);
	if (r->nsections > SNAP_MAX_SECTIONS)
		return file_error(r, err, "%" PRIu32 " sections, at most %u", r->nsections, SNAP_MAX_SECTIONS);
	return 0;
}

/* Section number i at offset off: everything that can be said of it alone,
 * then whether it repeats an earlier one. */
static int check_section(const struct snap_reader *r, uint32_t i, size_t off, size_t end,
			 struct snap_section *s, struct isolab_error *err)
{
	const struct snap_type_info *t;
	struct snap_section first;
	unsigned ordinal = 0;
	char label[LABEL_MAX], why[128];
	uint32_t crc, stored;

	if (end - off < SNAP_SECTION_HEADER_BYTES)
		return file_error(r, err, "section %" PRIu32 " at offset %zu: header runs past the end of the sections",
				  i, off);
	parse_section_header(r->buf + off, s, r->file);
	section_label(label, sizeof(label), s->type, s->index);
	if (s->len > end - off - SNAP_SECTION_HEADER_BYTES)
		return file_error(r, err, "section %" PRIu32 " (%s) at offset %zu: its %" PRIu32
				  "-byte payload runs past the end of the sections", i, label, off, s->len);
	stored = (uint32_t)isolab_get_le(r->buf + off + SEC_CRC, 4);
	crc = snap_crc32c(0, r->buf + off, SEC_CRC);
	crc = snap_crc32c(crc, s->payload, s->len);
	if (crc != stored)
		return file_error(r, err, "section %" PRIu32 " (%s): checksum mismatch (stored %08" PRIx32
				  ", computed %08" PRIx32 ")", i, label, stored, crc);
	t = type_info(s->type);
	if (!t) {
		if (s->flags & SNAP_SECTION_OPTIONAL)
			return 0;   /* skipped: someone's hint this VMM does not need */
		return file_error(r, err, "section %" PRIu32 ": unknown type %" PRIu32 " (not marked optional)",
				  i, s->type);
	}
	if (s->flags & ~SNAP_SECTION_OPTIONAL)
		return file_error(r, err, "section %" PRIu32 " (%s): unknown flags %#x", i, label, s->flags);
	if (s->version != t->version)
		return file_error(r, err, "section %" PRIu32 " (%s): version %u, this isolab-vmm reads %u", i,
				  label, s->version, t->version);
	switch (t->scope) {
	case SCOPE_VCPU:
		if (s->index >= r->id.vcpus)
			return file_error(r, err, "section %" PRIu32 " (%s): the snapshot has %" PRIu32 " vCPUs", i,
					  label, r->id.vcpus);
		break;
	case SCOPE_DEVICE:
		if (s->index >= SNAP_MAX_DEVICES)
			return file_error(r, err, "section %" PRIu32 " (%s): device ids end at %u", i, label,
					  SNAP_MAX_DEVICES - 1);
		break;
	default:
		if (s->index)
			return file_error(r, err, "section %" PRIu32 " (%s): index %" PRIu32 ", only 0 exists", i,
					  label, s->index);
		break;
	}
	if (!kvm_payload_ok(t, s->payload, s->len, why, sizeof(why)))
		return file_error(r, err, "section %" PRIu32 " (%s): %s", i, label, why);
	if (find_before(r, s->type, s->index, off, &first, &ordinal))
		return file_error(r, err, "section %" PRIu32 " (%s): a duplicate of section %u", i, label, ordinal);
	return 0;
}

/* The trailer: its magic and the checksum of everything before. */
static int check_trailer(const struct snap_reader *r, struct isolab_error *err)
{
	const uint8_t *t = r->buf + r->len - SNAP_TRAILER_BYTES;
	uint32_t stored = (uint32_t)isolab_get_le(t + TRL_CRC, 4);
	uint32_t crc = snap_crc32c(0, r->buf, r->len - 4);

	if (memcmp(t + TRL_MAGIC, SNAP_END_MAGIC, SNAP_MAGIC_BYTES) != 0 || isolab_get_le(t + TRL_RESERVED, 4))
		return file_error(r, err, "no %s trailer after the sections", SNAP_END_MAGIC);
	if (crc != stored)
		return file_error(r, err, "file checksum mismatch (stored %08" PRIx32 ", computed %08" PRIx32 ")",
				  stored, crc);
	return 0;
}

/* Every required section is there; each virtio device has both halves. */
static int check_complete(const struct snap_reader *r, struct isolab_error *err)
{
	struct snap_section s, other;
	size_t off = 0;

	for (size_t i = 0; i < NTYPES; i++) {
		const struct snap_type_info *t = &snap_types[i];
		uint32_t n = t->scope == SCOPE_VCPU ? r->id.vcpus : 1;

		if (!t->required)
			continue;
		for (uint32_t idx = 0; idx < n; idx++) {
			int rc = snap_find(r, t->type, idx, &s, err);

			if (rc < 0)
				return rc;
		}
	}
	while (snap_next(r, &off, &s)) {
		char label[LABEL_MAX];
		bool blk, net;

		section_label(label, sizeof(label), s.type, s.index);
		if (s.type == SNAP_SEC_VIRTIO_BLK || s.type == SNAP_SEC_VIRTIO_NET) {
			if (!find_before(r, SNAP_SEC_VIRTIO_MMIO, s.index, SIZE_MAX, &other, NULL))
				return file_error(r, err, "section %s has no virtio-mmio section of device %" PRIu32,
						  label, s.index);
		} else if (s.type == SNAP_SEC_VIRTIO_MMIO) {
			blk = find_before(r, SNAP_SEC_VIRTIO_BLK, s.index, SIZE_MAX, &other, NULL);
			net = find_before(r, SNAP_SEC_VIRTIO_NET, s.index, SIZE_MAX, &other, NULL);
			if (!blk && !net)
				return file_error(r, err, "section %s has no device section (virtio-blk or virtio-net)",
						  label);
			if (blk && net)
				return file_error(r, err, "device %" PRIu32 " is both virtio-blk and virtio-net",
						  s.index);
		}
	}
	return 0;
}

int snap_reader_open(struct snap_reader *r, const uint8_t *buf, size_t len, const char *file,
		     const struct snap_identity *expect, struct isolab_error *err)
{
	struct snap_section s = { 0 };
	size_t off = SNAP_HEADER_BYTES, end;
	int rc;

	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
	r->file = file;
	rc = check_header(r, expect, err);
	if (rc < 0)
		return rc;
	end = len - SNAP_TRAILER_BYTES;
	for (uint32_t i = 0; i < r->nsections; i++) {
		rc = check_section(r, i, off, end, &s, err);
		if (rc < 0)
			return rc;
		off += SNAP_SECTION_HEADER_BYTES + (size_t)s.len;
	}
	if (off != end)
		return file_error(r, err, "%zu bytes between the last of the %" PRIu32 " sections and the trailer",
				  end - off, r->nsections);
	rc = check_trailer(r, err);
	if (rc < 0)
		return rc;
	return check_complete(r, err);
}

/* --- UART -------------------------------------------------------------- */

/*
 * serial v1: u8 ier, lcr, mcr, scr, dll, dlm, fcr, out_flush; u16 rx_count,
 * out_len; rx_count bytes of input not yet read by the guest (oldest
 * first); out_len bytes of output not yet written by the VMM.
 */
void snap_put_serial(struct snap_writer *w, const struct serial *s)
{
	size_t rx_count = s->rx_count <= SERIAL_RX_SIZE ? s->rx_count : SERIAL_RX_SIZE;
	size_t out_len = s->out_len <= SERIAL_OUT_SIZE ? s->out_len : SERIAL_OUT_SIZE;

	section_begin(w, SNAP_SEC_SERIAL, SNAP_SERIAL_VERSION, 0, 0);
	put_u8(w, s->ier);
	put_u8(w, s->lcr);
	put_u8(w, s->mcr);
	put_u8(w, s->scr);
	put_u8(w, s->dll);
	put_u8(w, s->dlm);
	put_u8(w, s->fcr);
	put_u8(w, s->out_flush);
	put_u16(w, (uint16_t)rx_count);
	put_u16(w, (uint16_t)out_len);
	for (size_t i = 0; i < rx_count; i++)
		put_u8(w, s->rx[(s->rx_head + i) % SERIAL_RX_SIZE]);
	put_bytes(w, s->out, out_len);
	section_end(w);
}

int snap_get_serial(const struct snap_section *s, struct serial *out, struct isolab_error *err)
{
	struct cursor c = { s->payload, s->len, false };
	struct serial u;
	const uint8_t *rx, *o;
	uint8_t flush;
	uint16_t rx_count, out_len;
	int rc = check_kind(s, SNAP_SEC_SERIAL, err);

	if (rc < 0)
		return rc;
	serial_init(&u);
	u.ier = take_u8(&c);
	u.lcr = take_u8(&c);
	u.mcr = take_u8(&c);
	u.scr = take_u8(&c);
	u.dll = take_u8(&c);
	u.dlm = take_u8(&c);
	u.fcr = take_u8(&c);
	flush = take_u8(&c);
	rx_count = take_u16(&c);
	out_len = take_u16(&c);
	if (!c.short_read && rx_count > SERIAL_RX_SIZE)
		return section_error(s, err, "%u bytes of input, the UART holds %u", rx_count, SERIAL_RX_SIZE);
	if (!c.short_read && out_len > SERIAL_OUT_SIZE)
		return section_error(s, err, "%u bytes of output, the UART holds %u", out_len, SERIAL_OUT_SIZE);
	if (!c.short_read && !is_bool(flush))
		return section_error(s, err, "out_flush is %u, not 0 or 1", flush);
	rx = take(&c, rx_count);
	o = take(&c, out_len);
	rc = cursor_done(&c, s, err);
	if (rc < 0 || !rx || !o)
		return rc < 0 ? rc : -EINVAL;
	u.out_flush = flush;
	memcpy(u.rx, rx, rx_count);
	u.rx_head = 0;
	u.rx_count = rx_count;
	memcpy(u.out, o, out_len);
	u.out_len = out_len;
	*out = u;
	return 0;
}

/* --- i8042 ------------------------------------------------------------- */

/* i8042 v1: u8 reset. */
void snap_put_i8042(struct snap_writer *w, const struct i8042 *k)
{
	section_begin(w, SNAP_SEC_I8042, SNAP_I8042_VERSION, 0, 0);
	put_u8(w, k->reset);
	section_end(w);
}

int snap_get_i8042(const struct snap_section *s, struct i8042 *out, struct isolab_error *err)
{
	struct cursor c = { s->payload, s->len, false };
	uint8_t reset;
	int rc = check_kind(s, SNAP_SEC_I8042, err);

	if (rc < 0)
		return rc;
	reset = take_u8(&c);
	rc = cursor_done(&c, s, err);
	if (rc < 0)
		return rc;
	if (!is_bool(reset))
		return section_error(s, err, "reset is %u, not 0 or 1", reset);
	out->reset = reset;
	return 0;
}

/* --- debug port -------------------------------------------------------- */

/*
 * debugport v1: u8 exit_requested, exit_status, in_marker, name_len;
 * u32 dropped; u64 name_ns; name_len bytes of the marker being written;
 * u32 nmarkers; then each marker: u8 length, its name, u64 ns.
 */
void snap_put_debugport(struct snap_writer *w, const struct debugport *d)
{
	unsigned name_len = d->name_len <= ISOLAB_MARKER_NAME_MAX ? d->name_len : ISOLAB_MARKER_NAME_MAX;
	unsigned n = d->nmarkers <= DEBUGPORT_MAX_MARKERS ? d->nmarkers : DEBUGPORT_MAX_MARKERS;

	section_begin(w, SNAP_SEC_DEBUGPORT, SNAP_DEBUGPORT_VERSION, 0, 0);
	put_u8(w, d->exit_requested);
	put_u8(w, d->exit_status);
	put_u8(w, d->in_marker);
	put_u8(w, (uint8_t)name_len);
	put_u32(w, d->dropped);
	put_u64(w, d->name_ns);
	put_bytes(w, d->name, name_len);
	put_u32(w, n);
	for (unsigned i = 0; i < n; i++) {
		size_t len = strnlen(d->markers[i].name, ISOLAB_MARKER_NAME_MAX);

		put_u8(w, (uint8_t)len);
		put_bytes(w, d->markers[i].name, len);
		put_u64(w, d->markers[i].ns);
	}
	section_end(w);
}

int snap_get_debugport(const struct snap_section *s, struct debugport *out, struct isolab_error *err)
{
	struct cursor c = { s->payload, s->len, false };
	struct debugport d;
	uint8_t exit_requested, in_marker, name_len;
	const uint8_t *name;
	int rc = check_kind(s, SNAP_SEC_DEBUGPORT, err);

	if (rc < 0)
		return rc;
	memset(&d, 0, sizeof(d));
	exit_requested = take_u8(&c);
	d.exit_status = take_u8(&c);
	in_marker = take_u8(&c);
	name_len = take_u8(&c);
	d.dropped = take_u32(&c);
	d.name_ns = take_u64(&c);
	if (c.short_read)
		return cursor_done(&c, s, err);
	if (!is_bool(exit_requested) || !is_bool(in_marker))
		return section_error(s, err, "exit_requested %u, in_marker %u: not 0 or 1", exit_requested,
				     in_marker);
	if (name_len > ISOLAB_MARKER_NAME_MAX)
		return section_error(s, err, "a marker name of %u bytes, at most %u", name_len,
				     ISOLAB_MARKER_NAME_MAX);
	name = take(&c, name_len);
	if (name && !printable(name, name_len))
		return section_error(s, err, "the marker being written is not printable text");
	if (name)
		memcpy(d.name, name, name_len);
	d.exit_requested = exit_requested;
	d.in_marker = in_marker;
	d.name_len = name_len;
	d.nmarkers = take_u32(&c);
	if (!c.short_read && d.nmarkers > DEBUGPORT_MAX_MARKERS)
		return section_error(s, err, "%u markers, at most %u", d.nmarkers, DEBUGPORT_MAX_MARKERS);
	for (unsigned i = 0; i < d.nmarkers && !c.short_read; i++) {
		uint8_t len = take_u8(&c);
		const uint8_t *p;

		if (!c.short_read && (len == 0 || len > ISOLAB_MARKER_NAME_MAX))
			return section_error(s, err, "marker %u: a name of %u bytes, 1 to %u expected", i, len,
					     ISOLAB_MARKER_NAME_MAX);
		p = take(&c, len);
		if (p && !printable(p, len))
			return section_error(s, err, "marker %u: the name is not printable text", i);
		if (p)
			memcpy(d.markers[i].name, p, len);
		d.markers[i].ns = take_u64(&c);
	}
	rc = cursor_done(&c, s, err);
	if (rc < 0)
		return rc;
	*out = d;
	return 0;
}

/* --- virtio-mmio transport and its queues ------------------------------ */

/*
 * virtio-mmio v1: u32 device_id, num_queues, status, device_features_sel,
 * driver_features_sel; u64 driver_features; u32 queue_sel,
 * interrupt_status, config_generation; then each queue: u32 num; u8 ready,
 * broken; u16 last_avail, used_idx; u64 desc, driver, device addresses.
 */
#define SNAP_VIRTIO_QUEUE_BYTES 30

void snap_put_virtio_mmio(struct snap_writer *w, uint32_t device, const struct virtio_mmio *m)
{
	unsigned nq = m->ops->num_queues <= VIRTIO_MMIO_MAX_QUEUES ? m->ops->num_queues : VIRTIO_MMIO_MAX_QUEUES;

	section_begin(w, SNAP_SEC_VIRTIO_MMIO, SNAP_VIRTIO_MMIO_VERSION, 0, device);
	put_u32(w, m->ops->device_id);
	put_u32(w, nq);
	put_u32(w, m->status);
	put_u32(w, m->device_features_sel);
	put_u32(w, m->driver_features_sel);
	put_u64(w, m->driver_features);
	put_u32(w, m->queue_sel);
	put_u32(w, m->interrupt_status);
	put_u32(w, m->config_generation);
	for (unsigned i = 0; i < nq; i++) {
		const struct virtio_mmio_queue *q = &m->queues[i];

		put_u32(w, q->num);
		put_u8(w, q->ready);
		put_u8(w, q->vq.broken);
		put_u16(w, q->vq.last_avail);
		put_u16(w, q->vq.used_idx);
		put_u64(w, q->desc);
		put_u64(w, q->driver);
		put_u64(w, q->device);
	}
	section_end(w);
}

/* The features the transport offers now, read through its registers (the
 * one place that knows them), on a copy. */
static uint64_t offered_features(const struct virtio_mmio *m)
{
	struct virtio_mmio copy = *m;
	uint8_t b[4];
	uint64_t f = 0;

	for (uint32_t sel = 0; sel < 2; sel++) {
		isolab_put_le(b, sel, 4);
		virtio_mmio_write(&copy, VIRTIO_MMIO_DEVICE_FEATURES_SEL, b, 4);
		virtio_mmio_read(&copy, VIRTIO_MMIO_DEVICE_FEATURES, b, 4);
		f |= isolab_get_le(b, 4) << (32 * sel);
	}
	return f;
}

int snap_get_virtio_mmio(const struct snap_section *s, struct virtio_mmio *m, struct isolab_error *err)
{
	struct cursor c = { s->payload, s->len, false };
	struct virtio_mmio t = *m;
	const struct virtio_mmio_ops *ops = m->ops;
	uint32_t device_id, nq;
	uint64_t offered;
	int rc = check_kind(s, SNAP_SEC_VIRTIO_MMIO, err);

	if (rc < 0)
		return rc;
	device_id = take_u32(&c);
	nq = take_u32(&c);
	t.status = take_u32(&c);
	t.device_features_sel = take_u32(&c);
	t.driver_features_sel = take_u32(&c);
	t.driver_features = take_u64(&c);
	t.queue_sel = take_u32(&c);
	t.interrupt_status = take_u32(&c);
	t.config_generation = take_u32(&c);
	if (c.short_read)
		return cursor_done(&c, s, err);
	if (device_id != ops->device_id)
		return section_error(s, err, "virtio device type %" PRIu32 ", this device is %s (type %" PRIu32 ")",
				     device_id, ops->name, ops->device_id);
	if (nq != ops->num_queues)
		return section_error(s, err, "%" PRIu32 " queues, %s has %u", nq, ops->name, ops->num_queues);
	if (t.status & ~0xffu)
		return section_error(s, err, "device status %#" PRIx32 " has bits above 8", t.status);
	if (t.interrupt_status & ~(VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG))
		return section_error(s, err, "interrupt status %#" PRIx32 " has unknown bits", t.interrupt_status);
	offered = offered_features(m);
	if ((t.status & VIRTIO_STATUS_FEATURES_OK) && (t.driver_features & ~offered))
		return section_error(s, err, "negotiated features %#" PRIx64 " include %#" PRIx64
				     ", which this %s does not offer", t.driver_features,
				     t.driver_features & ~offered, ops->name);
	for (unsigned i = 0; i < nq; i++) {
		struct virtio_mmio_queue *q = &t.queues[i];
		struct isolab_error why = { 0 };
		uint8_t ready, broken;
		uint16_t last_avail, used_idx;

		q->num = take_u32(&c);
		ready = take_u8(&c);
		broken = take_u8(&c);
		last_avail = take_u16(&c);
		used_idx = take_u16(&c);
		q->desc = take_u64(&c);
		q->driver = take_u64(&c);
		q->device = take_u64(&c);
		if (c.short_read)
			break;
		if (!is_bool(ready) || !is_bool(broken))
			return section_error(s, err, "queue %u: ready %u, broken %u: not 0 or 1", i, ready, broken);
		q->ready = ready;
		virtq_reset(&q->vq);
		if (!ready)
			continue;
		/* The addresses are the guest's: checked again over this guest RAM. */
		if (virtq_setup(&q->vq, q->vq.mem, q->vq.mem_size, q->num, ops->queue_num_max, q->desc, q->driver,
				q->device, &why) < 0)
			return section_error(s, err, "queue %u: %s", i, why.msg);
		q->vq.last_avail = last_avail;
		q->vq.used_idx = used_idx;
		q->vq.broken = broken;
	}
	rc = cursor_done(&c, s, err);
	if (rc < 0)
		return rc;
	*m = t;
	return 0;
}

/* --- virtio-blk -------------------------------------------------------- */

/* virtio-blk v1: u64 capacity (sectors); u8 read_only; 20 bytes of
 * serial (GET_ID's answer); u64 generation. */
void snap_put_virtio_blk(struct snap_writer *w, uint32_t device, const struct virtio_blk *blk)
{
	snap_put_virtio_mmio(w, device, &blk->mmio);
	section_begin(w, SNAP_SEC_VIRTIO_BLK, SNAP_VIRTIO_BLK_VERSION, 0, device);
	put_u64(w, blk->capacity);
	put_u8(w, blk->read_only);
	put_bytes(w, blk->serial, VIRTIO_BLK_ID_BYTES);
	put_u64(w, blk->generation);
	section_end(w);
}

int snap_get_virtio_blk(const struct snap_reader *r, uint32_t device, struct virtio_blk *blk,
			struct isolab_error *err)
{
	struct snap_section s, ts;
	struct cursor c;
	uint64_t capacity, generation;
	uint8_t read_only;
	const uint8_t *serial;
	int rc;

	if ((rc = snap_find(r, SNAP_SEC_VIRTIO_BLK, device, &s, err)) < 0 ||
	    (rc = snap_find(r, SNAP_SEC_VIRTIO_MMIO, device, &ts, err)) < 0 ||
	    (rc = check_kind(&s, SNAP_SEC_VIRTIO_BLK, err)) < 0)
		return rc;
	c = (struct cursor){ s.payload, s.len, false };
	capacity = take_u64(&c);
	read_only = take_u8(&c);
	serial = take(&c, VIRTIO_BLK_ID_BYTES);
	generation = take_u64(&c);
	rc = cursor_done(&c, &s, err);
	if (rc < 0 || !serial)
		return rc < 0 ? rc : -EINVAL;
	if (capacity != blk->capacity)
		return section_error(&s, err, "a disk of %" PRIu64 " sectors, this one has %" PRIu64, capacity,
				     blk->capacity);
	if (read_only != blk->read_only)
		return section_error(&s, err, "the disk was %s, this one is %s", read_only ? "read-only" : "writable",
				     blk->read_only ? "read-only" : "writable");
	rc = snap_get_virtio_mmio(&ts, &blk->mmio, err);
	if (rc < 0)
		return rc;
	memcpy(blk->serial, serial, VIRTIO_BLK_ID_BYTES);
	blk->generation = generation;
	return 0;
}

/* --- virtio-net -------------------------------------------------------- */

/* virtio-net v1: the 12-byte configuration space (MAC, status, pairs,
 * MTU, as the guest reads it); u8 offer_mtu; u64 generation. */
void snap_put_virtio_net(struct snap_writer *w, uint32_t device, const struct virtio_net *net)
{
	snap_put_virtio_mmio(w, device, &net->mmio);
	section_begin(w, SNAP_SEC_VIRTIO_NET, SNAP_VIRTIO_NET_VERSION, 0, device);
	put_bytes(w, net->config, VIRTIO_NET_CFG_BYTES);
	put_u8(w, net->offer_mtu);
	put_u64(w, net->generation);
	section_end(w);
}

int snap_get_virtio_net(const struct snap_reader *r, uint32_t device, struct virtio_net *net,
			struct isolab_error *err)
{
	struct snap_section s, ts;
	struct cursor c;
	const uint8_t *config;
	uint8_t offer_mtu;
	uint64_t generation;
	int rc;

	if ((rc = snap_find(r, SNAP_SEC_VIRTIO_NET, device, &s, err)) < 0 ||
	    (rc = snap_find(r, SNAP_SEC_VIRTIO_MMIO, device, &ts, err)) < 0 ||
	    (rc = check_kind(&s, SNAP_SEC_VIRTIO_NET, err)) < 0)
		return rc;
	c = (struct cursor){ s.payload, s.len, false };
	config = take(&c, VIRTIO_NET_CFG_BYTES);
	offer_mtu = take_u8(&c);
	generation = take_u64(&c);
	rc = cursor_done(&c, &s, err);
	if (rc < 0 || !config)
		return rc < 0 ? rc : -EINVAL;
	if (!is_bool(offer_mtu))
		return section_error(&s, err, "offer_mtu is %u, not 0 or 1", offer_mtu);
	if (offer_mtu != net->offer_mtu)
		return section_error(&s, err, "the device %s an MTU, this one %s", offer_mtu ? "offered" : "offered no",
				     net->offer_mtu ? "does" : "does not");
	rc = snap_get_virtio_mmio(&ts, &net->mmio, err);
	if (rc < 0)
		return rc;
	memcpy(net->config, config, VIRTIO_NET_CFG_BYTES);
	net->generation = generation;
	return 0;
}
