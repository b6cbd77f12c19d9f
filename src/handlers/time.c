/*
 * The "time" handler (RFC 868): the seconds since 1900-01-01 00:00 UTC
 * as 32 bits, big-endian, then close.
 *
 * 32 bits run out on 2036-02-07 at 06:28:16 UTC.  From then on the
 * count starts again from 0 (what NTP calls era 1), as the low 32 bits
 * of the true count: what OpenBSD's and FreeBSD's inetd send, and the
 * only value that stays right to the second for a client that places it
 * in the era nearest its own clock (RFC 5905's rule, which rdate-like
 * clients need from 2036 on anyway).  Holding the count at its maximum
 * instead would be wrong for every client.
 */
#include "config.h"

#include <stdint.h>
#include <time.h>

#include "handlers/handler.h"

/* From 1900-01-01 to 1970-01-01: 70 years, 17 of them leap years. */
#define SECS_1900_TO_1970	2208988800ULL

/* The count for the Unix time t: modulo 2^32, before 1970 as well. */
uint32_t
time_rfc868(time_t t)
{
	return (uint32_t)((uint64_t)t + SECS_1900_TO_1970);
}

int
handler_time(const struct conn *c)
{
	uint32_t t = time_rfc868(time(NULL));
	unsigned char b[4] = { t >> 24, t >> 16, t >> 8, t };

	return handler_answer(c, b, sizeof(b));
}
