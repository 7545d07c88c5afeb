// SPDX-License-Identifier: Apache-2.0
/*
 * pausetop — zombies, orphans and signals per PID namespace.
 *
 * This file is a face: it parses options, asks the collector for snapshots
 * and prints them.  It never touches libbpf.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "faces.h"

#ifndef PW_VERSION
#define PW_VERSION "dev"
#endif

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct cli {
	bool json;
	bool pretty;
	long count;		/* snapshots to print; 0 = until interrupted */
	double delay;		/* seconds between snapshots */
	struct pw_opts opts;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pausetop [OPTIONS]\n"
		"Zombies, orphans and signals per PID namespace, from BPF tracepoints.\n"
		"\n"
		"  -j, --json             print snapshots as JSON (one line each; schema: docs/json-schema.md)\n"
		"      --pretty           indent the JSON\n"
		"  -b, --batch            print snapshots as a plain table (the default for now)\n"
		"  -n, --iterations N     print N snapshots, then exit (default 1; 0 = until SIGINT/SIGTERM)\n"
		"  -d, --delay SECONDS    time between snapshots (default 1; fractions allowed)\n"
		"      --max-zombies N    zombies listed per snapshot (default 1024; all are counted)\n"
		"      --max-namespaces N PID namespaces tracked (default 4096; losses are counted)\n"
		"      --exit-variant V   auto (default), v616 or legacy: which sched_process_exit\n"
		"                         signature to attach to (v616 needs Linux >= 6.16)\n"
		"      --attach A         auto (default: tp_btf, raw_tp if refused), tp_btf or raw_tp\n"
		"      --no-attribution   do not look up hostnames, cgroups and command lines\n"
		"  -v, --verbose          show libbpf's messages (verifier log on failure)\n"
		"  -V, --version          print the version and exit\n"
		"  -h, --help             this help\n"
		"\n"
		"Counters count from the moment pausetop started; zombies and namespaces that\n"
		"existed before are found by a walk of all tasks at every snapshot.\n"
		"\n"
		"Exit status: 0 ok, 1 runtime failure, 2 usage error, 3 missing privileges,\n"
		"4 kernel without BTF, 5 the kernel refused a BPF program.\n");
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* One of three words, whose index is the enum value (auto is 0 in both). */
static const char *const variants[] = { "auto", "v616", "legacy" };
static const char *const attaches[] = { "auto", "tp_btf", "raw_tp" };

static int parse_choice(const char *opt, const char *arg, const char *const words[3],
			unsigned long *out)
{
	for (unsigned long i = 0; i < 3; i++)
		if (!strcmp(arg, words[i])) {
			*out = i;
			return 0;
		}
	fprintf(stderr, "pausetop: %s is %s, %s or %s, not '%s'\n", opt, words[0], words[1], words[2], arg);
	return -1;
}

static int parse_args(int argc, char **argv, struct cli *cli)
{
	enum { OPT_PRETTY = 256, OPT_MAXZ, OPT_MAXNS, OPT_VARIANT, OPT_ATTACH, OPT_NOATTR };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, OPT_PRETTY },
		{ "batch", no_argument, NULL, 'b' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "delay", required_argument, NULL, 'd' },
		{ "max-zombies", required_argument, NULL, OPT_MAXZ },
		{ "max-namespaces", required_argument, NULL, OPT_MAXNS },
		{ "exit-variant", required_argument, NULL, OPT_VARIANT },
		{ "attach", required_argument, NULL, OPT_ATTACH },
		{ "no-attribution", no_argument, NULL, OPT_NOATTR },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long v;
	char *end;
	int c;

	cli->count = 1;
	cli->delay = 1.0;
	while ((c = getopt_long(argc, argv, "jbn:d:vVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			cli->json = true;
			break;
		case OPT_PRETTY:
			cli->json = cli->pretty = true;
			break;
		case 'b':
			cli->json = false;
			break;
		case 'n':
			if (parse_ulong(optarg, LONG_MAX, &v)) {
				fprintf(stderr, "pausetop: --iterations wants a whole number >= 0, not '%s'\n", optarg);
				return PW_EXIT_USAGE;
			}
			cli->count = (long)v;
			break;
		case 'd':
			errno = 0;
			cli->delay = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(cli->delay) ||
			    cli->delay < 0.01 || cli->delay > 86400) {
				fprintf(stderr, "pausetop: --delay wants seconds between 0.01 and 86400, not '%s'\n", optarg);
				return PW_EXIT_USAGE;
			}
			break;
		case OPT_MAXZ:
		case OPT_MAXNS:
			if (parse_ulong(optarg, 1u << 20, &v) || v == 0) {
				fprintf(stderr, "pausetop: --%s wants a number from 1 to 1048576, not '%s'\n",
					c == OPT_MAXZ ? "max-zombies" : "max-namespaces", optarg);
				return PW_EXIT_USAGE;
			}
			if (c == OPT_MAXZ)
				cli->opts.max_zombies = (unsigned int)v;
			else
				cli->opts.max_namespaces = (unsigned int)v;
			break;
		case OPT_VARIANT:
			if (parse_choice("--exit-variant", optarg, variants, &v))
				return PW_EXIT_USAGE;
			cli->opts.exit_variant = (enum pw_exit_variant)v;
			break;
		case OPT_ATTACH:
			if (parse_choice("--attach", optarg, attaches, &v))
				return PW_EXIT_USAGE;
			cli->opts.attach = (enum pw_attach)v;
			break;
		case OPT_NOATTR:
			cli->opts.no_attribution = true;
			break;
		case 'v':
			cli->opts.verbose = true;
			break;
		case 'V':
			printf("pausetop %s\n", PW_VERSION);
			exit(PW_EXIT_OK);
		case 'h':
			usage(stdout);
			exit(PW_EXIT_OK);
		default:
			usage(stderr);
			return PW_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pausetop: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return PW_EXIT_USAGE;
	}
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

static int run(struct pw_collector *c, const struct cli *cli)
{
	char err[512];

	for (long i = 0; cli->count == 0 || i < cli->count; i++) {
		struct pw_snapshot *s;
		int rc;

		if (i > 0 && !wait_next(cli->delay))
			break;
		if (pw_snapshot_take(c, &s, err, sizeof(err))) {
			fprintf(stderr, "pausetop: %s\n", err);
			return PW_EXIT_FAIL;
		}
		rc = cli->json ? pw_face_json(stdout, s, cli->pretty) : pw_face_text(stdout, s);
		pw_snapshot_free(s);
		if (rc == -EPIPE)
			return PW_EXIT_OK;	/* the reader went away: not our failure */
		if (rc) {
			fprintf(stderr, "pausetop: writing the snapshot failed: %s\n", strerror(-rc));
			return PW_EXIT_FAIL;
		}
		if (!cli->json && (cli->count == 0 || i + 1 < cli->count))
			putchar('\n');
	}
	return PW_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_stop };
	struct pw_collector *c;
	struct cli cli = { 0 };
	char err[1024];
	int rc;

	rc = parse_args(argc, argv, &cli);
	if (rc)
		return rc;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = pw_open(&cli.opts, &c, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "pausetop: %s\n", err);
		return rc;
	}
	rc = run(c, &cli);
	pw_close(c);
	return rc;
}
