// SPDX-License-Identifier: Apache-2.0
/* tui.c — placeholder until the live view lands: the batch table, refreshed. */
#include <stdio.h>

#include "collector.h"
#include "faces.h"

int pw_tui_run(const struct pw_source *src, const struct pw_run *run)
{
	(void)src;
	(void)run;
	fprintf(stderr, "pausetop: the live view is not built yet; use -b\n");
	return PW_EXIT_FAIL;
}
