// SPDX-License-Identifier: Apache-2.0
/*
 * tui_model.c — the live view's rows and columns (tui_model.h): histories
 * carried across snapshots, filter, sort, column layout and cells.  Pure
 * functions over snapshots; tui.c draws, tui_text.c writes the other text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textsafe.h"
#include "tui_model.h"

/*
 * Column table.  min/pref: widths; prio: who stays when the screen is narrow
 * (the lowest goes first); right: numbers are right-aligned.
 */
static const struct col_spec {
	const char *label;
	int min, pref;
	int prio;
	bool right;
	bool descending;
} spec[TC_MAX] = {
	[TC_NODE] = { "NODE", 8, 16, 99, false, false },
	[TC_PIDNS] = { "PIDNS", 10, 10, 100, false, false },
	[TC_INIT] = { "INIT", 12, 24, 90, false, false },
	[TC_HOST] = { "HOST/POD", 10, 24, 95, false, false },
	[TC_CONTAINER] = { "CONTAINER", 9, 14, 30, false, false },
	[TC_ZOMB] = { "ZOMB", 5, 6, 100, true, true },
	[TC_OLDEST] = { "OLDEST", 7, 7, 98, true, true },
	[TC_EXIT] = { "EXIT/s", 6, 6, 45, true, true },
	[TC_REAP] = { "REAP/s", 6, 6, 20, true, true },
	[TC_ORPH] = { "ORPH/s", 6, 6, 10, true, true },
	[TC_IGN] = { "IGN", 4, 5, 50, true, true },
	[TC_TERM] = { "TERM?", 5, 5, 96, false, true },
	[TC_PIDS] = { "PIDS", 9, 11, 97, true, true },
	[TC_PAUSE] = { "PAUSE", 5, 6, 40, true, true },
};

/* Who gets spare columns first, up to its pref width; pod names get two a round. */
static const enum tui_col grow_order[] = { TC_HOST, TC_PIDS, TC_INIT, TC_CONTAINER, TC_NODE,
					   TC_ZOMB, TC_IGN, TC_PAUSE };

/* Beyond pref, only these grow, to show long pod names and container ids. */
#define HOST_WIDEST	40
#define CONTAINER_WIDEST 64

const char *tui_col_label(enum tui_col c)
{
	return c >= 0 && c < TC_MAX ? spec[c].label : "?";
}

bool tui_col_descending(enum tui_col c)
{
	return c >= 0 && c < TC_MAX && spec[c].descending;
}

static bool col_shown(const struct tui_model *m, enum tui_col c)
{
	return c != TC_NODE || m->cluster;
}

enum tui_col tui_col_step(const struct tui_model *m, enum tui_col from, int dir)
{
	int c = from;

	for (int i = 0; i < TC_MAX; i++) {
		c = (c + (dir > 0 ? 1 : TC_MAX - 1)) % TC_MAX;
		if (col_shown(m, (enum tui_col)c))
			return (enum tui_col)c;
	}
	return from;
}

/* ---- model lifetime -------------------------------------------------- */

void tui_model_init(struct tui_model *m, bool cluster, bool ascii)
{
	memset(m, 0, sizeof(*m));
	m->sort = TC_ZOMB;
	m->cluster = cluster;
	m->ascii = ascii;
}

void tui_model_free(struct tui_model *m)
{
	pw_snapshot_free(m->snap);
	pw_snapshot_free(m->prev);
	free(m->hist);
	free(m->rows);
	free(m->prev_of);
	m->snap = m->prev = NULL;
	m->hist = NULL;
	m->rows = NULL;
	m->prev_of = NULL;
	m->n_rows = 0;
}

/* A namespace's identity, as pw_snapshot_find matches it: node, pidns, ns_id. */
struct key_ref {
	uint32_t pidns;
	uint64_t ns_id;
	const char *node;
	long i;
};

static int key_ref_cmp(const void *pa, const void *pb)
{
	const struct key_ref *a = pa, *b = pb;

	if (a->pidns != b->pidns)
		return a->pidns < b->pidns ? -1 : 1;
	if (a->ns_id != b->ns_id)
		return a->ns_id < b->ns_id ? -1 : 1;
	return strcmp(a->node, b->node);
}

/*
 * For each namespace of s, its index in old (or -1): what pw_snapshot_find
 * returns, through a sorted index of compact keys.  pw_snapshot_find scans
 * the whole array of big structs, a cache miss per namespace: n of those per
 * namespace, every second, was most of the live view's cost at 1,000.
 */
static long *match_old(const struct pw_snapshot *old, const struct pw_snapshot *s)
{
	long *map = malloc((s->n_ns ? s->n_ns : 1) * sizeof(*map));
	struct key_ref *idx = NULL;
	size_t n = old ? old->n_ns : 0;

	if (!map || (n && !(idx = malloc(n * sizeof(*idx))))) {
		free(map);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		idx[i] = (struct key_ref){ old->ns[i].pidns, old->ns[i].ns_id, old->ns[i].node, (long)i };
	if (n)
		qsort(idx, n, sizeof(*idx), key_ref_cmp);
	for (size_t i = 0; i < s->n_ns; i++) {
		struct key_ref want = { s->ns[i].pidns, s->ns[i].ns_id, s->ns[i].node, -1 };
		const struct key_ref *hit = n ? bsearch(&want, idx, n, sizeof(*idx), key_ref_cmp) : NULL;

		map[i] = hit ? hit->i : -1;
	}
	free(idx);
	return map;
}

/*
 * Carry each namespace's zombie history over from the snapshot before (the
 * same namespace: map[i], see match_old) and append its count now.
 */
static struct tui_hist *carry_history(const struct tui_model *m, const struct pw_snapshot *s,
				      const long *map)
{
	struct tui_hist *h = calloc(s->n_ns ? s->n_ns : 1, sizeof(*h));

	if (!h)
		return NULL;
	for (size_t i = 0; i < s->n_ns; i++) {
		uint32_t z = s->ns[i].zombies > UINT32_MAX ? UINT32_MAX : (uint32_t)s->ns[i].zombies;

		if (map[i] >= 0 && m->hist)
			h[i] = m->hist[map[i]];
		if (h[i].n == TUI_HIST) {
			memmove(h[i].v, h[i].v + 1, (TUI_HIST - 1) * sizeof(h[i].v[0]));
			h[i].n--;
		}
		h[i].v[h[i].n++] = z;
	}
	return h;
}

int tui_model_push(struct tui_model *m, struct pw_snapshot *s)
{
	long *map = match_old(m->snap, s);
	struct tui_hist *h = map ? carry_history(m, s, map) : NULL;
	struct tui_row *rows = malloc((s->n_ns ? s->n_ns : 1) * sizeof(*rows));

	if (!map || !h || !rows) {
		free(map);
		free(h);
		free(rows);
		pw_snapshot_free(s);
		return -ENOMEM;
	}
	pw_snapshot_free(m->prev);
	free(m->hist);
	free(m->rows);
	free(m->prev_of);
	m->prev = m->snap;
	m->snap = s;
	m->hist = h;
	m->rows = rows;
	m->prev_of = map;
	/* node-wide values once per snapshot, not at every redraw */
	pw_snapshot_totals(s, &m->totals);
	pw_snapshot_rates(s, m->prev, &m->rates);
	tui_model_refresh(m);
	return 0;
}

/* ---- filter and sort ------------------------------------------------- */

bool tui_filter_match(const struct pw_namespace *ns, const char *filter)
{
	if (!filter || !filter[0])
		return true;
	return strcasestr(ns->hostname, filter) || strcasestr(ns->init_comm, filter) ||
	       strcasestr(ns->container_id, filter);
}

/* The init takes SIGTERM: a handler, or blocked and read (signalfd, sigwait). */
static bool term_taken(const struct pw_namespace *ns)
{
	enum pw_disp d = pw_ns_disposition(ns, 15);

	return d == PW_DISP_CATCH || d == PW_DISP_BLOCKED;
}

/* TERM? as a rank, biggest first: dropped, unknown, taken; gone last. */
static int term_rank(const struct pw_namespace *ns)
{
	if (!ns->alive)
		return -1;
	if (pw_ns_init_drops_sigterm(ns))
		return 2;
	return term_taken(ns) ? 0 : 1;
}

static int cmp_dbl(double a, double b)
{
	return a < b ? -1 : a > b;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* The sort column's own order, ascending; the caller flips it. */
static int cmp_col(enum tui_col c, const struct tui_row *a, const struct tui_row *b)
{
	const struct pw_namespace *x = a->ns, *y = b->ns;

	switch (c) {
	case TC_NODE:
		return strcmp(x->node, y->node);
	case TC_PIDNS:
		return cmp_u64(x->pidns, y->pidns);
	case TC_INIT: {
		int r = strcmp(x->init_comm, y->init_comm);

		return r ? r : cmp_u64((uint64_t)x->init_pid, (uint64_t)y->init_pid);
	}
	case TC_HOST:
		return strcmp(x->hostname, y->hostname);
	case TC_CONTAINER:
		return strcmp(x->container_id, y->container_id);
	case TC_ZOMB:
		return cmp_u64(x->zombies, y->zombies);
	case TC_OLDEST:
		return cmp_dbl(x->oldest_zombie_age_s, y->oldest_zombie_age_s);
	case TC_EXIT:
		return cmp_dbl(a->rates.exits, b->rates.exits);
	case TC_REAP:
		return cmp_dbl(a->rates.reaped, b->rates.reaped);
	case TC_ORPH:
		return cmp_dbl(a->rates.orphans, b->rates.orphans);
	case TC_IGN:
		return cmp_u64(pw_ns_ignored_by_init_total(x), pw_ns_ignored_by_init_total(y));
	case TC_TERM:
		return term_rank(x) - term_rank(y);
	case TC_PIDS: {
		int r = cmp_dbl(pw_ns_pids_ratio(x), pw_ns_pids_ratio(y));

		return r ? r : cmp_u64(x->pids_known ? x->pids_current : 0,
				       y->pids_known ? y->pids_current : 0);
	}
	case TC_PAUSE:
		return cmp_dbl(x->has_pause ? (double)x->pause.reaped_total : -1,
			       y->has_pause ? (double)y->pause.reaped_total : -1);
	default:
		return 0;
	}
}

/* Ties: alive first, most zombies, oldest zombie, then node, pidns, ns_id. */
static int cmp_tie(const struct pw_namespace *x, const struct pw_namespace *y)
{
	int r;

	if (x->alive != y->alive)
		return x->alive ? -1 : 1;
	if ((r = cmp_u64(y->zombies, x->zombies)))
		return r;
	if ((r = cmp_dbl(y->oldest_zombie_age_s, x->oldest_zombie_age_s)))
		return r;
	if ((r = strcmp(x->node, y->node)))
		return r;
	if ((r = cmp_u64(x->pidns, y->pidns)))
		return r;
	return cmp_u64(x->ns_id, y->ns_id);
}

static int cmp_rows(const void *pa, const void *pb, void *arg)
{
	const struct tui_model *m = arg;
	const struct tui_row *a = pa, *b = pb;
	int r = cmp_col(m->sort, a, b);

	if (tui_col_descending(m->sort))
		r = -r;
	if (m->reverse)
		r = -r;
	return r ? r : cmp_tie(a->ns, b->ns);
}

void tui_model_refresh(struct tui_model *m)
{
	const struct pw_snapshot *s = m->snap;
	double dt = s && m->prev ? s->time - m->prev->time : 0;

	m->n_rows = 0;
	if (!s)
		return;
	for (size_t i = 0; i < s->n_ns; i++) {
		struct tui_row *r;

		if (!tui_filter_match(&s->ns[i], m->filter) || (m->hide_gone && !s->ns[i].alive))
			continue;
		r = &m->rows[m->n_rows++];
		r->ns = &s->ns[i];
		/* no earlier snapshot: no rate (pw_ns_rates marks it invalid at dt 0) */
		pw_ns_rates(r->ns, m->prev && m->prev_of[i] >= 0 ? &m->prev->ns[m->prev_of[i]] : NULL,
			    m->prev ? dt : 0, &r->rates);
	}
	qsort_r(m->rows, m->n_rows, sizeof(*m->rows), cmp_rows, m);
}

void tui_key_of(const struct pw_namespace *ns, struct tui_key *k)
{
	memset(k, 0, sizeof(*k));
	k->set = true;
	snprintf(k->node, sizeof(k->node), "%s", ns->node);
	k->pidns = ns->pidns;
	k->ns_id = ns->ns_id;
}

static bool key_is(const struct tui_key *k, const struct pw_namespace *ns)
{
	return k->set && k->pidns == ns->pidns && k->ns_id == ns->ns_id && !strcmp(k->node, ns->node);
}

long tui_row_find(const struct tui_model *m, const struct tui_key *k)
{
	for (size_t i = 0; i < m->n_rows; i++)
		if (key_is(k, m->rows[i].ns))
			return (long)i;
	return -1;
}

const struct tui_hist *tui_hist_of(const struct tui_model *m, const struct tui_key *k)
{
	if (!m->snap || !m->hist)
		return NULL;
	for (size_t i = 0; i < m->snap->n_ns; i++)
		if (key_is(k, &m->snap->ns[i]))
			return &m->hist[i];
	return NULL;
}

/* ---- layout ---------------------------------------------------------- */

void tui_layout(const struct tui_model *m, int width, struct tui_layout *l)
{
	bool on[TC_MAX];
	int w[TC_MAX], used = -1, grown;

	/* everything at its minimum, then drop the least important until it fits */
	for (int c = 0; c < TC_MAX; c++) {
		on[c] = col_shown(m, (enum tui_col)c);
		w[c] = spec[c].min;
		used += on[c] ? w[c] + 1 : 0;
	}
	while (used > width) {
		int drop = -1;

		for (int c = 0; c < TC_MAX; c++)
			if (on[c] && (drop < 0 || spec[c].prio < spec[drop].prio))
				drop = c;
		if (drop < 0 || spec[drop].prio >= 100)
			break;	/* the essential ones stay; the drawer cuts the line */
		on[drop] = false;
		used -= w[drop] + 1;
	}
	/* spare columns: one at a time, round robin in grow_order, up to each pref ... */
	do {
		grown = 0;
		for (size_t i = 0; i < sizeof(grow_order) / sizeof(grow_order[0]) && used < width; i++) {
			int c = grow_order[i];

			for (int k = 0; k < (c == TC_HOST ? 2 : 1); k++)
				if (on[c] && w[c] < spec[c].pref && used < width)
					w[c]++, used++, grown++;
		}
	} while (grown && used < width);
	/* ... then long pod names and container ids */
	do {
		grown = 0;
		if (on[TC_HOST] && w[TC_HOST] < HOST_WIDEST && used < width)
			w[TC_HOST]++, used++, grown++;
		if (on[TC_CONTAINER] && w[TC_CONTAINER] < CONTAINER_WIDEST && used < width)
			w[TC_CONTAINER]++, used++, grown++;
	} while (grown);

	l->n = 0;
	for (int c = 0, x = 0; c < TC_MAX; c++) {
		if (!on[c])
			continue;
		l->c[l->n].col = (enum tui_col)c;
		l->c[l->n].x = x;
		l->c[l->n].width = w[c];
		l->n++;
		x += w[c] + 1;
	}
}

/* ---- cells ----------------------------------------------------------- */

int tui_safe(const struct tui_model *m, char *out, size_t outlen, const char *in, int max_cols)
{
	char tmp[1024];

	if (!in)
		in = "";
	if (!m->ascii)
		return pw_text_safe(out, outlen, in, strlen(in), max_cols);
	/* a terminal that is not UTF-8: every non-ASCII character becomes '?' */
	pw_text_safe(tmp, sizeof(tmp), in, strlen(in), 0);
	for (size_t i = 0, o = 0;; i++) {
		unsigned char ch = (unsigned char)tmp[i];

		if ((ch & 0xc0) == 0x80)
			continue;	/* continuation byte: its lead already became '?' */
		tmp[o++] = ch < 0x80 ? (char)ch : '?';
		if (!ch)
			break;
	}
	return pw_text_safe(out, outlen, tmp, strlen(tmp), max_cols);
}

/* Pad safe text to exactly width columns into out (len > width + the text's bytes). */
static void pad(char *out, size_t len, const char *safe, int width, bool right)
{
	char cut[TUI_CELL_MAX];
	int cols = pw_text_safe(cut, sizeof(cut), safe, strlen(safe), width);
	size_t n = width > cols ? (size_t)(width - cols) : 0, clen = strlen(cut), o = 0;

	if (n + clen + 1 > len)	/* cannot happen with TUI_CELL_MAX buffers; stay in bounds */
		n = len > clen + 1 ? len - clen - 1 : 0, clen = clen < len ? clen : len - 1;
	if (right)
		memset(out, ' ', n), o = n;
	memcpy(out + o, cut, clen);
	o += clen;
	if (!right)
		memset(out + o, ' ', n), o += n;
	out[o] = '\0';
}

/* A count that fits width columns: 123456, then 1234k, 12M. */
static void fmt_count(char *buf, size_t len, uint64_t v, int width)
{
	int n = snprintf(buf, len, "%llu", (unsigned long long)v);

	if (n > width)
		n = snprintf(buf, len, "%lluk", (unsigned long long)(v / 1000));
	if (n > width)
		snprintf(buf, len, "%lluM", (unsigned long long)(v / 1000000));
}

void tui_fmt_age(char *buf, size_t len, double s, bool lower_bound)
{
	const char *gt = lower_bound ? ">" : "";
	unsigned long long t = (unsigned long long)s;

	if (s < 0)
		snprintf(buf, len, "-");
	else if (s < 60)
		snprintf(buf, len, "%s%.1fs", gt, s);
	else if (s < 3600)
		snprintf(buf, len, "%s%llum%02llus", gt, t / 60, t % 60);
	else if (s < 86400)
		snprintf(buf, len, "%s%lluh%02llum", gt, t / 3600, t / 60 % 60);
	else
		snprintf(buf, len, "%s%llud%02lluh", gt, t / 86400, t / 3600 % 24);
}

void tui_fmt_rate(char *buf, size_t len, double r, bool valid)
{
	if (!valid)
		snprintf(buf, len, "-");
	else if (r == 0)
		snprintf(buf, len, "0");
	else if (r < 1000)
		snprintf(buf, len, "%.1f", r);
	else if (r < 10000)
		snprintf(buf, len, "%.0f", r);
	else
		snprintf(buf, len, "%.1fk", r / 1000);
}

static enum tui_tone age_tone(double age)
{
	return age >= TUI_AGE_ALERT_S ? TONE_ALERT : age >= TUI_AGE_WARN_S ? TONE_WARN : TONE_NORMAL;
}

static enum tui_tone pids_tone(double ratio)
{
	return ratio >= TUI_PIDS_ALERT ? TONE_ALERT : ratio >= TUI_PIDS_WARN ? TONE_WARN : TONE_NORMAL;
}

/* "NO" (a stop waits out the grace period), "yes" (caught or blocked), "?"; "gone". */
static const char *term_cell(const struct pw_namespace *ns, enum tui_tone *tone)
{
	if (!ns->alive)
		return "gone";
	if (pw_ns_init_drops_sigterm(ns)) {
		*tone = TONE_ALERT;
		return "NO";
	}
	return term_taken(ns) ? "yes" : "?";
}

/* The cell's value (display-safe) and its tone. */
static void cell_value(const struct tui_model *m, const struct tui_row *r, enum tui_col c,
		       int width, char *v, size_t len, enum tui_tone *tone)
{
	const struct pw_namespace *ns = r->ns;
	char comm[64];

	switch (c) {
	case TC_NODE:
		tui_safe(m, v, len, ns->node[0] ? ns->node : "-", width);
		break;
	case TC_PIDNS:
		snprintf(v, len, "%u", ns->pidns);
		break;
	case TC_INIT:
		tui_safe(m, comm, sizeof(comm), ns->init_comm[0] ? ns->init_comm : "?", 0);
		snprintf(v, len, "%d %s", ns->init_pid, comm);
		break;
	case TC_HOST:
		tui_safe(m, v, len, ns->hostname[0] ? ns->hostname : "-", width);
		break;
	case TC_CONTAINER:
		tui_safe(m, v, len, ns->container_id[0] ? ns->container_id : "-", width);
		break;
	case TC_ZOMB:
		fmt_count(v, len, ns->zombies, width);
		break;
	case TC_OLDEST:
		tui_fmt_age(v, len, ns->oldest_zombie_age_s, ns->oldest_age_is_lower_bound);
		*tone = ns->oldest_zombie_age_s >= 0 ? age_tone(ns->oldest_zombie_age_s) : TONE_NORMAL;
		break;
	case TC_EXIT:
		tui_fmt_rate(v, len, r->rates.exits, r->rates.valid);
		break;
	case TC_REAP:
		tui_fmt_rate(v, len, r->rates.reaped, r->rates.valid);
		break;
	case TC_ORPH:
		tui_fmt_rate(v, len, r->rates.orphans, r->rates.valid);
		break;
	case TC_IGN:
		fmt_count(v, len, pw_ns_ignored_by_init_total(ns), width);
		break;
	case TC_TERM:
		snprintf(v, len, "%s", term_cell(ns, tone));
		break;
	case TC_PIDS:
		pw_fmt_pids(v, len, ns);
		*tone = pids_tone(pw_ns_pids_ratio(ns));
		break;
	case TC_PAUSE:
		if (ns->has_pause)
			fmt_count(v, len, ns->pause.reaped_total, width);
		else
			snprintf(v, len, "-");
		break;
	default:
		snprintf(v, len, "?");
	}
}

void tui_cell(const struct tui_model *m, const struct tui_row *r, enum tui_col c, int width,
	      struct tui_cell *out)
{
	char v[TUI_CELL_MAX];

	out->tone = TONE_NORMAL;
	if (width >= TUI_CELL_MAX / 4)	/* a wide char is up to 4 bytes per 2 columns */
		width = TUI_CELL_MAX / 4 - 1;
	cell_value(m, r, c, width, v, sizeof(v), &out->tone);
	pad(out->text, sizeof(out->text), v, width, c >= 0 && c < TC_MAX && spec[c].right);
	if (!r->ns->alive)
		out->tone = TONE_DIM;
}

void tui_heading(const struct tui_model *m, const struct tui_layout *l, int width, char *buf,
		 size_t len)
{
	size_t o = 0;

	(void)m;
	buf[0] = '\0';
	for (int i = 0; i < l->n && o < len; i++) {
		char cell[TUI_CELL_MAX];
		enum tui_col c = l->c[i].col;

		if (l->c[i].x >= width)
			break;
		pad(cell, sizeof(cell), spec[c].label, l->c[i].width, spec[c].right);
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "", cell);
	}
}

void tui_row_text(const struct tui_model *m, const struct tui_row *r, const struct tui_layout *l,
		  char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < l->n && o < len; i++) {
		struct tui_cell cell;

		tui_cell(m, r, l->c[i].col, l->c[i].width, &cell);
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "", cell.text);
	}
}
