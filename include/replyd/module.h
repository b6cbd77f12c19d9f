/*
 * replyd/module.h: the C ABI of replyd handler modules.
 *
 * A module is a shared object named in the configuration:
 *
 *	handler = "module";
 *	module = { path = "/usr/lib/replyd/upper.so"; prefix = "> "; };
 *
 * It defines one symbol, `replyd_module`, a struct replyd_module whose
 * abi field is REPLYD_MODULE_ABI.  replyd loads a private copy of it in
 * the master when it starts serving and at each reload, and in a child
 * process for "replyd -t" (so a missing file, a wrong ABI or a missing
 * symbol is a configuration error), calls its check function there once
 * with the other keys of the module group, and calls its serve function
 * in each child, with the client on fd 0
 * (read) and fd 1 (write), fd 2 the log.  serve returns the child's exit
 * status.  A module never sees the listening sockets and runs with the
 * privileges the service drops to.
 *
 * See replyd-module(3).
 */
#ifndef REPLYD_MODULE_H
#define REPLYD_MODULE_H

#include <stddef.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define REPLYD_MODULE_ABI 1

/* Who is on the other end; every string is set ("" when unknown). */
struct replyd_peer {
	const char	*service;	/* the service's name */
	const char	*proto;		/* "TCP", "UDP" or "UNIX" */
	const char	*local_ip;
	const char	*local_port;
	const char	*remote_ip;
	const char	*remote_port;
};

/* The module group's keys other than path, each value as a string. */
struct replyd_settings {
	size_t			 n;
	const char *const	*keys;
	const char *const	*values;
};

struct replyd_module {
	int		 abi;		/* REPLYD_MODULE_ABI */
	const char	*name;
	/*
	 * Optional, called in the master at load time: check the settings.
	 * Return 0, or -1 with a one-line reason in err.
	 */
	int		(*check)(const struct replyd_settings *s, char *err,
			    size_t errlen);
	/* Called in the child for one client; returns the exit status. */
	int		(*serve)(const struct replyd_peer *peer,
			    const struct replyd_settings *s);
};

/* The value of setting key, or NULL. */
static inline const char *
replyd_setting(const struct replyd_settings *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->keys[i], key) == 0)
			return s->values[i];
	return NULL;
}

#ifdef __cplusplus
}
#endif

#endif
