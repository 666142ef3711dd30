/*
 * args.h: isolab-bench's command line (pure: no I/O, unit-tested).
 *
 *   isolab-bench run [--suites LIST] [--runs N] [--density-max N]
 *                    [--samples N] [--memory SIZE] [--systems LIST]
 *                    [--results DIR] [--env NAME] [--build DIR]
 *                    [--timeout S] [--quick] [--no-report]
 *                    [--results-file FILE] [--seed N] [--rounds N]
 *   isolab-bench run --resume FILE [--resume-reason TEXT] [--build DIR] [--no-report]
 *   isolab-bench report [RESULTS.json] [--results DIR] [--plots DIR]
 *                    [--out FILE] [--style paper|slides]
 *   isolab-bench merge [--results DIR] [--plots DIR] [--out FILE]
 *                    [--style paper|slides] RESULTS.json RESULTS.json...
 *   isolab-bench help | --help | version | --version
 * `run --help` and `report --help` are help too; --memory (-m) was
 * --vm-mem, still accepted. Unknown options and commands get a hint
 * (common/suggest.h).
 */
#ifndef ISOLAB_BENCH_ARGS_H
#define ISOLAB_BENCH_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include "common/error.h"

enum bench_command { BENCH_CMD_HELP, BENCH_CMD_RUN, BENCH_CMD_REPORT, BENCH_CMD_VERSION,
		     BENCH_CMD_MERGE };

/* The pictures' style (gnuplot.h): paper (the default) or slides. */
enum bench_style { BENCH_STYLE_PAPER, BENCH_STYLE_SLIDES };

#define BENCH_SUITE_STARTUP 0x1u
#define BENCH_SUITE_MEMORY  0x2u
#define BENCH_SUITE_SYSCALL 0x4u
#define BENCH_SUITE_BUILD   0x8u
#define BENCH_SUITE_LIFECYCLE 0x10u
#define BENCH_SUITE_NETWORK 0x20u
#define BENCH_SUITE_ALL     0x3fu

/* Defaults of `run` (README: "make bench") and of --quick. */
#define BENCH_DEFAULT_RUNS        30u
/* The density sweep's largest point (README "Memory"): 1000 instances of a
 * process or container; a VM system's sweep stops at BENCH_DENSITY_MAX_VM
 * (or --density-max if smaller), a hundred guests of --memory each. */
#define BENCH_DEFAULT_DENSITY_MAX 1000u
#define BENCH_DENSITY_MAX_VM      100u
#define BENCH_DEFAULT_SAMPLES     31u
#define BENCH_DEFAULT_BUILD_RUNS  10u  /* the build suite's rebuilds without --runs */
#define BENCH_QUICK_RUNS          3u
#define BENCH_QUICK_DENSITY_MAX   2u
#define BENCH_QUICK_SAMPLES       7u
#define BENCH_DEFAULT_TIMEOUT_S   120u
#define BENCH_DEFAULT_VM_MEM      (128ull << 20)
#define BENCH_MAX_RUNS            10000u
#define BENCH_MAX_DENSITY         4096u
#define BENCH_MAX_ROUNDS          BENCH_MAX_RUNS
#define BENCH_MERGE_MAX           8u     /* results files `merge` puts side by side */

struct bench_args {
	enum bench_command command;
	unsigned suites;          /* BENCH_SUITE_* mask */
	unsigned runs;            /* start-up runs per system; lifecycle rounds */
	unsigned build_runs;      /* cached rebuilds per builder: --runs, else 10 (quick: 3) */
	unsigned density_max;     /* largest concurrent instance count */
	unsigned samples;         /* probe samples per operation */
	unsigned timeout_s;       /* limit for one launch */
	uint64_t vm_mem;          /* guest RAM for VM systems */
	bool quick;
	bool no_report;           /* run: skip the report after the run */
	const char *systems;      /* comma list, NULL = every available one */
	const char *results_dir;  /* default "results" */
	const char *env_name;     /* NULL = detect */
	const char *build_dir;    /* default "build" */
	const char *input;        /* report: a results file, NULL = newest */
	const char *plots_dir;    /* report: NULL = RESULTS/plots */
	const char *report_path;  /* report: NULL = RESULTS/REPORT.md */
	const char *results_file; /* run: this path instead of RESULTS/ENV/STAMP.json */
	const char *resume;       /* run: the results file of a run to go on with */
	const char *resume_reason;/* run: why that run stopped (for its running unit) */
	bool measure_set;         /* run: an option that fixes what is measured was given */
	unsigned long long seed;  /* run: --seed N, the suites' random seed */
	bool seed_given;          /* run: --seed was given (else each suite picks its own) */
	unsigned rounds;          /* run: --rounds N; 0 = each suite's own default */
	enum bench_style style;   /* report, merge: --style */
	char *const *merge_files; /* merge: the results files (argv's), merge_count >= 2 */
	int merge_count;
};

/* Fills out from argv; returns 0 or -EINVAL naming the bad argument. */
int bench_parse_args(int argc, char *const argv[], struct bench_args *out,
		     struct isolab_error *err);

/*
 * The options that fix what a run measures, as the results file's
 * "options" object, and back: a resumed run takes them from its file.
 * bench_options_apply keeps pointers into opts (it must outlive a).
 */
#include <cjson/cJSON.h>
cJSON *bench_options_json(const struct bench_args *a);
int bench_options_apply(const cJSON *opts, struct bench_args *a, struct isolab_error *err);

/* "startup,memory" -> mask; "all" allowed. Returns 0 or -EINVAL. */
int bench_parse_suites(const char *list, unsigned *mask, struct isolab_error *err);

/* True when name is in the comma list (NULL list: everything). */
bool bench_list_has(const char *list, const char *name);

extern const char bench_usage[];

#endif
