/*
 * The `sandbox` group: which seccomp profile a service's children get
 * and which system calls it adds, whether they get a network, which file
 * system and a /tmp of their own.  System calls are checked against libseccomp's names
 * for this architecture when the file is read, so that a misspelt call
 * is a configuration error with its file and line, never a filter that
 * silently allows less (or more) than written.  The filter itself is
 * built from this by the process that serves (child/sandbox.c), and
 * what of the rest this host can give is tried there (child/confine.c).
 */
#include "config.h"

#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "conf/internal.h"

/* By enum sandbox_syscalls. */
const char *const conf_sandbox_profiles[] = {
	"handler", "module", "service", "none", NULL
};

/* By enum sandbox_fs. */
const char *const conf_sandbox_fs[] = {
	"full", "read-only", "empty", NULL
};

#define SB_MAX_ALLOW	256

static int
sandbox_allow(struct conf_ctx *x, struct sandbox_spec *sb,
    const config_setting_t *s)
{
	char **v = NULL;
	size_t i;
	int bad = 0;

	if (conf_get_strv(x, s, "sandbox.allow", NULL, SB_MAX_ALLOW, &v) < 0)
		return -1;
	for (i = 0; v[i] != NULL; i++) {
		if (seccomp_syscall_resolve_name(v[i]) != __NR_SCMP_ERROR)
			continue;
		conf_errf(x, s, "sandbox.allow must name system calls of this "
		    "architecture, such as \"socket\" (got \"%.64s\")", v[i]);
		bad = 1;
	}
	if (bad) {
		conf_strv_free(v);
		return -1;
	}
	conf_strv_free(sb->allow);
	sb->allow = v;
	return 0;
}

/*
 * sandbox = { syscalls = "module"; allow = [ "socket" ]; }: each member
 * given replaces the inherited one, as in exec.
 */
int
conf_parse_sandbox(struct conf_ctx *x, struct service *svc,
    const config_setting_t *s)
{
	const config_setting_t *e;
	const char *name;
	char buf[96];
	int i, rc = 0;

	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		conf_errf(x, s, "sandbox must be a group { syscalls = "
		    "\"...\"; allow = [...]; } (got %s)",
		    conf_got(x, s, buf, sizeof(buf)));
		return -1;
	}
	for (i = 0; (e = config_setting_get_elem(s, i)) != NULL; i++) {
		name = config_setting_name(e);
		if (strcmp(name, "syscalls") == 0)
			rc |= conf_get_enum(x, e, "sandbox.syscalls",
			    conf_sandbox_profiles, &svc->sandbox.syscalls);
		else if (strcmp(name, "allow") == 0)
			rc |= sandbox_allow(x, &svc->sandbox, e);
		else if (strcmp(name, "network") == 0)
			rc |= conf_get_bool(x, e, "sandbox.network",
			    &svc->sandbox.network);
		else if (strcmp(name, "filesystem") == 0)
			rc |= conf_get_enum(x, e, "sandbox.filesystem",
			    conf_sandbox_fs, &svc->sandbox.filesystem);
		else if (strcmp(name, "private_tmp") == 0)
			rc |= conf_get_bool(x, e, "sandbox.private_tmp",
			    &svc->sandbox.private_tmp);
		else {
			conf_errf(x, e, "unknown key \"sandbox.%s\" (allowed: "
			    "syscalls, allow, network, filesystem, "
			    "private_tmp)", name);
			rc = -1;
		}
	}
	return rc;
}

/*
 * Without syscalls the handler's kind decides: the built-ins are ours
 * and need little, a module is C code of someone else's, an exec'd
 * program is anything.  The handler is known here by its name.
 */
void
conf_sandbox_default(struct service *svc)
{
	const char *h = svc->handler_name ? svc->handler_name : "";

	if (svc->sandbox.syscalls != SB_BY_KIND)
		return;
	if (strcmp(h, "exec") == 0)
		svc->sandbox.syscalls = SB_SERVICE;
	else if (strcmp(h, "module") == 0)
		svc->sandbox.syscalls = SB_MODULE;
	else
		svc->sandbox.syscalls = SB_HANDLER;
}

void
conf_sandbox_free(struct sandbox_spec *sb)
{
	conf_strv_free(sb->allow);
	sb->allow = NULL;
}
