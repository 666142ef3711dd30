/* test_network_config.c: unit tests for engine/lib/network_config.c (CNI
 * conflists and results, subnets, published ports, hosts files). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/network_config.h"

static void expect_error(int rc, const struct isolab_error *err, const char *msg)
{
	assert_int_equal(rc, -EINVAL);
	assert_string_equal(err->msg, msg);
}

static void network_names(void **state)
{
	struct isolab_error err = { 0 };

	assert_int_equal(eng_network_name_check("isolab", &err), 0);
	assert_int_equal(eng_network_name_check("a", &err), 0);
	assert_int_equal(eng_network_name_check("net_1.b-c", &err), 0);
	expect_error(eng_network_name_check("bad name!", &err), &err,
		     "network name `bad name!`: only [a-zA-Z0-9][a-zA-Z0-9_.-] allowed");
	expect_error(eng_network_name_check("-x", &err), &err,
		     "network name `-x`: only [a-zA-Z0-9][a-zA-Z0-9_.-] allowed");
	expect_error(eng_network_name_check("../etc", &err), &err,
		     "network name `../etc`: only [a-zA-Z0-9][a-zA-Z0-9_.-] allowed");
	expect_error(eng_network_name_check("", &err), &err,
		     "network name ``: must be 1 to 32 characters");
	expect_error(eng_network_name_check("abcdefghijabcdefghijabcdefghijabc", &err), &err,
		     "network name `abcdefghijabcdefghijabcdefghijabc`: must be 1 to 32 characters");
}

static void subnets_parse_and_format(void **state)
{
	struct isolab_error err = { 0 };
	struct eng_subnet s;
	char buf[32];

	assert_int_equal(eng_subnet_parse("10.88.0.0/16", &s, &err), 0);
	assert_int_equal(s.addr, 0x0a580000);
	assert_int_equal(s.prefix, 16);
	eng_subnet_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "10.88.0.0/16");
	eng_subnet_gateway(&s, buf, sizeof(buf));
	assert_string_equal(buf, "10.88.0.1");
	assert_int_equal(eng_subnet_parse("192.168.7.0/24", &s, &err), 0);
	expect_error(eng_subnet_parse("10.88.0.1/16", &s, &err), &err,
		     "subnet `10.88.0.1/16`: host bits set (the network is 10.88.0.0/16)");
	expect_error(eng_subnet_parse("10.88.0.0", &s, &err), &err,
		     "subnet `10.88.0.0`: expected IPV4/PREFIX, as 10.88.0.0/16");
	expect_error(eng_subnet_parse("10.88.0.0/31", &s, &err), &err,
		     "subnet `10.88.0.0/31`: the prefix length must be 8 to 30");
	expect_error(eng_subnet_parse("10.88.0.0/", &s, &err), &err,
		     "subnet `10.88.0.0/`: the prefix length must be 8 to 30");
	expect_error(eng_subnet_parse("10.88.0.0/16x", &s, &err), &err,
		     "subnet `10.88.0.0/16x`: the prefix length must be 8 to 30");
	expect_error(eng_subnet_parse("10.888.0.0/16", &s, &err), &err,
		     "subnet `10.888.0.0/16`: `10.888.0.0` is not an IPv4 address");
	expect_error(eng_subnet_parse("fd00::/64", &s, &err), &err,
		     "subnet `fd00::/64`: `fd00::` is not an IPv4 address");
}

static void subnets_overlap_and_pick(void **state)
{
	struct isolab_error err = { 0 };
	struct eng_subnet a = { 0x0a580000, 16 }, b = { 0x0a58ff00, 24 }, c = { 0x0a590000, 16 },
			  wide = { 0x0a000000, 8 }, used[3], got;

	assert_true(eng_subnet_overlaps(&a, &b));
	assert_true(eng_subnet_overlaps(&b, &a));
	assert_false(eng_subnet_overlaps(&a, &c));
	assert_true(eng_subnet_overlaps(&wide, &c));
	assert_int_equal(eng_subnet_pick(NULL, 0, &got, &err), 0);
	assert_int_equal(got.addr, 0x0a580000);
	assert_int_equal(got.prefix, 16);
	used[0] = b;
	used[1] = c;
	assert_int_equal(eng_subnet_pick(used, 2, &got, &err), 0);
	assert_int_equal(got.addr, 0x0a5a0000); /* 10.90.0.0/16 */
	used[2] = wide;
	assert_int_equal(eng_subnet_pick(used, 3, &got, &err), -ENOSPC);
	assert_string_equal(err.msg, "no free subnet in 10.88.0.0-10.127.255.255 (give one: "
				     "--subnet)");
}

static void bridge_names_are_short_and_distinct(void **state)
{
	char a[32], b[32], c[32], id[128];

	eng_network_bridge_name("/var/lib/isolab", "isolab", a, sizeof(a));
	eng_network_bridge_name("/tmp/store", "isolab", b, sizeof(b));
	eng_network_bridge_name("/var/lib/isolab", "isolab2", c, sizeof(c));
	assert_int_equal(strlen(a), ENG_IFNAME_MAX - 1);
	assert_memory_equal(a, "isl-", 4);
	assert_string_not_equal(a, b);
	assert_string_not_equal(a, c);
	eng_network_bridge_name("/var/lib/isolab", "isolab", b, sizeof(b));
	assert_string_equal(a, b);
	eng_network_container_id("/var/lib/isolab", "web", id, sizeof(id));
	assert_int_equal(strlen(id), strlen("isolab-12345678-web"));
	assert_memory_equal(id, "isolab-", 7);
	assert_string_equal(id + 15, "-web");
}

static void conflist_round_trip(void **state)
{
	struct eng_network n = { .name = "front", .bridge = "isl-0123456789",
				 .subnet = { 0x0ac80000, 16 } }, back;
	struct isolab_error err = { 0 };
	char *text = eng_network_conflist(&n, "/s/networks/ipam");
	cJSON *doc = cJSON_Parse(text), *plugins, *p;

	assert_non_null(doc);
	assert_string_equal(cJSON_GetObjectItem(doc, "cniVersion")->valuestring, "1.0.0");
	assert_string_equal(cJSON_GetObjectItem(doc, "name")->valuestring, "front");
	plugins = cJSON_GetObjectItem(doc, "plugins");
	assert_int_equal(cJSON_GetArraySize(plugins), 3);
	p = cJSON_GetArrayItem(plugins, 0);
	assert_string_equal(cJSON_GetObjectItem(p, "type")->valuestring, "bridge");
	assert_string_equal(cJSON_GetObjectItem(p, "bridge")->valuestring, "isl-0123456789");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(p, "isGateway")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(p, "ipMasq")));
	p = cJSON_GetObjectItem(p, "ipam");
	assert_string_equal(cJSON_GetObjectItem(p, "type")->valuestring, "host-local");
	assert_string_equal(cJSON_GetObjectItem(p, "dataDir")->valuestring, "/s/networks/ipam");
	p = cJSON_GetArrayItem(cJSON_GetArrayItem(cJSON_GetObjectItem(p, "ranges"), 0), 0);
	assert_string_equal(cJSON_GetObjectItem(p, "subnet")->valuestring, "10.200.0.0/16");
	assert_string_equal(cJSON_GetObjectItem(p, "gateway")->valuestring, "10.200.0.1");
	p = cJSON_GetArrayItem(plugins, 1);
	assert_string_equal(cJSON_GetObjectItem(p, "type")->valuestring, "portmap");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "capabilities"),
						     "portMappings")));
	p = cJSON_GetArrayItem(plugins, 2);
	assert_string_equal(cJSON_GetObjectItem(p, "type")->valuestring, "firewall");
	cJSON_Delete(doc);

	assert_int_equal(eng_network_conflist_parse(text, "f", &back, &err), 0);
	assert_string_equal(back.name, "front");
	assert_string_equal(back.bridge, "isl-0123456789");
	assert_int_equal(back.subnet.addr, 0x0ac80000);
	assert_int_equal(back.subnet.prefix, 16);
	free(text);
}

static void conflist_parse_refuses(void **state)
{
	struct isolab_error err = { 0 };
	struct eng_network n;

	expect_error(eng_network_conflist_parse("{", "x.conflist", &n, &err), &err,
		     "network config `x.conflist`: not JSON");
	expect_error(eng_network_conflist_parse("{\"name\":\"a b\",\"plugins\":[]}", "x", &n, &err),
		     &err, "network config `x`: no valid name");
	expect_error(eng_network_conflist_parse("{\"name\":\"a\",\"plugins\":[{\"type\":"
						"\"macvlan\"}]}", "x", &n, &err), &err,
		     "network config `x`: no bridge plugin with a bridge name");
	expect_error(eng_network_conflist_parse("{\"name\":\"a\",\"plugins\":[{\"type\":"
						"\"bridge\",\"bridge\":\"b0123456789012345\"}]}",
						"x", &n, &err), &err,
		     "network config `x`: no bridge plugin with a bridge name");
	expect_error(eng_network_conflist_parse("{\"name\":\"a\",\"plugins\":[{\"type\":"
						"\"bridge\",\"bridge\":\"br0\",\"ipam\":{\"ranges\":"
						"[[{\"subnet\":\"10.0.0.1/8\"}]]}}]}", "x", &n, &err),
		     &err, "network config `x`: no valid subnet");
}

static void check_port(const char *text, const char *ip, unsigned host, unsigned ctr, bool udp,
		       const char *formatted, const char *described)
{
	struct isolab_error err = { 0 };
	struct eng_port p;
	char buf[64];

	if (eng_port_parse(text, &p, &err) != 0)
		fail_msg("`%s` refused: %s", text, err.msg);
	assert_string_equal(p.host_ip, ip);
	assert_int_equal(p.host_port, host);
	assert_int_equal(p.ctr_port, ctr);
	assert_int_equal(p.udp, udp);
	eng_port_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, formatted);
	eng_port_describe(&p, buf, sizeof(buf));
	assert_string_equal(buf, described);
}

static void ports_parse(void **state)
{
	struct isolab_error err = { 0 };
	struct eng_port p;

	check_port("8080:80", "0.0.0.0", 8080, 80, false, "0.0.0.0:8080:80/tcp",
		   "80/tcp -> 0.0.0.0:8080");
	check_port("127.0.0.1:8080:80/tcp", "127.0.0.1", 8080, 80, false,
		   "127.0.0.1:8080:80/tcp", "80/tcp -> 127.0.0.1:8080");
	check_port("5353:53/udp", "0.0.0.0", 5353, 53, true, "0.0.0.0:5353:53/udp",
		   "53/udp -> 0.0.0.0:5353");
	check_port(":1:65535", "0.0.0.0", 1, 65535, false, "0.0.0.0:1:65535/tcp",
		   "65535/tcp -> 0.0.0.0:1");
	expect_error(eng_port_parse("80", &p, &err), &err,
		     "-p `80`: expected [HOSTIP:]HOSTPORT:CTRPORT[/tcp|/udp]");
	expect_error(eng_port_parse("8080:80/sctp", &p, &err), &err,
		     "-p `8080:80/sctp`: protocol must be tcp or udp");
	expect_error(eng_port_parse("8080:0", &p, &err), &err,
		     "-p `8080:0`: container port `0`: expected 1 to 65535");
	expect_error(eng_port_parse("65536:80", &p, &err), &err,
		     "-p `65536:80`: host port `65536`: expected 1 to 65535");
	expect_error(eng_port_parse("x:80", &p, &err), &err,
		     "-p `x:80`: host port `x`: expected 1 to 65535");
	expect_error(eng_port_parse("-1:80", &p, &err), &err,
		     "-p `-1:80`: host port `-1`: expected 1 to 65535");
	expect_error(eng_port_parse("1.2.3:8080:80", &p, &err), &err,
		     "-p `1.2.3:8080:80`: host IP `1.2.3`: not an IPv4 address");
	expect_error(eng_port_parse("8080-8090:80", &p, &err), &err,
		     "-p `8080-8090:80`: host port `8080-8090`: expected 1 to 65535");
}

static void port_mappings_capability(void **state)
{
	struct eng_port ports[2];
	cJSON *a;
	char *text;

	assert_int_equal(eng_port_parse("8080:80", &ports[0], NULL), 0);
	assert_int_equal(eng_port_parse("127.0.0.1:5353:53/udp", &ports[1], NULL), 0);
	a = eng_port_mappings_json(ports, 2);
	text = cJSON_PrintUnformatted(a);
	assert_string_equal(text, "[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"},"
				  "{\"hostPort\":5353,\"containerPort\":53,\"protocol\":\"udp\","
				  "\"hostIP\":\"127.0.0.1\"}]");
	free(text);
	cJSON_Delete(a);
}

static void cni_results(void **state)
{
	/* the bridge plugin's answer, as Debian's 1.1.1 prints it */
	static const char result[] =
		"{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"isl-x\"},{\"name\":\"veth1\"},"
		"{\"name\":\"eth0\",\"sandbox\":\"/s/netns/c\"}],\"ips\":[{\"interface\":2,"
		"\"address\":\"fd00::2/64\"},{\"interface\":2,\"address\":\"10.88.0.2/16\","
		"\"gateway\":\"10.88.0.1\"}],\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dns\":{}}";
	struct isolab_error err = { 0 };
	char ip[16], msg[128];

	assert_int_equal(eng_cni_result_ip(result, ip, sizeof(ip), &err), 0);
	assert_string_equal(ip, "10.88.0.2");
	expect_error(eng_cni_result_ip("{\"ips\":[]}", ip, sizeof(ip), &err), &err,
		     "CNI result: no IPv4 address in ips[]");
	expect_error(eng_cni_result_ip("{\"ips\":[{\"address\":\"10.88.0.2\"}]}", ip, sizeof(ip),
				       &err), &err, "CNI result: no IPv4 address in ips[]");
	expect_error(eng_cni_result_ip("nope", ip, sizeof(ip), &err), &err,
		     "CNI result: not JSON");
	eng_cni_error_message("{\"cniVersion\":\"1.0.0\",\"code\":7,\"msg\":\"failed to set "
			      "bridge addr\",\"details\":\"could not add IP\\naddress\"}", msg,
			      sizeof(msg));
	assert_string_equal(msg, "failed to set bridge addr (could not add IP address)");
	eng_cni_error_message("{\"code\":11,\"msg\":\"no IP addresses available\"}", msg,
			      sizeof(msg));
	assert_string_equal(msg, "no IP addresses available");
	eng_cni_error_message("panic: boom\n", msg, sizeof(msg));
	assert_string_equal(msg, "panic: boom");
	eng_cni_error_message("", msg, sizeof(msg));
	assert_string_equal(msg, "failed without a message");
}

static void hosts_and_resolv(void **state)
{
	struct eng_host_entry self = { "10.88.0.3", "web" };
	struct eng_host_entry peers[] = { { "10.88.0.2", "db" }, { "10.88.0.4", "cache" } };
	char *text = eng_hosts_file(&self, "web", peers, 2);

	assert_string_equal(text, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
				  "ip6-loopback\n10.88.0.3\tweb\n10.88.0.2\tdb\n10.88.0.4\tcache\n");
	free(text);
	text = eng_hosts_file(&self, "box", NULL, 0);
	assert_string_equal(text, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
				  "ip6-loopback\n10.88.0.3\tweb box\n");
	free(text);
	text = eng_resolv_conf("# comment\nnameserver 127.0.0.53\nnameserver 192.0.2.1\n"
			       "search lab\nnameserver ::1\noptions edns0");
	assert_string_equal(text, "# comment\nnameserver 192.0.2.1\nsearch lab\noptions edns0\n");
	free(text);
	text = eng_resolv_conf("");
	assert_string_equal(text, "");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(network_names),
		cmocka_unit_test(subnets_parse_and_format),
		cmocka_unit_test(subnets_overlap_and_pick),
		cmocka_unit_test(bridge_names_are_short_and_distinct),
		cmocka_unit_test(conflist_round_trip),
		cmocka_unit_test(conflist_parse_refuses),
		cmocka_unit_test(ports_parse),
		cmocka_unit_test(port_mappings_capability),
		cmocka_unit_test(cni_results),
		cmocka_unit_test(hosts_and_resolv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
