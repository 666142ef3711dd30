/* args.c: isolab-bench's command line (see args.h). */
#include "bench/args.h"
#include "bench/results.h"
#include "common/size.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

const char bench_usage[] =
	"usage: isolab-bench run [--suites startup,memory,syscall,build,lifecycle] [--runs N]\n"
	"                        [--density-max N] [--samples N] [--vm-mem SIZE]\n"
	"                        [--systems LIST] [--results DIR] [--env NAME]\n"
	"                        [--build DIR] [--timeout S] [--quick] [--no-report]\n"
	"                        [--results-file FILE]\n"
	"       isolab-bench run --resume FILE [--resume-reason TEXT] [--build DIR] [--no-report]\n"
	"       isolab-bench report [RESULTS.json] [--results DIR] [--plots DIR] [--out FILE]\n"
	"       isolab-bench help\n";

static const struct {
	const char *name;
	unsigned bit;
} suite_names[] = {
	{ "startup", BENCH_SUITE_STARTUP },
	{ "memory", BENCH_SUITE_MEMORY },
	{ "syscall", BENCH_SUITE_SYSCALL },
	{ "build", BENCH_SUITE_BUILD },
	{ "lifecycle", BENCH_SUITE_LIFECYCLE },
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
						"--suites `%s`: unknown suite `%.*s` (startup, memory, syscall, build, lifecycle, all)",
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

int bench_parse_args(int argc, char *const argv[], struct bench_args *a,
		     struct isolab_error *err)
{
	bool runs_set = false, density_set = false, samples_set = false;
	const char *cmd;
	int i, rc;

	set_defaults(a);
	if (argc < 2)
		return isolab_error_set(err, -EINVAL, "missing command (run, report, help)");
	cmd = argv[1];
	if (strcmp(cmd, "run") == 0)
		a->command = BENCH_CMD_RUN;
	else if (strcmp(cmd, "report") == 0)
		a->command = BENCH_CMD_REPORT;
	else if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		return (a->command = BENCH_CMD_HELP), 0;
	else
		return isolab_error_set(err, -EINVAL, "unknown command `%s` (run, report, help)", cmd);

	for (i = 2; i < argc; i++) {
		const char *opt = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		bool run = a->command == BENCH_CMD_RUN;

		if (strcmp(opt, "--quick") == 0 && run) {
			a->quick = true;
			a->measure_set = true;
			continue;
		}
		if (strcmp(opt, "--no-report") == 0 && run) {
			a->no_report = true;
			continue;
		}
		if (opt[0] != '-' && !run && a->input == NULL) {
			a->input = opt;
			continue;
		}
		if (opt[0] != '-' || opt[1] != '-')
			return isolab_error_set(err, -EINVAL, "unexpected argument `%s`", opt);
		if (val == NULL)
			return isolab_error_set(err, -EINVAL, "%s: missing value", opt);
		i++;
		rc = 0;
		if (run && (strcmp(opt, "--suites") == 0 || strcmp(opt, "--runs") == 0 ||
			    strcmp(opt, "--density-max") == 0 || strcmp(opt, "--samples") == 0 ||
			    strcmp(opt, "--timeout") == 0 || strcmp(opt, "--vm-mem") == 0 ||
			    strcmp(opt, "--systems") == 0 || strcmp(opt, "--env") == 0))
			a->measure_set = true;
		if (strcmp(opt, "--results") == 0)
			a->results_dir = val;
		else if (run && strcmp(opt, "--results-file") == 0)
			a->results_file = val;
		else if (run && strcmp(opt, "--resume") == 0)
			a->resume = val;
		else if (run && strcmp(opt, "--resume-reason") == 0)
			a->resume_reason = val;
		else if (run && strcmp(opt, "--suites") == 0)
			rc = bench_parse_suites(val, &a->suites, err);
		else if (run && strcmp(opt, "--runs") == 0)
			rc = parse_unsigned(opt, val, 1, BENCH_MAX_RUNS, &a->runs, err), runs_set = true;
		else if (run && strcmp(opt, "--density-max") == 0)
			rc = parse_unsigned(opt, val, 0, BENCH_MAX_DENSITY, &a->density_max, err),
			density_set = true;
		else if (run && strcmp(opt, "--samples") == 0)
			rc = parse_unsigned(opt, val, 1, 1000, &a->samples, err), samples_set = true;
		else if (run && strcmp(opt, "--timeout") == 0)
			rc = parse_unsigned(opt, val, 1, 86400, &a->timeout_s, err);
		else if (run && strcmp(opt, "--vm-mem") == 0)
			rc = isolab_parse_size(val, opt, &a->vm_mem, err);
		else if (run && strcmp(opt, "--systems") == 0)
			a->systems = val;
		else if (run && strcmp(opt, "--env") == 0)
			a->env_name = val;
		else if (run && strcmp(opt, "--build") == 0)
			a->build_dir = val;
		else if (!run && strcmp(opt, "--plots") == 0)
			a->plots_dir = val;
		else if (!run && strcmp(opt, "--out") == 0)
			a->report_path = val;
		else
			return isolab_error_set(err, -EINVAL, "unknown option `%s` for `%s`", opt, cmd);
		if (rc < 0)
			return rc;
	}
	if (a->resume != NULL && (a->measure_set || a->results_file != NULL))
		return isolab_error_set(err, -EINVAL,
					"--resume: the run goes on with the options in `%s`; give only "
					"--resume-reason, --build, --results and --no-report with it",
					a->resume);
	if (a->resume_reason != NULL && a->resume == NULL)
		return isolab_error_set(err, -EINVAL, "--resume-reason: only with --resume FILE");
	if (a->command == BENCH_CMD_RUN && a->vm_mem < (16ull << 20))
		return isolab_error_set(err, -EINVAL, "--vm-mem: at least 16M");
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
	return 0;
}
