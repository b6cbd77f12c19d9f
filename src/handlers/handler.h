/*
 * Handlers: the swappable reply logic.  A handler reads the client on
 * fd 0 and answers on fd 1, so it cannot tell whether the master forked
 * it or inetd exec'd it.  Adding one is a file in handlers/ and a line in
 * the table in table.c.
 */
#ifndef REPLYD_HANDLERS_HANDLER_H
#define REPLYD_HANDLERS_HANDLER_H

#include <signal.h>
#include <stdint.h>
#include <time.h>

#include "client/conn.h"
#include "conf/conf.h"
#include "lib/addr.h"
#include "lib/errlist.h"

/* What sets a handler apart, for the master (handler.flags). */
#define HANDLER_EXECS		0x1	/* ends in execve: spawn.c may start
					   it vfork-style */
#define HANDLER_LOCAL_ONLY	0x2	/* without `allow`, loopback clients
					   only */
#define HANDLER_STDERR		0x4	/* not our code: its stderr goes
					   through the master (stderr_relay.c) */
#define HANDLER_FIXED_ANSWER	0x8	/* a few bytes whatever the request
					   (time, daytime): sent over UDP
					   whatever max_amplification says */

/* Whether s logs each request's data (`log = "requests"`). */
#define HANDLER_LOGS_REQUESTS(s)	((s)->log >= CONF_LOG_REQUESTS)

struct handler {
	const char	*name;
	/* Returns the child's exit status. */
	int		(*serve)(const struct conn *c);
	int		 flags;
};

const struct handler	*handler_find(const char *name);
/* The table's names, NULL-terminated: what `handler` may say. */
const char *const	*handler_names(void);
/* Each service of c gets its handler: 0, or -1 with what is wrong in errs. */
int			 handler_resolve(struct conf *c, struct errlist *errs);
/* conf_load() with the table's names, then handler_resolve(). */
struct conf		*handler_conf_load(const char *path,
			    struct conf_opts *o, struct errlist *errs);

/*
 * Handler modules (module.c).  The module handler keeps what it loaded
 * for which service; the configuration only names the file.
 * module_conf_load() loads c's modules in this process, the one that
 * serves with them; module_conf_unload() unloads them, and whoever
 * frees c calls it first.  module_conf_check() loads them in a child
 * that only reports (-t, -T), with the signals in block blocked first,
 * as in the master.
 */
int	module_conf_load(const struct conf *c, struct errlist *errs);
void	module_conf_unload(const struct conf *c);
int	module_conf_check(const struct conf *c, const sigset_t *block);

int	handler_reply(const struct conn *c);
int	handler_echo(const struct conn *c);
int	handler_exec(const struct conn *c);
int	handler_module(const struct conn *c);
int	handler_discard(const struct conn *c);
int	handler_daytime(const struct conn *c);
int	handler_time(const struct conn *c);
int	handler_chargen(const struct conn *c);
int	handler_status(const struct conn *c);
int	handler_answer(const struct conn *c, const void *buf, size_t n);
uint32_t time_rfc868(time_t t);
void	exec_run(const struct conn *c);
/*
 * After exec_run failed with err, in the exec start's child: why, on
 * its stderr, which the master logs (a stack buffer and write(2) only).
 */
void	exec_failed(const struct conn *c, int err);

#endif
