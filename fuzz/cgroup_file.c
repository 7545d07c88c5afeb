// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz/cgroup_file.c — the /proc/PID/cgroup parser of userspace/attrib.c
 * (split_cgroup + pick_cgroup, static: the file is included here): lines
 * "N:controllers:path", any number, any bytes, paths a container names.
 * Never a crash; the cgroup shown is terminated and is a path of the input
 * (or "..." and its tail); a container id found is one of the input's.
 */
#include "../userspace/attrib.c"	/* NOLINT(bugprone-suspicious-include): its static parsers */

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cg_line lines[MAX_CG_LINES];
	struct pw_attrib a;
	char *buf = malloc(size + 1), *copy = malloc(size + 1);
	size_t n;
	int nl;

	FUZZ_ASSERT(buf && copy, "malloc");
	memcpy(buf, data, size);
	buf[size] = '\0';
	memcpy(copy, buf, size + 1);
	memset(&a, 0, sizeof(a));
	nl = split_cgroup(buf, lines);
	FUZZ_ASSERT(nl >= 0 && nl <= MAX_CG_LINES, "%d lines", nl);
	for (int i = 0; i < nl; i++)
		FUZZ_ASSERT(lines[i].ctrl >= buf && lines[i].path > lines[i].ctrl &&
			    lines[i].path <= buf + size, "line %d points outside the buffer", i);
	pick_cgroup(lines, nl, &a);
	n = strnlen(a.cgroup, sizeof(a.cgroup));
	FUZZ_ASSERT(n < sizeof(a.cgroup), "cgroup not terminated");
	if (n && strncmp(a.cgroup, "...", 3) != 0)
		FUZZ_ASSERT(strstr(copy, a.cgroup), "cgroup '%s' is not from the input", a.cgroup);
	else if (n)
		FUZZ_ASSERT(strstr(copy, a.cgroup + 3), "cgroup tail is not from the input");
	if (a.container_id[0])
		FUZZ_ASSERT(strstr(copy, a.container_id), "container id not from the input");
	free(buf);
	free(copy);
	return 0;
}
