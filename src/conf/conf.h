/*
 * The configuration as the rest of replyd sees it: a list of services,
 * each complete (defaults and inherited top-level keys already applied),
 * validated, with user and group names resolved.  It is data: loading
 * it reads files and resolves names, nothing else, and nothing here runs
 * while serving.  The handler is kept by name, checked against the names
 * the caller passes; the handler table resolves it (handler_resolve),
 * and handler modules are loaded and unloaded by the module handler.
 * libconfig stays inside conf/; the keys are one table, in keys.c.
 */
#ifndef REPLYD_CONF_CONF_H
#define REPLYD_CONF_CONF_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "lib/acl.h"
#include "lib/errlist.h"
#include "lib/rate.h"

#define CONF_DEFAULT_PORT	7788
#define CONF_DEFAULT_REPLY	"thank you !\n"
#define CONF_DEFAULT_MAX_REQUEST 1024
#define CONF_MAX_REQUEST_LIMIT	(1024 * 1024)
#define CONF_DEFAULT_TIMEOUT	10
#define CONF_DEFAULT_MAX_CHILDREN 64
#define CONF_MAX_ENV		64
#define CONF_MAX_RATE		1000000
#define CONF_MIN_RATE		0.001	/* one per 1000 s; 0 is off */
#define CONF_MAX_ACL		4096
#define CONF_DEFAULT_AMPLIFICATION 3
#define CONF_DEFAULT_SOCKET_MODE 0666

enum conf_proto { PROTO_TCP, PROTO_UDP };

/* The `log` key: what a service logs of a client that was served. */
enum conf_log { CONF_LOG_ERRORS, CONF_LOG_CONNECTIONS, CONF_LOG_REQUESTS };

struct handler;
struct listener;

struct exec_spec {
	char	 *program;
	char	**argv;		/* NULL-terminated; argv[0] is the program */
	char	**env;		/* NULL-terminated NAME=value, from exec.env */
	char	**passenv;	/* names of the master's variables passed on */
	char	 *chroot;	/* entered before the user is dropped to */
	int	  no_new_privs;	/* PR_SET_NO_NEW_PRIVS in the child */
	int	  seen;		/* the exec group was given */
};

struct module_spec {
	char		 *path;
	char		**keys;		/* the group's other settings */
	char		**values;
	size_t		  n;
	int		  seen;
	char		 *where;	/* "FILE:LINE", for messages */
};

/*
 * sandbox = { syscalls; allow; network; filesystem; private_tmp; }: the
 * seccomp filter of the service's children (child/sandbox.c), their
 * namespaces and file system confinement (child/confine.c).  SB_BY_KIND
 * until the service is checked, then the profile its handler's kind
 * gets unless one was given.
 */
enum sandbox_syscalls { SB_HANDLER, SB_MODULE, SB_SERVICE, SB_NONE };
#define SB_BY_KIND	(-1)
enum sandbox_fs { SB_FS_FULL, SB_FS_READ_ONLY, SB_FS_EMPTY };

struct sandbox_spec {
	int	  syscalls;	/* enum sandbox_syscalls */
	char	**allow;	/* NULL-terminated: more system calls, by name */
	int	  network;	/* 0: a network namespace of its own, empty */
	int	  filesystem;	/* enum sandbox_fs */
	int	  private_tmp;	/* its own empty /tmp and /var/tmp */
};

struct service {
	char		 *name;
	int		  disable;	/* checked and printed, not served */
	int		  wait;		/* exec: the program gets the socket */
	int		  port;
	char		**listen;	/* NULL-terminated; NULL: the default */
	enum conf_proto	  proto;
	char		 *handler_name;	/* the `handler` key */
	/* Set by handler_resolve() from handler_name, never read here. */
	const struct handler *handler;
	int		  local_only;	/* its handler: local clients only */
	char		 *reply;
	size_t		  reply_len;
	size_t		  max_request;
	int		  timeout;	/* seconds */
	int		  session_timeout; /* seconds, 0: off */
	int		  max_children;
	int		  reuse_port;
	/* The listeners' socket options (master/listeners.c). */
	int		  keepalive, nodelay, freebind;
	int		  backlog;	/* listen(2)'s */
	char		 *interface;	/* SO_BINDTODEVICE; NULL: any */
	char		 *user;		/* NULL: keep the current user */
	char		 *group;	/* NULL: the user's primary group */
	int		  as_root;	/* loaded as root: user applies */
	uid_t		  uid;
	gid_t		  gid;
	int		  group_set;	/* gid from `group`, not the user's */
	int		  groups;	/* the user's supplementary groups too */
	gid_t		 *sgroups;	/* ... resolved at load time */
	int		  nsgroups;
	/* Set in the child before the user is dropped to; 0 (umask -1): the
	 * master's. */
	int		  nice;
	int		  umask;
	int		  rlimit_as;	/* MiB */
	int		  rlimit_cpu;	/* seconds */
	int		  rlimit_files, rlimit_nproc;
	int		  rlimit_core;	/* MiB; -1: the master's */
	struct exec_spec  exec;
	struct module_spec module;
	struct sandbox_spec sandbox;
	struct acl	  allow, deny;
	int		  proxy_protocol;
	struct acl	  proxy_from;	/* who may send a PROXY header */
	int		  per_source;	/* children per source, 0: off */
	int		  per_source_prefix6;
	double		  rate;		/* new connections/s, 0: off */
	double		  per_source_rate;
	double		  max_amplification;	/* UDP: reply/request bytes */
	char		 *busy_reply;	/* to clients refused as busy */
	size_t		  busy_reply_len;
	int		  log;		/* enum conf_log */
	int		  log_facility;	/* syslog's LOG_DAEMON... */
	unsigned	  line;		/* where it is defined, for messages */
	/* The socket files of its "unix:/path" listeners. */
	char		 *socket_user, *socket_group;	/* names */
	int		  socket_mode;	/* permission bits */
	uid_t		  socket_uid;	/* (uid_t)-1: whoever binds */
	gid_t		  socket_gid;	/* (gid_t)-1: likewise */
};

struct conf {
	char		*path;
	struct service	*svc;
	size_t		 nsvc;
	int		 listed;	/* from a `services` list */
	size_t		 nenabled;	/* services not disabled */
	int		 log_facility;	/* the top level's: master-wide lines */
};

struct conf_opts {
	int	port;		/* -p: overrides the top-level port; -1: not */
	int	as_root;	/* handlers would start as root */
	/* The names `handler` may take, NULL-terminated; NULL: any. */
	const char *const *handlers;
};

/* Every problem found in the file is added to errs, "FILE:LINE: ...". */
struct conf	*conf_load(const char *path, const struct conf_opts *opts,
		    struct errlist *errs);
void		 conf_free(struct conf *c);
struct service	*conf_service(const struct conf *c, const char *name);
/* replyd -T: the configuration in libconfig's syntax, read back as is. */
void		 conf_print(FILE *fp, const struct conf *c);

#endif
