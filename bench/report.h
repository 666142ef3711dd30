/*
 * report.h: `isolab-bench report`: plots (plot.h) and REPORT.md from a
 * results file.
 */
#ifndef ISOLAB_BENCH_REPORT_H
#define ISOLAB_BENCH_REPORT_H

#include <cjson/cJSON.h>
#include "bench/args.h"
#include "common/error.h"

/*
 * REPORT.md's text for a results document (pure). results_name names the
 * file it came from; plots_ref is the plots folder as seen from the
 * report (image links are plots_ref/NAME.png). malloc'd; NULL on ENOMEM.
 */
char *bench_report_markdown(const cJSON *doc, const char *results_name, const char *plots_ref);

/* Reads args->input (or the newest results file), draws, writes REPORT.md. */
int bench_report(const struct bench_args *args, struct isolab_error *err);

/* -EINVAL naming them when two of merge's operands are one file (by device and inode). */
int bench_merge_same_file(const struct bench_args *args, struct isolab_error *err);

/*
 * `isolab-bench merge`: reads args->merge_files, refuses what is not
 * results (merge.h), draws the merged plots (plot.h) and writes --out,
 * else RESULTS/MERGED.md, plots in --plots, else plots-merged/ beside it.
 */
int bench_merge_report(const struct bench_args *args, struct isolab_error *err);

#endif
