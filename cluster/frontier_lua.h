/* frontier_lua: the text of frontier.lua (the shared frontier's Redis
 * functions), compiled in by CMake. */
#ifndef CRAWL_FRONTIER_LUA_H
#define CRAWL_FRONTIER_LUA_H

extern const char cluster_frontier_lua[];

#endif
