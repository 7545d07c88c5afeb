// SPDX-License-Identifier: Apache-2.0
/*
 * metrics_test.c — the Prometheus exposition (metrics_face.c, promesc.c) and
 * content negotiation (httpneg.c) from hand-built snapshots, checked byte
 * for byte.
 *
 *	metrics_test GOLDEN_DIR          the tests (TAP)
 *	metrics_test --dump NAME [--om]  print fixture NAME's exposition ("hostile",
 *	                                 "basic", "big") for promtool and the
 *	                                 OpenMetrics parser in tests/unit/metrics.t
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpneg.h"
#include "metrics_face.h"
#include "promesc.h"
#include "snapfix.h"
#include "tap.h"

/* ---- fixtures ---------------------------------------------------------------------- */

/* The snapshot of tests/unit/golden/metrics-basic.{prom,om}. */
static struct pw_snapshot *fx_basic(void)
{
	struct pw_snapshot *s = fx_snapshot(1700000000.0);
	struct pw_namespace *ns = fx_ns(s, 4026532001u, 4242, "sleep", "shop-7d9f4");

	ns->processes = 3;
	ns->zombies = 2;
	ns->oldest_zombie_age_s = 3.5;
	ns->exits = 5;
	ns->zombie_exits = 4;
	ns->reaped = 2;
	ns->autoreaped = 1;
	ns->orphans[PWC_REAPER_INIT] = 2;
	ns->orphans[PWC_REAPER_SUBREAPER] = 1;
	fx_sig(ns, SIGTERM, PWC_SIG_IGNORED, 1);
	fx_sig_ignored_by_init(ns, SIGTERM, 1);
	fx_disp(ns, SIGTERM, PW_DISP_DEFAULT);
	fx_disp(ns, SIGINT, PW_DISP_CATCH);
	fx_disp(ns, SIGHUP, PW_DISP_IGNORE);
	fx_disp(ns, SIGUSR2, PW_DISP_BLOCKED);
	snprintf(ns->container_id, sizeof(ns->container_id), "0123abcd");
	snprintf(ns->runtime, sizeof(ns->runtime), "containerd");
	ns->pids_known = true;
	ns->pids_current = 3;
	ns->pids_max = 50;
	ns->has_pause = true;
	ns->pause.reaped_total = 7;
	s->self.drops[PWC_DROP_NS_FULL] = 1;
	return s;
}

static const struct pw_proc_stats basic_proc = { 0.25, 2097152, 1699999000.5, 7 };

/* Everything a container controls, made as hostile as it gets. */
static struct pw_snapshot *fx_hostile(void)
{
	struct pw_snapshot *s = fx_snapshot(1700000000.0);
	struct pw_namespace *ns;

	ns = fx_ns(s, 4026532101u, 100, "a\"b\\c\nd", "host\"name\\\n# EOF\n");
	/* invalid UTF-8: stray continuation, overlong, surrogate, > U+10FFFF, truncated */
	snprintf(ns->container_id, sizeof(ns->container_id), "\x80\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82");
	snprintf(ns->pod_uid, sizeof(ns->pod_uid), "}\"} 1\npausewatch_zombies{pidns=\"1\"} ");
	snprintf(ns->runtime, sizeof(ns->runtime), "\xff\xfe\\\\\\");
	ns->zombies = 1;
	ns->oldest_zombie_age_s = 0.1;
	fx_disp(ns, SIGTERM, PW_DISP_CATCH);
	ns->dwell_hist[0] = 1;
	ns->dwell_hist[PWC_HIST_SLOTS - 1] = 2;
	ns->dwell_sum_ns = 3000000001ULL;
	fx_sig(ns, 34, PWC_SIG_DELIVERED, 5);	/* SIGRTMIN */
	ns->sigs[0].delivered[PWC_ACT_HANDLER] = 5;
	/* NOLINTNEXTLINE(misc-misleading-bidirectional): a bidi override is the attack */
	ns = fx_ns(s, 4026532102u, 200, "\t\r\x1b[2J\xc2\x9b", "\xe2\x80\xae\xef\xbb\xbf");
	fx_gone(ns, 1699999990.0);
	/* the same inode again, alive: a reused inode; the live one wins */
	fx_ns(s, 4026532102u, 201, "new", "new");
	s->self.bpf_stats_enabled = true;
	s->self.prog_run_ns = 123456789;
	s->self.prog_run_cnt = 1000;
	return s;
}

/* 1,000 namespaces with everything set, for --dump big (render cost, promtool on volume). */
static struct pw_snapshot *fx_big(void)
{
	struct pw_snapshot *s = fx_snapshot(1700000000.0);

	for (uint32_t i = 0; i < 1000; i++) {
		char host[32];
		struct pw_namespace *ns;

		snprintf(host, sizeof(host), "pod-%u", i);
		ns = fx_ns(s, 4026532000u + i, (pid_t)(10000 + i), "pause", host);
		ns->processes = 20;
		fx_disp(ns, SIGTERM, PW_DISP_CATCH);
		ns->pids_known = true;
		ns->pids_current = 20;
		ns->pids_max = 100;
		ns->exits = i;
		ns->reaped = i;
	}
	return s;
}

static char *render(const struct pw_snapshot *s, const char *node, bool om,
		    const struct pw_proc_stats *proc, size_t *len)
{
	struct pw_metrics_opts o = { .node = node, .proc = proc, .version = "1.2.3",
				     .format = om ? PW_METRICS_OPENMETRICS : PW_METRICS_TEXT };
	struct pw_mbuf b;
	int rc;

	pw_mbuf_init(&b, 0);
	rc = pw_face_metrics(&b, s, &o);
	if (rc) {
		pw_mbuf_free(&b);
		return NULL;
	}
	/* a C string for strstr; the exposition never holds a NUL */
	if (b.len == b.cap)
		b.data = realloc(b.data, b.len + 1);
	b.data[b.len] = '\0';
	if (len)
		*len = b.len;
	return b.data;
}

static int dump(const char *name, bool om)
{
	struct pw_snapshot *s = !strcmp(name, "hostile") ? fx_hostile()
			      : !strcmp(name, "basic") ? fx_basic()
			      : !strcmp(name, "big") ? fx_big() : NULL;
	size_t len;
	char *out;

	if (!s) {
		fprintf(stderr, "metrics_test: no fixture '%s'\n", name);
		return 2;
	}
	out = render(s, "node \"1\"\\\n\xff", om, &basic_proc, &len);
	pw_snapshot_free(s);
	if (!out)
		return 1;
	fwrite(out, 1, len, stdout);
	free(out);
	return 0;
}

/* ---- helpers ------------------------------------------------------------------------ */

static char *slurp(const char *dir, const char *name)
{
	char path[4096];
	char *buf;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Show where two texts first differ. */
static int same_text(const char *got, const char *want, const char *what)
{
	size_t i = 0, line = 1;

	if (got && want && !strcmp(got, want))
		return ok(1, "%s", what);
	ok(0, "%s", what);
	if (!got || !want) {
		diag("missing text");
		return 0;
	}
	while (got[i] && got[i] == want[i])
		line += got[i++] == '\n';
	diag("first difference on line %zu:", line);
	while (i && got[i - 1] != '\n')
		i--;
	diag("got:  %.*s", (int)strcspn(got + i, "\n"), got + i);
	diag("want: %.*s", (int)strcspn(want + i, "\n"), want + i);
	return 0;
}

/* Lines that start with prefix. */
static size_t count_lines_with(const char *text, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += !strncmp(p, prefix, len);
	return n;
}

static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

#define has(text, line) ok(has_line(text, line), "line: %s", line)
#define hasnt(text, needle) ok(!strstr(text, needle), "absent: %s", needle)

static const char *esc(const char *in, size_t n, char *out)
{
	out[pw_prom_escape_label(out, in, n)] = '\0';
	return out;
}

/* ---- promesc ---------------------------------------------------------------------------- */

static void test_escape(void)
{
	char out[256];

	is_str(esc("plain-name_1.2", 14, out), "plain-name_1.2", "plain text is kept");
	is_str(esc("a\"b\\c\nd", 7, out), "a\\\"b\\\\c\\nd", "quote, backslash, newline escaped");
	is_str(esc("\t\r\x1b", 3, out), "\t\r\x1b", "other controls are valid label bytes and kept");
	is_str(esc("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9, out), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
	       "valid 2-, 3- and 4-byte UTF-8 kept");
	is_str(esc("\xff", 1, out), "\xef\xbf\xbd", "0xff becomes U+FFFD");
	is_str(esc("\x80x", 2, out), "\xef\xbf\xbdx", "a stray continuation byte becomes U+FFFD");
	is_str(esc("\xc0\xaf", 2, out), "\xef\xbf\xbd\xef\xbf\xbd", "an overlong '/' becomes two U+FFFD");
	is_str(esc("\xed\xa0\x80", 3, out), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	       "a UTF-16 surrogate becomes U+FFFD per byte");
	is_str(esc("\xf4\x90\x80\x80", 4, out),
	       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "above U+10FFFF becomes U+FFFD per byte");
	is_str(esc("ok\xe2\x82", 4, out), "ok\xef\xbf\xbd\xef\xbf\xbd", "a truncated sequence at the end");
	is_str(esc("\xe2\x82\"", 3, out), "\xef\xbf\xbd\xef\xbf\xbd\\\"",
	       "a truncated sequence before a quote: the quote is still escaped");
	is_str(esc("ab\0cd", 5, out), "ab", "stops at a NUL");
	out[pw_prom_escape_help(out, "say \"hi\"\\\n", 10)] = '\0';
	is_str(out, "say \"hi\"\\\\\\n", "HELP: quotes stay, backslash and newline escaped");
	ok(pw_prom_utf8_valid("\xc3\xa9", 2) && !pw_prom_utf8_valid("\xc3", 1) &&
	   !pw_prom_utf8_valid("a\0b", 3), "pw_prom_utf8_valid");
}

/* Every escape of random bytes is one valid label value: UTF-8, no raw newline, quotes escaped. */
static void test_escape_random(void)
{
	unsigned int seed = 12345;
	int bad = 0;

	for (int iter = 0; iter < 20000 && !bad; iter++) {
		char in[48], out[PW_PROM_ESC_MAX(48) + 1];
		size_t n = (size_t)(rand_r(&seed) % 48), o;

		for (size_t i = 0; i < n; i++)
			in[i] = (char)(rand_r(&seed) % 4 ? rand_r(&seed) % 256 : "\"\\\n\xc3"[rand_r(&seed) % 4]);
		o = pw_prom_escape_label(out, in, n);
		if (o > PW_PROM_ESC_MAX(n) || !pw_prom_utf8_valid(out, o) || memchr(out, '\n', o))
			bad = 1;
		for (size_t i = 0; i < o && !bad; i++) {
			if (out[i] == '\\') {
				if (i + 1 >= o || !strchr("\\\"n", out[i + 1]))
					bad = 1;
				i++;
			} else if (out[i] == '"') {
				bad = 1;
			}
		}
	}
	ok(!bad, "20,000 random byte strings escape to valid label values");
}

static const char *num(double v, char *buf)
{
	pw_prom_fmt_double(buf, v);
	return buf;
}

static void test_numbers(void)
{
	char buf[PW_PROM_NUM_MAX];
	double v;

	pw_prom_fmt_u64(buf, 0);
	is_str(buf, "0", "u64 0");
	pw_prom_fmt_u64(buf, UINT64_MAX);
	is_str(buf, "18446744073709551615", "u64 max");
	is_str(num(0, buf), "0", "double 0");
	is_str(num(12.5, buf), "12.5", "double 12.5");
	is_str(num(0.1, buf), "0.1", "double 0.1: shortest form");
	is_str(num(1e-06, buf), "1e-06", "double 1e-06");
	is_str(num(-3, buf), "-3", "double -3");
	is_str(num(1e21, buf), "1e+21", "double 1e21");
	is_str(num(9007199254740992.0, buf), "9007199254740992", "2^53 round-trips");
	is_str(num(NAN, buf), "NaN", "NaN");
	is_str(num(INFINITY, buf), "+Inf", "+Inf");
	is_str(num(-INFINITY, buf), "-Inf", "-Inf");
	ok(!pw_prom_parse_double("3", 1, &v) && v == 3, "parse 3");
	ok(!pw_prom_parse_double("1e+06", 5, &v) && v == 1e6, "parse 1e+06");
	ok(!pw_prom_parse_double("0.000128", 8, &v) && v == ldexp(1e-6, 7), "parse 0.000128 = 2^7 µs");
	ok(!pw_prom_parse_double("+Inf", 4, &v) && isinf(v) && v > 0, "parse +Inf");
	ok(!pw_prom_parse_double("NaN", 3, &v) && isnan(v), "parse NaN");
	for (const char *const *p = (const char *const[]){ "", "0x10", "inf", "1,5", "1 ", "nan(1)",
							   "12a", NULL }; *p; p++)
		ok(pw_prom_parse_double(*p, strlen(*p), &v) == -1, "parse rejects '%s'", *p);
	/* a decimal comma in LC_NUMERIC changes nothing (tests/unit/metrics.t builds the locale) */
	if (getenv("PW_COMMA_LOCALE") && setlocale(LC_NUMERIC, getenv("PW_COMMA_LOCALE"))) {
		char check[32];

		snprintf(check, sizeof(check), "%.1f", 12.5);
		is_str(check, "12,5", "the comma locale is active");
		is_str(num(12.5, buf), "12.5", "12.5 under a decimal-comma locale");
		ok(!pw_prom_parse_double("0.25", 4, &v) && v == 0.25, "parse 0.25 under a decimal-comma locale");
		setlocale(LC_NUMERIC, "C");
	} else {
		skip("doubles under a decimal-comma locale", "no de_DE.UTF-8 locale built");
		skip("doubles under a decimal-comma locale (parse)", "no de_DE.UTF-8 locale built");
		skip("doubles under a decimal-comma locale (format)", "no de_DE.UTF-8 locale built");
	}
}

/* ---- negotiation ------------------------------------------------------------------------ */

static void test_negotiation(void)
{
	static const struct { const char *accept; bool om; } a[] = {
		{ NULL, false },
		{ "", false },
		/* what Prometheus 2.42 sends */
		{ "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
		  "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", true },
		{ "text/plain;version=0.0.4;q=1,*/*;q=0.1", false },
		{ "application/openmetrics-text", true },
		{ "APPLICATION/OpenMetrics-Text; VERSION=\"1.0.0\"", true },
		{ "application/openmetrics-text;version=2.0.0", false },
		{ "application/openmetrics-text;q=0.3,text/plain;q=0.5", false },
		{ "text/plain;q=0.3, application/openmetrics-text;q=0.5", true },
		{ "text/plain, application/openmetrics-text", false },
		{ "application/openmetrics-text;q=0", false },
		{ "application/openmetrics-text;q=2", false },
		{ "application/openmetrics-text;q=abc", false },
		{ "application/json", false },
		{ "*/*", false },
		{ ",,,;;;===\"\"\"", false },
	};
	static const struct { const char *enc; bool gz; } e[] = {
		{ NULL, false }, { "", false }, { "gzip", true }, { "GZIP", true }, { "x-gzip", true },
		{ "gzip;q=0", false }, { "deflate, gzip;q=0.5", true }, { "*", true }, { "*;q=0", false },
		{ "identity", false }, { "gzip;q=0, *", false }, { "br, deflate", false },
	};
	char *huge = malloc(200001);

	for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++)
		ok(pw_http_wants_openmetrics(a[i].accept) == a[i].om, "Accept: %s -> %s",
		   a[i].accept ? a[i].accept : "(none)", a[i].om ? "OpenMetrics" : "text 0.0.4");
	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		ok(pw_http_accepts_gzip(e[i].enc) == e[i].gz, "Accept-Encoding: %s -> %s",
		   e[i].enc ? e[i].enc : "(none)", e[i].gz ? "gzip" : "identity");
	memset(huge, 'a', 200000);
	memcpy(huge + 199950, ",application/openmetrics-text", 29);
	huge[199979] = '\0';
	ok(pw_http_wants_openmetrics(huge), "a 200 kB Accept header: the sane element still counts");
	free(huge);
}

/* ---- the exposition ------------------------------------------------------------------------- */

static void test_golden(const char *dir)
{
	struct pw_snapshot *s = fx_basic();
	char *want_text = slurp(dir, "metrics-basic.prom"), *want_om = slurp(dir, "metrics-basic.om");
	char *text = render(s, "node-1", false, &basic_proc, NULL);
	char *om = render(s, "node-1", true, &basic_proc, NULL);

	same_text(text, want_text, "text 0.0.4: golden/metrics-basic.prom byte for byte");
	same_text(om, want_om, "OpenMetrics: golden/metrics-basic.om byte for byte");
	free(text);
	free(om);
	free(want_text);
	free(want_om);
	pw_snapshot_free(s);
}

static void test_histogram(void)
{
	struct pw_snapshot *s = fx_snapshot(1700000000.0);
	struct pw_namespace *ns;
	char *t;

	fx_ns(s, 4026532001u, 1, "init", "h");
	fx_ns(s, 4026532002u, 2, "idle", "h2");	/* reaped nothing: no histogram */
	ns = &s->ns[0];	/* fx_ns may have moved the first one */
	ns->dwell_hist[3] = 2;			/* < 8 µs */
	ns->dwell_hist[10] = 1;			/* < 1.024 ms */
	ns->dwell_hist[PWC_HIST_SLOTS - 1] = 4;	/* beyond the last bound */
	ns->dwell_sum_ns = 2500000000ULL;
	t = render(s, "n", false, NULL, NULL);
	has(t, "# TYPE pausewatch_zombie_dwell_seconds histogram");
	has(t, "pausewatch_zombie_dwell_seconds_bucket{node=\"n\",pidns=\"4026532001\",le=\"4e-06\"} 0");
	has(t, "pausewatch_zombie_dwell_seconds_bucket{node=\"n\",pidns=\"4026532001\",le=\"8e-06\"} 2");
	has(t, "pausewatch_zombie_dwell_seconds_bucket{node=\"n\",pidns=\"4026532001\",le=\"0.000512\"} 2");
	has(t, "pausewatch_zombie_dwell_seconds_bucket{node=\"n\",pidns=\"4026532001\",le=\"0.001024\"} 3");
	has(t, "pausewatch_zombie_dwell_seconds_bucket{node=\"n\",pidns=\"4026532001\",le=\"1073.741824\"} 3");
	has(t, "pausewatch_zombie_dwell_seconds_bucket{node=\"n\",pidns=\"4026532001\",le=\"+Inf\"} 7");
	has(t, "pausewatch_zombie_dwell_seconds_sum{node=\"n\",pidns=\"4026532001\"} 2.5");
	has(t, "pausewatch_zombie_dwell_seconds_count{node=\"n\",pidns=\"4026532001\"} 7");
	is_int(count_lines_with(t, "pausewatch_zombie_dwell_seconds_bucket{"), PWC_HIST_SLOTS,
	       "one bucket line per slot, for the one namespace that reaped");
	hasnt(t, "pidns=\"4026532002\",le=");
	free(t);
	pw_snapshot_free(s);
}

static void test_states(void)
{
	struct pw_snapshot *s = fx_snapshot(1700000000.0);
	struct pw_namespace *ns;
	char *t;

	fx_ns(s, 4026532011u, 11, "unknown", "a");	/* dispositions and pids unknown */
	ns = fx_ns(s, 4026532012u, 12, "unlimited", "b");
	ns->pids_known = true;
	ns->pids_current = 9;
	ns->pids_max = PW_PIDS_UNLIMITED;
	fx_sig_ignored_by_init(ns, 28, 2);		/* SIGWINCH: not an exported disposition */
	fx_sig(ns, SIGKILL, PWC_SIG_DELIVERED, 0);	/* a row with nothing: no series */
	ns = fx_ns(s, 4026532013u, 13, "remote", "c");
	snprintf(ns->node, sizeof(ns->node), "other-node");
	s->self.drops[PWC_DROP_ZOMBIES_UNLISTED] = 5;
	t = render(s, "here", false, NULL, NULL);
	hasnt(t, "pidns=\"4026532011\",signal=\"SIGTERM\",disposition");
	hasnt(t, "pausewatch_pids_current{node=\"here\",pidns=\"4026532011\"}");
	has(t, "pausewatch_pids_current{node=\"here\",pidns=\"4026532012\"} 9");
	hasnt(t, "pausewatch_pids_max{node=\"here\",pidns=\"4026532012\"}");
	has(t, "pausewatch_signals_ignored_by_init_total{node=\"here\",pidns=\"4026532012\",signal=\"SIGWINCH\"} 2");
	has(t, "pausewatch_signals_ignored_by_init_total{node=\"here\",pidns=\"4026532011\",signal=\"SIGTERM\"} 0");
	hasnt(t, "signal=\"SIGKILL\"");
	hasnt(t, "# TYPE pausewatch_signals_generated_total");
	hasnt(t, "# TYPE pausewatch_oldest_zombie_age_seconds");
	hasnt(t, "pausewatch_pause_reaped_total{");
	has(t, "pausewatch_zombies{node=\"other-node\",pidns=\"4026532013\"} 0");
	hasnt(t, "zombies_unlisted");
	hasnt(t, "pausewatch_bpf_run");
	hasnt(t, "process_");
	hasnt(t, "# EOF");
	hasnt(t, "# UNIT");
	free(t);
	pw_snapshot_free(s);
}

static void test_hostile(void)
{
	struct pw_snapshot *s = fx_hostile();
	char *t = render(s, "n\"1", false, NULL, NULL), *om = render(s, "n\"1", true, NULL, NULL);
	size_t len = strlen(t);

	has(t, "pausewatch_namespace_info{node=\"n\\\"1\",pidns=\"4026532101\",level=\"1\",init_pid=\"100\","
	       "init_comm=\"a\\\"b\\\\c\\nd\",hostname=\"host\\\"name\\\\\\n# EOF\\n\","
	       "container_id=\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\","
	       "runtime=\"\xef\xbf\xbd\xef\xbf\xbd\\\\\\\\\\\\\",pod_uid=\"}\\\"} 1\\npausewatch_zombies{pidns=\\\"1\\\"} \"} 1");
	ok(pw_prom_utf8_valid(t, len), "the whole exposition is valid UTF-8");
	is_int(count_lines_with(t, "pausewatch_zombies{"), 2, "no forged series: two namespaces, two zombie gauges");
	is_int(count_lines_with(t, "pausewatch_namespace_info{node=\"n\\\"1\",pidns=\"4026532102\""), 1,
	       "a reused inode is exported once");
	has(t, "pausewatch_namespace_alive{node=\"n\\\"1\",pidns=\"4026532102\"} 1");
	ok(strstr(t, "pidns=\"4026532102\",level=\"1\",init_pid=\"201\"") && !strstr(t, "init_pid=\"200\""),
	   "the live namespace's attribution, not the gone one's");
	has(t, "pausewatch_signals_delivered_total{node=\"n\\\"1\",pidns=\"4026532101\",signal=\"SIGRTMIN\",action=\"handler\"} 5");
	has(t, "pausewatch_bpf_run_time_seconds_total{node=\"n\\\"1\"} 0.123456789");
	has(t, "pausewatch_bpf_runs_total{node=\"n\\\"1\"} 1000");
	has(t, "pausewatch_init_signal_disposition{node=\"n\\\"1\",pidns=\"4026532101\",signal=\"SIGTERM\","
	       "disposition=\"catch\"} 1");
	ok(len > 7 && !strcmp(om + strlen(om) - 6, "# EOF\n"), "OpenMetrics ends with # EOF");
	has(om, "# TYPE pausewatch_bpf_run_time_seconds counter");
	has(om, "# UNIT pausewatch_bpf_run_time_seconds seconds");
	has(om, "# TYPE pausewatch_init_signal_disposition gauge");
	has(om, "# TYPE pausewatch_namespace info");
	has(om, "# TYPE pausewatch_build info");
	has(om, "pausewatch_build_info{node=\"n\\\"1\",version=\"1.2.3\",exit_variant=\"v616\",attach=\"tp_btf\",walk=\"task_iter\"} 1");
	free(t);
	free(om);
	pw_snapshot_free(s);
}

struct collect {
	char buf[65536];
	size_t len, calls, biggest;
	int fail_after;
};

static int collect(void *ctx, const char *data, size_t len)
{
	struct collect *c = ctx;

	if (c->fail_after && (int)c->calls >= c->fail_after)
		return -EPIPE;
	if (c->len + len <= sizeof(c->buf))
		memcpy(c->buf + c->len, data, len);
	c->len += len;
	c->calls++;
	c->biggest = len > c->biggest ? len : c->biggest;
	return 0;
}

/* A sink gets the same bytes in pieces of at most the buffer's size. */
static void test_sink(void)
{
	struct pw_snapshot *s = fx_basic();
	struct pw_metrics_opts o = { .node = "node-1", .proc = &basic_proc, .version = "1.2.3",
				     .format = PW_METRICS_OPENMETRICS };
	struct collect c = { 0 }, fail = { .fail_after = 2 };
	char *whole = render(s, "node-1", true, &basic_proc, NULL);
	struct pw_mbuf b;

	pw_mbuf_init(&b, 1024);
	b.sink = collect;
	b.sink_ctx = &c;
	is_int(pw_face_metrics(&b, s, &o), 0, "rendering into a 1 kB buffer with a sink");
	ok(c.len == strlen(whole) && !memcmp(c.buf, whole, c.len), "the sink got the whole exposition (%zu bytes)", c.len);
	ok(c.calls > 3 && c.biggest <= 1024 && b.cap == 1024, "in %zu pieces of at most 1 kB; the buffer never grew",
	   c.calls);
	is_int(b.len, 0, "nothing left in the buffer");
	pw_mbuf_free(&b);
	pw_mbuf_init(&b, 1024);
	b.sink = collect;
	b.sink_ctx = &fail;
	is_int(pw_face_metrics(&b, s, &o), -EPIPE, "a sink's error comes back");
	pw_mbuf_free(&b);
	free(whole);
	pw_snapshot_free(s);
}

static void test_empty_and_errors(void)
{
	struct pw_snapshot *s = fx_snapshot(1700000000.0);
	struct pw_metrics_opts o = { .node = "n" };
	struct pw_mbuf b;
	char *t;

	t = render(s, "n", true, NULL, NULL);
	ok(t && strstr(t, "pausewatch_build_info{") && !strcmp(t + strlen(t) - 6, "# EOF\n"),
	   "no namespace at all: still a complete exposition");
	free(t);
	pw_mbuf_init(&b, 0);
	is_int(pw_face_metrics(&b, s, NULL), -EINVAL, "NULL options: -EINVAL");
	o.node = NULL;
	is_int(pw_face_metrics(&b, s, &o), -EINVAL, "no node name: -EINVAL");
	b.err = -ENOMEM;
	o.node = "n";
	is_int(pw_face_metrics(&b, s, &o), -ENOMEM, "a failed buffer stays failed");
	pw_mbuf_free(&b);
	pw_snapshot_free(s);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "--dump"))
		return dump(argv[2], argc >= 4 && !strcmp(argv[3], "--om"));
	if (argc != 2) {
		fprintf(stderr, "usage: metrics_test GOLDEN_DIR | --dump hostile|basic|big [--om]\n");
		return 2;
	}
	test_escape();
	test_escape_random();
	test_numbers();
	test_negotiation();
	test_golden(argv[1]);
	test_histogram();
	test_states();
	test_hostile();
	test_empty_and_errors();
	test_sink();
	return done_testing();
}
