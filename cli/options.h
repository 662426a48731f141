/* options: the command line. Parses argv into struct options, validates
 * every value, and prints --help / --version. Owns the option strings it
 * copies. Never starts any work. */
#ifndef CRAWL_OPTIONS_H
#define CRAWL_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "settings.h"

enum options_result {
    OPTIONS_RUN = 0,   /* crawl */
    OPTIONS_EXIT = 1,  /* --help or --version printed: exit 0 */
    OPTIONS_USAGE = -1 /* bad usage: reason in errbuf, exit 2 */
};

#define OPTIONS_DEFAULT_UA "crawl/" CRAWL_VERSION " (+https://example.invalid/crawl)"

/* Fill *o from argv. On OPTIONS_USAGE, errbuf holds a one-line reason. */
int options_parse(int argc, char **argv, struct options *o, char *errbuf, size_t errcap);
void options_usage(FILE *f);
/* Free what options_parse allocated (the include/exclude arrays). */
void options_free(struct options *o);

#endif
