/*
 * What the two sides of an upgrade share (upgrade.c, the old image;
 * upgrade_adopt.c, the new one): where the state is found, its first
 * line, and lists of descriptors.
 */
#ifndef REPLYD_MASTER_UPGRADE_INT_H
#define REPLYD_MASTER_UPGRADE_INT_H

#include <stddef.h>

#define UPGRADE_ENV	"REPLYD_UPGRADE"	/* the state's fd */
#define TRIAL_ENV	"REPLYD_UPGRADE_TRIAL"	/* a trial's channel */
#define UPGRADE_MAGIC	"replyd-upgrade "

/* Descriptors handed over (old image) or to keep (new image). */
struct fdlist {
	int	*v;
	size_t	 n, cap;
};

void	upgrade_fdlist_add(struct fdlist *l, int fd);
void	upgrade_fdlist_free(struct fdlist *l);

#endif
