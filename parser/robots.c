/* robots: parse robots.txt (RFC 9309) into the rules of the group(s) that
 * apply to one product token, and answer "may this path be fetched?".
 * Owns the rule list and the Sitemap: values it copies out of the file.
 * Pure functions: no sockets, no processes, no file I/O, no globals.
 *
 * Choices where the RFC is silent (each as google/robotstxt does, unless
 * said otherwise):
 *  - blank lines, Sitemap: and unknown lines do not end a group; rules
 *    before the first user-agent line are ignored;
 *  - Crawl-delay is a group line (it ends a run of user-agent lines, as
 *    allow/disallow do; Google ignores it); several in the matched groups:
 *    the largest wins;
 *  - a UTF-8 BOM, or a prefix of one, at the very start is skipped;
 *  - lines without a colon are ignored (no Google-style leniency);
 *  - %XX of unreserved characters is decoded on both sides before
 *    comparing (RFC 9309 2.2.2's table; google/robotstxt compares raw),
 *    because the crawler's canonical URLs are decoded that way.
 *
 * Matching is linear per rule (issue 10): a wildcard piece is looked for
 * by memchr on its byte rarest in the path plus memcmp, with a budget,
 * then by Knuth-Morris-Pratt. Not glibc's memmem: in 2.36 it is two-way
 * (linear) only for needles over 256 bytes, and below that a Horspool
 * variant whose worst case is O(path x needle). Verdicts that were costly
 * are remembered per struct robots (bounds in robots.h). */
#include "robots.h"
#include "url.h"

#include "xalloc.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ROBOTS_ANCHOR_LOOK 8 /* bytes from each end of a piece that may be its anchor */

struct robots_rule {
    char *pat;   /* normalised pattern, final '$' removed; owned */
    size_t len;  /* strlen(pat) */
    size_t prio; /* length of the normalised pattern, '$' included */
    size_t need; /* bytes a matching path has at least: len less the '*'s */
    int allow;
    int anchored; /* pattern ended in '$' */
};

struct robots_rules {
    struct robots_rule *v;
    size_t n, cap;
    double delay; /* -1: none */
};

/* A remembered verdict: the path_query exactly as asked. */
struct robots_slot {
    uint64_t hash;
    char *key; /* owned; NULL: empty slot */
    size_t len;
    int allowed;
};

/* What robots_allowed changes: reached through a pointer, so a const
 * struct robots can still count its work and remember verdicts. */
struct robots_memo {
    struct robots_stats stats;
    struct robots_slot *slots; /* ROBOTS_CACHE_SLOTS, direct-mapped; NULL until
                                  the first verdict worth keeping */
};

struct robots {
    struct robots_rule *rules; /* longest first, Allow before Disallow */
    size_t nrules;
    double delay;
    int deny_all;
    char **sitemaps;
    size_t nsitemaps;
    struct robots_memo *memo; /* owned */
};

struct robots_parser {
    const char *token; /* our product token, or NULL */
    size_t toklen;
    int in_agents;     /* the last group line was a user-agent line */
    int in_group;      /* a user-agent line has been seen */
    int cur_specific;  /* the current group names our token */
    int cur_global;    /* the current group is a "*" group */
    int seen_specific; /* some group names our token */
    struct robots_rules spec, glob;
    char **sitemaps;
    size_t nsitemaps, sitemaps_cap;
};

/* ---- characters ---- */

static int robots_is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

static int robots_is_token_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

static int robots_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Bytes a canonical URL never holds raw (as url.c encodes them). */
static int robots_needs_pct(unsigned char c, int query)
{
    return c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}", c) || (query && c == '\'');
}

/* Length of the leading run of product-token characters of s[0..n). */
static size_t robots_token_len(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && robots_is_token_char((unsigned char)s[i]))
        i++;
    return i;
}

/* ASCII case-insensitive equality of a[0..n) and b[0..n). */
static int robots_ieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (robots_lower((unsigned char)a[i]) != robots_lower((unsigned char)b[i]))
            return 0;
    return 1;
}

static int robots_key_is(const char *k, size_t n, const char *name)
{
    return strlen(name) == n && robots_ieq(k, name, n);
}

/* Write s[0..n) to out (room for 3n+1 bytes) with percent-encoding
 * normalised: %XX of an unreserved character decoded, other %XX hex
 * uppercased, a '%' not starting %XX written as %25. For a pattern, raw
 * bytes a canonical URL never holds raw are encoded too. Returns the
 * length written (out is NUL-terminated). */
static size_t robots_norm(const char *s, size_t n, int pattern, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    int query = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int hi = -1, lo = -1;

        if (c == '%') {
            if (i + 2 < n) {
                hi = url_hex_value((unsigned char)s[i + 1]);
                lo = url_hex_value((unsigned char)s[i + 2]);
            }
            if (hi < 0 || lo < 0) {
                memcpy(out + o, "%25", 3);
                o += 3;
                continue;
            }
            i += 2;
            c = (unsigned char)(hi * 16 + lo);
            if (url_is_unreserved(c)) {
                out[o++] = (char)c;
                continue;
            }
        } else if (!pattern || !robots_needs_pct(c, query)) {
            out[o++] = (char)c;
            query |= c == '?';
            continue;
        }
        out[o++] = '%';
        out[o++] = hex[c >> 4];
        out[o++] = hex[c & 15];
    }
    out[o] = '\0';
    return o;
}

/* ---- matching ---- */

/* One question being answered: the normalised path and what the search
 * learns about it. steps counts the work (robots_stats). */
struct robots_scan {
    const char *path;
    size_t n;
    unsigned long long steps;
    size_t budget;      /* bytes the current rule may still compare at candidates */
    int have_counts;    /* counts[] filled (on the first search that needs it) */
    size_t counts[256]; /* occurrences of each byte in path */
};

static void robots_count_bytes(struct robots_scan *sc)
{
    if (sc->have_counts)
        return;
    memset(sc->counts, 0, sizeof sc->counts);
    for (size_t i = 0; i < sc->n; i++)
        sc->counts[(unsigned char)sc->path[i]]++;
    sc->steps += sc->n + 256;
    sc->have_counts = 1;
}

/* Offset in nd[0..nn) (nn >= 2) of the byte to look for first: of its
 * first and last ROBOTS_ANCHOR_LOOK bytes, the one rarest in the path. */
static size_t robots_anchor(struct robots_scan *sc, const char *nd, size_t nn)
{
    size_t best = nn - 1;

    robots_count_bytes(sc);
    for (size_t i = 0; i < nn; i++) {
        if (i == ROBOTS_ANCHOR_LOOK && nn > 2 * ROBOTS_ANCHOR_LOOK)
            i = nn - ROBOTS_ANCHOR_LOOK;
        sc->steps++;
        if (sc->counts[(unsigned char)nd[i]] < sc->counts[(unsigned char)nd[best]])
            best = i;
    }
    return best;
}

/* Knuth-Morris-Pratt: the leftmost start >= from of nd[0..nn) in the
 * path, into *at. At most 2 nn steps for the table and 2 (n - from) for
 * the scan. Returns 1 if found. */
static int robots_kmp(struct robots_scan *sc, size_t from, const char *nd, size_t nn, size_t *at)
{
    size_t *fail = xmalloc(nn * sizeof *fail); /* longest proper border of nd[0..i] */
    unsigned long long steps = 0;
    int found = 0;

    fail[0] = 0;
    for (size_t i = 1, q = 0; i < nn; i++) {
        for (; q > 0 && nd[i] != nd[q]; steps++)
            q = fail[q - 1];
        q += nd[i] == nd[q];
        fail[i] = q;
        steps++;
    }
    for (size_t j = from, q = 0; j < sc->n && sc->n - j >= nn - q; j++) {
        for (; q > 0 && sc->path[j] != nd[q]; steps++)
            q = fail[q - 1];
        q += sc->path[j] == nd[q];
        steps++;
        if (q == nn) {
            *at = j + 1 - nn;
            found = 1;
            break;
        }
    }
    free(fail);
    sc->steps += steps;
    return found;
}

/* How many bytes of a[0..n) and b[0..n) compare equal before the first
 * difference, comparing from k (where a mismatch is likeliest, next to the
 * rare anchor byte) to the end, then from k - 1 down to 0; n if none. */
static size_t robots_same(const char *a, const char *b, size_t n, size_t k)
{
    size_t i = k, same = 0;

    for (; i < n; i++, same++)
        if (a[i] != b[i])
            return same;
    for (i = k; i-- > 0; same++)
        if (a[i] != b[i])
            return same;
    return n;
}

/* The leftmost start >= from of nd[0..nn) (nn >= 1) in the path, into *at;
 * returns 1 if found. Candidates come from memchr for the anchor byte and
 * are compared up to their first mismatch (robots_same) while the rule's
 * budget of compared bytes lasts; then KMP goes on from the first start
 * not yet ruled out. Linear either way: the memchr scans never overlap,
 * the comparing is capped by the budget. */
static int robots_search(struct robots_scan *sc, size_t from, const char *nd, size_t nn, size_t *at)
{
    const char *h = sc->path;

    if (sc->n - from < nn)
        return 0;
    size_t last = sc->n - nn; /* the last possible start */
    if (nn == 1) {
        const char *hit = memchr(h + from, nd[0], sc->n - from);
        sc->steps += hit ? (size_t)(hit - h) - from + 1 : sc->n - from;
        if (hit)
            *at = (size_t)(hit - h);
        return hit != NULL;
    }
    size_t k = robots_anchor(sc, nd, nn);
    if (sc->counts[(unsigned char)nd[k]] == 0)
        return 0;
    size_t s = from;
    while (sc->budget >= nn) {
        const char *hit = memchr(h + s + k, nd[k], last - s + 1);
        sc->steps += hit ? (size_t)(hit - h) - (s + k) + 1 : last - s + 1;
        if (!hit)
            return 0;
        size_t cand = (size_t)(hit - h) - k;
        size_t same = robots_same(h + cand, nd, nn, k);
        size_t cost = same < nn ? same + 1 : nn; /* bytes compared */
        sc->steps += cost;
        sc->budget -= cost;
        if (same == nn) {
            *at = cand;
            return 1;
        }
        if (cand == last)
            return 0;
        s = cand + 1;
    }
    return robots_kmp(sc, s, nd, nn, at);
}

/* Does rule r match the path? The pattern is split at each '*'; the first
 * piece must be a prefix, each later piece is taken at its leftmost place
 * after the previous one (leftmost leaves the most room, so greedy is
 * exact), and an anchored last piece must end the path (a suffix check,
 * not a search). O(n + len) steps. */
static int robots_match(const struct robots_rule *r, struct robots_scan *sc)
{
    const char *pat = r->pat, *end = r->pat + r->len, *path = sc->path;
    size_t n = sc->n;

    sc->steps++;
    if (n < r->need)
        return 0;
    const char *star = memchr(pat, '*', r->len);
    sc->steps += star ? (size_t)(star - pat) + 1 : r->len;
    if (!star) {
        sc->steps += r->len;
        if (r->anchored)
            return n == r->len && memcmp(path, pat, n) == 0;
        return memcmp(path, pat, r->len) == 0;
    }
    size_t pos = (size_t)(star - pat);
    sc->steps += pos;
    if (memcmp(path, pat, pos) != 0)
        return 0;
    sc->budget = n + r->len;
    for (const char *seg = star + 1;;) {
        const char *next = memchr(seg, '*', (size_t)(end - seg));
        size_t slen = (size_t)((next ? next : end) - seg), at;
        sc->steps += slen + (next != NULL);
        if (!next && r->anchored) {
            sc->steps += slen;
            return n - pos >= slen && memcmp(path + n - slen, seg, slen) == 0;
        }
        if (slen > 0) {
            if (!robots_search(sc, pos, seg, slen, &at))
                return 0;
            pos = at + slen;
        }
        if (!next)
            return 1;
        seg = next + 1;
    }
}

/* The verdict for p[0..n), computed; adds its steps to *steps. */
static int robots_decide(const struct robots *r, const char *p, size_t n, unsigned long long *steps)
{
    struct robots_scan sc;
    char *norm = NULL;
    int allowed = 1;

    sc.n = n;
    sc.steps = n;
    sc.budget = 0;
    sc.have_counts = 0;
    if (memchr(p, '%', sc.n)) {
        norm = xmalloc(3 * sc.n + 1);
        sc.n = robots_norm(p, sc.n, 0, norm);
        p = norm;
    }
    sc.path = p;
    if (strcspn(p, "?") == strlen("/robots.txt") && memcmp(p, "/robots.txt", 11) == 0)
        goto out;
    if (r->deny_all) {
        allowed = 0;
        goto out;
    }
    for (size_t i = 0; i < r->nrules; i++) {
        if (robots_match(&r->rules[i], &sc)) {
            allowed = r->rules[i].allow;
            break;
        }
    }
out:
    *steps += sc.steps;
    free(norm);
    return allowed;
}

/* FNV-1a, folded so the slot index sees every bit. */
static uint64_t robots_hash(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return h ^ (h >> 32);
}

int robots_allowed(const struct robots *r, const char *path_query)
{
    const char *p = (path_query && *path_query) ? path_query : "/";
    size_t n = strlen(p);
    struct robots_memo *m = r->memo;
    uint64_t h = 0;

    m->stats.queries++;
    if (m->slots && n <= ROBOTS_CACHE_KEY_MAX) {
        h = robots_hash(p, n);
        m->stats.steps += n;
        struct robots_slot *sl = &m->slots[h % ROBOTS_CACHE_SLOTS];
        if (sl->key && sl->hash == h && sl->len == n) {
            m->stats.steps += n;
            if (memcmp(sl->key, p, n) == 0) {
                m->stats.cache_hits++;
                return sl->allowed;
            }
        }
    }
    unsigned long long before = m->stats.steps;
    int allowed = robots_decide(r, p, n, &m->stats.steps);
    if (n > ROBOTS_CACHE_KEY_MAX || m->stats.steps - before < ROBOTS_CACHE_MIN_STEPS)
        return allowed;
    if (!m->slots) {
        m->slots = xcalloc(ROBOTS_CACHE_SLOTS, sizeof *m->slots);
        h = robots_hash(p, n);
        m->stats.steps += n;
    }
    struct robots_slot *sl = &m->slots[h % ROBOTS_CACHE_SLOTS];
    if (!sl->key)
        m->stats.cache_entries++;
    free(sl->key);
    sl->key = xmemdup0(p, n);
    sl->hash = h;
    sl->len = n;
    sl->allowed = allowed;
    return allowed;
}

/* ---- parsing ---- */

static void robots_rules_add(struct robots_rules *rs, const struct robots_rule *r)
{
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 16;
        rs->v = xrealloc(rs->v, rs->cap * sizeof *rs->v);
    }
    rs->v[rs->n] = *r;
    rs->v[rs->n].pat = xmemdup0(r->pat, r->len);
    rs->n++;
}

static void robots_rules_free(struct robots_rules *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        free(rs->v[i].pat);
    free(rs->v);
    rs->v = NULL;
    rs->n = rs->cap = 0;
}

/* A non-negative decimal ("5", "0.5", "10."), parsed without the locale.
 * -1 if v[0..n) is anything else. */
static double robots_parse_delay(const char *v, size_t n)
{
    double d = 0, scale = 1;
    size_t i = 0, digits = 0;

    for (; i < n && v[i] >= '0' && v[i] <= '9'; i++, digits++)
        d = d * 10 + (v[i] - '0');
    if (i < n && v[i] == '.')
        for (i++; i < n && v[i] >= '0' && v[i] <= '9'; i++, digits++)
            d += (v[i] - '0') * (scale /= 10);
    if (i != n || digits == 0 || !isfinite(d))
        return -1;
    return d;
}

static void robots_on_agent(struct robots_parser *p, const char *v, size_t n)
{
    if (!p->in_agents) {
        p->cur_specific = p->cur_global = 0;
        p->in_agents = 1;
    }
    p->in_group = 1;
    if (n >= 1 && v[0] == '*' && (n == 1 || robots_is_space((unsigned char)v[1]))) {
        p->cur_global = 1;
        return;
    }
    size_t t = robots_token_len(v, n);
    if (p->token && t == p->toklen && robots_ieq(v, p->token, t)) {
        p->cur_specific = 1;
        p->seen_specific = 1;
    }
}

static void robots_on_rule(struct robots_parser *p, int allow, const char *v, size_t n)
{
    struct robots_rule r;

    if (n == 0) /* empty Disallow: allow everything; empty Allow: nothing */
        return;
    memset(&r, 0, sizeof r);
    r.pat = xmalloc(3 * n + 1);
    r.len = robots_norm(v, n, 1, r.pat);
    r.prio = r.len;
    r.allow = allow;
    if (r.len && r.pat[r.len - 1] == '$') {
        r.anchored = 1;
        r.pat[--r.len] = '\0';
    }
    r.need = r.len;
    for (size_t i = 0; i < r.len; i++)
        r.need -= r.pat[i] == '*';
    if (p->cur_specific)
        robots_rules_add(&p->spec, &r);
    if (p->cur_global)
        robots_rules_add(&p->glob, &r);
    free(r.pat);
}

static void robots_on_delay(struct robots_parser *p, const char *v, size_t n)
{
    double d = robots_parse_delay(v, n);

    if (d < 0)
        return;
    if (p->cur_specific && d > p->spec.delay)
        p->spec.delay = d;
    if (p->cur_global && d > p->glob.delay)
        p->glob.delay = d;
}

static void robots_on_sitemap(struct robots_parser *p, const char *v, size_t n)
{
    if (n == 0 || memchr(v, '\0', n) || p->nsitemaps >= ROBOTS_MAX_SITEMAPS)
        return;
    if (p->nsitemaps == p->sitemaps_cap) {
        p->sitemaps_cap = p->sitemaps_cap ? p->sitemaps_cap * 2 : 4;
        p->sitemaps = xrealloc(p->sitemaps, p->sitemaps_cap * sizeof *p->sitemaps);
    }
    p->sitemaps[p->nsitemaps++] = xmemdup0(v, n);
}

static void robots_trim(const char **s, size_t *n)
{
    while (*n && robots_is_space((unsigned char)(*s)[0])) {
        (*s)++;
        (*n)--;
    }
    while (*n && robots_is_space((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* One line, without its end-of-line bytes. */
static void robots_line(struct robots_parser *p, const char *s, size_t n)
{
    const char *hash = memchr(s, '#', n);
    if (hash)
        n = (size_t)(hash - s);
    const char *colon = memchr(s, ':', n);
    if (!colon)
        return;
    const char *k = s, *v = colon + 1;
    size_t kn = (size_t)(colon - s), vn = n - kn - 1;
    robots_trim(&k, &kn);
    robots_trim(&v, &vn);

    if (robots_key_is(k, kn, "user-agent")) {
        robots_on_agent(p, v, vn);
        return;
    }
    if (robots_key_is(k, kn, "sitemap")) {
        robots_on_sitemap(p, v, vn);
        return;
    }
    int allow = robots_key_is(k, kn, "allow");
    int delay = robots_key_is(k, kn, "crawl-delay");
    if (!allow && !delay && !robots_key_is(k, kn, "disallow"))
        return; /* unknown lines leave the group as it is */
    p->in_agents = 0;
    if (!p->in_group)
        return;
    if (delay)
        robots_on_delay(p, v, vn);
    else
        robots_on_rule(p, allow, v, vn);
}

/* Longest first; at equal length Allow first, so the first match decides. */
static int robots_rule_cmp(const void *a, const void *b)
{
    const struct robots_rule *x = a, *y = b;

    if (x->prio != y->prio)
        return x->prio > y->prio ? -1 : 1;
    return y->allow - x->allow;
}

static struct robots *robots_new(void)
{
    struct robots *r = xcalloc(1, sizeof *r);
    r->delay = -1;
    r->memo = xcalloc(1, sizeof *r->memo);
    return r;
}

static struct robots *robots_finish(struct robots_parser *p)
{
    struct robots *r = robots_new();
    struct robots_rules *use = p->seen_specific ? &p->spec : &p->glob;

    r->rules = use->v;
    r->nrules = use->n;
    r->delay = use->delay;
    use->v = NULL;
    use->n = 0;
    if (r->nrules > 1)
        qsort(r->rules, r->nrules, sizeof *r->rules, robots_rule_cmp);
    robots_rules_free(&p->spec);
    robots_rules_free(&p->glob);
    r->sitemaps = p->sitemaps;
    r->nsitemaps = p->nsitemaps;
    p->sitemaps = NULL;
    return r;
}

struct robots *robots_parse(const char *txt, size_t len, const char *product_token)
{
    static const unsigned char bom[] = {0xEF, 0xBB, 0xBF};
    struct robots_parser p;
    size_t n = txt ? (len > ROBOTS_MAX_BYTES ? ROBOTS_MAX_BYTES : len) : 0;
    int cut = txt && len > ROBOTS_MAX_BYTES;
    size_t i = 0;

    memset(&p, 0, sizeof p);
    p.spec.delay = p.glob.delay = -1;
    if (product_token) {
        size_t tl = strlen(product_token);
        if (tl && robots_token_len(product_token, tl) == tl) {
            p.token = product_token;
            p.toklen = tl;
        }
    }
    while (i < n && i < sizeof bom && (unsigned char)txt[i] == bom[i])
        i++;
    while (i < n) {
        size_t start = i;
        while (i < n && txt[i] != '\n' && txt[i] != '\r')
            i++;
        if (i == n && cut)
            break; /* the line the size limit cut: dropped */
        robots_line(&p, txt + start, i - start);
        if (i + 1 < n && txt[i] == '\r' && txt[i + 1] == '\n')
            i++;
        i++;
    }
    return robots_finish(&p);
}

struct robots *robots_allow_all(void)
{
    return robots_new();
}

struct robots *robots_disallow_all(void)
{
    struct robots *r = robots_new();
    r->deny_all = 1;
    return r;
}

double robots_crawl_delay(const struct robots *r)
{
    return r->delay;
}

size_t robots_sitemap_count(const struct robots *r)
{
    return r->nsitemaps;
}

const char *robots_sitemap(const struct robots *r, size_t i)
{
    return i < r->nsitemaps ? r->sitemaps[i] : NULL;
}

void robots_free(struct robots *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nrules; i++)
        free(r->rules[i].pat);
    free(r->rules);
    for (size_t i = 0; i < r->nsitemaps; i++)
        free(r->sitemaps[i]);
    free(r->sitemaps);
    if (r->memo->slots)
        for (size_t i = 0; i < ROBOTS_CACHE_SLOTS; i++)
            free(r->memo->slots[i].key);
    free(r->memo->slots);
    free(r->memo);
    free(r);
}

void robots_get_stats(const struct robots *r, struct robots_stats *out)
{
    *out = r->memo->stats;
}

int robots_product_token(const char *user_agent, char *out, size_t cap)
{
    size_t n = user_agent ? robots_token_len(user_agent, strlen(user_agent)) : 0;

    if (cap == 0)
        return ROBOTS_ERR_TOKEN;
    if (n == 0 || n >= cap) {
        out[0] = '\0';
        return ROBOTS_ERR_TOKEN;
    }
    memcpy(out, user_agent, n);
    out[n] = '\0';
    return 0;
}
