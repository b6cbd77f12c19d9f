/*
 * Closing, or marking close-on-exec, every descriptor from lo up.
 */
#ifndef REPLYD_LIB_FDS_H
#define REPLYD_LIB_FDS_H

#include <stddef.h>

int	fds_close_from(int lo);
int	fds_cloexec_from(int lo);
int	fds_close_all_but(const int *keep, size_t n);

#endif
