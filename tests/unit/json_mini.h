/* json_mini: a small JSON reader for the unit tests' data files (not for
 * production input). Builds a tree; strings come out as UTF-8 with their
 * length (they may hold NUL from \u0000). Header-only: every function is
 * static inline so each test can include it without unused warnings. */
#ifndef CRAWL_TEST_JSON_MINI_H
#define CRAWL_TEST_JSON_MINI_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum jm_type { JM_NULL, JM_BOOL, JM_NUM, JM_STR, JM_ARR, JM_OBJ };

struct jm {
    enum jm_type type;
    char *key; /* member name when inside an object */
    char *s;   /* JM_STR: UTF-8, NUL-terminated */
    size_t len;
    double num;
    int boolean;
    struct jm *kids; /* JM_ARR / JM_OBJ members */
    size_t nkids;
};

struct jm_in {
    const char *p, *end;
    int depth;
};

static inline void jm_free_kids(struct jm *v)
{
    for (size_t i = 0; i < v->nkids; i++) {
        jm_free_kids(&v->kids[i]);
        free(v->kids[i].key);
        free(v->kids[i].s);
    }
    free(v->kids);
}

static inline void jm_free(struct jm *v)
{
    if (!v)
        return;
    jm_free_kids(v);
    free(v->key);
    free(v->s);
    free(v);
}

static inline void jm_ws(struct jm_in *in)
{
    while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' || *in->p == '\n' || *in->p == '\r'))
        in->p++;
}

static inline int jm_hex4(struct jm_in *in, unsigned *out)
{
    unsigned v = 0;
    if (in->end - in->p < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        char c = *in->p++;
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static inline size_t jm_utf8(unsigned cp, char *u)
{
    if (cp < 0x80) {
        u[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    u[0] = (char)(0xF0 | (cp >> 18));
    u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Parses a string at in->p (at the opening quote). */
static inline char *jm_string(struct jm_in *in, size_t *len)
{
    in->p++;
    size_t cap = 16, n = 0;
    char *s = malloc(cap);
    while (s && in->p < in->end && *in->p != '"') {
        char u[4];
        size_t k = 1;
        unsigned cp;
        u[0] = *in->p++;
        if (u[0] == '\\') {
            if (in->p >= in->end)
                break;
            char e = *in->p++;
            switch (e) {
            case 'b':
                u[0] = '\b';
                break;
            case 'f':
                u[0] = '\f';
                break;
            case 'n':
                u[0] = '\n';
                break;
            case 'r':
                u[0] = '\r';
                break;
            case 't':
                u[0] = '\t';
                break;
            case 'u':
                if (jm_hex4(in, &cp) < 0)
                    goto fail;
                if (cp >= 0xD800 && cp <= 0xDBFF && in->end - in->p >= 6 && in->p[0] == '\\' &&
                    in->p[1] == 'u') {
                    unsigned lo;
                    in->p += 2;
                    if (jm_hex4(in, &lo) < 0)
                        goto fail;
                    if (lo >= 0xDC00 && lo <= 0xDFFF)
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                k = jm_utf8(cp, u);
                break;
            default:
                u[0] = e;
                break;
            }
        }
        if (n + k + 1 > cap) {
            cap = (n + k + 1) * 2;
            char *t = realloc(s, cap);
            if (!t)
                goto fail;
            s = t;
        }
        memcpy(s + n, u, k);
        n += k;
    }
    if (!s || in->p >= in->end)
        goto fail;
    in->p++;
    s[n] = '\0';
    *len = n;
    return s;
fail:
    free(s);
    return NULL;
}

static inline int jm_value(struct jm_in *in, struct jm *v);

static inline int jm_members(struct jm_in *in, struct jm *v, char close, int named)
{
    size_t cap = 0;
    in->p++;
    jm_ws(in);
    if (in->p < in->end && *in->p == close) {
        in->p++;
        return 0;
    }
    for (;;) {
        if (v->nkids == cap) {
            cap = cap ? cap * 2 : 8;
            struct jm *k = realloc(v->kids, cap * sizeof *k);
            if (!k)
                return -1;
            v->kids = k;
        }
        struct jm *kid = &v->kids[v->nkids];
        memset(kid, 0, sizeof *kid);
        v->nkids++;
        jm_ws(in);
        if (named) {
            size_t kl;
            if (in->p >= in->end || *in->p != '"' || !(kid->key = jm_string(in, &kl)))
                return -1;
            jm_ws(in);
            if (in->p >= in->end || *in->p != ':')
                return -1;
            in->p++;
        }
        if (jm_value(in, kid) < 0)
            return -1;
        jm_ws(in);
        if (in->p < in->end && *in->p == ',') {
            in->p++;
            continue;
        }
        if (in->p < in->end && *in->p == close) {
            in->p++;
            return 0;
        }
        return -1;
    }
}

static inline int jm_value(struct jm_in *in, struct jm *v)
{
    jm_ws(in);
    if (in->p >= in->end || in->depth > 64)
        return -1;
    char c = *in->p;
    int rc;
    if (c == '{' || c == '[') {
        v->type = c == '{' ? JM_OBJ : JM_ARR;
        in->depth++;
        rc = jm_members(in, v, c == '{' ? '}' : ']', c == '{');
        in->depth--;
        return rc;
    }
    if (c == '"') {
        v->type = JM_STR;
        return (v->s = jm_string(in, &v->len)) ? 0 : -1;
    }
    if ((size_t)(in->end - in->p) >= 4 && memcmp(in->p, "null", 4) == 0) {
        v->type = JM_NULL;
        in->p += 4;
        return 0;
    }
    if ((size_t)(in->end - in->p) >= 4 && memcmp(in->p, "true", 4) == 0) {
        v->type = JM_BOOL;
        v->boolean = 1;
        in->p += 4;
        return 0;
    }
    if ((size_t)(in->end - in->p) >= 5 && memcmp(in->p, "false", 5) == 0) {
        v->type = JM_BOOL;
        in->p += 5;
        return 0;
    }
    char tmp[64];
    size_t n = 0;
    while (in->p < in->end && n < sizeof tmp - 1 && strchr("+-0123456789.eE", *in->p))
        tmp[n++] = *in->p++;
    if (n == 0)
        return -1;
    tmp[n] = '\0';
    v->type = JM_NUM;
    v->num = strtod(tmp, NULL);
    return 0;
}

/* Parse len bytes of JSON; NULL on a syntax error. Free with jm_free. */
static inline struct jm *jm_parse(const char *text, size_t len)
{
    struct jm_in in = {text, text + len, 0};
    struct jm *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    if (jm_value(&in, v) < 0) {
        jm_free(v);
        return NULL;
    }
    return v;
}

/* Parse a whole file; NULL if it cannot be read or parsed. */
/* A whole file, malloc'd (the caller frees it), its length in *len; NULL
 * when it cannot be read. */
static inline char *jm_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, r;
    char *data = malloc(cap);
    while (data && (r = fread(data + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *t = realloc(data, cap *= 2);
            if (!t)
                free(data);
            data = t;
        }
    }
    fclose(f);
    *len = n;
    return data;
}

static inline struct jm *jm_parse_file(const char *path)
{
    size_t n;
    char *data = jm_read_file(path, &n);
    if (!data)
        return NULL;
    struct jm *v = jm_parse(data, n);
    free(data);
    return v;
}

static inline const struct jm *jm_get(const struct jm *v, const char *key)
{
    if (!v || v->type != JM_OBJ)
        return NULL;
    for (size_t i = 0; i < v->nkids; i++)
        if (v->kids[i].key && strcmp(v->kids[i].key, key) == 0)
            return &v->kids[i];
    return NULL;
}

/* String member `key` of v, or NULL. */
static inline const char *jm_str(const struct jm *v, const char *key)
{
    const struct jm *m = jm_get(v, key);
    return m && m->type == JM_STR ? m->s : NULL;
}

/* Turn a UTF-8 string of code points U+0000..U+00FF back into the bytes
 * they stand for (the data files store raw bytes "decoded as latin1").
 * Writes into out (at least len+1 bytes); returns the byte count. */
static inline size_t jm_latin1_bytes(const char *s, size_t len, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xE0) == 0xC0 && i + 1 < len) {
            out[n++] = (char)(((c & 0x1F) << 6) | ((unsigned char)s[i + 1] & 0x3F));
            i++;
        } else {
            out[n++] = (char)c;
        }
    }
    out[n] = '\0';
    return n;
}

/* The "cases" array of a testdata file (dir/file), the parsed file in
 * *root (jm_free it); NULL, after saying "SKIP: ... <what> not run", when
 * the file is absent or has no such array. */
static inline const struct jm *jm_testdata_cases(const char *dir, const char *file,
                                                 const char *what, struct jm **root)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    *root = jm_parse_file(path);
    const struct jm *cases = jm_get(*root, "cases");
    if (cases && cases->type == JM_ARR)
        return cases;
    printf("SKIP: %s absent or unreadable, %s not run\n", path, what);
    jm_free(*root);
    *root = NULL;
    return NULL;
}

#endif
