/*
 * gnuplot.h: what every picture of isolab-bench shares, the single-run
 * report's (plot.c) and the merged report's (plot_merge.c): the style
 * (paper or slides), a script's terminal lines and its SVG tail, value
 * axes (log where values span a decade or more, with readable labels),
 * a footnote line in the picture, and running gnuplot on a script.
 *
 * A script names its files relative to its folder and has no `cd`:
 * bench_gp_run starts gnuplot there, and so can anyone with another
 * checkout (`cd results/plots && gnuplot startup.gp`).
 */
#ifndef ISOLAB_BENCH_GNUPLOT_H
#define ISOLAB_BENCH_GNUPLOT_H

#include "bench/args.h"
#include "bench/table.h"
#include "common/error.h"

/* The sizes one style gives every picture. */
struct bench_plot_style {
	const char *name;      /* "paper", "slides" */
	unsigned width, height; /* canvas in pixels (PNG) and SVG units */
	unsigned font_pt;      /* the text's size */
	double linewidth;      /* the terminal's multiplier of every line's width */
};

/* paper: 960x560, 10 pt, lines x1; slides: 1600x900, 22 pt, lines x3. */
const struct bench_plot_style *bench_plot_style_of(enum bench_style style);

/*
 * A script's first lines: what made it, the PNG terminal (pngcairo, or
 * png where cairo is missing) at the style's size, font and line width,
 * `set output 'NAME.png'`, and the SVG terminal of the same style kept in
 * the variable svg_terminal for bench_gp_tail.
 */
void bench_gp_head(struct bench_text *t, const struct bench_plot_style *style, const char *name);

/* A script's last lines: the same picture again as NAME.svg. */
void bench_gp_tail(struct bench_text *t, const char *name);

/* An empty picture that says "no data in this run: WHY". */
void bench_gp_no_data(struct bench_text *t, const char *why);

/*
 * A line of text under the plot, in the picture itself (e.g. "not
 * measured: qemu-microvm (no usable /dev/kvm here)"): bottom margin grown
 * to hold it below the category labels; '\n' starts another line.
 * Nothing when text is empty.
 */
void bench_gp_footnote(struct bench_text *t, const char *text);

/*
 * A "not measured" mark standing where a bar at x (first axis) would be,
 * in the colour of line type lt (0: the default): never an empty slot.
 */
void bench_gp_missing_mark(struct bench_text *t, double x, int lt);

/* x of bar `series` of n in group `group` of a clustered histogram with this gap. */
double bench_gp_histogram_x(int group, int series, int n, int gap);

/*
 * The y axis for values from lo to hi (> 0) in unit: a log axis when hi
 * is 10 lo or more ("UNIT (log scale)"), from the decade at or below lo
 * to the one at or above hi, labelled "%g" (1, 10, 100; 0.1 rather than
 * 1e-01), with 1-2-5 labels between when it spans at most two decades;
 * else a linear one from 0. lo <= 0 (no values): a linear axis.
 */
void bench_gp_value_axis(struct bench_text *t, double lo, double hi, const char *unit);

/* The log axis of bench_gp_value_axis whatever the span (ratios around 1). */
void bench_gp_log_axis(struct bench_text *t, double lo, double hi, const char *unit);

/* Writes text to DIR/NAME. */
int bench_gp_write(const char *dir, const char *name, const char *text, struct isolab_error *err);

/* Runs gnuplot on DIR/NAME.gp, in DIR (absolute). */
int bench_gp_run(const char *dir, const char *name, struct isolab_error *err);

#endif
