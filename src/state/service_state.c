/*
 * The master's run-time state for one configuration (service_state.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "state/service_state.h"

static const struct run_state *published;
static const struct master_stats *published_stats;

/*
 * A zeroed state for every service of c that is not disabled (a disabled
 * one has no listener and no counters); the run does not own c.
 */
int
run_make(struct run_state *r, struct conf *c)
{
	size_t i, k;

	memset(r, 0, sizeof(*r));
	if ((r->svc = calloc(c->nsvc, sizeof(*r->svc))) == NULL)
		return -1;
	r->conf = c;
	for (k = 0; k < c->nsvc; k++) {
		if (c->svc[k].disable)
			continue;
		i = r->n++;
		r->svc[i].svc = &c->svc[k];
		r->svc[i].pending = -1;
	}
	return 0;
}

/*
 * Only svc's state stays in a fresh run (`replyd -i` serves one service
 * of the file); the others held nothing yet.
 */
void
run_keep(struct run_state *r, const struct service *svc)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->svc[i].svc == svc) {
			r->svc[0] = r->svc[i];
			r->n = 1;
			return;
		}
}

struct svc_state *
run_find(const struct run_state *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->svc[i].svc->name, name) == 0)
			return &r->svc[i];
	return NULL;
}

/*
 * After a reload: counters and rate buckets (per_source_rate's too) of
 * each service that keeps its name live on, so that a SIGHUP neither
 * resets the statistics nor lets a client past its rate.  old keeps
 * nothing it handed over.
 */
void
run_carry(struct run_state *r, struct run_state *old)
{
	struct svc_state *o;
	size_t i;

	for (i = 0; i < r->n; i++) {
		if ((o = run_find(old, r->svc[i].svc->name)) == NULL)
			continue;
		r->svc[i].stats = o->stats;
		r->svc[i].bucket = o->bucket;
		r->svc[i].paused_until = o->paused_until;
		r->svc[i].srcrate = o->srcrate;
		o->srcrate = NULL;
	}
}

/* Frees what the run owns; the listeners are listen_run_close()'s. */
void
run_free(struct run_state *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->svc[i].srcrate);
		if (r->svc[i].pending >= 0)
			close(r->svc[i].pending);
	}
	free(r->svc);
	memset(r, 0, sizeof(*r));
}

void
run_publish(const struct run_state *r, const struct master_stats *m)
{
	published = r;
	published_stats = m;
}

const struct run_state *
run_published(const struct master_stats **m)
{
	*m = published_stats;
	return published;
}
