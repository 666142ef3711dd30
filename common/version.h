/* version.h: the one version of isolab's programs (`PROGRAM --version`). */
#ifndef ISOLAB_COMMON_VERSION_H
#define ISOLAB_COMMON_VERSION_H

#define ISOLAB_VERSION "0.1"

#endif
