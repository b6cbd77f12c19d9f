/*
 * The child table.  It is searched linearly: it holds at most the sum of
 * every service's max_children (64 by default), and a linear scan of a
 * few dozen entries costs less than any index would to keep up.  It is
 * the master's alone (ownmem.h): written for every connection, it is
 * never copied into a child, and no child reads it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/ownmem.h"
#include "master/children.h"

void
children_free(struct children *k)
{
	ownmem_free(k->v, k->cap, sizeof(*k->v));
	k->v = NULL;
	k->n = k->cap = 0;
}

/* A new zeroed entry, or NULL when out of memory. */
struct child *
children_add(struct children *k)
{
	struct child *v;

	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 64;

		if ((v = ownmem_resize(k->v, k->cap, cap, sizeof(*v))) == NULL)
			return NULL;
		k->v = v;
		k->cap = cap;
	}
	v = &k->v[k->n++];
	memset(v, 0, sizeof(*v));
	v->relay.fd = v->relay.out = -1;
	v->err.fd = -1;
	v->conn = v->held = -1;
	return v;
}

struct child *
children_find(struct children *k, pid_t pid)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (k->v[i].pid == pid)
			return &k->v[i];
	return NULL;
}

/* A child leaves the table once reaped (or never started). */
void
children_remove(struct children *k, struct child *kid)
{
	*kid = k->v[--k->n];
}

/* Live children of service r from the source src. */
size_t
children_from(const struct children *k, const struct svc_state *r,
    const struct srckey *src)
{
	size_t i, n = 0;

	for (i = 0; i < k->n; i++)
		if (k->v[i].run == r && srckey_eq(&k->v[i].src, src))
			n++;
	return n;
}

/*
 * After a reload: each child now counts against the service of the same
 * name in the new configuration, if there is one.
 */
void
children_remap(struct children *k, struct run_state *r)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		if (k->v[i].run != NULL)
			k->v[i].run = run_find(r, k->v[i].run->svc->name);
		if (k->v[i].run != NULL)
			k->v[i].run->active++;
	}
}
