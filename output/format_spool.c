/* format_spool: the temporary-file encoding shared by the writers that
 * spool. No policy: what is spooled, and when it is read, is theirs. */
#include "format_spool.h"

#include <string.h>

int format_spool_put_u32(FILE *fp, uint32_t n)
{
    return fwrite(&n, sizeof n, 1, fp) == 1 ? 0 : -1;
}

int format_spool_put_str(FILE *fp, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    uint32_t len = n < FORMAT_SPOOL_STR_MAX ? (uint32_t)n : 0;
    if (format_spool_put_u32(fp, len) < 0)
        return -1;
    return fwrite(s ? s : "", 1, len, fp) == len ? 0 : -1;
}

int format_spool_get_u32(FILE *fp, uint32_t *n)
{
    return fread(n, sizeof *n, 1, fp) == 1 ? 0 : -1;
}

int format_spool_get_str(FILE *fp, struct buf *b)
{
    uint32_t n;
    char chunk[4096];
    buf_reset(b);
    if (format_spool_get_u32(fp, &n) < 0 || n > FORMAT_SPOOL_STR_MAX)
        return -1;
    buf_append(b, "", 0); /* data is a string even when empty */
    while (n > 0) {
        size_t k = n < sizeof chunk ? n : sizeof chunk;
        if (fread(chunk, 1, k, fp) != k || buf_append(b, chunk, k) < 0)
            return -1;
        n -= (uint32_t)k;
    }
    return 0;
}
