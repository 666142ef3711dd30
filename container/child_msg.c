/* child_msg.c: the child's messages to the runtime (see child_msg.h). */
#include "container/child_msg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void ctr_child_send(int sock, const struct ctr_child_msg *m)
{
	ssize_t n;

	do
		n = send(sock, m, sizeof(*m), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
}

void ctr_child_msg_from_error(struct ctr_child_msg *m, int status, const struct isolab_error *err)
{
	memset(m, 0, sizeof(*m));
	m->type = MSG_ERROR;
	m->status = status;
	m->code = err->code;
	snprintf(m->text, sizeof(m->text), "%s", err->msg);
}

int ctr_child_msg_to_error(const struct ctr_child_msg *m, struct isolab_error *err)
{
	int code = m->code < 0 && m->code > -4096 ? m->code : -EIO;

	return isolab_error_set(err, code, "%.*s", (int)strnlen(m->text, sizeof(m->text)), m->text);
}

void ctr_child_fail(int sock, int status, const struct isolab_error *err)
{
	struct ctr_child_msg m;

	ctr_child_msg_from_error(&m, status, err);
	ctr_child_send(sock, &m);
	_exit(status);
}
