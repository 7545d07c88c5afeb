/* SPDX-License-Identifier: Apache-2.0 */
/*
 * options.h — one table of command-line options, shared by every face.
 *
 * An option is declared once (name, short letter, argument, help text) in a
 * struct pw_optdef table.  The collector's options (pw_collector_optdefs) are
 * declared here; each face declares its own table.  pw_getopt runs
 * getopt_long over several tables, and pw_usage prints the same help lines
 * every face shows, so no face copies another's parsing or usage text.
 *
 *	static const struct pw_optdef mine[] = { { "json", 'j', NULL, "print JSON", OPT_JSON }, { 0 } };
 *	const struct pw_optdef *tables[] = { mine, pw_collector_optdefs, NULL };
 *	struct pw_getopt g;
 *	pw_getopt_init(&g, tables);
 *	while ((id = pw_getopt_next(&g, argc, argv, &arg)) != -1) {
 *		if (id == '?') return usage error;
 *		if (pw_is_collector_opt(id)) { if (pw_collector_opt(&opts, id, arg, "pausetop")) error; }
 *		...
 *	}
 */
#ifndef PW_OPTIONS_H
#define PW_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "collector.h"

struct pw_optdef {
	const char *name;	/* long option without "--"; NULL ends a table */
	int short_name;		/* 'x', or 0 */
	const char *arg;	/* the argument's name in usage ("N", "SECONDS"); NULL: none */
	const char *help;	/* usage text; '\n' starts a continuation line */
	int id;			/* what pw_getopt_next returns for it (> 255, or the short letter) */
};

/* Ids of the collector's options (faces use ids below PW_OPT_COLLECTOR_FIRST). */
enum {
	PW_OPT_COLLECTOR_FIRST = 0x1000,
	PW_OPT_MAX_ZOMBIES = PW_OPT_COLLECTOR_FIRST,
	PW_OPT_MAX_NAMESPACES,
	PW_OPT_KEEP_GONE,
	PW_OPT_EXIT_VARIANT,
	PW_OPT_ATTACH,
	PW_OPT_WALK,
	PW_OPT_NO_ATTRIBUTION,
	PW_OPT_VERBOSE,
	PW_OPT_COLLECTOR_LAST,
};

extern const struct pw_optdef pw_collector_optdefs[];

static inline bool pw_is_collector_opt(int id)
{
	return id >= PW_OPT_COLLECTOR_FIRST && id < PW_OPT_COLLECTOR_LAST;
}

/*
 * Apply one collector option to *o.  Returns 0, or -1 after printing
 * "PROG: --option wants ..., not 'ARG'" to stderr.
 */
int pw_collector_opt(struct pw_opts *o, int id, const char *arg, const char *prog);

#define PW_GETOPT_MAX 64

struct pw_getopt {
	struct option longopts[PW_GETOPT_MAX + 1];
	char shortopts[2 * PW_GETOPT_MAX + 2];
	const struct pw_optdef *defs[PW_GETOPT_MAX];
	int n;
};

/* Build the getopt tables from a NULL-ended list of tables; -1 if too many options. */
int pw_getopt_init(struct pw_getopt *g, const struct pw_optdef *const tables[]);
/*
 * Next option: its id, '?' for an unknown option or a missing argument
 * (getopt has printed why), -1 at the end (optind is the first operand).
 */
int pw_getopt_next(struct pw_getopt *g, int argc, char **argv, const char **arg);

/* The help lines of one table, aligned like every other face's. */
void pw_usage(FILE *f, const struct pw_optdef *table);

/* Value parsers shared by faces: 0 ok, -1 malformed or out of range. */
int pw_parse_seconds(const char *s, double min, double max, double *out);
int pw_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

#endif /* PW_OPTIONS_H */
