/*
 * xinetd's per-process attributes in replyd's keys: nice, umask and
 * rlimit_as, rlimit_cpu, rlimit_files (groups and the KEEPALIVE and
 * NODELAY flags are mapped beside the others, in xattr.c).  A value
 * replyd cannot take is left out with a note, never a refusal of the
 * whole file: xinetd itself only logs such a value and goes on.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "import/xinetd_conf.h"

static void
map_nice(struct svc *s, const struct xattr *a)
{
	const char *v = a->values.v[0];
	int neg = v[0] == '-';
	long n;

	if (svc_number(v + neg, 0, neg ? 20 : 19, &n) < 0) {
		svc_note(s, "nice = %s is not from -20 to 19: left out",
		    a->values.v[0]);
		return;
	}
	s->nice = (int)(neg ? -n : n);
	s->nice_set = 1;
}

static void
map_umask(struct svc *s, const struct xattr *a)
{
	const char *v = a->values.v[0];
	size_t n = strlen(v);

	if (n == 0 || n > 4 || strspn(v, "01234567") != n ||
	    strtol(v, NULL, 8) > 0777) {
		svc_note(s, "umask = %s is not octal from 0 to 0777: left out",
		    v);
		return;
	}
	free(s->umask);
	s->umask = xstrdup(v);
}

/*
 * rlimit_as in bytes with an optional K or M, as xinetd reads it, to
 * replyd's MiB, rounded up so that the limit is never tighter than it
 * was; -1 when it cannot be read.
 */
static long
mib(const char *v)
{
	char *end;
	unsigned long long n = strtoull(v, &end, 10), unit = 1;

	if (end == v || v[0] == '-')
		return -1;
	if (*end == 'K' || *end == 'k')
		unit = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		unit = 1024 * 1024, end++;
	if (*end != '\0' || n > (1ULL << 40) / unit)
		return -1;
	return (long)((n * unit + (1 << 20) - 1) >> 20);
}

/* One rlimit_*: UNLIMITED is replyd's unset (the master's limit). */
static void
map_rlimit(struct svc *s, const struct xattr *a, long *out, long hi)
{
	const char *v = a->values.v[0];
	long n;

	if (strcmp(v, "UNLIMITED") == 0) {
		svc_note(s, "%s = UNLIMITED: replyd leaves the master's limit",
		    a->name);
		return;
	}
	if (strcmp(a->name, "rlimit_as") == 0)
		n = mib(v);
	else if (svc_number(v, 1, hi, &n) < 0)
		n = -1;
	if (n < 1 || n > hi) {
		svc_note(s, "%s = %s is not a limit replyd can set (1 to %ld"
		    "%s): left out", a->name, v, hi,
		    strcmp(a->name, "rlimit_as") == 0 ? " MiB" : "");
		return;
	}
	*out = n;
}

void
xproc_map(struct svc *s, const struct xentry *e, const struct xentry *d)
{
	const struct xattr *a;

	if ((a = xattr_one(e, d, "nice")) != NULL)
		map_nice(s, a);
	if ((a = xattr_one(e, d, "umask")) != NULL)
		map_umask(s, a);
	if ((a = xattr_one(e, d, "rlimit_as")) != NULL)
		map_rlimit(s, a, &s->rlimit_as, 1048576);
	if ((a = xattr_one(e, d, "rlimit_cpu")) != NULL)
		map_rlimit(s, a, &s->rlimit_cpu, 31536000);
	if ((a = xattr_one(e, d, "rlimit_files")) != NULL)
		map_rlimit(s, a, &s->rlimit_files, 1048576);
}
