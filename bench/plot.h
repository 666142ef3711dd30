/*
 * plot.h: the report's pictures. For each plot, a data file and a gnuplot
 * script are generated into the plots folder and gnuplot (gnuplot-nox)
 * draws NAME.png (pngcairo, or png where cairo is missing) and NAME.svg.
 * A plot whose data this run does not have is still drawn, saying so, so
 * the set of files is always the same.
 */
#ifndef ISOLAB_BENCH_PLOT_H
#define ISOLAB_BENCH_PLOT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include "bench/gnuplot.h"
#include "bench/merge.h"
#include "common/error.h"

/* startup, startup_cdf, vmm_phases, memory, density, syscall, build, lifecycle, network */
extern const char *const bench_plot_names[];
extern const size_t bench_plot_count;

/* Draws every plot of doc into dir (created if missing), in style. */
int bench_plot_all(const cJSON *doc, const char *dir, const struct bench_plot_style *style,
		   struct isolab_error *err);

/*
 * The merged report's pictures (plot_merge.c): merge_startup, merge_memory,
 * merge_build, merge_lifecycle, each a group of bars per system with one
 * bar per file that ran the suite.
 */
int bench_plot_merge(const struct bench_merge_input *in, size_t n, const char *dir,
		     const struct bench_plot_style *style, struct isolab_error *err);

#endif
