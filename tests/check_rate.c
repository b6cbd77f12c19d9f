/*
 * Token buckets: a burst of max(rate, 1), then one token per 1/rate s;
 * the per-source table stays fixed in size.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lib/rate.h"
#include "check_run.h"

static struct timespec
at(double s)
{
	struct timespec t = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	return t;
}

START_TEST(burst_then_pace)
{
	struct bucket b = { 0 };
	struct timespec t = at(100);
	long ms;
	int i;

	for (i = 0; i < 5; i++)
		ck_assert(bucket_take(&b, 5, &t));
	ck_assert(!bucket_take(&b, 5, &t));
	ms = bucket_wait_ms(&b, 5, &t);
	ck_assert_int_gt(ms, 150);
	ck_assert_int_le(ms, 201);
	t = at(100.1);
	ck_assert(!bucket_take(&b, 5, &t));
	/*
	 * After the wait it announced, not at exactly 0.2 s: there the sum
	 * of the refills is 1 or a hair below, as the FPU rounds (x87).
	 */
	t = at(100 + ms / 1000.0);
	ck_assert_int_eq(bucket_wait_ms(&b, 5, &t), 0);
	ck_assert(bucket_take(&b, 5, &t));
	ck_assert(!bucket_take(&b, 5, &t));
}
END_TEST

START_TEST(never_above_capacity)
{
	struct bucket b = { 0 };
	struct timespec t = at(1);
	int i, n = 0;

	bucket_take(&b, 2, &t);
	t = at(1000);		/* a long quiet time */
	for (i = 0; i < 10; i++)
		n += bucket_take(&b, 2, &t);
	ck_assert_int_eq(n, 2);
}
END_TEST

START_TEST(slow_rates_still_admit_one)
{
	struct bucket b = { 0 };
	struct timespec t = at(10);

	ck_assert(bucket_take(&b, 0.5, &t));
	ck_assert(!bucket_take(&b, 0.5, &t));
	t = at(11.9);
	ck_assert(!bucket_take(&b, 0.5, &t));
	t = at(12.1);
	ck_assert(bucket_take(&b, 0.5, &t));
}
END_TEST

START_TEST(tiny_rates_wait_a_bounded_positive_time)
{
	struct bucket b = { 0 };
	struct timespec t = at(10);
	double rates[] = { 0.001, 1e-300, 5e-324 };
	size_t i;

	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		memset(&b, 0, sizeof(b));
		ck_assert(bucket_take(&b, rates[i], &t));
		ck_assert(!bucket_take(&b, rates[i], &t));
		/* 1e-300 once made the wait overflow a long: negative. */
		ck_assert_int_gt(bucket_wait_ms(&b, rates[i], &t), 0);
		ck_assert_int_le(bucket_wait_ms(&b, rates[i], &t),
		    RATE_WAIT_MAX_MS);
	}
	ck_assert_int_le(bucket_wait_ms(&b, 0.001, &t), 1000 * 1000 + 1);
}
END_TEST

START_TEST(sources_have_own_buckets)
{
	struct srcbucket *table = calloc(RATE_SOURCES, sizeof(*table));
	struct srckey a, b;
	struct timespec t = at(5);

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.b[1] = 1;
	b.b[1] = 2;
	ck_assert(bucket_take(rate_source(table, &a), 1, &t));
	ck_assert(!bucket_take(rate_source(table, &a), 1, &t));
	if (srckey_hash(&a) % RATE_SOURCES != srckey_hash(&b) % RATE_SOURCES)
		ck_assert(bucket_take(rate_source(table, &b), 1, &t));
	ck_assert(!bucket_take(rate_source(table, &a), 1, &t));
	free(table);
}
END_TEST

/* A fresh bucket holds a token: no wait, even when it holds exactly one. */
START_TEST(fresh_bucket_has_no_wait)
{
	struct bucket b = { 0 };
	struct timespec t = at(3);

	ck_assert_int_eq(bucket_wait_ms(&b, 1, &t), 0);
	ck_assert_int_eq(bucket_wait_ms(&b, 0.5, &t), 0);
}
END_TEST

/*
 * The wait announced is never short: a master that sleeps it finds the
 * token there (else it wakes early and spins), at fast and slow rates.
 */
START_TEST(announced_wait_is_long_enough)
{
	double rates[] = { 3, 7, 0.3, 0.01 };
	struct bucket b;
	struct timespec t;
	size_t i;
	long ms;

	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		memset(&b, 0, sizeof(b));
		t = at(50);
		while (bucket_take(&b, rates[i], &t))
			;
		ms = bucket_wait_ms(&b, rates[i], &t);
		ck_assert_int_ge(ms, 1000 / rates[i]);
		t = at(50 + ms / 1000.0);
		ck_assert_msg(bucket_take(&b, rates[i], &t),
		    "rate %g: no token after the %ld ms announced", rates[i],
		    ms);
	}
}
END_TEST

/* Between 1 and 2 per second the burst is the rate, not 1. */
START_TEST(burst_of_a_fractional_rate)
{
	struct bucket b = { 0 };
	struct timespec t = at(7);
	long ms;

	ck_assert(bucket_take(&b, 1.5, &t));
	/* 0.5 token left: the next is 1/3 s away, not 2/3 s. */
	ms = bucket_wait_ms(&b, 1.5, &t);
	ck_assert_int_gt(ms, 330);
	ck_assert_int_le(ms, 340);
}
END_TEST

/* One a day is the longest wait there is, and no more is reported. */
START_TEST(wait_of_a_day_is_the_bound)
{
	struct bucket b = { 0 };
	struct timespec t = at(9);

	ck_assert(bucket_take(&b, 1.0 / 86400, &t));
	ck_assert_int_le(bucket_wait_ms(&b, 1.0 / 86400, &t),
	    RATE_WAIT_MAX_MS);
	ck_assert_int_ge(bucket_wait_ms(&b, 1.0 / 86400, &t),
	    RATE_WAIT_MAX_MS - 1);
}
END_TEST

/* A source that takes another's slot in the table starts full. */
START_TEST(new_source_in_a_taken_slot_starts_full)
{
	struct srcbucket *table = calloc(RATE_SOURCES, sizeof(*table));
	struct srckey a, b;
	struct timespec t = at(5);
	unsigned n;

	memset(&a, 0, sizeof(a));
	a.b[1] = 1;
	for (n = 2; ; n++) {	/* a key that hashes to a's slot */
		memset(&b, 0, sizeof(b));
		memcpy(b.b + 1, &n, sizeof(n));
		if (srckey_hash(&b) % RATE_SOURCES ==
		    srckey_hash(&a) % RATE_SOURCES)
			break;
	}
	ck_assert(bucket_take(rate_source(table, &a), 1, &t));
	ck_assert(!bucket_take(rate_source(table, &a), 1, &t));
	ck_assert(bucket_take(rate_source(table, &b), 1, &t));
	free(table);
}
END_TEST

/*
 * A bucket never holds more than max(rate, 1), also when the rate was
 * lowered (a reload) and the next take comes at the same instant.
 */
START_TEST(lowered_rate_caps_at_once)
{
	struct bucket b = { 0 };
	struct timespec t = at(20);

	ck_assert(bucket_take(&b, 5, &t));	/* 4 of 5 left */
	ck_assert(bucket_take(&b, 1, &t));
	ck_assert(!bucket_take(&b, 1, &t));
	ck_assert_int_gt(bucket_wait_ms(&b, 1, &t), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rate");
	TCase *tc = tcase_create("bucket");

	tcase_add_test(tc, burst_then_pace);
	tcase_add_test(tc, never_above_capacity);
	tcase_add_test(tc, slow_rates_still_admit_one);
	tcase_add_test(tc, tiny_rates_wait_a_bounded_positive_time);
	tcase_add_test(tc, sources_have_own_buckets);
	tcase_add_test(tc, fresh_bucket_has_no_wait);
	tcase_add_test(tc, announced_wait_is_long_enough);
	tcase_add_test(tc, burst_of_a_fractional_rate);
	tcase_add_test(tc, wait_of_a_day_is_the_bound);
	tcase_add_test(tc, new_source_in_a_taken_slot_starts_full);
	tcase_add_test(tc, lowered_rate_caps_at_once);
	suite_add_tcase(s, tc);
	return check_run(s);
}
