/*
 * container.h: the containers the engine ran, as docker ps -a lists them.
 * ROOT/containers/NAME/ holds
 *   config.json   {"Name", "Image" (as the user named it), "ImageID",
 *                  "Manifest", "Created", "Command": [...], "Rm", "Pid",
 *                  "ExitCode", and with a network (network.h) "Network",
 *                  "NetNS" (the namespace's file while it is attached,
 *                  "" once detached), "IPAddress", "Hostname", "Ports":
 *                  ["HOSTIP:HOSTPORT:CTRPORT/PROTO", ...]}; the store's
 *                  garbage collection keeps the image (Manifest) while the
 *                  record exists
 *   hosts, resolv.conf, cni-result.json   with a network: the container's
 *                 /etc/hosts and /etc/resolv.conf (bind-mounted), and the
 *                 CNI ADD result that DEL is given back
 *   upper/        its writable layer once it exited (isolab-ctr
 *                 --keep-layer), unless it ran with --rm: what `isolab
 *                 commit` turns into a new layer on top of its image
 * The running container itself belongs to isolab-ctr.
 */
#ifndef ISOLAB_ENGINE_CONTAINER_H
#define ISOLAB_ENGINE_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "engine/lib/store.h"

/* Docker's container names: [a-zA-Z0-9][a-zA-Z0-9_.-]+; isolab-ctr's
 * limit on an id is 64 characters. */
#define ENG_CONTAINER_NAME_MAX 64

struct eng_container {
	char name[ENG_CONTAINER_NAME_MAX + 1];
	char *image;          /* as the user named it */
	struct eng_digest image_id;
	struct eng_digest manifest;
	char *created;        /* RFC 3339, UTC */
	char **command;       /* argv, NULL-ended */
	bool rm;
	pid_t pid;            /* the runtime's, 0 before it started */
	int exit_code;        /* -1 while it runs (or if it never reported) */
	/* Its network (all NULL or "" with --network none|host). */
	char *network;        /* the CNI network's name */
	char *netns;          /* its network namespace file while attached */
	char *ip;             /* its IPv4 address on the network */
	char *hostname;
	char **ports;         /* published ports, eng_port_format()'s, NULL-ended */
};

/* Docker's name characters (containers, networks): [a-zA-Z0-9] first,
 * then [a-zA-Z0-9_.-]. */
bool eng_name_char(char c, bool first);
/* 0, or -EINVAL: "container name `N`: why". */
int eng_container_name_check(const char *name, struct isolab_error *err);
/* A fresh name: "isolab-" and 8 random hex digits. */
void eng_container_name_new(char *buf, size_t size);

/* Records c (its name must be free: -EEXIST "container name `N` is
 * already in use"). */
int eng_container_create(const struct eng_store *s, const struct eng_container *c,
			 struct isolab_error *err);
/* Rewrites c's config.json (pid, exit code). */
int eng_container_save(const struct eng_store *s, const struct eng_container *c,
		       struct isolab_error *err);
int eng_container_load(const struct eng_store *s, const char *name, struct eng_container *c,
		       struct isolab_error *err);
void eng_container_free(struct eng_container *c);
/* Every record, sorted by creation (oldest first). */
int eng_container_list(const struct eng_store *s, struct eng_container **out, size_t *n,
		       struct isolab_error *err);
void eng_container_list_free(struct eng_container *list, size_t n);
/* Removes the record and its kept layer. */
int eng_container_remove(const struct eng_store *s, const char *name, struct isolab_error *err);

/* Removes the records of --rm containers whose process is gone (a --rm
 * run execs the runtime, so nothing is left to remove its record); those
 * still attached to a network are left to eng_network_cleanup(). Call
 * with the store locked exclusively. Returns how many went. */
int eng_container_prune_rm(const struct eng_store *s);

/* ROOT/containers/NAME/FILE (PATH_MAX): hosts, resolv.conf, cni-result.json. */
void eng_container_file_path(const struct eng_store *s, const char *name, const char *file,
			     char *buf);

/* Still running: its runtime process lives and it has not reported an exit. */
bool eng_container_running(const struct eng_container *c);
/* ROOT/containers/NAME/upper (PATH_MAX). */
void eng_container_upper_path(const struct eng_store *s, const char *name, char *buf);

#endif
