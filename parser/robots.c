/* placeholder: being written */
typedef int crawl_placeholder_t;
