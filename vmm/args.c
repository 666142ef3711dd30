/* args.c: isolab-vmm's command line (see args.h and vmm/README.md). */
#include "vmm/args.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "common/size.h"
#include "common/suggest.h"

const char vmm_usage[] =
	"usage: isolab-vmm --kernel FILE [--initrd FILE] [--memory SIZE] [--cpus N]\n"
	"                  [--cmdline STR | --append STR] [--timeout SECONDS] [--stats FILE.json]\n"
	"                  [--disk FILE[,ro]] [--net tap=NAME]\n"
	"       isolab-vmm --help | --version\n"
	"Boots a Linux guest on KVM; its serial console is stdin/stdout and the\n"
	"exit status is the guest's. --memory (-m; old spelling --mem): guest RAM,\n"
	"16M to 3G, default 128M. See vmm/README.md.\n";

/* FILE or FILE,ro; the file itself is opened later (disk.c). */
static int parse_disk(char *value, struct vmm_args *a, struct isolab_error *err)
{
	size_t len = strlen(value);

	if (a->disk != NULL)
		return isolab_error_set(err, -EINVAL, "--disk: one disk only");
	a->disk_ro = len > 3 && strcmp(value + len - 3, ",ro") == 0;
	if (a->disk_ro)
		value[len - 3] = '\0';
	if (value[0] == '\0' || strchr(value, ',') != NULL)
		return isolab_error_set(err, -EINVAL, "--disk `%s`: not FILE or FILE,ro", value);
	a->disk = value;
	return 0;
}

int vmm_args_parse(int argc, char **argv, struct vmm_args *a, struct isolab_error *err)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "memory", required_argument, NULL, 'm' },
		{ "mem", required_argument, NULL, 'm' }, /* the old spelling */
		{ "cpus", required_argument, NULL, 'c' },
		{ "cmdline", required_argument, NULL, 'l' },
		{ "append", required_argument, NULL, 'a' },
		{ "timeout", required_argument, NULL, 't' },
		{ "stats", required_argument, NULL, 's' },
		{ "disk", required_argument, NULL, 'd' },
		{ "net", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static const char shortopts[] = ":hm:";
	const char *cmdline = VMM_DEFAULT_CMDLINE, *append = NULL;
	uint64_t v;
	int opt, r;

	memset(a, 0, sizeof(*a));
	a->mem = VMM_DEFAULT_MEM;
	a->cpus = 1;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		switch (opt) {
		case 'k': a->kernel = optarg; break;
		case 'i': a->initrd = optarg; break;
		case 'l': cmdline = optarg; break;
		case 'a': append = optarg; break;
		case 's': a->stats = optarg; break;
		case 'd':
			r = parse_disk(optarg, a, err);
			if (r < 0)
				return r;
			break;
		case 'n':
			if (a->net_tap != NULL)
				return isolab_error_set(err, -EINVAL, "--net: one network device only");
			if (strncmp(optarg, "tap=", 4) != 0 || optarg[4] == '\0')
				return isolab_error_set(err, -EINVAL, "--net `%s`: not tap=NAME", optarg);
			a->net_tap = optarg + 4;
			break;
		case 'm':
			r = isolab_parse_size(optarg, "--memory", &a->mem, err);
			if (r < 0)
				return r;
			if (a->mem < VMM_MIN_MEM || a->mem > VMM_MAX_MEM || a->mem % 4096)
				return isolab_error_set(err, -EINVAL,
							"--memory `%s`: must be a multiple of 4 KiB between 16M and 3G",
							optarg);
			break;
		case 'c':
			r = isolab_parse_uint(optarg, "--cpus", VMM_MAX_CPUS, &v, err);
			if (r < 0)
				return r;
			if (v == 0)
				return isolab_error_set(err, -EINVAL, "--cpus `%s`: must be 1 to %d", optarg,
							VMM_MAX_CPUS);
			a->cpus = (unsigned)v;
			break;
		case 't':
			r = isolab_parse_uint(optarg, "--timeout", 1000000000, &a->timeout_s, err);
			if (r < 0)
				return r;
			break;
		case 'h':
			return VMM_ARGS_HELP;
		case 'V':
			return VMM_ARGS_VERSION;
		case ':':
			return isolab_error_set(err, -EINVAL, "option `%s` needs a value", argv[optind - 1]);
		default:
			return isolab_getopt_error(err, argv, optind, optopt, shortopts, opts);
		}
	}
	if (optind < argc)
		return isolab_error_set(err, -EINVAL, "unexpected argument `%s` (see --help)", argv[optind]);
	if (!a->kernel)
		return isolab_error_set(err, -EINVAL, "--kernel FILE is required (see --help)");
	int n = snprintf(a->cmdline, sizeof(a->cmdline), "%s%s%s%s%s%s%s", cmdline,
			 append ? " " : "", append ? append : "", a->disk ? " " : "",
			 a->disk ? VMM_DISK_CMDLINE : "", a->net_tap ? " " : "",
			 a->net_tap ? VMM_NET_CMDLINE : "");
	if (n < 0 || (size_t)n >= sizeof(a->cmdline))
		return isolab_error_set(err, -EINVAL, "kernel command line longer than %d bytes",
					VMM_CMDLINE_MAX - 1);
	return 0;
}
