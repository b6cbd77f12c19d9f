/*
 * nons.so: a test shim, preloaded into replyd, that takes away what a
 * host without namespaces or Landlock lacks: with NONS_UNSHARE set,
 * unshare() fails with EPERM (as in a container, or with unprivileged
 * user namespaces off); with NONS_LANDLOCK set, Landlock is missing
 * (ENOSYS).  So t-sandbox-ns.sh can show the refusal and the fallback
 * on any host, as root or not.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int	unshare(int);
long	syscall(long, ...);

static int (*real_unshare)(int);
static long (*real_syscall)(long, ...);
static int no_unshare, no_landlock;

/* Looked up now: the exec start's child may not lock or allocate. */
__attribute__((constructor)) static void
nons_init(void)
{
	real_unshare = (int (*)(int))dlsym(RTLD_NEXT, "unshare");
	real_syscall = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	no_unshare = getenv("NONS_UNSHARE") != NULL;
	no_landlock = getenv("NONS_LANDLOCK") != NULL;
}

int
unshare(int flags)
{
	if (no_unshare) {
		errno = EPERM;
		return -1;
	}
	return real_unshare(flags);
}

/* Six arguments passed on, as many as a system call takes. */
long
syscall(long nr, ...)
{
	long a[6];
	va_list ap;
	int i;

	if (no_landlock && (nr == SYS_landlock_create_ruleset ||
	    nr == SYS_landlock_add_rule || nr == SYS_landlock_restrict_self)) {
		errno = ENOSYS;
		return -1;
	}
	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	return real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
