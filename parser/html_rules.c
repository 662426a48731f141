/* html_rules: libxml2 2.9.14's rules for where its HTML parser closes an
 * element by itself, for html_fast.c's stack inside an <a>. Owns a cache of
 * answers and the libxml2 context that gives them; must not parse pages.
 *
 * Two of the rules are asked of libxml2 itself rather than copied from its
 * tables: whether a new element closes the one on top (its start-close
 * table: <p> closes <p>, <li> closes <li>...) and whether an element ends
 * as it starts (<br>, <img>). Each is answered once per pair of names from
 * a two-tag document parsed with html.c's options, and kept. The third,
 * end priorities (an end tag does not close past a <div> or a table
 * element), is libxml2 2.9.14's short fixed list. */
#include "html_rules.h"

#include "xalloc.h"
#include "xml_silent.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>

#define HTML_RULES_SLOTS    512
#define HTML_RULES_NAME_MAX 99 /* longest name asked about */

struct html_rules_entry {
    char key[2 * HTML_RULES_SHORT + 2]; /* "e t" (closes?) or "t" (empty?); "" free */
    int yes;
};

struct html_rules {
    struct html_rules_entry slots[HTML_RULES_SLOTS];
    htmlParserCtxtPtr probe; /* answers them */
};

static char html_rules_events[256];
static size_t html_rules_nevents;

static void html_rules_probe_start(void *ctx, const unsigned char *name, const unsigned char **atts)
{
    (void)ctx;
    (void)atts;
    int n = snprintf(html_rules_events + html_rules_nevents,
                     sizeof html_rules_events - html_rules_nevents, "<%s>", name);
    if (n > 0 && (size_t)n < sizeof html_rules_events - html_rules_nevents)
        html_rules_nevents += (size_t)n;
}

static void html_rules_probe_end(void *ctx, const unsigned char *name)
{
    (void)ctx;
    int n = snprintf(html_rules_events + html_rules_nevents,
                     sizeof html_rules_events - html_rules_nevents, "</%s>", name);
    if (n > 0 && (size_t)n < sizeof html_rules_events - html_rules_nevents)
        html_rules_nevents += (size_t)n;
}

/* libxml2's events for doc (html.c's options), as "<x></x>..." text. */
static const char *html_rules_probe(struct html_rules *f, const char *doc)
{
    htmlSAXHandler sax;
    if (!f->probe && !(f->probe = htmlNewParserCtxt()))
        return NULL;
    htmlParserCtxtPtr ctxt = f->probe;
    memset(&sax, 0, sizeof sax);
    sax.startElement = html_rules_probe_start;
    sax.endElement = html_rules_probe_end;
    xml_silent_sax(&sax);
    memcpy(ctxt->sax, &sax, sizeof sax);
    html_rules_nevents = 0;
    html_rules_events[0] = '\0';
    htmlDocPtr d =
        htmlCtxtReadMemory(ctxt, doc, (int)strlen(doc), NULL, "UTF-8", XML_SILENT_HTML_OPTS);
    if (d)
        xmlFreeDoc(d);
    return html_rules_events;
}

/* The cached answer for key, asking libxml2 (doc, whose events must begin
 * with `closed`) the first time. -1 when libxml2 could not be asked. */
static int html_rules_answer(struct html_rules *f, const char *key, const char *doc,
                             const char *closed)
{
    uint32_t h = 2166136261u;
    for (const char *k = key; *k; k++)
        h = (h ^ (unsigned char)*k) * 16777619u;
    struct html_rules_entry *slot = NULL;
    for (size_t i = 0; i < HTML_RULES_SLOTS; i++) {
        struct html_rules_entry *r = &f->slots[(h + i) % HTML_RULES_SLOTS];
        if (!strcmp(r->key, key))
            return r->yes;
        if (!r->key[0]) {
            slot = r;
            break;
        }
    }
    const char *ev = html_rules_probe(f, doc);
    if (!ev)
        return -1;
    int yes = !strncmp(ev, closed, strlen(closed));
    size_t kl = strlen(key);
    if (slot && kl < sizeof slot->key) { /* names inside an <a> are short */
        memcpy(slot->key, key, kl + 1);
        slot->yes = yes;
    }
    return yes;
}

/* Does libxml2 end element `name` as soon as it starts? */
int html_rules_empty(struct html_rules *f, const char *name)
{
    char doc[HTML_RULES_NAME_MAX + 32], closed[2 * HTML_RULES_NAME_MAX + 8];
    snprintf(doc, sizeof doc, "<%s><crawl-probe>", name);
    snprintf(closed, sizeof closed, "<%s></%s>", name, name);
    return html_rules_answer(f, name, doc, closed);
}

/* Does a new `name` close `top` (libxml2's start-close table)? */
int html_rules_closes(struct html_rules *f, const char *top, const char *name)
{
    char key[2 * HTML_RULES_NAME_MAX + 4], doc[2 * HTML_RULES_NAME_MAX + 8];
    char closed[4 * HTML_RULES_NAME_MAX + 16];
    snprintf(key, sizeof key, "%s %s", top, name);
    snprintf(doc, sizeof doc, "<%s><%s>", top, name);
    snprintf(closed, sizeof closed, "<%s></%s><%s>", top, top, name);
    return html_rules_answer(f, key, doc, closed);
}

/* libxml2 2.9.14's end priorities (htmlEndPriority): an end tag closes
 * the elements above its own only while none of them ranks higher. */
int html_rules_priority(const char *name)
{
    static const struct {
        const char *name;
        int pri;
    } pri[] = {{"div", 150},   {"td", 160},    {"th", 160},    {"tr", 170},
               {"thead", 180}, {"tbody", 180}, {"tfoot", 180}, {"table", 190},
               {"head", 200},  {"body", 200},  {"html", 220}};
    for (size_t i = 0; i < sizeof pri / sizeof pri[0]; i++)
        if (!strcmp(name, pri[i].name))
            return pri[i].pri;
    return 100;
}

struct html_rules *html_rules_new(void)
{
    return xcalloc(1, sizeof(struct html_rules));
}

void html_rules_free(struct html_rules *f)
{
    if (!f)
        return;
    if (f->probe)
        htmlFreeParserCtxt(f->probe);
    free(f);
}
