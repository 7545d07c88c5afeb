/* SPDX-License-Identifier: Apache-2.0 */
/*
 * faces.h — ways to show a snapshot.  Faces see only snapshot.h: they never
 * touch libbpf or the collector's internals, take derived values from
 * snapshot.h, and pass container-controlled text through textsafe.h.
 */
#ifndef PW_FACES_H
#define PW_FACES_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "snapshot.h"

/* How a face that loops over snapshots runs. */
struct pw_run {
	long count;			/* snapshots to show; 0 = until stopped */
	double delay;			/* seconds between snapshots */
	bool pretty;			/* JSON: indented */
	volatile sig_atomic_t *stop;	/* set (to the signal) by SIGINT/SIGTERM/SIGHUP */
};

/* One snapshot as one JSON document (schema: docs/json-schema.md); 0 or -errno. */
int pw_face_json(FILE *f, const struct pw_snapshot *s, bool pretty);

/*
 * One snapshot as a plain-text table (pausetop -b); prev (may be NULL) is
 * the snapshot before, for the per-second columns.  0 or -errno.
 */
int pw_face_text(FILE *f, const struct pw_snapshot *s, const struct pw_snapshot *prev);

/*
 * The live view (ncurses) on the controlling terminal until the user quits
 * or *run->stop is set; the terminal is restored on every way out.
 * Returns a PW_EXIT_* code.
 */
int pw_tui_run(const struct pw_source *src, const struct pw_run *run);

#endif
