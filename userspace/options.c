// SPDX-License-Identifier: Apache-2.0
/* options.c — the option table every collector face shares (options.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

const struct pw_optdef pw_collector_optdefs[] = {
	{ "keep-gone", 0, "SECONDS",
	  "keep a gone namespace's final values this long (default 300)", PW_OPT_KEEP_GONE },
	{ "max-zombies", 0, "N", "zombies listed per snapshot (default 1024; all are counted)",
	  PW_OPT_MAX_ZOMBIES },
	{ "max-namespaces", 0, "N", "PID namespaces tracked (default 4096; losses are counted)",
	  PW_OPT_MAX_NAMESPACES },
	{ "exit-variant", 0, "V",
	  "auto (default), v616 or legacy: which sched_process_exit\n"
	  "signature to attach to (v616 needs Linux >= 6.16)", PW_OPT_EXIT_VARIANT },
	{ "attach", 0, "A", "auto (default: tp_btf, raw_tp if refused), tp_btf or raw_tp",
	  PW_OPT_ATTACH },
	{ "walk", 0, "W",
	  "auto (default), task_iter (Linux 6.8+: processes only) or\n"
	  "iter_task (every thread): how a snapshot walks the processes", PW_OPT_WALK },
	{ "no-attribution", 0, NULL, "do not look up hostnames, cgroups and command lines",
	  PW_OPT_NO_ATTRIBUTION },
	{ "verbose", 'v', NULL, "show libbpf's messages (verifier log on failure)", PW_OPT_VERBOSE },
	{ 0 },
};

int pw_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int pw_parse_seconds(const char *s, double min, double max, double *out)
{
	double v;
	char *end;

	if (!s || !*s || *s == ' ')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* One of a few words, whose index is the enum value (auto is 0 everywhere). */
static int choice(const char *arg, const char *const words[], unsigned int n, const char *opt,
		  const char *prog)
{
	for (unsigned int i = 0; i < n; i++)
		if (!strcmp(arg, words[i]))
			return (int)i;
	fprintf(stderr, "%s: --%s is", prog, opt);
	for (unsigned int i = 0; i < n; i++)
		fprintf(stderr, "%s %s", i ? (i + 1 == n ? " or" : ",") : "", words[i]);
	fprintf(stderr, ", not '%s'\n", arg);
	return -1;
}

int pw_collector_opt(struct pw_opts *o, int id, const char *arg, const char *prog)
{
	static const char *const variants[] = { "auto", "v616", "legacy" };
	static const char *const attaches[] = { "auto", "tp_btf", "raw_tp" };
	static const char *const walks[] = { "auto", "task_iter", "iter_task" };
	unsigned long v;
	double d;
	int c;

	switch (id) {
	case PW_OPT_MAX_ZOMBIES:
	case PW_OPT_MAX_NAMESPACES:
		if (pw_parse_uint(arg, 1, 1u << 20, &v)) {
			fprintf(stderr, "%s: --%s wants a number from 1 to 1048576, not '%s'\n", prog,
				id == PW_OPT_MAX_ZOMBIES ? "max-zombies" : "max-namespaces", arg);
			return -1;
		}
		if (id == PW_OPT_MAX_ZOMBIES)
			o->max_zombies = (unsigned int)v;
		else
			o->max_namespaces = (unsigned int)v;
		return 0;
	case PW_OPT_KEEP_GONE:
		if (pw_parse_seconds(arg, 0, 30 * 86400, &d)) {
			fprintf(stderr, "%s: --keep-gone wants seconds from 0 to 2592000, not '%s'\n",
				prog, arg);
			return -1;
		}
		o->keep_gone_seconds = d > 0 ? d : -1;	/* 0 in pw_opts means "default" */
		return 0;
	case PW_OPT_EXIT_VARIANT:
		if ((c = choice(arg, variants, 3, "exit-variant", prog)) < 0)
			return -1;
		o->exit_variant = (enum pw_exit_variant)c;
		return 0;
	case PW_OPT_ATTACH:
		if ((c = choice(arg, attaches, 3, "attach", prog)) < 0)
			return -1;
		o->attach = (enum pw_attach)c;
		return 0;
	case PW_OPT_WALK:
		if ((c = choice(arg, walks, 3, "walk", prog)) < 0)
			return -1;
		o->walk = (enum pw_walk)c;
		return 0;
	case PW_OPT_NO_ATTRIBUTION:
		o->no_attribution = true;
		return 0;
	case PW_OPT_VERBOSE:
		o->verbose = true;
		return 0;
	}
	fprintf(stderr, "%s: internal error: option id %d is not the collector's\n", prog, id);
	return -1;
}

int pw_getopt_init(struct pw_getopt *g, const struct pw_optdef *const tables[])
{
	char *so;

	memset(g, 0, sizeof(*g));
	so = g->shortopts;
	*so++ = ':';	/* a missing argument returns ':' so we can say which */
	for (int t = 0; tables[t]; t++) {
		for (const struct pw_optdef *d = tables[t]; d->name; d++) {
			struct option *lo = &g->longopts[g->n];

			if (g->n == PW_GETOPT_MAX)
				return -1;
			lo->name = d->name;
			lo->has_arg = d->arg ? required_argument : no_argument;
			lo->flag = NULL;
			lo->val = g->n + 1000000;	/* our index, mapped back below */
			if (d->short_name) {
				*so++ = (char)d->short_name;
				if (d->arg)
					*so++ = ':';
			}
			g->defs[g->n++] = d;
		}
	}
	*so = '\0';
	return 0;
}

int pw_getopt_next(struct pw_getopt *g, int argc, char **argv, const char **arg)
{
	int c, idx = -1;

	opterr = 0;
	c = getopt_long(argc, argv, g->shortopts, g->longopts, &idx);
	*arg = optarg;
	if (c == -1)
		return -1;
	if (c == ':' || c == '?') {
		const char *name = argv[optind - 1];

		if (c == ':')
			fprintf(stderr, "%s: option '%s' needs an argument\n", program_invocation_short_name, name);
		else if (optopt && optopt < 256)
			fprintf(stderr, "%s: unknown option '-%c'\n", program_invocation_short_name, optopt);
		else
			fprintf(stderr, "%s: unknown option '%s'\n", program_invocation_short_name, name);
		return '?';
	}
	if (c >= 1000000 && c - 1000000 < g->n)
		return g->defs[c - 1000000]->id;
	for (int i = 0; i < g->n; i++)
		if (g->defs[i]->short_name == c)
			return g->defs[i]->id;
	return '?';
}

void pw_usage(FILE *f, const struct pw_optdef *table)
{
	for (const struct pw_optdef *d = table; d->name; d++) {
		char left[48];
		const char *h = d->help, *nl;

		snprintf(left, sizeof(left), "%c%c%s--%s%s%s", d->short_name ? '-' : ' ',
			 d->short_name ? d->short_name : ' ', d->short_name ? ", " : "  ", d->name,
			 d->arg ? " " : "", d->arg ? d->arg : "");
		/* long left columns push the help to the next line, like GNU tools */
		if (strlen(left) > 23) {
			fprintf(f, "  %s\n", left);
			left[0] = '\0';
		}
		for (bool first = true; h; first = false, h = nl ? nl + 1 : NULL) {
			nl = strchr(h, '\n');
			fprintf(f, "  %-23s %.*s\n", first ? left : "", nl ? (int)(nl - h) : (int)strlen(h), h);
		}
	}
}
