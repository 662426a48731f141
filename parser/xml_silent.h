/* xml_silent: what every libxml2 parse in crawl shares. libxml2 must never
 * print (a page's errors are not ours to report), and every HTML parse
 * uses html.c's options: html_rules.c asks libxml2 questions that must be
 * answered as html.c's parse would, and the benchmark's bare pass must be
 * the same pass. Header only: static functions, no state. */
#ifndef CRAWL_XML_SILENT_H
#define CRAWL_XML_SILENT_H

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

/* No XML_PARSE_HUGE: libxml2's nesting limit (256) is checked where the
 * tree is built (nodePush), and the SAX passes build no tree, so pages
 * nested deeper lose nothing without it (test_html: 1000 deep and the
 * deep_nesting_* cases; test_pool: 300 deep). On this pass the option
 * changes nothing we extract in 2.9.14; it would only lift limits that a
 * later libxml2 may enforce here, and the worker's RLIMIT_AS and deadline
 * are the real bound. */
#define XML_SILENT_HTML_OPTS                                                                       \
    (HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |           \
     HTML_PARSE_NOIMPLIED | HTML_PARSE_NODEFDTD | HTML_PARSE_IGNORE_ENC)

static inline void xml_silent_generic(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static inline void xml_silent_structured(void *ctx, xmlErrorPtr err)
{
    (void)ctx;
    (void)err;
}

/* libxml2's global error output (errors outside any SAX handler) goes
 * nowhere. */
static inline void xml_silent_globals(void)
{
    xmlSetGenericErrorFunc(NULL, xml_silent_generic);
    xmlSetStructuredErrorFunc(NULL, xml_silent_structured);
}

/* A SAX handler's error callbacks, silent. */
static inline void xml_silent_sax(xmlSAXHandler *sax)
{
    sax->warning = xml_silent_generic;
    sax->error = xml_silent_generic;
    sax->fatalError = xml_silent_generic;
    sax->serror = xml_silent_structured;
}

#endif
