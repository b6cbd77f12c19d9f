/*
 * Millisecond deadlines: sums carry across seconds, waits round up, and
 * -1 is "no wait" for the sooner of two.
 */
#include <check.h>
#include <time.h>

#include "lib/deadline.h"
#include "check_run.h"

START_TEST(after_carries_across_seconds)
{
	struct timespec from = { 10, 999500000 }, t;

	deadline_after(&t, &from, 1);
	ck_assert_int_eq(t.tv_sec, 11);
	ck_assert_int_eq(t.tv_nsec, 500000);
	deadline_after(&t, &from, 2500);
	ck_assert_int_eq(t.tv_sec, 13);
	ck_assert_int_eq(t.tv_nsec, 499500000);
	deadline_after(&t, &from, -1000);
	ck_assert_int_eq(t.tv_sec, 9);
	ck_assert_int_eq(t.tv_nsec, 999500000);
}
END_TEST

START_TEST(between_truncates_left_rounds_up)
{
	struct timespec a = { 5, 900000000 }, b = { 7, 100400000 };

	ck_assert_int_eq(deadline_between(&a, &b), 1200);
	ck_assert_int_eq(deadline_between(&b, &a), -1200);
	ck_assert_int_eq(deadline_left(&b, &a), 1201);
	ck_assert_int_eq(deadline_left(&a, &b), 0);
	ck_assert_int_eq(deadline_left(&a, &a), 0);
}
END_TEST

START_TEST(since_counts_on_the_monotonic_clock)
{
	struct timespec now, past;

	deadline_now(&now);
	deadline_after(&past, &now, -3000);
	ck_assert_int_ge(deadline_since(&past), 3000);
	ck_assert_int_lt(deadline_since(&past), 60000);
}
END_TEST

START_TEST(sooner_ignores_none)
{
	ck_assert_int_eq(deadline_sooner(-1, -1), -1);
	ck_assert_int_eq(deadline_sooner(-1, 7), 7);
	ck_assert_int_eq(deadline_sooner(7, -1), 7);
	ck_assert_int_eq(deadline_sooner(3, 7), 3);
	ck_assert_int_eq(deadline_sooner(0, 7), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("deadline");
	TCase *tc = tcase_create("ms");

	tcase_add_test(tc, after_carries_across_seconds);
	tcase_add_test(tc, between_truncates_left_rounds_up);
	tcase_add_test(tc, since_counts_on_the_monotonic_clock);
	tcase_add_test(tc, sooner_ignores_none);
	suite_add_tcase(s, tc);
	return check_run(s);
}
