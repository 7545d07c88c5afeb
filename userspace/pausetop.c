// SPDX-License-Identifier: Apache-2.0
/*
 * pausetop — zombies, orphans and signals per PID namespace.
 *
 * This file picks a face and a snapshot source and runs them: the live view
 * on a terminal (tui.c), a table (-b) or JSON lines (--json) otherwise, or
 * the Prometheus exporter (--listen, --metrics, --textfile: export.h).  It
 * never touches libbpf: snapshots come from the collector (collector.h) or
 * from a Prometheus server (--prometheus: promsrc.h) through a struct
 * pw_source.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "export.h"
#include "faces.h"
#include "options.h"
#include "privs.h"
#include "promsrc.h"

#ifndef PW_VERSION
#define PW_VERSION "dev"
#endif

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	stop_requested = sig;
}

enum mode { MODE_AUTO, MODE_TUI, MODE_BATCH, MODE_JSON, MODE_EXPORT };

struct cli {
	enum mode mode;
	const char *mode_opt;		/* the option that chose mode, for a conflict's message */
	bool iterations_given;
	bool delay_given;
	struct pw_run run;
	struct pw_opts opts;
	struct pw_export_cfg exp;	/* --listen, --metrics, --textfile */
	const char *prometheus;		/* --prometheus URL */
};

enum {
	OPT_JSON = 'j', OPT_BATCH = 'b', OPT_ITER = 'n', OPT_DELAY = 'd', OPT_VERSION = 'V',
	OPT_HELP = 'h', OPT_PRETTY = 256, OPT_TUI,
};

static const struct pw_optdef face_optdefs[] = {
	{ "batch", 'b', NULL, "print snapshots as a plain table (what pausetop does when\n"
	  "stdout is not a terminal)", OPT_BATCH },
	{ "json", 'j', NULL, "print snapshots as JSON, one per line (docs/json-schema.md)", OPT_JSON },
	{ "pretty", 0, NULL, "indent the JSON", OPT_PRETTY },
	{ "tui", 0, NULL, "the live view even when it would not be chosen", OPT_TUI },
	{ "iterations", 'n', "N", "N snapshots, then exit (batch/JSON default 1; live view and\n"
	  "0: until q, SIGINT or SIGTERM)", OPT_ITER },
	{ "delay", 'd', "SECONDS", "time between snapshots (default 1; fractions allowed)",
	  OPT_DELAY },
	{ "version", 'V', NULL, "print the version and exit", OPT_VERSION },
	{ "help", 'h', NULL, "this help", OPT_HELP },
	{ 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pausetop [OPTIONS]\n"
		"Zombies, orphans and signals per PID namespace, from BPF tracepoints.\n"
		"On a terminal pausetop opens the live view; otherwise it prints a table.\n"
		"\n");
	pw_usage(f, face_optdefs);
	fprintf(f, "\nPrometheus export (docs/export.md):\n");
	pw_usage(f, pw_export_optdefs);
	fprintf(f, "\nCluster view:\n");
	pw_usage(f, pw_promsrc_optdefs);
	fprintf(f, "\nCollector:\n");
	pw_usage(f, pw_collector_optdefs);
	fprintf(f,
		"\n"
		"Counters count from the moment pausetop started; zombies and namespaces that\n"
		"existed before are found by a walk of all processes at every snapshot.\n"
		"\n"
		"Exit status: 0 ok, 1 runtime failure, 2 usage error, 3 missing privileges,\n"
		"4 kernel without BTF, 5 the kernel refused a BPF program.\n");
}

static int usage_error(void)
{
	fprintf(stderr, "Try 'pausetop --help' for more information.\n");
	return PW_EXIT_USAGE;
}

/* One output per run: a second face option that disagrees is refused, not silently last. */
static int set_mode(struct cli *cli, enum mode mode, const char *opt)
{
	if (cli->mode != MODE_AUTO && cli->mode != mode) {
		fprintf(stderr, "pausetop: %s and %s choose different outputs: give one of -b, "
			"--json (--pretty) and --tui\n", cli->mode_opt, opt);
		return -1;
	}
	cli->mode = mode;
	cli->mode_opt = opt;
	return 0;
}

static int face_opt(struct cli *cli, int id, const char *arg)
{
	unsigned long v;

	switch (id) {
	case OPT_JSON:
		return set_mode(cli, MODE_JSON, "--json");
	case OPT_PRETTY:
		cli->run.pretty = true;
		return set_mode(cli, MODE_JSON, "--pretty");
	case OPT_BATCH:
		return set_mode(cli, MODE_BATCH, "--batch");
	case OPT_TUI:
		return set_mode(cli, MODE_TUI, "--tui");
	case OPT_ITER:
		if (pw_parse_uint(arg, 0, 1000000000, &v)) {
			fprintf(stderr, "pausetop: --iterations wants a whole number >= 0, not '%s'\n", arg);
			return -1;
		}
		cli->run.count = (long)v;
		cli->iterations_given = true;
		return 0;
	case OPT_DELAY:
		if (pw_parse_seconds(arg, 0.01, 86400, &cli->run.delay)) {
			fprintf(stderr, "pausetop: --delay wants seconds between 0.01 and 86400, not '%s'\n", arg);
			return -1;
		}
		cli->delay_given = true;
		return 0;
	case OPT_VERSION:
		printf("pausetop %s\n", PW_VERSION);
		exit(PW_EXIT_OK);
	case OPT_HELP:
		usage(stdout);
		exit(PW_EXIT_OK);
	}
	return -1;
}

/* The exporter's modes exclude the other faces and the cluster view; their defaults. */
static int check_export(struct cli *cli)
{
	struct pw_export_cfg *e = &cli->exp;

	if (e->http_opt && e->mode != PW_EXPORT_LISTEN) {
		fprintf(stderr, "pausetop: %s goes with --listen (it sets the HTTP server)\n", e->http_opt);
		return -1;
	}
	if (e->mode == PW_EXPORT_NONE) {
		if (e->openmetrics || e->node_given) {
			fprintf(stderr, "pausetop: --%s goes with --listen, --metrics or --textfile\n",
				e->openmetrics ? "openmetrics" : "node-name");
			return -1;
		}
		return 0;
	}
	if (cli->mode != MODE_AUTO || cli->prometheus) {
		fprintf(stderr, "pausetop: --listen, --metrics and --textfile go without %s\n",
			cli->prometheus ? "--prometheus (export each node where it runs)"
					: "--json, --batch and --tui");
		return -1;
	}
	if (e->openmetrics && e->mode != PW_EXPORT_METRICS) {
		fprintf(stderr, "pausetop: --openmetrics goes with --metrics (a server negotiates it; "
			"node_exporter reads only the text format)\n");
		return -1;
	}
	cli->mode = MODE_EXPORT;
	if (e->mode == PW_EXPORT_TEXTFILE) {
		if (!cli->iterations_given)
			cli->run.count = 0;
		if (!cli->delay_given)
			cli->run.delay = PW_EXPORT_TEXTFILE_DELAY;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct cli *cli)
{
	const struct pw_optdef *const tables[] = { face_optdefs, pw_export_optdefs, pw_promsrc_optdefs,
						   pw_collector_optdefs, NULL };
	struct pw_getopt g;
	const char *arg;
	int id;

	cli->run.count = 1;
	cli->run.delay = 1.0;
	cli->run.stop = &stop_requested;
	pw_export_cfg_init(&cli->exp);
	if (pw_getopt_init(&g, tables)) {
		fprintf(stderr, "pausetop: internal error: too many options\n");
		return PW_EXIT_FAIL;
	}
	while ((id = pw_getopt_next(&g, argc, argv, &arg)) != -1) {
		if (id == '?')
			return usage_error();
		if (pw_is_export_opt(id)) {
			if (pw_export_opt(&cli->exp, id, arg, "pausetop"))
				return usage_error();
			continue;
		}
		if (id == PW_OPT_PROMETHEUS) {
			cli->prometheus = arg;
			continue;
		}
		if (pw_is_collector_opt(id) ? pw_collector_opt(&cli->opts, id, arg, "pausetop")
					    : face_opt(cli, id, arg))
			return usage_error();
	}
	if (check_export(cli))
		return usage_error();
	if (optind < argc) {
		fprintf(stderr, "pausetop: unexpected argument '%s'\n", argv[optind]);
		return usage_error();
	}
	/* top and htop: the live view on a terminal, a table when piped */
	if (cli->mode == MODE_AUTO)
		cli->mode = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) ? MODE_TUI : MODE_BATCH;
	if (cli->mode == MODE_TUI && !cli->iterations_given)
		cli->run.count = 0;
	return PW_EXIT_OK;
}

/* Sleep until the next tick; false when a stop was requested. */
static bool wait_next(double delay)
{
	struct timespec ts = { .tv_sec = (time_t)delay,
			       .tv_nsec = (long)((delay - floor(delay)) * 1e9) };

	while (!stop_requested && nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	return !stop_requested;
}

/* Batch table or JSON lines: count snapshots, delay apart. */
static int run_lines(const struct pw_source *src, const struct cli *cli)
{
	struct pw_snapshot *prev = NULL;
	char err[512];
	int rc = PW_EXIT_OK;

	for (long i = 0; cli->run.count == 0 || i < cli->run.count; i++) {
		struct pw_snapshot *s;
		int wrc;

		if (i > 0 && !wait_next(cli->run.delay))
			break;
		if (src->take(src->ctx, &s, err, sizeof(err))) {
			fprintf(stderr, "pausetop: %s\n", err);
			rc = PW_EXIT_FAIL;
			break;
		}
		wrc = cli->mode == MODE_JSON ? pw_face_json(stdout, s, cli->run.pretty)
					     : pw_face_text(stdout, s, prev);
		pw_snapshot_free(prev);
		prev = s;
		if (wrc == -EPIPE)
			break;	/* the reader went away: not our failure */
		if (wrc) {
			fprintf(stderr, "pausetop: writing the snapshot failed: %s\n", strerror(-wrc));
			rc = PW_EXIT_FAIL;
			break;
		}
		if (cli->mode != MODE_JSON && (cli->run.count == 0 || i + 1 < cli->run.count))
			putchar('\n');
	}
	pw_snapshot_free(prev);
	return rc;
}

static int run_export(const struct pw_source *src, struct cli *cli, struct pw_listener *l)
{
	switch (cli->exp.mode) {
	case PW_EXPORT_LISTEN:
		return pw_export_serve(l, src, &cli->exp, &stop_requested);
	case PW_EXPORT_TEXTFILE:
		return pw_export_textfile(src, &cli->exp, &cli->run);
	default:
		return pw_export_print(stdout, src, &cli->exp, &cli->run);
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_stop };
	struct pw_listener *listener = NULL;
	struct pw_collector *c;
	struct pw_source src;
	struct cli cli = { 0 };
	char err[1024];
	int rc;

	rc = parse_args(argc, argv, &cli);
	if (rc)
		return rc;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (cli.prometheus) {
		/*
		 * The cluster view: no BPF, so no capability at all while it parses
		 * what a remote server sends (run as root, it would keep them all).
		 */
		rc = pw_privs_drop_to(PW_PRIVS_NONE, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "pausetop: %s\n", err);
			return PW_EXIT_FAIL;
		}
		if (pw_promsrc_open(cli.prometheus, &src, err, sizeof(err))) {
			fprintf(stderr, "pausetop: %s\n", err);
			return PW_EXIT_USAGE;
		}
	} else {
		rc = pw_open(&cli.opts, &c, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "pausetop: %s\n", err);
			return rc;
		}
		pw_collector_source(c, &src);
		/* the socket is bound while privileged (a port below 1024 may need it) */
		if (cli.exp.mode == PW_EXPORT_LISTEN) {
			rc = pw_export_bind(&cli.exp, &listener);
			if (rc) {
				src.close(src.ctx);
				return rc;
			}
		}
		/*
		 * Loaded and bound: keep only what snapshots need (privs.h).  No thread
		 * runs yet: the HTTP server's start in pw_export_serve, unprivileged.
		 */
		rc = pw_privs_drop(err, sizeof(err));
		if (rc) {
			fprintf(stderr, "pausetop: %s\n", err);
			pw_listener_close(listener);
			src.close(src.ctx);
			return rc == -EPERM ? PW_EXIT_PRIV : PW_EXIT_FAIL;
		}
	}
	if (cli.mode == MODE_EXPORT)
		rc = run_export(&src, &cli, listener);
	else
		rc = cli.mode == MODE_TUI ? pw_tui_run(&src, &cli.run) : run_lines(&src, &cli);
	pw_listener_close(listener);
	src.close(src.ctx);
	return rc;
}
