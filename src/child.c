/*
 * The connection's side of a fork, and the whole of `replyd -i`.
 *
 * A forked child first undoes what it inherited from the master (signal
 * handlers and mask, listeners, the syslog socket), moves the connection
 * to fd 0 and 1, and then runs exactly what inetd mode runs: look at the
 * peer, drop privileges, arm the session timer, call the handler.  Every
 * path of a forked child ends in _exit(): it must never fall back into
 * the master's loop.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
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
#include "log.h"
#include "proxy.h"
#include "udp.h"

/*
 * The master handles signals through a signalfd, with them blocked, and
 * ignores SIGPIPE: undo both, so that handlers (and exec'd programs)
 * start with what they expect.
 */
static void
reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Who is on the other end of fd 0; "stdin" when it is not a socket. */
static void
conn_init(struct conn *c, const struct service *svc)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(c, 0, sizeof(*c));
	c->svc = svc;
	if (getpeername(0, (struct sockaddr *)&ss, &len) == 0 &&
	    addr_text((struct sockaddr *)&ss, &c->remote) == 0) {
		len = sizeof(ss);
		if (getsockname(0, (struct sockaddr *)&ss, &len) == 0 &&
		    addr_text((struct sockaddr *)&ss, &c->local) == 0)
			c->is_socket = 1;
		addr_join(&c->remote, c->peer, sizeof(c->peer));
	} else {
		strcpy(c->peer, "stdin");
	}
}

/*
 * Started as root: enter exec.chroot if there is one, then become the
 * service's user, supplementary groups cleared, before any handler code.
 * Then no handler can gain privileges again (setuid bits, file
 * capabilities) unless exec.no_new_privs = false says it must.
 */
static int
set_privileges(const struct service *svc)
{
	if (geteuid() == 0 && svc->exec.chroot != NULL &&
	    (chroot(svc->exec.chroot) < 0 || chdir("/") < 0))
		return -1;
	if (geteuid() == 0 && svc->user != NULL && svc->uid != 0 &&
	    (setgroups(0, NULL) < 0 || setgid(svc->gid) < 0 ||
	    setuid(svc->uid) < 0))
		return -1;
	if (svc->exec.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return 0;
}

static int
drop_privileges(const struct service *svc)
{
	if (set_privileges(svc) == 0)
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
int
child_serve_conn(struct conn *c)
{
	const struct service *svc = c->svc;

	if (drop_privileges(svc) < 0)
		return EX_OSERR;
	if (svc->proxy_protocol && c->is_socket && proxy_step(c) < 0)
		return EX_NOPERM;
	if (c->via[0] != '\0')
		log_msg(LOG_INFO, "%s: connect from %s via %s", svc->name,
		    c->peer, c->via);
	else
		log_msg(LOG_INFO, "%s: connect from %s", svc->name, c->peer);
	return svc->handler->serve(c);
}

int
child_serve(const struct service *svc)
{
	struct conn c;

	conn_init(&c, svc);
	return child_serve_conn(&c);
}

/*
 * After fork in the master: in and out are the connection (TCP, the same
 * fd) or the handler's ends of the datagram relay (UDP, with udp the
 * peer already known).
 */
void
child_forked(const struct service *svc, int in, int out, struct conn *udp)
{
	/*
	 * A process group of its own: the master's timeouts reach whatever
	 * an exec'd program starts, and a ^C on the master's terminal
	 * reaches only the master, which then lets children finish.
	 */
	setpgid(0, 0);
	reset_signals();
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0)
		_exit(EX_OSERR);
	/*
	 * Close everything else the master holds: listeners, the syslog
	 * socket (reopened on the next line logged), anything inherited.
	 */
	closelog();
	close_range(3, ~0U, 0);
	_exit(udp != NULL ? child_serve_conn(udp) : child_serve(svc));
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
	const struct service	*svc;
	int			 fd;
};

static char spawn_stack[64 * 1024] __attribute__((aligned(16)));

static int
spawned(void *arg)
{
	const struct spawn_args *a = arg;
	struct conn c;

	setpgid(0, 0);
	reset_signals();
	/* The fd is close-on-exec here: execve leaves only 0 and 1. */
	if (dup2(a->fd, 0) < 0 || dup2(a->fd, 1) < 0)
		_exit(EX_OSERR);
	conn_init(&c, a->svc);
	if (set_privileges(a->svc) < 0)
		_exit(EX_OSERR);
	exec_run(&c);
	_exit(127);
}

pid_t
child_spawn(const struct service *svc, int fd)
{
	struct spawn_args a = { svc, fd };
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
