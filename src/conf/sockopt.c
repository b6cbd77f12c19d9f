/*
 * Where the listener keys (backlog, keepalive, nodelay, freebind,
 * interface) apply.  A key needs a stream socket, an IP socket or both
 * (conf_key.needs); written in a service it cannot apply to it is an
 * error at its line, while a top-level default a UDP or Unix-only
 * service inherits is left unused, as xinetd leaves its TCP flags on a
 * UDP service.  The invariant: -T never prints a key where reading it
 * back would be that error.
 */
#include "config.h"

#include "conf/internal.h"

const char *
conf_key_unfit(const struct conf_key *k, const struct service *svc)
{
	if ((k->needs & CN_STREAM) && svc->proto == PROTO_UDP)
		return "no use on UDP services";
	if ((k->needs & CN_IP) && conf_unix_only(svc))
		return "no use on \"unix:\" listeners";
	return NULL;
}

/* Every listener key written in g that svc cannot use, at its line. */
void
conf_sockopt_check(struct conf_ctx *x, const struct service *svc,
    const config_setting_t *g)
{
	const config_setting_t *s;
	const char *why;
	size_t i;

	for (i = 0; g != NULL && i < conf_nkeys; i++)
		if ((why = conf_key_unfit(&conf_keys[i], svc)) != NULL &&
		    (s = config_setting_get_member(g, conf_keys[i].name)) !=
		    NULL)
			conf_errf(x, s, "service \"%s\": %s has %s",
			    svc->name, conf_keys[i].name, why);
}
