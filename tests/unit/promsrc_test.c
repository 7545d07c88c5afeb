// SPDX-License-Identifier: Apache-2.0
/*
 * promsrc_test.c — what pausetop --prometheus reads from a server it trusts
 * less than the kernel: the JSON parser (jsonparse.c), the HTTP response
 * parser and URL parser (httpc.c), and the API answer -> snapshot step
 * (promsrc.c), with valid, malformed, truncated and mutated inputs.  The
 * real server round trip is tests/export/cluster.t.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpc.h"
#include "jsonparse.h"
#include "promsrc.h"
#include "tap.h"

/* pw_jparse on a private copy (it writes into its input). */
static int jparse(const char *text, size_t max_values, unsigned int depth, struct pw_jdoc *d,
		  char **copy)
{
	char err[128];
	size_t n = strlen(text);

	*copy = malloc(n + 1);
	memcpy(*copy, text, n + 1);
	return pw_jparse(*copy, n, max_values, depth, d, err, sizeof(err));
}

static void test_json(void)
{
	const char *doc = "{\"a\":[1,2,{\"b\":null}],\"c\":\"x\\u00e9\\ud83d\\ude00\\ud800y\\u0000z\\n\\\"\","
			  "\"d\":true,\"e\":false,\"f\":-1.5e+3}";
	const struct pw_jval *root, *a, *el, *c;
	struct pw_jdoc d;
	char *copy;
	double v;

	is_int(jparse(doc, 100, 8, &d, &copy), 0, "a JSON document parses");
	root = pw_jroot(&d);
	ok(root && root->type == PW_JOBJ && root->n == 5, "root: an object of 5 members");
	a = pw_jget(&d, root, "a");
	ok(a && a->type == PW_JARR && a->n == 3, "a: an array of 3");
	el = pw_jfirst(&d, a);
	ok(!pw_jnum(el, &v) && v == 1, "a[0] = 1");
	el = pw_jnext(&d, el);
	ok(!pw_jnum(el, &v) && v == 2, "a[1] = 2");
	el = pw_jnext(&d, el);
	ok(el && el->type == PW_JOBJ && pw_jget(&d, el, "b")->type == PW_JNULL, "a[2] = {b: null}");
	ok(!pw_jnext(&d, el), "a has no 4th element");
	c = pw_jget(&d, root, "c");
	ok(c && c->n == 15 && !memcmp(c->s, "x\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdy\0z\n\"", 15),
	   "escapes: \\u00e9, a surrogate pair, a lone surrogate (U+FFFD), \\u0000, \\n, \\\"");
	ok(!pw_jstreq(c, "x"), "a string with a NUL never equals a C string");
	ok(pw_jget(&d, root, "d")->type == PW_JTRUE && pw_jget(&d, root, "e")->type == PW_JFALSE,
	   "true and false");
	ok(!pw_jnum(pw_jget(&d, root, "f"), &v) && v == -1500, "-1.5e+3");
	ok(!pw_jget(&d, root, "zz") && !pw_jget(&d, a, "a"), "missing key; pw_jget on an array");
	pw_jdoc_free(&d);
	free(copy);

	for (const char *const *bad = (const char *const[]){
		     "", " ", "{", "[1,]", "{\"a\"}", "{\"a\":}", "01", "1.", "-", "1e", ".5", "+1",
		     "\"\x01\"", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "[1] x", "tru", "nul", "{1:2}",
		     "[1 2]", "{\"a\":1,}", "\"open", "[", "]", NULL }; *bad; bad++) {
		is_int(jparse(*bad, 100, 8, &d, &copy) < 0, 1, "rejected: '%s'", *bad);
		free(copy);
	}
	{
		char deep[256];

		memset(deep, '[', 100);
		memset(deep + 100, ']', 100);
		deep[200] = '\0';
		is_int(jparse(deep, 1000, 16, &d, &copy), -E2BIG, "nesting deeper than the bound: -E2BIG");
		free(copy);
		is_int(jparse("[1,2,3,4,5,6,7,8,9,10]", 5, 8, &d, &copy), -E2BIG,
		       "more values than the bound: -E2BIG");
		free(copy);
	}
}

/* Every prefix of a valid document is rejected; random mutations never crash. */
static void test_json_hostile(void)
{
	const char *doc = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
			  "{\"__name__\":\"pausewatch_zombies\",\"node\":\"a\",\"pidns\":\"4026532001\"},"
			  "\"value\":[1700000000.5,\"3\"]}]}}";
	size_t n = strlen(doc), rejected = 0, done = 0;
	unsigned int seed = 7;
	struct pw_jdoc d;
	char err[128];

	for (size_t len = 0; len < n; len++) {
		char *c = malloc(len + 1);

		memcpy(c, doc, len);
		c[len] = '\0';
		rejected += pw_jparse(c, len, 1000, 16, &d, err, sizeof(err)) < 0;
		free(c);
	}
	is_int(rejected, n, "each of the %zu truncations is rejected", n);
	for (int i = 0; i < 20000; i++) {
		char *c = malloc(n + 1);
		int rc;

		memcpy(c, doc, n + 1);
		for (int k = 0; k < 1 + rand_r(&seed) % 4; k++)
			c[rand_r(&seed) % n] = (char)(rand_r(&seed) % 256);
		rc = pw_jparse(c, n, 1000, 16, &d, err, sizeof(err));
		if (rc == 0)
			pw_jdoc_free(&d);
		done += rc <= 0;
		free(c);
	}
	is_int(done, 20000, "20,000 mutated documents: parsed or rejected, never a crash");
}

static void test_url(void)
{
	struct pw_url u;
	char err[256];

	ok(!pw_url_parse("http://127.0.0.1:9090", &u, err, sizeof(err)) && !strcmp(u.host, "127.0.0.1") &&
	   !strcmp(u.port, "9090") && !strcmp(u.prefix, "") && !strcmp(u.hostport, "127.0.0.1:9090"),
	   "http://127.0.0.1:9090");
	ok(!pw_url_parse("HTTP://prom.example/sub/path/", &u, err, sizeof(err)) &&
	   !strcmp(u.host, "prom.example") && !strcmp(u.port, "80") && !strcmp(u.prefix, "/sub/path"),
	   "a name, port 80, a prefix without its trailing slash");
	ok(!pw_url_parse("http://[::1]:9090/", &u, err, sizeof(err)) && !strcmp(u.host, "::1") &&
	   !strcmp(u.hostport, "[::1]:9090") && !strcmp(u.prefix, ""), "http://[::1]:9090/");
	ok(pw_url_parse("https://x:9090", &u, err, sizeof(err)) && strstr(err, "https is not supported"),
	   "https says it is not supported");
	for (const char *const *bad = (const char *const[]){
		     "ftp://x", "http://", "http://:90", "http://h:0", "http://h:65536", "http://h:9x",
		     "http://u:p@h", "http://h/a?b", "http://[::1", "http://h/a b", "127.0.0.1:9090",
		     "http://h:/", NULL }; *bad; bad++)
		ok(pw_url_parse(*bad, &u, err, sizeof(err)) == -1 && strstr(err, "--prometheus wants"),
		   "URL rejected: '%s'", *bad);
}

static int resp(const char *text, int *status, char *body)
{
	char err[128], *buf = strdup(text);
	size_t off = 0, len = 0;
	int rc = pw_http_parse_response(buf, strlen(text), status, &off, &len, err, sizeof(err));

	if (!rc) {
		memcpy(body, buf + off, len);
		body[len] = '\0';
	}
	free(buf);
	return rc;
}

static void test_response(void)
{
	char body[256];
	int status;

	ok(!resp("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA", &status, body) &&
	   status == 200 && !strcmp(body, "hello"), "Content-Length");
	ok(!resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX: y\r\n\r\n5\r\nhello\r\n"
		 "6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n", &status, body) &&
	   !strcmp(body, "hello world"), "chunked, with an extension and a trailer");
	ok(!resp("HTTP/1.0 404 Not Found\r\n\r\nnope", &status, body) && status == 404 &&
	   !strcmp(body, "nope"), "read to close, status 404");
	for (const char *const *bad = (const char *const[]){
		     "HTTP/1.1 200 OK\r\n", "HTTP/2 200\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n",
		     "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
		     "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\nx",
		     "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
		     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
		     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nx\r\n0\r\n\r\n",
		     "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nx",
		     "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\nx", "garbage", NULL }; *bad; bad++) {
		char what[48];

		snprintf(what, sizeof(what), "%s", *bad + (strlen(*bad) > 40 ? strlen(*bad) - 40 : 0));
		for (char *p = what; *p; p++)
			*p = *p == '\r' || *p == '\n' ? '|' : *p;
		is_int(resp(*bad, &status, body), -EPROTO, "response rejected: ...%s", what);
	}
}

/* ---- promsrc ------------------------------------------------------------------------- */

#define T "[1700000000.5,"
static const char api_answer[] =
	"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
	"{\"metric\":{\"__name__\":\"pausewatch_namespace_info\",\"node\":\"b\",\"pidns\":\"4026532002\","
	"\"level\":\"1\",\"init_pid\":\"77\",\"init_comm\":\"pause\",\"hostname\":\"web-1\","
	"\"pod_uid\":\"uid-1\",\"instance\":\"x:1\",\"job\":\"pw\"},\"value\":" T "\"1\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_zombies\",\"node\":\"b\",\"pidns\":\"4026532002\"},\"value\":" T "\"4\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_processes\",\"node\":\"b\",\"pidns\":\"4026532002\"},\"value\":" T "\"9\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_oldest_zombie_age_seconds\",\"node\":\"b\",\"pidns\":\"4026532002\"},\"value\":" T "\"12.5\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_namespace_alive\",\"node\":\"a\",\"pidns\":\"4026532001\"},\"value\":" T "\"0\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_reaped_total\",\"node\":\"a\",\"pidns\":\"4026532001\"},\"value\":" T "\"9\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_zombie_dwell_seconds_bucket\",\"node\":\"b\",\"pidns\":\"4026532002\",\"le\":\"8e-06\"},\"value\":" T "\"2\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_zombie_dwell_seconds_bucket\",\"node\":\"b\",\"pidns\":\"4026532002\",\"le\":\"0.001024\"},\"value\":" T "\"3\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_zombie_dwell_seconds_bucket\",\"node\":\"b\",\"pidns\":\"4026532002\",\"le\":\"+Inf\"},\"value\":" T "\"5\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_zombie_dwell_seconds_sum\",\"node\":\"b\",\"pidns\":\"4026532002\"},\"value\":" T "\"0.5\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_signals_generated_total\",\"node\":\"b\",\"pidns\":\"4026532002\",\"signal\":\"SIGTERM\",\"result\":\"ignored\"},\"value\":" T "\"3\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_signals_ignored_by_init_total\",\"node\":\"b\",\"pidns\":\"4026532002\",\"signal\":\"SIGTERM\"},\"value\":" T "\"3\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_signals_delivered_total\",\"node\":\"b\",\"pidns\":\"4026532002\",\"signal\":\"SIGUSR1\",\"action\":\"handler\"},\"value\":" T "\"2\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_init_signal_disposition\",\"node\":\"b\",\"pidns\":\"4026532002\",\"signal\":\"SIGTERM\",\"disposition\":\"default\"},\"value\":" T "\"1\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_init_signal_disposition\",\"node\":\"b\",\"pidns\":\"4026532002\",\"signal\":\"SIGTERM\",\"disposition\":\"catch\"},\"value\":" T "\"0\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_init_signal_disposition\",\"node\":\"b\",\"pidns\":\"4026532002\",\"signal\":\"SIGUSR1\",\"disposition\":\"catch\"},\"value\":" T "\"1\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_init_signal_disposition\",\"node\":\"b\",\"pidns\":\"4026532002\",\"signal\":\"SIGUSR2\",\"disposition\":\"blocked\"},\"value\":" T "\"1\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_pids_current\",\"node\":\"b\",\"pidns\":\"4026532002\"},\"value\":" T "\"5\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_pids_max\",\"node\":\"b\",\"pidns\":\"4026532002\"},\"value\":" T "\"10\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_pause_reaped_total\",\"node\":\"b\",\"pidns\":\"4026532002\"},\"value\":" T "\"7\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_orphans_adopted_total\",\"node\":\"b\",\"pidns\":\"4026532002\",\"reaper\":\"init\"},\"value\":" T "\"6\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_dropped_total\",\"node\":\"a\",\"what\":\"exit_slot_evicted\"},\"value\":" T "\"1\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_dropped_total\",\"node\":\"b\",\"what\":\"exit_slot_evicted\"},\"value\":" T "\"2\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_build_info\",\"node\":\"a\",\"exit_variant\":\"v616\",\"attach\":\"tp_btf\",\"walk\":\"task_iter\"},\"value\":" T "\"1\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_build_info\",\"node\":\"b\",\"exit_variant\":\"legacy\",\"attach\":\"tp_btf\",\"walk\":\"task_iter\"},\"value\":" T "\"1\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_processes\",\"instance\":\"10.0.0.3:9977\",\"pidns\":\"4026532003\"},\"value\":" T "\"2\"]},"
	/* 16 series that fail validation */
	"{\"metric\":{\"__name__\":\"pausewatch_zombies\",\"node\":\"b\",\"pidns\":\"abc\"},\"value\":" T "\"1\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_zombies\",\"node\":\"b\",\"pidns\":\"0\"},\"value\":" T "\"1\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_zombies\",\"node\":\"b\",\"pidns\":\"99999999999\"},\"value\":" T "\"1\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_zombies\",\"node\":\"b\",\"pidns\":\"4026532002\"},\"value\":" T "\"NaN\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_zombies\",\"node\":\"b\",\"pidns\":\"4026532002\"},\"value\":" T "\"-1\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_zombies\",\"node\":\"b\",\"pidns\":\"4026532002\"},\"value\":" T "\"1.5\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_bogus\",\"node\":\"b\",\"pidns\":\"4026532002\"},\"value\":" T "\"1\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_zombies\",\"pidns\":\"4026532002\"},\"value\":" T "\"1\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_signals_ignored_by_init_total\",\"node\":\"b\",\"pidns\":\"4026532002\",\"signal\":\"SIGBOGUS\"},\"value\":" T "\"1\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_orphans_adopted_total\",\"node\":\"b\",\"pidns\":\"4026532002\",\"reaper\":\"alien\"},\"value\":" T "\"1\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_zombie_dwell_seconds_bucket\",\"node\":\"b\",\"pidns\":\"4026532002\",\"le\":\"7\"},\"value\":" T "\"1\"]},"
	"{\"metric\":{\"__name__\":\"node_load1\",\"node\":\"b\"},\"value\":" T "\"1\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_zombies\",\"node\":\"0123456789012345678901234567890123456789012345678901234567890123\",\"pidns\":\"4026532002\"},\"value\":" T "\"1\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_namespace_info\",\"node\":\"b\",\"pidns\":\"4026532002\",\"level\":\"99\",\"init_pid\":\"1\"},\"value\":" T "\"1\"]},"
	"{\"metric\":{\"__name__\":\"pausewatch_zombies\",\"node\":\"b\",\"pidns\":\"4026532002\"},\"value\":" T "3]},"
	"{\"metric\":[],\"value\":" T "\"1\"]}"
	"]}}";

static int parse(const char *text, struct pw_snapshot **s, struct pw_promsrc_stats *st, char *err,
		 size_t errlen)
{
	char *copy = strdup(text);
	int rc = pw_promsrc_parse(copy, strlen(copy), 1700000001.0, s, st, err, errlen);

	free(copy);
	return rc;
}

static void test_promsrc(void)
{
	struct pw_promsrc_stats st;
	struct pw_snapshot *s;
	struct pw_namespace *a, *b, *c;
	char err[256];

	is_int(parse(api_answer, &s, &st, err, sizeof(err)), 0, "an API answer becomes a snapshot");
	if (!s)
		return;
	is_int(st.series, 42, "42 series read");
	is_int(st.rejected, 16, "16 series failed validation");
	is_int(st.used, 26, "26 landed");
	is_int(s->n_ns, 3, "three (node, pidns) rows");
	is_int(s->self.nodes, 3, "three nodes");
	c = &s->ns[0], b = &s->ns[1], a = &s->ns[2];
	ok(!strcmp(c->node, "10.0.0.3:9977") && c->pidns == 4026532003u && c->processes == 2,
	   "row 1: the instance label stands in for a missing node label");
	ok(!strcmp(b->node, "b") && b->pidns == 4026532002u && b->alive, "row 2: node b, alive");
	ok(!strcmp(a->node, "a") && !a->alive && a->reaped == 9, "row 3: node a, gone, last (alive first)");
	ok(b->level == 1 && b->init_pid == 77 && !strcmp(b->init_comm, "pause") &&
	   !strcmp(b->hostname, "web-1") && !strcmp(b->pod_uid, "uid-1") && !b->container_id[0],
	   "attribution from the info series (absent label = empty)");
	ok(b->zombies == 4 && b->processes == 9 && b->oldest_zombie_age_s == 12.5, "gauges");
	ok(a->oldest_zombie_age_s < 0 && c->oldest_zombie_age_s < 0, "no oldest age: -1");
	ok(b->dwell_hist[3] == 2 && b->dwell_hist[10] == 1 && b->dwell_hist[PWC_HIST_SLOTS - 1] == 2 &&
	   pw_ns_dwell_count(b) == 5 && b->dwell_sum_ns == 500000000ULL,
	   "the cumulative buckets become the slots back");
	ok(pw_ns_sig(b, 15) && pw_ns_sig(b, 15)->generated[PWC_SIG_IGNORED] == 3 &&
	   pw_ns_sig(b, 15)->ignored_by_init == 3 && pw_ns_sig(b, 10)->delivered[PWC_ACT_HANDLER] == 2 &&
	   b->n_sigs == 2 && b->sigs[0].sig == 10, "signals: rows ascending, counts in place");
	ok(pw_ns_disposition(b, 15) == PW_DISP_DEFAULT && pw_ns_disposition(b, 10) == PW_DISP_CATCH &&
	   pw_ns_disposition(b, 12) == PW_DISP_BLOCKED && pw_ns_disposition(a, 15) == PW_DISP_UNKNOWN,
	   "dispositions (default, catch, blocked, unknown)");
	ok(b->pids_known && b->pids_current == 5 && b->pids_max == 10 && !a->pids_known, "pids");
	ok(b->has_pause && b->pause.reaped_total == 7 && !a->has_pause, "pause_reaped_total");
	ok(b->orphans[PWC_REAPER_INIT] == 6, "orphans by reaper");
	ok(s->self.drops[PWC_DROP_EXIT_SLOT_EVICTED] == 3, "drops summed over nodes");
	ok(!strcmp(s->self.exit_variant, "mixed") && !strcmp(s->self.attach, "tp_btf"),
	   "build info: nodes that differ say mixed");
	ok(s->n_zombies == 0 && s->time == 1700000001.0, "no zombie table; the snapshot's time");
	pw_snapshot_free(s);

	is_int(parse("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error \\u001b[2J\"}",
		     &s, &st, err, sizeof(err)), -EPROTO, "an API error: -EPROTO");
	is_str(err, "the query failed: parse error ?[2J", "the server's message, neutralised");
	ok(!s, "no snapshot");
	is_int(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}", &s, &st,
		     err, sizeof(err)), -EPROTO, "a range answer: -EPROTO");
	is_int(parse("<html>proxy error</html>", &s, &st, err, sizeof(err)), -EPROTO, "not JSON: -EPROTO");
	is_int(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}", &s, &st,
		     err, sizeof(err)), 0, "an empty cluster: an empty snapshot");
	ok(s && s->n_ns == 0 && s->self.nodes == 0, "no rows, no nodes");
	pw_snapshot_free(s);
}

int main(void)
{
	test_json();
	test_json_hostile();
	test_url();
	test_response();
	test_promsrc();
	return done_testing();
}
