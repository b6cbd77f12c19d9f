/*
 * A child's side of a start (spawn.c), and what a connection goes
 * through before its handler, shared with `replyd -i`.
 *
 * A new child first undoes what it inherited from the master (the
 * signal mask, listeners, the syslog socket), moves the connection to
 * fd 0 and 1, and then runs exactly what inetd mode runs: drop
 * privileges, call the handler.  Every path of a child ends in
 * child_exit(): it must never fall back into the master's loop.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "child/child.h"
#include "child/confine.h"
#include "child/limits.h"
#include "child/sandbox.h"
#include "child/spawn.h"
#include "client/admit.h"
#include "client/proxy.h"
#include "conf/conf.h"
#include "handlers/handler.h"
#include "lib/cov.h"
#include "lib/fds.h"
#include "lib/log.h"
#include "state/per_source.h"

/*
 * The ids are set with the system calls themselves rather than libc's
 * setuid() family: in a process with threads, glibc's wrappers signal
 * every thread to change its ids too, and the exec start's child shares
 * the master's memory and threads' bookkeeping (spawn.c).  On 32-bit
 * x86 and ARM the calls taking 32-bit ids have their own numbers.
 */
#ifdef SYS_setresuid32
#define RD_SETGROUPS	SYS_setgroups32
#define RD_SETRESGID	SYS_setresgid32
#define RD_SETRESUID	SYS_setresuid32
#else
#define RD_SETGROUPS	SYS_setgroups
#define RD_SETRESGID	SYS_setresgid
#define RD_SETRESUID	SYS_setresuid
#endif

/* The end of every child: with coverage builds, their counts too. */
void
child_exit(int status)
{
	cov_exit(status);
}

/*
 * The master reads its signals from a signalfd with them blocked (and
 * SIGPIPE blocked too): unblock them all, so that handlers and exec'd
 * programs start with what they expect.  Nothing is ignored or caught,
 * so no disposition needs resetting.  A process group of its own, so
 * that the master's timeouts reach whatever an exec'd program starts,
 * and a ^C on the master's terminal reaches only the master, which then
 * lets children finish.
 */
static void
child_reset(void)
{
	sigset_t none;

	(void)setpgid(0, 0);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* dup2(from, to), or nothing when from is to. */
static int
move_fd(int from, int to)
{
	if (from == to)
		return 0;
	return dup2(from, to) < 0 ? -1 : 0;
}

/*
 * Started as root: enter exec.chroot if there is one, then take the
 * service's group (or the user's own) with no supplementary groups, then
 * its user: every combination ends with exactly the configured ids,
 * root's included.  Then no handler can gain privileges again (setuid
 * bits, file capabilities) unless exec.no_new_privs = false says so.
 */
/*
 * Exactly the service's gid, with no supplementary groups unless groups
 * = true gave the user's (listed at load time).  Each call is made only
 * when something changes: in a user namespace that maps only root,
 * setgroups() is refused even when there is nothing to drop.
 */
static int
set_group(const struct service *svc)
{
	gid_t r, e, s, gid = svc->gid;

	if ((svc->nsgroups > 0 || getgroups(0, NULL) != 0) &&
	    syscall(RD_SETGROUPS, svc->nsgroups, svc->sgroups) < 0)
		return -1;
	if (getresgid(&r, &e, &s) == 0 && r == gid && e == gid && s == gid)
		return 0;
	return syscall(RD_SETRESGID, gid, gid, gid) < 0 ? -1 : 0;
}

static int
set_user(uid_t uid)
{
	uid_t r, e, s;

	if (getresuid(&r, &e, &s) == 0 && r == uid && e == uid && s == uid)
		return 0;
	return syscall(RD_SETRESUID, uid, uid, uid) < 0 ? -1 : 0;
}

/* The file system's ruleset, then the seccomp filter: -2 and errno. */
static int
enter_sandbox(const struct service *svc, int report, enum confine_step *cf)
{
	if (report && svc->sandbox.filesystem != SB_FS_FULL)
		sandbox_leak_check();
	if ((*cf = confine_files(svc)) != CF_OK)
		return -1;
	return sandbox_enter(svc, report) < 0 ? -2 : 0;
}

/*
 * The namespaces and mounts of the sandbox come after chroot (a private
 * /tmp is the chroot's), while the child may still be root; the
 * sandbox's filter (sandbox.c) last, so that the drop itself needs no
 * room in it.  Without no_new_privs only privilege lets a filter or a
 * Landlock ruleset on, so then they go on before the user is dropped
 * to.  Returns 0, -1 (errno) when the ids could not be had, -2 when the
 * filter could not, -3 when the confinement *cf could not.
 */
static int
set_privileges(const struct service *svc, int report, enum confine_step *cf)
{
	int nnp = svc->exec.no_new_privs, rc;

	if (svc->as_root && svc->exec.chroot != NULL &&
	    (chroot(svc->exec.chroot) < 0 || chdir("/") < 0))
		return -1;
	if (child_limits(svc) < 0)
		return -1;
	if ((*cf = confine_enter(svc)) != CF_OK)
		return -3;
	if (svc->as_root && (svc->user != NULL || svc->group_set) &&
	    set_group(svc) < 0)
		return -1;
	if (!nnp && (rc = enter_sandbox(svc, report, cf)) < 0)
		return rc == -1 ? -3 : rc;
	if (svc->as_root && svc->user != NULL && set_user(svc->uid) < 0)
		return -1;
	if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	if (nnp && (rc = enter_sandbox(svc, report, cf)) < 0)
		return rc == -1 ? -3 : rc;
	return 0;
}

/*
 * Why set_privileges returned rc (with cf), errno err, in buf: one line,
 * no name.
 */
static void
privileges_error(const struct service *svc, int rc, enum confine_step cf,
    int err, char *buf, size_t size)
{
	const char *e = strerrordesc_np(err) ? strerrordesc_np(err) :
	    "unknown error";

	if (rc == -3)
		confine_why(svc, cf, e, buf, size);
	else if (rc == -2)
		snprintf(buf, size, "cannot enter the sandbox: %s%s", e,
		    svc->exec.no_new_privs ? "" : " (with exec.no_new_privs = "
		    "false only root can; or set sandbox.syscalls = \"none\")");
	else
		snprintf(buf, size, "cannot drop privileges to %s%s%s: %s",
		    svc->user ? svc->user : "(current user)",
		    svc->exec.chroot ? " in " : "",
		    svc->exec.chroot ? svc->exec.chroot : "", e);
}

static int
drop_privileges(const struct service *svc)
{
	enum confine_step cf = CF_OK;
	int rc = set_privileges(svc, 1, &cf);
	char why[512];

	if (rc == 0)
		return 0;
	privileges_error(svc, rc, cf, errno, why, sizeof(why));
	log_msg(LOG_ERR, "%s: %s", svc->name, why);
	return -1;
}

/*
 * A child that makes svc's confinement as its children will, ids,
 * filter and all, then ends: whether this host can give it, and if
 * not, the child's own line saying why.
 */
static int
probe(const struct service *svc)
{
	pid_t pid;
	int st;

	if ((pid = fork()) < 0) {
		log_msg(LOG_ERR, "%s: cannot try its sandbox: fork: %s",
		    svc->name, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		log_forked();
		cov_exit(drop_privileges(svc) < 0 ? 1 : 0);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int
child_probe_all(const struct conf *c)
{
	size_t i;
	int rc = 0;

	confine_prepare();
	for (i = 0; i < c->nsvc; i++)
		if (!c->svc[i].disable && confine_wanted(&c->svc[i]) &&
		    probe(&c->svc[i]) < 0)
			rc = -1;
	return rc;
}

/*
 * proxy_protocol: a trusted balancer's header names the real client,
 * who then replaces the balancer as the peer (logs, UCSPI variables,
 * allow/deny, per_source).  From anyone else a whole signature ("PROXY "
 * or v2's twelve bytes) arriving within PROXY_PEEK_MS of the connection
 * is refused; anything else, a lone "P" or "\r\n" included, is an
 * ordinary request.
 */
#define PROXY_PEEK_MS 100

enum step { STEP_SERVE, STEP_QUIET, STEP_REFUSE, STEP_BUSY };

/*
 * The client as finally known, at sa, judged as the master judges
 * (admit.c).  One that may be served is then counted for per_source in
 * the table the children share (per_source.c), which gives the place
 * back at once if the source already has its limit: a refused client
 * holds none.
 */
static enum step
admit(const struct conn *c, const struct sockaddr *sa)
{
	const struct service *svc = c->svc;
	struct srckey key;
	enum admit why;

	why = admit_client(svc, sa, 0);
	if (why == ADMIT_OK && svc->per_source > 0) {
		srckey_make(&key, sa, svc->per_source_prefix6);
		if (per_source_enter(svc->name, &key, svc->per_source) < 0)
			why = admit_client(svc, sa, (size_t)svc->per_source);
	}
	if (why == ADMIT_OK)
		return STEP_SERVE;
	admit_say(svc, 1, why, c->peer, c->via);
	return why == ADMIT_DENIED ? STEP_REFUSE : STEP_BUSY;
}

/* A client not in proxy_from: an ordinary one, unless it sends a header. */
static enum step
proxy_untrusted(const struct conn *c, const struct sockaddr *sa)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	unsigned char head[12];
	ssize_t n;

	/* A header comes at once; wait a moment for it, no more. */
	poll(&p, 1, PROXY_PEEK_MS);
	n = recv(0, head, sizeof(head), MSG_PEEK | MSG_DONTWAIT);
	if (n > 0 && proxy_signature(head, n)) {
		log_msg(LOG_NOTICE, "%s: refused %s: PROXY header from "
		    "an untrusted source", c->svc->name, c->peer);
		return STEP_REFUSE;
	}
	return admit(c, sa);
}

/*
 * A balancer's own connections run no handler and log nothing: HAProxy
 * checks a server by connecting, sending a header or nothing, and
 * resetting at once.  A v2 check says LOCAL; a v1 check names its own
 * connection, for which a reset is given CHECK_RESET_MS to arrive when
 * no request is there.  Any connection reset right after its header
 * carries no request and can take no reply either.
 */
#define CHECK_RESET_MS 50

static int
balancer_only(const struct conn *c, const struct proxy_info *pi)
{
	struct pollfd p = { .fd = 0, .events = POLLIN | POLLRDHUP };
	struct addr_text src;
	char b;

	if (pi->local)
		return 1;
	if (addr_text((const struct sockaddr *)&pi->src, &src) == 0 &&
	    strcmp(src.ip, c->remote.ip) == 0 &&
	    strcmp(src.port, c->remote.port) == 0)
		poll(&p, 1, CHECK_RESET_MS);
	return recv(0, &b, 1, MSG_PEEK | MSG_DONTWAIT) < 0 &&
	    errno == ECONNRESET;
}

static enum step
proxy_trusted(struct conn *c, const struct sockaddr *sa)
{
	const struct service *svc = c->svc;
	struct proxy_info pi;

	if (proxy_read(0, svc->timeout, &pi) < 0) {
		if (errno == ENOTCONN)
			return STEP_QUIET;
		log_msg(LOG_NOTICE, "%s: refused %s: %s", svc->name, c->peer,
		    errno == EPROTO ? "malformed or oversized PROXY header" :
		    errno == ETIMEDOUT ? "no PROXY header before timeout" :
		    strerror(errno));
		return STEP_REFUSE;
	}
	if (balancer_only(c, &pi))
		return STEP_QUIET;
	if (pi.unknown)
		return admit(c, sa);
	strcpy(c->via, c->peer);
	if (addr_text((struct sockaddr *)&pi.src, &c->remote) < 0 ||
	    addr_text((struct sockaddr *)&pi.dst, &c->local) < 0)
		return STEP_REFUSE;
	addr_join(&c->remote, c->peer, sizeof(c->peer));
	return admit(c, (struct sockaddr *)&pi.src);
}

/*
 * The peer as the master described it: getpeername() fails once the
 * balancer has reset, while its header still waits to be read.
 */
static enum step
proxy_step(struct conn *c)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (addr_parse(c->remote.ip, (int)strtol(c->remote.port, NULL, 10),
	    &ss, &len) < 0)
		return STEP_REFUSE;
	if (!acl_match(&c->svc->proxy_from, (struct sockaddr *)&ss))
		return proxy_untrusted(c, (struct sockaddr *)&ss);
	return proxy_trusted(c, (struct sockaddr *)&ss);
}

/* Serve one client, its connection on fd 0 and 1, described by c. */
int
child_serve_conn(struct conn *c)
{
	const struct service *svc = c->svc;
	enum step step = STEP_SERVE;

	if (drop_privileges(svc) < 0)
		return EX_OSERR;
	if (svc->proxy_protocol && c->is_socket)
		step = proxy_step(c);
	if (step == STEP_QUIET)
		return 0;
	if (step == STEP_REFUSE)
		return admit_exit_status(ADMIT_DENIED);
	if (step == STEP_BUSY)
		return admit_exit_status(ADMIT_BUSY);
	/* Behind a balancer only the child knows who the client is. */
	if (c->via[0] != '\0' && svc->log >= CONF_LOG_CONNECTIONS)
		log_msg(LOG_INFO, "%s: connect from %s via %s", svc->name,
		    c->peer, c->via);
	else if (!c->announced && svc->log >= CONF_LOG_REQUESTS)
		log_msg(LOG_INFO, "%s: connect from %s", svc->name, c->peer);
	return svc->handler->serve(c);
}

/*
 * In a child from fork(): f's in and out are the connection (TCP, the
 * same fd) or the handler's ends of the datagram relay (UDP), c
 * describes the client.  With f->err the handler's stderr is that pipe
 * to the master, and replyd's own lines keep the log channel as fd 3.
 */
void
child_forked(struct conn *c, const struct spawn_fds *f)
{
	int keep = 3;

	child_reset();
	log_set_facility(c->svc->log_facility);
	if (move_fd(f->in, 0) < 0 || move_fd(f->out, 1) < 0)
		child_exit(EX_OSERR);
	if (f->err >= 0) {
		if (dup3(2, 3, O_CLOEXEC) < 0 || dup2(f->err, 2) < 0)
			child_exit(EX_OSERR);
		log_set_fd(3);
		keep = 4;
	}
	/*
	 * Close everything else the master holds: listeners, the syslog
	 * socket (reopened on the next line logged), anything inherited.
	 */
	log_forked();
	fds_close_from(keep);
	child_exit(child_serve_conn(c));
}

/*
 * In the exec start's child, which shares the master's memory until
 * execve: system calls only, no syslog (it keeps state in memory), no
 * reading from the client.  The master logged the connection; a failure
 * shows as the exit status (EX_OSERR, or 127 for execve) and one line
 * written to its stderr, which the master logs.  fd is close-on-exec, so
 * execve leaves the connection on 0 and 1 only.
 */
int
child_setup_exec(const struct conn *c, int fd, int err)
{
	enum confine_step cf = CF_OK;
	char why[512];
	int rc;

	child_reset();
	if (move_fd(fd, 0) < 0 || move_fd(fd, 1) < 0 ||
	    (err >= 0 && dup2(err, 2) < 0))
		return -1;
	if ((rc = set_privileges(c->svc, 0, &cf)) == 0)
		return 0;
	/* To the handler's stderr, which the master logs, tagged. */
	privileges_error(c->svc, rc, cf, errno, why, sizeof(why) - 1);
	strcat(why, "\n");
	(void)!write(2, why, strlen(why));
	return -1;
}
