/* format_spool: length-prefixed strings and numbers in an unnamed
 * temporary file, for writers that must hold part of their output until
 * every record is known (broken: the links; dot: the edges). The file is
 * the caller's; it is read back on this machine only (native byte order). */
#ifndef CRAWL_FORMAT_SPOOL_H
#define CRAWL_FORMAT_SPOOL_H

#include <stdint.h>
#include <stdio.h>

#include "buf.h"

#define FORMAT_SPOOL_STR_MAX (1u << 20) /* longer strings are spooled empty */

/* 0, or -1 when the write failed. NULL is spooled as "". */
int format_spool_put_u32(FILE *fp, uint32_t n);
int format_spool_put_str(FILE *fp, const char *s);
/* 0, or -1 at the end of the file or when it is damaged. get_str resets b
 * and leaves a NUL-terminated string in it (b's cap must exceed
 * FORMAT_SPOOL_STR_MAX). */
int format_spool_get_u32(FILE *fp, uint32_t *n);
int format_spool_get_str(FILE *fp, struct buf *b);

#endif
