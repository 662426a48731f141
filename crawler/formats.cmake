# Output format writers: sources and libraries added to crawlcore.
set(CRAWL_FORMAT_SOURCES)
set(CRAWL_FORMAT_LIBS ZLIB::ZLIB)
