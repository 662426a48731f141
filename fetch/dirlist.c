/* dirlist: an autoindex-style HTML listing of one directory (dirlist.h).
 * Bounded: at most DIRLIST_MAX_ENTRIES names, and out's own cap. */
#include "dirlist.h"

#include "xalloc.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* name percent-encoded for an href: all but RFC 3986 unreserved bytes. */
static int dirlist_put_href(struct buf *out, const char *name)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p && rc == 0; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p)) {
            rc = buf_append_char(out, (char)*p);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            rc = buf_append(out, esc, 3);
        }
    }
    return rc;
}

/* text HTML-escaped. */
static int dirlist_put_text(struct buf *out, const char *text)
{
    int rc = 0;
    for (const char *p = text; *p && rc == 0; p++) {
        if (*p == '&')
            rc = buf_append_str(out, "&amp;");
        else if (*p == '<')
            rc = buf_append_str(out, "&lt;");
        else if (*p == '>')
            rc = buf_append_str(out, "&gt;");
        else
            rc = buf_append_char(out, *p);
    }
    return rc;
}

static int dirlist_visible(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

int dirlist_html(const char *dir, const char *title, struct buf *out)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, dirlist_visible, alphasort), rc = 0;
    if (n < 0)
        return -1;
    rc |= buf_append_str(out,
                         "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ");
    rc |= dirlist_put_text(out, title);
    rc |= buf_append_str(out, "</title></head><body>\n");
    for (int i = 0; i < n; i++) {
        if (rc == 0 && i < DIRLIST_MAX_ENTRIES) {
            size_t dl = strlen(dir), nl = strlen(names[i]->d_name);
            char *path = xmalloc(dl + nl + 2);
            struct stat st;
            memcpy(path, dir, dl);
            path[dl] = '/';
            memcpy(path + dl + 1, names[i]->d_name, nl + 1);
            int is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
            free(path);
            rc |= buf_append_str(out, "<a href=\"");
            rc |= dirlist_put_href(out, names[i]->d_name);
            rc |= buf_append_str(out, is_dir ? "/\">" : "\">");
            rc |= dirlist_put_text(out, names[i]->d_name);
            rc |= buf_append_str(out, is_dir ? "/</a>\n" : "</a>\n");
        }
        free(names[i]);
    }
    free(names);
    rc |= buf_append_str(out, "</body></html>\n");
    return rc ? BUF_ERR_CAP : 0;
}
