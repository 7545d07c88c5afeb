/* SPDX-License-Identifier: Apache-2.0 */
/*
 * snapfix.h — snapshots built by hand, for testing faces without root or BPF.
 *
 *	struct pw_snapshot *s = fx_snapshot(1700000000.0);
 *	struct pw_namespace *ns = fx_ns(s, 4026532001, 4242, "sleep", "shop-7d9f4");
 *	ns->zombies = 3;
 *	fx_sig(ns, SIGTERM, PWC_SIG_IGNORED, 1);
 *	fx_zombie(s, ns, 4250, 7, "sh", 12.5);
 *	... face(s) ...
 *	pw_snapshot_free(s);
 *
 * Allocation follows snapshot.h, so pw_snapshot_free() releases everything.
 * Pointers returned by fx_ns/fx_zombie are valid until the next fx_ns/fx_zombie.
 */
#ifndef PW_SNAPFIX_H
#define PW_SNAPFIX_H

#include "snapshot.h"

/* An empty snapshot at `time` with plausible collector fields (v616, tp_btf, task_iter). */
struct pw_snapshot *fx_snapshot(double time);
/* Append a live namespace (level 1; level 0 for pidns 4026531836) with the given init. */
struct pw_namespace *fx_ns(struct pw_snapshot *s, uint32_t pidns, pid_t init_pid,
			   const char *comm, const char *hostname);
/* Mark a namespace gone at `when`. */
void fx_gone(struct pw_namespace *ns, double when);
/* Set the init's disposition of sig (and mark dispositions known). */
void fx_disp(struct pw_namespace *ns, int sig, enum pw_disp d);
/* Add n to the generated[result] count of sig (the row is created, rows stay ascending). */
void fx_sig(struct pw_namespace *ns, int sig, int result, uint64_t n);
/* Add n to the ignored-by-init count of sig. */
void fx_sig_ignored_by_init(struct pw_namespace *ns, int sig, uint64_t n);
/* Append a zombie of ns (exited with code 0, parent = the init). */
struct pw_zombie *fx_zombie(struct pw_snapshot *s, const struct pw_namespace *ns, pid_t pid,
			    pid_t pid_in_ns, const char *comm, double age_s);

#endif
