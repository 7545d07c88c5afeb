// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz/page_check.c — pause_page_check (userspace/pause_page.c), the
 * validator of a counters page copied from a container: any bytes.  It must
 * never crash, its message must be one line of printable ASCII, and a page
 * it accepts must satisfy the invariants it promises (checked here again,
 * without relying on its code): then pause_page_json prints it as ASCII.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "pause_page.h"

static void check_message(const char *err, size_t len)
{
	size_t n = strnlen(err, len);

	FUZZ_ASSERT(n < len, "message not terminated");
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT(err[i] >= 0x20 && err[i] < 0x7f, "byte 0x%02x in the message", (unsigned char)err[i]);
}

static void check_accepted(const struct pause_stats *s)
{
	unsigned __int128 sum = (unsigned __int128)s->reaped_exit_zero + s->reaped_exit_nonzero +
				s->reaped_signaled + s->reaped_core_dumped;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	FUZZ_ASSERT(s->magic == PAUSE_STATS_MAGIC && s->abi_version == PAUSE_STATS_ABI, "header");
	FUZZ_ASSERT(s->seq && !(s->seq & 1), "seq %llu", (unsigned long long)s->seq);
	FUZZ_ASSERT(sum == s->reaped_total, "outcomes do not add up without wrap-around");
	FUZZ_ASSERT(s->mode <= PAUSE_MODE_INIT && s->pid > 0, "identity");
	FUZZ_ASSERT((s->reaped_total == 0) == (s->last_reap.pid == 0), "last reap vs total");
	FUZZ_ASSERT(!s->reaped_total || s->last_reap.time_ns, "reaps at time 0");
	FUZZ_ASSERT(s->drain_exited_on_term <= s->drain_sent_term && s->drain_runs <= 1, "drain");
	FUZZ_ASSERT(s->signals[0] == 0, "signals[0]");
	for (int i = 0; i < PAUSE_STATS_NSIG; i++)
		FUZZ_ASSERT(s->signals[i] <= 1ULL << 53, "signals[%d] beyond 2^53", i);
	f = open_memstream(&buf, &len);
	FUZZ_ASSERT(f, "open_memstream");
	pause_page_json(f, s);
	fclose(f);
	for (size_t i = 0; i < len; i++)
		FUZZ_ASSERT(buf[i] >= 0x20 && buf[i] < 0x7f, "byte 0x%02x in the JSON", (unsigned char)buf[i]);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pause_stats s;
	char err[192];
	int rc;

	memset(&s, 0, sizeof(s));
	memcpy(&s, data, size < sizeof(s) ? size : sizeof(s));
	memset(err, 'x', sizeof(err));
	rc = pause_page_check(&s, err, sizeof(err));
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -EAGAIN, "rc %d", rc);
	if (rc) {
		check_message(err, sizeof(err));
		return 0;
	}
	check_accepted(&s);
	return 0;
}
