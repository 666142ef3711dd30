/*
 * procfs.h: parsing of procfs text shared by the VMM and the bench.
 *
 * /proc/meminfo and /proc/PID/status hold lines "Name:   1234 kB"
 * (proc(5)); the value is in KiB when " kB" follows, else a plain count.
 */
#ifndef ISOLAB_COMMON_PROCFS_H
#define ISOLAB_COMMON_PROCFS_H

#include <stddef.h>

/* The field "NAME: N [kB]" of TEXT, in bytes (or as is without kB); -1 if absent. */
long long isolab_procfs_field(const char *text, const char *field);

/* Reads the small file PATH into buf (at most len - 1 bytes), NUL-terminated; 0 or -errno. */
int isolab_read_text(const char *path, char *buf, size_t len);

/* Field n (3: the state, 4: the parent's pid, 22: the start time) of a
 * /proc/PID/stat line (proc(5)), counted after the last ')': the command
 * name, field 2, may hold spaces and parentheses. A pointer to its first
 * byte, or NULL when the line has fewer fields or is not such a line. */
const char *isolab_proc_stat_field(const char *text, int n);

#endif
