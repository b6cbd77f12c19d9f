/*
 * The master's table of live children: which service each serves, since
 * when, and from which source (for per_source limits and session_timeout).
 */
#ifndef REPLYD_STATE_CHILDREN_H
#define REPLYD_STATE_CHILDREN_H

#include <sys/types.h>
#include <time.h>

#include "lib/acl.h"
#include "master/stderr_relay.h"
#include "master/udp_relay.h"
#include "state/service_state.h"

struct kid {
	pid_t		 pid;
	struct svc_run	*run;		/* NULL once its service is gone */
	struct srckey	 src;
	struct timespec	 start;
	int		 signalled;	/* 0, SIGTERM or SIGKILL sent */
	int		 session_timeout;	/* its service's, at spawn */
	struct udp_relay relay;		/* UDP: fd -1 once done */
	struct kidlog	 err;		/* its stderr; fd -1: none */
};

struct kids {
	struct kid	*v;
	size_t		 n, cap;
};

struct kid	*kids_add(struct kids *k);
struct kid	*kids_find(struct kids *k, pid_t pid);
void		 kids_remove(struct kids *k, struct kid *kid);
size_t		 kids_from(const struct kids *k, const struct svc_run *r,
		    const struct srckey *src);
void		 kids_remap(struct kids *k, struct run *r);
void		 kids_free(struct kids *k);

#endif
