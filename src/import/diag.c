/*
 * Problems in the input, reported as they are found, one line each, in
 * the "FILE:LINE: what" form replyd uses: every error of every file is
 * reported, then replyd-import exits with the sysexits status of the
 * worst (66 for an input it could not read, 65 for one it could not
 * parse) and writes no configuration at all.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "import/import.h"

static int	nerrors;
static int	nunreadable;

static void
say(const char *file, int line, const char *tag, const char *fmt,
    va_list ap)
{
	fprintf(stderr, "replyd-import: %s:%d: %s", file, line, tag);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
diag_error(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(file, line, "", fmt, ap);
	va_end(ap);
	nerrors++;
}

/* What xinetd only warns about: said, and not counted. */
void
diag_warn(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(file, line, "warning: ", fmt, ap);
	va_end(ap);
}

void
diag_cannot_read(const char *file, const char *why)
{
	fprintf(stderr, "replyd-import: %s: cannot read: %s\n", file, why);
	nunreadable++;
}

void
diag_unreadable(const char *file, int err)
{
	diag_cannot_read(file, strerror(err));
}

void
diag_reset(void)
{
	nerrors = nunreadable = 0;
}

int
diag_status(void)
{
	if (nunreadable > 0)
		return EX_NOINPUT;
	if (nerrors > 0)
		return EX_DATAERR;
	return EX_OK;
}
