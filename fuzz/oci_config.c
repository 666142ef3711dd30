/*
 * oci_config.c: libFuzzer target for isolab-ctr's OCI config.json mapping
 * (container/oci.c): the input is parsed as JSON (cJSON, as
 * isolab_json_read does) and handed to ctr_oci_from_json, the pure entry
 * point below ctr_oci_load; the config is then freed, so leaks and
 * double frees on every error path show up under AddressSanitizer.
 */
#include "fuzz/fuzz.h"

#include <cjson/cJSON.h>
#include "container/config.h"
#include "container/oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctr_config cfg;
	struct isolab_error err = { 0 };
	cJSON *doc = cJSON_ParseWithLength((const char *)data, size);

	if (doc == NULL)
		return 0;
	ctr_config_init(&cfg);
	/* A relative root.path is joined to the bundle directory. */
	if (ctr_oci_from_json(doc, "/bundle", &cfg, &err) == 0)
		FUZZ_ASSERT(cfg.n_layers == 1 && cfg.argv != NULL && cfg.argv[cfg.argc] == NULL);
	else
		FUZZ_ASSERT(err.msg[0] != '\0');
	ctr_config_free(&cfg);
	cJSON_Delete(doc);
	return 0;
}
