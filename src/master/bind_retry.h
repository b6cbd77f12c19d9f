/*
 * Listeners that could not be bound at start (a port taken, an address
 * not on the host yet, no IPv6, no permission): logged by service name,
 * address and reason, and tried again with a back-off while the other
 * listeners serve, as xinetd turns off only the service that failed.
 */
#ifndef REPLYD_MASTER_BIND_RETRY_H
#define REPLYD_MASTER_BIND_RETRY_H

#include <time.h>

#include "master/listeners.h"
#include "state/service_state.h"

/* Seconds between tries: from 1, doubling, to this. */
#define BIND_BACKOFF_MAX	60

/*
 * svc's listener spec could not be bound (errno err; l as listen_new
 * left it): at start (no old run) l is down, to be retried; in a reload
 * only if old's listener was down too (its back-off goes on), else -1,
 * logged, and the reload fails.
 */
int	bind_down(struct listener *l, const char *spec,
	    const struct service *svc, const struct run_state *old, int err);
/*
 * After the start's listen_run_open(): each down listener logged.  -1
 * when not one listener is bound and none_ok is 0 (a fresh start: the
 * exit status then says replyd cannot serve).
 */
int	bind_start(const struct run_state *r, int none_ok);
/*
 * In the image an upgrade starts, which must bind every listener the
 * old one served: only those the old image had down (its "W" lines,
 * one bind_was_down each) may be down here, the others fail the
 * upgrade as they would a reload.
 */
void	bind_upgrading(void);
int	bind_was_down(const char *service, const char *spec);
/*
 * Try the down listeners whose time has come; ms until the next, or -1.
 * Runs at every wake-up of the master: services with no listener down
 * (ndown, kept by bind_count) cost one test each.
 */
long	bind_retry(struct run_state *r, const struct timespec *now);
/* Each service's ndown from its listeners. */
void	bind_count(struct run_state *r);
/* SIGUSR1: a line per down listener of sr. */
void	bind_dump(const struct svc_state *sr, const struct timespec *now);

#endif
