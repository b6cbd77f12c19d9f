/*
 * Master-only memory: it grows keeping what it held, and a forked
 * child has none of it (a read there is a SIGSEGV), while the parent
 * keeps it all.
 */
#include <check.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/ownmem.h"
#include "check_run.h"

START_TEST(grows_keeping_its_contents)
{
	size_t i, n = 100000;
	int *v = ownmem_resize(NULL, 0, 64, sizeof(int));

	ck_assert_ptr_nonnull(v);
	for (i = 0; i < 64; i++)
		v[i] = (int)i;
	v = ownmem_resize(v, 64, n, sizeof(int));
	ck_assert_ptr_nonnull(v);
	for (i = 0; i < 64; i++)
		ck_assert_int_eq(v[i], (int)i);
	v[n - 1] = 7;
	ck_assert_ptr_null(ownmem_resize(NULL, 0, (size_t)-1 / 2, 4));
	ownmem_free(v, n, sizeof(int));
}
END_TEST

START_TEST(a_child_has_none_of_it)
{
	char *m = ownmem_resize(NULL, 0, 10, 1000);
	volatile char *p = m;
	int st;
	pid_t pid;

	ck_assert_ptr_nonnull(m);
	p[9000] = 'm';
	if ((pid = fork()) == 0) {
		signal(SIGSEGV, SIG_DFL);
		_exit(p[9000] == 'm' ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSIGNALED(st));
	ck_assert_int_eq(WTERMSIG(st), SIGSEGV);
	ck_assert_int_eq(p[9000], 'm');
	ownmem_free(m, 10, 1000);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ownmem");
	TCase *tc = tcase_create("dontfork");

	tcase_add_test(tc, grows_keeping_its_contents);
	tcase_add_test(tc, a_child_has_none_of_it);
	suite_add_tcase(s, tc);
	return check_run(s);
}
