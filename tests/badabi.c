/* A module built for another ABI version: replyd must refuse it. */
#include <replyd/module.h>

static int
serve(const struct replyd_peer *p, const struct replyd_settings *s)
{
	(void)p;
	(void)s;
	return 0;
}

const struct replyd_module replyd_module = {
	.abi = REPLYD_MODULE_ABI + 1,
	.name = "badabi",
	.serve = serve,
};
