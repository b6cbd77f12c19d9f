/*
 * A handler's stderr goes through the master.  An exec'd program or a
 * module runs as another user and is not ours: were its stderr the
 * master's, it could write lines that look like replyd's own, or,
 * started by a shell as `replyd -f 2>>/var/log/...`, write into a log it
 * should not touch.  So each child of such a handler gets a pipe as fd 2,
 * and the master logs what comes out of it as
 * "SERVICE: child PID: stderr: "escaped line"", bounded per child: past
 * the bound the pipe is closed, never read and discarded without end.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "master/stderr_relay.h"

/*
 * A new pipe: kl keeps the read end (non-blocking), *child_end is for
 * the child's fd 2 (close-on-exec here; the child moves it to 2).
 */
int
stderr_relay_open(struct stderr_relay *kl, int *child_end)
{
	int p[2];

	memset(kl, 0, sizeof(*kl));
	kl->fd = -1;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	/* Only the master's end may be non-blocking. */
	fcntl(p[1], F_SETFL, 0);
	kl->fd = p[0];
	*child_end = p[1];
	return 0;
}

static void
emit(struct stderr_relay *kl, const char *svc, pid_t pid)
{
	if (kl->lines < STDERR_RELAY_MAX_LINES) {
		log_data(LOG_NOTICE, kl->buf, kl->len, "%s: child %ld: stderr",
		    svc, (long)pid);
		kl->lines++;
	} else
		kl->dropped += kl->len + 1;
	kl->len = 0;
}

/* Log what is left (a last line without its newline too), then close. */
static void
finish(struct stderr_relay *kl, const char *svc, pid_t pid)
{
	int capped = kl->dropped >= STDERR_RELAY_MAX_DROP;

	if (kl->len > 0)
		emit(kl, svc, pid);
	if (kl->dropped > 0)
		log_msg(LOG_NOTICE, "%s: child %ld: stderr: %lu more bytes "
		    "not logged (%d lines at most)%s", svc, (long)pid,
		    kl->dropped, STDERR_RELAY_MAX_LINES,
		    capped ? ", the rest not read" : "");
	close(kl->fd);
	kl->fd = -1;
}

/*
 * Log every complete line the child has written so far.  Returns 1
 * while the pipe is open, 0 once every writer has closed it or the
 * master has (past STDERR_RELAY_MAX_DROP).
 */
int
stderr_relay_pump(struct stderr_relay *kl, const char *svc, pid_t pid)
{
	char chunk[4096];
	ssize_t n, i;

	while (kl->fd >= 0) {
		if (kl->dropped >= STDERR_RELAY_MAX_DROP) {
			finish(kl, svc, pid);
			return 0;
		}
		n = read(kl->fd, chunk, sizeof(chunk));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 1;
		if (n <= 0)
			return 0;
		for (i = 0; i < n; i++) {
			if (chunk[i] == '\n') {
				emit(kl, svc, pid);
				continue;
			}
			kl->buf[kl->len++] = chunk[i];
			if (kl->len == sizeof(kl->buf))
				emit(kl, svc, pid);
		}
	}
	return 0;
}

/*
 * The child has exited: log what is left and what was not shown.  A
 * process the handler left behind may still hold the pipe; it is not
 * waited for.
 */
void
stderr_relay_close(struct stderr_relay *kl, const char *svc, pid_t pid)
{
	stderr_relay_pump(kl, svc, pid);
	if (kl->fd >= 0)
		finish(kl, svc, pid);
}
