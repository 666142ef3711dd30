/* child_msg.c: the child's messages to the runtime (see child_msg.h). */
#include "container/child_msg.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

void ctr_child_send(int sock, const struct ctr_child_msg *m)
{
	ssize_t n;

	do
		n = send(sock, m, sizeof(*m), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
}

void ctr_child_fail(int sock, int status, const struct isolab_error *err)
{
	struct ctr_child_msg m = { .type = MSG_ERROR, .status = status };

	snprintf(m.text, sizeof(m.text), "%s", err->msg);
	ctr_child_send(sock, &m);
	_exit(status);
}
