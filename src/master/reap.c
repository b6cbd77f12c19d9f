/*
 * Children that end: reaped at once, logged, counted, their relays and
 * stderr pipes drained, and whatever they left in their process group
 * ended; and children past session_timeout, ended.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client/admit.h"
#include "lib/io.h"
#include "lib/log.h"
#include "master/master_int.h"
#include "state/per_source.h"

/* The service a child serves, for its log lines. */
const char *
reap_child_name(const struct child *k)
{
	return k->run != NULL && k->run->svc != NULL ? k->run->svc->name :
	    "(removed)";
}

/*
 * A child's whole process group (what an exec'd program started too);
 * the child itself if it has not made its group yet.
 */
void
kill_group(pid_t pid, int sig)
{
	if (kill(-pid, sig) < 0 && errno == ESRCH)
		kill(pid, sig);
}

/*
 * The one line a connection gets at `log = "connections"`: who, which
 * child, how it ended, how long it took and, where the master can know
 * (its copy of a TCP connection, the UDP relay), what it carried.  At
 * "errors" only a child that failed has one.
 */
static void
log_exit(const struct child *k, int status)
{
	const struct service *svc = k->run != NULL ? k->run->svc : NULL;
	int level = svc != NULL ? svc->log : CONF_LOG_CONNECTIONS;
	int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	int prio = (svc != NULL ? svc->log_facility : 0) |
	    (ok ? LOG_INFO : LOG_NOTICE);
	unsigned long long in, out;
	char how[48], bytes[64] = "";

	if (level == CONF_LOG_ERRORS && ok)
		return;
	if (WIFSIGNALED(status))
		snprintf(how, sizeof(how), "killed by signal %d",
		    WTERMSIG(status));
	else
		snprintf(how, sizeof(how), "exited with status %d",
		    WEXITSTATUS(status));
	if (k->relay.peerlen > 0)
		snprintf(bytes, sizeof(bytes), ", %zu bytes in, %zu out",
		    k->relay.reqlen, k->relay.sent);
	else if (k->conn >= 0 && io_tcp_bytes(k->conn, &in, &out) == 0)
		snprintf(bytes, sizeof(bytes), ", %llu bytes in, %llu out",
		    in, out);
	/* A wait service's program serves many clients, or none known. */
	log_msg(prio, "%s: child %ld %s after %ld ms%s%s%s",
	    reap_child_name(k), (long)k->pid, how, deadline_since(&k->start),
	    k->peer[0] != '\0' ? "; client " : "", k->peer, bytes);
}

/*
 * The child is gone, and with it every other copy of its connection but
 * the master's.  A handler that answered without reading the whole
 * request (an exec'd `date`) left bytes unread, and closing the socket
 * now would make the kernel answer the client with a reset, which can
 * cost the client its answer.  So such a connection is half-closed and
 * drained a moment (refused.c), as the built-in handlers do themselves;
 * any other is just closed.
 */
static void
reap_conn(struct master *s, int fd)
{
	struct timespec now;
	int unread = 0;

	if (ioctl(fd, FIONREAD, &unread) < 0 || unread == 0) {
		close(fd);
		return;
	}
	deadline_now(&now);
	refused_close(&s->refused, fd, &now);
}

/*
 * Each child that has exited.  While it is a zombie its pid cannot be
 * anyone else's, so its process group (what an exec'd program started
 * and left behind, which would hold the connection past the child and
 * past max_children) is ended first, then the child is reaped.  Not a
 * wait program's: what it started holds no client of the master's,
 * and may be serving one of its own (in.tftpd's transfers), as under
 * inetd.
 */
void
reap_all(struct master *s)
{
	siginfo_t si;
	struct child *k;
	enum admit why;
	pid_t pid;
	int st;

	s->got_chld = 0;
	for (;;) {
		si.si_pid = 0;
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
		    si.si_pid == 0)
			break;
		pid = si.si_pid;
		if ((k = children_find(&s->children, pid)) != NULL &&
		    k->held < 0)
			kill_group(pid, SIGKILL);
		if (waitpid(pid, &st, WNOHANG) != pid || k == NULL)
			continue;
		s->last_status = WIFEXITED(st) ? WEXITSTATUS(st) :
		    128 + WTERMSIG(st);
		if (k->relay.fd >= 0) {
			udp_pump(&k->relay);	/* what it wrote before exiting */
			udp_end(&k->relay);
		}
		log_exit(k, st);
		stderr_relay_close(&k->err, reap_child_name(k), k->pid);
		if (k->conn >= 0)
			reap_conn(s, k->conn);
		if (k->run != NULL) {
			k->run->active--;
			if ((why = admit_exited(k->run->svc, st)) != ADMIT_OK)
				admit_count(k->run, why);
			else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
				k->run->stats.served++;
			else
				k->run->stats.failed++;
		}
		wait_ended(k);
		per_source_gone(pid);
		children_remove(&s->children, k);
		deadline_now(&s->idle_since);
	}
}

/*
 * session_timeout: a child past it gets SIGTERM, and SIGKILL STOP_KILL
 * seconds later.  Returns the milliseconds until the next such step
 * (-1: none pending).
 */
long
reap_expire(struct master *s)
{
	long next = -1, age, limit;
	size_t i;

	for (i = 0; i < s->children.n; i++) {
		struct child *k = &s->children.v[i];

		if (k->session_timeout == 0 || k->signalled == SIGKILL)
			continue;
		age = deadline_since(&k->start);
		limit = k->session_timeout * 1000L +
		    (k->signalled ? STOP_KILL * 1000L : 0);
		if (age >= limit) {
			k->signalled = k->signalled ? SIGKILL : SIGTERM;
			kill_group(k->pid, k->signalled);
			if (k->signalled == SIGTERM && k->run != NULL)
				k->run->stats.expired++;
			log_msg(LOG_NOTICE, "%s: child %ld past session_timeout "
			    "(%d s): sent %s", reap_child_name(k), (long)k->pid,
			    k->session_timeout,
			    k->signalled == SIGTERM ? "SIGTERM" : "SIGKILL");
			if (k->signalled == SIGTERM)
				next = deadline_sooner(next, STOP_KILL * 1000L);
		} else
			next = deadline_sooner(next, limit - age);
	}
	return next;
}

