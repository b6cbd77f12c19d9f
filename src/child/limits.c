/*
 * nice, umask and rlimit_* in the child (limits.h).  A limit sets both
 * the soft and the hard value, so that the handler cannot raise it
 * again; 0 (umask and rlimit_core: unset) leaves what the master has.
 * rlimit_core = 0 is a limit, no core file at all, as in xinetd.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include "child/limits.h"
#include "conf/conf.h"

static int
limit(int resource, rlim_t v)
{
	struct rlimit r = { v, v };

	return setrlimit(resource, &r);
}

int
child_limits(const struct service *svc)
{
	if (svc->rlimit_as > 0 &&
	    limit(RLIMIT_AS, (rlim_t)svc->rlimit_as << 20) < 0)
		return -1;
	if (svc->rlimit_cpu > 0 && limit(RLIMIT_CPU, svc->rlimit_cpu) < 0)
		return -1;
	if (svc->rlimit_files > 0 &&
	    limit(RLIMIT_NOFILE, svc->rlimit_files) < 0)
		return -1;
	if (svc->rlimit_nproc > 0 &&
	    limit(RLIMIT_NPROC, svc->rlimit_nproc) < 0)
		return -1;
	if (svc->rlimit_core >= 0 &&
	    limit(RLIMIT_CORE, (rlim_t)svc->rlimit_core << 20) < 0)
		return -1;
	if (svc->nice != 0 && setpriority(PRIO_PROCESS, 0, svc->nice) < 0)
		return -1;
	if (svc->umask >= 0)
		umask((mode_t)svc->umask);
	return 0;
}
