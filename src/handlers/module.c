/*
 * The "module" handler: a C handler in a shared object (see
 * include/replyd/module.h).  Reading the configuration only notes the
 * module's path and settings; module_conf_load() loads the modules of a
 * loaded configuration, in the process that will serve with them (the
 * master, at start and at each reload, or `replyd -i`), and
 * module_conf_check() does it in a child that only reports, for -t and
 * -T.  Each child only calls serve(), with no exec and no dlopen per
 * connection.  What was loaded for which service is this file's own
 * list; the configuration holds no handle.
 *
 * A module is loaded from a private copy, a sealed memfd opened by
 * dlopen() through /proc/self/fd: the dynamic linker maps the file it
 * is given, so a module rewritten in place on disk would change the
 * code under a running master (and crash it), and one rebuilt at the
 * same path would be found by name and not loaded again.  The copy is
 * read when the configuration is loaded, so a reload serves what is on
 * disk then; the copy of the old configuration is unloaded with it.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include <replyd/module.h>

#include "conf/text.h"
#include "handlers/handler.h"
#include "lib/cov.h"
#include "lib/log.h"

/* A module this process loaded, and the service it was loaded for. */
struct loaded {
	const struct service		*svc;
	const struct replyd_module	*mod;
	void				*dl;	/* dlopen()'s handle */
};

static struct loaded	*loaded;
static size_t		 nloaded;

static struct loaded *
loaded_find(const struct service *svc)
{
	size_t i;

	for (i = 0; i < nloaded; i++)
		if (loaded[i].svc == svc)
			return &loaded[i];
	return NULL;
}

static void
settings_of(const struct module_spec *m, struct replyd_settings *s)
{
	s->n = m->n;
	s->keys = (const char *const *)m->keys;
	s->values = (const char *const *)m->values;
}

static int
write_all(int fd, const char *buf, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, buf, n)) < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		buf += w;
		n -= w;
	}
	return 0;
}

/* A sealed copy of the file at path in a memfd; -1 with why in err. */
static int
private_copy(const char *path, char *err, size_t errlen)
{
	char buf[65536], why[256];
	ssize_t n;
	int in, out;

	if ((in = conf_open_regular(path, why, sizeof(why))) < 0) {
		snprintf(err, errlen, "cannot read: %s", why);
		return -1;
	}
	if ((out = memfd_create("replyd-module", MFD_CLOEXEC |
	    MFD_ALLOW_SEALING)) < 0) {
		snprintf(err, errlen, "cannot copy: memfd_create: %s",
		    strerror(errno));
		close(in);
		return -1;
	}
	for (;;) {
		if ((n = read(in, buf, sizeof(buf))) < 0 && errno == EINTR)
			continue;
		if (n <= 0 || write_all(out, buf, n) < 0)
			break;
	}
	close(in);
	if (n != 0) {
		snprintf(err, errlen, "cannot copy: %s", strerror(errno));
		close(out);
		return -1;
	}
	/* Nobody, not even a process that finds the descriptor, changes it. */
	fcntl(out, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
	    F_SEAL_SEAL);
	return out;
}

/*
 * dlopen() the copy by its /proc/self/fd name.  The dynamic linker knows
 * libraries by name first: if an earlier copy under the same descriptor
 * number is still loaded, it would hand that one back, so the copy moves
 * to another number first.
 */
static void *
open_copy(int fd, char *err, size_t errlen)
{
	char name[64];
	void *dl;
	int tries, moved;

	for (tries = 0; tries < 16; tries++) {
		snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
		if ((dl = dlopen(name, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD)) ==
		    NULL)
			break;
		dlclose(dl);
		if ((moved = fcntl(fd, F_DUPFD_CLOEXEC, fd + 1)) < 0)
			break;
		close(fd);
		fd = moved;
	}
	dl = dlopen(name, RTLD_NOW | RTLD_LOCAL);
	if (dl == NULL)
		snprintf(err, errlen, "cannot load: %s", dlerror());
	close(fd);	/* the mappings stay */
	return dl;
}

/* Load m into l (l->dl is set, even on failure, once dlopen() worked). */
static int
module_load(const struct module_spec *m, struct loaded *l, char *err,
    size_t errlen)
{
	const struct replyd_module *mod;
	struct replyd_settings s;
	int fd;

	if ((fd = private_copy(m->path, err, errlen)) < 0 ||
	    (l->dl = open_copy(fd, err, errlen)) == NULL)
		return -1;
	if ((mod = dlsym(l->dl, "replyd_module")) == NULL) {
		snprintf(err, errlen, "has no symbol replyd_module (is it a "
		    "replyd module?)");
		return -1;
	}
	if (mod->abi != REPLYD_MODULE_ABI) {
		snprintf(err, errlen, "has module ABI version %d, this replyd "
		    "supports %d: rebuild it against this replyd's "
		    "<replyd/module.h>", mod->abi, REPLYD_MODULE_ABI);
		return -1;
	}
	if (mod->serve == NULL) {
		snprintf(err, errlen, "has no serve function");
		return -1;
	}
	settings_of(m, &s);
	err[0] = '\0';
	if (mod->check != NULL && mod->check(&s, err, errlen) != 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "refused its settings");
		return -1;
	}
	l->mod = mod;
	return 0;
}

static int
remember(const struct loaded *l, char *err, size_t errlen)
{
	struct loaded *grown;

	if ((grown = reallocarray(loaded, nloaded + 1, sizeof(*grown))) ==
	    NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	loaded = grown;
	loaded[nloaded++] = *l;
	return 0;
}

/*
 * Load every module c names that is not loaded yet: 0, or -1 with each
 * problem in errs (what did load stays, for module_conf_unload()).
 */
int
module_conf_load(const struct conf *c, struct errlist *errs)
{
	const struct service *svc;
	struct loaded l;
	char err[512];
	int rc = 0;

	for (svc = c->svc; svc < c->svc + c->nsvc; svc++) {
		if (!svc->module.seen || loaded_find(svc) != NULL)
			continue;
		l = (struct loaded){ .svc = svc };
		if (module_load(&svc->module, &l, err, sizeof(err)) == 0 &&
		    remember(&l, err, sizeof(err)) == 0)
			continue;
		if (l.dl != NULL)
			dlclose(l.dl);
		errlist_add(errs, "%s: module \"%s\": %s", svc->module.where,
		    svc->module.path, err);
		rc = -1;
	}
	return rc;
}

void
module_conf_unload(const struct conf *c)
{
	const struct service *svc;
	struct loaded *l;

	for (svc = c->svc; svc < c->svc + c->nsvc; svc++)
		if ((l = loaded_find(svc)) != NULL) {
			dlclose(l->dl);
			*l = loaded[--nloaded];
		}
	if (nloaded == 0) {
		free(loaded);
		loaded = NULL;
	}
}

/*
 * Load c's modules in a child process that only reports, so that a
 * check runs no module code (constructors, check()) in the process that
 * asked.  The child's messages go to stderr like any other.  0 if every
 * module loads, else -1.
 */
int
module_conf_check(const struct conf *c, const sigset_t *block)
{
	struct errlist errs = { 0 };
	size_t i, n = 0;
	int status;
	pid_t pid;

	for (i = 0; i < c->nsvc; i++)
		n += c->svc[i].module.seen;
	if (n == 0)
		return 0;
	fflush(NULL);
	if ((pid = fork()) < 0) {
		log_msg(LOG_ERR, "%s: cannot check the modules: fork: %s",
		    c->path, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (block != NULL)
			sigprocmask(SIG_BLOCK, block, NULL);
		module_conf_load(c, &errs);
		errlist_log(&errs);
		cov_exit(errs.n > 0 ? EX_CONFIG : 0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status) == 0 ? 0 : -1;
	log_msg(LOG_ERR, "%s: checking the modules: killed by signal %d",
	    c->path, WTERMSIG(status));
	return -1;
}

int
handler_module(const struct conn *c)
{
	const struct service *svc = c->svc;
	const struct loaded *l = loaded_find(svc);
	struct replyd_settings s;
	struct replyd_peer p = {
		.service = svc->name,
		.proto = c->is_unix ? "UNIX" : svc->proto == PROTO_UDP ? "UDP" :
		    "TCP",
		.local_ip = c->local.ip,
		.local_port = c->local.port,
		.remote_ip = c->remote.ip,
		.remote_port = c->remote.port,
	};

	if (l == NULL) {
		log_msg(LOG_ERR, "%s: module \"%s\" is not loaded", svc->name,
		    svc->module.path);
		return EX_SOFTWARE;
	}
	settings_of(&svc->module, &s);
	return l->mod->serve(&p, &s);
}
