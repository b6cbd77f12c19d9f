/*
 * Deadlines and waits in milliseconds on CLOCK_MONOTONIC: the one place
 * that does timespec arithmetic.  A wait of -1 means none (poll()'s
 * "forever"); a wait until a deadline rounds up, so that poll() never
 * wakes just before it and spins.
 */
#ifndef REPLYD_LIB_DEADLINE_H
#define REPLYD_LIB_DEADLINE_H

#include <time.h>

void	deadline_now(struct timespec *t);
long	deadline_between(const struct timespec *from, const struct timespec *to);
long	deadline_since(const struct timespec *t);
long	deadline_left(const struct timespec *t, const struct timespec *now);
void	deadline_after(struct timespec *t, const struct timespec *from,
	    long ms);
long	deadline_sooner(long a, long b);
void	deadline_in(struct timespec *d, int timeout);
int	deadline_ms_left(const struct timespec *d);

#endif
