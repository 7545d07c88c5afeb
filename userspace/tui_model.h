/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tui_model.h — what the live view shows, as pure functions over snapshots:
 * the rows (filtered, sorted), the columns that fit a width, each cell's
 * text and tone, the header lines, the drill-down lines and the zombie
 * sparkline.  No curses here: tui.c draws what these return, and
 * tests/unit/faces_test.c checks them exactly from hand-built snapshots.
 *
 * Every container-controlled string (hostname, comm, cmdline, container id)
 * goes through pw_text_safe (textsafe.h) before it lands in a cell or line;
 * with model.ascii set (a terminal whose locale is not UTF-8) anything
 * outside printable ASCII becomes '?' as well.
 *
 * Values (totals, rates, dispositions, pid ratios, finding a namespace in
 * the previous snapshot) come from snapshot.h, never recomputed here.
 */
#ifndef PW_TUI_MODEL_H
#define PW_TUI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

/* Columns of the namespace table, in screen order. */
enum tui_col {
	TC_NODE,	/* cluster sources only */
	TC_PIDNS,
	TC_INIT,	/* "pid comm" */
	TC_HOST,	/* HOST/POD: the UTS hostname (a pod's name) */
	TC_CONTAINER,
	TC_ZOMB,
	TC_OLDEST,
	TC_EXIT,	/* per second */
	TC_REAP,
	TC_ORPH,
	TC_IGN,		/* signals the init ignored (dropped), since start */
	TC_TERM,	/* TERM?: does the init handle SIGTERM */
	TC_PIDS,	/* pids.current/pids.max of the init's pids cgroup */
	TC_PAUSE,	/* our pause's own reap count */
	TC_MAX,
};

/* How a cell or line is drawn; tui.c maps tones to colours (or none: NO_COLOR). */
enum tui_tone {
	TONE_NORMAL,
	TONE_WARN,	/* yellow: zombie older than TUI_AGE_WARN_S, pids >= TUI_PIDS_WARN */
	TONE_ALERT,	/* red: zombie older than TUI_AGE_ALERT_S, pids >= TUI_PIDS_ALERT, SIGTERM dropped */
	TONE_DIM,	/* a gone namespace (final values) */
	TONE_TITLE,	/* a heading in the drill-down */
};

/* Colour thresholds (documented in pausetop(8), "Colours"). */
#define TUI_AGE_WARN_S		10.0	/* a healthy parent reaps within milliseconds */
#define TUI_AGE_ALERT_S		60.0
#define TUI_PIDS_WARN		0.50	/* pids.current / pids.max */
#define TUI_PIDS_ALERT		0.80

#define TUI_HIST		120	/* zombie-count samples kept per namespace */
#define TUI_FILTER_MAX		64
#define TUI_CELL_MAX		512	/* bytes of one cell (UTF-8, padded) */

/* Identity of a namespace across snapshots (what pw_snapshot_find matches). */
struct tui_key {
	bool set;
	char node[64];
	uint32_t pidns;
	uint64_t ns_id;
};

struct tui_hist {
	uint32_t v[TUI_HIST];		/* zombies at each snapshot, oldest first */
	uint32_t n;
};

struct tui_row {
	const struct pw_namespace *ns;
	struct pw_rates rates;		/* pw_ns_rates against the previous snapshot */
};

struct tui_model {
	struct pw_snapshot *snap;	/* owned: the newest snapshot */
	struct pw_snapshot *prev;	/* owned: the one before (rates), or NULL */
	struct tui_hist *hist;		/* one per snap->ns[i] */
	long *prev_of;			/* snap->ns[i]'s index in prev, or -1 */
	struct pw_totals totals;	/* of snap (pw_snapshot_totals), once per push */
	struct pw_rates rates;		/* node-wide, snap against prev (pw_snapshot_rates) */
	struct tui_row *rows;		/* snap's namespaces that pass the filter, sorted */
	size_t n_rows;
	enum tui_col sort;
	bool reverse;			/* 'r': the other direction */
	char filter[TUI_FILTER_MAX];	/* printable ASCII; "" = all */
	bool hide_gone;			/* 'x': leave out gone namespaces (final values) */
	bool cluster;			/* show NODE */
	bool ascii;			/* the terminal cannot show UTF-8 */
};

void tui_model_init(struct tui_model *m, bool cluster, bool ascii);
void tui_model_free(struct tui_model *m);
/*
 * Take ownership of s (the newest snapshot): the old newest becomes prev,
 * histories carry over, rows are rebuilt.  0, or -ENOMEM (then s is freed
 * and the model keeps what it had).
 */
int tui_model_push(struct tui_model *m, struct pw_snapshot *s);
/* Rebuild rows after sort, reverse or filter changed. */
void tui_model_refresh(struct tui_model *m);

/* ---- columns --------------------------------------------------------- */

const char *tui_col_label(enum tui_col c);
/* Next (dir > 0) or previous sortable column that the model shows. */
enum tui_col tui_col_step(const struct tui_model *m, enum tui_col from, int dir);
/* Numeric columns sort biggest first; text columns A to Z. */
bool tui_col_descending(enum tui_col c);

struct tui_layout {
	int n;
	struct {
		enum tui_col col;
		int x, width;
	} c[TC_MAX];
};

/* Which columns fit in width columns, where and how wide; deterministic. */
void tui_layout(const struct tui_model *m, int width, struct tui_layout *l);

struct tui_cell {
	char text[TUI_CELL_MAX];	/* exactly width columns, display-safe */
	enum tui_tone tone;
};

void tui_cell(const struct tui_model *m, const struct tui_row *r, enum tui_col c, int width,
	      struct tui_cell *out);
/* The column headings line for a layout (sort column marked), cut/padded to width. */
void tui_heading(const struct tui_model *m, const struct tui_layout *l, int width, char *buf,
		 size_t len);
/* One whole row as text (cells with one space between), for tests and batch use. */
void tui_row_text(const struct tui_model *m, const struct tui_row *r, const struct tui_layout *l,
		  char *buf, size_t len);

/* ---- rows ------------------------------------------------------------ */

/* Does ns match the filter (case-insensitive, in hostname, init comm or container id)? */
bool tui_filter_match(const struct pw_namespace *ns, const char *filter);
/* Index of the row with key k, or -1. */
long tui_row_find(const struct tui_model *m, const struct tui_key *k);
void tui_key_of(const struct pw_namespace *ns, struct tui_key *k);

/* ---- text ------------------------------------------------------------ */

/*
 * A growing list of text segments (header, drill-down, help).  A segment
 * starts a new line, or with join set continues the line before in its own
 * tone (a red "SIGTERM default" inside a plain line).  Texts are display-safe.
 */
struct tui_lines {
	struct tui_seg {
		char *text;
		enum tui_tone tone;
		bool join;
	} *l;
	size_t n, cap;
	size_t lines;		/* segments that start a line */
	bool oom;		/* an allocation failed: segments are missing */
};

void tui_lines_free(struct tui_lines *t);
/* Start a new line with this segment. */
__attribute__((format(printf, 3, 4)))
void tui_linef(struct tui_lines *t, enum tui_tone tone, const char *fmt, ...);
/* Continue the current line. */
__attribute__((format(printf, 3, 4)))
void tui_joinf(struct tui_lines *t, enum tui_tone tone, const char *fmt, ...);
/* Line i (0-based) as plain text into buf (for tests and the drawer's cut); segment count. */
size_t tui_line_text(const struct tui_lines *t, size_t line, char *buf, size_t len);
/* Index of the first segment of line i, or t->n. */
size_t tui_line_first(const struct tui_lines *t, size_t line);

/* Node totals: three lines, each at most width columns. */
void tui_header(const struct tui_model *m, int width, struct tui_lines *out);
/* The status line at the bottom: sort, filter, delay, paused, keys. */
void tui_status(const struct tui_model *m, double delay, bool paused, int width, char *buf,
		size_t len);
/*
 * The drill-down of the namespace with key k: identity, dispositions, PID
 * pressure, counters, orphans by reaper, signals by result, the zombie
 * sparkline and its zombies (pid, comm, parent, age, exit status).
 */
void tui_detail(const struct tui_model *m, const struct tui_key *k, int width,
		struct tui_lines *out);
/* The help screen. */
void tui_help(struct tui_lines *out);

/* Age in a cell: "-", "4.2s", ">12m05s", "3h07m", "2d04h". */
void tui_fmt_age(char *buf, size_t len, double s, bool lower_bound);
/* Per-second rate: "-" (invalid), "0", "2.5", "1234", "12.3k". */
void tui_fmt_rate(char *buf, size_t len, double r, bool valid);
/* Up to width samples of h (the newest), as block characters (ASCII when ascii). */
void tui_sparkline(const struct tui_hist *h, int width, bool ascii, char *buf, size_t len);
/* The history of the namespace with key k, or NULL. */
const struct tui_hist *tui_hist_of(const struct tui_model *m, const struct tui_key *k);
/* Display-safe copy of container text, at most max_cols columns (ASCII-only if m->ascii). */
int tui_safe(const struct tui_model *m, char *out, size_t outlen, const char *in, int max_cols);

#endif /* PW_TUI_MODEL_H */
