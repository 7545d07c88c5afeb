// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz/http_response.c — the cluster view's HTTP client (userspace/httpc.c):
 * parsing any bytes as a response (status line, headers, chunked bodies
 * joined in place) and any string as a --prometheus URL.  Never a crash;
 * a parsed body lies inside the buffer; a parsed URL has a host and a
 * port in range.
 */
#include <string.h>

#include "fuzz.h"
#include "httpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), err[256];
	size_t off = 0, len = 0;
	struct pw_url u;
	int status = 0;

	FUZZ_ASSERT(buf, "malloc");
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (pw_http_parse_response(buf, size, &status, &off, &len, err, sizeof(err)) == 0) {
		FUZZ_ASSERT(off <= size && len <= size - off, "body %zu+%zu outside %zu bytes", off, len, size);
		FUZZ_ASSERT(status >= 100 && status <= 999, "status %d", status);
	}
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (pw_url_parse(buf, &u, err, sizeof(err)) == 0) {
		long port = strtol(u.port, NULL, 10);

		FUZZ_ASSERT(u.host[0] && strnlen(u.host, sizeof(u.host)) < sizeof(u.host), "host");
		FUZZ_ASSERT(port > 0 && port < 65536, "port '%.8s'", u.port);
		FUZZ_ASSERT(strnlen(u.prefix, sizeof(u.prefix)) < sizeof(u.prefix), "prefix");
	}
	free(buf);
	return 0;
}
