// SPDX-License-Identifier: Apache-2.0
/*
 * tui.c — pausetop's live view (faces.h: pw_tui_run): the terminal's
 * lifetime, the snapshot loop and the keys.  What is shown comes from
 * tui_model.h, how it is drawn from tui_draw.c.
 *
 * The terminal is restored on every way out: q; SIGINT, SIGTERM and SIGHUP
 * (they set *run->stop, interrupt a snapshot in progress, and the wait for
 * the next one checks *stop race-free with ppoll); and a crash (SIGSEGV,
 * SIGBUS, SIGFPE, SIGILL, SIGABRT: an async-signal-safe handler writes the
 * terminal's own reset strings and the saved termios back, then re-raises).
 */
#include <errno.h>
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "faces.h"
#include "options.h"
#include "tui_view.h"

/* ---- restoring the terminal after a crash ----------------------------- */

static struct termios crash_termios;
static bool crash_termios_saved;
static char crash_reset[256];	/* rmkx, sgr0, cnorm, rmcup: what endwin would send */
static size_t crash_reset_len;

static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

/* Append a terminfo string without its "$<..>" padding (nothing to delay here). */
static void crash_add(const char *cap)
{
	char *s = tigetstr(cap);

	if (!s || s == (char *)-1)
		return;
	for (; *s && crash_reset_len < sizeof(crash_reset); s++) {
		if (s[0] == '$' && s[1] == '<') {
			while (*s && *s != '>')
				s++;
			if (!*s)
				break;
			continue;
		}
		crash_reset[crash_reset_len++] = *s;
	}
}

static void on_crash(int sig)
{
	/* async-signal-safe only: write(2), tcsetattr(3), raise(3) */
	if (crash_reset_len)
		(void)!write(STDOUT_FILENO, crash_reset, crash_reset_len);
	if (crash_termios_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &crash_termios);
	/* SA_RESETHAND made the action the default again: die of the same signal */
	raise(sig);
}

static void crash_handlers(bool on)
{
	struct sigaction sa = { .sa_handler = on ? on_crash : SIG_DFL,
				.sa_flags = on ? SA_RESETHAND | SA_NODEFER : 0 };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++)
		sigaction(crash_signals[i], &sa, NULL);
}

/* ---- the terminal ------------------------------------------------------ */

/*
 * The screen, or NULL: TERM unknown to terminfo, or (*no_cursor) known but
 * unable to put the cursor anywhere (no "cup": "dumb"), where curses would
 * draw the screen as a stream of spaces and fragments.
 */
static SCREEN *screen_open(struct tui_view *v, bool *no_cursor)
{
	const char *nc = getenv("NO_COLOR");
	const char *cup;
	SCREEN *scr;

	*no_cursor = false;
	crash_termios_saved = tcgetattr(STDIN_FILENO, &crash_termios) == 0;
	scr = newterm(NULL, stdout, stdin);
	if (!scr)
		return NULL;
	cup = tigetstr("cup");
	if (!cup || cup == (const char *)-1) {
		endwin();
		delscreen(scr);
		*no_cursor = true;
		return NULL;
	}
	crash_reset_len = 0;
	crash_add("rmkx");
	crash_add("sgr0");
	crash_add("cnorm");
	crash_add("rmcup");
	crash_handlers(true);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	v->colour = has_colors() && !(nc && nc[0]);
	if (v->colour) {
		start_color();
		use_default_colors();
		init_pair(PAIR_WARN, COLOR_YELLOW, -1);
		init_pair(PAIR_ALERT, COLOR_RED, -1);
		init_pair(PAIR_TITLE, COLOR_CYAN, -1);
	}
	return scr;
}

static void screen_close(SCREEN *scr)
{
	endwin();
	crash_handlers(false);
	delscreen(scr);
}

/* ---- selection and keys ------------------------------------------------ */

/* Keep the selection on the same namespace; if it left, on the same row. */
static void follow_selection(struct tui_view *v)
{
	long r = v->sel.set ? tui_row_find(&v->m, &v->sel) : -1;

	if (r >= 0) {
		v->sel_row = r;
		return;
	}
	if (v->sel_row >= (long)v->m.n_rows)
		v->sel_row = (long)v->m.n_rows - 1;
	if (v->sel_row < 0)
		v->sel_row = 0;
	if (v->m.n_rows)
		tui_key_of(v->m.rows[v->sel_row].ns, &v->sel);
}

static void move_selection(struct tui_view *v, long by)
{
	long n = (long)v->m.n_rows;

	if (!n)
		return;
	v->sel_row += by;
	if (v->sel_row >= n)
		v->sel_row = n - 1;
	if (v->sel_row < 0)
		v->sel_row = 0;
	tui_key_of(v->m.rows[v->sel_row].ns, &v->sel);
}

static void input_done(struct tui_view *v, bool accept)
{
	double d;

	if (v->input == IN_FILTER && !accept) {
		v->m.filter[0] = '\0';
		tui_model_refresh(&v->m);
		follow_selection(v);
	} else if (v->input == IN_DELAY && accept) {
		if (pw_parse_seconds(v->in, 0.01, 86400, &d) == 0)
			v->delay = d;
		else
			snprintf(v->err, sizeof(v->err), "delay wants seconds from 0.01 to 86400, not '%s'",
				 v->in);
	}
	v->input = IN_NONE;
}

static void key_input(struct tui_view *v, int ch)
{
	size_t n = strlen(v->in);

	if (ch == 27)
		input_done(v, false);
	else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
		input_done(v, true);
	else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n)
		v->in[n - 1] = '\0';
	else if (ch >= 0x20 && ch < 0x7f && n + 1 < sizeof(v->in))
		v->in[n] = (char)ch, v->in[n + 1] = '\0';
	if (v->input == IN_FILTER) {	/* the filter applies as it is typed */
		snprintf(v->m.filter, sizeof(v->m.filter), "%s", v->in);
		tui_model_refresh(&v->m);
		follow_selection(v);
	}
}

static void start_input(struct tui_view *v, enum tui_input what)
{
	v->input = what;
	v->err[0] = '\0';
	if (what == IN_FILTER)
		snprintf(v->in, sizeof(v->in), "%s", v->m.filter);
	else
		snprintf(v->in, sizeof(v->in), "%g", v->delay);
}

static void resort(struct tui_view *v, enum tui_col c, bool flip)
{
	v->m.sort = c;
	v->m.reverse = flip ? !v->m.reverse : false;
	tui_model_refresh(&v->m);
	follow_selection(v);
}

/* Keys every screen shares; true if ch was one of them. */
static bool key_common(struct tui_view *v, int ch)
{
	switch (ch) {
	case 'q':
	case 'Q':
		v->quit = true;
		return true;
	case ' ':
		v->paused = !v->paused;
		return true;
	case 'd':
		start_input(v, IN_DELAY);
		return true;
	case '?':
	case 'h':
		v->before_help = v->screen;
		v->screen = SCR_HELP;
		return true;
	case KEY_RESIZE:
		return true;	/* curses has the new size; the next draw uses it */
	}
	return false;
}

static void key_table(struct tui_view *v, int ch)
{
	int page = tui_table_rows(v);

	switch (ch) {
	case KEY_UP: case 'k': move_selection(v, -1); break;
	case KEY_DOWN: case 'j': move_selection(v, 1); break;
	case KEY_PPAGE: move_selection(v, -page); break;
	case KEY_NPAGE: move_selection(v, page); break;
	case KEY_HOME: case 'g': move_selection(v, -(long)v->m.n_rows); break;
	case KEY_END: case 'G': move_selection(v, (long)v->m.n_rows); break;
	case '<': case ',': resort(v, tui_col_step(&v->m, v->m.sort, -1), false); break;
	case '>': case '.': resort(v, tui_col_step(&v->m, v->m.sort, 1), false); break;
	case 'r': resort(v, v->m.sort, true); break;
	case 'x':
		v->m.hide_gone = !v->m.hide_gone;
		tui_model_refresh(&v->m);
		follow_selection(v);
		break;
	case '/': start_input(v, IN_FILTER); break;
	case 27:
		if (v->m.filter[0]) {
			v->input = IN_FILTER;
			input_done(v, false);
		}
		break;
	case '\n': case '\r': case KEY_ENTER: case KEY_RIGHT:
		if (v->m.n_rows) {
			v->screen = SCR_DETAIL;
			v->detail_top = 0;
		}
		break;
	}
}

static void key_detail(struct tui_view *v, int ch)
{
	switch (ch) {
	case KEY_UP: case 'k': v->detail_top--; break;
	case KEY_DOWN: case 'j': v->detail_top++; break;
	case KEY_PPAGE: v->detail_top -= LINES / 2; break;
	case KEY_NPAGE: v->detail_top += LINES / 2; break;
	case KEY_HOME: case 'g': v->detail_top = 0; break;
	case 27: case KEY_LEFT: case KEY_BACKSPACE: case 127:
		v->screen = SCR_TABLE;
		break;
	}
}

static void key(struct tui_view *v, int ch)
{
	if (v->input != IN_NONE) {
		key_input(v, ch);
		return;
	}
	if (v->screen == SCR_HELP) {
		if (ch == 'q' || ch == 'Q')
			v->quit = true;
		else if (ch != KEY_RESIZE)
			v->screen = v->before_help;
		return;
	}
	if (key_common(v, ch))
		return;
	if (v->screen == SCR_DETAIL)
		key_detail(v, ch);
	else
		key_table(v, ch);
}

/* ---- the loop ---------------------------------------------------------- */

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Take a snapshot into the model; false if it failed (v->err says why). */
static bool take(struct tui_view *v, const struct pw_source *src)
{
	struct pw_snapshot *s;
	char err[sizeof(v->err)];
	int rc;

	rc = src->take(src->ctx, &s, err, sizeof(err));
	if (rc) {
		snprintf(v->err, sizeof(v->err), "%s", err);
		return false;
	}
	if (tui_model_push(&v->m, s)) {
		snprintf(v->err, sizeof(v->err), "out of memory keeping the snapshot");
		return false;
	}
	v->err[0] = '\0';
	follow_selection(v);
	return true;
}

/*
 * Sleep until the next snapshot is due or a key or signal arrives.  The stop
 * signals are blocked from the check of *stop until ppoll unblocks them, so
 * none is missed in between; SIGWINCH is only ever unblocked here.
 */
static void wait_event(const struct pw_run *run, double timeout_s, const sigset_t *stops,
		       const sigset_t *unblocked)
{
	struct pollfd in = { .fd = STDIN_FILENO, .events = POLLIN };
	struct timespec ts, *tsp = NULL;
	sigset_t outside;
	int n = 0;

	if (timeout_s >= 0) {
		ts.tv_sec = (time_t)timeout_s;
		ts.tv_nsec = (long)((timeout_s - floor(timeout_s)) * 1e9);
		tsp = &ts;
	}
	sigprocmask(SIG_BLOCK, stops, &outside);
	if (!(run->stop && *run->stop))
		n = ppoll(&in, 1, tsp, unblocked);
	sigprocmask(SIG_SETMASK, &outside, NULL);
	if (n == 1 && (in.revents & (POLLHUP | POLLERR | POLLNVAL)))
		usleep(100000);	/* the terminal went away: SIGHUP follows; do not spin */
}

static bool stopped(const struct pw_run *run)
{
	return run->stop && *run->stop;
}

/*
 * The stop signals stay deliverable while a snapshot is taken, so a
 * collector stuck in a system call is interrupted (EINTR) and the terminal
 * still restored.
 */
static int loop(struct tui_view *v, const struct pw_source *src, const struct pw_run *run,
		const sigset_t *stops, const sigset_t *unblocked)
{
	double next = 0;
	long taken = 0, ok = 0;
	int ch;

	while (!v->quit && !stopped(run)) {
		double now = mono();

		if (!v->paused && now >= next) {
			if (run->count && taken >= run->count)
				break;
			ok += take(v, src);
			taken++;
			next = now + v->delay;
			if (stopped(run))
				break;
		}
		tui_draw(v);
		refresh();
		wait_event(run, v->paused ? -1 : fmax(next - mono(), 0), stops, unblocked);
		while (!v->quit && (ch = getch()) != ERR)
			key(v, ch);
	}
	return ok || !taken || stopped(run) ? PW_EXIT_OK : PW_EXIT_FAIL;
}

int pw_tui_run(const struct pw_source *src, const struct pw_run *run)
{
	struct tui_view v = { .delay = run->delay > 0 ? run->delay : 1 };
	sigset_t winch, stops, old;
	bool no_cursor;
	SCREEN *scr;
	int rc;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "pausetop: the live view needs a terminal on stdin and stdout; "
				"use -b (table) or --json\n");
		return PW_EXIT_USAGE;
	}
	setlocale(LC_CTYPE, "");
	tui_model_init(&v.m, src->cluster, strcmp(nl_langinfo(CODESET), "UTF-8") != 0);
	scr = screen_open(&v, &no_cursor);
	if (!scr) {
		const char *term = getenv("TERM");

		fprintf(stderr, "pausetop: cannot start the live view: terminal type '%s' %s; "
				"set TERM, or use -b\n", term ? term : "",
			no_cursor ? "cannot move the cursor (no 'cup' in terminfo)"
				  : "unknown to terminfo (TERM)");
		tui_model_free(&v.m);
		return PW_EXIT_FAIL;
	}
	/* SIGWINCH: only inside ppoll; the stop signals: everywhere but the check before it */
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	sigprocmask(SIG_BLOCK, &winch, &old);
	rc = loop(&v, src, run, &stops, &old);
	screen_close(scr);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (rc)
		fprintf(stderr, "pausetop: no snapshot could be taken: %s\n", v.err);
	tui_model_free(&v.m);
	return rc;
}
