# Output format writers: sources and libraries added to crawlcore.
# output.c dispatches to one format_<name>.c per -f value; format_sink
# (file/gzip/temp+rename), format_text (escaping), format_urlset and
# format_store (--sort) are shared by them.
find_package(SQLite3 REQUIRED)
set(CRAWL_FORMAT_SOURCES
    format_sink.c format_text.c format_urlset.c format_store.c
    format_jsonl.c format_edges.c format_dot.c format_graphml.c
    format_sitemap.c format_sqlite.c format_broken.c warc.c)
set(CRAWL_FORMAT_LIBS ZLIB::ZLIB SQLite::SQLite3)
