// SPDX-License-Identifier: Apache-2.0
/* gone.c — retention of gone namespaces (gone.h): a ring, oldest first. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gone.h"

struct pw_gone {
	struct pw_namespace *ring;	/* each entry owns its sigs */
	unsigned int cap, head, n;	/* entries head .. head+n-1 (mod cap), oldest first */
	double keep_s;
};

struct pw_gone *pw_gone_new(unsigned int max, double keep_s)
{
	struct pw_gone *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->cap = max ? max : 1;
	g->keep_s = keep_s;
	g->ring = calloc(g->cap, sizeof(*g->ring));
	if (!g->ring) {
		free(g);
		return NULL;
	}
	return g;
}

static struct pw_namespace *at(const struct pw_gone *g, unsigned int i)
{
	return &g->ring[(g->head + i) % g->cap];
}

static void drop_oldest(struct pw_gone *g)
{
	struct pw_namespace *ns = at(g, 0);

	free(ns->sigs);
	memset(ns, 0, sizeof(*ns));
	g->head = (g->head + 1) % g->cap;
	g->n--;
}

void pw_gone_free(struct pw_gone *g)
{
	if (!g)
		return;
	while (g->n)
		drop_oldest(g);
	free(g->ring);
	free(g);
}

/* A namespace with its own copy of the signal rows. */
static int copy_ns(struct pw_namespace *dst, const struct pw_namespace *src)
{
	*dst = *src;
	dst->sigs = NULL;
	if (!src->n_sigs)
		return 0;
	dst->sigs = malloc(src->n_sigs * sizeof(*src->sigs));
	if (!dst->sigs) {
		dst->n_sigs = 0;
		return -ENOMEM;
	}
	memcpy(dst->sigs, src->sigs, src->n_sigs * sizeof(*src->sigs));
	return 0;
}

int pw_gone_add(struct pw_gone *g, const struct pw_namespace *ns, double now, uint64_t *evicted)
{
	struct pw_namespace *slot;

	if (g->n == g->cap) {
		drop_oldest(g);
		(*evicted)++;
	}
	slot = at(g, g->n);
	if (copy_ns(slot, ns))
		return -ENOMEM;
	/* what is "now" of a dead namespace is over: keep only the counters */
	slot->alive = false;
	slot->gone_time = now;
	slot->processes = 0;
	slot->zombies = 0;
	slot->oldest_zombie_age_s = -1;
	slot->oldest_age_is_lower_bound = false;
	slot->init_disp_known = false;
	slot->pids_known = false;
	g->n++;
	return 0;
}

void pw_gone_expire(struct pw_gone *g, double now)
{
	while (g->n && now - at(g, 0)->gone_time >= g->keep_s)
		drop_oldest(g);
}

void pw_gone_remove(struct pw_gone *g, uint32_t pidns, uint64_t ns_id)
{
	for (unsigned int i = 0; i < g->n; i++) {
		struct pw_namespace *ns = at(g, i);

		if (ns->pidns != pidns || ns->ns_id != ns_id)
			continue;
		free(ns->sigs);
		/* close the gap: later entries move one back, order kept */
		for (unsigned int j = i; j + 1 < g->n; j++)
			*at(g, j) = *at(g, j + 1);
		memset(at(g, g->n - 1), 0, sizeof(struct pw_namespace));
		g->n--;
		return;
	}
}

size_t pw_gone_count(const struct pw_gone *g)
{
	return g->n;
}

int pw_gone_append(const struct pw_gone *g, struct pw_snapshot *s)
{
	struct pw_namespace *grown;
	size_t base = s->n_ns;

	if (!g->n)
		return 0;
	grown = realloc(s->ns, (base + g->n) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	s->ns = grown;
	for (unsigned int i = 0; i < g->n; i++) {
		if (copy_ns(&s->ns[base + i], at(g, i))) {
			for (unsigned int j = 0; j < i; j++)
				free(s->ns[base + j].sigs);
			return -ENOMEM;
		}
	}
	s->n_ns = base + g->n;
	return 0;
}
