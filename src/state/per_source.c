/*
 * per_source for PROXY services.
 *
 * The master counts a service's children per source before it forks,
 * by the address accept() gave it.  Behind a balancer that address is
 * the balancer's, and the real client is known only to the child, once
 * it has read the PROXY header.  So for proxy_protocol services the
 * children count themselves, in a table of shared memory that the
 * master maps once, before the first such child, and that every later
 * child inherits with fork():
 *
 *   - a child that knows its client takes a free slot, writes its
 *     service and source there, marks it ready, and only then counts
 *     the ready slots with the same service and source, its own
 *     included; over the limit it frees its slot and refuses the client.
 *     Since each child publishes before it counts, two children racing
 *     for the last place may both refuse, but never both get in;
 *   - the master frees the slot of every child it reaps (reap.c),
 *     so a child that was killed, or exec'd a program, leaves nothing
 *     behind, and a pid cannot be reused while its slot is taken.
 *
 * Slots are taken lowest first and counted up to the highest ever
 * taken, so a count touches only as many slots as children were ever
 * live at once.  When all PERSRC_SLOTS are taken a child is served
 * uncounted; max_children bounds them anyway.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/acl.h"
#include "state/per_source.h"

struct slot {
	pid_t		pid;		/* 0: free */
	int		ready;		/* service and src are written */
	uint64_t	service;	/* its name, hashed */
	struct srckey	src;
};

struct table {
	unsigned	hi;		/* slots below this may be taken */
	struct slot	s[PERSRC_SLOTS];
};

static struct table *table;

/* The table, mapped once in the master; 0, or -1 with errno. */
int
per_source_init(void)
{
	void *p;

	if (table != NULL)
		return 0;
	p = mmap(NULL, sizeof(*table), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	table = p;
	return 0;
}

/* FNV-1a over the name: services are told apart across reloads by it. */
static uint64_t
name_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static void
slot_free(struct slot *sl)
{
	__atomic_store_n(&sl->ready, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&sl->pid, 0, __ATOMIC_SEQ_CST);
}

/* Take the lowest free slot and publish service and src in it. */
static struct slot *
slot_take(uint64_t service, const struct srckey *src)
{
	pid_t zero, me = getpid();
	unsigned i, hi;

	for (i = 0; i < PERSRC_SLOTS; i++) {
		zero = 0;
		if (__atomic_compare_exchange_n(&table->s[i].pid, &zero, me,
		    0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			break;
	}
	if (i == PERSRC_SLOTS)
		return NULL;
	hi = __atomic_load_n(&table->hi, __ATOMIC_SEQ_CST);
	while (hi < i + 1 && !__atomic_compare_exchange_n(&table->hi, &hi,
	    i + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
	table->s[i].service = service;
	table->s[i].src = *src;
	__atomic_store_n(&table->s[i].ready, 1, __ATOMIC_SEQ_CST);
	return &table->s[i];
}

/*
 * In a child that knows its client: 1 if it is counted and within
 * limit, 0 if served uncounted (no table: `replyd -i`; or a full one),
 * -1 if the source already has limit children of this service.
 */
int
per_source_enter(const char *service, const struct srckey *src, int limit)
{
	uint64_t h = name_hash(service);
	struct slot *mine;
	unsigned i, hi;
	int n = 0;

	if (table == NULL || (mine = slot_take(h, src)) == NULL)
		return 0;
	hi = __atomic_load_n(&table->hi, __ATOMIC_SEQ_CST);
	for (i = 0; i < hi; i++) {
		struct slot *sl = &table->s[i];

		if (__atomic_load_n(&sl->ready, __ATOMIC_SEQ_CST) &&
		    sl->service == h && srckey_eq(&sl->src, src))
			n++;
	}
	if (n <= limit)
		return 1;
	slot_free(mine);
	return -1;
}

/* In the master, once pid is reaped: its slot, if it took one, is free. */
void
per_source_gone(pid_t pid)
{
	unsigned i, hi;

	if (table == NULL || pid <= 0)
		return;
	hi = __atomic_load_n(&table->hi, __ATOMIC_SEQ_CST);
	for (i = 0; i < hi; i++)
		if (__atomic_load_n(&table->s[i].pid, __ATOMIC_SEQ_CST) == pid)
			slot_free(&table->s[i]);
}
