/*
 * merge.h: `isolab-bench merge`'s report (pure: cJSON documents in, text
 * out; unit-tested). Two or more results files, usually of different
 * hosts (native KVM against the lab, Intel against AMD), side by side:
 * one column group per file, each suite's medians with their intervals,
 * and each file's own ratios. No figure of one file is ever divided by a
 * figure of another: a ratio is only ever taken within one run.
 */
#ifndef ISOLAB_BENCH_MERGE_H
#define ISOLAB_BENCH_MERGE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include "common/error.h"

/* One results file: its name as given, its document. */
struct bench_merge_input {
	const char *name;
	const cJSON *doc;
};

/*
 * Refuses what cannot be merged, naming the file: a document that is not
 * isolab-bench results ("`F`: not an isolab-bench results file (no
 * `format`)"), one of another format version ("`F`: format `X`, not
 * `isolab-bench/1`"), or one whose structure is broken (bench_results_check's
 * reason). Returns 0 or -EINVAL.
 */
int bench_merge_check(const struct bench_merge_input *in, size_t n, struct isolab_error *err);

/*
 * The column label of file i: its environment's name ("lab"), with " #K"
 * (K = i + 1) when another file has the same name, and " ‡" when its run
 * is incomplete (progress.complete false).
 */
void bench_merge_label(const struct bench_merge_input *in, size_t n, size_t i, char *buf,
		       size_t size);

/*
 * The values of key of the entries of list ("systems", "ratios") of every
 * file's suite, each once, in order of first appearance; at most max.
 */
size_t bench_merge_names(const struct bench_merge_input *in, size_t n, const char *suite,
			 const char *list, const char *key, const char **names, size_t max);

/* MERGED.md's text; plots_ref as in bench_report_markdown. malloc'd; NULL on ENOMEM. */
char *bench_merge_markdown(const struct bench_merge_input *in, size_t n, const char *plots_ref);

#endif
