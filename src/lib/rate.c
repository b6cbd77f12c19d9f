/*
 * Token buckets.  Time is CLOCK_MONOTONIC, read by the caller once per
 * wake-up.  The per-source table is direct-mapped: a source whose slot
 * another source took starts with a full bucket.  That makes the limit
 * approximate under a flood of many sources, but memory stays fixed,
 * which matters more in front of the internet.
 */
#include "config.h"

#include <string.h>

#include "lib/rate.h"

static double
capacity(double rate)
{
	return rate < 1 ? 1 : rate;
}

static void
refill(struct bucket *b, double rate, const struct timespec *now)
{
	double dt;

	if (!b->primed) {
		b->tokens = capacity(rate);
		b->last = *now;
		b->primed = 1;
		return;
	}
	dt = (now->tv_sec - b->last.tv_sec) +
	    (now->tv_nsec - b->last.tv_nsec) / 1e9;
	if (dt > 0) {
		b->tokens += dt * rate;
		b->last = *now;
	}
	/* Outside the if: a rate lowered by a reload caps it at once. */
	if (b->tokens > capacity(rate))
		b->tokens = capacity(rate);
}

/* Take one token if there is one: 1, else 0. */
int
bucket_take(struct bucket *b, double rate, const struct timespec *now)
{
	refill(b, rate, now);
	if (b->tokens < 1)
		return 0;
	b->tokens -= 1;
	return 1;
}

/*
 * How long until a token is there (0: now).  The configuration keeps a
 * rate at or above CONF_MIN_RATE, so the wait is at most 1000 s; the
 * wait is still clamped before it becomes a long, since converting a
 * double beyond LONG_MAX is undefined (it came out negative, and the
 * master spun) and a NaN or infinity must not get that far either.
 */
long
bucket_wait_ms(const struct bucket *b, double rate, const struct timespec *now)
{
	struct bucket copy = *b;
	double ms;

	refill(&copy, rate, now);
	if (copy.tokens >= 1)
		return 0;
	ms = (1 - copy.tokens) / rate * 1000;
	if (!(ms < RATE_WAIT_MAX_MS))
		return RATE_WAIT_MAX_MS;
	return (long)ms + 1;
}

struct bucket *
rate_source(struct srcbucket *table, const struct srckey *k)
{
	struct srcbucket *e = &table[srckey_hash(k) % RATE_SOURCES];

	if (!srckey_eq(&e->key, k)) {
		memset(e, 0, sizeof(*e));
		e->key = *k;
	}
	return &e->b;
}
