/*
 * The master's table of live children: which service each serves, since
 * when, and from which source (for per_source limits and session_timeout).
 */
#ifndef REPLYD_MASTER_CHILDREN_H
#define REPLYD_MASTER_CHILDREN_H

#include <sys/types.h>
#include <time.h>

#include "lib/acl.h"
#include "lib/addr.h"
#include "master/stderr_relay.h"
#include "master/udp_relay.h"
#include "state/service_state.h"

struct child {
	pid_t		 pid;
	struct svc_state	*run;		/* NULL once its service is gone */
	struct srckey	 src;
	struct timespec	 start;
	int		 signalled;	/* 0, SIGTERM or SIGKILL sent */
	int		 session_timeout;	/* its service's, at spawn */
	struct udp_relay relay;		/* UDP: fd -1 once done */
	struct stderr_relay	 err;		/* its stderr; fd -1: none */
	int		 conn;		/* TCP: the master's copy, -1: none */
	int		 held;		/* wait: the listener it serves, -1 */
	char		 peer[ADDR_STRLEN + 12];	/* for its end line */
};

struct children {
	struct child	*v;
	size_t		 n, cap;
};

struct child	*children_add(struct children *k);
struct child	*children_find(struct children *k, pid_t pid);
void		 children_remove(struct children *k, struct child *kid);
size_t		 children_from(const struct children *k, const struct svc_state *r,
		    const struct srckey *src);
void		 children_remap(struct children *k, struct run_state *r);
void		 children_free(struct children *k);

#endif
