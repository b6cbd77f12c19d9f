/*
 * Logging.  Each line is formatted into one buffer and written with a
 * single write(2), so lines from the master and its children never
 * interleave on a shared stderr.  Before the master serves, lines read
 * "replyd: ..." like any command's errors; once it serves they carry the
 * pid of the process that wrote them, which is how a child's lines and
 * the master's "child N exited" line are tied together.  A priority may
 * carry a facility (LOG_LOCAL3 | LOG_INFO: a service's own lines); one
 * without goes to the process's (log_set_facility).  When stderr is the
 * journal, each stderr line starts with its priority, "<3>", as
 * sd-daemon(3) describes, so that `journalctl -p` can select them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

static int use_syslog;		/* 1: to syslog only, 2: stderr too */
static int log_fd = STDERR_FILENO;
static int tag_pid;
static int facility = LOG_DAEMON;
static int journal;		/* stderr is the journal: "<N>" first */

/*
 * The syslog socket, a client of our own.  libc's syslog() writes to
 * /dev/log on a blocking socket, so a syslog daemon that stops reading
 * (stuck, or being restarted) would stop the master and with it every
 * service.  Here each line is one datagram sent without waiting (RFC
 * 3164 form, daemon facility, as syslog(3) sends it): when the reader is
 * behind, the line is dropped and counted, and the next line that goes
 * through says how many were lost.
 */
#define LOGSOCK_PATH	"/dev/log"

static int sock = -1;

/* The facility and severity of a line, as syslog wants them. */
static int
log_pri(int prio)
{
	return (prio & LOG_FACMASK) != 0 ? prio :
	    facility | (prio & LOG_PRIMASK);
}
static unsigned long dropped;

/*
 * A reader that is only behind (Debian's queue holds ten datagrams, and
 * a reload or an upgrade writes more lines than that at once) is waited
 * for, at most WAIT_BURST_MS in any WAIT_WINDOW_MS: a stuck daemon
 * costs the master that much a second, never more.
 */
#define WAIT_BURST_MS	100
#define WAIT_WINDOW_MS	1000

static long wait_left = WAIT_BURST_MS;
static struct timespec window_at;

static long
ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000L +
	    (b->tv_nsec - a->tv_nsec) / 1000000L;
}

/* Wait for room in the reader's queue: 0 once there is, -1 if not now. */
static int
wait_room(void)
{
	struct pollfd p = { .fd = sock, .events = POLLOUT };
	struct timespec now, then;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (ms_between(&window_at, &now) >= WAIT_WINDOW_MS) {
		window_at = now;
		wait_left = WAIT_BURST_MS;
	}
	if (wait_left <= 0)
		return -1;
	r = poll(&p, 1, (int)wait_left);
	clock_gettime(CLOCK_MONOTONIC, &then);
	wait_left -= ms_between(&now, &then);
	return r > 0 ? 0 : -1;
}

/* send(2) of one line, waiting a little while the reader is behind. */
static int
send_waiting(const char *buf, size_t n)
{
	for (;;) {
		if (send(sock, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL) ==
		    (ssize_t)n)
			return 0;
		if ((errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != ENOBUFS) || wait_room() < 0)
			return -1;
	}
}

static void	logsock_forget(void);

/*
 * i386's C library makes socket() a socketcall(2), whose arguments sit
 * in memory a seccomp filter cannot read; the direct call (Linux 4.3)
 * lets the children's filter allow exactly this socket and no other
 * (child/sandbox.c).
 */
static int
log_socket(void)
{
	const int type = SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK;

#if defined(SYS_socketcall) && defined(SYS_socket)
	return (int)syscall(SYS_socket, AF_UNIX, type, 0);
#else
	return socket(AF_UNIX, type, 0);
#endif
}

static int
connect_log(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	if (sock >= 0)
		return 0;
	sock = log_socket();
	if (sock < 0)
		return -1;
	strcpy(sun.sun_path, LOGSOCK_PATH);
	if (connect(sock, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(sock);
		sock = -1;
		return -1;
	}
	return 0;
}

/* One datagram; -1 with errno when it could not be sent now. */
static int
send_line(int prio, const char *msg, size_t len)
{
	char buf[2300], stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	int n;

	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm) == 0)
		strcpy(stamp, "-");
	n = snprintf(buf, sizeof(buf), "<%d>%s replyd[%ld]: %.*s",
	    log_pri(prio), stamp, (long)getpid(), (int)len, msg);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (connect_log() < 0)
		return -1;
	if (send_waiting(buf, (size_t)n) == 0)
		return 0;
	/* The daemon restarted: a new socket, one more try. */
	if (errno == ECONNREFUSED || errno == ENOTCONN) {
		logsock_forget();
		if (connect_log() == 0 && send_waiting(buf, (size_t)n) == 0)
			return 0;
	}
	return -1;
}

static void
logsock_send(int prio, const char *msg, size_t len)
{
	char note[96];
	int n;

	if (dropped > 0) {
		n = snprintf(note, sizeof(note), "%lu log line%s dropped: the "
		    "syslog daemon was not reading", dropped,
		    dropped == 1 ? "" : "s");
		if (send_line(LOG_WARNING, note, (size_t)n) == 0)
			dropped = 0;
	}
	if (send_line(prio, msg, len) < 0)
		dropped++;
}

/* In a new child: the socket is the master's (and closed with the rest). */
static void
logsock_forget(void)
{
	if (sock >= 0)
		close(sock);
	sock = -1;
}


void
log_use_syslog(int on)
{
	if (!on)
		logsock_forget();
	use_syslog = on;
}

/*
 * A daemon's start: lines go to stderr, for whoever started it, and to
 * syslog, where the rest of its lines will be.
 */
void
log_also_syslog(void)
{
	use_syslog = 2;
}

void
log_set_facility(int fac)
{
	facility = fac & LOG_FACMASK;
}

/*
 * sd-daemon(3): stderr is the journal when JOURNAL_STREAM names its
 * device and inode; then each stderr line starts with "<N>".
 */
void
log_journal_detect(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char end;

	journal = env != NULL && sscanf(env, "%llu:%llu%c", &dev, &ino,
	    &end) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
	    (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

/*
 * In a new child: the master's syslog socket is about to be closed with
 * every other inherited fd, so forget it (the next line reconnects).
 */
void
log_forked(void)
{
	logsock_forget();
}

/* Where lines go when not to syslog: stderr, or a child's copy of it. */
void
log_set_fd(int fd)
{
	log_fd = fd;
}

void
log_tag_pid(int on)
{
	tag_pid = on;
}

/* "replyd: " or "replyd[pid]: ", after "<N>" for the journal. */
static size_t
log_prefix(char *buf, size_t size, int prio)
{
	char pri[8] = "";
	int n;

	if (journal)
		snprintf(pri, sizeof(pri), "<%d>", prio & LOG_PRIMASK);
	n = tag_pid ? snprintf(buf, size, "%sreplyd[%ld]: ", pri,
	    (long)getpid()) : snprintf(buf, size, "%sreplyd: ", pri);

	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

/*
 * ': "data"', escaped, into the room at p: what log_data() appends.
 * Returns its length; a line with too little room left gets none, not
 * an empty pair of quotes that would misreport the data.
 */
static size_t
put_data(char *p, size_t room, const void *data, size_t n)
{
	size_t len;

	/* Room for the quotes, one escaped byte and the "..." at least. */
	if (room < 16)
		return 0;
	p[0] = ':';
	p[1] = ' ';
	p[2] = '"';
	/* log_escape() ends in a NUL, which the closing quote replaces. */
	len = 3 + log_escape(p + 3, room - 4, data, n);
	p[len++] = '"';
	return len;
}

/*
 * One line: prefix (stderr only), fmt with its arguments, the client's
 * data when there is some, and one write(2) or one syslog call.
 */
static void
log_line(int prio, const void *data, size_t n, const char *fmt, va_list ap)
{
	char line[2048];
	const size_t room = sizeof(line) - 1;	/* for the '\n' or NUL */
	size_t pre = log_prefix(line, room, prio), len = pre;
	int r, saved = errno;

	r = vsnprintf(line + len, room - len, fmt, ap);
	if (r < 0)
		goto out;
	/* vsnprintf says how long the line would have been. */
	len += (size_t)r < room - len ? (size_t)r : room - len - 1;
	if (data != NULL)
		len += put_data(line + len, room - len, data, n);
	if (use_syslog)
		logsock_send(prio, line + pre, len - pre);
	if (use_syslog == 1)
		goto out;
	line[len++] = '\n';
	(void)write(log_fd, line, len);
out:
	/*
	 * Callers log an error and then read errno to decide their status
	 * (a handler's exit code): a log that cannot be written must not
	 * change it.
	 */
	errno = saved;
}

void
log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(prio, NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_data(int prio, const void *data, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(prio, data, n, fmt, ap);
	va_end(ap);
}

static size_t
put_str(char *buf, size_t at, size_t size, const char *s)
{
	while (*s != '\0' && at + 1 < size)
		buf[at++] = *s++;
	return at;
}

static size_t
put_num(char *buf, size_t at, size_t size, unsigned long v)
{
	char digits[24];
	size_t n = 0;

	do
		digits[n++] = '0' + v % 10;
	while ((v /= 10) > 0);
	while (n > 0 && at + 1 < size)
		buf[at++] = digits[--n];
	return at;
}

/*
 * One line from a signal handler (async-signal-safe): no vsnprintf, no
 * time stamp, no lock, no allocation; always tagged with the pid.  The
 * line is the strings of parts, up to a NULL.
 */
void
log_raw(int prio, const char *const *parts)
{
	char line[512];
	size_t n = 0;

	if (use_syslog == 1 || journal) {
		n = put_str(line, n, sizeof(line), "<");
		n = put_num(line, n, sizeof(line),
		    use_syslog == 1 ? log_pri(prio) : prio & LOG_PRIMASK);
		n = put_str(line, n, sizeof(line), ">");
	}
	n = put_str(line, n, sizeof(line), "replyd[");
	n = put_num(line, n, sizeof(line), (unsigned long)getpid());
	n = put_str(line, n, sizeof(line), "]: ");
	for (; *parts != NULL; parts++)
		n = put_str(line, n, sizeof(line), *parts);
	if (use_syslog == 1) {
		/* No time stamp: the daemon adds one. */
		if (connect_log() == 0)
			(void)send(sock, line, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		return;
	}
	line[n++] = '\n';
	(void)write(log_fd, line, n);
}

/*
 * Length of a well-formed UTF-8 sequence at p (at most n bytes), or 0.
 * C1 controls (U+0080..U+009F) count as malformed: some terminals obey
 * them as escapes.
 */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	if (p[0] == 0xc2)
		lo = 0xa0;
	else if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/*
 * Unicode's format (Cf) and separator (Zs, Zl, Zp) characters beyond
 * ASCII, as of Unicode 15: line and paragraph separators that split a
 * line for the reader, bidirectional overrides and isolates that make
 * it read backwards, zero-width and other invisible characters that
 * hide what it says.  Valid UTF-8, but escaped like controls.
 */
static const struct {
	uint32_t lo, hi;
} invisible[] = {
	{ 0x00a0, 0x00a0 }, { 0x00ad, 0x00ad }, { 0x0600, 0x0605 },
	{ 0x061c, 0x061c }, { 0x06dd, 0x06dd }, { 0x070f, 0x070f },
	{ 0x0890, 0x0891 }, { 0x08e2, 0x08e2 }, { 0x1680, 0x1680 },
	{ 0x180e, 0x180e }, { 0x2000, 0x200f }, { 0x2028, 0x202f },
	{ 0x205f, 0x206f }, { 0x3000, 0x3000 }, { 0xfeff, 0xfeff },
	{ 0xfff9, 0xfffb }, { 0x110bd, 0x110bd }, { 0x110cd, 0x110cd },
	{ 0x13430, 0x1343f }, { 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a },
	{ 0xe0001, 0xe0001 }, { 0xe0020, 0xe007f },
};

/* 1 if the well-formed sequence of len bytes at p is one of those. */
static int
utf8_invisible(const unsigned char *p, size_t len)
{
	uint32_t cp = p[0] & (0x7f >> len);
	size_t i;

	for (i = 1; i < len; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	for (i = 0; i < sizeof(invisible) / sizeof(invisible[0]); i++)
		if (cp >= invisible[i].lo && cp <= invisible[i].hi)
			return 1;
	return 0;
}

/*
 * Make client bytes safe for one log line: printable ASCII and valid
 * UTF-8 stay, backslash and double quote are escaped, every other byte
 * becomes \xNN, and so do the bytes of the invisible characters above.  At most LOG_DATA_MAX input bytes are shown, then "...".
 * Returns the length of the NUL-terminated result.
 */
size_t
log_escape(char *out, size_t outsz, const void *in, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = in;
	size_t i = 0, o = 0, shown = n < LOG_DATA_MAX ? n : LOG_DATA_MAX, u;

	if (outsz == 0)
		return 0;
	while (i < shown && o + 8 < outsz) {
		if (p[i] == '\\' || p[i] == '"') {
			out[o++] = '\\';
			out[o++] = p[i++];
		} else if (p[i] >= 0x20 && p[i] < 0x7f) {
			out[o++] = p[i++];
		} else if ((u = utf8_len(p + i, shown - i)) > 0 &&
		    !utf8_invisible(p + i, u)) {
			memcpy(out + o, p + i, u);
			o += u;
			i += u;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[p[i] >> 4];
			out[o++] = hex[p[i] & 15];
			i++;
		}
	}
	if (i < n && o + 4 <= outsz) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return o;
}
