/*
 * The master's decision, before it forks, whether a new client is
 * served: access lists, then per_source, then per_source_rate.
 */
#ifndef REPLYD_CLIENT_ADMIT_H
#define REPLYD_CLIENT_ADMIT_H

#include <sys/socket.h>
#include <time.h>

#include "conf/conf.h"
#include "state/children.h"

enum admit {
	ADMIT_OK,
	ADMIT_DENIED,		/* deny matched, or allow did not */
	ADMIT_BUSY,		/* per_source children already live */
	ADMIT_LIMITED,		/* per_source_rate exceeded */
};

enum admit	 admit_check(struct svc_state *r, const struct children *k,
		    const struct sockaddr *sa, const struct srckey *src,
		    const struct timespec *now);
void		 admit_log(struct svc_state *r, enum admit why,
		    const struct sockaddr *sa);
void		 admit_refuse(struct svc_state *r, int fd, enum admit why,
		    const struct sockaddr *sa);

#endif
