/*
 * The connection's side of a fork, and the whole of `replyd -i`.
 *
 * The master describes the client before it forks.  A forked child first
 * undoes what it inherited from the master (the signal mask, listeners,
 * the syslog socket), moves the connection to fd 0 and 1, and then runs
 * exactly what inetd mode runs: drop privileges, call the handler.
 * Every path of a forked child ends in an exit: it must never fall back
 * into the master's loop.  On these machines a child's cost is its page
 * faults and page tables, so this file minds which pages a child
 * touches (BENCHMARKS.md).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#endif

#include "child.h"
#include "handler.h"
#include "hot.h"
#include "log.h"
#include "proxy.h"
#include "sys.h"
#include "udp.h"

/*
 * The master reads its signals from a signalfd with them blocked (and
 * SIGPIPE blocked too): unblock them all, so that handlers and exec'd
 * programs start with what they expect.  Nothing is ignored or caught,
 * so no disposition needs resetting.  A process group of its own: see
 * child_forked().
 */
HOT_PATH static void
child_reset(void)
{
	(void)sys_setpgid(0, 0);
	(void)sys_unblock_signals();
}

/* dup2(from, to), or nothing when from is to. */
HOT_PATH static int
move_fd(int from, int to)
{
	if (from == to)
		return 0;
	return sys_dup3(from, to) < 0 ? -1 : 0;
}

/*
 * Describe the connection on socket fd: the peer as accept() or
 * recvfrom() gave it (NULL: ask the socket), the local end from the
 * socket.  The master does this before it forks, so that a child does
 * not spend its first page faults on address formatting.  Returns -1,
 * with c naming "stdin", when fd is no socket (a pipe or a tty under -i).
 */
int
child_describe(struct conn *c, const struct service *svc, int fd,
    const struct sockaddr *peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(c, 0, sizeof(*c));
	c->svc = svc;
	if (peer == NULL) {
		if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
			goto notsock;
		peer = (struct sockaddr *)&ss;
	}
	if (addr_text(peer, &c->remote) < 0)
		goto notsock;
	addr_join(&c->remote, c->peer, sizeof(c->peer));
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    addr_text((struct sockaddr *)&ss, &c->local) == 0)
		c->is_socket = 1;
	return 0;
notsock:
	strcpy(c->peer, "stdin");
	return -1;
}

/*
 * Started as root: enter exec.chroot if there is one, then become the
 * service's user, supplementary groups cleared, before any handler code.
 * Then no handler can gain privileges again (setuid bits, file
 * capabilities) unless exec.no_new_privs = false says it must.
 */
HOT_PATH static int
set_privileges(const struct conn *c)
{
	const struct service *svc = c->svc;

	if (svc->as_root && svc->exec.chroot != NULL &&
	    (chroot(svc->exec.chroot) < 0 || chdir("/") < 0))
		return -1;
	if (svc->as_root && svc->user != NULL && svc->uid != 0 &&
	    sys_result(sys_become(svc->uid, svc->gid)) < 0)
		return -1;
	if (svc->exec.no_new_privs &&
	    sys_result(sys_prctl(PR_SET_NO_NEW_PRIVS, 1)) < 0)
		return -1;
	return 0;
}

static int
drop_privileges(const struct conn *c)
{
	const struct service *svc = c->svc;

	if (set_privileges(c) == 0)
		return 0;
	log_msg(LOG_ERR, "%s: cannot drop privileges to %s%s%s: %s",
	    svc->name, svc->user ? svc->user : "(current user)",
	    svc->exec.chroot ? " in " : "",
	    svc->exec.chroot ? svc->exec.chroot : "", strerror(errno));
	return -1;
}

/*
 * proxy_protocol: a trusted balancer's header names the real client,
 * who then replaces the balancer as the peer (logs, UCSPI variables,
 * allow/deny).  From anyone else a header is refused if it arrives
 * within PROXY_PEEK_MS of the connection; other data is an ordinary
 * request.
 */
#define PROXY_PEEK_MS 100

static int
proxy_step(struct conn *c)
{
	const struct service *svc = c->svc;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	unsigned char head[12];
	struct proxy_info pi;
	ssize_t n;

	if (getpeername(0, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (!acl_match(&svc->proxy_from, (struct sockaddr *)&ss)) {
		/* A header comes at once; wait a moment for it, no more. */
		struct pollfd p = { .fd = 0, .events = POLLIN };

		poll(&p, 1, PROXY_PEEK_MS);
		n = recv(0, head, sizeof(head), MSG_PEEK | MSG_DONTWAIT);
		if (n > 0 && proxy_looks_like(head, n)) {
			log_msg(LOG_NOTICE, "%s: refused %s: PROXY header from "
			    "an untrusted source", svc->name, c->peer);
			return -1;
		}
		return 0;
	}
	if (proxy_read(0, svc->timeout, &pi) < 0) {
		log_msg(LOG_NOTICE, "%s: refused %s: %s", svc->name, c->peer,
		    errno == EPROTO ? "malformed or oversized PROXY header" :
		    errno == ETIMEDOUT ? "no PROXY header before timeout" :
		    strerror(errno));
		return -1;
	}
	if (pi.local)
		return 0;
	strcpy(c->via, c->peer);
	if (addr_text((struct sockaddr *)&pi.src, &c->remote) < 0 ||
	    addr_text((struct sockaddr *)&pi.dst, &c->local) < 0)
		return -1;
	addr_join(&c->remote, c->peer, sizeof(c->peer));
	if (acl_match(&svc->deny, (struct sockaddr *)&pi.src) ||
	    (svc->allow.n > 0 &&
	    !acl_match(&svc->allow, (struct sockaddr *)&pi.src))) {
		log_msg(LOG_NOTICE, "%s: refused %s via %s: access denied",
		    svc->name, c->peer, c->via);
		return -1;
	}
	return 0;
}

/* Serve one client, its connection on fd 0 and 1, described by c. */
HOT_PATH int
child_serve_conn(struct conn *c)
{
	const struct service *svc = c->svc;

	if (drop_privileges(c) < 0)
		return EX_OSERR;
	if (svc->proxy_protocol && c->is_socket && proxy_step(c) < 0)
		return EX_NOPERM;
	if (c->via[0] != '\0')
		log_msg(LOG_INFO, "%s: connect from %s via %s", svc->name,
		    c->peer, c->via);
	else if (!c->announced)
		log_msg(LOG_INFO, "%s: connect from %s", svc->name, c->peer);
	return svc->handler->serve(c);
}

int
child_serve(const struct service *svc)
{
	struct conn c;

	child_describe(&c, svc, 0, NULL);
	return child_serve_conn(&c);
}

/*
 * How a child starts.  fork() takes and resets glibc's locks (malloc,
 * stdio, the dynamic loader), runs pthread_atfork handlers and stores
 * the new thread id: writes to half a dozen pages that parent and child
 * then each pay a copy-on-write fault for.  The master has one thread
 * and holds no lock when it forks, so a child of a built-in handler
 * starts with a bare clone (sys_clone_on), like posix_spawn() but
 * without CLONE_VM: a copy of the address space, none of the
 * bookkeeping.  glibc's cached thread id stays the master's in the
 * child; glibc asks the kernel where that matters (raise).  From there
 * to its exit a reply child runs only replyd's code, whose page tables
 * it inherits (hot_text), and writes one page of stack: one page fault.
 *
 * Such a child also runs on a stack of its own: CHILD_STACK bytes of
 * .bss above a guard page, which the master never touches but for the
 * page with the child's arguments at the top.  So the master can keep
 * its own stack out of its children (hot_stack()): a child then has
 * page tables to build for one region less, and the master no frames to
 * copy on write.  A reply child's stack fits in one page, which is one
 * page fault (bench/faults).
 *
 * Code we did not write (modules) gets a real fork(), atfork handlers
 * and all, on the master's stack, which is then left in the children;
 * so do all children in sanitizer builds (CHILD_OWN_STACK).
 */
#define CHILD_STACK	(64 * 1024)
#define CHILD_GUARD_MAX	(64 * 1024)	/* the largest page size we know */

struct start_args {
	struct conn	c;
	int		in, out;
};

static char child_mem[CHILD_GUARD_MAX + CHILD_STACK]
    __attribute__((aligned(CHILD_GUARD_MAX)));
/* A child's arguments: at the top of its stack's memory. */
#define CHILD_ARGS \
	((struct start_args *)(child_mem + sizeof(child_mem)) - 1)

HOT_PATH static int
started(void *arg)
{
	struct start_args *a = arg;

	child_forked(&a->c, a->in, a->out);
}

/*
 * Where a child's stack starts, found once: below the arguments' page,
 * which the child then only reads (it shares that page with the master
 * and copies none of it), if that leaves the stack at least half of its
 * room; with pages as large as the stack, just below the arguments.  0:
 * no stack of its own (a page larger than the guard, or no guard).
 */
static uintptr_t
stack_top(void)
{
	static uintptr_t top;
	static int found;
	uintptr_t page, args = (uintptr_t)CHILD_ARGS;

	if (found)
		return top;
	found = 1;
	page = (uintptr_t)getpagesize();
	if (page <= CHILD_GUARD_MAX &&
	    mprotect(child_mem, page, PROT_NONE) == 0) {
		top = args & ~(page - 1);
		if (top - (uintptr_t)child_mem < CHILD_GUARD_MAX + CHILD_STACK / 2)
			top = args & ~(uintptr_t)15;
	}
	return top;
}

HOT_PATH pid_t
child_start(const struct conn *c, int in, int out)
{
	struct start_args *a = CHILD_ARGS;
	uintptr_t top;
	pid_t pid;

	if (c->svc->handler->foreign || !CHILD_OWN_STACK ||
	    (top = stack_top()) == 0) {
		if ((pid = fork()) == 0) {
			struct conn mine = *c;

			child_forked(&mine, in, out);
		}
		return pid;
	}
	a->c = *c;
	a->in = in;
	a->out = out;
	return (pid_t)sys_result(sys_clone_on((void *)top, started, a));
}

/*
 * After fork in the master: in and out are the connection (TCP, the same
 * fd) or the handler's ends of the datagram relay (UDP), and c describes
 * the client.
 */
HOT_PATH void
child_forked(struct conn *c, int in, int out)
{
	/*
	 * A process group of its own: the master's timeouts reach whatever
	 * an exec'd program starts, and a ^C on the master's terminal
	 * reaches only the master, which then lets children finish.
	 */
	child_reset();
	if (move_fd(in, 0) < 0 || move_fd(out, 1) < 0)
		sys_exit(EX_OSERR);
	/*
	 * Close everything else the master holds: listeners, the syslog
	 * socket (reopened on the next line logged), anything inherited.
	 */
	log_forked();
	(void)sys_close_from(3);
	sys_exit(child_serve_conn(c));
}

/*
 * exec handlers over TCP start like posix_spawn(): the child shares the
 * master's memory until it calls execve, and the master waits (for
 * microseconds, CLONE_VFORK) instead of copying its page tables.  So
 * what runs before execve must be quick and touch nothing of the
 * master's: system calls and its own stack only.  No logging (syslog
 * keeps state in memory), no reading from the client (PROXY headers:
 * such services fork); the master logs the connection, and a failure
 * shows as the exit status: EX_OSERR for privileges, 127 for execve.
 */
struct spawn_args {
	const struct conn	*c;
	int			 fd;
};

static char spawn_stack[64 * 1024] __attribute__((aligned(16)));

static int
spawned(void *arg)
{
	const struct spawn_args *a = arg;

	child_reset();
	/* The fd is close-on-exec here: execve leaves only 0 and 1. */
	if (move_fd(a->fd, 0) < 0 || move_fd(a->fd, 1) < 0)
		_exit(EX_OSERR);
	if (set_privileges(a->c) < 0)
		_exit(EX_OSERR);
	exec_run(a->c);
	_exit(127);
}

pid_t
child_spawn(const struct conn *c, int fd)
{
	struct spawn_args a = { c, fd };
	sigset_t all, old;
	pid_t pid;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = clone(spawned, spawn_stack + sizeof(spawn_stack),
	    CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
	sigprocmask(SIG_SETMASK, &old, NULL);
#ifdef __SANITIZE_ADDRESS__
	/* The child left its frames marked in the shared shadow memory. */
	__asan_unpoison_memory_region(spawn_stack, sizeof(spawn_stack));
#endif
	return pid;
}

/*
 * inetd and xinetd put the connection on fd 2 as well.  Then stderr is
 * no log channel: the log goes to syslog, and fd 2 to /dev/null, so no
 * log line and no handler's complaint ever reaches the client.
 */
static void
keep_log_off_the_wire(void)
{
	struct stat a, b;
	int fd;

	if (fstat(0, &a) < 0 || fstat(2, &b) < 0 || !S_ISSOCK(a.st_mode) ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		return;
	log_use_syslog(1);
	if ((fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) >= 0) {
		dup2(fd, 2);
		close(fd);
	}
}

/*
 * inetd, xinetd or systemd (Accept=yes) accepted the connection and put
 * it on fd 0 and 1.  With several services, the one with the port and
 * protocol the connection came in on is served, else the first.
 */
int
child_inetd(const struct conf *c)
{
	const struct service *svc = &c->svc[0];
	struct sockaddr_storage ss;
	struct addr_text t;
	socklen_t len = sizeof(ss);
	size_t i;
	int type;

	len = sizeof(type);
	if (getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		type = SOCK_STREAM;
	len = sizeof(ss);
	if (getsockname(0, (struct sockaddr *)&ss, &len) == 0 &&
	    addr_text((struct sockaddr *)&ss, &t) == 0)
		for (i = 0; i < c->nsvc; i++)
			if (c->svc[i].port == strtol(t.port, NULL, 10) &&
			    (c->svc[i].proto == PROTO_UDP) ==
			    (type == SOCK_DGRAM)) {
				svc = &c->svc[i];
				break;
			}
	keep_log_off_the_wire();
	signal(SIGPIPE, SIG_DFL);
	if (type == SOCK_DGRAM)
		return udp_inetd(svc);
	/* No master watches the clock here: SIGALRM ends the session. */
	if (svc->session_timeout > 0)
		alarm(svc->session_timeout);
	return child_serve(svc);
}
