/*
 * The "module" handler: a C handler in a shared object (see
 * include/replyd/module.h).  The master loads it once at config time and
 * checks it; each child only calls serve(), with no exec and no dlopen
 * per connection.  Modules are never unloaded: a reload that names the
 * same file gets the same handle back from the dynamic linker.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <replyd/module.h>

#include "handler.h"

static void
settings_of(const struct module_spec *m, struct replyd_settings *s)
{
	s->n = m->n;
	s->keys = (const char *const *)m->keys;
	s->values = (const char *const *)m->values;
}

int
module_load(struct module_spec *m, char *err, size_t errlen)
{
	const struct replyd_module *mod;
	struct replyd_settings s;
	void *dl;

	if ((dl = dlopen(m->path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(err, errlen, "cannot load: %s", dlerror());
		return -1;
	}
	if ((mod = dlsym(dl, "replyd_module")) == NULL) {
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
	m->mod = mod;
	return 0;
}

int
handler_module(const struct conn *c)
{
	const struct service *svc = c->svc;
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

	settings_of(&svc->module, &s);
	return svc->module.mod->serve(&p, &s);
}
