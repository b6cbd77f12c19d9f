/*
 * per_source for PROXY services, counted by the children themselves in
 * memory they share with the master (per_source.c says why).
 */
#ifndef REPLYD_STATE_PER_SOURCE_H
#define REPLYD_STATE_PER_SOURCE_H

#include <sys/types.h>

struct srckey;

/* Children counted at once, over all PROXY services with per_source. */
#define PERSRC_SLOTS	4096

int	per_source_init(void);
int	per_source_fd(void);
int	per_source_adopt(int fd);
int	per_source_enter(const char *service, const struct srckey *src, int limit);
void	per_source_gone(pid_t pid);

#endif
