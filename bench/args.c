/* args.c: isolab-bench's command line (see args.h). */
#include "bench/args.h"
#include "bench/results.h"
#include "common/size.h"
#include "common/suggest.h"

#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

const char bench_usage[] =
	"usage: isolab-bench run [--suites startup,memory,syscall,build,lifecycle] [--runs N]\n"
	"                        [--density-max N] [--samples N] [--memory SIZE]\n"
	"                        [--systems LIST] [--results DIR] [--env NAME]\n"
	"                        [--build DIR] [--timeout S] [--quick] [--no-report]\n"
	"                        [--results-file FILE] [--seed N] [--rounds N]\n"
	"       isolab-bench run --resume FILE [--resume-reason TEXT] [--build DIR] [--no-report]\n"
	"       isolab-bench report [RESULTS.json] [--results DIR] [--plots DIR] [--out FILE]\n"
	"                           [--style paper|slides]\n"
	"       isolab-bench merge [--results DIR] [--plots DIR] [--out FILE] [--style paper|slides]\n"
	"                          RESULTS.json RESULTS.json...\n"
	"       isolab-bench help | --help | version | --version\n"
	"--memory SIZE (-m; old spelling --vm-mem): the guest RAM of the VM systems (default 128M).\n"
	"--suites network: TCP round trips and a stream per environment (in `all` too).\n"
	"--seed N: the suites' random seed; --rounds N: rounds where a suite repeats (0: its own).\n"
	"--style slides: pictures for a projector (large type, thick lines); paper is the default.\n"
	"merge: one report with two or more results files side by side (default results/MERGED.md).\n"
	"See bench/README.md.\n";

static const struct {
	const char *name;
	unsigned bit;
} suite_names[] = {
	{ "startup", BENCH_SUITE_STARTUP },
	{ "memory", BENCH_SUITE_MEMORY },
	{ "syscall", BENCH_SUITE_SYSCALL },
	{ "build", BENCH_SUITE_BUILD },
	{ "lifecycle", BENCH_SUITE_LIFECYCLE },
	{ "network", BENCH_SUITE_NETWORK },
	{ "all", BENCH_SUITE_ALL },
};

bool bench_list_has(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *p = list;

	if (list == NULL)
		return true;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == len && strncmp(p, name, n) == 0)
			return true;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return false;
}

int bench_parse_suites(const char *list, unsigned *mask, struct isolab_error *err)
{
	const char *p = list;

	*mask = 0;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p), i;
		bool found = false;

		for (i = 0; i < sizeof(suite_names) / sizeof(suite_names[0]); i++)
			if (strlen(suite_names[i].name) == n &&
			    strncmp(p, suite_names[i].name, n) == 0) {
				*mask |= suite_names[i].bit;
				found = true;
			}
		if (!found)
			return isolab_error_set(err, -EINVAL,
						"--suites `%s`: unknown suite `%.*s` (startup, memory, syscall, build, lifecycle, network, all)",
						list, (int)n, p);
		if (end == NULL)
			return 0;
		p = end + 1;
	}
}

static int parse_unsigned(const char *opt, const char *text, unsigned min, unsigned max,
			  unsigned *out, struct isolab_error *err)
{
	uint64_t v;
	int rc = isolab_parse_uint(text, opt, max, &v, err);

	if (rc < 0)
		return rc;
	if (v < min)
		return isolab_error_set(err, -EINVAL, "%s `%s`: must be at least %u", opt, text, min);
	*out = (unsigned)v;
	return 0;
}

static void set_defaults(struct bench_args *a)
{
	memset(a, 0, sizeof(*a));
	a->suites = BENCH_SUITE_ALL;
	a->runs = BENCH_DEFAULT_RUNS;
	a->build_runs = BENCH_DEFAULT_BUILD_RUNS;
	a->density_max = BENCH_DEFAULT_DENSITY_MAX;
	a->samples = BENCH_DEFAULT_SAMPLES;
	a->timeout_s = BENCH_DEFAULT_TIMEOUT_S;
	a->vm_mem = BENCH_DEFAULT_VM_MEM;
	a->results_dir = "results";
	a->build_dir = "build";
}

/* getopt_long's values for the options without a short letter */
enum {
	OPT_SUITES = 256, OPT_RUNS, OPT_DENSITY_MAX, OPT_SAMPLES, OPT_TIMEOUT, OPT_SYSTEMS,
	OPT_ENV, OPT_BUILD, OPT_RESULTS, OPT_RESULTS_FILE, OPT_RESUME, OPT_RESUME_REASON,
	OPT_QUICK, OPT_NO_REPORT, OPT_SEED, OPT_ROUNDS, OPT_PLOTS, OPT_OUT, OPT_VERSION, OPT_STYLE,
};

static const struct option run_options[] = {
	{ "suites", required_argument, NULL, OPT_SUITES },
	{ "runs", required_argument, NULL, OPT_RUNS },
	{ "density-max", required_argument, NULL, OPT_DENSITY_MAX },
	{ "samples", required_argument, NULL, OPT_SAMPLES },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "memory", required_argument, NULL, 'm' },
	{ "vm-mem", required_argument, NULL, 'm' }, /* the old spelling */
	{ "systems", required_argument, NULL, OPT_SYSTEMS },
	{ "env", required_argument, NULL, OPT_ENV },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "rounds", required_argument, NULL, OPT_ROUNDS },
	{ "quick", no_argument, NULL, OPT_QUICK },
	{ "build", required_argument, NULL, OPT_BUILD },
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "results-file", required_argument, NULL, OPT_RESULTS_FILE },
	{ "resume", required_argument, NULL, OPT_RESUME },
	{ "resume-reason", required_argument, NULL, OPT_RESUME_REASON },
	{ "no-report", no_argument, NULL, OPT_NO_REPORT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct option report_options[] = {
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "plots", required_argument, NULL, OPT_PLOTS },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "style", required_argument, NULL, OPT_STYLE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* before the command: only these */
static const struct option top_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static const char *const command_names[] = { "run", "report", "merge", "help", "version" };

static bool option_fixes_measure(int opt)
{
	switch (opt) {
	case OPT_SUITES: case OPT_RUNS: case OPT_DENSITY_MAX: case OPT_SAMPLES: case OPT_TIMEOUT:
	case 'm': case OPT_SYSTEMS: case OPT_ENV: case OPT_SEED: case OPT_ROUNDS: case OPT_QUICK:
		return true;
	default:
		return false;
	}
}

/* argv[1]: the command, or --help / --version, or a refusal. */
static int parse_command(int argc, char *const argv[], struct bench_args *a,
			 struct isolab_error *err)
{
	const char *cmd, *hint;

	if (argc < 2)
		return isolab_error_set(err, -EINVAL, "missing command (run, report, merge, help, version)");
	cmd = argv[1];
	if (strcmp(cmd, "run") == 0)
		a->command = BENCH_CMD_RUN;
	else if (strcmp(cmd, "report") == 0)
		a->command = BENCH_CMD_REPORT;
	else if (strcmp(cmd, "merge") == 0)
		a->command = BENCH_CMD_MERGE;
	else if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		a->command = BENCH_CMD_HELP;
	else if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0)
		a->command = BENCH_CMD_VERSION;
	else if (cmd[0] == '-')
		return isolab_error_unknown_option(err, cmd, top_options);
	else {
		hint = isolab_suggest(cmd, command_names,
				      sizeof(command_names) / sizeof(command_names[0]));
		if (hint != NULL)
			return isolab_error_set(err, -EINVAL, "unknown command `%s` (did you mean `%s`?)",
						cmd, hint);
		return isolab_error_set(err, -EINVAL,
					"unknown command `%s` (run, report, merge, help, version)", cmd);
	}
	return 0; /* help and version: whatever follows is not read (`help run`) */
}

/* One option of run or report, whose value (if any) is optarg. */
static int parse_option(int opt, const char *name, struct bench_args *a, bool *runs_set,
			bool *density_set, bool *samples_set, struct isolab_error *err)
{
	uint64_t seed;
	int rc = 0;

	switch (opt) {
	case OPT_SUITES: return bench_parse_suites(optarg, &a->suites, err);
	case OPT_RUNS:
		*runs_set = true;
		return parse_unsigned(name, optarg, 1, BENCH_MAX_RUNS, &a->runs, err);
	case OPT_DENSITY_MAX:
		*density_set = true;
		return parse_unsigned(name, optarg, 0, BENCH_MAX_DENSITY, &a->density_max, err);
	case OPT_SAMPLES:
		*samples_set = true;
		return parse_unsigned(name, optarg, 1, 1000, &a->samples, err);
	case OPT_TIMEOUT: return parse_unsigned(name, optarg, 1, 86400, &a->timeout_s, err);
	case 'm': return isolab_parse_size(optarg, "--memory", &a->vm_mem, err);
	case OPT_SEED:
		rc = isolab_parse_uint(optarg, name, UINT64_MAX, &seed, err);
		if (rc == 0) {
			a->seed = seed;
			a->seed_given = true;
		}
		return rc;
	case OPT_ROUNDS: return parse_unsigned(name, optarg, 0, BENCH_MAX_ROUNDS, &a->rounds, err);
	case OPT_QUICK: a->quick = true; return 0;
	case OPT_NO_REPORT: a->no_report = true; return 0;
	case OPT_SYSTEMS: a->systems = optarg; return 0;
	case OPT_ENV: a->env_name = optarg; return 0;
	case OPT_BUILD: a->build_dir = optarg; return 0;
	case OPT_RESULTS: a->results_dir = optarg; return 0;
	case OPT_RESULTS_FILE: a->results_file = optarg; return 0;
	case OPT_RESUME: a->resume = optarg; return 0;
	case OPT_RESUME_REASON: a->resume_reason = optarg; return 0;
	case OPT_PLOTS: a->plots_dir = optarg; return 0;
	case OPT_OUT: a->report_path = optarg; return 0;
	case OPT_STYLE:
		if (strcmp(optarg, "paper") == 0)
			a->style = BENCH_STYLE_PAPER;
		else if (strcmp(optarg, "slides") == 0)
			a->style = BENCH_STYLE_SLIDES;
		else
			return isolab_error_set(err, -EINVAL, "--style `%s`: paper or slides", optarg);
		return 0;
	default: return isolab_error_set(err, -EINVAL, "option %d not handled", opt);
	}
}

/* merge's operands: two or more results files, none named twice. */
static int merge_files(int n, char *const files[], struct bench_args *a, struct isolab_error *err)
{
	int i, j;

	if (n < 2)
		return isolab_error_set(err, -EINVAL,
					"merge: at least two results files to put side by side (got %d)", n);
	if (n > (int)BENCH_MERGE_MAX)
		return isolab_error_set(err, -EINVAL, "merge: at most %u results files (got %d)",
					BENCH_MERGE_MAX, n);
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(files[i], files[j]) == 0)
				return isolab_error_set(err, -EINVAL, "merge: `%s` is named twice",
							files[i]);
	a->merge_files = files;
	a->merge_count = n;
	return 0;
}

/* The name of the long option with this value, for messages ("--runs"). */
static void option_name(const struct option *opts, int opt, char *buf, size_t size)
{
	for (; opts->name != NULL; opts++)
		if (opts->val == opt) {
			snprintf(buf, size, "--%s", opts->name);
			return;
		}
	snprintf(buf, size, "-%c", opt);
}

int bench_parse_args(int argc, char *const argv[], struct bench_args *a,
		     struct isolab_error *err)
{
	bool runs_set = false, density_set = false, samples_set = false;
	const struct option *opts;
	const char *shortopts;
	char name[32];
	int opt, rc;

	set_defaults(a);
	rc = parse_command(argc, argv, a, err);
	if (rc < 0 || a->command == BENCH_CMD_HELP || a->command == BENCH_CMD_VERSION)
		return rc;
	opts = a->command == BENCH_CMD_RUN ? run_options : report_options; /* merge: report's */
	shortopts = a->command == BENCH_CMD_RUN ? ":hm:" : ":h";
	/* the command's words, argv[1] (the command) as getopt's argv[0] */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc - 1, argv + 1, shortopts, opts, NULL)) != -1) {
		if (opt == 'h') {
			a->command = BENCH_CMD_HELP;
			return 0;
		}
		if (opt == ':') {
			const char *typed = argv[optind]; /* argv + 1's [optind - 1] */

			if (strncmp(typed, "--", 2) != 0)
				option_name(opts, optopt, name, sizeof(name));
			return isolab_error_set(err, -EINVAL, "%s: missing value",
						strncmp(typed, "--", 2) == 0 ? typed : name);
		}
		if (opt == '?')
			return isolab_getopt_error(err, argv + 1, optind, optopt, shortopts, opts);
		option_name(opts, opt, name, sizeof(name));
		if (option_fixes_measure(opt))
			a->measure_set = true;
		rc = parse_option(opt, name, a, &runs_set, &density_set, &samples_set, err);
		if (rc < 0)
			return rc;
	}
	if (optind < argc - 1 && a->command == BENCH_CMD_REPORT)
		a->input = argv[1 + optind++];
	if (a->command == BENCH_CMD_MERGE)
		return merge_files(argc - 1 - optind, argv + 1 + optind, a, err);
	if (optind < argc - 1)
		return isolab_error_set(err, -EINVAL, "unexpected argument `%s`", argv[1 + optind]);
	if (a->resume != NULL && (a->measure_set || a->results_file != NULL))
		return isolab_error_set(err, -EINVAL,
					"--resume: the run goes on with the options in `%s`; give only "
					"--resume-reason, --build, --results and --no-report with it",
					a->resume);
	if (a->resume_reason != NULL && a->resume == NULL)
		return isolab_error_set(err, -EINVAL, "--resume-reason: only with --resume FILE");
	if (a->command == BENCH_CMD_RUN && a->vm_mem < (16ull << 20))
		return isolab_error_set(err, -EINVAL, "--memory: at least 16M");
	if (a->env_name != NULL && strcmp(a->env_name, "native-kvm") != 0 &&
	    strcmp(a->env_name, "lab") != 0 && strcmp(a->env_name, "host-nokvm") != 0)
		return isolab_error_set(err, -EINVAL,
					"--env `%s`: one of native-kvm, lab, host-nokvm", a->env_name);
	if (runs_set)
		a->build_runs = a->runs;
	if (a->quick) {
		if (!runs_set)
			a->runs = a->build_runs = BENCH_QUICK_RUNS;
		if (!density_set)
			a->density_max = BENCH_QUICK_DENSITY_MAX;
		if (!samples_set)
			a->samples = BENCH_QUICK_SAMPLES;
	}
	return 0;
}

cJSON *bench_options_json(const struct bench_args *a)
{
	cJSON *o = cJSON_CreateObject(), *suites = cJSON_AddArrayToObject(o, "suites");
	size_t i;

	cJSON_AddNumberToObject(o, "runs", a->runs);
	cJSON_AddNumberToObject(o, "build_runs", a->build_runs);
	cJSON_AddNumberToObject(o, "density_max", a->density_max);
	cJSON_AddNumberToObject(o, "samples", a->samples);
	cJSON_AddNumberToObject(o, "vm_mem_bytes", (double)a->vm_mem);
	cJSON_AddNumberToObject(o, "timeout_s", a->timeout_s);
	cJSON_AddBoolToObject(o, "quick", a->quick);
	for (i = 0; i < sizeof(suite_names) / sizeof(suite_names[0]); i++)
		if (suite_names[i].bit != BENCH_SUITE_ALL && (a->suites & suite_names[i].bit))
			cJSON_AddItemToArray(suites, cJSON_CreateString(suite_names[i].name));
	if (a->rounds != 0)
		cJSON_AddNumberToObject(o, "rounds", a->rounds);
	if (a->seed_given) { /* a string: a double holds 53 bits, a seed 64 */
		char seed[24];

		snprintf(seed, sizeof(seed), "%llu", a->seed);
		cJSON_AddStringToObject(o, "seed", seed);
	}
	if (a->systems != NULL)
		cJSON_AddStringToObject(o, "systems", a->systems);
	else
		cJSON_AddNullToObject(o, "systems");
	return o;
}

static int option_number(const cJSON *opts, const char *key, double min, double max, double *out,
			 struct isolab_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(opts, key);

	if (!cJSON_IsNumber(v) || v->valuedouble < min || v->valuedouble > max)
		return isolab_error_set(err, -EINVAL, "options: `%s` missing or out of range", key);
	*out = v->valuedouble;
	return 0;
}

int bench_options_apply(const cJSON *opts, struct bench_args *a, struct isolab_error *err)
{
	const cJSON *suites = cJSON_GetObjectItemCaseSensitive(opts, "suites"), *v;
	const cJSON *systems = cJSON_GetObjectItemCaseSensitive(opts, "systems");
	const cJSON *seed = cJSON_GetObjectItemCaseSensitive(opts, "seed");
	double runs = 0, density = 0, samples = 0, vm_mem = 0, timeout = 0;
	int rc;

	if ((rc = option_number(opts, "runs", 1, BENCH_MAX_RUNS, &runs, err)) < 0 ||
	    (rc = option_number(opts, "density_max", 0, BENCH_MAX_DENSITY, &density, err)) < 0 ||
	    (rc = option_number(opts, "samples", 1, 1000, &samples, err)) < 0 ||
	    (rc = option_number(opts, "vm_mem_bytes", 16 << 20, 1ull << 40, &vm_mem, err)) < 0 ||
	    (rc = option_number(opts, "timeout_s", 1, 86400, &timeout, err)) < 0)
		return rc;
	if (!cJSON_IsArray(suites) || (!cJSON_IsNull(systems) && !cJSON_IsString(systems)))
		return isolab_error_set(err, -EINVAL, "options: `suites` or `systems` missing or mistyped");
	a->suites = 0;
	cJSON_ArrayForEach(v, suites) {
		unsigned bit;

		if (!cJSON_IsString(v) || bench_parse_suites(v->valuestring, &bit, err) < 0)
			return isolab_error_set(err, -EINVAL, "options: `suites` holds an unknown suite");
		a->suites |= bit;
	}
	a->runs = (unsigned)runs;
	/* a file from before the build suite has no build_runs: what it would have had */
	a->build_runs = (unsigned)bench_json_number(opts, "build_runs", 0);
	if (a->build_runs < 1 || a->build_runs > BENCH_MAX_RUNS)
		a->build_runs = a->runs < BENCH_DEFAULT_BUILD_RUNS ? a->runs : BENCH_DEFAULT_BUILD_RUNS;
	a->density_max = (unsigned)density;
	a->samples = (unsigned)samples;
	a->vm_mem = (uint64_t)vm_mem;
	a->timeout_s = (unsigned)timeout;
	a->quick = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(opts, "quick"));
	a->systems = cJSON_IsString(systems) ? systems->valuestring : NULL;
	/* rounds and seed: only in files of runs that were given them */
	a->rounds = 0;
	if (cJSON_GetObjectItemCaseSensitive(opts, "rounds") != NULL) {
		double rounds = 0;

		if ((rc = option_number(opts, "rounds", 1, BENCH_MAX_ROUNDS, &rounds, err)) < 0)
			return rc;
		a->rounds = (unsigned)rounds;
	}
	a->seed = 0;
	a->seed_given = false;
	if (seed != NULL) {
		uint64_t seed_value;

		if (!cJSON_IsString(seed) || isolab_parse_uint(seed->valuestring, "seed", UINT64_MAX,
							       &seed_value, err) < 0)
			return isolab_error_set(err, -EINVAL, "options: `seed` is not a decimal string");
		a->seed = seed_value;
		a->seed_given = true;
	}
	return 0;
}
