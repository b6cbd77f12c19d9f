/*
 * Logging.  Each line is formatted into one buffer and written with a
 * single write(2), so lines from the master and its children never
 * interleave on a shared stderr.  Before the master serves, lines read
 * "replyd: ..." like any command's errors; once it serves they carry the
 * pid of the process that wrote them, which is how a child's lines and
 * the master's "child N exited" line are tied together.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/logsock.h"

static int use_syslog;
static int log_fd = STDERR_FILENO;
static int tag_pid;

void
log_use_syslog(int on)
{
	if (!on)
		logsock_forget();
	use_syslog = on;
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

/* "replyd: " or "replyd[pid]: ". */
static size_t
log_prefix(char *buf, size_t size)
{
	int n = tag_pid ? snprintf(buf, size, "replyd[%ld]: ", (long)getpid()) :
	    snprintf(buf, size, "replyd: ");

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
	size_t len = use_syslog ? 0 : log_prefix(line, room);
	int r;

	r = vsnprintf(line + len, room - len, fmt, ap);
	if (r < 0)
		return;
	/* vsnprintf says how long the line would have been. */
	len += (size_t)r < room - len ? (size_t)r : room - len - 1;
	if (data != NULL)
		len += put_data(line + len, room - len, data, n);
	if (use_syslog) {
		logsock_send(prio, line, len);
		return;
	}
	line[len++] = '\n';
	(void)write(log_fd, line, len);
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

	if (use_syslog) {
		n = put_str(line, n, sizeof(line), "<");
		n = put_num(line, n, sizeof(line), LOG_DAEMON | prio);
		n = put_str(line, n, sizeof(line), ">");
	}
	n = put_str(line, n, sizeof(line), "replyd[");
	n = put_num(line, n, sizeof(line), (unsigned long)getpid());
	n = put_str(line, n, sizeof(line), "]: ");
	for (; *parts != NULL; parts++)
		n = put_str(line, n, sizeof(line), *parts);
	if (use_syslog) {
		logsock_send_raw(line, n);
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
 * Make client bytes safe for one log line: printable ASCII and valid
 * UTF-8 stay, backslash and double quote are escaped, every other byte
 * becomes \xNN.  At most LOG_DATA_MAX input bytes are shown, then "...".
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
		} else if ((u = utf8_len(p + i, shown - i)) > 0) {
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
