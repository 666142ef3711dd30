/*
 * table.h: number formatting and Markdown tables for REPORT.md (pure).
 */
#ifndef ISOLAB_BENCH_TABLE_H
#define ISOLAB_BENCH_TABLE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include "bench/stats.h"

/* 850 -> "850 ns", 12345 -> "12.3 us", 1.234e6 -> "1.23 ms", 2.5e9 -> "2.50 s". */
void bench_format_ns(double ns, char *buf, size_t size);

/*
 * A median with its interval in the median's unit and precision:
 * "1.23 ms [1.10, 1.31]"; ci NULL (none): as bench_format_ns.
 */
void bench_format_ns_ci(double ns, const struct bench_interval *ci, char *buf, size_t size);

/* 512 -> "512 B", 1536 -> "1.5 KiB", 3.2 * 2^20 -> "3.2 MiB", GiB likewise. */
void bench_format_bytes(double bytes, char *buf, size_t size);

/* 1.234 -> "1.23x", 0.0346 -> "0.035x", 37.81 -> "37.8x"; values <= 0 (no data) -> "-". */
void bench_format_ratio(double ratio, char *buf, size_t size);

/* "0.21x [0.19, 0.24]" (the ratio's precision); ci NULL: as bench_format_ratio. */
void bench_format_ratio_ci(double ratio, const struct bench_interval *ci, char *buf, size_t size);

/* An environment's name in words: "the lab (KVM nested in QEMU TCG)",
 * "native KVM", "a host without KVM"; another name as it is. */
const char *bench_env_words(const char *name);

/*
 * The systems of a suite's list that have no figure under key (a summary
 * object with samples, or a non-empty array), grouped by why, for a line
 * under a picture or a table: "not measured: isolab-vmm, qemu-microvm (no
 * usable /dev/kvm here); crun (trial run failed)". Why: the system's note
 * when it was not available, cut before its first ':' or " (", else
 * "failed" when it has a last_error, else "no figure". "" when every
 * system has one.
 */
void bench_format_not_measured(const cJSON *systems, const char *key, char *buf, size_t size);

/* A growing text buffer. */
struct bench_text {
	char *s;
	size_t len, cap;
	int failed;   /* set once an allocation failed; later appends do nothing */
};

void bench_text_append(struct bench_text *t, const char *s);
void bench_text_printf(struct bench_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void bench_text_free(struct bench_text *t);

/*
 * Markdown table: header row, separator (first column left-aligned, the
 * others right-aligned: numbers), then rows. '|' in a cell is escaped.
 */
void bench_table_header(struct bench_text *t, const char *const *cells, int n);
/* The same with the first `left` columns left-aligned (names), the rest right. */
void bench_table_header_left(struct bench_text *t, const char *const *cells, int n, int left);
void bench_table_row(struct bench_text *t, const char *const *cells, int n);

#endif
