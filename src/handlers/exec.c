/*
 * The "exec" handler: replace the child with an external program, the
 * connection on its stdin and stdout, in a clean environment carrying
 * the UCSPI variables (as tcpserver sets them; for a Unix domain client
 * as ucspi-unix's unixserver does) and the configured extras.
 * argv was prepared once at config load; only the per-connection
 * variables are built here.  Only fds 0, 1 and 2 survive: everything
 * replyd opens is close-on-exec, and the child has closed the rest.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "handlers/handler.h"
#include "lib/fds.h"
#include "lib/log.h"

/* conf.c allows at most CONF_MAX_ENV entries in exec.env and passenv. */
#define EXEC_ENV_FIXED 12
#define EXEC_VARS 8		/* built per connection, at most */
#define EXEC_VARLEN (ADDR_UNIX_PATH_MAX + 32)

static void
setvar(char **envp, size_t *n, char *buf, size_t bufsz, const char *name,
    const char *value)
{
	snprintf(buf, bufsz, "%s=%s", name, value);
	envp[(*n)++] = buf;
}

static void
setnum(char **envp, size_t *n, char *buf, size_t bufsz, const char *name,
    long value)
{
	snprintf(buf, bufsz, "%s=%ld", name, value);
	envp[(*n)++] = buf;
}

/*
 * A Unix domain client, as ucspi-unix's unixserver describes it: the
 * socket's path, our own ids and pid (the program's, after the drop of
 * privileges), and the peer's from SO_PEERCRED.
 */
static void
unix_vars(const struct conn *c, char **envp, size_t *n,
    char vars[][EXEC_VARLEN])
{
	setvar(envp, n, vars[1], EXEC_VARLEN, "UNIXLOCALPATH", c->unix_path);
	setnum(envp, n, vars[2], EXEC_VARLEN, "UNIXLOCALUID", (long)getuid());
	setnum(envp, n, vars[3], EXEC_VARLEN, "UNIXLOCALGID", (long)getgid());
	setnum(envp, n, vars[4], EXEC_VARLEN, "UNIXLOCALPID", (long)getpid());
	if (c->unix_pid <= 0)
		return;		/* the credentials are unknown */
	setnum(envp, n, vars[5], EXEC_VARLEN, "UNIXREMOTEEUID",
	    (long)c->unix_uid);
	setnum(envp, n, vars[6], EXEC_VARLEN, "UNIXREMOTEEGID",
	    (long)c->unix_gid);
	setnum(envp, n, vars[7], EXEC_VARLEN, "UNIXREMOTEPID",
	    (long)c->unix_pid);
}

/*
 * exec.passenv: the master's own "NAME=value" entry, as it stands in
 * its environment (read only, nothing copied): 0, or -1 if not set.
 */
static int
passed(const char *name, char **out)
{
	size_t len = strlen(name);
	char **e;

	for (e = environ; e != NULL && *e != NULL; e++)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=') {
			*out = *e;
			return 0;
		}
	return -1;
}

/*
 * Build the environment and execve; returns only if execve failed, with
 * errno set.  It writes nothing but its own stack and logs nothing, so
 * it is safe in a child that shares the master's memory (spawn.c).
 */
void
exec_run(const struct conn *c)
{
	const struct service *s = c->svc;
	char vars[EXEC_VARS][EXEC_VARLEN];
	char *envp[2 * CONF_MAX_ENV + EXEC_ENV_FIXED + 1];
	size_t n = 0, i;
	int has_path = 0;

	/* exec.env comes first so that it can set PATH itself. */
	for (i = 0; s->exec.env != NULL && s->exec.env[i] != NULL; i++) {
		envp[n++] = s->exec.env[i];
		has_path |= strncmp(s->exec.env[i], "PATH=", 5) == 0;
	}
	for (i = 0; s->exec.passenv != NULL && s->exec.passenv[i] != NULL; i++)
		if (passed(s->exec.passenv[i], &envp[n]) == 0)
			has_path |= strncmp(envp[n++], "PATH=", 5) == 0;
	if (!has_path)
		envp[n++] = "PATH=/usr/local/bin:/usr/bin:/bin";
	envp[n++] = c->is_unix ? "PROTO=UNIX" : s->proto == PROTO_UDP ?
	    "PROTO=UDP" : "PROTO=TCP";
	setvar(envp, &n, vars[0], sizeof(vars[0]), "REPLYD_SERVICE", s->name);
	if (c->is_unix)
		unix_vars(c, envp, &n, vars);
	else if (c->is_socket) {
		const char *p = s->proto == PROTO_UDP ? "UDP" : "TCP";
		char name[32];

		snprintf(name, sizeof(name), "%sLOCALIP", p);
		setvar(envp, &n, vars[1], sizeof(vars[1]), name, c->local.ip);
		snprintf(name, sizeof(name), "%sLOCALPORT", p);
		setvar(envp, &n, vars[2], sizeof(vars[2]), name, c->local.port);
		snprintf(name, sizeof(name), "%sREMOTEIP", p);
		setvar(envp, &n, vars[3], sizeof(vars[3]), name, c->remote.ip);
		snprintf(name, sizeof(name), "%sREMOTEPORT", p);
		setvar(envp, &n, vars[4], sizeof(vars[4]), name, c->remote.port);
	}
	envp[n] = NULL;

	/*
	 * The program's own reads and writes on the connection fail after
	 * `timeout` idle seconds: the kernel enforces the idle timeout that
	 * the built-in handlers enforce with poll().
	 */
	if (c->is_socket) {
		struct timeval tv = { .tv_sec = s->timeout };

		setsockopt(0, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(0, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	/*
	 * Whatever else is open (under inetd nobody closed what we
	 * inherited) closes at execve.  Marking rather than closing keeps
	 * the syslog socket usable for the failure line in handler_exec.
	 */
	fds_cloexec_from(3);
	execve(s->exec.program, s->exec.argv, envp);
}

void
exec_failed(const struct conn *c, int err)
{
	char line[512];
	int n;

	n = snprintf(line, sizeof(line), "cannot run %s: %s\n",
	    c->svc->exec.program, strerrordesc_np(err) ? strerrordesc_np(err) :
	    "unknown error");
	if (n > 0)
		(void)!write(2, line, (size_t)n < sizeof(line) ? (size_t)n :
		    sizeof(line) - 1);
}

int
handler_exec(const struct conn *c)
{
	exec_run(c);
	log_msg(LOG_ERR, "%s: %s: cannot run %s: %s", c->svc->name, c->peer,
	    c->svc->exec.program, strerror(errno));
	return EX_OSERR;
}
