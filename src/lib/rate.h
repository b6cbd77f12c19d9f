/*
 * Token buckets for `rate` (new connections per second of a service)
 * and `per_source_rate` (the same, per client source).  A bucket holds
 * at most max(rate, 1) tokens, so a quiet service may take a burst of
 * one second's worth; beyond that clients are paced, never locked out.
 */
#ifndef REPLYD_LIB_RATE_H
#define REPLYD_LIB_RATE_H

#include <time.h>

#include "lib/acl.h"

struct bucket {
	double		tokens;
	struct timespec	last;
	int		primed;
};

/* The longest wait bucket_wait_ms() reports: a day. */
#define RATE_WAIT_MAX_MS	(86400L * 1000)

/* Per-source buckets: a fixed table, so a flood of sources cannot grow it. */
#define RATE_SOURCES 1024

struct srcbucket {
	struct srckey	key;
	struct bucket	b;
};

int	bucket_take(struct bucket *b, double rate, const struct timespec *now);
long	bucket_wait_ms(const struct bucket *b, double rate,
	    const struct timespec *now);
struct bucket *rate_source(struct srcbucket *table, const struct srckey *k);

#endif
