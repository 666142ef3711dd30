/* test_network_record.c: unit tests for what engine/lib/container.c keeps
 * of a container's network (Network, NetNS, IPAddress, Hostname, Ports) and
 * for engine/lib/network.c's store side (create, overlap, list, remove)
 * that needs no plugin and no root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/rmtree.h"
#include "engine/lib/container.h"
#include "engine/lib/network.h"

#define DIGEST_A "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static int setup(void **state)
{
	static char root[64];
	struct isolab_error err = { 0 };
	struct eng_store *s = calloc(1, sizeof(*s));

	snprintf(root, sizeof(root), "/tmp/isolab-netrec.XXXXXX");
	if (s == NULL || mkdtemp(root) == NULL || eng_store_open(s, root, &err) < 0)
		return -1;
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct eng_store *s = *state;
	char root[sizeof(s->root)];

	snprintf(root, sizeof(root), "%s", s->root);
	eng_store_close(s);
	free(s);
	return isolab_rm_rf(root);
}

static char *xdup(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	return d;
}

static void record_keeps_the_network(void **state)
{
	struct eng_store *s = *state;
	struct isolab_error err = { 0 };
	struct eng_container c = { .name = "web", .exit_code = -1 }, back;

	assert_int_equal(eng_digest_parse(DIGEST_A, "id", &c.image_id, &err), 0);
	c.manifest = c.image_id;
	c.image = xdup("bb:1");
	c.created = xdup("2026-12-02T05:00:00Z");
	c.command = calloc(2, sizeof(char *));
	c.command[0] = xdup("httpd");
	c.network = xdup("isolab");
	c.netns = xdup("/s/netns/web");
	c.ip = xdup("10.88.0.2");
	c.hostname = xdup("box");
	c.ports = calloc(3, sizeof(char *));
	c.ports[0] = xdup("127.0.0.1:8080:80/tcp");
	c.ports[1] = xdup("0.0.0.0:5353:53/udp");
	assert_int_equal(eng_container_create(s, &c, &err), 0);
	assert_int_equal(eng_container_load(s, "web", &back, &err), 0);
	assert_string_equal(back.network, "isolab");
	assert_string_equal(back.netns, "/s/netns/web");
	assert_string_equal(back.ip, "10.88.0.2");
	assert_string_equal(back.hostname, "box");
	assert_string_equal(back.ports[0], "127.0.0.1:8080:80/tcp");
	assert_string_equal(back.ports[1], "0.0.0.0:5353:53/udp");
	assert_null(back.ports[2]);
	eng_container_free(&back);
	/* --network none: no network fields, read back as NULL */
	free(c.network);
	c.network = NULL;
	assert_int_equal(eng_container_save(s, &c, &err), 0);
	assert_int_equal(eng_container_load(s, "web", &back, &err), 0);
	assert_null(back.network);
	assert_null(back.netns);
	assert_null(back.ports);
	eng_container_free(&back);
	eng_container_free(&c);
}

static void networks_in_the_store(void **state)
{
	struct eng_store *s = *state;
	struct isolab_error err = { 0 };
	struct eng_network n, *list = NULL;
	char bridge[32];
	size_t count = 0;

	assert_int_equal(eng_network_create(s, "front", "10.201.0.0/24", &n, &err), 0);
	eng_network_bridge_name(s->root, "front", bridge, sizeof(bridge));
	assert_string_equal(n.bridge, bridge);
	assert_int_equal(eng_network_create(s, "front", "10.202.0.0/24", &n, &err), -EEXIST);
	assert_string_equal(err.msg, "network `front` already exists");
	assert_int_equal(eng_network_create(s, "back", "10.201.0.128/25", &n, &err), -EEXIST);
	assert_string_equal(err.msg, "subnet `10.201.0.128/25` overlaps network `front` "
				     "(10.201.0.0/24)");
	assert_int_equal(eng_network_create(s, "lo-net", "127.0.0.0/16", &n, &err), -EEXIST);
	assert_string_equal(err.msg, "subnet `127.0.0.0/16` overlaps 127.0.0.0/8 of interface "
				     "`lo`");
	assert_int_equal(eng_network_create(s, "none", NULL, &n, &err), -EINVAL);
	assert_string_equal(err.msg, "network name `none`: reserved");
	assert_int_equal(eng_network_create(s, "back", "10.201.1.0/24", &n, &err), 0);
	assert_int_equal(eng_network_list(s, &list, &count, &err), 0);
	assert_int_equal(count, 2);
	assert_string_equal(list[0].name, "back");
	assert_string_equal(list[1].name, "front");
	free(list);
	assert_int_equal(eng_network_load(s, "nope", &n, &err), -ENOENT);
	assert_string_equal(err.msg, "network `nope` not found");
	if (geteuid() == 0) { /* removing touches the bridge (absent: fine) */
		assert_int_equal(eng_network_remove(s, "back", &err), 0);
		assert_int_equal(eng_network_load(s, "back", &n, &err), -ENOENT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(record_keeps_the_network, setup, teardown),
		cmocka_unit_test_setup_teardown(networks_in_the_store, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
