/*
 * How a child starts.  One decision from the service (spawn_how: a few
 * flag tests), one function every caller uses (spawn_conn), in the
 * manner of skalibs' cspawn(): a vfork-style start where the child only
 * sets itself up and execs, fork() everywhere else.
 *
 * fork() is libc's, with its bookkeeping intact (atfork handlers, the
 * malloc and stdio locks, the cached thread id), so a child may use all
 * of libc even if a module's constructor started a thread in the master.
 *
 * An exec handler on a plain TCP connection needs none of the master's
 * memory: it starts as posix_spawn() starts, with glibc's clone() and
 * CLONE_VM | CLONE_VFORK.  The child borrows the master's memory for the
 * microseconds until execve, and the master's page tables are never
 * copied: bench/run's exec row (BENCHMARKS.md) measures what that buys
 * over fork() against posix_spawn and tcpserver.  posix_spawn() itself
 * cannot drop to another user or enter a chroot, hence our own.  What
 * that child runs must be safe in shared memory with other threads
 * running: system calls on its own stack, nothing that locks or
 * allocates (exec_child, child_setup_exec).
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#endif

#include "child/child.h"
#include "child/spawn.h"
#include "handlers/handler.h"
#include "lib/cov.h"

enum spawn_how
spawn_how(const struct service *svc)
{
	/*
	 * The exec start cannot read a PROXY header (it runs no handler
	 * code) and a UDP exchange needs the relay set up by a handler
	 * child; those fork.  A wait service's program gets the socket
	 * itself, UDP or not, and never a PROXY header.
	 */
	if ((svc->handler->flags & HANDLER_EXECS) && (svc->wait ||
	    (svc->proto == PROTO_TCP && !svc->proxy_protocol)))
		return SPAWN_EXEC;
	return SPAWN_FORK;
}

struct exec_args {
	const struct conn	*c;
	const struct spawn_fds	*f;
};

/*
 * The exec start's child: it shares the master's memory until execve,
 * and runs on a stack of its own that the master does not use
 * meanwhile (CLONE_VFORK suspends the calling thread).
 */
static int
exec_child(void *arg)
{
	const struct exec_args *a = arg;

	if (child_setup_exec(a->c, a->f->in, a->f->err) == 0) {
		exec_run(a->c);
		exec_failed(a->c, errno);
	}
	_exit(127);
}

static pid_t
spawn_exec(const struct conn *c, const struct spawn_fds *f)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	struct exec_args a = { c, f };
	sigset_t all, old;
	pid_t pid;

	/*
	 * No signal handler of the master may run in the child while it
	 * borrows the master's memory: the child starts with everything
	 * blocked, and sets its own mask before execve.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = clone(exec_child, stack + sizeof(stack),
	    CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	/*
	 * Coverage builds: GCC puts a gcov dump before every execve, which
	 * the child ran in our memory, so our counters are written and
	 * marked so, and this process would write none at its exit.  Write
	 * them if the child did not (it failed before execve), then count
	 * afresh, as GCC does around fork().
	 */
	cov_dump();
	cov_reset();
#ifdef __SANITIZE_ADDRESS__
	/* The child left its frames marked in the shared shadow memory. */
	__asan_unpoison_memory_region(stack, sizeof(stack));
#endif
	return pid;
}

/*
 * A child for the client described by c, on the descriptors f.  The
 * caller keeps and closes its own copies.  Returns the child's pid, or
 * -1 with errno set.
 */
pid_t
spawn_conn(const struct conn *c, enum spawn_how how,
    const struct spawn_fds *f)
{
	pid_t pid;

	if (how == SPAWN_EXEC && f->in == f->out)
		return spawn_exec(c, f);
	if ((pid = fork()) == 0) {
		struct conn mine = *c;

		child_forked(&mine, f);
	}
	return pid;
}
