/*
 * per_source of PROXY services, counted by the children in shared
 * memory: the limit per service and source, slots given back when the
 * master reaps a child, children in other processes seen, a full table
 * serving uncounted.
 */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/acl.h"
#include "state/per_source.h"
#include "check_run.h"

static struct srckey
key(unsigned n)
{
	struct srckey k;

	memset(&k, 0, sizeof(k));
	k.b[0] = 2;
	memcpy(k.b + 1, &n, sizeof(n));
	return k;
}

START_TEST(no_table_no_count)
{
	struct srckey a = key(1);

	ck_assert_int_eq(per_source_enter("s", &a, 1), 0);
	ck_assert_int_eq(per_source_enter("s", &a, 1), 0);
}
END_TEST

START_TEST(limit_per_service_and_source)
{
	struct srckey a = key(1), b = key(2);

	ck_assert_int_eq(per_source_init(), 0);
	ck_assert_int_eq(per_source_enter("s", &a, 2), 1);
	ck_assert_int_eq(per_source_enter("s", &a, 2), 1);
	ck_assert_int_eq(per_source_enter("s", &a, 2), -1);
	ck_assert_int_eq(per_source_enter("s", &a, 2), -1);	/* gave its slot back */
	ck_assert_int_eq(per_source_enter("s", &b, 2), 1);
	ck_assert_int_eq(per_source_enter("t", &a, 2), 1);
	per_source_gone(getpid());
	ck_assert_int_eq(per_source_enter("s", &a, 1), 1);
	ck_assert_int_eq(per_source_enter("s", &a, 1), -1);
}
END_TEST

/* A child that enters, says how it went, and stays until killed. */
static pid_t
entering_child(int *result)
{
	struct srckey a = key(7);
	int p[2];
	signed char r;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		r = (signed char)per_source_enter("svc", &a, 2);
		(void)!write(p[1], &r, 1);
		pause();
		_exit(0);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(read(p[0], &r, 1), 1);
	close(p[0]);
	close(p[1]);
	*result = r;
	return pid;
}

START_TEST(children_see_each_other)
{
	pid_t pid[4];
	int r[4], i;

	ck_assert_int_eq(per_source_init(), 0);
	for (i = 0; i < 3; i++)
		pid[i] = entering_child(&r[i]);
	ck_assert_int_eq(r[0], 1);
	ck_assert_int_eq(r[1], 1);
	ck_assert_int_eq(r[2], -1);
	/* The master reaps the first: its place is free again. */
	kill(pid[0], SIGKILL);
	waitpid(pid[0], NULL, 0);
	per_source_gone(pid[0]);
	pid[3] = entering_child(&r[3]);
	ck_assert_int_eq(r[3], 1);
	for (i = 1; i < 4; i++) {
		kill(pid[i], SIGKILL);
		waitpid(pid[i], NULL, 0);
	}
}
END_TEST

START_TEST(full_table_serves_uncounted)
{
	struct srckey k;
	unsigned i;

	ck_assert_int_eq(per_source_init(), 0);
	for (i = 0; i < PERSRC_SLOTS; i++) {
		k = key(1000 + i);
		ck_assert_int_eq(per_source_enter("s", &k, 1), 1);
	}
	k = key(1000);
	ck_assert_int_eq(per_source_enter("s", &k, 1), 0);
	per_source_gone(getpid());
	ck_assert_int_eq(per_source_enter("s", &k, 1), 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("persrc");
	TCase *tc = tcase_create("count");

	tcase_add_test(tc, no_table_no_count);
	tcase_add_test(tc, limit_per_service_and_source);
	tcase_add_test(tc, children_see_each_other);
	tcase_add_test(tc, full_table_serves_uncounted);
	suite_add_tcase(s, tc);
	return check_run(s);
}
