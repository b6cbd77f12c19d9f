/*
 * The master's run-time state, apart from the configuration it serves:
 * per service its listeners, live children count, counters and rate
 * buckets.  A configuration is pure data
 * (conf.h); the master makes a run for it when it starts serving, and
 * on a reload makes a new one and carries over, service by service of
 * the same name, what must outlive a reload (counters and buckets).
 */
#ifndef REPLYD_STATE_SERVICE_STATE_H
#define REPLYD_STATE_SERVICE_STATE_H

#include <stddef.h>
#include <time.h>

#include "lib/acl.h"
#include "lib/rate.h"

struct conf;
struct listener;
struct service;

struct svc_stats {
	unsigned long	accepted, served, failed, denied, busy, limited,
			expired, forkfail;
	/* Clients that waited in the backlog, for max_children, for rate. */
	unsigned long	waited_children, waited_rate;
};

/* Why a service stopped taking clients (svc_state.full). */
enum svc_full { FULL_NOT, FULL_CHILDREN, FULL_RATE };

struct svc_state {
	const struct service	*svc;		/* its configuration */
	struct listener		*ls;
	size_t			 nls;
	size_t			 ndown;		/* listeners not bound, retried */
	int			 active;	/* live children */
	struct bucket		 bucket;	/* for rate */
	struct srcbucket	*srcrate;	/* for per_source_rate */
	struct timespec		 paused_until;	/* after EMFILE and the like */
	int			 quick;		/* wait: programs in a row that
						   ended at once (master/wait.c) */
	int			 pending;	/* a client fork() failed for */
	struct timespec		 pending_since;
	struct srckey		 pending_src;
	struct svc_stats	 stats;
	int			 full;		/* enum svc_full, since when
						   it last took a client */
	long			 waited_seen;	/* of those still queued, how
						   many are counted */
};

struct run_state {
	struct conf	*conf;
	struct svc_state	*svc;		/* conf->nenabled of them */
	size_t		 n;
};

/* What the master has done since it started. */
struct master_stats {
	struct timespec	started;	/* CLOCK_MONOTONIC */
	unsigned long	reloads, forkfail, reloads_failed;
};

int		 run_make(struct run_state *r, struct conf *c);
void		 run_carry(struct run_state *r, struct run_state *old);
struct svc_state	*run_find(const struct run_state *r, const char *name);
void		 run_keep(struct run_state *r, const struct service *svc);
void		 run_free(struct run_state *r);
/*
 * The master's current run and totals, as a child forked from it finds
 * them (the status handler); NULL under `replyd -i`.
 */
void		 run_publish(const struct run_state *r, const struct master_stats *m);
const struct run_state *run_published(const struct master_stats **m);

#endif
