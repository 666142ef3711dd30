/* engine/tests/dockerfiles/debian-static.c: the program the multi-stage
 * example (debian-static.Dockerfile) compiles with gcc -static in its
 * Debian stage and runs alone, FROM scratch. */
#include <stdio.h>
#include <sys/utsname.h>

int main(void)
{
	struct utsname u;

	if (uname(&u) != 0)
		return 1;
	printf("hello from a static binary on %s\n", u.sysname);
	return 0;
}
