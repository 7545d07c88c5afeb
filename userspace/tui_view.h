/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tui_view.h — the live view's state, shared by tui.c (terminal, loop, keys)
 * and tui_draw.c (curses drawing).  Internal to those two files.
 */
#ifndef PW_TUI_VIEW_H
#define PW_TUI_VIEW_H

#include <stdbool.h>

#include "faces.h"
#include "tui_model.h"

enum tui_screen { SCR_TABLE, SCR_DETAIL, SCR_HELP };
enum tui_input { IN_NONE, IN_FILTER, IN_DELAY };

struct tui_view {
	struct tui_model m;
	enum tui_screen screen;
	enum tui_screen before_help;	/* where '?' came from */
	enum tui_input input;		/* a prompt in the status line */
	char in[TUI_FILTER_MAX];	/* what is typed at the prompt */
	struct tui_key sel;		/* the selected namespace, kept across snapshots */
	long sel_row;			/* its row (clamped when it leaves) */
	long top;			/* first row shown */
	long detail_top;		/* first drill-down line shown */
	double delay;
	bool paused;
	bool colour;
	bool quit;
	char err[512];			/* the last failed snapshot, shown until one works */
};

/* Colour pairs (when colour is on). */
enum { PAIR_WARN = 1, PAIR_ALERT, PAIR_TITLE };

/* Draw the whole screen for the view's state (no refresh). */
void tui_draw(struct tui_view *v);
/* Rows the table shows on this screen (for paging and scrolling). */
int tui_table_rows(const struct tui_view *v);

#endif
