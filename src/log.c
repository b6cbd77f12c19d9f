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
#include <unistd.h>

#include "log.h"

static int use_syslog;
static int tag_pid;

void
log_use_syslog(int on)
{
	if (on && !use_syslog)
		openlog("replyd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else if (!on && use_syslog)
		closelog();
	use_syslog = on;
}

void
log_tag_pid(int on)
{
	tag_pid = on;
}

void
log_msg(int prio, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n, len;

	va_start(ap, fmt);
	if (use_syslog) {
		vsyslog(prio, fmt, ap);
		va_end(ap);
		return;
	}
	if (tag_pid)
		n = snprintf(line, sizeof(line), "replyd[%ld]: ", (long)getpid());
	else
		n = snprintf(line, sizeof(line), "replyd: ");
	len = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	n += len;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, n);
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
