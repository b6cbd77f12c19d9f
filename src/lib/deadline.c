/*
 * Millisecond deadlines (deadline.h).  Differences are taken in
 * nanoseconds first, so that a deadline 0.4 ms away is "1 ms left", not
 * "0 left" nor "-1 elapsed".
 */
#include "config.h"

#include <time.h>

#include "lib/deadline.h"

#define NS_PER_MS	1000000LL
#define NS_PER_S	1000000000LL

static long long
ns_between(const struct timespec *from, const struct timespec *to)
{
	return (long long)(to->tv_sec - from->tv_sec) * NS_PER_S +
	    (to->tv_nsec - from->tv_nsec);
}

void
deadline_now(struct timespec *t)
{
	clock_gettime(CLOCK_MONOTONIC, t);
}

/* Whole milliseconds from one time to another (negative if earlier). */
long
deadline_between(const struct timespec *from, const struct timespec *to)
{
	return (long)(ns_between(from, to) / NS_PER_MS);
}

/* Whole milliseconds since t. */
long
deadline_since(const struct timespec *t)
{
	struct timespec now;

	deadline_now(&now);
	return deadline_between(t, &now);
}

/* Milliseconds from now until t, rounded up; 0 once t has passed. */
long
deadline_left(const struct timespec *t, const struct timespec *now)
{
	long long ns = ns_between(now, t);

	return ns > 0 ? (long)((ns + NS_PER_MS - 1) / NS_PER_MS) : 0;
}

/* *t = from + ms. */
void
deadline_after(struct timespec *t, const struct timespec *from, long ms)
{
	long long ns = from->tv_nsec + (long long)(ms % 1000) * NS_PER_MS;

	t->tv_sec = from->tv_sec + ms / 1000 + (time_t)(ns / NS_PER_S);
	t->tv_nsec = (long)(ns % NS_PER_S);
	if (t->tv_nsec < 0) {
		t->tv_sec--;
		t->tv_nsec += NS_PER_S;
	}
}

/* The sooner of two waits, -1 meaning none. */
long
deadline_sooner(long a, long b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/* timeout seconds from now; none (tv_sec -1) for timeout <= 0. */
void
deadline_in(struct timespec *d, int timeout)
{
	if (timeout <= 0) {
		d->tv_sec = -1;
		d->tv_nsec = 0;
		return;
	}
	deadline_now(d);
	d->tv_sec += timeout;
}

/* Milliseconds left until d (rounded up, 0 once passed), -1 for none. */
int
deadline_ms_left(const struct timespec *d)
{
	struct timespec now;

	if (d->tv_sec < 0)
		return -1;
	deadline_now(&now);
	return (int)deadline_left(d, &now);
}
