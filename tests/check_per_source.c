/*
 * per_source of PROXY services, counted by the children in shared
 * memory: the limit per service and source, slots given back when the
 * master reaps a child, children in other processes seen, a full table
 * serving uncounted.
 */
#define _GNU_SOURCE		/* memfd_create */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
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

/*
 * Services are told apart by their whole name: two names of the
 * longest length a configuration allows (64) that differ only in their
 * first character count apart.
 */
START_TEST(long_names_count_apart)
{
	struct srckey a = key(6);
	char one[65], two[65];

	memset(one, 'x', sizeof(one) - 1);
	one[sizeof(one) - 1] = '\0';
	memcpy(two, one, sizeof(two));
	one[0] = 'a';
	two[0] = 'b';
	ck_assert_int_eq(per_source_init(), 0);
	ck_assert_int_eq(per_source_enter(one, &a, 1), 1);
	ck_assert_int_eq(per_source_enter(two, &a, 1), 1);
	ck_assert_int_eq(per_source_enter(one, &a, 1), -1);
	ck_assert_int_eq(per_source_enter(two, &a, 1), -1);
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
	ck_assert_int_eq(per_source_enter("s", &k, 1), 0);	/* still full */
	per_source_gone(getpid());
	ck_assert_int_eq(per_source_enter("s", &k, 1), 1);
}
END_TEST

/* How many mappings of the table the process has. */
static int
table_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, "replyd-per-source") != NULL;
	fclose(f);
	return n;
}

static int
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* A blank table of the right size, as an old image would hand over. */
static int
blank_table(off_t size)
{
	int fd = memfd_create("old-image", MFD_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, size), 0);
	return fd;
}

START_TEST(table_descriptor)
{
	int fd;

	ck_assert_int_eq(per_source_fd(), -1);
	ck_assert_int_eq(per_source_init(), 0);
	fd = per_source_fd();
	ck_assert_int_ge(fd, 0);
	ck_assert(fd_open(fd));
	ck_assert_int_eq(per_source_init(), 0);		/* once is enough */
	ck_assert_int_eq(per_source_fd(), fd);
	ck_assert_int_eq(table_mappings(), 1);
}
END_TEST

/* Descriptor 0 is a descriptor like any other (a daemon may lack stdin). */
START_TEST(table_on_descriptor_zero)
{
	struct srckey a = key(3);
	struct stat st;

	close(0);
	ck_assert_int_eq(per_source_init(), 0);
	ck_assert_int_eq(per_source_fd(), 0);
	ck_assert_int_eq(per_source_enter("s", &a, 1), 1);
	ck_assert_int_eq(per_source_enter("s", &a, 1), -1);
	ck_assert_int_eq(fstat(0, &st), 0);
	ck_assert_int_eq(per_source_adopt(blank_table(st.st_size)), 0);
	ck_assert(!fd_open(0));		/* let go like any other */
}
END_TEST

/* Out of descriptors or of file size: -1, nothing left open or mapped. */
START_TEST(init_failures)
{
	struct rlimit lim, none, small;
	struct srckey a = key(4);
	int next;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &lim), 0);
	none = lim;
	none.rlim_cur = 0;	/* the hard limit stays: a user can go back */
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &none), 0);
	errno = 0;
	ck_assert_int_eq(per_source_init(), -1);
	ck_assert_int_eq(errno, EMFILE);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &lim), 0);
	ck_assert_int_eq(per_source_enter("s", &a, 1), 0);	/* uncounted */

	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &small), 0);
	small.rlim_cur = 4096;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
	next = dup(2);
	close(next);
	errno = 0;
	ck_assert_int_eq(per_source_init(), -1);
	ck_assert_int_eq(errno, EFBIG);
	ck_assert_int_eq(dup(2), next);		/* the memfd was closed */
	ck_assert_int_eq(per_source_fd(), -1);
	ck_assert_int_eq(table_mappings(), 0);
}
END_TEST

/*
 * An upgrade's new image takes the old one's table: the counts are the
 * table's, its own table (if any) is let go, a table of another size is
 * refused and the one it has kept.
 */
START_TEST(adopt_the_old_images_table)
{
	struct srckey a = key(5);
	struct stat st;
	char path[64];
	int mine, old, odd, ro;

	ck_assert_int_eq(per_source_init(), 0);
	mine = per_source_fd();
	ck_assert_int_eq(fstat(mine, &st), 0);
	ck_assert_int_eq(per_source_enter("s", &a, 1), 1);

	ck_assert_int_eq(per_source_adopt(-1), -1);
	odd = blank_table(st.st_size + 8);
	errno = 0;
	ck_assert_int_eq(per_source_adopt(odd), -1);
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_int_eq(per_source_fd(), mine);
	ck_assert_int_eq(per_source_enter("s", &a, 1), -1);
	/* The right size, but it cannot be mapped for writing. */
	old = blank_table(st.st_size);
	ck_assert_int_ge(snprintf(path, sizeof(path), "/proc/self/fd/%d",
	    old), 0);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(ro, 0);
	errno = 0;
	ck_assert_int_eq(per_source_adopt(ro), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(per_source_fd(), mine);
	ck_assert_int_eq(per_source_enter("s", &a, 1), -1);
	close(ro);
	close(old);

	old = blank_table(st.st_size);
	ck_assert_int_eq(per_source_adopt(old), 0);
	ck_assert_int_eq(per_source_fd(), old);
	ck_assert(!fd_open(mine));
	ck_assert_int_eq(table_mappings(), 0);	/* its own is unmapped */
	ck_assert_int_eq(per_source_enter("s", &a, 1), 1);	/* blank */
	ck_assert_int_eq(per_source_enter("s", &a, 1), -1);

	/* Taking the same table again changes nothing. */
	ck_assert_int_eq(per_source_adopt(old), 0);
	ck_assert(fd_open(old));
	ck_assert_int_eq(per_source_enter("s", &a, 1), -1);
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
	tcase_add_test(tc, long_names_count_apart);
	tcase_add_test(tc, full_table_serves_uncounted);
	tcase_add_test(tc, table_descriptor);
	tcase_add_test(tc, table_on_descriptor_zero);
	tcase_add_test(tc, init_failures);
	tcase_add_test(tc, adopt_the_old_images_table);
	suite_add_tcase(s, tc);
	return check_run(s);
}
