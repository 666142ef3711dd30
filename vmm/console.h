/*
 * console.h: the host side of the guest's serial console. When stdin is
 * a terminal it is put in raw mode (every key goes to the guest, Ctrl-A x
 * quits) and restored on every way out; stdin bytes are fed to the UART
 * as the guest's bounded input buffer has room.
 */
#ifndef ISOLAB_VMM_CONSOLE_H
#define ISOLAB_VMM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#define CONSOLE_ESCAPE 0x01 /* Ctrl-A, then 'x' quits (as QEMU's -nographic) */

struct console {
	bool tty;            /* stdin is a terminal in raw mode */
	bool eof;            /* stdin ended: stop reading it */
	bool escape;         /* the last byte was CONSOLE_ESCAPE */
	struct termios saved;
};

/*
 * Pure: filters terminal input for the escape sequence. Copies bytes to be
 * given to the guest into out (at least n bytes), returns their count,
 * sets *quit when Ctrl-A x was typed.
 */
size_t console_filter(struct console *c, const uint8_t *in, size_t n, uint8_t *out, bool *quit);

void console_raw(struct console *c);
void console_restore(struct console *c);

#endif
