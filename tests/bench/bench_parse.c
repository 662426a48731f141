/* bench_parse: the worker's parse of one page, repeated, next to the bare
 * libxml2 SAX pass over the same bytes. Meant to run under
 * `valgrind --tool=callgrind` (bench_parse.py does that and takes the
 * difference of two repeat counts, so start-up costs cancel out); not a
 * test: it prints a checksum and exits 0 (1 on bad arguments or a file it
 * cannot read).
 *
 *   bench_parse MODE FILE REPEATS [PAGE_URL]
 *
 * MODE "worker": one IPC_JOB frame holding FILE is built once, then
 * worker_main_answer() turns it into its reply frame REPEATS times: what a
 * worker does per page between reading a job and writing the answer.
 * MODE "bare": htmlCtxtReadMemory() over FILE's bytes REPEATS times with a
 * SAX handler whose callbacks are all NULL, the same parse options as
 * parser/html.c and the encoding given as UTF-8, on one context reused
 * (htmlCtxtReadMemory resets it): the floor for any libxml2-based worker.
 * MODE "noop": the same with no-op start/end/characters callbacks, so
 * libxml2 hands every event over as it does to the worker.
 * MODE "libxml2": html_parser_run with the parser forced to libxml2 (what
 * a page the fast tokenizer declines costs, html_fast.h), no frames. */
#include "html.h"
#include "ipc.h"
#include "linkflags.h"
#include "pool.h"
#include "scope.h"
#include "worker_main.h"
#include "xml_silent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>

static char *bench_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *b = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        b = malloc((size_t)n + 1);
        if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
            free(b);
            b = NULL;
        }
        *len = (size_t)n;
    }
    fclose(f);
    return b;
}

static void bench_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
    (void)ctx;
    (void)name;
    (void)atts;
}

static void bench_end(void *ctx, const xmlChar *name)
{
    (void)ctx;
    (void)name;
}

static void bench_chars(void *ctx, const xmlChar *ch, int len)
{
    (void)ctx;
    (void)ch;
    (void)len;
}

static unsigned long bench_bare(const char *body, size_t len, long reps, int noop)
{
    htmlSAXHandler sax;
    htmlParserCtxtPtr ctxt;
    unsigned long sum = 0;

    xmlInitParser();
    xml_silent_globals();
    ctxt = htmlNewParserCtxt();
    if (!ctxt)
        return 0;
    memset(&sax, 0, sizeof sax);
    if (noop) {
        sax.startElement = bench_start;
        sax.endElement = bench_end;
        sax.characters = bench_chars;
        sax.ignorableWhitespace = bench_chars;
        sax.cdataBlock = bench_chars;
    }
    xml_silent_sax(&sax);
    memcpy(ctxt->sax, &sax, sizeof sax);
    for (long i = 0; i < reps; i++) {
        htmlDocPtr d = htmlCtxtReadMemory(ctxt, body, (int)len, "http://bench.test/", "UTF-8",
                                          XML_SILENT_HTML_OPTS);
        if (d)
            xmlFreeDoc(d);
        sum += (unsigned long)ctxt->nbChars + (unsigned long)ctxt->wellFormed;
    }
    htmlFreeParserCtxt(ctxt);
    return sum;
}

/* leaf: the job flagged IPC_FLAG_LINKS_JSON, with the crawl's render hook
 * and a scope of the page's site, as for a page at the depth limit. */
static unsigned long bench_worker(const char *body, size_t len, const char *url, long reps,
                                  int leaf)
{
    struct scope scope;
    struct link_rules rules = {&scope, 1};
    char err[256], *start = NULL;
    struct pool_config cfg;
    struct buf job, out;
    struct ipc_frame f;
    struct ipc_job j;
    size_t used = 0;
    unsigned long sum = 0;
    unsigned char hdr[IPC_HEADER_LEN] = {0};

    memset(&cfg, 0, sizeof cfg);
    cfg.nworkers = 1;
    cfg.max_job = len + 1;
    cfg.max_result = 64u * 1024 * 1024; /* as cli/main.c */
    cfg.max_links = 10000;              /* --max-links default */
    scope_init(&scope);
    if (leaf && scope_add_start(&scope, url, &start, err, sizeof err) == 0) {
        cfg.render_links = link_render_json;
        cfg.render_ctx = &rules;
    }
    buf_init(&job, IPC_HEADER_LEN + WORKER_JOB_PREFIX_MAX + len);
    buf_append(&job, hdr, sizeof hdr);
    ipc_job_prefix_encode(&job, url, NULL);
    buf_append(&job, body, len);
    ipc_encode_header((unsigned char *)job.data, IPC_JOB, leaf ? IPC_FLAG_LINKS_JSON : 0, 7,
                      (uint32_t)(job.len - IPC_HEADER_LEN));
    if (ipc_decode((const unsigned char *)job.data, job.len, job.len, &f, &used) != IPC_FRAME ||
        ipc_job_decode(&f, &j) < 0) {
        buf_free(&job);
        return 0;
    }
    buf_init(&out, IPC_HEADER_LEN + cfg.max_result);
    for (long i = 0; i < reps; i++) {
        worker_main_answer(&f, &j, &cfg, &out);
        sum += out.len;
    }
    buf_free(&out);
    buf_free(&job);
    free(start);
    scope_free(&scope);
    return sum;
}

static unsigned long bench_libxml2(const char *body, size_t len, const char *url, long reps)
{
    struct html_parser *p = html_parser_new();
    unsigned long sum = 0;
    html_parser_set_mode(p, HTML_PARSER_LIBXML2);
    for (long i = 0; i < reps; i++) {
        const struct html_page *pg = html_parser_run(p, body, len, url, "UTF-8", 10000);
        sum += pg ? pg->nlinks : 0;
    }
    html_parser_free(p);
    return sum;
}

int main(int argc, char **argv)
{
    size_t len = 0;
    char *body;
    long reps;
    unsigned long sum;

    if (argc < 4 || (reps = strtol(argv[3], NULL, 10)) < 0) {
        fprintf(stderr,
                "usage: bench_parse worker|leaf|libxml2|bare|noop FILE REPEATS [PAGE_URL]\n");
        return 1;
    }
    if (!(body = bench_read(argv[2], &len))) {
        perror(argv[2]);
        return 1;
    }
    if (strcmp(argv[1], "worker") == 0 || strcmp(argv[1], "leaf") == 0)
        sum = bench_worker(body, len, argc > 4 ? argv[4] : "http://bench.test/s1/t2/page.html",
                           reps, argv[1][0] == 'l');
    else if (strcmp(argv[1], "libxml2") == 0)
        sum = bench_libxml2(body, len, argc > 4 ? argv[4] : "http://bench.test/s1/t2/page.html",
                            reps);
    else if (strcmp(argv[1], "bare") == 0 || strcmp(argv[1], "noop") == 0)
        sum = bench_bare(body, len, reps, argv[1][0] == 'n');
    else {
        fprintf(stderr, "bench_parse: unknown mode %s\n", argv[1]);
        free(body);
        return 1;
    }
    printf("%s %zu bytes x %ld: checksum %lu\n", argv[1], len, reps, sum);
    free(body);
    return 0;
}
