/*
 * xinetd entries as read (xinetd.c), before they are mapped to replyd
 * (xattr.c): each attribute line with its operator and values.
 */
#ifndef REPLYD_IMPORT_XINETD_H
#define REPLYD_IMPORT_XINETD_H

#include "import/import.h"

struct xattr {
	char		*name;
	int		 op;		/* '=', '+' (+=) or '-' (-=) */
	struct strv	 values;
	const char	*file;		/* the entry's */
	int		 line;
};

struct xentry {
	char		*file;
	int		 line;
	char		*name;		/* NULL for defaults */
	char		*label;		/* "service NAME" or "defaults" */
	struct xattr	*attrs;
	size_t		 nattrs;
	const char	*rejected;	/* why xinetd would refuse it, or NULL */
	struct xentry	*next;
};

/* What xinetd knows of an attribute. */
struct xspec {
	const char	*name;
	int		 nvalues;	/* exactly; -1 any; -2 any, += and -= */
	int		 defaults;	/* allowed in defaults */
	const char	*why;		/* why replyd cannot carry it, or NULL */
	int		 restricts;	/* limits access: not carried, disables */
};

const struct xspec *xattr_spec(const char *);
/* A one-value attribute from the service, else from defaults, or NULL. */
const struct xattr *xattr_one(const struct xentry *, const struct xentry *,
	    const char *);
/* xproc.c: nice, umask and the rlimit_* attributes. */
void	 xproc_map(struct svc *, const struct xentry *, const struct xentry *);
void	 xattr_service(struct svclist *, const struct xentry *,
	    const struct xentry *);
void	 xattr_defaults(struct svclist *, const struct xentry *);

#endif
