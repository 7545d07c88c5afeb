// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz/promsrc_parse.c — what pausetop --prometheus makes of a Prometheus
 * server's /api/v1/query answer (userspace/promsrc.c over jsonparse.c): any
 * bytes.  Never a crash or a leak; on success a snapshot whose strings are
 * NUL-terminated in their fields, whose counts match its arrays, and whose
 * namespaces all carry a node (it is a cluster view).
 */
#include <string.h>

#include "fuzz.h"
#include "promsrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = malloc(size + 1), err[256] = "";
	struct pw_promsrc_stats st = { 0 };
	struct pw_snapshot *s = NULL;
	int rc;

	FUZZ_ASSERT(body, "malloc");
	memcpy(body, data, size);
	body[size] = '\0';
	rc = pw_promsrc_parse(body, size, 1700000000.0, &s, &st, err, sizeof(err));
	FUZZ_ASSERT(rc == 0 || !s, "failure with a snapshot");
	FUZZ_ASSERT(rc == 0 || (err[0] && strnlen(err, sizeof(err)) < sizeof(err)),
		    "failure %d without a terminated message", rc);
	if (s) {
		FUZZ_ASSERT(st.used <= st.series, "used %zu of %zu series", st.used, st.series);
		for (size_t i = 0; i < s->n_ns; i++) {
			const struct pw_namespace *ns = &s->ns[i];

			FUZZ_ASSERT(strnlen(ns->node, sizeof(ns->node)) < sizeof(ns->node), "node");
			FUZZ_ASSERT(strnlen(ns->hostname, sizeof(ns->hostname)) < sizeof(ns->hostname), "hostname");
			FUZZ_ASSERT(strnlen(ns->init_comm, sizeof(ns->init_comm)) < sizeof(ns->init_comm), "comm");
			FUZZ_ASSERT(ns->n_sigs == 0 || ns->sigs, "signal rows");
			for (size_t k = 0; k < ns->n_sigs; k++)
				FUZZ_ASSERT(ns->sigs[k].sig >= 1 && ns->sigs[k].sig <= 64, "signal %d",
					    ns->sigs[k].sig);
		}
		pw_snapshot_free(s);
	}
	free(body);
	return 0;
}
