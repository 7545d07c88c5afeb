// SPDX-License-Identifier: Apache-2.0
/* snapfix.c — hand-built snapshots for face tests (snapfix.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapfix.h"

static void *grow(void *p, size_t n, size_t size)
{
	void *q = realloc(p, (n + 1) * size);

	if (!q) {
		perror("snapfix");
		exit(99);
	}
	memset((char *)q + n * size, 0, size);
	return q;
}

struct pw_snapshot *fx_snapshot(double time)
{
	struct pw_snapshot *s = calloc(1, sizeof(*s));

	if (!s) {
		perror("snapfix");
		exit(99);
	}
	s->time = time;
	s->self.exit_variant = "v616";
	s->self.attach = "tp_btf";
	s->self.walk = "task_iter";
	s->self.keep_gone_seconds = 300;
	s->self.snapshot_seconds = 0.0012;
	s->self.uptime_seconds = 60;
	s->self.nodes = 1;
	return s;
}

struct pw_namespace *fx_ns(struct pw_snapshot *s, uint32_t pidns, pid_t init_pid,
			   const char *comm, const char *hostname)
{
	struct pw_namespace *ns;

	s->ns = grow(s->ns, s->n_ns, sizeof(*s->ns));
	ns = &s->ns[s->n_ns++];
	ns->pidns = pidns;
	ns->ns_id = 1000 + pidns % 1000;
	ns->level = pidns == 4026531836u ? 0 : 1;
	ns->alive = true;
	ns->init_pid = init_pid;
	snprintf(ns->init_comm, sizeof(ns->init_comm), "%s", comm ? comm : "");
	snprintf(ns->hostname, sizeof(ns->hostname), "%s", hostname ? hostname : "");
	ns->processes = 1;
	ns->oldest_zombie_age_s = -1;
	return ns;
}

void fx_gone(struct pw_namespace *ns, double when)
{
	ns->alive = false;
	ns->gone_time = when;
	ns->processes = 0;
	ns->zombies = 0;
	ns->oldest_zombie_age_s = -1;
}

void fx_disp(struct pw_namespace *ns, int sig, enum pw_disp d)
{
	uint64_t bit = 1ULL << (sig - 1);

	ns->init_disp_known = true;
	ns->init_sig_caught &= ~bit;
	ns->init_sig_ignored &= ~bit;
	ns->init_sig_blocked &= ~bit;
	if (d == PW_DISP_CATCH)
		ns->init_sig_caught |= bit;
	else if (d == PW_DISP_IGNORE)
		ns->init_sig_ignored |= bit;
	else if (d == PW_DISP_BLOCKED)
		ns->init_sig_blocked |= bit;
}

static struct pw_sig_entry *sig_row(struct pw_namespace *ns, int sig)
{
	size_t i = 0;

	while (i < ns->n_sigs && ns->sigs[i].sig < sig)
		i++;
	if (i < ns->n_sigs && ns->sigs[i].sig == sig)
		return &ns->sigs[i];
	ns->sigs = grow(ns->sigs, ns->n_sigs, sizeof(*ns->sigs));
	memmove(&ns->sigs[i + 1], &ns->sigs[i], (ns->n_sigs - i) * sizeof(*ns->sigs));
	memset(&ns->sigs[i], 0, sizeof(ns->sigs[i]));
	ns->sigs[i].sig = sig;
	ns->n_sigs++;
	return &ns->sigs[i];
}

void fx_sig(struct pw_namespace *ns, int sig, int result, uint64_t n)
{
	sig_row(ns, sig)->generated[result] += n;
}

void fx_sig_ignored_by_init(struct pw_namespace *ns, int sig, uint64_t n)
{
	sig_row(ns, sig)->ignored_by_init += n;
}

struct pw_zombie *fx_zombie(struct pw_snapshot *s, const struct pw_namespace *ns, pid_t pid,
			    pid_t pid_in_ns, const char *comm, double age_s)
{
	struct pw_zombie *z;

	s->zombies = grow(s->zombies, s->n_zombies, sizeof(*s->zombies));
	z = &s->zombies[s->n_zombies++];
	z->pid = pid;
	z->pid_in_ns = pid_in_ns;
	z->ppid = ns->init_pid;
	z->pidns = ns->pidns;
	z->ns_id = ns->ns_id;
	snprintf(z->node, sizeof(z->node), "%s", ns->node);
	snprintf(z->comm, sizeof(z->comm), "%s", comm ? comm : "");
	snprintf(z->parent_comm, sizeof(z->parent_comm), "%s", ns->init_comm);
	z->age_s = age_s;
	return z;
}
