// SPDX-License-Identifier: Apache-2.0
/* text_face.c — a collector snapshot as a plain table (pausetop batch mode). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "faces.h"

static void age(char *buf, size_t len, double s, bool lower_bound)
{
	if (s < 0)
		snprintf(buf, len, "-");
	else if (s < 120)
		snprintf(buf, len, "%s%.1fs", lower_bound ? ">" : "", s);
	else if (s < 7200)
		snprintf(buf, len, "%s%.0fm", lower_bound ? ">" : "", s / 60);
	else
		snprintf(buf, len, "%s%.1fh", lower_bound ? ">" : "", s / 3600);
}

int pw_face_text(FILE *f, const struct pw_snapshot *s)
{
	uint64_t zombies = 0;

	for (size_t i = 0; i < s->n_ns; i++)
		zombies += s->ns[i].alive ? s->ns[i].zombies : 0;
	fprintf(f, "pausetop: %zu pid namespaces, %llu zombies, exit tracepoint %s (%s)\n", s->n_ns,
		(unsigned long long)zombies, s->self.exit_variant, s->self.attach);
	fprintf(f, "%-10s %3s %8s %-15s %-20s %7s %7s %8s %8s %8s %8s %6s\n", "PIDNS", "LVL",
		"INIT", "COMM", "HOSTNAME", "ZOMBIE", "OLDEST", "EXITS", "REAPED", "AUTOREAP",
		"ORPHANS", "IGNINIT");
	for (size_t i = 0; i < s->n_ns; i++) {
		const struct pw_namespace *ns = &s->ns[i];
		uint64_t orphans = 0, ign = 0;
		char oldest[16];

		for (int r = 0; r < PWC_REAPER_MAX; r++)
			orphans += ns->orphans[r];
		for (size_t k = 0; k < ns->n_sigs; k++)
			ign += ns->sigs[k].ignored_by_init;
		age(oldest, sizeof(oldest), ns->oldest_zombie_age_s, ns->oldest_age_is_lower_bound);
		fprintf(f, "%-10u %3u %8d %-15.15s %-20.20s %7llu %7s %8llu %8llu %8llu %8llu %6llu%s\n",
			ns->pidns, ns->level, ns->init_pid, ns->init_comm[0] ? ns->init_comm : "?",
			ns->hostname[0] ? ns->hostname : "-", (unsigned long long)ns->zombies, oldest,
			(unsigned long long)ns->exits, (unsigned long long)ns->reaped,
			(unsigned long long)ns->autoreaped, (unsigned long long)orphans,
			(unsigned long long)ign, ns->alive ? "" : "  (gone)");
	}
	if (s->n_zombies) {
		fprintf(f, "\n%8s %8s %-10s %-16s %8s %-16s %8s %s\n", "PID", "NSPID", "PIDNS", "COMM",
			"PPID", "PARENT", "AGE", "STATUS");
		for (size_t i = 0; i < s->n_zombies; i++) {
			const struct pw_zombie *z = &s->zombies[i];
			char a[16], st[24];

			if (z->age_is_lower_bound)	/* exited before we started: at most its lifetime */
				snprintf(a, sizeof(a), "<=%.0fs", z->age_upper_bound_s);
			else
				age(a, sizeof(a), z->age_s, false);
			if (z->exit_signal) {
				char name[16];

				pw_signal_name(z->exit_signal, name, sizeof(name));
				snprintf(st, sizeof(st), "%s%s", name, z->core_dumped ? " (core)" : "");
			} else {
				snprintf(st, sizeof(st), "exit %d", z->exit_code);
			}
			fprintf(f, "%8d %8d %-10u %-16s %8d %-16s %8s %s\n", z->pid, z->pid_in_ns,
				z->pidns, z->comm, z->ppid, z->parent_comm, a, st);
		}
		if (s->self.zombies_unlisted)
			fprintf(f, "(%llu more zombies not listed: raise --max-zombies)\n",
				(unsigned long long)s->self.zombies_unlisted);
	}
	if (fflush(f) == EOF || ferror(f))
		return -(errno ? errno : EIO);
	return 0;
}
