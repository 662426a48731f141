/* transfer: making, freeing and listing transfers (transfer.h). */
#include "transfer.h"

#include "xalloc.h"

#include <stdlib.h>

struct transfer *transfer_new(enum transfer_kind kind, char *url)
{
    struct transfer *t = xcalloc(1, sizeof *t);
    t->kind = kind;
    t->url = url;
    return t;
}

void transfer_free(struct transfer *t)
{
    if (!t)
        return;
    fetch_response_free(t->resp);
    record_free(t->rec);
    free(t->url);
    free(t->hop);
    free(t);
}

void transfer_list_push(struct transfer_list *l, struct transfer *t)
{
    t->next = NULL;
    if (l->tail)
        l->tail->next = t;
    else
        l->head = t;
    l->tail = t;
    l->n++;
}

struct transfer *transfer_list_pop(struct transfer_list *l)
{
    struct transfer *t = l->head;
    if (!t)
        return NULL;
    l->head = t->next;
    if (!l->head)
        l->tail = NULL;
    l->n--;
    return t;
}
