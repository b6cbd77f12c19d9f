/*
 * Whether a client is served: access lists, the local-only rule of some
 * handlers, per_source and per_source_rate, judged on the client as
 * finally known, in every mode; and what happens to a refused one.
 */
#ifndef REPLYD_CLIENT_ADMIT_H
#define REPLYD_CLIENT_ADMIT_H

#include <stddef.h>
#include <sys/socket.h>
#include <time.h>

#include "conf/conf.h"
#include "state/service_state.h"

struct refused_clients;

enum admit {
	ADMIT_OK,
	ADMIT_DENIED,		/* deny, allow, or not local */
	ADMIT_BUSY,		/* per_source children already live */
	ADMIT_LIMITED,		/* per_source_rate exceeded */
};

enum admit	 admit_client(const struct service *svc,
		    const struct sockaddr *sa, size_t live);
enum admit	 admit_check(struct svc_state *r, size_t live,
		    const struct sockaddr *sa, const struct srckey *src,
		    const struct timespec *now);
void		 admit_count(struct svc_state *r, enum admit why);
void		 admit_log(struct svc_state *r, enum admit why,
		    const struct sockaddr *sa);
void		 admit_refuse(struct svc_state *r, int fd, enum admit why,
		    const struct sockaddr *sa, struct refused_clients *lg,
		    const struct timespec *now);
void		 admit_say(const struct service *svc, int fd, enum admit why,
		    const char *peer, const char *via);
int		 admit_exit_status(enum admit why);
void		 admit_note(const struct service *svc, const char *why,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
enum admit	 admit_exited(const struct service *svc, int status);

#endif
