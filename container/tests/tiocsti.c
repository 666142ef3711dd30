/*
 * tiocsti.c: a test helper in the image (/bin/tiocsti). `tiocsti FD TEXT`
 * pushes TEXT into the input queue of the terminal open on FD with
 * ioctl(TIOCSTI), the way a hostile container would type a command into
 * its caller's shell. Exit 0 if every byte went in; else 1 and one line
 * naming the error (the container integration tests expect EPERM or EIO).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

int main(int argc, char **argv)
{
	char *end;
	long fd;

	if (argc != 3) {
		fprintf(stderr, "usage: tiocsti FD TEXT\n");
		return 2;
	}
	fd = strtol(argv[1], &end, 10);
	if (*end != '\0' || fd < 0 || fd > 1 << 20) {
		fprintf(stderr, "tiocsti: `%s`: not an fd\n", argv[1]);
		return 2;
	}
	for (const char *p = argv[2]; *p; p++) {
		if (ioctl((int)fd, TIOCSTI, p) < 0) {
			printf("tiocsti: %s\n", strerror(errno));
			return 1;
		}
	}
	printf("tiocsti: injected\n");
	return 0;
}
