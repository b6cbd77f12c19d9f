/*
 * Memory kept out of children: MADV_DONTFORK pages and the master's own
 * stack (hot_stack), with the environment moved off that stack first.
 * And the program's code, which goes into children with its page tables
 * once hot_text has copied it out of the file, while the shared code
 * the process mapped is let go (hot_drop_code).
 * A fork()ed child that touches what was kept out does not get to run:
 * it dies of SIGSEGV (or, in AddressSanitizer builds, exits from ASan's
 * SEGV handler, which runs on a stack of its own).
 */
#define _GNU_SOURCE	/* environ */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hot.h"
#include "check_run.h"

/* How a fork()ed child that runs fn ended: exit status, or -signal. */
static int
child_end(void (*fn)(void))
{
	pid_t pid;
	int st;

	if ((pid = fork()) == 0) {
		fn();
		_exit(0);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFSIGNALED(st) ? -WTERMSIG(st) : WEXITSTATUS(st);
}

static void
just_exit(void)
{
	_exit(7);
}

/* The [stack] mapping of this process. */
static void
stack_range(unsigned long *lo, unsigned long *hi)
{
	char line[256];
	FILE *f = fopen("/proc/self/maps", "r");

	ck_assert_ptr_nonnull(f);
	*lo = *hi = 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, " [stack]") != NULL)
			ck_assert_int_eq(sscanf(line, "%lx-%lx", lo, hi), 2);
	fclose(f);
	ck_assert_uint_ne(*hi, 0);
}

static int
on_stack(const void *p)
{
	unsigned long lo, hi;

	stack_range(&lo, &hi);
	return (unsigned long)p >= lo && (unsigned long)p < hi;
}

START_TEST(stack_kept_out_and_let_in)
{
	ck_assert_int_eq(child_end(just_exit), 7);
	ck_assert_int_eq(hot_stack(1), 0);
	/* Even returning from fork() needs the stack the child lacks. */
	ck_assert_int_ne(child_end(just_exit), 7);
	ck_assert_int_eq(hot_stack(0), 0);
	ck_assert_int_eq(child_end(just_exit), 7);
}
END_TEST

START_TEST(environment_moved_off_the_stack)
{
	char **e;

	ck_assert_int_eq(setenv("REPLYD_HOT_TEST", "yes", 1), 0);
	/* The kernel put the inherited variables at the top of the stack. */
	ck_assert_ptr_nonnull(getenv("PATH"));
	ck_assert(on_stack(getenv("PATH")));
	ck_assert_int_eq(hot_stack(1), 0);
	ck_assert(!on_stack(environ));
	for (e = environ; *e != NULL; e++)
		ck_assert_msg(!on_stack(*e), "%s is still on the stack", *e);
	ck_assert_str_eq(getenv("REPLYD_HOT_TEST"), "yes");
	ck_assert(!on_stack(getenv("PATH")));
	ck_assert_int_eq(hot_stack(0), 0);
}
END_TEST

static volatile char *hot_page;

static void
read_hot_page(void)
{
	_exit(hot_page[0] == 1 ? 3 : 4);
}

START_TEST(hot_pages_are_not_inherited)
{
	char *p = hot_realloc(NULL, 0, 4096);

	ck_assert_ptr_nonnull(p);
	p[0] = 1;
	hot_page = p;
	ck_assert_int_lt(child_end(read_hot_page), 3);
	/* Growing keeps the contents and the mark. */
	p = hot_realloc(p, 4096, 8192);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p[0], 1);
	hot_page = p;
	ck_assert_int_lt(child_end(read_hot_page), 3);
	hot_free(p, 8192);
}
END_TEST

/* The mapping that holds p: its range, and whether a file backs it. */
static int
file_backed(const void *p, unsigned long *lo, unsigned long *hi)
{
	char line[512];
	unsigned long a, b, inode = 0;
	int found = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	ck_assert_ptr_nonnull(f);
	while (!found && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%lx-%lx %*s %*s %*s %lu", &a, &b, &inode) == 3 &&
		    (unsigned long)p >= a && (unsigned long)p < b) {
			*lo = a;
			*hi = b;
			found = 1;
		}
	fclose(f);
	ck_assert(found);
	return inode != 0;
}

static unsigned long code_lo, code_hi;

static long
minor_faults(void)
{
	struct rusage ru;

	ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_minflt;
}

/*
 * Reads every page of the program's code, then exits with the page
 * faults it took since the fork: those of the code and of the rest
 * (the stack, libc), which are the same each time.
 */
static void
read_code(void)
{
	unsigned long a;

	for (a = code_lo; a < code_hi; a += (unsigned long)getpagesize())
		(void)*(volatile unsigned char *)a;
	_exit((int)minor_faults());
}

static int
answer(int x)
{
	return x * 6;
}

START_TEST(code_goes_to_children_with_its_page_tables)
{
	int (*volatile fn)(int) = answer;
	unsigned char before[64];
	unsigned long lo, hi;
	int from_file, n;

	ck_assert(file_backed((const void *)answer, &code_lo, &code_hi));
	memcpy(before, (const void *)answer, sizeof(before));
	/* From the file, a child faults the code's pages in again. */
	from_file = child_end(read_code);
	ck_assert_int_gt(from_file, 0);
	if (HOT_SANITIZED) {
		/* Declined: the code stays the file's, and runs. */
		ck_assert_int_eq(hot_text(), -1);
		ck_assert(file_backed((const void *)answer, &lo, &hi));
		ck_assert_int_eq(fn(7), 42);
		return;
	}
	ck_assert_int_eq(hot_text(), 0);
	ck_assert(!file_backed((const void *)answer, &lo, &hi));
	ck_assert_uint_le(lo, code_lo);
	ck_assert_uint_ge(hi, code_hi);
	ck_assert_int_eq(memcmp(before, (const void *)answer, sizeof(before)), 0);
	ck_assert_int_eq(fn(7), 42);
	n = child_end(read_code);
	ck_assert_int_ge(n, 0);
	ck_assert_int_lt(n, from_file);
	/* Once is enough. */
	ck_assert_int_eq(hot_text(), 0);
}
END_TEST

/*
 * What systemd's MemoryDenyWriteExecute= does: a seccomp filter that
 * fails every mprotect() asking for PROT_EXEC.  Then hot_text() must
 * say so, leave the code mapped from the file, and the code must run.
 */
static void
copy_refused(void)
{
	/* The low word of the argument, wherever the byte order puts it. */
	const unsigned prot = offsetof(struct seccomp_data, args[2]) +
	    (BYTE_ORDER == BIG_ENDIAN ? 4 : 0);
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mprotect, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, prot),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	int (*volatile fn)(int) = answer;
	unsigned long lo, hi;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		_exit(10);
	if (hot_text() != -1)
		_exit(11);
	if (!file_backed((const void *)answer, &lo, &hi))
		_exit(12);
	_exit(fn(7) == 42 ? 0 : 13);
}

START_TEST(code_stays_when_it_may_not_be_copied)
{
	ck_assert_int_eq(child_end(copy_refused), 0);
}
END_TEST

/* This process's executable mappings of files (shared code). */
static struct { unsigned long lo, hi; } code[64];
static size_t ncode;

static void
find_file_code(void)
{
	char line[512], perms[8];
	unsigned long lo, hi, inode;
	FILE *f = fopen("/proc/self/maps", "r");

	ck_assert_ptr_nonnull(f);
	ncode = 0;
	while (fgets(line, sizeof(line), f) != NULL && ncode < 64)
		if (sscanf(line, "%lx-%lx %7s %*s %*s %lu", &lo, &hi, perms,
		    &inode) == 4 && inode != 0 && strcmp(perms, "r-xp") == 0) {
			code[ncode].lo = lo;
			code[ncode++].hi = hi;
		}
	fclose(f);
	ck_assert_uint_gt(ncode, 0);
}

/*
 * How many of their pages this process's page tables map: bit 63 of
 * each page's /proc/self/pagemap entry, or -1.  Only open, pread and
 * close, and no ck_assert (it logs): other code of libc's or Check's
 * would be mapped back while this counts.
 */
static long
mapped_code_pages(void)
{
	const unsigned long page = (unsigned long)getpagesize();
	unsigned long long e[64];
	unsigned long a;
	long n = 0;
	size_t i, j, k;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return -1;
	for (i = 0; i < ncode; i++)
		for (a = code[i].lo; a < code[i].hi; a += k * page) {
			k = (code[i].hi - a) / page < 64 ?
			    (code[i].hi - a) / page : 64;
			if (pread(fd, e, k * 8, (off_t)(a / page * 8)) !=
			    (ssize_t)(k * 8))
				n = -1;
			for (j = 0; j < k && n >= 0; j++)
				n += (e[j] >> 63) & 1;
		}
	close(fd);
	return n;
}

START_TEST(shared_code_is_let_go)
{
	int (*volatile fn)(int) = answer;
	long before, after;
	int rc;

	ck_assert_int_eq(hot_text(), HOT_SANITIZED ? -1 : 0);
	find_file_code();
	before = mapped_code_pages();
	rc = hot_drop_code();
	after = mapped_code_pages();
	ck_assert_int_eq(rc, 0);
	ck_assert_int_gt(before, 0);
	/* Counting maps back a window or two of libc: not the rest. */
	ck_assert_int_ge(after, 0);
	ck_assert_int_lt(after, before / 2);
	/* The program's copied code is not dropped: that would zero it. */
	ck_assert_int_eq(fn(7), 42);
	ck_assert_int_eq(child_end(just_exit), 7);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("hot");
	TCase *tc = tcase_create("hot");

	tcase_add_test(tc, stack_kept_out_and_let_in);
	tcase_add_test(tc, environment_moved_off_the_stack);
	tcase_add_test(tc, hot_pages_are_not_inherited);
	tcase_add_test(tc, code_goes_to_children_with_its_page_tables);
	tcase_add_test(tc, code_stays_when_it_may_not_be_copied);
	tcase_add_test(tc, shared_code_is_let_go);
	suite_add_tcase(s, tc);
	return check_run(s);
}
