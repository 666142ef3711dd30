/* version.h: the versions isolab-ctr reports (`--version`, `features`,
 * the ociVersion `spec` writes). */
#ifndef ISOLAB_CONTAINER_VERSION_H
#define ISOLAB_CONTAINER_VERSION_H

#include "common/version.h"

#define CTR_VERSION ISOLAB_VERSION /* one version for the project */
/* The OCI runtime-spec release the config.json it reads and writes
 * follows (opencontainers/runtime-spec v1.1.0), and the oldest it reads. */
#define CTR_OCI_VERSION "1.1.0"
#define CTR_OCI_VERSION_MIN "1.0.0"

#endif
