/* console.c: the terminal the guest's console runs on (see console.h). */
#include "vmm/console.h"

#include <unistd.h>

size_t console_filter(struct console *c, const uint8_t *in, size_t n, uint8_t *out, bool *quit)
{
	size_t m = 0;

	*quit = false;
	for (size_t i = 0; i < n; i++) {
		if (c->escape) {
			c->escape = false;
			if (in[i] == 'x' || in[i] == 'X') {
				*quit = true;
				return m;
			}
			out[m++] = in[i]; /* Ctrl-A Ctrl-A sends one Ctrl-A */
			continue;
		}
		if (in[i] == CONSOLE_ESCAPE) {
			c->escape = true;
			continue;
		}
		out[m++] = in[i];
	}
	return m;
}

void console_raw(struct console *c)
{
	struct termios raw;

	c->tty = false;
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &c->saved) < 0)
		return;
	raw = c->saved;
	cfmakeraw(&raw);
	raw.c_oflag |= OPOST | ONLCR; /* our own messages still start at column 0 */
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
		c->tty = true;
}

void console_restore(struct console *c)
{
	if (c->tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
		c->tty = false;
	}
}
