/* html_rules: where libxml2 2.9.14's HTML parser closes an element by
 * itself (see html_rules.c). For html_fast.c; names are lowercase, as
 * libxml2 hands them over. */
#ifndef CRAWL_HTML_RULES_H
#define CRAWL_HTML_RULES_H

/* Longest name (with its NUL) whose answers are kept; longer ones are
 * asked again each time. */
#define HTML_RULES_SHORT 16

struct html_rules;
struct html_rules *html_rules_new(void);
void html_rules_free(struct html_rules *r); /* r may be NULL */

/* 1 when libxml2 ends element `name` as soon as it starts (<br>), 0 when
 * not, -1 when libxml2 could not be asked. */
int html_rules_empty(struct html_rules *r, const char *name);
/* 1 when a new element `name` closes an open `top` (<p> after <p>), 0
 * when not, -1 when libxml2 could not be asked. */
int html_rules_closes(struct html_rules *r, const char *top, const char *name);
/* The end priority of an element: an end tag does not close past an open
 * element of higher priority (it is then ignored). */
int html_rules_priority(const char *name);

#endif
