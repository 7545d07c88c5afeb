// SPDX-License-Identifier: Apache-2.0
/*
 * faces_test.c — every face's output checked exactly from hand-built
 * snapshots (tests/unit/snapfix.h), no root and no BPF: the text face
 * (pw_face_text), the JSON face (pw_face_json) and the live view's model
 * (tui_model.h: layout, cells, sort, filter, header, drill-down, sparkline).
 * Hostile container strings (ESC sequences, newline, a lone 0x9b, C1
 * controls in UTF-8, invalid UTF-8, direction overrides, wide characters)
 * must never reach any terminal face raw.
 *
 *	faces_test                 run the tests (TAP)
 *	faces_test --json FILE     write the hostile snapshot's JSON to FILE (faces.t checks it with jq)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faces.h"
#include "snapfix.h"
#include "tap.h"
#include "textsafe.h"
#include "tui_model.h"

#define PIDNS_HOST	4026531836u
#define PIDNS_SHOP	4026532001u
#define PIDNS_WEB	4026532002u
#define PIDNS_JOB	4026532003u
#define PIDNS_EVIL	4026532099u

/* ---- fixtures ---------------------------------------------------------- */

/*
 * A node at t0+2 s with four namespaces: the host (no dispositions known),
 * "shop" (an init that drops SIGTERM, 3 zombies, 40/50 PIDs), "web" (our
 * pause, catches SIGTERM, unlimited PIDs, 1 zombie) and "job" (gone).
 * *prev is the same node at t0: shop and job only.
 */
static struct pw_snapshot *node_fixture(struct pw_snapshot **prev)
{
	struct pw_snapshot *p = fx_snapshot(1700000000.0), *s = fx_snapshot(1700000002.0);
	struct pw_namespace *n;

	n = fx_ns(p, PIDNS_SHOP, 4242, "sleep", "shop-7d9f4");
	n->exits = 4;
	n->reaped = 3;
	n = fx_ns(p, PIDNS_JOB, 900, "sh", "batch-job");
	n->exits = 5;
	n->reaped = 5;

	n = fx_ns(s, PIDNS_HOST, 1, "systemd", "node-1");
	n->processes = 100;
	n->exits = 20;

	n = fx_ns(s, PIDNS_SHOP, 4242, "sleep", "shop-7d9f4");
	snprintf(n->container_id, sizeof(n->container_id), "3f2a9c0d1e2b");
	snprintf(n->runtime, sizeof(n->runtime), "podman");
	snprintf(n->init_cmdline, sizeof(n->init_cmdline), "sleep 3600");
	n->processes = 5;
	n->zombies = 3;
	n->oldest_zombie_age_s = 75.5;
	n->exits = 10;
	n->zombie_exits = 3;
	n->reaped = 7;
	n->orphans[PWC_REAPER_INIT] = 3;
	n->pids_known = true;
	n->pids_current = 40;
	n->pids_max = 50;
	n->pids_events_max = 2;
	fx_disp(n, 15, PW_DISP_DEFAULT);
	fx_disp(n, 10, PW_DISP_CATCH);
	fx_disp(n, 1, PW_DISP_IGNORE);
	fx_sig(n, 15, PWC_SIG_IGNORED, 1);
	fx_sig_ignored_by_init(n, 15, 1);
	fx_sig(n, 17, PWC_SIG_DELIVERED, 5);
	fx_zombie(s, n, 4250, 7, "sh", 75.5);
	fx_zombie(s, n, 4251, 8, "sh", 12.0)->exit_code = 3;
	n = &s->ns[1];
	{
		struct pw_zombie *z = fx_zombie(s, n, 4252, 9, "worker", 0.5);

		z->exit_code = -1;
		z->exit_signal = 9;
	}

	n = fx_ns(s, PIDNS_WEB, 777, "pause", "web-1");
	n->has_pause = true;
	n->pause.reaped_total = 20;
	n->pause.reaped_exit_zero = 15;
	n->pause.reaped_exit_nonzero = 5;
	n->exits = 4;
	n->zombies = 1;
	n->oldest_zombie_age_s = 5.0;
	fx_disp(n, 15, PW_DISP_BLOCKED);	/* our pause reads SIGTERM from a signalfd */
	fx_disp(n, 2, PW_DISP_CATCH);
	n->pids_known = true;
	n->pids_current = 3;
	n->pids_max = PW_PIDS_UNLIMITED;
	fx_zombie(s, n, 790, 4, "true", 5.0);

	n = fx_ns(s, PIDNS_JOB, 900, "sh", "batch-job");
	n->exits = 5;
	n->reaped = 5;
	fx_gone(n, 1700000001.0);

	*prev = p;
	return s;
}

/*
 * U+202E RIGHT-TO-LEFT OVERRIDE in UTF-8.  Bytes, not a string literal:
 * clang-tidy's misc-misleading-bidirectional reads a literal's bytes (\x
 * escapes or not) and reports an override that is never closed, which is
 * exactly what the hostile text must hold.
 */
static const char rlo[] = { '\xe2', '\x80', '\xae', '\0' };

/* One namespace whose container writes escape sequences everywhere it can. */
static struct pw_snapshot *hostile_fixture(void)
{
	struct pw_snapshot *s = fx_snapshot(1700000000.0);
	struct pw_namespace *n;
	struct pw_zombie *z;

	/* ESC, CSI "clear screen", a newline and a lone 8-bit CSI in 15 bytes of comm */
	n = fx_ns(s, PIDNS_EVIL, 666, "\x1b[2Jx\n\x9b", NULL);
	/* OSC "set window title" ended by BEL, then two wide characters, then a stray byte */
	snprintf(n->hostname, sizeof(n->hostname), "\x1b]2;PWNED\x07" "日本" "\xff");
	/* C1 CSI encoded as valid UTF-8 (U+009B) */
	snprintf(n->container_id, sizeof(n->container_id), "\xc2\x9b" "31m");
	/* right-to-left override (U+202E) and a zero-width space (U+200B) */
	snprintf(n->init_cmdline, sizeof(n->init_cmdline), "rm%s-rf\xe2\x80\x8b", rlo);
	snprintf(n->pod_uid, sizeof(n->pod_uid), "\r\x1b[1A");
	snprintf(n->runtime, sizeof(n->runtime), "\x7f" "x");
	n->zombies = 1;
	n->oldest_zombie_age_s = 1.0;
	z = fx_zombie(s, n, 700, 2, "\x1b[31mred", 1.0);
	snprintf(z->parent_comm, sizeof(z->parent_comm), "\x1b" "c\x9b" "J");
	return s;
}

/* ---- helpers ----------------------------------------------------------- */

static char *render(int (*face)(FILE *, const struct pw_snapshot *, const struct pw_snapshot *),
		    const struct pw_snapshot *s, const struct pw_snapshot *prev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	face(f, s, prev);
	fclose(f);
	return buf;
}

static int json_face(FILE *f, const struct pw_snapshot *s, const struct pw_snapshot *prev)
{
	(void)prev;
	return pw_face_json(f, s, false);
}

/*
 * Why text is not terminal-safe, or NULL: decoded independently of
 * textsafe.c.  Invalid UTF-8, C0 controls (but '\n' when allowed), DEL, C1
 * controls and invisible format/direction characters are all refused.
 */
static const char *unsafe(const char *text, bool allow_newline)
{
	const unsigned char *s = (const unsigned char *)text;

	while (*s) {
		unsigned int c = *s, len = 1;

		if (c >= 0xf0 && c <= 0xf4)
			len = 4, c &= 0x07;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, c &= 0x0f;
		else if (c >= 0xc2 && c <= 0xdf)
			len = 2, c &= 0x1f;
		else if (c >= 0x80)
			return "invalid UTF-8 lead byte (raw 0x80-0xff, e.g. 0x9b)";
		for (unsigned int i = 1; i < len; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return "truncated UTF-8 sequence";
			c = c << 6 | (s[i] & 0x3f);
		}
		if (c == '\n' && allow_newline)
			;
		else if (c < 0x20 || c == 0x7f)
			return "C0 control or DEL";
		else if (c >= 0x80 && c <= 0x9f)
			return "C1 control";
		else if ((c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
			 (c >= 0x2060 && c <= 0x206f) || c == 0xfeff)
			return "invisible format or direction character";
		s += len;
	}
	return NULL;
}

static int is_safe(const char *text, bool allow_newline, const char *what)
{
	const char *why = text ? unsafe(text, allow_newline) : "no output";

	if (!ok(why == NULL, "%s: terminal-safe", what))
		diag("  %s", why);
	return why == NULL;
}

static void lines_text(const struct tui_lines *t, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < t->lines && o < len; i++) {
		char line[2048];

		tui_line_text(t, i, line, sizeof(line));
		o += (size_t)snprintf(buf + o, len - o, "%s\n", line);
	}
}

/* pidns of each row, "2001 2002 1836 2003" (last 4 digits) */
static const char *row_order(const struct tui_model *m)
{
	static char buf[256];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < m->n_rows; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%u", i ? " " : "",
				      m->rows[i].ns->pidns % 10000);
	return buf;
}

/*
 * The model under test, over s (and prev before it): it owns both from here
 * on, and the next model_of (or model_done) frees them.
 */
static struct tui_model the_model;

static void model_done(void)
{
	tui_model_free(&the_model);
}

static struct tui_model *model_of(struct pw_snapshot *s, struct pw_snapshot *prev, bool cluster,
				  bool ascii)
{
	tui_model_free(&the_model);
	tui_model_init(&the_model, cluster, ascii);
	if (prev && tui_model_push(&the_model, prev))
		return NULL;
	if (tui_model_push(&the_model, s))
		return NULL;
	return &the_model;
}

/* ---- the text face ----------------------------------------------------- */

static void test_text_face(void)
{
	struct pw_snapshot *prev, *s = node_fixture(&prev);
	char *out = render(pw_face_text, s, prev);
	static const char want[] =
		"pausetop: 4 pid namespaces (1 gone), 4 zombies, oldest 75.5s, exit tracepoint v616 (tp_btf)\n"
		"rates/s: exits 15.0, reaps 2.0, orphans 1.5, signals 3.0; inits that drop SIGTERM 1, SIGTERMs ignored by inits 1, drops 0\n"
		"PIDNS      LVL     INIT COMM            HOSTNAME              ZOMBIE  OLDEST    EXITS   REAPED AUTOREAP  ORPHANS IGNINIT TERM        PIDS  PAUSE\n"
		"4026531836   0        1 systemd         node-1                     0       -       20        0        0        0      0    ?           -      -\n"
		"4026532001   1     4242 sleep           shop-7d9f4                 3   75.5s       10        7        0        3      1   NO       40/50      -\n"
		"4026532002   1      777 pause           web-1                      1    5.0s        4        0        0        0      0  yes       3/max     20\n"
		"4026532003   1      900 sh              batch-job                  0       -        5        5        0        0      0    ?           -      -  (gone)\n"
		"\n"
		"     PID    NSPID PIDNS      COMM                 PPID PARENT                AGE STATUS\n"
		"    4250        7 4026532001 sh                   4242 sleep               75.5s exit 0\n"
		"    4251        8 4026532001 sh                   4242 sleep               12.0s exit 3\n"
		"    4252        9 4026532001 worker               4242 sleep                0.5s SIGKILL\n"
		"     790        4 4026532002 true                  777 pause                5.0s exit 0\n";

	is_str(out, want, "text face: the node fixture, exactly (header, rates against prev, rows, zombies)");
	free(out);
	out = render(pw_face_text, s, NULL);
	ok(out && strstr(out, "\nPIDNS") && !strstr(out, "rates/s"),
	   "text face: no earlier snapshot, no rates line");
	free(out);
	pw_snapshot_free(s);
	pw_snapshot_free(prev);
}

static void test_text_face_hostile(void)
{
	struct pw_snapshot *s = hostile_fixture();
	char *out = render(pw_face_text, s, NULL);
	size_t nl = 0;

	is_safe(out, true, "text face, hostile strings");
	for (const char *p = out; p && *p; p++)
		nl += *p == '\n';
	is_int(nl, 7, "text face, hostile strings: a newline in a comm forges no line (7 lines)");
	ok(out && strstr(out, "\n4026532099   1      666 ?[2Jx??         ?]2;PWNED?日本?            1    1.0s "),
	   "text face: ESC, newline, 0x9b, BEL and the stray byte each shown as '?', wide characters kept");
	ok(out && strstr(out, "     700        2 4026532099 ?[31mred              666 ?c?J"),
	   "text face: the zombie's comm and parent comm neutralised too");
	if (out && !strstr(out, "?[2Jx??"))
		diag("got:\n%s", out);
	free(out);
	pw_snapshot_free(s);
}

/* ---- the JSON face ----------------------------------------------------- */

static void test_json_face(void)
{
	struct pw_snapshot *s = fx_snapshot(1700000000.5);
	struct pw_namespace *n = fx_ns(s, PIDNS_SHOP, 4242, "sleep", "shop");
	char *out;
	static const char want[] =
		"{\"time\":1700000000.5,\"namespaces\":[{\"pidns\":4026532001,\"ns_id\":1001,\"level\":1,"
		"\"alive\":false,\"gone_time\":1699999999.25,\"init_pid\":4242,\"init_comm\":\"sleep\","
		"\"init_cmdline\":null,\"hostname\":\"shop\",\"container_id\":null,\"runtime\":null,"
		"\"pod_uid\":null,\"processes\":0,\"zombies\":0,\"oldest_zombie_age_seconds\":null,"
		"\"oldest_zombie_age_is_lower_bound\":false,"
		"\"init_dispositions\":{\"SIGTERM\":\"ignore\",\"SIGINT\":\"default\",\"SIGHUP\":\"default\","
		"\"SIGQUIT\":\"default\",\"SIGUSR1\":\"catch\",\"SIGUSR2\":\"default\"},\"init_drops_sigterm\":true,"
		"\"pids\":{\"current\":40,\"max\":50,\"events_max\":3},\"exits_total\":9,\"zombie_exits_total\":2,"
		"\"reaped_total\":8,\"autoreaped_total\":1,\"orphans_total\":4,"
		"\"orphans_by_reaper\":{\"init\":1,\"subreaper\":3,\"thread\":0,\"unknown\":0},"
		"\"orphans_already_zombie_total\":0,\"orphans_killed_with_init_total\":0,"
		"\"zombie_dwell_seconds\":{\"buckets\":[{\"le\":0.001024,\"count\":2},{\"le\":\"+Inf\",\"count\":1}],"
		"\"count\":3,\"sum\":1.5},"
		"\"signals_generated\":{\"SIGTERM\":{\"ignored\":2}},\"signals_delivered\":{},"
		"\"signals_ignored_by_init\":{\"SIGTERM\":2},\"pause\":null}],"
		"\"zombies\":[],\"dropped\":{\"namespace_table_full\":0,\"signal_table_full\":0,"
		"\"exit_slot_evicted\":0,\"orphan_walk_bound\":0,\"namespace_unresolved\":0,"
		"\"walk_namespace_table_full\":0,\"zombies_unlisted\":0,\"gone_namespaces_evicted\":4},"
		"\"recovered\":{\"reaps_by_walk\":0,\"autoreaps_by_walk\":0,\"reaps_by_pid_reuse\":0},"
		"\"totals\":{\"namespaces\":1,\"alive\":0,\"gone\":1,\"processes\":0,\"zombies\":0,"
		"\"oldest_zombie_age_seconds\":null,\"inits_dropping_sigterm\":0,\"sigterm_ignored_by_init\":2,"
		"\"worst_pids_ratio\":null,\"worst_pids_pidns\":null,\"drops\":4},"
		"\"collector\":{\"exit_variant\":\"v616\",\"attach\":\"tp_btf\",\"walk\":\"task_iter\","
		"\"bpf_stats_enabled\":false,\"bpf_run_time_ns\":null,\"bpf_run_count\":null,"
		"\"snapshot_seconds\":0.0012,\"uptime_seconds\":60,\"cpu_seconds\":0.25,\"keep_gone_seconds\":300}}\n";

	n->exits = 9;
	n->zombie_exits = 2;
	n->reaped = 8;
	n->autoreaped = 1;
	n->orphans[PWC_REAPER_INIT] = 1;
	n->orphans[PWC_REAPER_SUBREAPER] = 3;
	n->pids_known = true;
	n->pids_current = 40;
	n->pids_max = 50;
	n->pids_events_max = 3;
	n->dwell_hist[10] = 2;
	n->dwell_hist[PWC_HIST_SLOTS - 1] = 1;
	n->dwell_sum_ns = 1500000000;
	fx_disp(n, 15, PW_DISP_IGNORE);
	fx_disp(n, 10, PW_DISP_CATCH);
	fx_sig(n, 15, PWC_SIG_IGNORED, 2);
	fx_sig_ignored_by_init(n, 15, 2);
	fx_gone(n, 1699999999.25);
	s->self.drops[PWC_DROP_GONE_EVICTED] = 4;
	s->self.cpu_seconds = 0.25;
	out = render(json_face, s, NULL);
	is_str(out, want, "JSON face: a gone namespace with dispositions, pids, dwell, signals, exactly");
	free(out);
	pw_snapshot_free(s);
}

static void test_json_face_hostile(void)
{
	struct pw_snapshot *s = hostile_fixture();
	char *out = render(json_face, s, NULL);

	ok(out && strstr(out, "\"init_comm\":\"\\u001b[2Jx\\u000a\\ufffd\""),
	   "JSON face: ESC, newline and a lone 0x9b in comm escaped (\\u001b, \\u000a, \\ufffd)");
	ok(out && strstr(out, "\"hostname\":\"\\u001b]2;PWNED\\u0007日本\\ufffd\""),
	   "JSON face: OSC title sequence escaped, wide characters kept, stray byte replaced");
	ok(out && strstr(out, "\"runtime\":\"\\u007fx\""), "JSON face: DEL escaped");
	ok(out && !strchr(out, '\x1b') && !strchr(out, '\x07') && !strchr(out, '\r'),
	   "JSON face: no raw ESC, BEL or CR");
	/* U+009B in UTF-8 is a C1 CSI to terminals that honour C1 in UTF-8 */
	ok(out && !strstr(out, "\xc2\x9b"), "JSON face: no raw C1 control (U+009B) in the output");
	ok(out && !strstr(out, rlo), "JSON face: no raw right-to-left override (U+202E)");
	free(out);
	pw_snapshot_free(s);
}

/* ---- the live view's model --------------------------------------------- */

static const char *layout_str(const struct tui_layout *l)
{
	static char buf[512];
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < l->n; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s@%d+%d", i ? " " : "",
				      tui_col_label(l->c[i].col), l->c[i].x, l->c[i].width);
	return buf;
}

static void test_layout(void)
{
	struct pw_snapshot *prev, *s = node_fixture(&prev);
	struct tui_model *m = model_of(s, prev, false, false);
	struct tui_layout l;
	char line[2048];

	tui_layout(m, 80, &l);
	is_str(layout_str(&l),
	       "PIDNS@0+10 INIT@11+13 HOST/POD@25+12 ZOMB@38+5 OLDEST@44+7 EXIT/s@52+6 IGN@59+4 TERM?@64+5 PIDS@70+10",
	       "layout at 80 columns: ORPH/s, REAP/s, CONTAINER and PAUSE give way; HOST/POD grows first");
	tui_heading(m, &l, 80, line, sizeof(line));
	is_str(line, "PIDNS      INIT          HOST/POD      ZOMB  OLDEST EXIT/s  IGN TERM?       PIDS",
	       "heading at 80 columns");
	is_int(strlen(line), 80, "heading at 80 columns is 80 wide");
	tui_layout(m, 120, &l);
	is_str(layout_str(&l),
	       "PIDNS@0+10 INIT@11+14 HOST/POD@26+15 CONTAINER@42+11 ZOMB@54+6 OLDEST@61+7 EXIT/s@69+6 "
	       "REAP/s@76+6 ORPH/s@83+6 IGN@90+5 TERM?@96+5 PIDS@102+11 PAUSE@114+6",
	       "layout at 120 columns: every column, 120 wide");
	tui_layout(m, 200, &l);
	is_str(layout_str(&l),
	       "PIDNS@0+10 INIT@11+24 HOST/POD@36+40 CONTAINER@77+56 ZOMB@134+6 OLDEST@141+7 EXIT/s@149+6 "
	       "REAP/s@156+6 ORPH/s@163+6 IGN@170+5 TERM?@176+5 PIDS@182+11 PAUSE@194+6",
	       "layout at 200 columns: long pod names and container ids get the room");
	tui_layout(m, 40, &l);
	is_str(layout_str(&l), "PIDNS@0+10 ZOMB@11+5 OLDEST@17+7 TERM?@25+5 PIDS@31+9",
	       "layout at 40 columns: pidns, zombies, oldest, TERM? and PIDS");
	s = node_fixture(&prev);
	m = model_of(s, prev, true, false);
	tui_layout(m, 120, &l);
	is_str(layout_str(&l),
	       "NODE@0+8 PIDNS@9+10 INIT@20+13 HOST/POD@34+12 CONTAINER@47+10 ZOMB@58+5 OLDEST@64+7 "
	       "EXIT/s@72+6 REAP/s@79+6 ORPH/s@86+6 IGN@93+4 TERM?@98+5 PIDS@104+10 PAUSE@115+5",
	       "cluster layout at 120 columns: NODE first, the rest narrower");
	tui_layout(m, 100, &l);
	is_str(layout_str(&l),
	       "NODE@0+9 PIDNS@10+10 INIT@21+13 HOST/POD@35+13 ZOMB@49+6 OLDEST@56+7 EXIT/s@64+6 "
	       "IGN@71+5 TERM?@77+5 PIDS@83+10 PAUSE@94+6",
	       "cluster layout at 100 columns: ORPH/s, REAP/s, CONTAINER give way, NODE stays");
	is_int(tui_col_step(m, TC_PAUSE, 1), TC_NODE, "cluster: > after PAUSE wraps to NODE");
	s = node_fixture(&prev);
	m = model_of(s, prev, false, false);
	is_int(tui_col_step(m, TC_PAUSE, 1), TC_PIDNS, "> after PAUSE wraps to PIDNS (no NODE locally)");
	is_int(tui_col_step(m, TC_PIDNS, -1), TC_PAUSE, "< before PIDNS wraps to PAUSE");
	is_int(tui_col_step(m, TC_ZOMB, 1), TC_OLDEST, "> after ZOMB is OLDEST");
}

static void test_rows(void)
{
	struct pw_snapshot *prev, *s = node_fixture(&prev);
	struct tui_model *m = model_of(s, prev, false, false);
	static const char *const want120[] = {
		"4026532001 4242 sleep     shop-7d9f4      3f2a9c0d1e2      3   1m15s    3.0    2.0    1.5     1 NO          40/50      -",
		"4026532002 777 pause      web-1           -                1    5.0s    2.0      0      0     0 yes         3/max     20",
		"4026531836 1 systemd      node-1          -                0       -   10.0      0      0     0 ?               -      -",
		"4026532003 900 sh         batch-job       -                0       -      0      0      0     0 gone            -      -",
	};
	static const char *const want80[] = {
		"4026532001 4242 sleep    shop-7d9f4       3   1m15s    3.0    1 NO         40/50",
		"4026532002 777 pause     web-1            1    5.0s    2.0    0 yes        3/max",
	};
	enum tui_tone want_tone[TC_MAX] = { [TC_OLDEST] = TONE_ALERT, [TC_TERM] = TONE_ALERT,
					    [TC_PIDS] = TONE_ALERT };
	struct tui_layout l;
	struct tui_cell c;
	char line[2048];

	is_str(row_order(m), "2001 2002 1836 2003",
	       "default sort: most zombies, then oldest; the gone namespace last");
	tui_layout(m, 120, &l);
	for (size_t i = 0; i < 4; i++) {
		tui_row_text(m, &m->rows[i], &l, line, sizeof(line));
		is_str(line, want120[i], "row %zu at 120 columns, exactly", i);
		is_int(pw_text_cols(line), 120, "row %zu is 120 columns", i);
	}
	tui_layout(m, 80, &l);
	for (size_t i = 0; i < 2; i++) {
		tui_row_text(m, &m->rows[i], &l, line, sizeof(line));
		is_str(line, want80[i], "row %zu at 80 columns, exactly", i);
		is_int(pw_text_cols(line), 80, "row %zu is 80 columns", i);
	}
	for (int col = 0; col < TC_MAX; col++) {
		tui_cell(m, &m->rows[0], (enum tui_col)col, 12, &c);
		is_int(c.tone, want_tone[col], "shop: tone of %s", tui_col_label((enum tui_col)col));
	}
	tui_cell(m, &m->rows[1], TC_OLDEST, 7, &c);
	is_int(c.tone, TONE_NORMAL, "web: a 5 s old zombie is not coloured (warn from %.0f s)", TUI_AGE_WARN_S);
	tui_cell(m, &m->rows[3], TC_ZOMB, 5, &c);
	is_int(c.tone, TONE_DIM, "a gone namespace is dim");
	m->rows[1].ns = &s->ns[2];
	s->ns[2].oldest_zombie_age_s = 10;
	tui_cell(m, &m->rows[1], TC_OLDEST, 7, &c);
	is_int(c.tone, TONE_WARN, "a zombie of %.0f s is yellow", TUI_AGE_WARN_S);
	s->ns[2].pids_max = 6;
	tui_cell(m, &m->rows[1], TC_PIDS, 9, &c);
	is_str(c.text, "      3/6", "PIDS 3/6, right-aligned");
	is_int(c.tone, TONE_WARN, "PIDS at 50%% is yellow");
	s->ns[2].pids_max = 7;
	tui_cell(m, &m->rows[1], TC_PIDS, 9, &c);
	is_int(c.tone, TONE_NORMAL, "PIDS at 43%% is not coloured");
	s->ns[2].zombies = 123456789;
	tui_cell(m, &m->rows[1], TC_ZOMB, 5, &c);
	is_str(c.text, " 123M", "a count too wide for its cell is shortened (123M), never cut");
	s->ns[2].zombies = 1234567;
	tui_cell(m, &m->rows[1], TC_ZOMB, 5, &c);
	is_str(c.text, "1234k", "1234567 in 5 columns is 1234k");
}

static void test_sort_filter(void)
{
	struct pw_snapshot *prev, *s = node_fixture(&prev);
	struct tui_model *m = model_of(s, prev, false, false);
	static const struct {
		enum tui_col col;
		const char *order;
	} sorts[] = {
		{ TC_PIDNS, "1836 2001 2002 2003" },	/* ascending */
		{ TC_INIT, "2002 2003 2001 1836" },	/* pause, sh, sleep, systemd */
		{ TC_HOST, "2003 1836 2001 2002" },	/* batch-job, node-1, shop, web */
		{ TC_CONTAINER, "2002 1836 2003 2001" },	/* "" first: ties by zombies, alive */
		{ TC_ZOMB, "2001 2002 1836 2003" },
		{ TC_OLDEST, "2001 2002 1836 2003" },
		{ TC_EXIT, "1836 2001 2002 2003" },	/* 10/s, 3/s, 2/s, 0 */
		{ TC_REAP, "2001 2002 1836 2003" },
		{ TC_ORPH, "2001 2002 1836 2003" },
		{ TC_IGN, "2001 2002 1836 2003" },
		{ TC_TERM, "2001 1836 2002 2003" },	/* NO, ?, yes, gone */
		{ TC_PIDS, "2001 2002 1836 2003" },	/* 80%, unlimited with 3, none */
		{ TC_PAUSE, "2002 2001 1836 2003" },
	};
	struct tui_key k;

	for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++) {
		m->sort = sorts[i].col;
		tui_model_refresh(m);
		is_str(row_order(m), sorts[i].order, "sort by %s", tui_col_label(sorts[i].col));
	}
	m->sort = TC_ZOMB;
	m->reverse = true;
	tui_model_refresh(m);
	is_str(row_order(m), "1836 2003 2002 2001", "sort by ZOMB reversed: fewest first");
	m->reverse = false;
	static const struct {
		const char *filter, *order;
	} filters[] = {
		{ "SHOP", "2001" },		/* hostname, any case */
		{ "pause", "2002" },		/* init comm */
		{ "3f2a9c", "2001" },		/* container id */
		{ "job", "2003" },
		{ "-", "2001 2002 1836 2003" },
		{ "zzz", "" },
		{ "", "2001 2002 1836 2003" },
	};
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		snprintf(m->filter, sizeof(m->filter), "%s", filters[i].filter);
		tui_model_refresh(m);
		is_str(row_order(m), filters[i].order, "filter '%s'", filters[i].filter);
	}
	m->hide_gone = true;
	tui_model_refresh(m);
	is_str(row_order(m), "2001 2002 1836", "x: gone namespaces hidden");
	snprintf(m->filter, sizeof(m->filter), "job");
	tui_model_refresh(m);
	is_str(row_order(m), "", "x with filter 'job': the only match is gone, so none");
	m->hide_gone = false;
	m->filter[0] = '\0';
	tui_model_refresh(m);
	tui_key_of(&s->ns[3], &k);
	is_int(tui_row_find(m, &k), 3, "the gone namespace's key finds its row");
	k.ns_id++;
	is_int(tui_row_find(m, &k), -1, "the same pidns with another ns_id (inode reused) is not it");
}

static void test_header_status(void)
{
	struct pw_snapshot *prev, *s = node_fixture(&prev);
	struct tui_model *m;
	struct tui_lines t = { 0 };
	char text[4096], line[1024];

	s->self.cpu_seconds = 1.03;
	prev->self.cpu_seconds = 1.0;
	m = model_of(s, prev, false, false);
	tui_header(m, 120, &t);
	lines_text(&t, text, sizeof(text));
	is_str(text,
	       "4 namespaces (1 gone), 4 zombies, oldest 1m15s in shop-7d9f4\n"
	       "per second: 15.0 exits, 2.0 reaps, 1.5 orphans, 3.0 signals\n"
	       "SIGTERM: 1 ignored by inits, 1 init would drop it; collector drops 0\n"
	       "PID pressure: 40/50 (80%) in shop-7d9f4; pausetop: 1.2 ms per snapshot, 1.5% CPU\n",
	       "header: node totals, rates, SIGTERM, PID pressure and pausetop's own cost");
	is_int(t.l[1].tone, TONE_ALERT, "header: the oldest zombie's age (75 s) is red");
	tui_lines_free(&t);
	tui_status(m, 1, false, 120, line, sizeof(line));
	is_str(line, "sort ZOMB (most first) | every 1s | Enter details  / filter  < > sort  ? help  q quit",
	       "status line");
	snprintf(m->filter, sizeof(m->filter), "web");
	m->sort = TC_HOST;
	tui_model_refresh(m);
	tui_status(m, 0.5, true, 120, line, sizeof(line));
	is_str(line,
	       "sort HOST/POD (least first) | filter 'web': 1 of 4 | every 0.5s | PAUSED (space) | Enter details  / filter  < > sort  ? help  q quit",
	       "status line: sort column, filter count, delay, paused");
	m->filter[0] = '\0';
	m->hide_gone = true;
	tui_model_refresh(m);
	tui_status(m, 1, false, 120, line, sizeof(line));
	is_str(line, "sort HOST/POD (least first) | gone hidden: 3 of 4 | every 1s | Enter details  / filter  < > sort  ? help  q quit",
	       "status line: gone hidden");

	/* the first snapshot: no rates and no CPU yet (loading BPF is not the steady cost) */
	s = node_fixture(&prev);
	pw_snapshot_free(prev);
	m = model_of(s, NULL, false, false);
	s->self.cpu_seconds = 0.6;
	tui_header(m, 120, &t);
	tui_line_text(&t, 1, line, sizeof(line));
	is_str(line, "per second: - exits, - reaps, - orphans, - signals", "header: no rates before a second snapshot");
	tui_line_text(&t, 3, line, sizeof(line));
	is_str(line, "PID pressure: 40/50 (80%) in shop-7d9f4; pausetop: 1.2 ms per snapshot",
	       "header: no CPU share before a second snapshot");
	tui_lines_free(&t);
}

static void test_detail(void)
{
	struct pw_snapshot *prev, *s = node_fixture(&prev);
	struct tui_model *m = model_of(s, prev, false, false);
	struct tui_lines t = { 0 };
	struct tui_key k;
	char text[8192];

	tui_key_of(&s->ns[1], &k);
	tui_detail(m, &k, 120, &t);
	lines_text(&t, text, sizeof(text));
	is_str(text,
	       "pidns 4026532001 (level 1), alive\n"
	       "init: pid 4242, comm sleep, cmdline sleep 3600\n"
	       "host/pod: shop-7d9f4   container: 3f2a9c0d1e2b (podman)\n"
	       "zombies: 3 now, oldest 1m15s; processes 5\n"
	       "PIDs: 40/50 (80%), 2 forks refused at the limit\n"
	       "init dispositions: SIGTERM default, SIGINT default, SIGHUP ignore, SIGQUIT default, SIGUSR1 catch, SIGUSR2 default\n"
	       "the init neither handles nor blocks SIGTERM: the kernel drops it, a stop waits out its grace period\n"
	       "since pausetop started: 10 exits (3 left a zombie), 7 reaped, 0 autoreaped\n"
	       "orphans adopted by reaper: init 3, subreaper 0, thread 0, unknown 0; already zombies 0, killed with the init 0\n"
	       "zombies over the last 2 snapshots (max 3): ▁█\n"
	       "signals by result  delivered    ignored    pending   overflow  lose_info init ignored\n"
	       "SIGTERM                    0          1          0          0          0            1\n"
	       "SIGCHLD                    5          0          0          0          0            0\n"
	       "zombies: 3, 3 listed\n"
	       "     PID    NSPID COMM                 PPID PARENT                AGE  STATUS\n"
	       "    4250        7 sh                   4242 sleep               1m15s  exit 0\n"
	       "    4251        8 sh                   4242 sleep               12.0s  exit 3\n"
	       "    4252        9 worker               4242 sleep                0.5s  SIGKILL\n",
	       "drill-down of shop: dispositions, pids, counters, orphans, sparkline, signals, zombies");
	tui_lines_free(&t);

	tui_key_of(&s->ns[2], &k);
	tui_detail(m, &k, 120, &t);
	lines_text(&t, text, sizeof(text));
	ok(strstr(text, "init dispositions: SIGTERM blocked, SIGINT catch,") &&
	   !strstr(text, "neither handles nor blocks"), "drill-down of web: SIGTERM blocked (signalfd), no warning");
	ok(strstr(text, "\nPIDs: 3/max (no limit), 0 forks refused at the limit\n") != NULL,
	   "drill-down of web: unlimited PIDs");
	ok(strstr(text, "\npause: reaped 20 (exit 0: 15, exit 1-255: 5, signaled: 0, core dumped: 0), signals forwarded 0\n") != NULL,
	   "drill-down of web: our pause's own counters");
	tui_lines_free(&t);

	tui_key_of(&s->ns[3], &k);
	tui_detail(m, &k, 120, &t);
	tui_line_text(&t, 0, text, sizeof(text));
	is_str(text, "pidns 4026532003 (level 1), gone 1 s ago: final values", "drill-down of a gone namespace");
	tui_lines_free(&t);

	k.pidns = 1;
	tui_detail(m, &k, 120, &t);
	tui_line_text(&t, 0, text, sizeof(text));
	is_str(text, "pidns 1 is no longer reported (gone longer than --keep-gone); Esc goes back",
	       "drill-down of a namespace that left");
	tui_lines_free(&t);
}

static void test_history(void)
{
	struct tui_model m;
	struct tui_key k = { 0 };
	const struct tui_hist *h;
	char spark[1024];
	int fails = 0;

	tui_model_init(&m, false, false);
	for (int i = 0; i < TUI_HIST + 10; i++) {
		struct pw_snapshot *s = fx_snapshot(1700000000.0 + i);
		struct pw_namespace *n;

		/* a namespace that comes and goes in between must not disturb it */
		if (i % 3 == 0)
			fx_ns(s, PIDNS_WEB, 777, "pause", "web");
		n = fx_ns(s, PIDNS_SHOP, 4242, "sleep", "shop");
		n->zombies = (uint64_t)i;
		if (i == 0)
			tui_key_of(n, &k);
		fails += tui_model_push(&m, s) != 0;
	}
	h = tui_hist_of(&m, &k);
	is_int(fails, 0, "%d snapshots pushed", TUI_HIST + 10);
	ok(h && h->n == TUI_HIST && h->v[0] == 10 && h->v[TUI_HIST - 1] == TUI_HIST + 9,
	   "history keeps the newest %d zombie counts, carried across snapshots (10..%d)", TUI_HIST,
	   TUI_HIST + 9);
	tui_model_free(&m);

	struct tui_hist t = { .v = { 0, 1, 2, 4, 8, 16, 0, 16 }, .n = 8 };

	tui_sparkline(&t, 20, false, spark, sizeof(spark));
	is_str(spark, "▁▂▂▃▅█▁█", "sparkline: 0 is the lowest block, any zombie at least the second");
	tui_sparkline(&t, 20, true, spark, sizeof(spark));
	is_str(spark, "_..:=#_#", "sparkline in ASCII");
	tui_sparkline(&t, 3, false, spark, sizeof(spark));
	is_str(spark, "█▁█", "sparkline: the newest samples when narrow");
	t = (struct tui_hist){ .n = 4 };
	tui_sparkline(&t, 20, false, spark, sizeof(spark));
	is_str(spark, "▁▁▁▁", "sparkline of no zombies at all");
}

static void test_formats(void)
{
	static const struct {
		double s;
		bool lb;
		const char *want;
	} ages[] = {
		{ -1, false, "-" }, { 0, false, "0.0s" }, { 4.25, false, "4.2s" }, { 59.94, false, "59.9s" },
		{ 60, false, "1m00s" }, { 725, true, ">12m05s" }, { 3600, false, "1h00m" },
		{ 11220, false, "3h07m" }, { 187200, false, "2d04h" },
	};
	static const struct {
		double r;
		bool valid;
		const char *want;
	} rates[] = {
		{ 1, false, "-" }, { 0, true, "0" }, { 2.5, true, "2.5" }, { 999.94, true, "999.9" },
		{ 1234.4, true, "1234" }, { 12345, true, "12.3k" },
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(ages) / sizeof(ages[0]); i++) {
		tui_fmt_age(buf, sizeof(buf), ages[i].s, ages[i].lb);
		is_str(buf, ages[i].want, "age %g%s", ages[i].s, ages[i].lb ? " (lower bound)" : "");
	}
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		tui_fmt_rate(buf, sizeof(buf), rates[i].r, rates[i].valid);
		is_str(buf, rates[i].want, "rate %g%s", rates[i].r, rates[i].valid ? "" : " (no rate yet)");
	}
}

static void test_tui_hostile(void)
{
	struct pw_snapshot *s = hostile_fixture();
	struct tui_model *m = model_of(s, NULL, false, false);
	struct tui_lines t = { 0 };
	struct tui_layout l;
	struct tui_cell c;
	struct tui_key k;
	char text[8192];

	tui_layout(m, 120, &l);
	tui_row_text(m, &m->rows[0], &l, text, sizeof(text));
	is_safe(text, false, "live view row, hostile strings");
	is_str(text,
	       "4026532099 666 ?[2Jx??    ?]2;PWNED?日本? ?31m             1    1.0s      -      -      -     0 ?               -      -",
	       "live view row: every control a '?', wide characters two columns each");
	tui_cell(m, &m->rows[0], TC_HOST, 11, &c);
	is_str(c.text, "?]2;PWNED? ", "a wide character that does not fit is replaced by padding");
	tui_key_of(&s->ns[0], &k);
	tui_detail(m, &k, 120, &t);
	lines_text(&t, text, sizeof(text));
	is_safe(text, true, "live view drill-down, hostile strings");
	ok(strstr(text, "init: pid 666, comm ?[2Jx??, cmdline rm?-rf?\n") &&
	   strstr(text, "host/pod: ?]2;PWNED?日本?   container: ?31m (?x)   pod uid: ??[1A\n") &&
	   strstr(text, "     700        2 ?[31mred              666 ?c?J "),
	   "drill-down: comm, cmdline (RLO, zero-width space), hostname, container, pod uid, runtime, zombie rows neutralised");
	tui_lines_free(&t);
	tui_header(m, 120, &t);
	lines_text(&t, text, sizeof(text));
	is_safe(text, true, "live view header, hostile strings");
	ok(strstr(text, "oldest 1.0s in ?]2;PWNED?日本?\n") != NULL, "header names the namespace safely");
	tui_lines_free(&t);

	/* a terminal whose locale is not UTF-8 gets ASCII only */
	s = hostile_fixture();
	m = model_of(s, NULL, false, true);
	tui_row_text(m, &m->rows[0], &l, text, sizeof(text));
	is_str(text,
	       "4026532099 666 ?[2Jx??    ?]2;PWNED????   ?31m             1    1.0s      -      -      -     0 ?               -      -",
	       "live view row on an ASCII terminal: wide characters become '?' too");
	for (const char *p = text; *p; p++)
		if ((unsigned char)*p >= 0x80) {
			ok(0, "ASCII terminal: only ASCII");
			return;
		}
	ok(1, "ASCII terminal: only ASCII");
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--json")) {
		struct pw_snapshot *s = hostile_fixture();
		FILE *f = fopen(argv[2], "w");
		int rc = f ? pw_face_json(f, s, false) : -1;

		if (f)
			fclose(f);
		pw_snapshot_free(s);
		return rc ? 1 : 0;
	}
	test_text_face();
	test_text_face_hostile();
	test_json_face();
	test_json_face_hostile();
	test_layout();
	test_rows();
	test_sort_filter();
	test_header_status();
	test_detail();
	test_history();
	test_formats();
	test_tui_hostile();
	model_done();
	return done_testing();
}
