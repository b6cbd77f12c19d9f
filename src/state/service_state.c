/*
 * The master's run-time state for one configuration (service_state.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child/sandbox.h"
#include "conf/conf.h"
#include "state/per_source.h"
#include "state/service_state.h"

static const struct run_state *published;
static const struct master_stats *published_stats;

/*
 * A zeroed state for every service of c; the run does not own c.  A
 * PROXY service with per_source needs the table its children count
 * themselves in (per_source.c), mapped before the first of them forks;
 * each service its sandbox's filter, built once here for every child.
 */
int
run_make(struct run_state *r, struct conf *c)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	if ((r->svc = calloc(c->nsvc, sizeof(*r->svc))) == NULL)
		return -1;
	r->conf = c;
	r->n = c->nsvc;
	for (i = 0; i < r->n; i++) {
		r->svc[i].svc = &c->svc[i];
		r->svc[i].how = spawn_how(&c->svc[i]);
		r->svc[i].pending = -1;
		if ((c->svc[i].proxy_protocol && c->svc[i].per_source > 0 &&
		    per_source_init() < 0) || sandbox_prepare(&c->svc[i]) < 0) {
			run_free(r);
			return -1;
		}
	}
	return 0;
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
		sandbox_release(r->svc[i].svc);
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
