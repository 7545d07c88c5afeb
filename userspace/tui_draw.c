// SPDX-License-Identifier: Apache-2.0
/*
 * tui_draw.c — the live view on a curses screen: the header, the namespace
 * table, the drill-down, the help and the status line, from the model's text
 * (tui_model.h).  Everything drawn here is display-safe already; this file
 * only places it, cuts it at the screen's edge and colours it.
 */
#include <curses.h>
#include <string.h>

#include "textsafe.h"
#include "tui_view.h"

#define HEADER_LINES 4

static attr_t tone_attr(const struct tui_view *v, enum tui_tone t)
{
	/* NO_COLOR (no-color.org): no colour, but bold and dim still mark things */
	switch (t) {
	case TONE_WARN:
		return v->colour ? COLOR_PAIR(PAIR_WARN) : A_BOLD;
	case TONE_ALERT:
		return v->colour ? COLOR_PAIR(PAIR_ALERT) | A_BOLD : A_BOLD;
	case TONE_DIM:
		return A_DIM;
	case TONE_TITLE:
		return v->colour ? COLOR_PAIR(PAIR_TITLE) | A_BOLD : A_BOLD;
	default:
		return A_NORMAL;
	}
}

/*
 * Put display-safe text at (y, x), at most max_cols columns: cut on a
 * character boundary so curses never wraps it onto the next line.
 */
static int put(int y, int x, const char *safe, int max_cols, attr_t a)
{
	char cut[1024];
	int cols;

	if (max_cols <= 0)
		return 0;
	cols = pw_text_safe(cut, sizeof(cut), safe, strlen(safe), max_cols);
	attrset(a);
	mvaddstr(y, x, cut);
	attrset(A_NORMAL);
	return cols;
}

/* One line of segments at row y, from column 0, cut at the screen's width. */
static void put_line(const struct tui_view *v, int y, const struct tui_lines *t, size_t line,
		     attr_t extra)
{
	size_t i = tui_line_first(t, line);
	int x = 0;

	for (bool first = true; i < t->n && (first || t->l[i].join); i++, first = false)
		x += put(y, x, t->l[i].text, COLS - x, tone_attr(v, t->l[i].tone) | extra);
}

static int draw_header(const struct tui_view *v)
{
	struct tui_lines t = { 0 };
	int y = 0;

	tui_header(&v->m, COLS, &t);
	for (; (size_t)y < t.lines && y < HEADER_LINES && y < LINES - 2; y++)
		put_line(v, y, &t, (size_t)y, A_NORMAL);
	tui_lines_free(&t);
	return HEADER_LINES < LINES - 2 ? HEADER_LINES : y;
}

int tui_table_rows(const struct tui_view *v)
{
	int n = LINES - HEADER_LINES - 2;	/* header, column headings, status line */

	(void)v;
	return n > 1 ? n : 1;
}

static void draw_heading(const struct tui_view *v, const struct tui_layout *l, int y)
{
	char line[2048];

	tui_heading(&v->m, l, COLS, line, sizeof(line));
	put(y, 0, line, COLS, A_BOLD);
	/* the sort column, in reverse video */
	for (int i = 0; i < l->n; i++)
		if (l->c[i].col == v->m.sort && l->c[i].x < COLS)
			mvchgat(y, l->c[i].x, l->c[i].width, A_BOLD | A_REVERSE, 0, NULL);
}

static void draw_row(const struct tui_view *v, const struct tui_layout *l, const struct tui_row *r,
		     int y, bool selected)
{
	attr_t sel = selected ? A_REVERSE : A_NORMAL;

	if (selected) {
		attrset(A_REVERSE);
		mvhline(y, 0, ' ', COLS);
		attrset(A_NORMAL);
	}
	for (int i = 0; i < l->n && l->c[i].x < COLS; i++) {
		struct tui_cell c;

		tui_cell(&v->m, r, l->c[i].col, l->c[i].width, &c);
		put(y, l->c[i].x, c.text, COLS - l->c[i].x, tone_attr(v, c.tone) | sel);
	}
}

static void draw_table(struct tui_view *v, int y0)
{
	struct tui_layout l;
	int rows = tui_table_rows(v);

	tui_layout(&v->m, COLS, &l);
	draw_heading(v, &l, y0);
	if (v->sel_row >= v->top + rows)
		v->top = v->sel_row - rows + 1;
	if (v->sel_row < v->top)
		v->top = v->sel_row;
	if (v->top < 0)
		v->top = 0;
	for (int i = 0; i < rows && v->top + i < (long)v->m.n_rows; i++)
		draw_row(v, &l, &v->m.rows[v->top + i], y0 + 1 + i, v->top + i == v->sel_row);
	if (!v->m.n_rows && v->m.snap)
		put(y0 + 1, 0, v->m.filter[0] ? "no namespace matches the filter (Esc clears it)"
					       : "no namespaces", COLS, A_DIM);
}

static void draw_lines(struct tui_view *v, const struct tui_lines *t, int y0, int rows, long *top)
{
	long max_top = (long)t->lines - rows;

	if (*top > max_top)
		*top = max_top;
	if (*top < 0)
		*top = 0;
	for (int i = 0; i < rows && (size_t)(*top + i) < t->lines; i++)
		put_line(v, y0 + i, t, (size_t)(*top + i), A_NORMAL);
}

static void draw_status(const struct tui_view *v)
{
	char line[1024];
	attr_t a = A_REVERSE;

	if (v->input != IN_NONE) {
		snprintf(line, sizeof(line), "%s%s_   (Enter: apply, Esc: %s)",
			 v->input == IN_FILTER ? "filter (hostname, comm, container): " :
						 "seconds between snapshots: ",
			 v->in, v->input == IN_FILTER ? "clear" : "cancel");
	} else if (v->err[0]) {
		snprintf(line, sizeof(line), "snapshot failed: %s", v->err);
		a |= tone_attr(v, TONE_ALERT);
	} else if (v->screen == SCR_DETAIL) {
		snprintf(line, sizeof(line), "Esc back | Up/Down scroll | every %gs%s | ? help  q quit",
			 v->delay, v->paused ? " | PAUSED (space)" : "");
	} else {
		tui_status(&v->m, v->delay, v->paused, COLS, line, sizeof(line));
	}
	attrset(a);
	mvhline(LINES - 1, 0, ' ', COLS);
	attrset(A_NORMAL);
	put(LINES - 1, 0, line, COLS, a);
}

void tui_draw(struct tui_view *v)
{
	struct tui_lines t = { 0 };
	int y0;

	erase();
	if (COLS < 40 || LINES < 10) {
		put(0, 0, "pausetop: the terminal is too small (40x10 at least); q quits", COLS,
		    A_BOLD);
		return;
	}
	if (v->screen == SCR_HELP) {
		tui_help(&t);
		draw_lines(v, &t, 0, LINES - 1, &(long){ 0 });
		tui_lines_free(&t);
		draw_status(v);
		return;
	}
	y0 = draw_header(v);
	if (v->screen == SCR_DETAIL) {
		tui_detail(&v->m, &v->sel, COLS, &t);
		draw_lines(v, &t, y0, LINES - y0 - 1, &v->detail_top);
		tui_lines_free(&t);
	} else {
		draw_table(v, y0);
	}
	draw_status(v);
}
