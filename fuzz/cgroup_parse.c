// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz/cgroup_parse.c — pw_cgroup_parse (userspace/attrib.c): a cgroup path
 * from /proc/PID/cgroup, whose names a container with a delegated cgroup
 * chooses.  Never a crash; what it reports is well-formed: a container id
 * is 64 lowercase hex digits with a known runtime, a pod UID is 36 (8-4-4-4-12
 * hex) or 32 hex characters, and "found" means a container id.
 */
#include <string.h>

#include "attrib.h"
#include "fuzz.h"

static bool hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *runtimes[] = { "docker", "containerd", "cri-o", "podman" };
	char *path = malloc(size + 1);
	struct pw_attrib a;
	size_t n;
	int found;

	FUZZ_ASSERT(path, "malloc");
	memcpy(path, data, size);
	path[size] = '\0';
	memset(&a, 0x5a, sizeof(a));
	found = pw_cgroup_parse(path, &a);
	FUZZ_ASSERT(found == 0 || found == 1, "returned %d", found);
	n = strnlen(a.container_id, sizeof(a.container_id));
	FUZZ_ASSERT(n < sizeof(a.container_id), "container_id not terminated");
	FUZZ_ASSERT(found ? n == 64 && hex(a.container_id, 64) : n == 0, "container_id '%s' (found %d)",
		    a.container_id, found);
	if (found) {
		bool known = false;

		for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++)
			known |= !strcmp(a.runtime, runtimes[i]);
		FUZZ_ASSERT(known, "runtime '%s'", a.runtime);
		FUZZ_ASSERT(strstr(path, a.container_id), "the id is not from the path");
	} else {
		FUZZ_ASSERT(!a.runtime[0], "runtime without a container");
	}
	n = strnlen(a.pod_uid, sizeof(a.pod_uid));
	FUZZ_ASSERT(n == 0 || (n == 32 && hex(a.pod_uid, 32)) ||
		    (n == 36 && a.pod_uid[8] == '-' && a.pod_uid[13] == '-' && a.pod_uid[18] == '-' &&
		     a.pod_uid[23] == '-' && hex(a.pod_uid, 8) && hex(a.pod_uid + 24, 12)),
		    "pod_uid '%.40s'", a.pod_uid);
	/* pure: the same answer twice */
	{
		struct pw_attrib b;

		memset(&b, 0, sizeof(b));
		FUZZ_ASSERT(pw_cgroup_parse(path, &b) == found && !strcmp(a.container_id, b.container_id) &&
			    !strcmp(a.pod_uid, b.pod_uid), "not deterministic");
	}
	free(path);
	return 0;
}
