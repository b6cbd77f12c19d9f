/*
 * The text of a configuration as libconfig is given it: the file and
 * every file it @includes, read by replyd itself and joined into one
 * string, with a map back from each line of that string to the file and
 * line it came from, and what libconfig 1.5 cannot tell: which integer
 * literals it silently wrapped.  No libconfig here.
 */
#ifndef REPLYD_CONF_TEXT_H
#define REPLYD_CONF_TEXT_H

#include <stddef.h>

#define CONF_TEXT_MAX		(16 * 1024 * 1024)	/* all files together */
#define CONF_INCLUDE_DEPTH	10
/*
 * @include lines read per load, all files together: depth alone lets
 * four files of fifty includes each make 6 million reads.
 */
#define CONF_INCLUDE_MAX	1000

/* An integer literal of the text, as written and as libconfig reads it. */
struct conf_literal {
	unsigned	 line;		/* of the joined text */
	unsigned	 assign;	/* of the '=' before it: the setting's */
	long long	 value;		/* what libconfig makes of it */
	int		 is64;		/* written with L: a 64-bit setting */
	int		 wrapped;	/* value is not what was written */
	char		 text[32];
};

struct conf_text {
	char			 *buf;		/* NUL-terminated */
	size_t			  len;
	char			**files;	/* [0]: the file itself */
	size_t			  nfiles;
	struct conf_origin {
		unsigned	  file;		/* index into files */
		unsigned	  line;
	}			 *lines;	/* lines[n - 1]: line n's origin */
	size_t			  nlines;
	struct conf_literal	 *lits;
	size_t			  nlits;
	size_t			  nincludes;	/* @include lines followed */
	char			**errs;		/* "FILE:LINE: ..." while reading */
	size_t			  nerrs;
};

/*
 * Open a file to read without ever blocking (a FIFO opens at once) and
 * keep it only if it is a regular file: the fd, or -1 with why in err.
 */
int	conf_open_regular(const char *path, char *err, size_t errsz);
int	conf_text_read(struct conf_text *t, const char *path);
void	conf_text_free(struct conf_text *t);
/* Where line n of the joined text was written; line 0 if n is 0. */
const char *conf_text_where(const struct conf_text *t, unsigned n,
	    unsigned *line);
/*
 * Whether an integer setting of value v on line n was a literal that
 * libconfig wrapped: the literal, or NULL.  k: which of the settings of
 * that line and value it is, in the file's order (-1: any).
 */
const char *conf_text_wrapped(const struct conf_text *t, unsigned n,
	    long long v, int is64, int k);
/* Whether k matters: such literals, some wrapped and some not. */
int	conf_text_mixed(const struct conf_text *t, unsigned n, long long v,
	    int is64);
/* libconfig's terse message for line n, with what the line shows. */
void	conf_text_explain(const struct conf_text *t, unsigned n,
	    const char *what, char *out, size_t outsz);

#endif
