/*
 * sandboxmod.so: a module for t-sandbox.sh that tries what its `try`
 * setting names (sandbox_try.h) before answering, or only answers.
 */
#include <replyd/module.h>

#include "sandbox_try.h"

static int
try_serve(const struct replyd_peer *peer, const struct replyd_settings *s)
{
	const char *what = replyd_setting(s, "try");
	char line[256] = "nothing tried\n";

	(void)peer;
	if (what != NULL)
		sandbox_try(what, line, sizeof(line));
	return write(1, line, strlen(line)) < 0;
}

const struct replyd_module replyd_module = {
	.abi = REPLYD_MODULE_ABI,
	.name = "sandboxmod",
	.serve = try_serve,
};
