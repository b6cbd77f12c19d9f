/*
 * System calls on a new child's path, made without libc's wrappers.
 *
 * A new child's first call into each 64 KiB of libc's code costs it a
 * page fault (tens of microseconds on a virtual machine: BENCHMARKS.md),
 * and libc's wrappers for what a child needs (poll, read, write, dup3,
 * setuid, exit...) lie spread over several of them.  On x86-64 these
 * are the bare instruction, inlined into the caller, so a child runs no
 * libc code at all (not on x32).  Elsewhere, and in sanitizer builds,
 * they go through libc: the calls that fill memory through libc's own
 * wrappers, which the sanitizers intercept.
 *
 * Each returns what the kernel returns: a result >= 0, or -errno.  They
 * never write errno either: it lives in a page the child would have to
 * copy.
 */
#ifndef REPLYD_SYS_H
#define REPLYD_SYS_H

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "hot.h"

#define SYS_INLINE	static inline __attribute__((always_inline))

#if defined(__x86_64__) && defined(__LP64__) && !HOT_SANITIZED
#define SYS_RAW	1
#else
#define SYS_RAW	0
#endif

#if SYS_RAW

SYS_INLINE long
sys_call(long n, long a, long b, long c, long d, long e)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	long r;

	__asm__ volatile ("syscall"
	    : "=a" (r)
	    : "0" (n), "D" (a), "S" (b), "d" (c), "r" (r10), "r" (r8)
	    : "rcx", "r11", "memory");
	return r;
}

#else

/* A libc call's -1 and errno as the kernel's -errno. */
SYS_INLINE long
sys_result_raw(long r)
{
	return r == -1 ? -errno : r;
}

SYS_INLINE long
sys_call(long n, long a, long b, long c, long d, long e)
{
	return sys_result_raw(syscall(n, a, b, c, d, e));
}

#endif

/* A result r as the rest of the code wants it: -1 with errno set. */
SYS_INLINE long
sys_result(long r)
{
	if (r >= 0)
		return r;
	errno = (int)-r;
	return -1;
}

#if SYS_RAW

SYS_INLINE ssize_t
sys_read(int fd, void *buf, size_t n)
{
	return sys_call(SYS_read, fd, (long)buf, (long)n, 0, 0);
}

SYS_INLINE ssize_t
sys_write(int fd, const void *buf, size_t n)
{
	return sys_call(SYS_write, fd, (long)buf, (long)n, 0, 0);
}

SYS_INLINE ssize_t
sys_recv(int fd, void *buf, size_t n, int flags)
{
	return sys_call(SYS_recvfrom, fd, (long)buf, (long)n, flags, 0);
}

#else

SYS_INLINE ssize_t
sys_read(int fd, void *buf, size_t n)
{
	return sys_result_raw(read(fd, buf, n));
}

SYS_INLINE ssize_t
sys_write(int fd, const void *buf, size_t n)
{
	return sys_result_raw(write(fd, buf, n));
}

SYS_INLINE ssize_t
sys_recv(int fd, void *buf, size_t n, int flags)
{
	return sys_result_raw(recv(fd, buf, n, flags));
}

#endif

SYS_INLINE int
sys_shutdown(int fd, int how)
{
	return (int)sys_call(SYS_shutdown, fd, how, 0, 0, 0);
}

/* poll(2) is no system call of its own on newer ports: libc's poll(). */
SYS_INLINE int
sys_poll(struct pollfd *p, nfds_t n, int timeout_ms)
{
#if SYS_RAW && defined(SYS_poll)
	return (int)sys_call(SYS_poll, (long)p, (long)n, timeout_ms, 0, 0);
#else
	return (int)sys_result_raw(poll(p, n, timeout_ms));
#endif
}

/* dup2(from, to) for from != to. */
SYS_INLINE int
sys_dup3(int from, int to)
{
	return (int)sys_call(SYS_dup3, from, to, 0, 0, 0);
}

SYS_INLINE int
sys_close_from(int fd)
{
	return (int)sys_call(SYS_close_range, fd, ~0U, 0, 0, 0);
}

/*
 * Every signal unblocked: what handlers and exec'd programs expect.  The
 * kernel's signal set is 64 bits (glibc's sigset_t is 1024): 8 bytes of
 * stack rather than 128.
 */
SYS_INLINE int
sys_unblock_signals(void)
{
	unsigned long long none[(_NSIG - 1) / 64] = { 0 };

	return (int)sys_call(SYS_rt_sigprocmask, SIG_SETMASK, (long)none, 0,
	    (long)sizeof(none), 0);
}

SYS_INLINE int
sys_setpgid(pid_t pid, pid_t pgid)
{
	return (int)sys_call(SYS_setpgid, pid, pgid, 0, 0, 0);
}

/* glibc's getpid() is the bare call, but in another page of libc. */
SYS_INLINE pid_t
sys_getpid(void)
{
	return (pid_t)sys_call(SYS_getpid, 0, 0, 0, 0, 0);
}

SYS_INLINE int
sys_prctl(int option, unsigned long arg)
{
	return (int)sys_call(SYS_prctl, option, (long)arg, 0, 0, 0);
}

/*
 * setgroups(0, NULL), setgid(), setuid(): in a process of one thread
 * these are the bare system calls (glibc adds only the broadcast to
 * other threads).  32-bit x86 and ARM have 16-bit ids in the old calls
 * and 32-bit ones in the *32 calls.
 */
#ifdef SYS_setuid32
#define SYS_SETGROUPS	SYS_setgroups32
#define SYS_SETGID	SYS_setgid32
#define SYS_SETUID	SYS_setuid32
#else
#define SYS_SETGROUPS	SYS_setgroups
#define SYS_SETGID	SYS_setgid
#define SYS_SETUID	SYS_setuid
#endif

SYS_INLINE int
sys_become(uid_t uid, gid_t gid)
{
	long r;

	if ((r = sys_call(SYS_SETGROUPS, 0, 0, 0, 0, 0)) < 0 ||
	    (r = sys_call(SYS_SETGID, (long)gid, 0, 0, 0, 0)) < 0 ||
	    (r = sys_call(SYS_SETUID, (long)uid, 0, 0, 0, 0)) < 0)
		return (int)r;
	return 0;
}

/* _exit(). */
SYS_INLINE __attribute__((noreturn)) void
sys_exit(int status)
{
	for (;;)
		(void)sys_call(SYS_exit_group, status, 0, 0, 0, 0);
}

/*
 * clone(fn, stack, SIGCHLD, arg): a copy of the process that runs
 * fn(arg) on the stack given; fn must not return.  glibc's clone() is
 * the same few instructions, in a page of libc's own that every child
 * would then fault in.
 */
#if SYS_RAW

SYS_INLINE pid_t
sys_clone_on(void *stack, int (*fn)(void *), void *arg)
{
	register long r10 __asm__("r10") = 0;
	register long r8 __asm__("r8") = 0;
	long r;

	/* The child has only its new stack: no frame to return into. */
	__asm__ volatile (
	    "syscall\n\t"
	    "testq %%rax, %%rax\n\t"
	    "jnz 1f\n\t"
	    "movq %[arg], %%rdi\n\t"
	    "callq *%[fn]\n\t"
	    "ud2\n"
	    "1:"
	    : "=a" (r)
	    : "0" ((long)SYS_clone), "D" ((long)SIGCHLD), "S" (stack),
	      "d" (0L), "r" (r10), "r" (r8), [fn] "r" (fn), [arg] "r" (arg)
	    : "rcx", "r11", "cc", "memory");
	return (pid_t)r;
}

#else

SYS_INLINE pid_t
sys_clone_on(void *stack, int (*fn)(void *), void *arg)
{
	pid_t pid = clone(fn, stack, SIGCHLD, arg);

	return pid < 0 ? -errno : pid;
}

#endif

#endif
