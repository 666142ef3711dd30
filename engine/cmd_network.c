/*
 * cmd_network.c: `isolab network create|ls|inspect|rm|prune` and `isolab
 * port`: the store's CNI networks (engine/lib/network.h) and the ports a
 * container published. A failure is one line and status 125, as run's.
 */
#include "engine/commands.h"
#include "engine/lib/container.h"
#include "engine/lib/network.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char network_help[] =
	"usage: isolab network COMMAND\n"
	"  create [--subnet CIDR] NAME   a CNI network (bridge, host-local, portmap,\n"
	"                                firewall); default subnet: the first free /16\n"
	"                                from 10.88.0.0/16\n"
	"  ls                            NAME, SUBNET, BRIDGE of every network\n"
	"  inspect NAME...               JSON: name, subnet, gateway, bridge, config,\n"
	"                                containers attached\n"
	"  rm NAME...                    networks no running container uses\n"
	"  prune                         detach what killed engines left, then remove\n"
	"                                every network no container uses\n"
	"exit status: 0; 125 failed (one line); 2 a bad command line\n";

static int fail(struct eng_cli *cli)
{
	return eng_cli_fail(cli, ENG_EXIT_RUN);
}

/* -h/--help and nothing else: the options of ls, inspect, rm, prune. */
static int no_options(struct eng_cli *cli, int argc, char **argv, const char *what)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(network_help, stdout);
			return ENG_CLI_HELP;
		}
		return eng_cli_bad_option(cli, what, argv, "h", opts);
	}
	return 0;
}

static int network_create(struct eng_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "subnet", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	const char *subnet = NULL;
	struct eng_network net;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 's')
			subnet = optarg;
		else if (c == 'h')
			return fputs(network_help, stdout), 0;
		else
			return eng_cli_bad_option(cli, "network create", argv, "h", opts);
	}
	if (optind + 1 != argc)
		return eng_cli_usage(cli, "network create", "expected one NAME");
	if (eng_network_name_check(argv[optind], &cli->err) < 0 || eng_cli_store(cli, true) < 0 ||
	    eng_network_create(&cli->store, argv[optind], subnet, &net, &cli->err) < 0)
		return fail(cli);
	puts(net.name);
	return 0;
}

static int network_ls(struct eng_cli *cli, int argc, char **argv)
{
	struct eng_network *list = NULL;
	size_t n = 0;
	int rc = no_options(cli, argc, argv, "network ls");

	if (rc != 0)
		return rc == ENG_CLI_HELP ? 0 : rc;
	if (optind != argc)
		return eng_cli_usage(cli, "network ls", "no arguments expected");
	if (eng_cli_store(cli, false) < 0 || eng_network_list(&cli->store, &list, &n, &cli->err) < 0)
		return fail(cli);
	printf("%-20s %-18s %s\n", "NAME", "SUBNET", "BRIDGE");
	for (size_t i = 0; i < n; i++) {
		char subnet[32];

		eng_subnet_format(&list[i].subnet, subnet, sizeof(subnet));
		printf("%-20s %-18s %s\n", list[i].name, subnet, list[i].bridge);
	}
	free(list);
	return 0;
}

/* One network as JSON, with the containers attached to it. */
static cJSON *network_json(struct eng_cli *cli, const struct eng_network *net,
			   const struct eng_container *list, size_t n)
{
	cJSON *o = cJSON_CreateObject(), *ctrs;
	char buf[PATH_MAX], rel[64];

	cJSON_AddStringToObject(o, "Name", net->name);
	cJSON_AddStringToObject(o, "Driver", "bridge");
	eng_subnet_format(&net->subnet, buf, sizeof(buf));
	cJSON_AddStringToObject(o, "Subnet", buf);
	eng_subnet_gateway(&net->subnet, buf, sizeof(buf));
	cJSON_AddStringToObject(o, "Gateway", buf);
	cJSON_AddStringToObject(o, "Bridge", net->bridge);
	snprintf(rel, sizeof(rel), "networks/%s.conflist", net->name);
	eng_store_path(&cli->store, rel, buf);
	cJSON_AddStringToObject(o, "ConfigFile", buf);
	ctrs = cJSON_AddObjectToObject(o, "Containers");
	for (size_t i = 0; i < n; i++) {
		cJSON *c;

		if (list[i].network == NULL || strcmp(list[i].network, net->name) != 0 ||
		    list[i].netns == NULL || list[i].netns[0] == '\0')
			continue;
		c = cJSON_AddObjectToObject(ctrs, list[i].name);
		cJSON_AddStringToObject(c, "IPv4Address", list[i].ip ? list[i].ip : "");
		cJSON_AddStringToObject(c, "NetNS", list[i].netns);
	}
	return o;
}

static int network_inspect(struct eng_cli *cli, int argc, char **argv)
{
	struct eng_container *list = NULL;
	cJSON *out;
	char *text;
	size_t n = 0;
	int rc = no_options(cli, argc, argv, "network inspect");

	if (rc != 0)
		return rc == ENG_CLI_HELP ? 0 : rc;
	if (optind == argc)
		return eng_cli_usage(cli, "network inspect", "no network given");
	if (eng_cli_store(cli, false) < 0 || eng_container_list(&cli->store, &list, &n, &cli->err) < 0)
		return fail(cli);
	out = cJSON_CreateArray();
	for (int i = optind; rc == 0 && i < argc; i++) {
		struct eng_network net;

		rc = eng_network_load(&cli->store, argv[i], &net, &cli->err);
		if (rc == 0)
			cJSON_AddItemToArray(out, network_json(cli, &net, list, n));
	}
	eng_container_list_free(list, n);
	if (rc < 0) {
		cJSON_Delete(out);
		return fail(cli);
	}
	text = cJSON_Print(out);
	cJSON_Delete(out);
	if (text == NULL)
		return isolab_error_set(&cli->err, -ENOMEM, "out of memory"), fail(cli);
	puts(text);
	free(text);
	return 0;
}

static int network_rm(struct eng_cli *cli, int argc, char **argv)
{
	int rc = no_options(cli, argc, argv, "network rm"), status = 0;

	if (rc != 0)
		return rc == ENG_CLI_HELP ? 0 : rc;
	if (optind == argc)
		return eng_cli_usage(cli, "network rm", "no network given");
	if (eng_cli_store(cli, true) < 0)
		return fail(cli);
	for (int i = optind; i < argc; i++) {
		if (eng_network_remove(&cli->store, argv[i], &cli->err) < 0) {
			/* each failure printed, the others still go */
			if (i + 1 < argc)
				fprintf(stderr, "isolab: %s\n", cli->err.msg);
			status = fail(cli);
			continue;
		}
		puts(argv[i]);
	}
	return status;
}

static int network_prune(struct eng_cli *cli, int argc, char **argv)
{
	struct eng_network *nets = NULL;
	struct eng_container *list = NULL;
	size_t n = 0, n_ctrs = 0;
	int rc = no_options(cli, argc, argv, "network prune"), status = 0;
	bool header = false;

	if (rc != 0)
		return rc == ENG_CLI_HELP ? 0 : rc;
	if (optind != argc)
		return eng_cli_usage(cli, "network prune", "no arguments expected");
	if (eng_cli_store(cli, true) < 0)
		return fail(cli);
	eng_network_cleanup(&cli->store);
	if (eng_network_list(&cli->store, &nets, &n, &cli->err) < 0 ||
	    eng_container_list(&cli->store, &list, &n_ctrs, &cli->err) < 0) {
		free(nets);
		return fail(cli);
	}
	for (size_t i = 0; i < n; i++) {
		bool used = false;

		for (size_t j = 0; j < n_ctrs && !used; j++)
			used = list[j].network != NULL && strcmp(list[j].network, nets[i].name) == 0 &&
			       list[j].netns != NULL && list[j].netns[0] != '\0';
		if (used)
			continue;
		if (eng_network_remove(&cli->store, nets[i].name, &cli->err) < 0) {
			fprintf(stderr, "isolab: %s\n", cli->err.msg);
			cli->err.msg[0] = '\0';
			status = fail(cli);
			continue;
		}
		if (!header)
			puts("Deleted Networks:"), header = true;
		printf("%s\n", nets[i].name);
	}
	free(nets);
	eng_container_list_free(list, n_ctrs);
	return status;
}

int cmd_network(struct eng_cli *cli, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct eng_cli *, int, char **);
	} subs[] = {
		{ "create", network_create }, { "ls", network_ls }, { "list", network_ls },
		{ "inspect", network_inspect }, { "rm", network_rm }, { "remove", network_rm },
		{ "prune", network_prune },
	};

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(network_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? eng_cli_fail(cli, ENG_EXIT_USAGE) : 0;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(subs[i].name, argv[1]) == 0) {
			optind = 1;
			return subs[i].fn(cli, argc - 1, argv + 1);
		}
	}
	{
		const char *names[sizeof(subs) / sizeof(subs[0])];

		for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
			names[i] = subs[i].name;
		return eng_cli_bad_command(cli, "network", argv[1], names,
					   sizeof(names) / sizeof(names[0]));
	}
}

int cmd_port(struct eng_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	struct eng_container k;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return puts("usage: isolab port CONTAINER\n"
				    "the ports it published: CTRPORT/PROTO -> HOSTIP:HOSTPORT"), 0;
		return eng_cli_bad_option(cli, "port", argv, "h", opts);
	}
	if (optind + 1 != argc)
		return eng_cli_usage(cli, "port", "expected one CONTAINER");
	if (eng_cli_store(cli, false) < 0 ||
	    eng_container_load(&cli->store, argv[optind], &k, &cli->err) < 0)
		return ENG_EXIT_ERROR;
	for (size_t i = 0; k.ports != NULL && k.ports[i] != NULL; i++) {
		struct eng_port p;
		char line[64];

		if (eng_port_parse(k.ports[i], &p, NULL) < 0)
			continue;
		eng_port_describe(&p, line, sizeof(line));
		puts(line);
	}
	eng_container_free(&k);
	return 0;
}
