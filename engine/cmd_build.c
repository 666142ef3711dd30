/* cmd_build.c: `isolab build`: an image from a Dockerfile (see build.h, commands.h). */
#include "engine/commands.h"
#include "engine/lib/build.h"
#include "engine/lib/image.h"
#include "engine/lib/ref.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAGS_MAX 32
#define BUILD_ARGS_MAX 256

static const char build_help[] =
	"usage: isolab build [-t NAME]... [-f DOCKERFILE] [--build-arg K=V]... [--target STAGE]\n"
	"                    [--no-cache] [--network none|host] [--allow-url] CONTEXT-DIR\n"
	"  -t, --tag NAME        name the image (repeatable)\n"
	"  -f, --file FILE       the Dockerfile (default CONTEXT-DIR/Dockerfile)\n"
	"  --build-arg K=V       a value for ARG K (K alone: from this environment)\n"
	"  --target STAGE        build up to that stage and make it the image\n"
	"  --no-cache            build every step again\n"
	"  --network none|host   RUN's network (default none)\n"
	"  --allow-url           let ADD fetch http(s) URLs\n"
	"exit status: 0; 1 a bad Dockerfile or a failed step; a failed RUN's own\n"
	"status; 2 bad usage; 130 interrupted\n";

int cmd_build(struct eng_cli *cli, int argc, char **argv)
{
	enum { O_BUILD_ARG = 256, O_TARGET, O_NO_CACHE, O_NETWORK, O_ALLOW_URL };
	static const struct option opts[] = {
		{ "tag", required_argument, NULL, 't' }, { "file", required_argument, NULL, 'f' },
		{ "build-arg", required_argument, NULL, O_BUILD_ARG },
		{ "target", required_argument, NULL, O_TARGET },
		{ "no-cache", no_argument, NULL, O_NO_CACHE },
		{ "network", required_argument, NULL, O_NETWORK },
		{ "allow-url", no_argument, NULL, O_ALLOW_URL }, { "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static char names[TAGS_MAX][ENG_REF_STR_MAX];
	char *tags[TAGS_MAX], *args[BUILD_ARGS_MAX], ctr[4096];
	struct eng_build_opts o = { .tags = tags, .build_args = args, .network = "none",
				    .out = stdout };
	struct eng_build_result r;
	int c;

	while ((c = getopt_long(argc, argv, "t:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (o.n_tags == TAGS_MAX)
				return eng_cli_usage(cli, "build", "more than %d tags", TAGS_MAX);
			if (eng_image_name(optarg, names[o.n_tags], sizeof(names[0]), &cli->err) < 0)
				return eng_cli_fail(cli, ENG_EXIT_USAGE);
			tags[o.n_tags] = names[o.n_tags];
			o.n_tags++;
			break;
		case 'f': o.dockerfile = optarg; break;
		case O_BUILD_ARG:
			if (o.n_build_args == BUILD_ARGS_MAX)
				return eng_cli_usage(cli, "build", "more than %d --build-arg", BUILD_ARGS_MAX);
			args[o.n_build_args++] = optarg;
			break;
		case O_TARGET: o.target = optarg; break;
		case O_NO_CACHE: o.no_cache = true; break;
		case O_NETWORK:
			if (strcmp(optarg, "none") != 0 && strcmp(optarg, "host") != 0)
				return eng_cli_usage(cli, "build", "--network `%s`: none or host", optarg);
			o.network = optarg;
			break;
		case O_ALLOW_URL: o.allow_url = true; break;
		case 'h': fputs(build_help, stdout); return 0;
		default: return eng_cli_bad_option(cli, "build", argv, "t:f:h", opts);
		}
	}
	if (argc - optind != 1)
		return eng_cli_usage(cli, "build", "one context directory expected");
	o.context = argv[optind];
	if (eng_cli_beside(ctr, sizeof(ctr), "isolab-ctr", "ISOLAB_CTR", &cli->err) < 0 ||
	    eng_cli_store(cli, true) < 0)
		return ENG_EXIT_ERROR;
	o.ctr = ctr;
	if (eng_build(&cli->store, &o, &r, &cli->err) == 0)
		return 0;
	if (r.interrupted)
		return eng_cli_fail(cli, 130);
	return r.run_status ? eng_cli_fail(cli, r.run_status) : ENG_EXIT_ERROR;
}
