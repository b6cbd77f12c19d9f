/*
 * The master's state, shared by the files of the master: loop.c (the
 * loop, reloads, signals), accept.c (new clients to children) and
 * reap.c (children that end or overstay).  Every mode that serves
 * listeners (daemon, -f, socket activation, an upgrade, `replyd -i` on
 * a service's own socket) runs this one state through the one loop.
 */
#ifndef REPLYD_MASTER_MASTER_INT_H
#define REPLYD_MASTER_MASTER_INT_H

#include <limits.h>
#include <poll.h>
#include <sys/types.h>
#include <time.h>

#include "client/refused.h"
#include "lib/deadline.h"
#include "master/children.h"
#include "master/listeners.h"
#include "master/master.h"
#include "master/udp_relay.h"
#include "state/service_state.h"

/* How long children may finish after SIGTERM, then after our SIGTERM. */
#define STOP_GRACE	5
#define STOP_KILL	2
/*
 * Datagrams taken from one listener per wake-up, for fairness.  TCP
 * takes one connection per wake-up, so that the services of one master
 * take turns.
 */
#define ACCEPT_BURST	16

struct master {
	struct run_state			 run;
	const struct master_opts	*opts;
	struct children		 children;
	struct refused_clients	 refused;	/* refused, closing */
	struct udp_req			 req;		/* UDP receive buffer */
	struct pollfd			*pfd;		/* the poll set ... */
	struct slot {
		enum { SLOT_SIGNALS, SLOT_LISTENER, SLOT_RELAY,
		    SLOT_STDERR, SLOT_REFUSED } what;
		struct svc_state	*run;		/* a listener's */
		struct listener	*l;
		pid_t		 kid;		/* a relay's or a stderr's */
	}				*slot;		/* ... and what each is */
	size_t				 cap;
	int				 sigfd;		/* signalfd */
	int				 stopping;	/* 0, then 1..3 */
	struct timespec			 deadline;
	struct master_stats		 stats;
	struct timespec			 idle_since;	/* last client or child end */
	int				 last_status;	/* of the last child */
	struct timespec			 status_at;	/* last STATUS= */
#define STATUS_VALUES	6
	unsigned long			 status[STATUS_VALUES];	/* what it said */
	int				 got_chld, got_hup, got_term,
					 got_usr1, got_usr2;
	int				 daemonized, upgraded;
	char				 self[PATH_MAX];	/* our binary */
	char				 notify[256];	/* NOTIFY_SOCKET */
};

/* accept.c */
int	accept_client(struct master *s, struct svc_state *r, int in, int out,
	    const struct sockaddr *peer, const struct timespec *now);
void	accept_tcp(struct master *s, struct svc_state *r, struct listener *l,
	    const struct timespec *now);
void	accept_wait(struct master *s, struct svc_state *r, struct listener *l,
	    const struct timespec *now);
void	accept_udp(struct master *s, struct svc_state *r, struct listener *l,
	    const struct timespec *now);
void	accept_retry(struct master *s, struct svc_state *r,
	    const struct timespec *now);
long	accept_room_ms(const struct svc_state *r, const struct timespec *now);

/* reap.c */
const char *reap_child_name(const struct child *k);
void	kill_group(pid_t pid, int sig);
void	reap_all(struct master *s);
long	reap_expire(struct master *s);

/* wait.c */
struct conn;
int	wait_held(const struct children *ks, int fd);
int	wait_prepare(const struct children *ks, const struct svc_state *r,
	    const struct listener *l, struct conn *c);
void	wait_started(const struct svc_state *r, const struct listener *l,
	    struct child *k);
void	wait_ended(const struct child *k);
void	wait_remap(struct children *ks);

#endif
