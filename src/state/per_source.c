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
 *
 * The table lives in a memfd, so that an upgrade can hand it to the new
 * image (per_source_fd, per_source_adopt): the old image's children
 * keep writing to the pages the new one counts and frees.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
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
static int table_fd = -1;

/* Map the table in fd; 0, or -1 with errno. */
static int
table_map(int fd)
{
	void *p;

	p = mmap(NULL, sizeof(*table), PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	if (p == MAP_FAILED)
		return -1;
	if (table != NULL)
		munmap(table, sizeof(*table));
	if (table_fd >= 0 && table_fd != fd)
		close(table_fd);
	table = p;
	table_fd = fd;
	return 0;
}

/* The table, mapped once in the master; 0, or -1 with errno. */
int
per_source_init(void)
{
	int fd, e;

	if (table != NULL)
		return 0;
	if ((fd = memfd_create("replyd-per-source", MFD_CLOEXEC)) < 0)
		return -1;
	if (ftruncate(fd, sizeof(*table)) == 0 && table_map(fd) == 0)
		return 0;
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* The table's descriptor, for an upgrade; -1 if there is none. */
int
per_source_fd(void)
{
	return table_fd;
}

/*
 * The new image of an upgrade: the old one's table, if it has the size
 * of ours (a version with another layout gets a fresh one).
 */
int
per_source_adopt(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	if (st.st_size != (off_t)sizeof(*table)) {
		errno = EPROTO;
		return -1;
	}
	return table_map(fd);
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
