/*
 * accounts.h: /etc/passwd and /etc/group texts, read the way runc reads
 * them (its libcontainer/user): ':'-separated fields, each line trimmed
 * of white space, a line whose numbers do not parse skipped (runc would
 * read them as 0, that is root). Pure: the caller reads the file (an
 * image's, a container's or the host's) and bounds its size.
 */
#ifndef ISOLAB_COMMON_ACCOUNTS_H
#define ISOLAB_COMMON_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>

/* The largest uid or gid accepted (Linux's are 32 bits; runc's int32). */
#define ISOLAB_ACCOUNT_ID_MAX 2147483647u

/* A decimal id in 0..ISOLAB_ACCOUNT_ID_MAX over s[0..len), or -1. */
long isolab_account_id(const char *s, size_t len);

/*
 * The first line matching a name (field 0; name[0..name_len)) or, when
 * id >= 0, an id (field id_field): the numbers in fields id_field and
 * id_field + 1 (the latter only when second != NULL). False when no
 * line matches.
 */
bool isolab_accounts_find(const char *text, const char *name, size_t name_len, long id,
			  int id_field, long *first, long *second);

/* The name (field 0) of the first line whose field 2 is id, into buf;
 * false when none matches or the name does not fit. */
bool isolab_accounts_name(const char *text, long id, char *buf, size_t len);

#endif
