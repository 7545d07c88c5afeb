/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpneg.h — HTTP content negotiation for /metrics: which exposition
 * format an Accept header asks for, and whether Accept-Encoding allows gzip.
 * Pure functions over client-controlled strings (fuzzable): any bytes, any
 * length, never more than one pass over them.
 */
#ifndef PW_HTTPNEG_H
#define PW_HTTPNEG_H

#include <stdbool.h>

/*
 * True when the Accept header prefers OpenMetrics (application/openmetrics-text,
 * version 1.0.0 or 0.0.1 or none) over the text format (text/plain with
 * version 0.0.4 or none, text/<any>, <any>/<any>): the highest q wins, the first
 * listed on a tie.  NULL, empty, malformed or nothing we serve: false (the
 * text format, the fallback every scraper understands).
 */
bool pw_http_wants_openmetrics(const char *accept);

/* True when Accept-Encoding lists gzip, x-gzip or * with q > 0. */
bool pw_http_accepts_gzip(const char *accept_encoding);

#endif /* PW_HTTPNEG_H */
