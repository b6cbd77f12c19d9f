/*
 * The `wait` key's rules (inetd's "wait"): the program of an exec
 * service is given the listening or UDP socket itself and takes its
 * clients from it, so replyd never sees who they are.  Whatever would
 * judge or answer a single client (allow, deny, per_source, PROXY
 * headers, busy_reply) cannot apply; set on a wait service, it is an
 * error rather than a promise nobody keeps.  Inherited ones too: a
 * top-level `allow` that every service obeys must not silently stop
 * guarding one of them.
 */
#include "config.h"

#include <string.h>

#include "conf/internal.h"

/* The setting that made svc a wait service, or its group. */
static const config_setting_t *
where(const config_setting_t *g)
{
	const config_setting_t *s = config_setting_get_member(g, "wait");

	return s != NULL ? s : g;
}

void
conf_wait_check(struct conf_ctx *x, const struct service *svc,
    const config_setting_t *g)
{
	const struct {
		const char	*key;
		int		 set;
	} unfit[] = {
		{ "allow", svc->allow.n > 0 },
		{ "deny", svc->deny.n > 0 },
		{ "per_source", svc->per_source > 0 },
		{ "per_source_rate", svc->per_source_rate > 0 },
		{ "busy_reply", svc->busy_reply != NULL },
		{ "proxy_protocol", svc->proxy_protocol },
	};
	char q[CONF_QUOTE_MAX], keys[128] = "";
	size_t i, n = 0, len;

	if (!svc->wait)
		return;
	if (svc->handler_name == NULL || strcmp(svc->handler_name, "exec") != 0)
		conf_errf(x, where(g), "service \"%s\": wait = true is for "
		    "handler \"exec\" only, a program that serves the socket "
		    "itself (got handler %s)", svc->name, conf_quote(q,
		    sizeof(q), svc->handler_name ? svc->handler_name : ""));
	for (i = 0; i < sizeof(unfit) / sizeof(unfit[0]); i++)
		if (unfit[i].set && (len = strlen(keys)) < sizeof(keys))
			snprintf(keys + len, sizeof(keys) - len, "%s%s",
			    n++ > 0 ? ", " : "", unfit[i].key);
	if (n > 0)
		conf_errf(x, where(g), "service \"%s\": %s cannot apply with "
		    "wait = true: the program takes its clients from the "
		    "socket, replyd never sees them (restrict them with a "
		    "firewall or in the program; max_children, rate, "
		    "session_timeout, user, limits and sandbox apply)",
		    svc->name, keys);
}
