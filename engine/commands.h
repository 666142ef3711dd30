/*
 * commands.h: the engine's commands, one group per file: cmd_images.c
 * (images, inspect, history, tag, rmi), cmd_run.c (run), cmd_containers.c
 * (ps, rm), cmd_network.c (network, port), cmd_import.c (import, commit), cmd_archive.c (save, load),
 * cmd_registry.c (push, pull), cmd_build.c (build). The last four groups are only in
 * build/isolab-full: weak here, NULL in build/isolab (main.c).
 */
#ifndef ISOLAB_ENGINE_COMMANDS_H
#define ISOLAB_ENGINE_COMMANDS_H

#include "engine/cli.h"

typedef int eng_command_fn(struct eng_cli *cli, int argc, char **argv);

struct eng_command {
	const char *name;
	eng_command_fn *fn;
	const char *summary;
};

eng_command_fn cmd_images, cmd_inspect, cmd_history, cmd_tag, cmd_rmi;
eng_command_fn cmd_run, cmd_ps, cmd_rm, cmd_network, cmd_port;
/* build/isolab-full only */
__attribute__((weak)) eng_command_fn cmd_import, cmd_commit, cmd_save, cmd_load, cmd_push,
	cmd_pull, cmd_build;

#endif
