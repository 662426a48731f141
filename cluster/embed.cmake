# frontier.lua as a C string (cluster_frontier_lua, frontier_lua.h).
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUT} "/* generated from frontier.lua: do not edit */\n#include \"frontier_lua.h\"\nconst char cluster_frontier_lua[] = {${bytes} 0x00};\n")
