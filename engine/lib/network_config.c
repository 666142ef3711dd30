/* network_config.c: names, subnets, conflists, ports and CNI results, no
 * system call (see network_config.h). */
#include "engine/lib/network_config.h"
#include "common/cleanup.h"
#include "engine/lib/container.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int eng_network_name_check(const char *name, struct isolab_error *err)
{
	size_t len = strlen(name);

	if (len == 0 || len > ENG_NETWORK_NAME_MAX)
		return isolab_error_set(err, -EINVAL, "network name `%.80s`: must be 1 to %d "
					"characters", name, ENG_NETWORK_NAME_MAX);
	for (size_t i = 0; i < len; i++)
		if (!eng_name_char(name[i], i == 0))
			return isolab_error_set(err, -EINVAL, "network name `%.80s`: only "
						"[a-zA-Z0-9][a-zA-Z0-9_.-] allowed", name);
	return 0;
}

/* A dotted IPv4 address, strictly (inet_pton: four decimal parts). */
static bool parse_ipv4(const char *text, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, text, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

static void format_ipv4(uint32_t addr, char *buf, size_t size)
{
	struct in_addr a = { htonl(addr) };
	char tmp[INET_ADDRSTRLEN];

	snprintf(buf, size, "%s", inet_ntop(AF_INET, &a, tmp, sizeof(tmp)) ? tmp : "?");
}

static uint32_t mask_of(unsigned prefix)
{
	return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

int eng_subnet_parse(const char *text, struct eng_subnet *out, struct isolab_error *err)
{
	char addr[INET_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	char *end;
	unsigned long prefix;

	if (slash == NULL || (size_t)(slash - text) >= sizeof(addr))
		return isolab_error_set(err, -EINVAL, "subnet `%.80s`: expected IPV4/PREFIX, as "
					"10.88.0.0/16", text);
	memcpy(addr, text, (size_t)(slash - text));
	addr[slash - text] = '\0';
	if (!parse_ipv4(addr, &out->addr))
		return isolab_error_set(err, -EINVAL, "subnet `%.80s`: `%s` is not an IPv4 "
					"address", text, addr);
	errno = 0;
	prefix = strtoul(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || prefix < 8 || prefix > 30)
		return isolab_error_set(err, -EINVAL, "subnet `%.80s`: the prefix length must be "
					"8 to 30", text);
	out->prefix = (unsigned)prefix;
	if (out->addr & ~mask_of(out->prefix))
		return isolab_error_set(err, -EINVAL, "subnet `%.80s`: host bits set (the "
					"network is %s/%lu)", text,
					inet_ntoa((struct in_addr){ htonl(out->addr & mask_of(out->prefix)) }),
					prefix);
	return 0;
}

void eng_subnet_format(const struct eng_subnet *s, char *buf, size_t size)
{
	char a[INET_ADDRSTRLEN];

	format_ipv4(s->addr, a, sizeof(a));
	snprintf(buf, size, "%s/%u", a, s->prefix);
}

void eng_subnet_gateway(const struct eng_subnet *s, char *buf, size_t size)
{
	format_ipv4(s->addr + 1, buf, size);
}

bool eng_subnet_overlaps(const struct eng_subnet *a, const struct eng_subnet *b)
{
	uint32_t m = mask_of(a->prefix < b->prefix ? a->prefix : b->prefix);

	return (a->addr & m) == (b->addr & m);
}

int eng_subnet_pick(const struct eng_subnet *used, size_t n, struct eng_subnet *out,
		    struct isolab_error *err)
{
	for (unsigned b = ENG_SUBNET_POOL_FIRST; b <= ENG_SUBNET_POOL_LAST; b++) {
		struct eng_subnet s = { (10u << 24) | (b << 16), 16 };
		size_t i = 0;

		while (i < n && !eng_subnet_overlaps(&s, &used[i]))
			i++;
		if (i == n) {
			*out = s;
			return 0;
		}
	}
	return isolab_error_set(err, -ENOSPC, "no free subnet in 10.%d.0.0-10.%d.255.255 "
				"(give one: --subnet)", ENG_SUBNET_POOL_FIRST, ENG_SUBNET_POOL_LAST);
}

/* FNV-1a, 64 bits, over the strings given (each with its NUL). */
static uint64_t fnv1a(const char *a, const char *b)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const char *s = a;; s++) {
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
		if (*s == '\0')
			break;
	}
	for (const char *s = b; s != NULL; s++) {
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
		if (*s == '\0')
			break;
	}
	return h;
}

void eng_network_bridge_name(const char *root, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "isl-%010llx",
		 (unsigned long long)(fnv1a(root, name) & 0xffffffffffull));
}

void eng_network_container_id(const char *root, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "isolab-%08llx-%s",
		 (unsigned long long)(fnv1a(root, NULL) & 0xffffffffull), name);
}

char *eng_network_conflist(const struct eng_network *n, const char *data_dir)
{
	char subnet[32], gateway[INET_ADDRSTRLEN];
	cJSON *doc = cJSON_CreateObject(), *plugins, *p, *ipam, *ranges, *range, *r, *routes, *caps;
	char *text;

	eng_subnet_format(&n->subnet, subnet, sizeof(subnet));
	eng_subnet_gateway(&n->subnet, gateway, sizeof(gateway));
	cJSON_AddStringToObject(doc, "cniVersion", ENG_CNI_VERSION);
	cJSON_AddStringToObject(doc, "name", n->name);
	plugins = cJSON_AddArrayToObject(doc, "plugins");
	p = cJSON_CreateObject();
	cJSON_AddItemToArray(plugins, p);
	cJSON_AddStringToObject(p, "type", "bridge");
	cJSON_AddStringToObject(p, "bridge", n->bridge);
	cJSON_AddBoolToObject(p, "isGateway", true);
	cJSON_AddBoolToObject(p, "ipMasq", true);
	cJSON_AddBoolToObject(p, "hairpinMode", true);
	ipam = cJSON_AddObjectToObject(p, "ipam");
	cJSON_AddStringToObject(ipam, "type", "host-local");
	ranges = cJSON_AddArrayToObject(ipam, "ranges");
	range = cJSON_CreateArray();
	cJSON_AddItemToArray(ranges, range);
	r = cJSON_CreateObject();
	cJSON_AddItemToArray(range, r);
	cJSON_AddStringToObject(r, "subnet", subnet);
	cJSON_AddStringToObject(r, "gateway", gateway);
	routes = cJSON_AddArrayToObject(ipam, "routes");
	r = cJSON_CreateObject();
	cJSON_AddItemToArray(routes, r);
	cJSON_AddStringToObject(r, "dst", "0.0.0.0/0");
	cJSON_AddStringToObject(ipam, "dataDir", data_dir);
	p = cJSON_CreateObject();
	cJSON_AddItemToArray(plugins, p);
	cJSON_AddStringToObject(p, "type", "portmap");
	caps = cJSON_AddObjectToObject(p, "capabilities");
	cJSON_AddBoolToObject(caps, "portMappings", true);
	cJSON_AddBoolToObject(p, "snat", true);
	p = cJSON_CreateObject();
	cJSON_AddItemToArray(plugins, p);
	cJSON_AddStringToObject(p, "type", "firewall");
	text = cJSON_Print(doc);
	cJSON_Delete(doc);
	return text;
}

static const char *str_at(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int eng_network_conflist_parse(const char *text, const char *what, struct eng_network *out,
			       struct isolab_error *err)
{
	cJSON *doc = cJSON_Parse(text);
	const cJSON *plugins, *p, *ranges;
	const char *name, *bridge = NULL, *subnet = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (doc == NULL)
		return isolab_error_set(err, -EINVAL, "network config `%s`: not JSON", what);
	name = str_at(doc, "name");
	plugins = cJSON_GetObjectItemCaseSensitive(doc, "plugins");
	cJSON_ArrayForEach(p, plugins) {
		const char *type = str_at(p, "type");

		if (type == NULL || strcmp(type, "bridge") != 0)
			continue;
		bridge = str_at(p, "bridge");
		ranges = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(p, "ipam"), "ranges");
		subnet = str_at(cJSON_GetArrayItem(cJSON_GetArrayItem(ranges, 0), 0), "subnet");
		break;
	}
	if (name == NULL || eng_network_name_check(name, err) < 0)
		rc = isolab_error_set(err, -EINVAL, "network config `%s`: no valid name", what);
	else if (bridge == NULL || strlen(bridge) > ENG_IFNAME_MAX || bridge[0] == '\0')
		rc = isolab_error_set(err, -EINVAL, "network config `%s`: no bridge plugin with "
				      "a bridge name", what);
	else if (subnet == NULL || eng_subnet_parse(subnet, &out->subnet, err) < 0)
		rc = isolab_error_set(err, -EINVAL, "network config `%s`: no valid subnet", what);
	if (rc == 0) {
		snprintf(out->name, sizeof(out->name), "%s", name);
		snprintf(out->bridge, sizeof(out->bridge), "%s", bridge);
	}
	cJSON_Delete(doc);
	return rc;
}

static int parse_port_number(const char *s, size_t len, uint16_t *out)
{
	unsigned v = 0;

	if (len == 0 || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int eng_port_parse(const char *text, struct eng_port *out, struct isolab_error *err)
{
	char buf[80];
	char *proto, *ctr, *host, *ip = NULL;
	uint32_t addr;

	memset(out, 0, sizeof(*out));
	if (strlen(text) >= sizeof(buf))
		return isolab_error_set(err, -EINVAL, "-p `%.80s`: too long", text);
	strcpy(buf, text);
	proto = strchr(buf, '/');
	if (proto != NULL) {
		*proto++ = '\0';
		if (strcmp(proto, "udp") == 0)
			out->udp = true;
		else if (strcmp(proto, "tcp") != 0)
			return isolab_error_set(err, -EINVAL, "-p `%s`: protocol must be tcp or "
						"udp", text);
	}
	ctr = strrchr(buf, ':');
	if (ctr == NULL)
		return isolab_error_set(err, -EINVAL, "-p `%s`: expected "
					"[HOSTIP:]HOSTPORT:CTRPORT[/tcp|/udp]", text);
	*ctr++ = '\0';
	host = strrchr(buf, ':');
	if (host != NULL) {
		*host++ = '\0';
		ip = buf;
	} else {
		host = buf;
	}
	if (parse_port_number(ctr, strlen(ctr), &out->ctr_port) < 0)
		return isolab_error_set(err, -EINVAL, "-p `%s`: container port `%s`: expected 1 "
					"to 65535", text, ctr);
	if (parse_port_number(host, strlen(host), &out->host_port) < 0)
		return isolab_error_set(err, -EINVAL, "-p `%s`: host port `%s`: expected 1 to "
					"65535", text, host);
	if (ip == NULL || ip[0] == '\0')
		ip = "0.0.0.0";
	if (!parse_ipv4(ip, &addr))
		return isolab_error_set(err, -EINVAL, "-p `%s`: host IP `%s`: not an IPv4 "
					"address", text, ip);
	format_ipv4(addr, out->host_ip, sizeof(out->host_ip));
	return 0;
}

void eng_port_format(const struct eng_port *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%u:%u/%s", p->host_ip, p->host_port, p->ctr_port,
		 p->udp ? "udp" : "tcp");
}

void eng_port_describe(const struct eng_port *p, char *buf, size_t size)
{
	snprintf(buf, size, "%u/%s -> %s:%u", p->ctr_port, p->udp ? "udp" : "tcp", p->host_ip,
		 p->host_port);
}

cJSON *eng_port_mappings_json(const struct eng_port *ports, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a != NULL && i < n; i++) {
		cJSON *m = cJSON_CreateObject();

		cJSON_AddItemToArray(a, m);
		cJSON_AddNumberToObject(m, "hostPort", ports[i].host_port);
		cJSON_AddNumberToObject(m, "containerPort", ports[i].ctr_port);
		cJSON_AddStringToObject(m, "protocol", ports[i].udp ? "udp" : "tcp");
		if (strcmp(ports[i].host_ip, "0.0.0.0") != 0)
			cJSON_AddStringToObject(m, "hostIP", ports[i].host_ip);
	}
	return a;
}

int eng_cni_result_ip(const char *result, char *buf, size_t size, struct isolab_error *err)
{
	cJSON *doc = cJSON_Parse(result);
	const char *addr = NULL;
	const cJSON *it;
	int rc = 0;
	size_t len;

	if (doc == NULL)
		return isolab_error_set(err, -EINVAL, "CNI result: not JSON");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc, "ips")) {
		const char *a = str_at(it, "address");

		if (a != NULL && strchr(a, ':') == NULL) {
			addr = a;
			break;
		}
	}
	len = addr ? strcspn(addr, "/") : 0;
	if (addr == NULL || addr[len] != '/' || len == 0 || len >= size)
		rc = isolab_error_set(err, -EINVAL, "CNI result: no IPv4 address in ips[]");
	else
		snprintf(buf, size, "%.*s", (int)len, addr);
	cJSON_Delete(doc);
	return rc;
}

void eng_cni_error_message(const char *output, char *buf, size_t size)
{
	cJSON *doc = cJSON_Parse(output);
	const char *msg = doc ? str_at(doc, "msg") : NULL, *details = doc ? str_at(doc, "details") : NULL;
	size_t len;

	if (msg != NULL && details != NULL && details[0] != '\0')
		snprintf(buf, size, "%s (%s)", msg, details);
	else if (msg != NULL)
		snprintf(buf, size, "%s", msg);
	else
		snprintf(buf, size, "%s", output[0] ? output : "failed without a message");
	cJSON_Delete(doc);
	/* one line */
	for (char *c = buf; *c; c++)
		if (*c == '\n')
			*c = ' ';
	len = strlen(buf);
	while (len > 0 && buf[len - 1] == ' ')
		buf[--len] = '\0';
}

char *eng_hosts_file(const struct eng_host_entry *self, const char *hostname,
		     const struct eng_host_entry *peers, size_t n_peers)
{
	size_t size = 128 + strlen(self->ip) + strlen(self->name) + strlen(hostname);
	char *text, *p;

	for (size_t i = 0; i < n_peers; i++)
		size += strlen(peers[i].ip) + strlen(peers[i].name) + 2;
	text = malloc(size);
	if (text == NULL)
		return NULL;
	p = text;
	p += sprintf(p, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	if (strcmp(hostname, self->name) == 0)
		p += sprintf(p, "%s\t%s\n", self->ip, self->name);
	else
		p += sprintf(p, "%s\t%s %s\n", self->ip, self->name, hostname);
	for (size_t i = 0; i < n_peers; i++)
		p += sprintf(p, "%s\t%s\n", peers[i].ip, peers[i].name);
	return text;
}

char *eng_resolv_conf(const char *host)
{
	size_t len = strlen(host);
	char *out = malloc(len + 2), *p = out;
	const char *line = host;

	if (out == NULL)
		return NULL;
	while (*line != '\0') {
		size_t n = strcspn(line, "\n");
		char server[64] = "";

		if (sscanf(line, " nameserver %63s", server) == 1 &&
		    (strncmp(server, "127.", 4) == 0 || strcmp(server, "::1") == 0)) {
			/* loopback: the host's own resolver, not the container's */
		} else {
			memcpy(p, line, n);
			p += n;
			*p++ = '\n';
		}
		line += n + (line[n] == '\n');
	}
	*p = '\0';
	return out;
}
