/*
 * Running the new binary before the old image gives anything up
 * (upgrade.c): `replyd -t`, then a trial that takes the whole state
 * handed over and stops just before it would serve.  Each runs in a
 * child, with its stderr in a pipe, for at most UPGRADE_TRY_MS; what it
 * said last and how it ended is the reason logged when it fails.  The
 * invariant: the old image waits here with every listener, child and
 * counter still its own, so whatever happens to the child, nothing is
 * lost.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/deadline.h"
#include "lib/log.h"
#include "master/upgrade_try.h"

/* What the new image wrote to stderr, its last bytes kept. */
static void
tail_add(struct upgrade_try *t, const char *b, size_t n)
{
	size_t drop;

	if (n > sizeof(t->tail)) {
		b += n - sizeof(t->tail);
		n = sizeof(t->tail);
	}
	if (t->len + n > sizeof(t->tail)) {
		drop = t->len + n - sizeof(t->tail);
		memmove(t->tail, t->tail + drop, t->len - drop);
		t->len -= drop;
	}
	memcpy(t->tail + t->len, b, n);
	t->len += n;
}

/* Read what the pipe holds now, waiting at most ms; 0 at its end. */
static int
drain(struct upgrade_try *t, int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	while (poll(&p, 1, ms) > 0) {
		if ((n = read(fd, buf, sizeof(buf))) <= 0)
			return n == 0 || errno != EINTR ? 0 : 1;
		tail_add(t, buf, (size_t)n);
		ms = 0;
	}
	return 1;
}

int
upgrade_stop_pending(void)
{
	sigset_t p;

	return sigpending(&p) == 0 && (sigismember(&p, SIGTERM) ||
	    sigismember(&p, SIGINT));
}

/*
 * Wait for pid, reading its stderr, until it ends or the time is up;
 * a stop signal ends the wait at once, so that a new binary that hangs
 * does not hold a stop for UPGRADE_TRY_MS.
 */
static void
collect(struct upgrade_try *t, pid_t pid, int fd)
{
	struct timespec now, end;
	int open = 1, st;

	deadline_now(&now);
	deadline_after(&end, &now, UPGRADE_TRY_MS);
	while (deadline_left(&end, &now) > 0) {
		if (upgrade_stop_pending()) {
			t->stopped = 1;
			break;
		}
		if (open)
			open = drain(t, fd, 10);
		else
			poll(NULL, 0, 10);
		if (waitpid(pid, &st, WNOHANG) == pid) {
			while (open && drain(t, fd, 0))
				if (t->len == sizeof(t->tail))
					break;
			t->status = st;
			return;
		}
		deadline_now(&now);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	t->timedout = !t->stopped;
}

/*
 * posix_spawn, not fork: nothing of the master's memory is copied, and
 * a shim or limit that stops the master forking children (failfork.so
 * in the tests) does not stop an upgrade.
 */
int
upgrade_try(struct upgrade_try *t, const char *path, char *const argv[],
    char *const envp[])
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none;
	int p[2], e;
	pid_t pid;

	memset(t, 0, sizeof(*t));
	if (pipe2(p, O_CLOEXEC) < 0) {
		t->error = errno;
		return -1;
	}
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
	e = posix_spawn(&pid, path, &fa, &at, argv, envp);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (e == 0)
		collect(t, pid, p[0]);
	close(p[0]);
	t->error = e;
	return e == 0 && !t->timedout && !t->stopped && WIFEXITED(t->status) &&
	    WEXITSTATUS(t->status) == 0 ? 0 : -1;
}

/* How the run ended, as words for the log. */
const char *
upgrade_try_end(const struct upgrade_try *t, char *buf, size_t n)
{
	if (t->error != 0)
		snprintf(buf, n, "%s", strerror(t->error));
	else if (t->stopped)
		snprintf(buf, n, "told to stop meanwhile");
	else if (t->timedout)
		snprintf(buf, n, "no answer within %d s", UPGRADE_TRY_MS / 1000);
	else if (WIFEXITED(t->status) && WEXITSTATUS(t->status) == 127)
		snprintf(buf, n, "exit status 127: cannot be executed");
	else if (WIFEXITED(t->status))
		snprintf(buf, n, "exit status %d", WEXITSTATUS(t->status));
	else
		snprintf(buf, n, "killed by signal %d (%s)",
		    WTERMSIG(t->status), strsignal(WTERMSIG(t->status)));
	return buf;
}

/* Its last lines of stderr, each one logged escaped, after what. */
void
upgrade_try_log(const struct upgrade_try *t, const char *what)
{
	const char *p = t->tail, *end = t->tail + t->len, *nl;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl > p)
			log_data(LOG_ERR, p, (size_t)(nl - p), "%s said", what);
		p = nl + 1;
	}
}
